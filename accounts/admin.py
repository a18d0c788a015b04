from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from core.admin import ServiceAdmin

from . import services
from .models import ProfessionalRegistration, SyllabusTraining, Training, User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "job_title", "is_active", "is_staff"]


@admin.register(User)
class UserAdmin(ServiceAdmin, BaseUserAdmin):
    """People: names, whether they can sign in, and who runs the service. Roles and named
    posts are given on the organisations' pages; passwords are reset by email only."""

    add_form = UserCreationForm
    form = UserEditForm
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email"]}),
        ("Person", {"fields": ["full_name", "job_title"]}),
        ("Access", {"fields": ["is_active", "is_staff"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]
    filter_horizontal = []

    def service_save(self, request, obj):
        services.user_save(by=request.user, user=obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The person's page, with whether anything stops them signing in or setting up their
        second step, and a button that clears it."""
        user = self.get_object(request, object_id)
        if user is not None:
            extra_context = {
                **(extra_context or {}),
                "sign_in": services.sign_in_state(request, user),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        clear = path(
            "<int:pk>/sign-in/clear/",
            self.admin_site.admin_view(self.clear_sign_in),
            name="accounts_user_clear_sign_in",
        )
        return [clear, *super().get_urls()]

    @method_decorator(require_POST)
    def clear_sign_in(self, request, pk):
        user = get_object_or_404(User, pk=pk)
        services.sign_in_unstick(by=request.user, user=user, request=request)
        messages.success(request, f"{user.email} can sign in and set up a second step again.")
        return redirect("admin:accounts_user_change", user.pk)

    def user_change_password(self, request, id, form_url=""):
        raise PermissionDenied  # people reset their own password by email


admin.site.unregister(Group)  # permissions come from roles and named posts, not groups
admin.site.unregister(EmailAddress)  # a person's one email address is on their account
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(ServiceAdmin):
    """Second factors: shown, and removed when someone has lost theirs."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__email", "user__full_name"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def service_delete(self, request, obj):
        services.authenticator_remove(by=request.user, authenticator=obj)


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditLogAdmin(ServiceAdmin, LogEntryAdmin):
    """The audit trail: read only, and without the history of clinical records (incidents,
    their medicines, actions, comments and files), which their reviewers read on the records'
    own pages: site administrators see none of the clinical content."""

    search_fields = ["object_repr", "actor__email", "actor__full_name"]

    def get_queryset(self, request):
        from core.audit import clinical_content_types

        return super().get_queryset(request).exclude(content_type__in=clinical_content_types())


@admin.register(ProfessionalRegistration)
class ProfessionalRegistrationAdmin(ServiceAdmin):
    """People's professions and regulators, shown (each person records their own). The
    registration number is the network leads' to see, and not shown here."""

    list_display = ["user", "profession", "regulator", "pharmacy_team", "updated_at"]
    list_filter = ["profession", "regulator", "pharmacy_team"]
    search_fields = ["user__email", "user__full_name"]
    fields = ["user", "profession", "regulator", "pharmacy_team", "updated_at"]
    readonly_fields = fields


@admin.register(Training)
class TrainingAdmin(ServiceAdmin):
    """People's MSO training, shown (each person records their own)."""

    list_display = ["user", "title", "provider", "completed_on"]
    search_fields = ["user__email", "user__full_name", "title"]
    fields = ["user", "title", "provider", "completed_on", "recorded_at"]
    readonly_fields = fields


@admin.register(SyllabusTraining)
class SyllabusTrainingAdmin(ServiceAdmin):
    """The levels of the national patient safety syllabus people have completed, shown (each
    person records their own)."""

    list_display = ["user", "level", "completed_on"]
    list_filter = ["level"]
    search_fields = ["user__email", "user__full_name"]
    fields = ["user", "level", "completed_on", "recorded_at"]
    readonly_fields = fields
