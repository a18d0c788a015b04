"""Services for changes to the national MSO register: an organisation's MSO or board director
asks (``submit``), a network lead (the national patient safety team, for the Patient Safety
Specialists and the executive director for patient safety) approves or rejects with a reason
(``decide``); approval applies the change through the named-post services, under the
organisation's lock, so the rules that hold on the organisation's own page (one MSO at a time,
someone left to manage) hold here too. Those who decide are told of a new request, and whoever
asked of the decision (notifications engine).

The posts that grant clinical or assurance powers (choices.APPROVED_POSTS) are named only this
way, and two people always take part: nobody decides a change they asked for, or one that
names them.

Each check is made when the request is submitted, so a mistake is shown on the form, and again
when it is approved, against the register as it is then; a change that no longer fits is
refused with the reason, and nothing of it is applied.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from core.audit import audit_as
from notifications.registry import Reminder
from notifications.services import notify

from . import services
from .access import access_for, nearest_holders
from .choices import MANAGING_POSTS, NEW_HOLDER, PATIENT_SAFETY_TEAM_CHANGES, Post
from .models import (
    Appointment,
    ChangeRequest,
    HandoverItem,
    Membership,
    check_held_in,
    decided_with,
)
from .permissions import RULES, Perm

Kind = ChangeRequest.Kind
Status = ChangeRequest.Status
Basis = ChangeRequest.Basis


def asked_with(kind) -> Perm:
    """The permission that asks for a kind of change (organisations/permissions.py): the
    changes the national patient safety team decides, or the MSO register's."""
    if kind in PATIENT_SAFETY_TEAM_CHANGES:
        return Perm.PATIENT_SAFETY_CHANGES_ASK
    return Perm.REGISTER_CHANGES_ASK


def may_ask(user, organisation, kind) -> bool:
    """Whether the person may ask for ``kind`` of change to the organisation's entry."""
    return access_for(user).has(asked_with(kind), organisation)


def check_asker(user, request: ChangeRequest) -> None:
    if not may_ask(user, request.organisation, request.kind):
        perm = asked_with(request.kind)
        posts = " or the ".join(
            Post(rule.grant).label.lower()
            for rule in RULES
            if perm in rule.perms and isinstance(rule.grant, Post)
        )
        raise ValidationError(
            {"kind": f"Only the {posts} of {request.organisation.name} asks for this"},
            code="not_asked_by_you",
        )


def _specialists(organisation_id, day=None):
    """The organisation's Patient Safety Specialists on ``day`` (today)."""
    return Appointment.objects.filter(
        organisation_id=organisation_id, post=Post.PATIENT_SAFETY_SPECIALIST
    ).current(day)


def _specialists_from_today(organisation_id):
    """Its specialists today and those named to start later."""
    return Appointment.objects.filter(
        Q(end_on__isnull=True) | Q(end_on__gte=timezone.localdate()),
        organisation_id=organisation_id,
        post=Post.PATIENT_SAFETY_SPECIALIST,
    )


def _holder_on(request: ChangeRequest, day):
    """The appointment to the request's post that covers ``day``, if any."""
    return (
        Appointment.objects.filter(organisation_id=request.organisation_id, post=request.post)
        .current(day)
        .select_related("user")
        .first()
    )


def _open_ended_holder(request: ChangeRequest):
    return (
        Appointment.objects.filter(
            organisation_id=request.organisation_id, post=request.post, end_on__isnull=True
        )
        .select_related("user")
        .first()
    )


def check_kind(request: ChangeRequest) -> None:
    """Whether this kind of change can be asked for the organisation at all (the first
    question of the form): raise ValidationError on ``kind``."""
    organisation = request.organisation
    if organisation.is_closed:
        raise ValidationError(
            {"kind": f"{organisation.name} closed on {organisation.closed_on:%-d %B %Y}"},
            code="closed",
        )
    if request.pk is None:
        _check_none_waiting(request)
    if request.post:
        try:
            check_held_in(organisation, post=request.post)
        except ValidationError as error:
            raise ValidationError({"kind": error.messages}, code="no_such_post") from None
    if request.ends_a_post and _open_ended_holder(request) is None:
        raise ValidationError(
            {"kind": "Nobody holds this post with no end date, so nobody is to leave it"},
            code="nobody_in_post",
        )


def check(request: ChangeRequest) -> None:
    """What the register refuses today: raise ValidationError keyed by the request's fields."""
    check_kind(request)
    if request.names_a_specialist:
        _check_specialist(request)
    elif request.names_a_holder:
        _check_new_holder(request)
    elif request.ends_a_post:
        _check_leaving(request)
    elif request.kind == Kind.CONTACT:
        mailbox = request.organisation.mso_mailbox or ""
        if request.mso_mailbox.lower() == mailbox.lower():
            raise ValidationError(
                {"mso_mailbox": "This is already the generic MSO mailbox on the register"},
                code="unchanged",
            )


