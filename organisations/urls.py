from django.urls import path, register_converter

from . import views


class ODSCodeConverter:
    """An ODS code in a path: 3 to 6 letters and digits, any case (stored upper case).
    Anything else is not a match, so it never reaches the database."""

    regex = "[A-Za-z0-9]{3,6}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value


register_converter(ODSCodeConverter, "ods")

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("switch/", views.organisation_switch, name="switch"),
    path("<ods:ods_code>/", views.organisation_detail, name="detail"),
    path("<ods:ods_code>/members/", views.member_list, name="members"),
    path("<ods:ods_code>/members/<int:user_id>/roles/", views.member_roles, name="member_roles"),
    path("<ods:ods_code>/members/<int:user_id>/remove/", views.member_remove, name="member_remove"),
    path("<ods:ods_code>/invitations/new/", views.invitation_create, name="invitation_create"),
    path(
        "<ods:ods_code>/invitations/<int:pk>/send/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "<ods:ods_code>/invitations/<int:pk>/withdraw/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("<ods:ods_code>/handovers/<int:pk>/", views.handover_detail, name="handover"),
    path("<ods:ods_code>/handovers/items/<int:pk>/", views.handover_item, name="handover_item"),
    path(
        "<ods:ods_code>/handovers/items/<int:pk>/done/",
        views.handover_item_done,
        name="handover_item_done",
    ),
    path("<ods:ods_code>/posts/new/", views.appointment_create, name="appointment_create"),
    path("<ods:ods_code>/posts/<int:pk>/", views.appointment_update, name="appointment_update"),
]
