"""Every write to alerts and responses: atomic, audited (auditlog, apps.py), and the only place
the tallies of the national view (``_retally``) and each organisation's earliest deadline
(``_keep_deadline``) are kept.

- ``alert_save``: a draft alert with its medicines and required actions.
- ``alert_publish``: one response for every open organisation of the kinds it applies to, in
  one transaction of bulk statements; its MSOs are told after it commits (``fan_out``).
- The organisation's response: ``response_acknowledge``, ``response_decide`` (it applies, or
  not with a rationale), ``response_lead_set``, ``action_response_save``, ``evidence_add``,
  ``response_sign_off`` (the board director), ``response_send_back`` (the board director, not
  assured, saying what is needed) and ``response_sign_off_ask`` (the MSO, once it is put
  right), ``response_complete``, ``response_reopen``, ``incident_link``.

A second press of a button that is done already (signed off, sent back, asked again, decided
that it does not apply) is refused with the code ``ALREADY``: the views say so, and nothing is
written or sent twice. A form sent again as it was (the same decision, lead, answer to an action
or file of evidence) changes nothing and writes no second event.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min
from django.utils import timezone
from django.utils.text import capfirst

from core.audit import audit_as
from core.tasks import after_commit, queue
from notifications.services import notify
from organisations.choices import SENIOR_SIGN_OFF, Post
from organisations.models import Organisation

from . import choices, reminders, validators
from .choices import ResponseState
from .models import (
    NO_DEADLINE,
    Alert,
    AlertAction,
    AlertActionResponse,
    AlertEvidence,
    AlertIncident,
    AlertMedicine,
    AlertResponse,
    AlertResponseEvent,
    AlertTally,
    OrganisationDeadline,
)

Kind = AlertResponseEvent.Kind
BATCH = 2000
ALREADY = "already"  # the code of a refusal to do again what is done (a second press)


def default_deadline(alert_type: str, issued_on: datetime.date) -> datetime.date | None:
    """The deadline a recall's class sets (class 1 the day it is issued, class 2 within 48
    hours, class 3 within 5 days); None for other alerts, whose actions say their own."""
    after = choices.RECALL_DEADLINE.get(alert_type)
    return None if after is None else issued_on + after


# Writing and publishing an alert -----------------------------------------------------------


def check_alert(alert: Alert, actions: list[dict]) -> None:
    """What an alert must be before it is saved: raise ValidationError keyed by field."""
    errors = {}
    try:
        validators.check_reference(alert.reference, alert.alert_type, alert.issued_on)
    except ValidationError as error:
        errors["reference"] = error.messages
    if not alert.applicable_kinds:
        errors["applicable_kinds"] = ["Select the kinds of organisation the alert applies to"]
    for number, action in enumerate(actions, start=1):
        if action["due_on"] < alert.issued_on:
            errors.setdefault("actions", []).append(
                f"Action {number}: the deadline must be on or after the day the alert was "
                f"issued, {alert.issued_on:%-d %B %Y}"
            )
    if errors:
        raise ValidationError(errors)


def alert_save(*, by, alert: Alert, medicines: list[dict], actions: list[dict]) -> Alert:
    """Save a draft alert with its medicines (name, dmd_code) and required actions
    (description, due_on). A published alert keeps its actions: organisations are answering
    them; its words and medicines can still be put right."""
    check_alert(alert, actions)
    with transaction.atomic(), audit_as(by):
        if alert.pk is None:
            alert.created_by = by
        else:
            current = Alert.objects.select_for_update().get(pk=alert.pk)
            if current.is_published and _actions_differ(current, actions):
                raise ValidationError(
                    {
                        "actions": "Organisations are answering this alert's actions: they "
                        "cannot change now. Publish a new alert (or an update) instead"
                    }
                )
        try:
            with transaction.atomic():
                alert.save()
        except IntegrityError:
            raise ValidationError(
                {"reference": f"An alert with the reference {alert.reference} exists already"},
                code="unique",
            ) from None
        kept = [(m["name"].strip(), m.get("dmd_code", "")) for m in medicines]
        if kept != list(alert.medicines.order_by("pk").values_list("name", "dmd_code")):
            alert.medicines.all().delete()
            for name, dmd_code in kept:
                AlertMedicine.objects.create(alert=alert, name=name, dmd_code=dmd_code)
        if not alert.is_published and _actions_differ(alert, actions):
            alert.actions.all().delete()
            for position, action in enumerate(actions):
                AlertAction.objects.create(
                    alert=alert,
                    position=position,
                    description=action["description"].strip(),
                    due_on=action["due_on"],
                )
    return alert


def _actions_differ(alert: Alert, actions: list[dict]) -> bool:
    have = [(a.description, a.due_on) for a in alert.actions.all()]
    return have != [(a["description"].strip(), a["due_on"]) for a in actions]


def recipients_of(alert: Alert, on=None):
    """The open organisations of the kinds the alert applies to: (id, region, kind) rows."""
    return (
        Organisation.objects.open(on)
        .filter(kind__in=alert.applicable_kinds)
        .order_by("pk")
        .values_list("pk", "region", "kind")
    )


def alert_publish(*, by, alert: Alert) -> int:
    """Send the alert to every open organisation of the kinds it applies to: one response each,
    with an answer to each required action, and the tallies; all in one transaction of bulk
    statements. The organisations' MSOs are told once it has committed. Returns how many
    organisations it reached."""
    with transaction.atomic(), audit_as(by):
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.is_published:
            raise ValidationError("This alert is published already", code="published")
        actions = list(alert.actions.all())
        if not actions and alert.alert_type in choices.NATPSA_TYPES:
            raise ValidationError(
                "A National Patient Safety Alert needs its required actions before it is published",
                code="no_actions",
            )
        next_due = min((a.due_on for a in actions), default=NO_DEADLINE)
        organisations = list(recipients_of(alert))
        for start in range(0, len(organisations), BATCH):
            AlertResponse.objects.bulk_create(
                AlertResponse(
                    alert=alert, organisation_id=pk, region=region, kind=kind, next_due_on=next_due
                )
                for pk, region, kind in organisations[start : start + BATCH]
            )
        if actions:
            responses = AlertResponse.objects.filter(alert=alert).values_list("pk", flat=True)
            answers = (
                AlertActionResponse(response_id=response, action=action)
                for response in responses.iterator(chunk_size=BATCH)
                for action in actions
            )
            while batch := [answer for _, answer in zip(range(BATCH), answers, strict=False)]:
                AlertActionResponse.objects.bulk_create(batch)
        _count_tallies(alert)  # every response new, and nobody else sees them yet
        _publish_deadline(alert, next_due)
        alert.published_at, alert.published_by = timezone.now(), by
        alert.save(update_fields=["published_at", "published_by"])
        after_commit(lambda: queue("alerts.tasks.fan_out", alert.pk))
    return len(organisations)


def fan_out(alert: Alert) -> int:
    """Tell each organisation's MSO, deputy MSO and Patient Safety Specialists of a published
    alert: once each, whatever how often this runs (the reminder ledger), and marked done once
    all are written."""
    from notifications.services import notify

    from .reminders import publishing_notices

    written = notify(publishing_notices(alert))
    Alert.objects.filter(pk=alert.pk, notified_at__isnull=True).update(notified_at=timezone.now())
    return written


# The tallies --------------------------------------------------------------------------------


def recount_tallies(alert: Alert) -> None:
    """Set an alert's tallies from a count of its responses, as an operator does after changing
    responses by other means than these services. The responses are locked while they are
    counted, so no service moves a tally meanwhile."""
    with transaction.atomic():
        list(AlertResponse.objects.select_for_update().filter(alert=alert).values_list("pk"))
        _count_tallies(alert)


def _count_tallies(alert: Alert) -> None:
    AlertTally.objects.filter(alert=alert).delete()
    AlertTally.objects.bulk_create(
        AlertTally(alert=alert, **row)
        for row in AlertResponse.objects.filter(alert=alert)
        .values("region", "kind", "state", "next_due_on")
        .annotate(count=Count("pk"))
        .order_by()
    )


def _publish_deadline(alert: Alert, next_due: datetime.date) -> None:
    """Every organisation the alert reached has a new response due then: its earliest deadline
    is that, or the one it had if sooner. Two bulk statements."""
    if next_due == NO_DEADLINE:
        return
    reached = AlertResponse.objects.filter(alert=alert).values("organisation_id")
    OrganisationDeadline.objects.bulk_create(
        (
            OrganisationDeadline(organisation_id=pk, next_due_on=next_due)
            for pk in reached.values_list("organisation_id", flat=True).iterator(chunk_size=BATCH)
        ),
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    OrganisationDeadline.objects.filter(
        organisation_id__in=reached, next_due_on__gt=next_due
    ).update(next_due_on=next_due)


def _keep_deadline(organisation_id: int) -> None:
    """Work the organisation's earliest deadline out again from its open responses (one read
    of the past-deadline index), under a lock on its row, so that two responses saved at once
    cannot each leave out the other."""
    OrganisationDeadline.objects.bulk_create(
        [OrganisationDeadline(organisation_id=organisation_id, next_due_on=NO_DEADLINE)],
        ignore_conflicts=True,
    )
    row = OrganisationDeadline.objects.select_for_update().get(organisation_id=organisation_id)
    earliest = (
        AlertResponse.objects.filter(organisation_id=organisation_id)
        .open()
        .aggregate(earliest=Min("next_due_on"))["earliest"]
    )
    row.next_due_on = earliest or NO_DEADLINE
    row.save(update_fields=["next_due_on"])


def recount_deadlines() -> int:
    """Set every organisation's earliest deadline from a count of the responses, as an operator
    does after changing responses by other means than these services (and the national seed
    after its bulk load). Returns how many organisations have one."""
    with transaction.atomic():
        OrganisationDeadline.objects.all().delete()
        rows = (
            AlertResponse.objects.open()
            .values_list("organisation_id")
            .annotate(earliest=Min("next_due_on"))
            .order_by()
        )
        OrganisationDeadline.objects.bulk_create(
            (
                OrganisationDeadline(organisation_id=pk, next_due_on=earliest)
                for pk, earliest in rows.iterator(chunk_size=BATCH)
            ),
            batch_size=BATCH,
        )
        return OrganisationDeadline.objects.count()


def _tally_key(response: AlertResponse) -> dict:
    return {
        "alert_id": response.alert_id,
        "region": response.region,
        "kind": response.kind,
        "state": response.state,
        "next_due_on": response.next_due_on,
    }


def _bump(key: dict, by: int) -> None:
    if AlertTally.objects.filter(**key).update(count=F("count") + by):
        return
    try:
        with transaction.atomic():
            AlertTally.objects.create(**key, count=by)
    except IntegrityError:  # made by another response at the same moment
        AlertTally.objects.filter(**key).update(count=F("count") + by)


def _retally(response: AlertResponse, before: dict) -> None:
    after = _tally_key(response)
    if after != before:
        _bump(before, -1)
        _bump(after, +1)


def _next_due(response: AlertResponse) -> datetime.date:
    """The earliest deadline of the response's unfinished actions, while it is open."""
    if not response.is_open:
        return NO_DEADLINE
    earliest = (
        AlertActionResponse.objects.filter(response=response)
        .open()
        .aggregate(earliest=Min("action__due_on"))["earliest"]
    )
    return earliest or NO_DEADLINE


