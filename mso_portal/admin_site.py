"""The administration site: for site administrators (Perm.SERVICE_ADMIN), and nobody else.

- A signed-in person without that permission gets 403 on every admin page (never a redirect to
  a sign-in page that sends them back).
- Every model admin derives from ``ServiceAdmin``: it writes through the app's services (the
  rules, locks and audit that the pages obey), or it is read-only.
"""

import functools

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.core.exceptions import PermissionDenied


class AdminSite(admin.AdminSite):
    site_header = "MSO Portal administration"
    site_title = "MSO Portal admin"
    index_title = "Run the service"

    def has_permission(self, request):
        from organisations.access import access_for
        from organisations.permissions import Perm

        return access_for(request.user).has(Perm.SERVICE_ADMIN)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @functools.wraps(inner)
        def guarded(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return guarded


class AdminConfig(DjangoAdminConfig):
    default_site = "mso_portal.admin_site.AdminSite"
