from django.urls import path

import organisations.urls  # noqa: F401 (registers the "ods" path converter)

from . import views

app_name = "alerts"

response = "<int:alert_id>/<ods:ods_code>/"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("national/", views.alert_list, name="list"),
    path("new/", views.alert_create, name="create"),
    path("import/", views.alert_import, name="import"),
    path("past-deadline/", views.overdue, name="overdue"),
    path("past-deadline/export.<str:fmt>", views.overdue_export, name="overdue_export"),
    path("<int:alert_id>/", views.alert_detail, name="detail"),
    path("<int:alert_id>/change/", views.alert_update, name="update"),
    path("<int:alert_id>/publish/", views.alert_publish, name="publish"),
    path("<int:alert_id>/responses/", views.compliance, name="compliance"),
    path(
        "<int:alert_id>/responses/export.<str:fmt>",
        views.compliance_export,
        name="compliance_export",
    ),
    path(response, views.response_detail, name="response"),
    path(f"{response}acknowledge/", views.response_acknowledge, name="acknowledge"),
    path(f"{response}decide/", views.response_decide, name="decide"),
    path(f"{response}lead/", views.response_lead, name="lead"),
    path(f"{response}actions/<int:action_pk>/", views.action_answer, name="action"),
    path(
        f"{response}actions/<int:action_pk>/evidence/",
        views.evidence_create,
        name="evidence_create",
    ),
    path(f"{response}evidence/<int:evidence_pk>/", views.evidence_download, name="evidence"),
    path(f"{response}sign-off/", views.response_sign_off, name="sign_off"),
    path(f"{response}complete/", views.response_complete, name="complete"),
    path(f"{response}reopen/", views.response_reopen, name="reopen"),
    path(f"{response}incidents/", views.incident_link, name="incident_link"),
    path(
        f"{response}incidents/<int:link_pk>/remove/",
        views.incident_unlink,
        name="incident_unlink",
    ),
]
