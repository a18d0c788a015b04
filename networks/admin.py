from django.contrib import admin

from core.admin import ReadOnlyInline, ServiceAdmin

from . import services
from .models import (
    BuddyOffer,
    BuddyRequest,
    Event,
    GettingStartedTick,
    Network,
    NetworkMembership,
    Resource,
    Tag,
    WebinarOffer,
    WorkplanItem,
)


class NetworkMembershipInline(ReadOnlyInline):
    model = NetworkMembership
    fields = ["user", "role", "joined_on"]
    readonly_fields = fields


@admin.register(Network)
class NetworkAdmin(ServiceAdmin):
    list_display = ["name", "slug", "kind", "community", "region"]
    prepopulated_fields = {"slug": ["name"]}
    list_filter = ["kind", "community", "region"]
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


@admin.register(Event)
class EventAdmin(ServiceAdmin):
    list_display = ["title", "network", "starts_at", "ends_at"]
    list_filter = ["network"]
    search_fields = ["title"]


@admin.register(Resource)
class ResourceAdmin(ServiceAdmin):
    list_display = ["title", "network", "shared_by", "shared_at", "filename", "size"]
    list_filter = ["network"]
    search_fields = ["title", "description"]
    exclude = ["file"]  # downloaded through the library, where who asks is checked

    def service_delete(self, request, obj):
        services.resource_remove(by=request.user, resource=obj)


@admin.register(Tag)
class TagAdmin(ServiceAdmin):
    search_fields = ["name"]


@admin.register(BuddyOffer)
class BuddyOfferAdmin(ServiceAdmin):
    list_display = ["user", "capacity", "region", "active"]
    list_filter = ["active", "region"]


@admin.register(BuddyRequest)
class BuddyRequestAdmin(ServiceAdmin):
    list_display = ["user", "organisation", "status", "created_at", "buddy"]
    list_filter = ["status"]


@admin.register(GettingStartedTick)
class GettingStartedTickAdmin(ServiceAdmin):
    list_display = ["user", "organisation", "item", "ticked_at"]


@admin.register(WorkplanItem)
class WorkplanItemAdmin(ServiceAdmin):
    """Workplans, shown (kept by each network's leads on its pages)."""

    list_display = ["title", "network", "owner", "due_on", "state"]
    list_filter = ["state", "network"]
    search_fields = ["title", "priority"]
    fields = ["network", "priority", "title", "description", "owner", "due_on", "state"]
    readonly_fields = fields


@admin.register(WebinarOffer)
class WebinarOfferAdmin(ServiceAdmin):
    """Offers to present at a webinar, shown (decided by the network's leads on its pages)."""

    list_display = ["topic", "network", "offered_by", "preferred_month", "status", "event"]
    list_filter = ["status", "network"]
    search_fields = ["topic"]
    fields = ["network", "offered_by", "topic", "summary", "preferred_month", "status", "event"]
    readonly_fields = fields
