import time
from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings

from core.middleware import STARTED as SESSION_STARTED

REAUTHENTICATION_TIMEOUT = account_settings.REAUTHENTICATION_TIMEOUT


class AccountAdapter(DefaultAccountAdapter):
    """No public sign-up: people join MSO Portal by invitation to an organisation. Emailed links
    are built from SITE_URL, never from the request's Host header."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "The email address or password is not right. "
        "Check them and try again",
        "too_many_login_attempts": "You have tried to sign in too many times. "
        "Wait a few minutes, then try again",
    }

    def is_open_for_signup(self, request):
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Sensitive account changes (an authenticator app, recovery codes) ask for the password
        or a code again, unless the person signed in within the last few minutes."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        signed_in_at = self.request.session.get(SESSION_STARTED) if self.request else None
        return not (signed_in_at and time.time() - signed_in_at < REAUTHENTICATION_TIMEOUT)

    def send_mail(self, template_prefix, email, context):
        """The service's own name and address, whatever Host the request came with; and no
        request needed, so a worker sends it too (accounts/tasks.py)."""
        site = SimpleNamespace(name="MSO Portal", domain=settings.SITE_URL.split("://")[-1])
        context = {"email": email, "current_site": site, **context}
        self.render_mail(template_prefix, email, context).send()

    def get_reset_password_from_key_url(self, key: str) -> str:
        from urllib.parse import quote

        from django.urls import reverse

        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return settings.SITE_URL + path.replace("UID-KEY", quote(key))


class MFAAdapter(DefaultMFAAdapter):
    """Second factors, worded for NHS.UK pages. Someone whose roles need a second factor cannot
    remove their last one (they may set up a new one instead)."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "The code is not right. Enter the 6 numbers your app shows now",
        "cannot_delete_authenticator": "Your roles need an authenticator app, so you cannot "
        "turn it off. Ask a site administrator if you have lost your phone",
    }

    def can_delete_authenticator(self, authenticator) -> bool:
        """Someone who needs a second factor keeps at least one (an app or a security key)."""
        from allauth.mfa.models import Authenticator

        from .mfa import required_for

        others = (
            Authenticator.objects.filter(user=authenticator.user)
            .exclude(pk=authenticator.pk)
            .exclude(type=Authenticator.Type.RECOVERY_CODES)
        )
        return not required_for(authenticator.user) or others.exists()

    def get_totp_label(self, user) -> str:
        return user.email

    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        """Security keys are bound to the service's own address (SITE_URL), not to whatever
        Host a request came with."""
        return {"id": urlsplit(settings.SITE_URL).hostname, "name": "MSO Portal"}