# The organisation's response ---------------------------------------------------------------


def _locked(response: AlertResponse) -> tuple[AlertResponse, dict]:
    response = AlertResponse.objects.select_for_update().select_related("alert").get(pk=response.pk)
    return response, _tally_key(response)


def _saved(response: AlertResponse, before: dict, *, event=None) -> AlertResponse:
    response.next_due_on = _next_due(response)
    response.save()
    _retally(response, before)
    if response.next_due_on != before["next_due_on"]:
        _keep_deadline(response.organisation_id)
    if event is not None:
        kind, by, note = event
        AlertResponseEvent.objects.create(response=response, kind=kind, by=by, note=note)
    return response


def _refuse_unless_open(response: AlertResponse) -> None:
    if not response.is_open:
        raise ValidationError(
            f"The response is {response.get_state_display().lower()}: reopen it first",
            code="closed",
        )


def response_acknowledge(*, by, response: AlertResponse) -> AlertResponse:
    with transaction.atomic(), audit_as(by):
        response, before = _locked(response)
        if response.acknowledged_at is not None:
            return response
        response.acknowledged_at, response.acknowledged_by = timezone.now(), by
        if response.state == ResponseState.NEW:
            response.state = ResponseState.ACKNOWLEDGED
        return _saved(response, before, event=(Kind.ACKNOWLEDGED, by, ""))


