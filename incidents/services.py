"""Services for medication incidents: the only writers of incidents and what hangs off them.

Each is atomic and audited (auditlog records who changed what, with before and after; the
workflow's steps are also kept as ``IncidentEvent`` rows, shown as the incident's timeline).

Anonymous reports (``report_submit(anonymous=True)``) keep nothing of the reporter: no user, no
audit entry naming them or their address, the day of reporting but not the time, and their
draft is removed in the same transaction (what is kept of it, ``SentDraft``, names neither them
nor the report: it answers a second send "sent already"). The rows they write (the incident,
its medicines, its first events, their series' counter) take random ids below zero
(``unordered_id``), out of the sequence named reports number their rows in.

What a person can send twice (a second press of a button, a reload that sends the form again,
another tab) is written once: each service locks the row its write hangs off (the incident, the
organisation, the person) and finds there what the first sending wrote, or refuses with the code
``ALREADY`` a step that is taken already, which the views show as news rather than an error.
"""

import datetime

from auditlog.context import disable_auditlog
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.audit import audit_as
from notifications.registry import Reminder
from notifications.services import notify
from organisations.choices import PRIMARY_CARE, OrganisationKind, Post
from organisations.models import Appointment, Organisation, OrganisationClosure

from . import medicines as medicine_flags
from . import receipt_again
from .lfpse import submission as lfpse
from .models import (
    DRAFTS_EMPTY_KEPT_DAYS,
    Draft,
    Incident,
    IncidentAction,
    IncidentComment,
    IncidentEvent,
    IncidentMedicine,
    PatientFeedback,
    ProcessChange,
    ReferenceCounter,
    SentDraft,
    Status,
    Theme,
    unordered_id,
)
from .permissions import BODIES_WITH_THEIR_OWN_INCIDENTS
from .receipt_again import new_token

Kind = IncidentEvent.Kind
ALREADY = "already"  # the code of a refusal to do again what is done (a second press)

# A comment, a note to the other organisation or a patient's feedback the same as one the same
# person wrote within this long is taken for a second press of the same form (a reload, another
# tab) and not written again. The same words later (a real "Chased again" a week on) are new.
REPEAT_WITHIN = datetime.timedelta(minutes=2)

# Which steps the workflow allows, from each state.
MOVES = {
    Status.SUBMITTED: {Status.IN_REVIEW, Status.DUPLICATE},
    Status.IN_REVIEW: {Status.AWAITING_ACTIONS, Status.CLOSED, Status.DUPLICATE},
    Status.AWAITING_ACTIONS: {Status.IN_REVIEW, Status.CLOSED},
    Status.CLOSED: {Status.IN_REVIEW},
    Status.DUPLICATE: {Status.IN_REVIEW},
}


# Drafts ------------------------------------------------------------------------------------


class DraftGone(Exception):
    """The draft is no longer there: sent (``sent``, what is kept of it: another press, a reload
    or another tab sent it first) or deleted (``sent`` is None)."""

    def __init__(self, sent: SentDraft | None):
        super().__init__("This draft was sent" if sent else "This draft was deleted")
        self.sent = sent


def draft_gone(*, by, pk: int, sending: str = "") -> DraftGone:
    """Why the person's draft ``pk`` is not there: sent with their name, sent anonymously from
    the page whose token is ``sending`` (incidents.receipt_again), or neither (deleted, or sent
    anonymously from another page: nothing kept says by whom)."""
    keys = [SentDraft.key_for(by.pk, pk)] + ([receipt_again.sent_key(sending)] if sending else [])
    return DraftGone(SentDraft.objects.select_related("incident").filter(key__in=keys).first())


def draft_save(*, by, organisation, data: dict, draft: Draft | None = None) -> Draft:
    """Keep what someone has typed so far, as their draft (``DraftGone`` if it was sent or
    deleted meanwhile)."""
    if draft is None:
        with transaction.atomic():
            # The person's drafts, one change at a time: a second press of "Continue" on a new
            # report finds the draft the first made of the same words, not a second one.
            get_user_model().objects.select_for_update().filter(pk=by.pk).first()
            same = Draft.objects.filter(user=by, organisation=organisation, data=data).first()
            return same or Draft.objects.create(user=by, organisation=organisation, data=data)
    if draft.user_id != by.pk:
        raise ValidationError("This draft is somebody else's")
    # One statement, so that a draft sent meanwhile is found gone, not saved over (an UPDATE
    # waits for a send that holds the draft's lock, then finds no row).
    if not Draft.objects.filter(pk=draft.pk).update(data=data, updated_at=timezone.now()):
        raise draft_gone(by=by, pk=draft.pk)
    draft.data = data
    return draft


