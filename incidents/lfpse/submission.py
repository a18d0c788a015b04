"""Submitting incidents to LFPSE: an outbox (``LfpseSubmission``), as the notifications are sent.

- ``lfpse_submit(by=, incident=)``: the safety team marks an incident ready, or sends it again
  after correcting what LFPSE refused. ``on_report`` does the same as an incident is reported,
  for an organisation that chose "at once" (``lfpse_choice_set``); ``follow_change``, called by
  the services that change what LFPSE is sent, queues an update of an incident LFPSE has.
  Each writes the next version of the incident's submission in the caller's transaction, under
  the incident's lock, and hands it to a worker once that commits.
- ``deliver(pk)`` claims a waiting version under a row lock with a lease (one version of an
  incident at a time), sends the incident as it is now (POST for a new record, PUT once LFPSE
  has given its id), and records the answer: accepted, with LFPSE's reference; refused, with
  its reasons, and the MSO told; or nothing known (LFPSE down, a timeout), left waiting.
- ``deliver_pending()``, every five minutes, hands on the versions still waiting: a broker or
  LFPSE outage, or a worker killed mid-send, only delays a submission.

Never twice: the record carries the incident's reference as its identifier, and LFPSE takes a
second create of one identifier as the same record; a crash between sending and recording the
answer sends it again, harmlessly. Never lost: the row is written with the change that needs
it, and stays waiting until LFPSE answers about it.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import audit_as
from core.tasks import after_commit
from core.tasks import queue as queue_task
from notifications.registry import Reminder
from notifications.services import notify, unclaimed
from organisations.choices import Post
from organisations.models import Appointment

from ..models import (
    ExportState,
    Incident,
    IncidentEvent,
    LfpseChoice,
    LfpseSubmission,
    unordered_id,
)
from . import client, fhir

logger = logging.getLogger(__name__)
State = LfpseSubmission.State
Kind = LfpseSubmission.Kind
REFUSAL_NOTICE = "lfpse-refused"


def _lease() -> timedelta:
    return timedelta(seconds=settings.LFPSE_CLAIM_SECONDS)


# Services ---------------------------------------------------------------------------------


def lfpse_submit(*, by, incident: Incident) -> LfpseSubmission:
    """Mark an incident ready for LFPSE, or send it again after a refusal, once it has every
    answer LFPSE requires."""
    with transaction.atomic(), audit_as(by):
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if missing := fhir.missing_answers(incident):
            raise ValidationError(
                "Answer before it can go to LFPSE: " + "; ".join(missing), code="not_ready"
            )
        if incident.lfpse_state not in (ExportState.NOT_SENT, ExportState.REFUSED):
            raise ValidationError(
                "It has gone to LFPSE already: changes to it are sent as updates", code="sent"
            )
        again = incident.lfpse_state == ExportState.REFUSED
        row = _queue(incident)
        _event(
            incident,
            IncidentEvent.Kind.LFPSE_READY,
            by,
            "Sent again after a refusal" if again else "",
        )
    return row


def lfpse_choice_set(*, by, organisation, when: str) -> LfpseChoice:
    """Choose when the organisation's incidents go to LFPSE (LfpseChoice.When)."""
    if when not in LfpseChoice.When.values:
        raise ValidationError({"when": "Select when incidents go to LFPSE"})
    with transaction.atomic(), audit_as(by):
        choice, _ = LfpseChoice.objects.update_or_create(
            organisation=organisation, defaults={"when": when}
        )
    return choice


def on_report(incident: Incident) -> None:
    """As an incident is reported (in its transaction): queue it at once if its organisation
    chose so and it has every answer LFPSE requires. Not an anonymous report: it keeps only the
    day it was sent, which a submission made then would tell; it goes when the team marks it."""
    if incident.anonymous or fhir.missing_answers(incident):
        return
    if LfpseChoice.for_organisation(incident.organisation_id) == LfpseChoice.When.AT_ONCE:
        _queue(incident)


def follow_change(incident: Incident) -> None:
    """After a service changed what LFPSE is sent of an incident (in its transaction, the
    incident locked): LFPSE is sent the change. An incident accepted gets an update; one whose
    version is being sent at this moment gets the next version (a version waiting sends the
    incident as it is when it goes); one not sent goes now if its organisation chose "at once"
    and the change answered what LFPSE requires."""
    state = incident.lfpse_state
    if state == ExportState.ACCEPTED:
        _queue(incident)
    elif state in (ExportState.WAITING, ExportState.SENT):
        if incident.lfpse_submissions.filter(
            state=State.WAITING, claimed_until__gte=timezone.now()
        ).exists():
            _queue(incident)
    elif state == ExportState.NOT_SENT:
        on_report(incident)


