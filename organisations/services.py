"""Writes for organisations: invitations, memberships and named posts.

Each service takes the acting user as ``by``, runs in one transaction and is audited
(django-auditlog records who changed what, with before and after values).
"""

import logging

from auditlog.context import set_actor
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User

from .choices import POST_ROLES, Role
from .models import Appointment, Invitation, Membership, Organisation

logger = logging.getLogger(__name__)


class InvitationError(Exception):
    """An invitation that cannot be used: the message says why, for the person holding it."""


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("invitation_accept", kwargs={"token": token})


def _send_invitation_email(invitation: Invitation, token: str) -> None:
    context = {"invitation": invitation, "url": invitation_url(token)}
    send_mail(
        subject=f"You are invited to {invitation.organisation.name} on MSO Portal",
        message=render_to_string("organisations/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


def _lock(organisation: Organisation) -> None:
    """Serialise writes that check a rule across an organisation's rows (one MSO at a time, at
    least one MSO): a row lock on PostgreSQL; SQLite's IMMEDIATE transactions already do."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


def invitation_create(*, by, organisation: Organisation, email: str, role: str):
    """Invite someone by email to a role in an organisation. Returns (invitation, token).

    Any earlier pending invitation for the same person, organisation and role is withdrawn, so
    only the newest link works. The email is sent once the transaction commits.
    """
    email = User.objects.normalize_email(email).strip().lower()
    if Membership.objects.filter(
        organisation=organisation, role=role, user__email__iexact=email
    ).exists():
        raise ValidationError(
            {"email": f"{email} already has this role in {organisation.name}"},
            code="duplicate_membership",
        )
    token, token_hash = Invitation.new_token()
    with transaction.atomic(), set_actor(by):
        now = timezone.now()
        for earlier in Invitation.objects.pending().filter(
            organisation=organisation, role=role, email__iexact=email
        ):
            earlier.revoked_at = now
            earlier.save(update_fields=["revoked_at"])
        invitation = Invitation.objects.create(
            email=email,
            organisation=organisation,
            role=role,
            invited_by=by,
            token_hash=token_hash,
            expires_at=Invitation.default_expiry(),
        )
        # Sent last, inside the transaction: if the email cannot be sent, nothing is saved and
        # the person inviting is told so.
        try:
            _send_invitation_email(invitation, token)
        except Exception as error:
            logger.exception("Invitation email to %s could not be sent", email)
            raise ValidationError(
                "The invitation email could not be sent, so nothing was saved. Try again later.",
                code="email_failed",
            ) from error
    return invitation, token


def invitation_revoke(*, by, invitation: Invitation) -> None:
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError("Only a pending invitation can be withdrawn")
    with transaction.atomic(), set_actor(by):
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def invitation_for_token(token: str) -> Invitation:
    """The usable invitation for an emailed token, or InvitationError saying why not."""
    from .models import hash_token

    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    if invitation is None:
        raise InvitationError("This invitation link is not valid. Check you used the whole link.")
    _check_usable(invitation)
    return invitation


def _check_usable(invitation: Invitation) -> None:
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        raise InvitationError(
            "This invitation has already been used. Sign in with your email address and password."
        )
    if status == Invitation.Status.REVOKED:
        raise InvitationError(
            "This invitation has been withdrawn. Ask the person who invited you for a new one."
        )
    if status == Invitation.Status.EXPIRED:
        raise InvitationError(
            "This invitation has expired. Ask the person who invited you to send a new one."
        )


def invitation_accept(*, token: str, user=None, full_name: str = "", password: str = ""):
    """Use an invitation: for a new person, create their account with the chosen password; for a
    signed-in person whose email matches, add the role. Returns the user.

    The invitation row is locked, so a link used twice at once still works only once.
    """
    invitation = invitation_for_token(token)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        _check_usable(invitation)
        if user is None:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise InvitationError(
                    "You already have an account. Sign in, then open the invitation link again."
                )
            try:
                with transaction.atomic():
                    user = User.objects.create_user(
                        invitation.email, password=password, full_name=full_name.strip()
                    )
            except IntegrityError as error:  # another invitation made the account just now
                raise InvitationError(
                    "You already have an account. Sign in, then open the invitation link again."
                ) from error
        elif user.email.lower() != invitation.email.lower():
            raise InvitationError(
                f"This invitation is for {invitation.email}. Sign out, then open the link again."
            )
        with set_actor(user):
            Membership.objects.get_or_create(
                user=user, organisation=invitation.organisation, role=invitation.role
            )
            invitation.accepted_at = timezone.now()
            invitation.accepted_by = user
            invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


def membership_roles_set(*, by, organisation: Organisation, user, roles) -> None:
    """Give a person exactly these roles in the organisation; no roles removes them from it.

    The organisation keeps at least one MSO: the last one can only go once another is added.
    """
    roles = set(roles)
    with transaction.atomic(), set_actor(by):
        _lock(organisation)  # two MSOs removing each other at once cannot leave none
        current = set(
            Membership.objects.filter(organisation=organisation, user=user).values_list(
                "role", flat=True
            )
        )
        if Role.MSO in current and Role.MSO not in roles:
            other_msos = (
                Membership.objects.filter(organisation=organisation, role=Role.MSO)
                .exclude(user=user)
                .exists()
            )
            if not other_msos:
                raise ValidationError(
                    {
                        "roles": f"{user} is the only MSO of {organisation.name}. "
                        "Give another member the MSO role first."
                    },
                    code="last_mso",
                )
        for membership in Membership.objects.filter(
            organisation=organisation, user=user, role__in=current - roles
        ):
            membership.delete()
        for role in roles - current:
            Membership.objects.create(organisation=organisation, user=user, role=role)


def appointment_save(*, by, appointment: Appointment) -> Appointment:
    """Create or change a named post. Validates the whole appointment, keeps one MSO and one
    board director at a time, and gives a holder with an account the post's role."""
    with transaction.atomic(), set_actor(by):
        _lock(appointment.organisation)  # overlap checks see every committed appointment
        appointment.full_clean()
        try:
            with transaction.atomic():
                appointment.save()
        except IntegrityError as error:
            raise ValidationError(
                "This organisation already has someone in this post with no end date",
                code="single_holder",
            ) from error
        role = POST_ROLES.get(appointment.post)
        if appointment.user_id and role and appointment.is_current():
            Membership.objects.get_or_create(
                user=appointment.user, organisation=appointment.organisation, role=role
            )
    return appointment
