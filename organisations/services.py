"""Writes for organisations: the organisations and their links, members and their roles,
invitations and named posts. The only writers: views, the admin and commands call these.

Each service takes the acting user as ``by``, runs in one transaction and is audited
(django-auditlog records who changed what, from where, with before and after values).
Rules that span an organisation's rows (one MSO at a time, someone left to manage it, no post
held by a non-member) are checked under a lock on the organisation.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.audit import audit_as
from notifications.registry import Reminder
from notifications.services import notify

from . import closure, handovers
from . import reminders as handover_reminders
from .choices import (
    APPROVED_POSTS,
    MANAGING_POSTS,
    PATIENT_SAFETY_TEAM_POSTS,
    SEPARATE_POSTS,
    SINGLE_HOLDER_POSTS,
    Post,
)
from .models import (
    Appointment,
    Handover,
    HandoverItem,
    Invitation,
    Membership,
    Organisation,
    OrganisationRelationship,
    check_held_in,
    hash_token,
)

logger = logging.getLogger(__name__)
ALREADY = "already"  # the code of a refusal to do again what is done (a second press)


class InvitationError(Exception):
    """An invitation that cannot be used: the message says why, for the person holding it."""


def members_of(organisation: Organisation):
    """The active members of the organisation, by name: whom its records can be given to (an
    action's owner, a response's lead, a committee seat)."""
    return (
        User.objects.filter(memberships__organisation=organisation, is_active=True)
        .distinct()
        .order_by("full_name", "email")
    )


def check_member(organisation_id: int, person, field: str) -> None:
    """Refuse ``person`` (when given) for ``field`` unless they are a member of the
    organisation."""
    if (
        person is not None
        and not Membership.objects.filter(organisation_id=organisation_id, user=person).exists()
    ):
        raise ValidationError(
            {field: f"{person.full_name or person.email} is not a member of the organisation"},
            code="not_a_member",
        )


def lock(organisation: Organisation) -> None:
    """Serialise writes that check a rule across an organisation's rows: a row lock on
    PostgreSQL; SQLite's IMMEDIATE transactions already serialise every write."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


# Organisations and their links (site administrators, through the admin) -----------------


def organisation_check(organisation: Organisation) -> None:
    """What organisation_save refuses: an invalid organisation, or a new kind that does not have
    a role or named post its people hold."""
    organisation.full_clean()
    if organisation.pk:
        for role in set(organisation.memberships.values_list("role", flat=True)):
            _as_error_on("kind", check_held_in, organisation, role=role)
        for post in set(organisation.appointments.values_list("post", flat=True)):
            _as_error_on("kind", check_held_in, organisation, post=post)


def organisation_save(*, by, organisation: Organisation) -> Organisation:
    """Create or change an organisation. Closing it (a closing date) is how it ends: a closed
    organisation leaves the switcher and every later fan-out; it is never deleted."""
    with transaction.atomic(), audit_as(by):
        if organisation.pk:
            lock(organisation)
        organisation_check(organisation)
        organisation.save()
    return organisation


def _as_error_on(field, check, *args, **kwargs):
    try:
        check(*args, **kwargs)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


def relationship_check(relationship: OrganisationRelationship) -> None:
    """What relationship_save refuses: an invalid link, or one that would make an organisation
    part of itself at any depth."""
    relationship.full_clean()
    if closure.reaches(relationship.child_id, relationship.parent_id):
        raise ValidationError(
            {
                "parent": f"{relationship.parent.name} is already linked below "
                f"{relationship.child.name}, so this link would go round in a circle"
            },
            code="link_cycle",
        )


def relationship_save(*, by, relationship: OrganisationRelationship):
    """Create or change a dated link. The reach table follows in the same transaction
    (closure.py)."""
    with transaction.atomic(), audit_as(by):
        closure.lock()  # the circle check and the reach table see every committed link
        relationship_check(relationship)
        relationship.save()
    return relationship


def relationship_delete(*, by, relationship: OrganisationRelationship) -> None:
    """Remove a link recorded by mistake (a link that ended is given an end date instead)."""
    with transaction.atomic(), audit_as(by):
        closure.lock()
        relationship.delete()


