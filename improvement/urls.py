from django.urls import path

import organisations.urls  # noqa: F401 (registers the "ods" path converter)

from . import views

app_name = "improvement"

projects = "<ods:ods_code>/projects/"
project = f"{projects}<int:pk>/"
protocols = "<ods:ods_code>/protocols/"
protocol = f"{protocols}<int:pk>/"

urlpatterns = [
    path(projects, views.project_list, name="projects"),
    path(f"{projects}new/", views.project_create, name="project_create"),
    path(project, views.project_detail, name="project"),
    path(f"{project}change/", views.project_update, name="project_update"),
    path(f"{project}write-up.pdf", views.project_writeup, name="project_writeup"),
    path(f"{project}measure/new/", views.point_create, name="point_create"),
    path(f"{project}measure/remove/", views.point_remove, name="point_remove"),
    path(f"{project}cycles/new/", views.cycle_create, name="cycle_create"),
    path(f"{project}cycles/<int:cycle_pk>/", views.cycle_update, name="cycle"),
    path(f"{project}finish/", views.project_finish, name="project_finish"),
    path(f"{project}reopen/", views.project_reopen, name="project_reopen"),
    path(f"{project}share/", views.project_share, name="project_share"),
    path(protocols, views.protocol_list, name="protocols"),
    path(f"{protocols}new/", views.protocol_create, name="protocol_create"),
    path(protocol, views.protocol_detail, name="protocol"),
    path(f"{protocol}document", views.protocol_document, name="protocol_document"),
    path(f"{protocol}change/", views.protocol_update, name="protocol_update"),
    path(f"{protocol}retire/", views.protocol_retire, name="protocol_retire"),
    path(f"{protocol}share/", views.protocol_share, name="protocol_share"),
]