def drafts_purge(on=None) -> int:
    """Remove the drafts with nothing typed in them, untouched for DRAFTS_EMPTY_KEPT_DAYS; how
    many. (A draft with something typed stays until it is sent or deleted.)"""
    cutoff = (on or timezone.now()) - datetime.timedelta(days=DRAFTS_EMPTY_KEPT_DAYS)
    empty = [draft.pk for draft in Draft.objects.filter(updated_at__lt=cutoff) if draft.is_empty]
    Draft.objects.filter(pk__in=empty).delete()
    return len(empty)


def draft_discard(*, by, draft: Draft) -> None:
    if draft.user_id != by.pk:
        raise ValidationError("This draft is somebody else's")
    draft.delete()


# Reporting ---------------------------------------------------------------------------------


def _next_reference(organisation: Organisation, year: int, *, anonymous=False) -> str:
    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(
        organisation=organisation,
        year=year,
        anonymous=anonymous,
        defaults={"id": unordered_id()} if anonymous else {},
    )
    ReferenceCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    number = f"A{counter.last:05d}" if anonymous else f"{counter.last:06d}"
    return f"{organisation.ods_code}-{year}-{number}"


def _kept(organisation, medicines: list[dict]) -> list[dict]:
    """The medicines as they are kept: coded from the dm+d and flagged (medicines.py), each
    looked up once."""
    high_risk = medicine_flags.high_risk_codes(organisation)
    kept = []
    for medicine in medicines:
        code, flags = medicine_flags.coded(medicine, high_risk)
        kept.append(
            {
                "name": medicine["name"].strip(),
                "dmd_code": code,
                "route": medicine.get("route") or "",
                "dose": (medicine.get("dose") or "").strip(),
                "high_risk_group": flags.high_risk_group,
                "cd_schedule": medicine_flags.schedule_of(medicine, flags),
                "substance": flags.substance,
                "product": flags.product,
            }
        )
    return kept


def _record_medicines(incident: Incident, kept: list[dict], *, unordered=False) -> None:
    """Record the incident's medicines (``_kept``) in place of those it had (``unordered``:
    with ids out of the sequence, for an anonymous report)."""
    incident.medicines.all().delete()
    rows = [
        IncidentMedicine(
            id=unordered_id() if unordered else None, incident=incident, position=position, **row
        )
        for position, row in enumerate(kept)
    ]
    for row in rows:
        row.save(force_insert=True)  # one by one, so that each is audited
    incident.high_risk = any(row.high_risk_group for row in rows)
    incident.controlled_drug = any(row.cd_schedule for row in rows)
    incident.medicine_names = " | ".join(row.name for row in rows)