def _check_none_waiting(request: ChangeRequest) -> None:
    waiting = (
        ChangeRequest.objects.pending()
        .filter(organisation_id=request.organisation_id, kind=request.kind)
        .first()
    )
    if waiting is not None:
        message = (
            f"This change is already waiting for {waiting.decider}: it was asked for on "
            f"{timezone.localtime(waiting.submitted_at):%-d %B %Y}. Withdraw it first to ask again"
        )
        raise ValidationError({"kind": ValidationError(message, code="waiting")})


def waiting_like(user, organisation, kind):
    """The request of this kind for the organisation that waits for a decision, if the person
    may see it (a new one is refused until it is decided or withdrawn)."""
    return (
        ChangeRequest.objects.visible_to(user)
        .pending()
        .filter(organisation=organisation, kind=kind)
        .first()
    )


def _check_new_holder(request: ChangeRequest) -> None:
    replaced = request.replaces
    if replaced is not None:  # asked for by replacing one holder (``replacing``)
        holds = (
            Appointment.objects.filter(
                pk=replaced.pk, organisation_id=request.organisation_id, post=request.post
            )
            .current()
            .exists()
        )
        if not holds:
            raise ValidationError(
                {"starts_on": f"{replaced.holder_name} no longer holds this post"},
                code="not_in_post",
            )
        if request.starts_on and request.starts_on <= replaced.start_on:
            raise ValidationError(
                {
                    "starts_on": f"The first day must be after {replaced.holder_name} started, "
                    f"{replaced.start_on:%-d %B %Y}"
                },
                code="starts_before",
            )
    if request.email and request.starts_on:
        newcomer = Appointment(
            organisation=request.organisation,
            post=request.post,
            start_on=request.starts_on,
            **_holder(request),
        )
        services.check_separate_posts(newcomer, field="email")
    post = request.get_kind_display().removeprefix("A new ")
    later = (
        Appointment.objects.filter(
            organisation_id=request.organisation_id,
            post=request.post,
            start_on__gte=request.starts_on,
        )
        .select_related("user")
        .first()
    )
    if later is not None:
        raise ValidationError(
            {
                "starts_on": f"{later.holder_name} is already recorded as {post} from "
                f"{later.start_on:%-d %B %Y}"
            },
            code="already_recorded",
        )


def _check_specialist(request: ChangeRequest) -> None:
    """First, a replacement of one of its specialists, or an addition, as the organisation's
    specialists are; never someone who is one already; the national guidance considered."""
    errors = {}
    current = _specialists(request.organisation_id)
    named = _specialists_from_today(request.organisation_id)
    if request.basis not in Basis.values:
        errors["basis"] = "Select whether they are the first, a replacement or an addition"
    elif request.basis == Basis.FIRST and named.exists():
        errors["basis"] = (
            f"{request.organisation.name} has a Patient Safety Specialist already: choose a "
            "replacement or an addition"
        )
    elif request.basis == Basis.ADDITION and not named.exists():
        errors["basis"] = (
            f"{request.organisation.name} has no Patient Safety Specialist yet: choose its first"
        )
    elif request.basis == Basis.REPLACEMENT:
        if request.replaces_id is None:
            errors["replaces"] = "Select the Patient Safety Specialist who is replaced"
        elif not current.filter(pk=request.replaces_id).exists():
            errors["replaces"] = "This person is no longer one of its Patient Safety Specialists"
        elif request.starts_on and request.starts_on <= request.replaces.start_on:
            errors["starts_on"] = (
                f"The first day must be after {request.replaces.holder_name} started, "
                f"{request.replaces.start_on:%-d %B %Y}"
            )
    if request.basis != Basis.REPLACEMENT:
        request.replaces = None  # a name picked, then another answer chosen: nobody is replaced
    if (
        request.email
        and named.filter(
            Q(email__iexact=request.email) | Q(user__email__iexact=request.email)
        ).exists()
    ):
        errors["email"] = (
            f"This person is a Patient Safety Specialist of {request.organisation.name} already"
        )
    if not request.guidance_considered:
        errors["guidance_considered"] = (
            "Confirm that the national guidance on identifying Patient Safety Specialists was "
            "considered"
        )
    if errors:
        raise ValidationError(errors, code="specialist")