# Invitations ----------------------------------------------------------------------------


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("invitation_open", kwargs={"token": token})


def invitation_create(*, by, organisation: Organisation, email: str, roles) -> Invitation:
    """Invite someone by email to join an organisation with these roles, then email them.

    Someone who is already a member, or who already has an invitation waiting, is not invited
    again: the error's code (``already_member``, ``already_invited``) lets the page offer the
    right action. Raises ValidationError(code="email_failed") when the invitation was saved but
    its email could not be sent; it can be sent again from the members page.
    """
    email = User.objects.normalize_email(email).strip().lower()
    roles = sorted(set(roles))
    with transaction.atomic(), audit_as(by):
        lock(organisation)
        if organisation.is_closed:
            raise ValidationError(f"{organisation.name} has closed", code="closed")
        for role in roles:
            _as_error_on("roles", check_held_in, organisation, role=role)
        if Membership.objects.filter(organisation=organisation, user__email=email).exists():
            raise ValidationError(
                {
                    "email": ValidationError(
                        f"{email} is already a member of {organisation.name}",
                        code="already_member",
                    )
                }
            )
        if Invitation.objects.pending().filter(organisation=organisation, email=email).exists():
            raise ValidationError(
                {
                    "email": ValidationError(
                        f"{email} has already been invited to {organisation.name}",
                        code="already_invited",
                    )
                }
            )
        invitation = Invitation.objects.create(
            email=email,
            organisation=organisation,
            roles=roles,
            invited_by=by,
            expires_at=Invitation.default_expiry(),
        )
    return invitation_send(by=by, invitation=invitation)


# An invitation asked to be sent again within this long of its last sending is not sent a
# second time: the second press of "Send again" (or a reload) finds the first's email on its
# way. Each sending is marked in the cache (shared by every web server) as it begins, by an
# atomic add, and the mark taken away if its email could not be sent.
RESENT_WITHIN = timedelta(minutes=1)


def invitation_resend(*, by, invitation: Invitation) -> Invitation:
    """Email a waiting invitation again, with a new link: once, however often it is asked for
    within RESENT_WITHIN of its last sending."""
    return invitation_send(by=by, invitation=invitation, again=True)


def _sending(invitation: Invitation) -> str:
    return f"organisations:invitation-sending:{invitation.pk}"


def invitation_send(*, by, invitation: Invitation, again: bool = False) -> Invitation:
    """Email an invitation with a new link (any earlier link stops working) and a new expiry.

    The new token's hash is committed before the email goes, and ``sent_at`` is recorded only
    after it has gone, so nothing is saved as sent that was not. Sending waits at most
    EMAIL_TIMEOUT seconds. Sending ``again`` within RESENT_WITHIN of the last sending that did
    not fail is refused (code ``ALREADY``).
    """
    from django.core.cache import cache

    marked = cache.add(_sending(invitation), True, RESENT_WITHIN.total_seconds())
    if again and not marked:
        raise ValidationError(
            f"The invitation to {invitation.email} was sent a moment ago: it can take a few "
            "minutes to arrive",
            code=ALREADY,
        )
    try:
        return _send(by, invitation)
    except Exception:
        cache.delete(_sending(invitation))  # not sent: it can be asked for again at once
        raise


