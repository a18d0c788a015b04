from django.urls import include, path

import organisations.urls  # noqa: F401 (registers the "ods" path converter)

from . import views

app_name = "improvement"

project = [
    path("", views.project_detail, name="project"),
    path("change/", views.project_update, name="project_update"),
    path("write-up.pdf", views.project_writeup, name="project_writeup"),
    path("measure/new/", views.point_create, name="point_create"),
    path("measure/remove/", views.point_remove, name="point_remove"),
    path("cycles/new/", views.cycle_create, name="cycle_create"),
    path("cycles/<int:cycle_pk>/", views.cycle_update, name="cycle"),
    path("finish/", views.project_finish, name="project_finish"),
    path("reopen/", views.project_reopen, name="project_reopen"),
    path("share/", views.project_share, name="project_share"),
]

protocol = [
    path("", views.protocol_detail, name="protocol"),
    path("document", views.protocol_document, name="protocol_document"),
    path("change/", views.protocol_update, name="protocol_update"),
    path("retire/", views.protocol_retire, name="protocol_retire"),
    path("share/", views.protocol_share, name="protocol_share"),
]

# An organisation's projects and protocols, below its ODS code.
organisation = [
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", include(project)),
    path("protocols/", views.protocol_list, name="protocols"),
    path("protocols/new/", views.protocol_create, name="protocol_create"),
    path("protocols/<int:pk>/", include(protocol)),
]

urlpatterns = [path("<ods:ods_code>/", include(organisation))]