def _queue(incident: Incident) -> LfpseSubmission:
    """Write the incident's next version to send, in the caller's transaction (the incident
    locked), and hand it to a worker once that commits. Earlier versions not being sent now are
    overtaken: the new one sends the incident as it will be."""
    now = timezone.now()
    last = incident.lfpse_submissions.order_by("-version").values_list("version", flat=True).first()
    incident.lfpse_submissions.filter(state=State.WAITING).filter(unclaimed(now)).update(
        state=State.SUPERSEDED, claimed_until=None
    )
    row = LfpseSubmission.objects.create(
        incident=incident,
        kind=Kind.UPDATE if incident.lfpse_id else Kind.CREATE,
        version=(last or 0) + 1,
    )
    incident.lfpse_state = ExportState.WAITING
    Incident.objects.filter(pk=incident.pk).update(lfpse_state=ExportState.WAITING)
    after_commit(lambda: hand_on(row.pk))
    return row


def _event(incident, kind, by, note=""):
    IncidentEvent.objects.create(
        id=unordered_id() if incident.anonymous else None,
        incident=incident,
        kind=kind,
        by=by,
        note=note[:3000],
    )


# Delivery ---------------------------------------------------------------------------------


def hand_on(*pks: int) -> None:
    """Give waiting versions to workers. If the broker cannot take them, they stay waiting in
    the outbox and ``deliver_pending`` hands them on later."""
    for pk in pks:
        try:
            queue_task("incidents.tasks.submit_to_lfpse", pk)
        except Exception:
            logger.warning("LFPSE submission %s could not be queued now; it will be later", pk)


def _claim(pk: int, now) -> LfpseSubmission | None:
    """Lease a waiting version nobody is sending, unless another version of the same incident
    is being sent (the incident's row lock makes the two claims take turns) or a later one was
    written (it is overtaken: the later one sends the incident as it is)."""
    with transaction.atomic():
        incident_id = (
            LfpseSubmission.objects.filter(pk=pk).values_list("incident_id", flat=True).first()
        )
        if incident_id is None:
            return None
        list(Incident.objects.select_for_update().filter(pk=incident_id).values_list("pk"))
        # Only the version is locked (``of``): its ordering joins the incident, already
        # locked above, and a lock taken through a join is how a notification's claim once
        # skipped rows nobody was sending (notifications.services._claim).
        row = (
            LfpseSubmission.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=pk, state=State.WAITING)
            .filter(unclaimed(now))
            .first()
        )
        if row is None:
            return None
        others = LfpseSubmission.objects.filter(incident_id=incident_id).exclude(pk=pk)
        if others.filter(version__gt=row.version).exists():
            LfpseSubmission.objects.filter(pk=pk).update(state=State.SUPERSEDED)
            return None
        if others.filter(state=State.WAITING, claimed_until__gte=now).exists():
            return None
        row.claimed_until = now + _lease()
        row.attempts += 1
        row.save(update_fields=["claimed_until", "attempts"])
    return row


def deliver(pk: int) -> bool:
    """Send one waiting version to LFPSE, once its answer is known. Returns whether LFPSE
    answered about it (accepted or refused) now."""
    if not settings.LFPSE_SUBMISSION:
        return False  # kept waiting until submission is switched on
    row = _claim(pk, timezone.now())
    if row is None:
        return False  # answered already, overtaken, or being sent by another worker
    return _send(row)


def _send(row: LfpseSubmission) -> bool:
    """Send the incident of a claimed version as it is now, and record LFPSE's answer."""
    now = timezone.now()
    incident = (
        Incident.objects.select_related("organisation")
        .prefetch_related("medicines")
        .get(pk=row.incident_id)
    )
    try:
        resource = fhir.adverse_event(incident)
    except fhir.NotReady as missing:
        _refused(row, incident, [_own_reason("not-ready", str(missing))], row.kind)
        return True
    except ValueError as error:  # fhir.resources' or the code lists' refusal of the record
        _refused(row, incident, [_own_reason("invalid", str(error))], row.kind)
        return True
    kind = Kind.UPDATE if incident.lfpse_id else Kind.CREATE
    Incident.objects.filter(pk=incident.pk, lfpse_state=ExportState.WAITING).update(
        lfpse_state=ExportState.SENT
    )
    LfpseSubmission.objects.filter(pk=row.pk).update(sent_at=now, kind=kind)
    try:
        if kind == Kind.UPDATE:
            answer = client.update(incident.lfpse_id, resource)
        else:
            answer = client.create(resource)
    except client.Unavailable as error:
        LfpseSubmission.objects.filter(pk=row.pk, state=State.WAITING).update(
            claimed_until=None, last_error=str(error)[:500]
        )
        logger.warning(
            "LFPSE submission %s not answered; it will be tried again: %s", row.pk, error
        )
        return False
    except client.Refused as refusal:
        # An update of a record LFPSE does not know: sent again, it goes as a new record
        # (under the same identifier, so one LFPSE has after all is the same record).
        forget = kind == Kind.UPDATE and refusal.status == 404
        reasons = [reason.as_dict() for reason in refusal.reasons]
        _refused(row, incident, reasons, kind, forget_record=forget)
        return True
    _accepted(row, incident, answer, kind)
    return True


