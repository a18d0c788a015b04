"""Multi-factor authentication (django-allauth's MFA): who must use it, and the middleware that
sends them to set it up.

A second factor is required for every grant that will see incident detail, sign off alerts or
run the service (organisations/permissions.py, MFA_GRANTS), when ``MFA_REQUIRED`` is on. A
person who needs it and whose session has not used one can reach nothing but the pages that
set it up, prove it, sign out, and the public pages: if they have no authenticator yet they set
one up; if they have one they enter a code from it.
"""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from organisations.access import access_for

SESSION_KEY = "mfa_verified"

# Pages a person who still has to use a second factor may open. Not the recovery codes: they
# are a second factor themselves (the session that sets up an app has used one, and sees them).
OPEN_URL_NAMES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_authenticate",
        "mfa_reauthenticate",
        "mfa_reauthenticate_webauthn",
        "account_reauthenticate",
        "account_logout",
    }
)


def required_for(user) -> bool:
    return settings.MFA_REQUIRED and access_for(user).requires_mfa


def session_verified(request) -> bool:
    """Whether this session used a second factor: at sign-in, or when setting one up."""
    if request.session.get(SESSION_KEY):
        return True
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def mark_session_verified(request) -> None:
    request.session[SESSION_KEY] = True


class RequireMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or getattr(view_func, "login_required", True) is False:
            return None
        if request.resolver_match.url_name in OPEN_URL_NAMES or request.path.startswith(
            settings.STATIC_URL
        ):
            return None
        if not required_for(user) or session_verified(request):
            return None
        kinds = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
        prove = None
        if Authenticator.Type.TOTP in kinds:
            prove = "mfa_reauthenticate"
        elif Authenticator.Type.WEBAUTHN in kinds:
            prove = "mfa_reauthenticate_webauthn"
        if prove:
            return redirect(f"{reverse(prove)}?{urlencode({'next': request.path})}")
        messages.info(
            request,
            "Your roles need a second step when you sign in. Set up an authenticator app to "
            "continue.",
        )
        return redirect("mfa_activate_totp")
