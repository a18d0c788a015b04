from django.contrib import admin

from core.admin import ServiceAdmin

from .models import Alert


@admin.register(Alert)
class AlertAdmin(ServiceAdmin):
    """National alerts: read only here. They are written, imported and published on the
    alerts pages, where publishing reaches the organisations and tells their MSOs."""

    list_display = ["reference", "title", "alert_type", "issued_on", "published_at"]
    list_filter = ["alert_type", "issuer"]
    search_fields = ["reference", "title"]
    fields = [
        "reference",
        "title",
        "issuer",
        "alert_type",
        "issued_on",
        "summary",
        "link",
        "applicable_kinds",
        "created_by",
        "created_at",
        "published_by",
        "published_at",
    ]
    readonly_fields = fields