def _own_reason(code: str, text: str) -> dict:
    return {"severity": "error", "code": code, "text": f"Not sent: {text}"[:1000], "where": ""}


def _later(row) -> bool:
    return LfpseSubmission.objects.filter(
        incident_id=row.incident_id, version__gt=row.version, state=State.WAITING
    ).exists()


def _hand_on_waiting(incident_id: int) -> None:
    """Hand on the incident's version written while another was being sent."""
    hand_on(
        *LfpseSubmission.objects.filter(incident_id=incident_id, state=State.WAITING).values_list(
            "pk", flat=True
        )
    )


def _answered(row, incident, kind, answer: str, note: str, *, reasons=(), **incident_fields):
    """Record LFPSE's answer about a version (in the caller's transaction): the version
    answered, the incident's state (waiting again if a later version was written while this one
    was sent) and its event; the later version is handed on once the answer commits."""
    now = timezone.now()
    LfpseSubmission.objects.filter(pk=row.pk).update(
        state=answer,
        kind=kind,
        answered_at=now,
        claimed_until=None,
        reasons=list(reasons),
        **({"last_error": ""} if answer == State.ACCEPTED else {}),
    )
    later = _later(row)
    Incident.objects.filter(pk=incident.pk).update(
        lfpse_state=ExportState.WAITING if later else ExportState(answer),
        lfpse_exported_at=now,
        **incident_fields,
    )
    event = (
        IncidentEvent.Kind.LFPSE_ACCEPTED
        if answer == State.ACCEPTED
        else IncidentEvent.Kind.LFPSE_REFUSED
    )
    _event(incident, event, None, note)
    if later:
        after_commit(lambda: _hand_on_waiting(incident.pk))


def _accepted(row, incident, answer: client.Accepted, kind) -> None:
    what = "the update" if kind == Kind.UPDATE else "the record"
    with transaction.atomic():
        _answered(
            row,
            incident,
            kind,
            State.ACCEPTED,
            f"LFPSE accepted {what}: reference {answer.reference}",
            lfpse_id=answer.record_id,
            lfpse_reference=answer.reference,
        )


def _refused(row, incident, reasons: list[dict], kind, *, forget_record=False) -> None:
    with transaction.atomic():
        _answered(
            row,
            incident,
            kind,
            State.REFUSED,
            "; ".join(reason["text"] for reason in reasons),
            reasons=reasons,
            **({"lfpse_id": ""} if forget_record else {}),
        )
        notify(refusal_notices(incident, row.version))


def refusal_notices(incident: Incident, version: int, on=None):
    """The MSO's (and deputy MSO's) notice that LFPSE refused a version of an incident: once
    for each version refused."""
    on = on or timezone.localdate()
    holders = (
        Appointment.objects.filter(
            organisation_id=incident.organisation_id,
            post__in=(Post.MSO, Post.DEPUTY_MSO),
            user__isnull=False,
            user__is_active=True,
        )
        .current(on)
        .values_list("user_id", flat=True)
        .distinct()
    )
    for user_id in holders:
        yield Reminder(
            subject=f"incident:{incident.pk}",
            kind=f"{REFUSAL_NOTICE}-{version}",
            due_on=on,
            recipient_id=user_id,
            title=f"LFPSE refused incident {incident.reference}",
            body=(
                "LFPSE did not accept the incident's record. Its reasons are on the incident's "
                "page: correct the incident and send it again."
            ),
            url=incident.get_absolute_url(),
        )


def deliver_pending(*, inline: bool = False, older_than=timedelta(minutes=1)) -> int:
    """Hand on every version still waiting ``older_than`` after it was written and not being
    sent now; with ``inline``, send them here, oldest first. Returns how many."""
    if not settings.LFPSE_SUBMISSION:
        return 0
    now = timezone.now()
    waiting = list(
        LfpseSubmission.objects.filter(state=State.WAITING, created_at__lte=now - older_than)
        .filter(unclaimed(now))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    if inline:
        for pk in waiting:
            deliver(pk)
    else:
        hand_on(*waiting)
    return len(waiting)
