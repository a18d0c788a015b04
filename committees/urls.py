from django.urls import include, path

import organisations.urls  # noqa: F401 (registers the "ods" path converter)

from .views import committees as views
from .views import reports

app_name = "committees"

meeting = [
    path("", views.meeting_detail, name="meeting"),
    path("change/", views.meeting_update, name="meeting_update"),
    path("agenda/", views.agenda_update, name="agenda"),
    path("attendance/", views.attendance_update, name="attendance"),
    path("minutes/", views.minutes_update, name="minutes"),
    path("actions/new/", views.action_create, name="action_create"),
    path("actions/<int:action_pk>/", views.action_update, name="action"),
    path("calendar.ics", views.meeting_calendar, name="calendar"),
]

report = [
    path("", reports.report_detail, name="report"),
    path("narrative/<slug:section>/", reports.narrative_update, name="narrative"),
    path("figures/", reports.report_refigure, name="report_refigure"),
    path("approve/", reports.report_approve, name="report_approve"),
    path("submit/", reports.report_submit, name="report_submit"),
    path("report.pdf", reports.report_pdf, name="report_pdf"),
    path("pdf/", reports.report_pdf_status, name="report_pdf_status"),
    path("pdf/again/", reports.report_pdf_again, name="report_pdf_again"),
]

# A committee's own pages, below its organisation's ODS code and its number.
committee = [
    path("", views.committee_detail, name="detail"),
    path("change/", views.committee_update, name="update"),
    path("terms/new/", views.terms_create, name="terms_create"),
    path("members/new/", views.member_create, name="member_create"),
    path("members/<int:member_pk>/end/", views.member_end, name="member_end"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:meeting_pk>/", include(meeting)),
    path("reports/new/", reports.report_create, name="report_create"),
    path("reports/<int:report_pk>/", include(report)),
]

compared = [
    path("", reports.compare, name="compare"),
    path("<int:report_pk>/", reports.compared_report, name="compared_report"),
    path("<int:report_pk>/report.pdf", reports.compared_pdf, name="compared_pdf"),
]

urlpatterns = [
    path("", views.mine, name="mine"),
    path("reports/", include(compared)),
    path("<ods:ods_code>/", views.committee_list, name="list"),
    path("<ods:ods_code>/new/", views.committee_create, name="create"),
    path("<ods:ods_code>/<int:pk>/", include(committee)),
]
