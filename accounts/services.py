"""Writes for people: their accounts and their second factors. Atomic and audited."""

from django.core.exceptions import ValidationError
from django.db import transaction

from mso_portal.audit import audit_as


def user_save(*, by, user) -> None:
    """Create or change an account (a site administrator, in the admin). Nobody takes away
    their own administrator flag or deactivates themselves, so the service keeps someone who can
    run it."""
    with transaction.atomic(), audit_as(by):
        if user.pk == by.pk and not (user.is_active and user.is_staff):
            raise ValidationError(
                {"is_staff": "You cannot take away your own access. Ask another administrator."},
                code="own_access",
            )
        user.full_clean(exclude=["password"])
        user.save()


def authenticator_remove(*, by, authenticator) -> None:
    """Remove a person's second factor (a lost phone), with the recovery codes that went with
    their app; they set up a new app, and get new codes, at their next sign-in."""
    from allauth.mfa.models import Authenticator

    with transaction.atomic(), audit_as(by):
        authenticator.delete()
        remaining = Authenticator.objects.filter(user=authenticator.user)
        if not remaining.exclude(type=Authenticator.Type.RECOVERY_CODES).exists():
            for codes in remaining.filter(type=Authenticator.Type.RECOVERY_CODES):
                codes.delete()