def report_submit(
    *,
    by,
    organisation: Organisation,
    details: dict,
    medicines: list[dict],
    anonymous: bool = False,
    draft: Draft | None = None,
    arose_in: Organisation | None = None,
    sending: str = "",
) -> tuple[Incident, str]:
    """Record a reported incident, shared with ``arose_in`` when the reporter names where it
    arose (its MSO is told at once; for an anonymous report, in the next day's sweep). Returns
    the incident and, for an anonymous report, the receipt code its reporter follows it with
    ("" otherwise)."""
    if not medicines:
        raise ValidationError("Enter at least one medicine", code="no_medicine")
    if details["occurred_on"] > timezone.localdate():
        raise ValidationError(
            {"occurred_on": "The date of the incident must be today or in the past"}
        )
    if arose_in is not None:
        _check_arose_in(arose_in, organisation, "arose_in")
    receipt = ""
    with transaction.atomic():
        # The draft is locked until the report is sent and the draft gone: another send of it
        # (a second press, a reload, another tab) waits here, then finds it gone.
        mine = draft is not None and draft.user_id == by.pk
        if mine and Draft.objects.select_for_update().filter(pk=draft.pk).first() is None:
            raise draft_gone(by=by, pk=draft.pk, sending=sending)
        now = timezone.now()
        incident = Incident(organisation=organisation, **details)
        if anonymous:
            receipt, incident.receipt_hash = Incident.new_receipt()
            incident.anonymous = True
            incident.reported_at = timezone.make_aware(
                datetime.datetime.combine(timezone.localdate(now), datetime.time())
            )
        else:
            incident.reporter = by
            incident.reported_at = now
        incident.reference = _next_reference(
            organisation, timezone.localdate(now).year, anonymous=anonymous
        )
        if anonymous:
            with disable_auditlog():
                _create(incident, medicines, by=None, unordered=True)
        else:
            with audit_as(by):
                _create(incident, medicines, by=by)
        if arose_in is not None:
            incident.arose_in = arose_in
            incident.save(update_fields=["arose_in"])
            IncidentEvent.objects.create(
                id=unordered_id() if anonymous else None,
                incident=incident,
                kind=Kind.SHARED,
                by=None if anonymous else by,
                at=incident.reported_at,
                note=f"Shared with {arose_in.name}, where it arose, by the reporter",
            )
            if not anonymous:
                notify(shared_notices(incident, arose_in))
        if mine:
            # An anonymous one's under the token of the page that sent it, never the person's.
            # Its codes are kept for a second press before the commit, so that the press
            # waiting for this one's lock finds them.
            if anonymous:
                token = sending or new_token()
                SentDraft.objects.create(key=receipt_again.sent_key(token))
                receipt_again.keep(token, reference=incident.reference, receipt=receipt)
            else:
                SentDraft.objects.create(key=SentDraft.key_for(by.pk, draft.pk), incident=incident)
            draft.delete()
        if incident.controlled_drug and not anonymous:
            # An anonymous one is told in the next day's sweep (reminders.py): a notice
            # written now would keep the time it was sent.
            notify(controlled_drug_notices(incident))
        lfpse.on_report(incident)
    return incident, receipt


def _create(incident: Incident, medicines: list[dict], *, by, unordered=False) -> None:
    """Write a reported incident, its medicines and its first event (``unordered``: each with
    a random id below zero, for an anonymous report)."""
    if unordered:
        incident.pk = unordered_id()
    incident.save(force_insert=True)
    _record_medicines(incident, _kept(incident.organisation, medicines), unordered=unordered)
    incident.save(update_fields=["high_risk", "controlled_drug", "medicine_names"])
    IncidentEvent.objects.create(
        id=unordered_id() if unordered else None,
        incident=incident,
        kind=Kind.SUBMITTED,
        by=by,
        at=incident.reported_at,
    )


def cdao_recipients(organisation: Organisation, on=None) -> list[int]:
    """Who is told of a controlled-drug incident at ``organisation`` (The Controlled Drugs
    (Supervision of Management and Use) Regulations 2013): the CDAO of the organisation when it
    is a designated body (a trust, an independent hospital); for a practice, network or
    pharmacy, the CDAO of the ICB whose area it is in, under the primary care duties NHS
    England delegates. Never a CDAO of another body: NHS England's regional CDAO reads the
    region's occurrences and their quarterly reports instead (controlled_drugs)."""
    on = on or timezone.localdate()
    if organisation.kind in BODIES_WITH_THEIR_OWN_INCIDENTS:  # the rule's own kinds
        holders = Appointment.objects.filter(organisation=organisation)
    elif organisation.kind in PRIMARY_CARE:
        reaching = OrganisationClosure.objects.valid_on(on).filter(
            descendant=organisation, area=True, ancestor__kind=OrganisationKind.ICB
        )
        holders = Appointment.objects.filter(organisation_id__in=reaching.values("ancestor_id"))
    else:
        return []
    return list(
        holders.filter(post=Post.CDAO, user__isnull=False, user__is_active=True)
        .current(on)
        .values_list("user_id", flat=True)
        .distinct()
    )


def controlled_drug_notices(incident: Incident, on=None):
    """The CDAO's notice of a controlled-drug incident: once for each CDAO, whenever it is
    given (the ledger's key is the incident and the day it was reported)."""
    for user_id in cdao_recipients(incident.organisation, on):
        yield Reminder(
            subject=f"incident:{incident.pk}",
            kind="controlled-drug-reported",
            due_on=timezone.localdate(incident.reported_at),
            recipient_id=user_id,
            title=f"Controlled drug incident reported: {incident.reference}",
            body=(
                f"A medication incident involving a controlled drug was reported at "
                f"{incident.organisation.name}."
            ),
            url=incident.get_absolute_url(),
        )


