from django.contrib import admin

from mso_portal.admin_site import ReadOnlyInline, ServiceAdmin

from . import services
from .models import Network, NetworkMembership


class NetworkMembershipInline(ReadOnlyInline):
    model = NetworkMembership
    fields = ["user", "role", "joined_on"]
    readonly_fields = fields


@admin.register(Network)
class NetworkAdmin(ServiceAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name"]
    inlines = [NetworkMembershipInline]

    def service_save(self, request, obj):
        services.network_save(by=request.user, network=obj)


@admin.register(NetworkMembership)
class NetworkMembershipAdmin(ServiceAdmin):
    list_display = ["user", "network", "role", "joined_on"]
    list_filter = ["role", "network"]
    search_fields = ["user__email", "user__full_name", "network__name"]
    autocomplete_fields = ["user", "network"]

    def service_save(self, request, obj):
        services.network_membership_save(by=request.user, membership=obj)

    def service_delete(self, request, obj):
        services.network_membership_delete(by=request.user, membership=obj)
