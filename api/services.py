"""Making and revoking API tokens: the only writers of ApiToken, audited (core.audit). The
call log (ApiCall) is written by the API's views, one row per call (api/views/base.py)."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import audit_as

from .models import ApiToken, digest
from .scopes import offered

# A token lives at most this long (a secret that leaks stops working on its own), and a person
# holds at most so many that still work.
LONGEST = datetime.timedelta(days=90)
MOST = 10


@transaction.atomic
def token_create(*, by, name: str, scopes: list[str], expires_on: datetime.date):
    """A new token for ``by``: returns it and its secret, which is shown once and never kept."""
    errors = {}
    name = name.strip()
    if not name:
        errors["name"] = "Enter a name for the token"
    wanted = set(scopes)
    if not wanted:
        errors["scopes"] = "Select what the token may do"
    elif wanted - set(offered(by)):
        errors["scopes"] = "Select only what your roles let you do"
    today = timezone.localdate()
    if expires_on <= today:
        errors["expires_on"] = "The expiry date must be in the future"
    elif expires_on > today + LONGEST:
        errors["expires_on"] = f"A token can last {LONGEST.days} days at most"
    # Counted under a lock on the person, so two tokens made at once cannot pass the limit.
    get_user_model().objects.select_for_update().filter(pk=by.pk).first()
    if ApiToken.objects.usable().filter(user=by).count() >= MOST:
        errors["name"] = f"You have {MOST} tokens that work. Revoke one first"
    if errors:
        raise ValidationError(errors)
    secret = ApiToken.new_secret()
    with audit_as(by):
        token = ApiToken.objects.create(
            user=by,
            name=name,
            digest=digest(secret),
            hint=secret[:10],
            scopes=sorted(wanted),
            expires_at=timezone.make_aware(
                datetime.datetime.combine(expires_on, datetime.time.max)
            ),
        )
    return token, secret


@transaction.atomic
def token_revoke(*, by, token: ApiToken) -> ApiToken:
    """Stop a token working at once. Revoking one already revoked changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        with audit_as(by):
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token
