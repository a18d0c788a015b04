"""Multi-factor authentication (django-allauth's MFA): who must use it, which pages manage it,
and the middleware that holds both rules (docs/adr/0006-multi-factor-authentication.md).

A second factor is required for every grant that will see incident detail, sign off alerts or
run the service (organisations/permissions.py, second_factor_grants), when ``MFA_REQUIRED`` is on. A
session *has given its second factor* only when allauth recorded one: at sign-in
(``mfa_authenticate``) or when the person proved it again (``mfa_reauthenticate``, with a code
or a security key). Setting up a factor never counts: whoever holds only a password could set
one up.

Each second-factor page is declared in accounts/urls.py as one of two kinds:

- ``OPEN``: the pages that take a factor the account has, and signing out. Open to every
  signed-in session.
- ``MANAGES``: the pages that add, change or remove a factor, show recovery codes, and the
  password re-authentication that unlocks allauth's sensitive steps. Open only to a session that
  has given its second factor; for an account with none yet, only within
  ``MFA_SETUP_SECONDS`` of signing in with a password (a session kept from before is signed out
  and asked to sign in again). The new factor is then confirmed by using it, which is what
  verifies the session.

Every other page: a person who needs a second factor and whose session has not given one
reaches nothing but these pages, signing out and the public pages.
"""

import time
from collections.abc import Callable

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

OPEN = "open"
MANAGES = "manages"
FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def second_factor_page(kind: str):
    """Declare a view as a second-factor page of ``kind`` (OPEN or MANAGES)."""
    if kind not in (OPEN, MANAGES):
        raise ValueError(f"Unknown kind of second-factor page: {kind}")

    def declare(view):
        view.second_factor = kind
        return view

    return declare


# Whether a person's grants need a second factor: functions (user) -> bool, added at start-up
# by the app that holds the rule set (organisations: its second_factor_grants).
GRANTS_NEEDING_IT: list[Callable] = []


def grants_need_it(user) -> bool:
    """Whether what the person may do needs a second factor (MFA_REQUIRED aside)."""
    return any(check(user) for check in GRANTS_NEEDING_IT)


def required_for(user) -> bool:
    return settings.MFA_REQUIRED and grants_need_it(user)


def factors(user) -> set[str]:
    """The kinds of second factor the account has (an app, security keys)."""
    return set(
        Authenticator.objects.filter(user=user, type__in=FACTORS).values_list("type", flat=True)
    )


def session_verified(request) -> bool:
    """Whether this session gave a second factor: allauth records one at sign-in and when it is
    proved again; nothing else does."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def signed_in_freshly(request) -> bool:
    """Whether the session signed in with a password (or by accepting an invitation, which set
    it) within the last ``MFA_SETUP_SECONDS``. A re-authentication does not count."""
    records = get_authentication_records(request, request.user)
    times = [
        record.get("at", 0)
        for record in records
        if record.get("method") == "password" and not record.get("reauthenticated")
    ]
    return bool(times) and time.time() - max(times) < settings.MFA_SETUP_SECONDS


def sign_in_with_new_password(request, user) -> None:
    """Sign in someone who has just chosen their password (accepting an invitation, which
    proved their address): recorded as allauth records a sign-in with a password, so they may
    set up their second factor now."""
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    record_authentication(request, user, "password", email=user.email)


def prove_url(kinds: set[str], next_path: str) -> str:
    """Where the session proves a factor the account has: a code if it has an app, else its
    security key."""
    name = (
        "mfa_reauthenticate" if Authenticator.Type.TOTP in kinds else "mfa_reauthenticate_webauthn"
    )
    return f"{reverse(name)}?{urlencode({'next': next_path})}"


def _sign_in_again(request, next_path: str):
    logout(request)
    messages.info(
        request,
        "To set up your second sign-in step, sign in again first. You then have "
        f"{settings.MFA_SETUP_SECONDS // 60} minutes to set it up.",
    )
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_path})}")


class RequireMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or getattr(view_func, "login_required", True) is False:
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        page = getattr(view_func, "second_factor", None)
        if page == OPEN:
            return None
        if page == MANAGES:
            return self._manage(request)
        if not required_for(user) or session_verified(request):
            return None
        kinds = factors(user)
        if kinds:
            return redirect(prove_url(kinds, request.get_full_path()))
        messages.info(
            request,
            "Your roles need a second step when you sign in. Set up an authenticator app to "
            "continue.",
        )
        return redirect("mfa_activate_totp")

    @staticmethod
    def _manage(request):
        if session_verified(request):
            return None
        kinds = factors(request.user)
        if kinds:
            return redirect(prove_url(kinds, request.get_full_path()))
        if signed_in_freshly(request):
            return None
        return _sign_in_again(request, request.get_full_path())
