from .attachments import attachment_create, attachment_download
from .coding import medicine_code
from .dashboard import dashboard
from .denominators import denominator_import, denominator_list
from .feedback import feedback_create, feedback_list
from .funnel import statistics_funnel
from .high_risk import high_risk_list, high_risk_remove, hospital_number_remove, hospital_numbers
from .history import incident_history
from .incidents import incident_detail, incident_export, incident_list
from .lfpse import incident_lfpse, incident_lfpse_send, lfpse_settings
from .process import process_change_create, process_change_remove
from .report import draft_discard, my_reports, receipt, report, report_send
from .review import (
    action_change,
    action_create,
    comment_create,
    incident_close,
    incident_duplicate,
    incident_edit,
    incident_learning,
    incident_move,
    review_start,
)
from .shared import incident_share, shared_detail, shared_list
from .statistics import learning_summary, learning_summary_pdf, statistics, trends_view

__all__ = [
    "attachment_create",
    "attachment_download",
    "action_change",
    "action_create",
    "comment_create",
    "dashboard",
    "denominator_import",
    "denominator_list",
    "statistics_funnel",
    "medicine_code",
    "feedback_create",
    "feedback_list",
    "draft_discard",
    "high_risk_list",
    "high_risk_remove",
    "hospital_number_remove",
    "hospital_numbers",
    "incident_close",
    "incident_detail",
    "incident_duplicate",
    "incident_edit",
    "incident_export",
    "incident_history",
    "incident_learning",
    "incident_lfpse",
    "incident_lfpse_send",
    "lfpse_settings",
    "incident_list",
    "incident_move",
    "my_reports",
    "receipt",
    "report",
    "report_send",
    "review_start",
    "incident_share",
    "shared_detail",
    "shared_list",
    "statistics",
    "trends_view",
    "learning_summary",
    "learning_summary_pdf",
    "process_change_create",
    "process_change_remove",
]
