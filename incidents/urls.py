from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("export.<str:fmt>", views.incident_export, name="export"),
    path("report/", views.report, name="report"),
    path("report/<int:pk>/", views.report, name="report_draft"),
    path("report/<int:pk>/send/", views.report_send, name="report_send"),
    path("drafts/<int:pk>/delete/", views.draft_discard, name="draft_discard"),
    path("mine/", views.my_reports, name="mine"),
    path("receipt/", views.receipt, name="receipt"),
    path("dashboard/<str:ods_code>/", views.dashboard, name="dashboard"),
    path("<str:reference>/", views.incident_detail, name="detail"),
    path("<str:reference>/sent/", views.report_sent, name="sent"),
    path("<str:reference>/review/", views.review_start, name="review_start"),
    path("<str:reference>/move/", views.incident_move, name="move"),
    path("<str:reference>/edit/", views.incident_edit, name="edit"),
    path("<str:reference>/learning/", views.incident_learning, name="learning"),
    path("<str:reference>/close/", views.incident_close, name="close"),
    path("<str:reference>/duplicate/", views.incident_duplicate, name="duplicate"),
    path("<str:reference>/actions/new/", views.action_create, name="action_create"),
    path("<str:reference>/actions/<int:pk>/", views.action_change, name="action_change"),
    path("<str:reference>/comments/", views.comment_create, name="comment_create"),
    path("<str:reference>/lfpse.json", views.incident_lfpse, name="lfpse"),
    path("<str:reference>/lfpse/", views.incident_lfpse_record, name="lfpse_record"),
]
