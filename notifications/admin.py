from django.contrib import admin

from core.admin import ServiceAdmin

from .models import Notification, Preference


@admin.register(Notification)
class NotificationAdmin(ServiceAdmin):
    """The reminder ledger: read only (the engine writes it)."""

    list_display = ["title", "recipient", "kind", "due_on", "state", "sent_at", "read_at"]
    list_filter = ["state", "kind"]
    search_fields = ["title", "recipient__email", "subject"]
    # What a reminder says can quote a clinical record (an incident's action): the ledger's
    # administrators see who was told what kind of thing, and when, not the text.
    fields = [
        "recipient",
        "subject",
        "topic",
        "kind",
        "due_on",
        "title",
        "url",
        "state",
        "attempts",
        "created_at",
        "sent_at",
        "read_at",
        "last_error",
    ]
    readonly_fields = fields


@admin.register(Preference)
class PreferenceAdmin(ServiceAdmin):
    list_display = ["user", "delivery"]
