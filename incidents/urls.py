from django.urls import include, path, register_converter

import organisations.urls  # noqa: F401 (registers the "ods" path converter)

from . import views


class ReferenceConverter:
    """An incident's reference in a path (ODS code, year, number: RX1-2026-000123, or for an
    anonymous report RX1-2026-A00012), any case. Anything else is not a match, so it never
    reaches the database."""

    regex = "[A-Za-z0-9]{3,6}-[0-9]{4}-(?:[0-9]{6}|[Aa][0-9]{5})"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value


class RowConverter:
    """A row's id, which for the rows of an anonymous report is out of the sequence and may be
    negative (models.unordered_id)."""

    regex = "-?[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(ReferenceConverter, "reference")
register_converter(RowConverter, "row")

app_name = "incidents"

# An incident's own pages, below its reference.
incident = [
    path("", views.incident_detail, name="detail"),
    path("review/", views.review_start, name="review_start"),
    path("move/", views.incident_move, name="move"),
    path("edit/", views.incident_edit, name="edit"),
    path("medicines/<row:pk>/code/", views.medicine_code, name="medicine_code"),
    path("changes/", views.incident_history, name="history"),
    path("learning/", views.incident_learning, name="learning"),
    path("close/", views.incident_close, name="close"),
    path("duplicate/", views.incident_duplicate, name="duplicate"),
    path("actions/new/", views.action_create, name="action_create"),
    path("actions/<int:pk>/", views.action_change, name="action_change"),
    path("comments/", views.comment_create, name="comment_create"),
    path("attachments/", views.attachment_create, name="attachment_create"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("shared/", views.shared_detail, name="shared"),
    path("share/", views.incident_share, name="share"),
    path("lfpse.json", views.incident_lfpse, name="lfpse"),
    path("lfpse/send/", views.incident_lfpse_send, name="lfpse_send"),
]

reporting = [
    path("", views.report, name="report"),
    path("<int:pk>/", views.report, name="report_draft"),
    path("<int:pk>/send/", views.report_send, name="report_send"),
]

feedback = [
    path("", views.feedback_list, name="feedback"),
    path("new/", views.feedback_create, name="feedback_create"),
]

high_risk = [
    path("", views.high_risk_list, name="high_risk"),
    path("<int:pk>/remove/", views.high_risk_remove, name="high_risk_remove"),
]

hospital_numbers = [
    path("", views.hospital_numbers, name="hospital_numbers"),
    path("<int:pk>/remove/", views.hospital_number_remove, name="hospital_number_remove"),
]

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("export.<str:fmt>", views.incident_export, name="export"),
    path("report/", include(reporting)),
    path("drafts/<int:pk>/delete/", views.draft_discard, name="draft_discard"),
    path("mine/", views.my_reports, name="mine"),
    path("receipt/", views.receipt, name="receipt"),
    path("dashboard/<ods:ods_code>/", views.dashboard, name="dashboard"),
    path(
        "dashboard/<ods:ods_code>/changes/",
        views.process_change_create,
        name="process_change_create",
    ),
    path(
        "dashboard/<ods:ods_code>/changes/<int:pk>/remove/",
        views.process_change_remove,
        name="process_change_remove",
    ),
    path(
        "dashboard/<ods:ods_code>/denominators/",
        views.denominator_list,
        name="denominators",
    ),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/funnel/", views.statistics_funnel, name="funnel"),
    path("statistics/denominators/", views.denominator_import, name="denominator_import"),
    path("statistics/trends/", views.trends_view, name="trends"),
    path("statistics/learning/", views.learning_summary, name="learning"),
    path("statistics/learning/summary.pdf", views.learning_summary_pdf, name="learning_pdf"),
    path("feedback/<ods:ods_code>/", include(feedback)),
    path("shared/", views.shared_list, name="shared_list"),
    path("high-risk/<ods:ods_code>/", include(high_risk)),
    path("hospital-numbers/<ods:ods_code>/", include(hospital_numbers)),
    path("lfpse/<ods:ods_code>/", views.lfpse_settings, name="lfpse_settings"),
    path("<reference:reference>/", include(incident)),
]