# Review ------------------------------------------------------------------------------------


def _event(incident, kind, by, note=""):
    IncidentEvent.objects.create(incident=incident, kind=kind, by=by, note=note)


def _lock(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _move(incident: Incident, to: Status) -> None:
    if incident.status == to:  # a second press, or another tab
        raise ValidationError(f"The incident is {Status(to).label.lower()} already", code=ALREADY)
    if to not in MOVES[Status(incident.status)]:
        raise ValidationError(
            f"An incident that is {incident.get_status_display().lower()} cannot be moved to "
            f"{Status(to).label.lower()}",
            code="not_allowed",
        )
    incident.status = to


def review_start(*, by, incident: Incident) -> Incident:
    with transaction.atomic(), audit_as(by):
        incident = _lock(incident)
        _move(incident, Status.IN_REVIEW)
        incident.review_started_at = incident.review_started_at or timezone.now()
        incident.save(update_fields=["status", "review_started_at"])
        _event(incident, Kind.REVIEW_STARTED, by)
    return incident


def incident_correct(*, by, incident: Incident, changes: dict, medicines=None) -> Incident:
    """Correct what was reported: auditlog keeps each field before and after. An incident that
    a correction makes a controlled-drug incident is told to the area's CDAO."""
    occurred_on = changes.get("occurred_on")
    if occurred_on and occurred_on > timezone.localdate():
        raise ValidationError(
            {"occurred_on": "The date of the incident must be today or in the past"}
        )
    if medicines is not None and not medicines:
        raise ValidationError("Enter at least one medicine", code="no_medicine")
    with transaction.atomic(), audit_as(by):
        incident = _lock(incident)
        was_controlled = incident.controlled_drug
        changed = [name for name, value in changes.items() if getattr(incident, name) != value]
        for name in changed:
            setattr(incident, name, changes[name])
        kept = None if medicines is None else _kept(incident.organisation, medicines)
        if kept is not None and _medicines_differ(incident, kept):
            _record_medicines(incident, kept)
            changed += ["high_risk", "controlled_drug", "medicine_names", "medicines"]
        if not changed:
            return incident
        incident.save()
        _event(incident, Kind.CORRECTED, by, note=_changed_note(changed))
        lfpse.follow_change(incident)
        if incident.controlled_drug and not was_controlled:
            notify(controlled_drug_notices(incident))
    return incident


def _medicines_differ(incident, kept: list[dict]) -> bool:
    """Whether the medicines ``kept`` say anything other than what is kept now (a flag the
    list would set differently today is no correction)."""
    keys = ("name", "dmd_code", "route", "dose", "cd_schedule")
    have = [{key: getattr(m, key) for key in keys} for m in incident.medicines.all()]
    return have != [{key: m[key] for key in keys} for m in kept]


def medicine_code(*, by, incident: Incident, medicine: IncidentMedicine, code: str):
    """Code a reported medicine from the dm+d, as the safety team does for one the reporter's
    words did not code: the reporter's words stay; its high-risk group follows the code, and its
    controlled-drug schedule too where the code is a product's (incidents/medicines.py). An
    incident it makes a controlled-drug incident is told to its CDAO."""
    from medicines import lookup

    found = lookup.by_code(code)
    if found is None:
        raise ValidationError({"code": "Select the medicine from the list"})
    with transaction.atomic(), audit_as(by):
        incident = _lock(incident)
        medicine = incident.medicines.get(pk=medicine.pk)
        if medicine.dmd_code == found.code:  # coded so already: a second press
            return medicine
        was_controlled = incident.controlled_drug
        high_risk = medicine_flags.high_risk_codes(incident.organisation)
        code, flags = medicine_flags.coded(
            {"name": medicine.name, "dmd_code": found.code}, high_risk
        )
        medicine.dmd_code = code
        medicine.high_risk_group = flags.high_risk_group
        medicine.substance = flags.substance
        medicine.product = flags.product
        if found.cd_schedule is not None:  # a product: the dm+d says
            medicine.cd_schedule = found.cd_schedule
        medicine.save()
        rows = list(incident.medicines.all())
        incident.high_risk = any(row.high_risk_group for row in rows)
        incident.controlled_drug = any(row.cd_schedule for row in rows)
        incident.save(update_fields=["high_risk", "controlled_drug"])
        _event(
            incident,
            Kind.CORRECTED,
            by,
            note=f"Coded from the dm+d: {medicine.name} as {found.name}",
        )
        lfpse.follow_change(incident)
    if incident.controlled_drug and not was_controlled:
        notify(controlled_drug_notices(incident))
    return medicine


def _changed_note(names) -> str:
    fields = {f.name: f for f in Incident._meta.get_fields() if hasattr(f, "verbose_name")}
    words = [
        str(fields[name].verbose_name) if name in fields else name.replace("_", " ")
        for name in dict.fromkeys(names)
        if name not in ("high_risk", "controlled_drug", "medicine_names")
    ]
    return "Changed: " + ", ".join(words)


def themes_named(organisation, names: list[str]) -> list[Theme]:
    """The organisation's themes of these names, new ones added (a name matched whatever its
    case)."""
    kept = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        theme = Theme.objects.filter(
            organisation=organisation, name__iexact=name
        ).first() or Theme.objects.create(organisation=organisation, name=name[:60])
        kept.append(theme)
    return kept


def learning_record(
    *, by, incident: Incident, response: str, summary: str, themes: list[str], related=()
) -> Incident:
    """The learning from an incident: its PSIRF learning response, a summary, themes (new ones
    are added to the organisation's) and related incidents of the same organisation."""
    with transaction.atomic(), audit_as(by):
        incident = _lock(incident)
        incident.learning_response = response
        incident.learning_summary = summary
        incident.save(update_fields=["learning_response", "learning_summary"])
        incident.themes.set(themes_named(incident.organisation, themes))
        others = [other for other in related if other.organisation_id == incident.organisation_id]
        incident.related.set([other for other in others if other.pk != incident.pk])
    return incident


def incident_move(*, by, incident: Incident, to: Status, note: str = "") -> Incident:
    """Move an incident on: waiting for actions, or back into review (reopening a closed one
    needs a reason)."""
    with transaction.atomic(), audit_as(by):
        incident = _lock(incident)
        reopening = incident.status in (Status.CLOSED, Status.DUPLICATE)
        if reopening and not note.strip():
            raise ValidationError({"note": "Enter why you are reopening this incident"})
        _move(incident, to)
        if (
            to == Status.AWAITING_ACTIONS
            and not incident.actions.filter(state=IncidentAction.State.OPEN).exists()
        ):
            raise ValidationError({"note": "Add an action before waiting for actions"})
        if reopening:
            incident.closed_at = None
            incident.duplicate_of = None
        incident.save(update_fields=["status", "closed_at", "duplicate_of"])
        if reopening:
            kind = Kind.REOPENED
        elif to == Status.AWAITING_ACTIONS:
            kind = Kind.AWAITING_ACTIONS
        else:
            kind = Kind.BACK_IN_REVIEW
        _event(incident, kind, by, note.strip())
    return incident


def incident_close(*, by, incident: Incident, feedback: str) -> Incident:
    """Close an incident with feedback to its reporter, who is told (unless anonymous)."""
    feedback = feedback.strip()
    if not feedback:
        raise ValidationError({"feedback": "Enter the feedback to the reporter"})
    with transaction.atomic(), audit_as(by):
        incident = _lock(incident)
        if incident.actions.filter(state=IncidentAction.State.OPEN).exists():
            raise ValidationError(
                {"feedback": "Complete or cancel the open actions before closing the incident"}
            )
        _move(incident, Status.CLOSED)
        incident.feedback = feedback
        incident.closed_at = timezone.now()
        incident.save(update_fields=["status", "feedback", "closed_at"])
        _event(incident, Kind.CLOSED, by)
        if incident.reporter_id:
            notify([_feedback_notice(incident)])
    return incident


def _feedback_notice(incident: Incident) -> Reminder:
    return Reminder(
        subject=f"incident:{incident.pk}",
        kind=f"feedback-{incident.events.filter(kind=Kind.CLOSED).count()}",
        due_on=timezone.localdate(),
        recipient_id=incident.reporter_id,
        title=f"Feedback on your incident report {incident.reference}",
        body=(
            f"The medication safety team at {incident.organisation.name} has reviewed the "
            "incident you reported and left feedback for you."
        ),
        url=incident.get_absolute_url(),
    )


def incident_mark_duplicate(*, by, incident: Incident, original: Incident, note: str = ""):
    if original.pk == incident.pk or original.organisation_id != incident.organisation_id:
        raise ValidationError({"original": "Choose another incident of the same organisation"})
    if original.duplicate_of_id:
        original = original.duplicate_of
    with transaction.atomic(), audit_as(by):
        incident = _lock(incident)
        _move(incident, Status.DUPLICATE)
        incident.duplicate_of = original
        incident.closed_at = timezone.now()
        incident.save(update_fields=["status", "duplicate_of", "closed_at"])
        _event(
            incident, Kind.DUPLICATE, by, note=f"Duplicate of {original.reference}. {note}".strip()
        )
    return incident


def possible_duplicates(incident: Incident):
    """Other incidents of the organisation on the same day naming one of the same medicines."""
    names = [m.name for m in incident.medicines.all()]
    if not names:
        return Incident.objects.none()
    from django.db.models import Q

    same_medicine = Q()
    for name in names:
        same_medicine |= Q(medicines__name__iexact=name)
    return (
        Incident.objects.filter(
            organisation_id=incident.organisation_id, occurred_on=incident.occurred_on
        )
        .filter(same_medicine)
        .exclude(pk=incident.pk)
        .distinct()
        .order_by("tiebreak")[:10]
    )


# Actions, comments -------------------------------------------------------------------------


def action_add(*, by, incident: Incident, description: str, owner, due_on) -> IncidentAction:
    with transaction.atomic(), audit_as(by):
        incident = _lock(incident)
        action = {"description": description.strip(), "owner": owner, "due_on": due_on}
        # The same open action again (a second press) is the one there.
        same = incident.actions.filter(state=IncidentAction.State.OPEN, **action).first()
        return same or IncidentAction.objects.create(incident=incident, **action)


def action_update(*, by, action: IncidentAction, **changes) -> IncidentAction:
    with transaction.atomic(), audit_as(by):
        action = IncidentAction.objects.select_for_update().get(pk=action.pk)
        for name, value in changes.items():
            setattr(action, name, value)
        action.record_progress(state=action.state, done_on=action.done_on or timezone.localdate())
        action.save()
    return action


def comment_add(*, by, incident: Incident, body: str) -> IncidentComment:
    with transaction.atomic(), audit_as(by):
        incident = _lock(incident)
        comment = {"author": by, "body": body.strip()}
        same = incident.comments.filter(created_at__gt=_a_moment_ago(), **comment).last()
        return same or IncidentComment.objects.create(incident=incident, **comment)


def _a_moment_ago() -> datetime.datetime:
    """Since when the same words again are a second press (``REPEAT_WITHIN``)."""
    return timezone.now() - REPEAT_WITHIN


def attachment_add(*, by, incident: Incident, upload, filename: str, content_type: str):
    from .models import IncidentAttachment

    with transaction.atomic(), audit_as(by):
        incident = _lock(incident)
        return IncidentAttachment.kept_already(
            incident.attachments.all(), upload, filename=filename, by=by
        ) or IncidentAttachment.keep(
            upload, filename=filename, content_type=content_type, by=by, incident=incident
        )


# The high-risk medicines list ---------------------------------------------------------------


def high_risk_add(*, by, organisation, medicine, group: str):
    """Add a dm+d substance or product (``medicine``: a medicines.lookup.Coded VTM or VMP) to
    the organisation's list, or switch a national one back on."""
    from .models import HighRiskMedicine

    group = " ".join(group.split())
    with transaction.atomic(), audit_as(by):
        # One change to the organisation's list at a time: a second press waits, then finds
        # the medicine on the list rather than clashing with the first.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        own = HighRiskMedicine.objects.filter(
            organisation=organisation, dmd_code=medicine.code
        ).first()
        if own is not None and not own.excluded:
            raise ValidationError({"medicine": f"{medicine.name} is already on the list"})
        national = HighRiskMedicine.objects.filter(
            organisation__isnull=True, dmd_code=medicine.code
        ).first()
        if own is not None and national is not None:  # switched off here: on again
            own.delete()
            return None
        if own is not None:  # switched off, and the national list no longer has it: its own
            own.excluded, own.group = False, group
            own.save()
            return own
        if national is not None:
            raise ValidationError(
                {"medicine": f"{medicine.name} is already on the national list ({national.group})"}
            )
        return HighRiskMedicine.objects.create(
            organisation=organisation,
            dmd_code=medicine.code,
            level=medicine.level,
            name=medicine.name,
            group=group,
        )