def response_decide(*, by, response: AlertResponse, applies: bool, rationale="") -> AlertResponse:
    """Whether the alert applies to the organisation. Deciding acknowledges it too; "it does
    not apply" needs a rationale and closes the response."""
    rationale = rationale.strip()
    if not applies and not rationale:
        raise ValidationError(
            {"rationale": "Say why the alert does not apply to the organisation"},
            code="no_rationale",
        )
    with transaction.atomic(), audit_as(by):
        response, before = _locked(response)
        if applies and response.state == ResponseState.IN_PROGRESS:
            return response  # decided so already: a second press
        if not applies and response.state == ResponseState.NOT_APPLICABLE:
            raise ValidationError(
                f"Recorded already: the alert does not apply ({response.rationale})",
                code=ALREADY,
            )
        _refuse_unless_open(response)
        if response.acknowledged_at is None:
            response.acknowledged_at, response.acknowledged_by = timezone.now(), by
        if applies:
            response.state, response.rationale = ResponseState.IN_PROGRESS, ""
            event = (Kind.APPLIES, by, "")
        else:
            response.state, response.rationale = ResponseState.NOT_APPLICABLE, rationale
            response.completed_at, response.completed_by = timezone.now(), by
            _clear_sent_back(response)
            event = (Kind.NOT_APPLICABLE, by, rationale)
        return _saved(response, before, event=event)