def _check_leaving(request: ChangeRequest) -> None:
    holder = _open_ended_holder(request)
    if request.ends_on < holder.start_on:
        raise ValidationError(
            {
                "ends_on": f"The last day must be on or after {holder.holder_name} started, "
                f"{holder.start_on:%-d %B %Y}"
            },
            code="ends_before_start",
        )
    today = timezone.localdate()
    if holder.post in MANAGING_POSTS and request.ends_on < today:
        others = (
            Appointment.objects.filter(
                organisation_id=request.organisation_id, post__in=MANAGING_POSTS
            )
            .current(today)
            .exclude(pk=holder.pk)
        )
        if not others.exists():
            # The rule the post services keep when the change is applied (H-006), said now.
            raise ValidationError(
                {
                    "ends_on": f"{request.organisation.name} would have no MSO or deputy MSO "
                    "today. Give a last day of today or later, or ask first for who takes over"
                },
                code="no_manager_left",
            )


def submit(*, by, request: ChangeRequest) -> ChangeRequest:
    """Record a request from the organisation. An MSO who asks for their successor, or for
    their own end date, has done the "register" item of their handover."""
    request.submitted_by = by
    request.status = Status.PENDING
    with transaction.atomic(), audit_as(by):
        services.lock(request.organisation)
        check_asker(by, request)
        check(request)
        request.full_clean(exclude=["submitted_by"])
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError:  # another request of this kind was saved meanwhile
            message = f"A change of this kind is already waiting for {request.decider}"
            raise ValidationError({"kind": ValidationError(message, code="waiting")}) from None
        if request.post == Post.MSO:
            _register_item_done(by, request)
        told = [pk for pk in deciders([request])[request.pk] if pk != by.pk]
        notify(to_decide(request, recipient) for recipient in told)
    return request


def replacing(post) -> str | None:
    """The kind of change that names a new holder of ``post`` in place of one who holds it
    (the Replace page), or None where a post is not replaced so: a Patient Safety Specialist
    is identified with what the national team asks of each (first, a replacement of whom, or
    an addition), and the posts the organisation records itself are not on the register."""
    if post == Post.PATIENT_SAFETY_SPECIALIST:
        return None
    return next((kind for kind, held in NEW_HOLDER.items() if held == post), None)


def may_decide(user, organisation, kind) -> bool:
    """Whether the person decides ``kind`` of change to the organisation's entry: a network
    lead of its region or of England (the national patient safety team for its posts)."""
    return access_for(user).has(decided_with(kind), organisation)


def record(*, by, request: ChangeRequest) -> ChangeRequest:
    """A change made at once by someone who decides changes of its kind for the organisation
    (a network lead replacing a post holder): recorded as asked for and approved by them in
    one step, checked and applied as an approval is. Nobody records a change that names them,
    as nobody approves one."""
    request.submitted_by = by
    with transaction.atomic(), audit_as(by):
        services.lock(request.organisation)
        if not may_decide(by, request.organisation, request.kind):
            raise ValidationError(
                "Only whoever decides changes of this kind makes one at once",
                code="not_decided_by_you",
            )
        if request.names_a_holder and request.email.lower() == by.email.lower():
            raise ValidationError(
                {"email": "This change names you: someone else decides it"}, code="decides_own"
            )
        check(request)
        request.full_clean(exclude=["submitted_by"])
        request.status = Status.APPROVED
        request.decided_by, request.decided_at = by, timezone.now()
        request.save()
        _apply(by, request)
    return request


def deciders(requests) -> dict[int, list[int]]:
    """request id -> the people asked to decide it: those the rule set gives the permission
    that decides it (``decided_with``) nearest its organisation, the leads of its region where
    it has any, else those of all England. So the national patient safety team decides its
    programme's posts, and a regional MSO network's leads the rest of their region's register
    (the national network's where a region has none). A query for each permission and region,
    however many requests."""
    found, asked = {}, {}
    for request in requests:
        key = (request.decided_with, request.organisation.region)
        if key not in asked:
            asked[key] = nearest_holders(*key)
        found[request.pk] = asked[key]
    return found


def to_decide(request: ChangeRequest, recipient: int) -> Reminder:
    """The notice to one of its deciders that a request waits for them (sent when it is made;
    the reminder sweep keeps to the same one: networks.reminders)."""
    organisation = request.organisation
    return Reminder(
        subject=f"change-request:{request.pk}",
        kind="submitted",
        due_on=timezone.localdate(request.submitted_at),
        recipient_id=recipient,
        title=f"To decide: {request.get_kind_display()}, {organisation.name} "
        f"({organisation.ods_code})",
        body="Approve or reject it.",
        url=request.get_absolute_url(),
    )


def _register_item_done(by, request: ChangeRequest) -> None:
    item = (
        HandoverItem.objects.open()
        .filter(
            handover__organisation_id=request.organisation_id,
            handover__completed_at__isnull=True,
            handover__cancelled_at__isnull=True,
            task=HandoverItem.Task.REGISTER,
        )
        .first()
    )
    if item is not None:
        services.handover_item_done(by=by, item=item, done=True)