def high_risk_remove(*, by, organisation, entry):
    """Take a medicine off the organisation's list: its own is deleted, a national one switched
    off for the organisation. Medicines already recorded keep their flag."""
    from .models import HighRiskMedicine

    with transaction.atomic(), audit_as(by):
        if entry.organisation_id == organisation.pk:
            entry.delete()
        elif entry.organisation_id is None:
            # Switched off here, whether or not the organisation had added it too.
            HighRiskMedicine.objects.update_or_create(
                organisation=organisation,
                dmd_code=entry.dmd_code,
                defaults={
                    "level": entry.level,
                    "name": entry.name,
                    "group": entry.group,
                    "excluded": True,
                },
            )
        else:
            raise ValidationError("This medicine is another organisation's")


def hospital_number_add(*, by, organisation, example: str):
    """A shape of the organisation's hospital numbers, by an example: refused in its reports
    from now on."""
    from core.identifiers import EXAMPLE

    from .models import HospitalNumber

    example = "".join(example.split()).upper()
    if not EXAMPLE.match(example):
        raise ValidationError(
            {
                "example": "Enter an example of 6 to 15 letters and numbers with at least 6 "
                "numbers, like RX1234567"
            }
        )
    with transaction.atomic(), audit_as(by):
        # Locked, so that a second press (or tab) finds the first one's shape, not a clash.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        if HospitalNumber.objects.filter(organisation=organisation, example=example).exists():
            raise ValidationError({"example": f"{example} is already on the list"})
        return HospitalNumber.objects.create(
            organisation=organisation, example=example, added_by=by
        )