def _send(by, invitation: Invitation) -> Invitation:
    token, token_hash = Invitation.new_token()
    with transaction.atomic(), audit_as(by):
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != Invitation.Status.PENDING:
            raise ValidationError("Only an invitation waiting for an answer can be sent again")
        invitation.token_hash = token_hash
        invitation.expires_at = Invitation.default_expiry()
        invitation.save(update_fields=["token_hash", "expires_at"])
    context = {"invitation": invitation, "url": invitation_url(token)}
    try:
        send_mail(
            subject=f"You are invited to {invitation.organisation.name} on MSO Portal",
            message=render_to_string("organisations/email/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
    except Exception as error:
        logger.exception("The invitation email to %s could not be sent", invitation.email)
        raise ValidationError(
            f"The invitation to {invitation.email} is saved, but its email could not be sent. "
            "Try sending it again later.",
            code="email_failed",
        ) from error
    with transaction.atomic(), audit_as(by):
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
    return invitation


def invitation_revoke(*, by, invitation: Invitation) -> None:
    """Withdraw an invitation still waiting for an answer (read again under a row lock: it may
    have been accepted a moment ago)."""
    with transaction.atomic(), audit_as(by):
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != Invitation.Status.PENDING:
            raise ValidationError("Only an invitation waiting for an answer can be withdrawn")
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def invitation_for_token(token: str) -> Invitation:
    """The usable invitation for an emailed token, or InvitationError saying why not."""
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
    signed-in person whose email matches, add the roles. Returns the user.

    The invitation row is locked, so a link used twice at once still works only once.
    """
    invitation = invitation_for_token(token)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.token_hash != hash_token(token):  # sent again meanwhile: a new link
            raise InvitationError(
                "This invitation link is not valid. Check you used the whole link."
            )
        _check_usable(invitation)
        if user is None:
            if User.objects.filter(email=invitation.email).exists():
                raise InvitationError(
                    "You already have an account. Sign in, then open the invitation link again."
                )
            try:
                with transaction.atomic():
                    user = User(email=invitation.email, full_name=full_name.strip())
                    user.set_password(password)
                    with audit_as(user):  # the account is the person's own doing
                        user.save()
            except IntegrityError as error:  # another invitation made the account just now
                raise InvitationError(
                    "You already have an account. Sign in, then open the invitation link again."
                ) from error
        elif user.email != invitation.email:
            raise InvitationError(
                f"This invitation is for {invitation.email}. Sign out, then open the link again."
            )
        with audit_as(user):
            for role in invitation.roles:
                Membership.objects.get_or_create(
                    user=user, organisation=invitation.organisation, role=role
                )
            invitation.accepted_at = timezone.now()
            invitation.accepted_by = user
            invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


# Members --------------------------------------------------------------------------------


def membership_roles_set(*, by, organisation: Organisation, user, roles) -> None:
    """Give a member exactly these roles (at least one: removing someone is member_remove).
    Nobody changes their own roles: a role such as committee chair approves the assurance
    report on the MSO's work, so whoever manages members does not give it to themselves."""
    if user.pk == by.pk:
        raise ValidationError(
            {
                "roles": "You cannot change your own roles. Ask your deputy, your MSO or a site "
                "administrator"
            },
            code="own_roles",
        )
    roles = set(roles)
    if not roles:
        raise ValidationError(
            {
                "roles": f"Select at least one role for {user}. To take them out of "
                f"{organisation.name}, remove them instead."
            },
            code="no_roles",
        )
    with transaction.atomic(), audit_as(by):
        lock(organisation)
        for role in roles:
            _as_error_on("roles", check_held_in, organisation, role=role)
        current = set(
            Membership.objects.filter(organisation=organisation, user=user).values_list(
                "role", flat=True
            )
        )
        for membership in Membership.objects.filter(
            organisation=organisation, user=user, role__in=current - roles
        ):
            membership.delete()
        for role in roles - current:
            Membership.objects.create(organisation=organisation, user=user, role=role)


def posts_held(organisation: Organisation, user, on=None):
    """The person's named posts in the organisation that are current or start later."""
    on = on or timezone.localdate()
    return Appointment.objects.filter(organisation=organisation, user=user).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=on)
    )


def member_remove(*, by, organisation: Organisation, user) -> None:
    """Take a person out of an organisation: every role they hold there goes.

    Someone who holds a named post there (now or from a later date) is not removed until the
    post is ended: a post gives its permissions by itself, so removing its holder would not
    take those away.
    """
    with transaction.atomic(), audit_as(by):
        lock(organisation)
        held = list(posts_held(organisation, user))
        if held:
            posts = ", ".join(appointment.get_post_display() for appointment in held)
            raise ValidationError(
                f"{user} holds a named post in {organisation.name} ({posts}). "
                "Give the post an end date first.",
                code="holds_a_post",
            )
        for membership in Membership.objects.filter(organisation=organisation, user=user):
            membership.delete()


