from django.contrib import admin

from core.admin import ServiceAdmin

from .models import ApiCall, ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceAdmin):
    """Read-only: a person makes and revokes their own tokens (api.services)."""

    list_display = ["name", "user", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__email"]
    exclude = ["digest"]


@admin.register(ApiCall)
class ApiCallAdmin(ServiceAdmin):
    """The call log, read-only."""

    list_display = ["at", "method", "path", "status", "user", "address"]
    list_filter = ["method", "status"]
    search_fields = ["path", "user__email"]
    date_hierarchy = "at"
