"""Making and revoking API tokens: the only writers of ApiToken, audited (core.audit). The
call log (ApiCall) is written by the API's views, one row per call (api/views/base.py)."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_as
from notifications.registry import Reminder
from notifications.services import notify

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
    working = ApiToken.objects.usable().filter(user=by)
    if working.count() >= MOST:
        errors["name"] = f"You have {MOST} tokens that work. Revoke one first"
    elif name and working.filter(name=name).exists():
        # Also what makes a second press of the button harmless: it makes no second token.
        errors["name"] = f"You have a token named {name} that works. Choose another name"
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
    # The person is told at once, so a token they did not make is noticed.
    notify(
        [
            Reminder(
                subject=f"api-token:{token.pk}",
                kind="made",
                due_on=today,
                recipient_id=by.pk,
                title=f"An API token was made for your account: {token.name}",
                body=(
                    f"The API token {token.name} was made on your account and works until "
                    f"{expires_on:%-d %B %Y}. If you did not make it, revoke it and change your "
                    "password."
                ),
                url=reverse("api_tokens"),
            )
        ]
    )
    return token, secret


@transaction.atomic
def tokens_revoke_all(*, user) -> int:
    """Stop every token of ``user`` that still works: when their password is changed or reset,
    or their last second factor removed, what was made with the old ones stops with them."""
    with audit_as(user):
        tokens = list(ApiToken.objects.usable().select_for_update().filter(user=user))
        for token in tokens:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return len(tokens)


@transaction.atomic
def token_revoke(*, by, token: ApiToken) -> ApiToken:
    """Stop a token working at once. Revoking one already revoked changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        with audit_as(by):
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token