# Named posts ----------------------------------------------------------------------------


def _has_manager_today(organisation: Organisation) -> bool:
    return (
        Appointment.objects.filter(organisation=organisation, post__in=MANAGING_POSTS)
        .current()
        .exists()
    )


def _check_one_holder(appointment: Appointment) -> None:
    """One MSO and one board director at a time: no two appointments to such a post overlap.
    Checked under the organisation's lock, where it sees every committed appointment."""
    if appointment.post not in SINGLE_HOLDER_POSTS:
        return
    others = Appointment.objects.filter(
        organisation=appointment.organisation, post=appointment.post
    ).exclude(pk=appointment.pk)
    if appointment.end_on is not None:
        others = others.filter(start_on__lte=appointment.end_on)
    other = (
        others.filter(Q(end_on__isnull=True) | Q(end_on__gte=appointment.start_on))
        .select_related("user")
        .first()
    )
    if other is None:
        return
    post = appointment.get_post_display()
    if other.end_on is None:
        message = (
            f'{other.holder_name} is {post} with no end date. Select "End the current '
            "holder's appointment\", or give their appointment an end date first."
        )
    else:
        message = (
            f"{other.holder_name} is {post} until {other.end_on:%-d %B %Y}. "
            "Choose dates that do not overlap."
        )
    raise ValidationError({"start_on": message}, code="overlapping_appointment")


def _overlapping(appointment: Appointment):
    """The organisation's other appointments whose dates overlap this one's."""
    others = Appointment.objects.filter(organisation=appointment.organisation).exclude(
        pk=appointment.pk
    )
    if appointment.end_on is not None:
        others = others.filter(start_on__lte=appointment.end_on)
    return others.filter(Q(end_on__isnull=True) | Q(end_on__gte=appointment.start_on))


def check_separate_posts(appointment: Appointment, field: str = "user") -> None:
    """One person never holds the MSO and the board director posts of an organisation at once
    (choices.SEPARATE_POSTS): the board director signs off what the MSO leads. The person is
    their account, or the email of someone without one. The database refuses it too, for
    accounts (organisations migration 0009)."""
    if appointment.post not in SEPARATE_POSTS:
        return
    same_person = Q(user_id=appointment.user_id) if appointment.user_id else Q(pk__in=[])
    email = appointment.holder_email if appointment.user_id else appointment.email
    if email:
        same_person |= Q(user__email__iexact=email) | Q(user__isnull=True, email__iexact=email)
    other = (
        _overlapping(appointment)
        .filter(same_person, post__in=SEPARATE_POSTS)
        .exclude(post=appointment.post)
        .first()
    )
    if other is not None:
        raise ValidationError(
            {
                field: f"{other.holder_name} is {other.get_post_display()} of "
                f"{appointment.organisation.name}: the same person cannot also be "
                f"{appointment.get_post_display()}, who gives the board assurance on the other's "
                "work"
            },
            code="separate_posts",
        )


def _save_checked(appointment: Appointment, approved: bool, before: dict | None) -> None:
    """Save one appointment after every check that needs the organisation's lock. ``before``:
    the appointment as committed (``_committed``), None for a new one."""
    organisation = appointment.organisation
    if before and (
        before["user_id"] != appointment.user_id
        or before["name"] != appointment.name
        or before["post"] != appointment.post
    ):
        raise ValidationError(
            "The holder of a recorded post is never changed in place. Give this appointment an "
            "end date and record the new holder, or replace them.",
            code="holder_changed",
        )
    # The one-holder constraint is checked by _check_one_holder with a clearer message (and
    # by the database, as the last word); so is the one on separate posts.
    appointment.full_clean(validate_constraints=False)
    _check_approved(appointment, approved, before)
    _check_one_holder(appointment)
    check_separate_posts(appointment)
    if (
        appointment.user_id
        and not before
        and not Membership.objects.filter(
            organisation=organisation, user_id=appointment.user_id
        ).exists()
    ):
        raise ValidationError(
            {"user": f"{appointment.user} is not a member of {organisation.name}"},
            code="not_a_member",
        )
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as error:
        if "separate_posts" in str(error):
            raise ValidationError(
                {"user": "The same person cannot be both the MSO and the board director"},
                code="separate_posts",
            ) from error
        raise ValidationError(
            {"end_on": "This organisation already has someone in this post with no end date"},
            code="single_holder",
        ) from error


