from django.urls import path

import organisations.urls  # noqa: F401 (registers the "ods" path converter)

from .views import committees as views
from .views import reports

app_name = "committees"

committee = "<ods:ods_code>/<int:pk>/"
meeting = f"{committee}meetings/<int:meeting_pk>/"
report = f"{committee}reports/<int:report_pk>/"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("reports/", reports.compare, name="compare"),
    path("reports/<int:report_pk>/", reports.compared_report, name="compared_report"),
    path("reports/<int:report_pk>/report.pdf", reports.compared_pdf, name="compared_pdf"),
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
    path(f"{committee}reports/new/", reports.report_create, name="report_create"),
    path(report, reports.report_detail, name="report"),
    path(f"{report}narrative/<slug:section>/", reports.narrative_update, name="narrative"),
    path(f"{report}figures/", reports.report_refigure, name="report_refigure"),
    path(f"{report}approve/", reports.report_approve, name="report_approve"),
    path(f"{report}submit/", reports.report_submit, name="report_submit"),
    path(f"{report}report.pdf", reports.report_pdf, name="report_pdf"),
    path(f"{report}pdf/", reports.report_pdf_status, name="report_pdf_status"),
    path(f"{report}pdf/again/", reports.report_pdf_again, name="report_pdf_again"),
]