def may_withdraw(user, request: ChangeRequest) -> bool:
    """Whoever asked for it, or who holds a post that asks for its kind."""
    return request.submitted_by_id == user.pk or may_ask(user, request.organisation, request.kind)


def withdraw(*, by, request: ChangeRequest) -> ChangeRequest:
    with transaction.atomic(), audit_as(by):
        request = _pending(request)
        if not may_withdraw(by, request):
            raise ValidationError(
                "Only whoever asked for it, or who asks for changes of its kind, withdraws it",
                code="not_yours",
            )
        request.status = Status.WITHDRAWN
        request.decided_by, request.decided_at = by, timezone.now()
        request.save(update_fields=["status", "decided_by", "decided_at"])
    return request


def _pending(request: ChangeRequest) -> ChangeRequest:
    """The request as committed, locked; refused unless it is still waiting."""
    request = (
        ChangeRequest.objects.select_for_update().select_related("organisation").get(pk=request.pk)
    )
    if not request.is_pending:
        raise ValidationError(
            f"This change is no longer waiting: it was {request.get_status_display().lower()}",
            code="decided",
        )
    return request


def decides_own(user, request: ChangeRequest) -> str:
    """Why ``user`` may not decide ``request`` (""): nobody decides a change they asked for or
    one that names them, so two people always take part."""
    if request.submitted_by_id == user.pk:
        return "You asked for this change: another lead decides it"
    if request.names_a_holder and request.email and request.email.lower() == user.email.lower():
        return "This change names you: another lead decides it"
    return ""


def decide(*, by, request: ChangeRequest, approve: bool, reason: str = "") -> ChangeRequest:
    """Approve (and apply) or reject a waiting request. A rejection needs a reason."""
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError({"reason": "Give the reason for rejecting it"}, code="required")
    with transaction.atomic(), audit_as(by):
        request = _pending(request)
        if own := decides_own(by, request):
            raise ValidationError(own, code="decides_own")
        if approve:
            services.lock(request.organisation)
            check(request)
            _apply(by, request)
        request.status = Status.APPROVED if approve else Status.REJECTED
        request.reason = reason
        request.decided_by, request.decided_at = by, timezone.now()
        request.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        notify([_decision(request)])
    return request


def _apply(by, request: ChangeRequest) -> None:
    organisation = request.organisation
    if request.kind == Kind.CONTACT:
        organisation.mso_mailbox = request.mso_mailbox
        services.organisation_save(by=by, organisation=organisation)
    elif request.names_a_specialist:
        specialist = Appointment(organisation=organisation, post=request.post, **_holder(request))
        if request.basis == Basis.REPLACEMENT:
            services.appointment_replace(
                by=by,
                current=request.replaces,
                last_day=request.starts_on - timedelta(days=1),
                successor=specialist,
                approved=True,
            )
        else:
            specialist.start_on = request.starts_on
            services.appointment_save(by=by, appointment=specialist, approved=True)
    elif request.names_a_holder:
        successor = Appointment(organisation=organisation, post=request.post, **_holder(request))
        current = request.replaces or _holder_on(request, request.starts_on)
        if current is None:
            successor.start_on = request.starts_on
            services.appointment_save(by=by, appointment=successor, approved=True)
        else:
            services.appointment_replace(
                by=by,
                current=current,
                last_day=request.starts_on - timedelta(days=1),
                successor=successor,
                approved=True,
            )
    else:
        holder = _open_ended_holder(request)
        holder.end_on = request.ends_on
        services.appointment_save(by=by, appointment=holder, approved=True)


def _holder(request: ChangeRequest) -> dict:
    """The new holder: the member with that email if there is one, else a name and email."""
    member = User.objects.filter(
        email__iexact=request.email,
        is_active=True,
        pk__in=Membership.objects.filter(organisation_id=request.organisation_id).values("user_id"),
    ).first()
    if member is not None:
        return {"user": member}
    return {"name": request.name, "email": request.email}


def _decision(request: ChangeRequest) -> Reminder:
    approved = request.status == Status.APPROVED
    return Reminder(
        subject=f"change-request:{request.pk}",
        kind=request.status,
        due_on=timezone.localdate(),
        recipient_id=request.submitted_by_id,
        title=(
            f"{'Approved' if approved else 'Rejected'}: {request.get_kind_display()[0].lower()}"
            f"{request.get_kind_display()[1:]}, {request.organisation.name}"
        ),
        body=(
            (
                f"{request.name} is one of the organisation's Patient Safety Specialists from "
                f"{request.starts_on:%-d %B %Y}."
                if request.names_a_specialist
                else "The national MSO register now shows the change."
            )
            if approved
            else f"The {request.decider.removeprefix('a ').removeprefix('the ')} gave this "
            f"reason: {request.reason}"
        ),
        url=request.get_absolute_url(),
    )