def _keeps_a_manager(organisation: Organisation, had_manager: bool, post: str) -> None:
    if had_manager and not _has_manager_today(organisation):
        raise ValidationError(
            {
                "end_on": f"{organisation.name} would have no MSO or deputy MSO today. "
                f"End the {Post(post).label} post today or later, or record who takes over "
                "first."
            },
            code="no_manager_left",
        )


def _follow_end_date(by, appointment: Appointment, before: dict | None) -> set[int]:
    """An MSO's end date opens a handover (one per appointment), with its checklist spread
    around the last day (organisations/handovers.py); moving the end date moves the items not
    yet done with it; taking it away cancels an open handover, and setting one again reopens
    it. Whoever should know is told (``_handover_follows``): returns whom."""
    if appointment.post != Post.MSO:
        return set()
    handover = Handover.objects.filter(appointment=appointment).first()
    if appointment.end_on is None:
        if handover is not None and handover.is_open:
            handover.cancelled_at = timezone.now()
            handover.save(update_fields=["cancelled_at"])
        return set()
    today = timezone.localdate()
    if handover is None:
        handover = Handover.objects.create(
            organisation=appointment.organisation, appointment=appointment
        )
        HandoverItem.objects.bulk_create(
            handovers.checklist(handover, handovers.people(handover, today), today)
        )
    elif handover.cancelled_at is not None:
        handover.cancelled_at = None
        handover.save(update_fields=["cancelled_at"])
        for item in handover.items.open():  # dated again from the new last day
            item.due_on = handovers.due_on(handovers.STEPS[item.task], appointment.end_on, today)
            item.save(update_fields=["due_on"])
    elif before and before["end_on"] and before["end_on"] != appointment.end_on:
        moved = appointment.end_on - before["end_on"]
        for item in handover.items.open():
            shifted = item.due_on + moved
            # An item not yet due is not made overdue by the move.
            item.due_on = today if shifted < today <= item.due_on else shifted
            item.save(update_fields=["due_on"])
    else:
        return set()
    handover.appointment = appointment
    return _handover_follows(by, handover)


def _follow_successor(by, appointment: Appointment) -> set[int]:
    """A new MSO recorded after an MSO who leaves takes over their handover: the items meant
    for the successor are theirs, and they are told of it."""
    if appointment.post != Post.MSO:
        return set()
    handover = (
        Handover.objects.open()
        .filter(
            organisation_id=appointment.organisation_id,
            appointment__post=Post.MSO,
            appointment__end_on__lt=appointment.start_on,
        )
        .select_related("organisation", "appointment__user")
        .order_by("-appointment__end_on")
        .first()
    )
    if handover is None or handover.successor() != appointment:
        return set()
    return _handover_follows(by, handover)


def _handover_follows(by, handover: Handover) -> set[int]:
    """Keep an open handover in step with its people: a successor with an account takes the
    items meant for them from whoever had them in their place, and once a successor is named
    the register item is done. Then the successor, the board director and the region's
    network leads are told it is open (once each for each last day: the notification ledger
    sends nothing twice). Returns whom it told, the person acting aside."""
    who = handovers.people(handover)
    successor = who.account(handovers.Side.SUCCESSOR)
    if successor is not None:
        stand_ins = {who.outgoing.user_id, *(d.user_id for d in who.directors), None}
        meant = [
            task for task, step in handovers.STEPS.items() if step.side == handovers.Side.SUCCESSOR
        ]
        for item in handover.items.open().filter(task__in=meant):
            if item.owner_id in stand_ins:
                item.owner_id = successor
                item.save(update_fields=["owner"])
    if who.successor is not None:
        for item in handover.items.open().filter(task=HandoverItem.Task.REGISTER):
            item.done_on, item.done_by = timezone.localdate(), by
            item.save(update_fields=["done_on", "done_by"])
    told = [
        notice
        for notice in handover_reminders.opened(handover, who)
        if notice.recipient_id != by.pk
    ]
    notify(told)
    return {notice.recipient_id for notice in told}


