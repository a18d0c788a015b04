from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("switch/", views.organisation_switch, name="switch"),
    path("<str:ods_code>/", views.organisation_detail, name="detail"),
    path("<str:ods_code>/members/", views.member_list, name="members"),
    path("<str:ods_code>/members/<int:user_id>/roles/", views.member_roles, name="member_roles"),
    path("<str:ods_code>/invitations/new/", views.invitation_create, name="invitation_create"),
    path(
        "<str:ods_code>/invitations/<int:pk>/withdraw/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("<str:ods_code>/posts/new/", views.appointment_create, name="appointment_create"),
    path("<str:ods_code>/posts/<int:pk>/", views.appointment_update, name="appointment_update"),
]
