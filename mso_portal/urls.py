from django.apps import apps
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from . import actions, health, home, pages

# Each app's pages, at the addresses its AppConfig names (``routes``): a new app adds its own.
features = [
    path(prefix, include(urlconf))
    for config in apps.get_app_configs()
    for prefix, urlconf in getattr(config, "routes", {}).items()
]

urlpatterns = [
    path("", home.home, name="home"),
    path("actions/", actions.actions, name="actions"),
    *features,
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accessibility/", pages.accessibility, name="accessibility"),
    path("privacy/", pages.privacy, name="privacy"),
    path("contact/", pages.contact, name="contact"),
    # Administrators sign in through the same throttled sign-in page as everyone else.
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="account_login", query_string=True)),
    ),
    path("admin/", admin.site.urls),
]

handler403 = "core.http.permission_denied"