def approver(post: str) -> str:
    """Who approves a change to ``post`` (choices.PATIENT_SAFETY_TEAM_POSTS), in words."""
    if post in PATIENT_SAFETY_TEAM_POSTS:
        return "the national patient safety team"
    return "a network lead"


def _check_approved(appointment: Appointment, approved: bool, before: dict | None) -> None:
    """What only an approved change to the register does (``approved``): name the holder of a
    post that grants powers (APPROVED_POSTS), move the start of one, or give any post a last
    day in the past. Checked against the appointment as committed (``before``)."""
    if approved:
        return
    post = Post(appointment.post)
    if before is None and post in APPROVED_POSTS:
        raise ValidationError(
            {
                "post": f"The {post.label} is named through a change to the register, which "
                f"{approver(post)} approves: ask for it there"
            },
            code="needs_approval",
        )
    if before and post in APPROVED_POSTS and before["start_on"] != appointment.start_on:
        raise ValidationError(
            {
                "start_on": f"The start date of the {post.label} is as approved on the "
                "register. Ask for a change to the register to correct it"
            },
            code="needs_approval",
        )
    ends = appointment.end_on
    if ends and ends < timezone.localdate() and (before is None or before["end_on"] != ends):
        raise ValidationError(
            {
                "end_on": "The end date must be today or later. A last day in the past is "
                f"set only by {approver(post)}, through a change to the register"
            },
            code="needs_approval",
        )


def _post_changed(by, appointment: Appointment, before: dict | None, already=()) -> None:
    """Tell the person in the post, and the organisation's MSO and board director today, of a
    post recorded or its dates changed (not whoever made the change, who knows, nor those
    told of it ``already``, by the handover it opens)."""
    if before is not None and (before["start_on"], before["end_on"]) == (
        appointment.start_on,
        appointment.end_on,
    ):
        return  # another correction (the email of someone without an account)
    organisation = appointment.organisation
    told = set(
        Appointment.objects.filter(organisation=organisation, post__in=SEPARATE_POSTS)
        .current()
        .exclude(user=None)
        .values_list("user_id", flat=True)
    )
    if appointment.user_id:
        told.add(appointment.user_id)
    told.discard(by.pk)
    told.difference_update(already)
    post, holder = appointment.get_post_display(), appointment.holder_name
    until = f" until {appointment.end_on:%-d %B %Y}" if appointment.end_on else ""
    if before is None:
        kind = "post-recorded"
        title = f"{holder} is recorded as {post}, {organisation.name}"
    else:
        kind = f"post-dates-{appointment.start_on:%Y%m%d}-{appointment.end_on or 'open'}"
        title = f"The dates of {holder} as {post} changed, {organisation.name}"
    body = (
        f"{holder} is {post} of {organisation.name} from {appointment.start_on:%-d %B %Y}"
        f"{until}, as recorded by {by.full_name or by.email}. If this is not right, tell your "
        "network lead."
    )
    notify(
        Reminder(
            subject=f"appointment:{appointment.pk}",
            kind=kind[:60],
            due_on=timezone.localdate(),
            recipient_id=recipient,
            title=title,
            body=body,
            url=organisation.get_absolute_url(),
        )
        for recipient in sorted(told)
    )


def _committed(appointment: Appointment) -> dict | None:
    """The appointment as committed (its holder, post and dates), read once under the lock;
    None for a new one."""
    return (
        Appointment.objects.filter(pk=appointment.pk)
        .values("user_id", "name", "post", "start_on", "end_on")
        .first()
    )


