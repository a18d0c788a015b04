"""Writes for people: their accounts and their second factors. Atomic and audited."""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import audit_as


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


def sign_in_state(request, user) -> dict:
    """What a site administrator sees of whether a person can sign in and set up their second
    step: their second factors, address records (any not of their own address, or unverified)
    and whether their sign-in is being refused for too many failed attempts."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    addresses = list(EmailAddress.objects.filter(user=user).values("email", "verified"))
    return {
        "factors": sorted(
            Authenticator.Type(kind).label
            for kind in Authenticator.objects.filter(user=user)
            .exclude(type=Authenticator.Type.RECOVERY_CODES)
            .values_list("type", flat=True)
        ),
        "stray_addresses": [
            a["email"]
            for a in addresses
            if a["email"].lower() != user.email.lower() or not a["verified"]
        ],
        "throttled": any(
            not _sign_in_allowed(request, key) for key in _sign_in_keys(request, user)
        ),
    }


def _sign_in_keys(request, user) -> list[str]:
    """The keys allauth counts a person's failed sign-ins under: the password step (by address)
    and the second step (by account)."""
    from allauth.account.adapter import get_adapter

    return [
        get_adapter(request)._get_login_attempts_cache_key(request, email=user.email),
        f"mfa-auth-user-{user.pk}",
    ]


def _sign_in_allowed(request, key) -> bool:
    from allauth.core.internal import ratelimit

    usage = ratelimit.consume(
        request,
        app="allauth.account",
        action="login_failed",
        key=key,
        dry_run=True,
        limit_get=True,
        config={"login_failed": _per_key_rates()},
    )
    return usage is not None


def _per_key_rates() -> str:
    from django.conf import settings

    rates = settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    return ",".join(rate for rate in rates if rate.endswith("/key"))


def sign_in_unstick(*, by, user, request) -> None:
    """Clear what stops a person signing in or setting up their second step (a site
    administrator, after checking who is asking): the count of failed sign-ins that has them
    refused, and address records that are not their own verified address (left by password
    resets before accounts/tokens.py wrote nothing). Their second factors stay: a lost one is
    removed on its own (authenticator_remove)."""
    from allauth.account.models import EmailAddress
    from allauth.core.internal import ratelimit

    with transaction.atomic(), audit_as(by):
        for address in EmailAddress.objects.filter(user=user):
            if address.email.lower() != user.email.lower():
                address.delete()
            elif not (address.verified and address.primary):
                address.verified = address.primary = True
                address.save(update_fields=["verified", "primary"])
    for key in _sign_in_keys(request, user):
        ratelimit.clear(
            request,
            app="allauth.account",
            action="login_failed",
            key=key,
            config={"login_failed": _per_key_rates()},
        )


def registration_save(*, by, profession, number, pharmacy_team):
    """Record the person's own profession, their registration with its regulator (the one
    that registers the profession) and where they work."""
    from .models import REGULATOR_OF, Profession, ProfessionalRegistration

    regulator = REGULATOR_OF[Profession(profession)]
    with transaction.atomic(), audit_as(by):
        registration = ProfessionalRegistration.objects.select_for_update().filter(
            user=by
        ).first() or ProfessionalRegistration(user=by)
        registration.profession, registration.regulator = profession, regulator
        registration.number, registration.pharmacy_team = number, pharmacy_team
        registration.full_clean(validate_constraints=False)
        taken = ProfessionalRegistration.objects.filter(
            regulator=regulator, number=registration.number
        ).exclude(user=by)
        if taken.exists():
            raise ValidationError(
                {"number": "This registration number is recorded for someone else: check it"},
                code="number_taken",
            )
        registration.save()
    return registration


def training_add(*, by, title, provider, completed_on):
    """Record a course or development the person has done as an MSO."""
    from .models import Training, User

    with transaction.atomic(), audit_as(by):
        training = Training(user=by, title=title, provider=provider, completed_on=completed_on)
        training.full_clean()
        # One person's records, one change at a time: the same course again (a second press,
        # a reload) is the one recorded.
        User.objects.select_for_update().filter(pk=by.pk).first()
        same = Training.objects.filter(
            user=by, title=training.title, provider=training.provider, completed_on=completed_on
        ).first()
        if same is not None:
            return same
        training.save()
    return training


def training_remove(*, by, training) -> None:
    """Take away one of the person's own training records (recorded by mistake)."""
    if training.user_id != by.pk:
        raise ValidationError("You can only remove your own training", code="not_yours")
    with transaction.atomic(), audit_as(by):
        training.delete()


def syllabus_record(*, by, level, completed_on):
    """Record a level of the national patient safety syllabus the person has completed (or
    correct the date of one recorded already)."""
    from .models import SyllabusTraining

    with transaction.atomic(), audit_as(by):
        record = SyllabusTraining.objects.filter(user=by, level=level).first() or (
            SyllabusTraining(user=by, level=level)
        )
        record.completed_on = completed_on
        record.full_clean()
        record.save()
    return record


def syllabus_remove(*, by, record) -> None:
    """Take away one of the person's own syllabus levels (recorded by mistake)."""
    if record.user_id != by.pk:
        raise ValidationError("You can only remove your own training", code="not_yours")
    with transaction.atomic(), audit_as(by):
        record.delete()