def hospital_number_remove(*, by, entry) -> None:
    with transaction.atomic(), audit_as(by):
        entry.delete()


# Shared with the organisation where it arose --------------------------------------------------


def incident_share(*, by, incident: Incident, organisation: Organisation | None) -> Incident:
    """Name the organisation where the incident arose (another than the one that received the
    report), which shares it with that organisation's MSO and tells them; ``None`` stops the
    sharing. The incident stays the receiving organisation's."""
    if organisation is not None:
        _check_arose_in(organisation, incident.organisation, "ods_code")
    with transaction.atomic(), audit_as(by):
        incident = _lock(incident)
        if incident.arose_in_id == (organisation.pk if organisation else None):
            return incident
        incident.arose_in = organisation
        incident.save(update_fields=["arose_in"])
        note = f"Shared with {organisation.name}, where it arose" if organisation else ""
        _event(incident, Kind.SHARED if organisation else Kind.UNSHARED, by, note)
        if organisation is not None:
            notify(shared_notices(incident, organisation, timezone.localdate()))
    return incident


def _check_arose_in(organisation: Organisation, receiving: Organisation, field: str) -> None:
    """Where an incident arose: another organisation than the one that received it, open."""
    if organisation.pk == receiving.pk:
        raise ValidationError(
            {field: "Name another organisation than the one that received the report"},
            code="same",
        )
    if organisation.is_closed:
        raise ValidationError(
            {field: f"{organisation.name} closed on {organisation.closed_on:%-d %B %Y}"},
            code="closed",
        )