def appointment_save(*, by, appointment: Appointment, approved: bool = False) -> Appointment:
    """Record a named post, or correct its dates. The post's permissions come from the post
    itself while it is held; nothing is copied into the holder's roles.

    Under a lock on the organisation: one MSO and one board director at a time, never the same
    person; a holder with an account is a member; the person of a recorded post is never
    swapped in place; and no change may leave the organisation with nobody in the MSO or deputy
    MSO post today (a post can be ended today or later, or once someone takes over). Only an
    approved change to the register (``approved``) names the holder of a post that grants
    powers or gives a last day in the past (``_check_approved``). The holder, the MSO and the
    board director are told.
    """
    organisation = appointment.organisation
    with transaction.atomic(), audit_as(by):
        lock(organisation)
        if appointment.pk is None:
            same = Appointment.objects.filter(
                organisation=organisation,
                **{
                    name: getattr(appointment, name)
                    for name in ("post", "user", "name", "email", "start_on", "end_on")
                },
            ).first()
            if same is not None:  # the same post again: a second press, or another tab
                return same
        before = _committed(appointment)
        had_manager = _has_manager_today(organisation)
        _save_checked(appointment, approved, before)
        _keeps_a_manager(organisation, had_manager, appointment.post)
        told = _follow_end_date(by, appointment, before)
        if before is None:
            told |= _follow_successor(by, appointment)
        _post_changed(by, appointment, before, told)
    return appointment


def appointment_replace(
    *, by, current: Appointment, last_day, successor: Appointment, approved: bool = False
):
    """Hand a post to a successor in one step: the current holder's last day is ``last_day``
    and the successor starts the next day. Returns the successor's appointment. A post that
    grants powers (``APPROVED_POSTS``) is handed on only by an approved change (``approved``)."""
    organisation = current.organisation
    with transaction.atomic(), audit_as(by):
        lock(organisation)
        current = Appointment.objects.get(pk=current.pk)  # as committed, under the lock
        before = _committed(current)
        had_manager = _has_manager_today(organisation)
        if last_day < current.start_on:
            raise ValidationError(
                {
                    "last_day": f"The last day must be on or after {current.holder_name} "
                    f"started, {current.start_on:%-d %B %Y}"
                },
                code="ends_before_start",
            )
        if current.end_on is not None and current.end_on < last_day:
            raise ValidationError(
                {"last_day": f"{current.holder_name} left on {current.end_on:%-d %B %Y}"},
                code="already_ended",
            )
        current.end_on = last_day
        _save_checked(current, approved, before)
        successor.start_on = last_day + timedelta(days=1)
        successor.end_on = None
        _save_checked(successor, approved, None)
        _keeps_a_manager(organisation, had_manager, current.post)
        told = _follow_end_date(by, current, before) or _follow_successor(by, successor)
        _post_changed(by, current, before, told)
        _post_changed(by, successor, None, told)
    return successor


# Handovers ------------------------------------------------------------------------------


def handover_item_save(*, by, item: HandoverItem) -> HandoverItem:
    """Change who owns a handover item and when it is due."""
    with transaction.atomic(), audit_as(by):
        item.full_clean()
        if (
            item.owner_id
            and not Membership.objects.filter(
                organisation_id=item.handover.organisation_id, user_id=item.owner_id
            ).exists()
        ):
            raise ValidationError(
                {"owner": "Select a member of the organisation"}, code="not_a_member"
            )
        item.save()
    return item


def handover_item_done(*, by, item: HandoverItem, done: bool) -> HandoverItem:
    """Tick an item off (or back on); the handover is complete when every item is done."""
    with transaction.atomic(), audit_as(by):
        handover = Handover.objects.select_for_update().get(pk=item.handover_id)
        item = HandoverItem.objects.get(pk=item.pk)
        item.done_on, item.done_by = (timezone.localdate(), by) if done else (None, None)
        item.save(update_fields=["done_on", "done_by"])
        complete = not handover.items.open().exists()
        handover.completed_at = (handover.completed_at or timezone.now()) if complete else None
        handover.save(update_fields=["completed_at"])
    return item