def response_lead_set(*, by, response: AlertResponse, lead) -> AlertResponse:
    _check_member(response, lead, "lead")
    with transaction.atomic(), audit_as(by):
        response, before = _locked(response)
        if lead is not None and response.signed_off_by_id == lead.pk:
            raise ValidationError(
                {
                    "lead": f"{lead.full_name or lead.email} signed off this response: whoever "
                    "leads it is someone else"
                },
                code="signs_off_own",
            )
        if response.lead_id == (lead.pk if lead else None):
            return response  # named already: a second press
        response.lead = lead
        note = lead.full_name or lead.email if lead else "No lead"
        return _saved(response, before, event=(Kind.LEAD, by, note))


def _check_member(response: AlertResponse, person, field: str) -> None:
    from organisations.services import check_member

    check_member(response.organisation_id, person, field)


def action_response_save(
    *, by, answer: AlertActionResponse, owner, state: str, evidence: str, done_on
) -> AlertActionResponse:
    """What was done about one required action. Finished (done, or not needed here) needs an
    owner; the rest of the rules are every owned action's (core.actions)."""
    finished = state not in AlertActionResponse.OPEN_STATES
    AlertActionResponse.check_progress(
        state=state,
        evidence=evidence,
        done_on=done_on,
        errors={"owner": "Name who owns the action before it is marked done"}
        if finished and owner is None
        else {},
    )
    _check_member(answer.response, owner, "owner")
    with transaction.atomic(), audit_as(by):
        response, before = _locked(answer.response)
        _refuse_unless_open(response)
        answer = AlertActionResponse.objects.select_for_update().get(pk=answer.pk)
        fields = ("owner_id", "state", "evidence", "done_on")
        had = [getattr(answer, name) for name in fields]
        answer.owner = owner
        answer.record_progress(state=state, evidence=evidence, done_on=done_on)
        if [getattr(answer, name) for name in fields] == had:
            return answer  # as it was: a second press, nothing to sign off again
        answer.save()
        if response.state in (ResponseState.NEW, ResponseState.ACKNOWLEDGED):
            if response.acknowledged_at is None:
                response.acknowledged_at, response.acknowledged_by = timezone.now(), by
            response.state = ResponseState.IN_PROGRESS
        response.signed_off_at = response.signed_off_by = None  # sign-off is of what was done
        note = f"{answer.action.description[:120]}: {answer.get_state_display()}"
        _saved(response, before, event=(Kind.ACTION, by, note))
        if finished and _waits_for_sign_off(response):  # its turn: whoever signs it off is told
            notify(reminders.waiting_for_sign_off(response))
    return answer


def evidence_add(*, by, answer: AlertActionResponse, upload, filename: str, content_type: str):
    """A file of evidence for one required action, while the response is open. An executive
    sign-off is of what was done, so a file added after it needs signing off again."""
    with transaction.atomic(), audit_as(by):
        response, before = _locked(answer.response)
        _refuse_unless_open(response)
        same = AlertEvidence.kept_already(answer.files.all(), upload, filename=filename, by=by)
        if same is not None:  # the same file again: a second press
            return same
        evidence = AlertEvidence.keep(
            upload, filename=filename, content_type=content_type, by=by, action_response=answer
        )
        response.signed_off_at = response.signed_off_by = None
        _saved(response, before, event=(Kind.EVIDENCE, by, filename))
    return evidence


def _unfinished(response: AlertResponse) -> list[AlertActionResponse]:
    return list(
        AlertActionResponse.objects.filter(response=response).open().select_related("action")
    )


