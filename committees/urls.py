from django.urls import path

import organisations.urls  # noqa: F401 (registers the "ods" path converter)

from . import views

app_name = "committees"

committee = "<ods:ods_code>/<int:pk>/"
meeting = f"{committee}meetings/<int:meeting_pk>/"
report = f"{committee}reports/<int:report_pk>/"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<ods:ods_code>/", views.committee_list, name="list"),
    path("<ods:ods_code>/new/", views.committee_create, name="create"),
    path(committee, views.committee_detail, name="detail"),
    path(f"{committee}change/", views.committee_update, name="update"),
    path(f"{committee}terms/new/", views.terms_create, name="terms_create"),
    path(f"{committee}members/new/", views.member_create, name="member_create"),
    path(f"{committee}members/<int:member_pk>/end/", views.member_end, name="member_end"),
    path(f"{committee}meetings/new/", views.meeting_create, name="meeting_create"),
    path(meeting, views.meeting_detail, name="meeting"),
    path(f"{meeting}change/", views.meeting_update, name="meeting_update"),
    path(f"{meeting}agenda/", views.agenda_update, name="agenda"),
    path(f"{meeting}attendance/", views.attendance_update, name="attendance"),
    path(f"{meeting}minutes/", views.minutes_update, name="minutes"),
    path(f"{meeting}actions/new/", views.action_create, name="action_create"),
    path(f"{meeting}actions/<int:action_pk>/", views.action_update, name="action"),
    path(f"{meeting}calendar.ics", views.meeting_calendar, name="calendar"),
    path(f"{committee}reports/new/", views.report_create, name="report_create"),
    path(report, views.report_detail, name="report"),
    path(f"{report}narrative/<slug:section>/", views.narrative_update, name="narrative"),
    path(f"{report}approve/", views.report_approve, name="report_approve"),
    path(f"{report}submit/", views.report_submit, name="report_submit"),
    path(f"{report}report.pdf", views.report_pdf, name="report_pdf"),
]
