from django.contrib import admin

from .models import Appointment, Invitation, Membership, Organisation, OrganisationRelationship


class MembershipInline(admin.TabularInline):
    model = Membership
    autocomplete_fields = ["user"]
    extra = 0


class AppointmentInline(admin.TabularInline):
    model = Appointment
    autocomplete_fields = ["user"]
    extra = 0


class ChildLinkInline(admin.TabularInline):
    model = OrganisationRelationship
    fk_name = "parent"
    autocomplete_fields = ["child"]
    extra = 0
    verbose_name = "linked organisation (as parent or successor)"


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "ods_code", "kind", "region", "closed_on"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "ods_code"]
    inlines = [AppointmentInline, MembershipInline, ChildLinkInline]


@admin.register(OrganisationRelationship)
class OrganisationRelationshipAdmin(admin.ModelAdmin):
    list_display = ["child", "kind", "parent", "start_on", "end_on"]
    list_filter = ["kind"]
    search_fields = ["parent__name", "parent__ods_code", "child__name", "child__ods_code"]
    autocomplete_fields = ["parent", "child"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__kind"]
    search_fields = [
        "user__email",
        "user__full_name",
        "organisation__name",
        "organisation__ods_code",
    ]
    autocomplete_fields = ["user", "organisation"]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["organisation", "post", "holder_name", "start_on", "end_on"]
    list_filter = ["post", "organisation__region"]
    search_fields = ["organisation__name", "organisation__ods_code", "name", "user__full_name"]
    autocomplete_fields = ["organisation", "user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "invited_by", "created_at", "status"]
    list_filter = ["role"]
    search_fields = ["email", "organisation__name"]
    readonly_fields = ["token_hash", "created_at", "accepted_at", "accepted_by"]
    autocomplete_fields = ["organisation", "invited_by"]

    def has_add_permission(self, request):
        # An invitation needs its emailed token: send one from the organisation's members page.
        return False