def _waits_for_sign_off(response: AlertResponse) -> bool:
    """Whether the response waits for senior sign-off now: as the signer's list
    (``AlertResponseQuerySet.waiting_for_sign_off``) has it."""
    return AlertResponse.objects.filter(pk=response.pk).waiting_for_sign_off().exists()


def _clear_sent_back(response: AlertResponse) -> None:
    response.sent_back_at = response.sent_back_by = None
    response.sent_back_note = ""


def _by(person) -> str:
    return (person.full_name or person.email) if person else "someone"


def _on(moment) -> str:
    moment = timezone.localtime(moment)
    return f"{moment.day} {moment:%B %Y} at {moment:%H:%M}"


def signer_label(organisation) -> str:
    """Who gives senior sign-off in an organisation of its kind, in words."""
    post = SENIOR_SIGN_OFF.get(organisation.kind, Post.BOARD_DIRECTOR)
    if post == Post.BOARD_DIRECTOR:
        return "the board director"
    label = str(post.label)
    if label[1:2].islower():  # "Superintendent …" reads "superintendent …"; "GP …" stays
        label = label[0].lower() + label[1:]
    return f"the {label}"


def _refuse_unless_ready_to_sign(response: AlertResponse, by) -> None:
    """What senior sign-off, and sending a response back instead, both need: an open response
    that applies, not led by the person, with every action finished."""
    _refuse_unless_open(response)
    if response.state != ResponseState.IN_PROGRESS:
        raise ValidationError("Decide that the alert applies before it is signed off")
    if response.signed_off_at is not None:
        raise ValidationError(
            f"The response is signed off already, by {_by(response.signed_off_by)} on "
            f"{_on(response.signed_off_at)}",
            code=ALREADY,
        )
    if response.lead_id == by.pk:
        raise ValidationError(
            "You lead this response, so someone else signs it off: "
            f"{signer_label(response.organisation)}, or whoever else holds the senior "
            "sign-off",
            code="signs_off_own",
        )
    left = _unfinished(response)
    if left:
        raise ValidationError(
            f"{len(left)} {'action is' if len(left) == 1 else 'actions are'} not done yet: "
            "every action must be done, or not needed here, before sign-off",
            code="unfinished",
        )


def response_sign_off(*, by, response: AlertResponse, note="") -> AlertResponse:
    """Senior sign-off (SENIOR_SIGN_OFF: the board director, or where there is no board the
    post that answers for the organisation): every action done, or not needed here. A response
    sent back may still be signed off (the signer assured after all): that ends the send-back."""
    with transaction.atomic(), audit_as(by):
        response, before = _locked(response)
        _refuse_unless_ready_to_sign(response, by)
        response.signed_off_at, response.signed_off_by = timezone.now(), by
        response.sign_off_note = note.strip()
        _clear_sent_back(response)
        response = _saved(response, before, event=(Kind.SIGNED_OFF, by, response.sign_off_note))
        notify(reminders.signed_off(response))
        return response


