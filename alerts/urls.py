from django.urls import include, path

import organisations.urls  # noqa: F401 (registers the "ods" path converter)

from . import views

app_name = "alerts"

alert = [
    path("", views.alert_detail, name="detail"),
    path("change/", views.alert_update, name="update"),
    path("publish/", views.alert_publish, name="publish"),
    path("responses/", views.compliance, name="compliance"),
    path("responses/export.<str:fmt>", views.compliance_export, name="compliance_export"),
]

# An organisation's response to an alert, below the alert and the organisation's ODS code.
response = [
    path("", views.response_detail, name="response"),
    path("acknowledge/", views.response_acknowledge, name="acknowledge"),
    path("decide/", views.response_decide, name="decide"),
    path("lead/", views.response_lead, name="lead"),
    path("actions/<int:action_pk>/", views.action_answer, name="action"),
    path("actions/<int:action_pk>/evidence/", views.evidence_create, name="evidence_create"),
    path("evidence/<int:evidence_pk>/", views.evidence_download, name="evidence"),
    path("sign-off/", views.response_sign_off, name="sign_off"),
    path("send-back/", views.response_send_back, name="send_back"),
    path("ask-sign-off/", views.response_sign_off_ask, name="sign_off_ask"),
    path("complete/", views.response_complete, name="complete"),
    path("reopen/", views.response_reopen, name="reopen"),
    path("closed-in-cas/", views.response_cas_closed, name="cas_closed"),
    path("incidents/", views.incident_link, name="incident_link"),
    path("incidents/<int:link_pk>/remove/", views.incident_unlink, name="incident_unlink"),
]

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("national/", views.alert_list, name="list"),
    path("new/", views.alert_create, name="create"),
    path("import/", views.alert_import, name="import"),
    path("past-deadline/", views.overdue, name="overdue"),
    path("past-deadline/export.<str:fmt>", views.overdue_export, name="overdue_export"),
    path("<int:alert_id>/", include(alert)),
    path("<int:alert_id>/<ods:ods_code>/", include(response)),
]
