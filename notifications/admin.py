from django.contrib import admin

from mso_portal.admin_site import ServiceAdmin

from .models import Notification, Preference


@admin.register(Notification)
class NotificationAdmin(ServiceAdmin):
    """The reminder ledger: read only (the engine writes it)."""

    list_display = ["title", "recipient", "kind", "due_on", "state", "sent_at", "read_at"]
    list_filter = ["state", "kind"]
    search_fields = ["title", "recipient__email", "subject"]


@admin.register(Preference)
class PreferenceAdmin(ServiceAdmin):
    list_display = ["user", "delivery"]