def shared_notices(incident: Incident, organisation: Organisation, shared_on=None):
    """The notice to the MSOs of the organisation where an incident arose, once for the day it
    was shared (by default, the day it was reported)."""
    from organisations.reminders import managers

    shared_on = shared_on or timezone.localdate(incident.reported_at)
    for recipient in managers([organisation.pk], timezone.localdate()).get(organisation.pk, []):
        yield Reminder(
            subject=f"incident-shared:{incident.pk}:{organisation.pk}",
            kind="shared",
            due_on=shared_on,
            recipient_id=recipient,
            title=f"An incident that arose at {organisation.name}: {incident.reference}",
            body=(
                f"{incident.organisation.name} received a report of a medication incident that "
                f"arose at {organisation.name}. Read what happened, and add your learning and "
                "actions to the thread."
            ),
            url=incident.get_shared_url(),
        )


def shared_note_add(*, by, incident: Incident, side: Organisation, kind, body, due_on=None):
    """Add to the thread between the two organisations, for ``side`` (one of them); the other
    side's MSO is told."""
    from .models import SharedNote

    if kind == SharedNote.Kind.ACTION and due_on is None:
        raise ValidationError({"due_on": "Enter when the action is due"}, code="required")
    with transaction.atomic(), audit_as(by):
        incident = _lock(incident)  # shared with whom, as committed now
        if incident.arose_in_id is None or side.pk not in (
            incident.organisation_id,
            incident.arose_in_id,
        ):
            raise ValidationError("This incident is not shared with your organisation", code="side")
        note = SharedNote(
            incident=incident, organisation=side, author=by, kind=kind, body=body.strip()
        )
        note.due_on = due_on if kind == SharedNote.Kind.ACTION else None
        same = incident.shared_notes.filter(
            created_at__gt=_a_moment_ago(),
            organisation=side,
            author=by,
            kind=note.kind,
            body=note.body,
            due_on=note.due_on,
        ).last()
        if same is not None:  # the same note again, straight after: a second press
            return same
        note.full_clean()
        note.save()
        other = incident.arose_in if side.pk == incident.organisation_id else incident.organisation
        notify(_note_notices(note, other))
    return note


