"""Admin for organisations. Organisations and their links are written through the services;
members, named posts and invitations are managed on the organisation's own pages (where the
one-MSO, manager and membership rules and their locks apply) and only shown here."""

from django.contrib import admin

from accounts.admin import UserAdmin
from accounts.models import User
from core.admin import ReadOnlyInline, ServiceAdmin

from . import services
from .models import (
    Appointment,
    ChangeRequest,
    Denominator,
    Handover,
    HandoverItem,
    Invitation,
    Membership,
    Organisation,
    OrganisationClosure,
    OrganisationRelationship,
)


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ["user", "role", "created_at"]
    readonly_fields = fields


class AppointmentInline(ReadOnlyInline):
    model = Appointment
    fields = ["post", "user", "name", "start_on", "end_on"]
    readonly_fields = fields


class ChildLinkInline(ReadOnlyInline):
    model = OrganisationRelationship
    fk_name = "parent"
    fields = ["child", "kind", "start_on", "end_on"]
    readonly_fields = fields
    verbose_name = "linked organisation (as parent or successor)"


@admin.register(Organisation)
class OrganisationAdmin(ServiceAdmin):
    list_display = ["name", "ods_code", "kind", "region", "closed_on"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "ods_code"]
    inlines = [AppointmentInline, MembershipInline, ChildLinkInline]

    def service_check(self, obj):
        services.organisation_check(obj)

    def service_save(self, request, obj):
        services.organisation_save(by=request.user, organisation=obj)


@admin.register(OrganisationRelationship)
class OrganisationRelationshipAdmin(ServiceAdmin):
    list_display = ["child", "kind", "parent", "start_on", "end_on"]
    list_filter = ["kind"]
    search_fields = ["parent__name", "parent__ods_code", "child__name", "child__ods_code"]
    autocomplete_fields = ["parent", "child"]

    def service_check(self, obj):
        services.relationship_check(obj)

    def service_save(self, request, obj):
        services.relationship_save(by=request.user, relationship=obj)

    def service_delete(self, request, obj):
        services.relationship_delete(by=request.user, relationship=obj)


@admin.register(Membership)
class MembershipAdmin(ServiceAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__kind"]
    search_fields = [
        "user__email",
        "user__full_name",
        "organisation__name",
        "organisation__ods_code",
    ]


@admin.register(Appointment)
class AppointmentAdmin(ServiceAdmin):
    list_display = ["organisation", "post", "holder_name", "start_on", "end_on"]
    list_filter = ["post", "organisation__region"]
    search_fields = ["organisation__name", "organisation__ods_code", "name", "user__full_name"]


@admin.register(Invitation)
class InvitationAdmin(ServiceAdmin):
    list_display = ["email", "organisation", "roles", "invited_by", "sent_at", "status"]
    search_fields = ["email", "organisation__name"]
    exclude = ["token_hash"]


@admin.register(OrganisationClosure)
class OrganisationClosureAdmin(ServiceAdmin):
    list_display = ["ancestor", "descendant", "area", "depth", "valid_from", "valid_to"]
    list_filter = ["area", "depth"]
    search_fields = ["ancestor__ods_code", "descendant__ods_code"]


class HandoverItemInline(ReadOnlyInline):
    model = HandoverItem
    fields = ["task", "owner", "due_on", "done_on", "done_by"]
    readonly_fields = fields


@admin.register(Handover)
class HandoverAdmin(ServiceAdmin):
    list_display = ["organisation", "appointment", "opened_at", "completed_at", "cancelled_at"]
    search_fields = ["organisation__name", "organisation__ods_code"]
    inlines = [HandoverItemInline]


@admin.register(HandoverItem)
class HandoverItemAdmin(ServiceAdmin):
    list_display = ["handover", "task", "owner", "due_on", "done_on"]
    list_filter = ["task"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ServiceAdmin):
    # A specialist's job title and pay band are the national patient safety team's to see
    # (specialists.confidential), on the request's own page: not here.
    exclude = ["job_title", "pay_band"]
    list_display = ["organisation", "kind", "status", "submitted_by", "submitted_at"]
    list_filter = ["status", "kind", "organisation__region"]
    search_fields = ["organisation__name", "organisation__ods_code", "name", "email"]


@admin.register(Denominator)
class DenominatorAdmin(ServiceAdmin):
    """Read-only: an organisation's safety team records its denominators, and network leads
    import them, on their own pages (organisations/denominators.py), where each is audited."""

    list_display = ["organisation", "month", "value", "source", "recorded_at"]
    list_filter = ["source"]
    search_fields = ["organisation__name", "organisation__ods_code"]


class PersonMembershipInline(ReadOnlyInline):
    model = Membership
    fields = ["organisation", "role", "created_at"]
    readonly_fields = fields


class PersonAdmin(UserAdmin):
    """A person's admin page (accounts/admin.py), with the roles they hold in organisations."""

    inlines = [*UserAdmin.inlines, PersonMembershipInline]


admin.site.unregister(User)
admin.site.register(User, PersonAdmin)
