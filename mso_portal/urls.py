from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from organisations import views as organisation_views

from . import health, home, pages

urlpatterns = [
    path("", home.home, name="home"),
    path("organisations/", include("organisations.urls")),
    path("register/", include("organisations.register_urls")),
    path("networks/", include("networks.urls")),
    path("incidents/", include("incidents.urls")),
    path("alerts/", include("alerts.urls")),
    path("committees/", include("committees.urls")),
    path("improvement/", include("improvement.urls")),
    path("invitations/accept/", organisation_views.invitation_accept, name="invitation_accept"),
    path("invitations/<str:token>/", organisation_views.invitation_open, name="invitation_open"),
    path("accounts/", include("accounts.urls")),
    path("notifications/", include("notifications.urls")),
    path("healthz", health.healthz, name="healthz"),
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
