"""A report's send, recognised when it comes again, and an anonymous reporter's reference and
receipt code shown again to whoever sends it again.

Each showing of the send page carries a new random token (``sending``, a hidden field): a
second press, or a reload of the answer, sends the same token again; the service never keeps
it. An anonymous report's sent draft is kept under a hash of the token alone (so nothing kept
names the person, however much of the service's data and secret someone holds: ADR 18), and
its reference and code are kept for ten minutes in the cache under that hash, encrypted
(Fernet) with a key made from the token. So the second press (without JavaScript the browser
shows its answer, not the first's) shows the codes again, and nobody without the token, which
only the reporter's page held, can read them (ADR 35)."""

import base64
import hashlib
import logging
import secrets

from cryptography.fernet import Fernet, InvalidToken
from django.core.cache import cache

logger = logging.getLogger(__name__)

KEPT_SECONDS = 600


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_from(posted: str) -> str:
    """The token a send carried, or a new one for a send that carried none (no repeat of it
    will be recognised)."""
    posted = (posted or "").strip()
    return posted if 20 <= len(posted) <= 64 else new_token()


def _hash(token: str, purpose: str) -> str:
    return hashlib.sha256(f"{purpose}:{token}".encode()).hexdigest()


def sent_key(token: str) -> str:
    """What an anonymous report's sent draft is kept under: a hash of the token alone."""
    return _hash(token, "sent")


def _fernet(token: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"key:{token}".encode()).digest()))


def keep(token: str, *, reference: str, receipt: str) -> None:
    try:
        sealed = _fernet(token).encrypt(f"{reference}\n{receipt}".encode())
        cache.set(f"incidents:sent:{_hash(token, 'codes')}", sealed, KEPT_SECONDS)
    except Exception:  # the codes were shown; only a second press will not see them again
        logger.exception("An anonymous report's codes could not be kept for a second press")


def kept(token: str) -> tuple[str, str] | None:
    """The reference and receipt code given for this send, within ``KEPT_SECONDS``."""
    sealed = cache.get(f"incidents:sent:{_hash(token, 'codes')}")
    if sealed is None:
        return None
    try:
        plain = _fernet(token).decrypt(sealed, ttl=KEPT_SECONDS)
    except InvalidToken:
        return None
    reference, _, receipt = plain.decode().partition("\n")
    return (reference, receipt) if receipt else None