def _note_notices(note, other: Organisation):
    from organisations.reminders import managers

    incident = note.incident
    for recipient in managers([other.pk], timezone.localdate()).get(other.pk, []):
        if recipient == note.author_id:
            continue
        yield Reminder(
            subject=f"shared-note:{note.pk}",
            kind="added",
            due_on=timezone.localdate(),
            recipient_id=recipient,
            title=f"{note.organisation.name} added to the thread of {incident.reference}",
            body=f"{note.get_kind_display()}: {note.body[:200]}",
            url=incident.get_shared_url(),
        )


# Patient and carer feedback ----------------------------------------------------------------


def feedback_record(*, by, feedback, themes: list[str]):
    """Log what a patient or carer said about their medicines (no identifiers: the form checks
    the text), themed like incidents."""
    if feedback.received_on > timezone.localdate():
        raise ValidationError(
            {"received_on": "The date received must be today or in the past"}, code="future"
        )
    with transaction.atomic(), audit_as(by):
        Organisation.objects.select_for_update().filter(pk=feedback.organisation_id).first()
        feedback.recorded_by = by
        feedback.full_clean()
        themes = set(themes_named(feedback.organisation, themes))
        recent = PatientFeedback.objects.filter(
            organisation_id=feedback.organisation_id,
            received_on=feedback.received_on,
            source=feedback.source,
            medicines=feedback.medicines,
            summary=feedback.summary,
            recorded_by=by,
            recorded_at__gt=_a_moment_ago(),
        ).prefetch_related("themes")
        for same in recent:
            if set(same.themes.all()) == themes:  # the same feedback again: a second press
                return same
        feedback.save()
        feedback.themes.set(themes)
    return feedback


def process_change_record(*, by, change):
    """Record a change of process: the organisation's incident chart starts again from the
    first whole month after it (core/spc.py). The same change sent twice (a double click, two
    tabs) is recorded once: the organisation is locked and the change looked for under it."""
    if change.changed_on > timezone.localdate():
        raise ValidationError(
            {"changed_on": "The date must be today or in the past: record a change once made"},
            code="future",
        )
    with transaction.atomic(), audit_as(by):
        Organisation.objects.select_for_update().filter(pk=change.organisation_id).first()
        same = ProcessChange.objects.filter(
            organisation_id=change.organisation_id,
            changed_on=change.changed_on,
            what=change.what.strip(),
        ).first()
        if same is not None:
            return same
        change.what = change.what.strip()
        change.recorded_by = by
        change.full_clean()
        change.save()
    return change


def process_change_remove(*, by, change) -> None:
    """Take a change of process recorded in error off the chart (the audit log keeps it)."""
    with transaction.atomic(), audit_as(by):
        change.delete()