def response_send_back(*, by, response: AlertResponse, note: str) -> AlertResponse:
    """Whoever signs the response off, not assured, sends it back saying what is needed (the
    evidence is thin, an action marked not needed here without a good reason): while it waits
    for their sign-off. It leaves the signers' list until the responders ask again
    (``response_sign_off_ask``); its lead and the MSO are told."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Say what is needed before you can sign it off"})
    with transaction.atomic(), audit_as(by):
        response, before = _locked(response)
        _refuse_unless_open(response)
        if response.sent_back_at is not None:
            raise ValidationError(
                f"The response is sent back already, by {_by(response.sent_back_by)} on "
                f"{_on(response.sent_back_at)}",
                code=ALREADY,
            )
        _refuse_unless_ready_to_sign(response, by)
        if not response.alert.needs_sign_off:
            raise ValidationError(
                "By the alert's own terms its response needs no senior sign-off",
                code="no_sign_off",
            )
        response.sent_back_at, response.sent_back_by = timezone.now(), by
        response.sent_back_note = note
        response = _saved(response, before, event=(Kind.SENT_BACK, by, note))
        times = response.events.filter(kind=Kind.SENT_BACK).count()
        notify(reminders.sent_back(response, times))
        return response


def response_sign_off_ask(*, by, response: AlertResponse) -> AlertResponse:
    """The responders, having put right what the signer asked for, ask for sign-off again:
    the response is back on the signers' list and they are told. Every action must be
    finished first."""
    with transaction.atomic(), audit_as(by):
        response, before = _locked(response)
        _refuse_unless_open(response)
        if response.sent_back_at is None:
            if response.signed_off_at is not None:
                raise ValidationError(
                    f"The response is signed off already, by {_by(response.signed_off_by)} on "
                    f"{_on(response.signed_off_at)}",
                    code=ALREADY,
                )
            asked = response.events.filter(kind=Kind.SIGN_OFF_ASKED).order_by("-at").first()
            if asked is not None:
                raise ValidationError(
                    f"Sign-off is asked for again already, by {_by(asked.by)} on {_on(asked.at)}",
                    code=ALREADY,
                )
            raise ValidationError(
                "The response is not sent back: it needs no asking again", code="not_sent_back"
            )
        left = _unfinished(response)
        if left:
            raise ValidationError(
                f"{len(left)} {'action is' if len(left) == 1 else 'actions are'} not done yet: "
                "every action must be done, or not needed here, before sign-off is asked for "
                "again",
                code="unfinished",
            )
        _clear_sent_back(response)
        response = _saved(response, before, event=(Kind.SIGN_OFF_ASKED, by, ""))
        times = response.events.filter(kind=Kind.SIGN_OFF_ASKED).count()
        notify(reminders.sign_off_asked(response, times))
        return response


def response_complete(*, by, response: AlertResponse) -> AlertResponse:
    with transaction.atomic(), audit_as(by):
        response, before = _locked(response)
        _refuse_unless_open(response)
        if response.state != ResponseState.IN_PROGRESS or _unfinished(response):
            raise ValidationError(
                "Every action must be done, or not needed here, before it is complete",
                code="unfinished",
            )
        if response.alert.needs_sign_off and response.signed_off_at is None:
            raise ValidationError(
                f"{capfirst(signer_label(response.organisation))} signs off the response "
                "before it is declared complete",
                code="not_signed_off",
            )
        response.state = ResponseState.COMPLETED
        response.completed_at, response.completed_by = timezone.now(), by
        return _saved(response, before, event=(Kind.COMPLETED, by, ""))


def response_reopen(*, by, response: AlertResponse, reason: str) -> AlertResponse:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the response is reopened"}, code="no_reason")
    with transaction.atomic(), audit_as(by):
        response, before = _locked(response)
        if response.is_open:
            raise ValidationError("The response is open already", code="open")
        response.state = ResponseState.IN_PROGRESS
        response.rationale = ""
        response.signed_off_at = response.signed_off_by = None
        response.completed_at = response.completed_by = None
        response.cas_closed_on = response.cas_closed_by = None
        _clear_sent_back(response)
        return _saved(response, before, event=(Kind.REOPENED, by, reason))


def response_cas_closed(*, by, response: AlertResponse, closed_on) -> AlertResponse:
    """Record the day the organisation closed the alert in the Central Alerting System, where
    it still answers: once its response here is finished (complete, or not applicable), on or
    after the alert was issued and not in the future. Reopening the response clears it."""
    with transaction.atomic(), audit_as(by):
        response, before = _locked(response)
        if response.is_open:
            raise ValidationError(
                {"closed_on": "Finish the response here first: complete, or not applicable"},
                code="open",
            )
        if closed_on > timezone.localdate():
            raise ValidationError({"closed_on": "The date must be today or in the past"})
        if closed_on < response.alert.issued_on:
            raise ValidationError(
                {"closed_on": "The date must be on or after the day the alert was issued"}
            )
        if response.cas_closed_on == closed_on:  # a second press, or another tab
            return response
        response.cas_closed_on, response.cas_closed_by = closed_on, by
        note = f"Closed in CAS on {closed_on.day} {closed_on:%B %Y}"
        return _saved(response, before, event=(Kind.CAS_CLOSED, by, note))


def incident_link(*, by, response: AlertResponse, incident) -> AlertIncident:
    if incident.organisation_id != response.organisation_id:
        raise ValidationError(
            {"reference": "Link an incident of the organisation that is responding"}
        )
    with transaction.atomic(), audit_as(by):
        link, created = AlertIncident.objects.get_or_create(
            response=response, incident=incident, defaults={"linked_by": by}
        )
        if created:
            AlertResponseEvent.objects.create(
                response=response, kind=Kind.INCIDENT, by=by, note=incident.reference
            )
    return link


def incident_unlink(*, by, link: AlertIncident) -> None:
    with transaction.atomic(), audit_as(by):
        link.delete()
