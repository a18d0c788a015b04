from django.urls import include, path, register_converter

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

members = [
    path("", views.member_list, name="members"),
    path("suggestions/", views.member_suggestions, name="member_suggestions"),
    path("<int:user_id>/roles/", views.member_roles, name="member_roles"),
    path("<int:user_id>/remove/", views.member_remove, name="member_remove"),
]

invitations = [
    path("new/", views.invitation_create, name="invitation_create"),
    path("<int:pk>/send/", views.invitation_resend, name="invitation_resend"),
    path("<int:pk>/withdraw/", views.invitation_revoke, name="invitation_revoke"),
]

handovers = [
    path("<int:pk>/", views.handover_detail, name="handover"),
    path("items/<int:pk>/", views.handover_item, name="handover_item"),
    path("items/<int:pk>/done/", views.handover_item_done, name="handover_item_done"),
]

posts = [
    path("new/", views.appointment_create, name="appointment_create"),
    path("<int:pk>/", views.appointment_update, name="appointment_update"),
    path("<int:pk>/replace/", views.appointment_replace, name="appointment_replace"),
]

# An organisation's own pages, below its ODS code.
organisation = [
    path("", views.organisation_detail, name="detail"),
    path("members/", include(members)),
    path("invitations/", include(invitations)),
    path("handovers/", include(handovers)),
    path("posts/", include(posts)),
]

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("switch/", views.organisation_switch, name="switch"),
    path("<ods:ods_code>/", include(organisation)),
]
