"""The base of every model admin: ``ServiceAdmin`` writes through the app's services (the rules,
locks and audit that the pages obey), or is read-only; ``ReadOnlyInline`` shows rows changed
only on their own pages. Whether someone may open the admin at all is the admin site's
(mso_portal/admin_site.py): these ask it."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models


class ServiceAdmin(admin.ModelAdmin):
    """A model admin whose writes go through services, or that is read-only.

    A subclass that writes overrides ``service_save`` (and ``service_delete`` to allow deleting),
    and may override ``service_check``: it runs while the form is validated, so a rule the
    service enforces is shown on the form, with nothing the administrator typed lost.
    """

    # A web address typed without its scheme is taken as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def service_check(self, obj) -> None:
        """Raise ValidationError for what the service would refuse."""

    def service_save(self, request, obj) -> None:
        raise NotImplementedError

    def service_delete(self, request, obj) -> None:
        raise NotImplementedError

    def _writes(self, name) -> bool:
        return getattr(type(self), name) is not getattr(ServiceAdmin, name)

    def _allowed(self, request) -> bool:
        return self.admin_site.has_permission(request)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return self._writes("service_save") and self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._writes("service_save") and self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._writes("service_delete") and self._allowed(request)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        check = self.service_check

        class CheckedForm(form):
            def _post_clean(self):
                super()._post_clean()
                if not self.errors:
                    try:
                        check(self.instance)
                    except ValidationError as error:
                        self._update_errors(error)

        CheckedForm.__name__ = form.__name__
        return CheckedForm

    def save_model(self, request, obj, form, change):
        self.service_save(request, obj)

    def delete_model(self, request, obj):
        self.service_delete(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.service_delete(request, obj)


class ReadOnlyInline(admin.TabularInline):
    """Rows shown on a parent's admin page, changed only on their own pages."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)
