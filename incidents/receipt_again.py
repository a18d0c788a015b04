"""An anonymous reporter's reference and receipt code, shown again to their own browser when
their report is sent twice.

Without JavaScript a second press of "Send report" makes the browser drop the first answer,
the only page that shows the receipt code (ADR 18), and show the second: "sent already". So
the first answer also leaves the code with the reporter's browser, and nowhere else: a cookie
for the draft's send address only, for ten minutes, encrypted (Fernet) under a key made from
the service's secret, the person and the draft, which the service works out again only when
that person sends that draft again. No row, session or log line holds it; another person
signed in on the same computer cannot read it; it is gone after ten minutes (ADR 35)."""

import base64

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.urls import reverse
from django.utils.crypto import salted_hmac

KEPT_SECONDS = 600
PADDED = 64


def _fernet(user_id: int, draft_pk: int) -> Fernet:
    key = salted_hmac("incidents.receipt_again", f"{user_id}:{draft_pk}", algorithm="sha256")
    return Fernet(base64.urlsafe_b64encode(key.digest()))


def _name(draft_pk: int) -> str:
    return f"receipt-{draft_pk}"


def keep(response, *, user_id: int, draft_pk: int, reference: str, receipt: str):
    # The same length whatever it holds: a named report's answer is not told from an
    # anonymous one's by its cookie (a named report keeps its reference, and no code).
    plain = f"{reference}\n{receipt}".ljust(PADDED)
    token = _fernet(user_id, draft_pk).encrypt(plain.encode())
    response.set_cookie(
        _name(draft_pk),
        token.decode(),
        max_age=KEPT_SECONDS,
        path=reverse("incidents:report_send", args=[draft_pk]),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


def kept(request, draft_pk: int) -> tuple[str, str] | None:
    """The reference and receipt code this browser was given for the person's draft, if it was
    within ``KEPT_SECONDS``."""
    token = request.COOKIES.get(_name(draft_pk))
    if not token or not request.user.is_authenticated:
        return None
    try:
        plain = _fernet(request.user.pk, draft_pk).decrypt(token.encode(), ttl=KEPT_SECONDS)
    except InvalidToken:
        return None
    reference, _, receipt = plain.decode().rstrip().partition("\n")
    return (reference, receipt) if receipt else None
