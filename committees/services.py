"""Services for medication safety committees: the only writers of committees and their meetings.

Each is atomic and audited (auditlog, apps.py). What is refused raises ValidationError, keyed by
the form field it is about, before anything is written.

- A committee's seats: one chair and one secretary at a time (checked under a lock on the
  committee), each held by a member of the organisation or by name only.
- Terms of reference are versions: a new one is added, approved on a date, never changed.
- A meeting's quorum is worked out from who attended and the committee's rule (``quorum``),
  never typed; minutes, decisions and actions wait until the meeting has taken place.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_as
from core.tasks import after_commit, queue
from notifications.registry import Reminder
from notifications.services import notify
from organisations.choices import Post
from organisations.models import Appointment
from organisations.services import check_member

from .chain import alerts_named, carried
from .choices import (
    Attendance,
    Discipline,
    PdfState,
    ReportState,
    Seat,
)
from .figures import REQUIRED, SECTIONS, forget_draft_figures, report_figures
from .models import (
    PDF_ON_ITS_WAY,
    AgendaItem,
    AssuranceReport,
    Committee,
    CommitteeMember,
    Decision,
    Meeting,
    MeetingAction,
    MeetingAttendance,
    ReportedAlert,
    TermsOfReference,
)

# Seats held by one person at a time.
SINGLE_SEATS = (Seat.CHAIR, Seat.SECRETARY)


def _check_member(organisation, person, field: str) -> None:
    check_member(organisation.pk, person, field)


def _locked(committee: Committee) -> Committee:
    return Committee.objects.select_for_update().select_related("organisation").get(pk=committee.pk)


# Committees and their terms of reference ----------------------------------------------------

COMMITTEE_FIELDS = (
    "name",
    "reports_to",
    "frequency",
    "quorum_members",
    "quorum_disciplines",
    "quorum_patient_representative",
)


def _check_committee(committee: Committee) -> None:
    errors = {}
    if committee.quorum_members < 1:
        errors["quorum_members"] = "A meeting needs at least 1 member present"
    unknown = set(committee.quorum_disciplines) - set(Discipline.values)
    if unknown:
        errors["quorum_disciplines"] = "Select disciplines from the list"
    taken = Committee.objects.filter(organisation=committee.organisation, name=committee.name)
    if committee.pk:
        taken = taken.exclude(pk=committee.pk)
    if taken.exists():
        errors["name"] = f"{committee.organisation.name} has a committee of that name already"
    if errors:
        raise ValidationError(errors)


def committee_create(*, by, organisation, **fields) -> Committee:
    committee = Committee(organisation=organisation, created_by=by, **fields)
    with transaction.atomic(), audit_as(by):
        _check_committee(committee)
        committee.save()
    return committee


def committee_update(*, by, committee: Committee, **fields) -> Committee:
    with transaction.atomic(), audit_as(by):
        committee = _locked(committee)
        for name, value in fields.items():
            if name not in COMMITTEE_FIELDS:
                raise TypeError(f"{name} is not a committee field")
            setattr(committee, name, value)
        _check_committee(committee)
        committee.save()
    return committee


def terms_add(*, by, committee: Committee, text: str, approved_on, approved_by: str):
    """A new version of the terms of reference, approved on ``approved_on``."""
    text, approved_by = text.strip(), approved_by.strip()
    errors = {}
    if not text:
        errors["text"] = "Enter the terms of reference"
    if not approved_by:
        errors["approved_by"] = "Enter who approved them"
    if approved_on is not None and approved_on > timezone.localdate():
        errors["approved_on"] = "The date they were approved must be today or in the past"
    with transaction.atomic(), audit_as(by):
        committee = _locked(committee)
        last = committee.terms.order_by("-version").first()
        if (
            last is not None
            and (last.text, last.approved_on, last.approved_by) == (text, approved_on, approved_by)
            and not errors
        ):
            return last  # the same version again: a second press, or another tab
        if last is not None and approved_on is not None and approved_on < last.approved_on:
            errors["approved_on"] = (
                f"Version {last.version} was approved on {last.approved_on:%-d %B %Y}: a new "
                "version is approved on or after that day"
            )
        if errors:
            raise ValidationError(errors)
        return TermsOfReference.objects.create(
            committee=committee,
            version=(last.version + 1) if last else 1,
            text=text,
            approved_on=approved_on,
            approved_by=approved_by,
            recorded_by=by,
        )


# Seats ----------------------------------------------------------------------------------


def _check_seat(committee: Committee, seat: CommitteeMember) -> None:
    errors = {}
    if seat.user is None and not seat.name.strip():
        errors["name"] = "Enter their name, or choose their account"
    if seat.end_on is not None and seat.end_on < seat.start_on:
        errors["end_on"] = "The last day must be on or after the first"
    if errors:
        raise ValidationError(errors)
    _check_member(committee.organisation, seat.user, "user")
    held = committee.members.filter(Q(end_on__isnull=True) | Q(end_on__gte=seat.start_on))
    if seat.end_on is not None:
        held = held.filter(start_on__lte=seat.end_on)
    if seat.pk:
        held = held.exclude(pk=seat.pk)
    if seat.seat in SINGLE_SEATS:
        other = held.filter(seat=seat.seat).first()
        if other is not None:
            raise ValidationError(
                {
                    "seat": f"{other.holder_name} is the committee's "
                    f"{other.get_seat_display().lower()} then: end their seat first"
                },
                code="seat_held",
            )
    if seat.user is not None and held.filter(user=seat.user).exists():
        raise ValidationError(
            {"user": "They have a seat on the committee then already"}, code="seated"
        )


def member_add(
    *, by, committee: Committee, user=None, name="", seat, discipline, start_on, end_on=None
) -> CommitteeMember:
    with transaction.atomic(), audit_as(by):
        committee = _locked(committee)
        member = CommitteeMember(
            committee=committee,
            user=user,
            name="" if user is not None else name.strip(),
            seat=seat,
            discipline=discipline,
            start_on=start_on,
            end_on=end_on,
        )
        same = committee.members.filter(
            user=member.user,
            name=member.name,
            seat=seat,
            discipline=discipline,
            start_on=start_on,
            end_on=end_on,
        ).first()
        if same is not None:  # the same seat again: a second press, or another tab
            return same
        _check_seat(committee, member)
        member.save()
    return member


def member_end(*, by, member: CommitteeMember, end_on) -> CommitteeMember:
    """The last day of a seat (the person of a seat is never changed: end it, add another)."""
    with transaction.atomic(), audit_as(by):
        committee = _locked(member.committee)
        member = CommitteeMember.objects.select_for_update().get(pk=member.pk)
        if end_on < member.start_on:
            raise ValidationError({"end_on": "The last day must be on or after the first"})
        member.end_on = end_on
        _check_seat(committee, member)
        member.save()
    return member


# Quorum --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quorum:
    quorate: bool
    present: int
    missing: tuple[str, ...]  # what the rule asked for that was not there, in words


def quorum(committee: Committee, present: list[CommitteeMember]) -> Quorum:
    """Whether the members ``present`` make the committee's meeting quorate, and if not why."""
    missing = []
    if len(present) < committee.quorum_members:
        missing.append(f"{committee.quorum_members} members present (there were {len(present)})")
    disciplines = {member.discipline for member in present}
    labels = dict(Discipline.choices)
    for discipline in committee.quorum_disciplines:
        if discipline not in disciplines:
            missing.append(f"a member from {str(labels.get(discipline, discipline)).lower()}")
    if committee.quorum_patient_representative and not any(
        member.seat == Seat.PATIENT_REPRESENTATIVE for member in present
    ):
        missing.append("the patient or lived-experience partner")
    return Quorum(not missing, len(present), tuple(missing))


# Meetings -----------------------------------------------------------------------------


MEETING_LENGTH = datetime.timedelta(hours=2)


def _check_times(starts_at, ends_at) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends": "The end time must be after the start time"})


def meeting_create(
    *, by, committee: Committee, starts_at, ends_at=None, location="", agenda=()
) -> Meeting:
    """A meeting (2 hours unless ``ends_at`` says otherwise), with its agenda (``agenda``:
    (title, notes, source, about) each, as the suggestions give them, edited)."""
    ends_at = ends_at or starts_at + MEETING_LENGTH
    _check_times(starts_at, ends_at)
    with transaction.atomic(), audit_as(by):
        committee = _locked(committee)
        when = {"starts_at": starts_at, "ends_at": ends_at, "location": location.strip()}
        same = committee.meetings.filter(**when).first()
        if same is not None:  # the same meeting again: a second press, or another tab
            return same
        meeting = Meeting.objects.create(committee=committee, created_by=by, **when)
        _write_agenda(meeting, agenda)
    return meeting


def _write_agenda(meeting: Meeting, agenda) -> None:
    """The items, in order, each linked to the alert its title names (chain.alerts_named)."""
    agenda = list(agenda)
    organisation_id = (
        Committee.objects.filter(pk=meeting.committee_id)
        .values_list("organisation_id", flat=True)
        .get()
    )
    alerts = alerts_named(organisation_id, [title for title, *_ in agenda])
    kept = AgendaItem.objects.filter(meeting=meeting).order_by("position")
    if list(kept.values_list("title", "notes", "source", "about", "alert_id")) == [
        (*item, alert_id) for item, alert_id in zip(agenda, alerts, strict=True)
    ]:
        return  # as it is: sent again
    AgendaItem.objects.filter(meeting=meeting).delete()
    AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=meeting,
            position=n,
            title=title,
            notes=notes,
            source=source,
            about=about,
            alert_id=alert_id,
        )
        for n, ((title, notes, source, about), alert_id) in enumerate(
            zip(agenda, alerts, strict=True)
        )
    )


def meeting_update(*, by, meeting: Meeting, starts_at, ends_at, location="") -> Meeting:
    _check_times(starts_at, ends_at)
    with transaction.atomic(), audit_as(by):
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.attendance_recorded_at and starts_at > timezone.now():
            raise ValidationError(
                {"on": "Its attendance is recorded: it cannot move into the future"}
            )
        meeting.starts_at, meeting.ends_at = starts_at, ends_at
        meeting.location = location.strip()
        meeting.save()
    return meeting


def agenda_set(*, by, meeting: Meeting, agenda) -> Meeting:
    with transaction.atomic(), audit_as(by):
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _write_agenda(meeting, agenda)
    return meeting


def _refuse_before_it_meets(meeting: Meeting, field: str, what: str) -> None:
    if not meeting.is_past:
        raise ValidationError({field: f"The meeting has not taken place yet: record {what} after"})


def seats_on(meeting: Meeting) -> list[CommitteeMember]:
    """The seats held on the day of the meeting: who may attend."""
    day = timezone.localtime(meeting.starts_at).date()
    return list(
        CommitteeMember.objects.filter(committee_id=meeting.committee_id)
        .current(day)
        .select_related("user")
        .order_by("seat", "name", "user__full_name")
    )


def attendance_record(*, by, meeting: Meeting, statuses: dict[int, str]) -> Quorum:
    """Who attended (``statuses``: a status for every seat held on the day, by its id), and so
    whether the meeting was quorate."""
    with transaction.atomic(), audit_as(by):
        meeting = Meeting.objects.select_for_update().select_related("committee").get(pk=meeting.pk)
        _refuse_before_it_meets(meeting, "attendance", "who attended")
        seats = {seat.pk: seat for seat in seats_on(meeting)}
        if not seats:
            raise ValidationError(
                {"attendance": "Nobody held a seat on the committee that day: add its members"}
            )
        unanswered = [seats[pk].holder_name for pk in seats if statuses.get(pk) is None]
        if unanswered or set(statuses) - set(seats):
            raise ValidationError(
                {"attendance": f"Say whether each member attended ({', '.join(unanswered)})"}
            )
        if set(statuses.values()) - set(Attendance.values):
            raise ValidationError({"attendance": "Choose present, apologies or absent"})
        present = [seats[pk] for pk, status in statuses.items() if status == Attendance.PRESENT]
        recorded = dict(
            MeetingAttendance.objects.filter(meeting=meeting).values_list("member_id", "status")
        )
        if meeting.attendance_recorded_at and recorded == statuses:
            return quorum(meeting.committee, present)  # as recorded: sent again
        MeetingAttendance.objects.filter(meeting=meeting).delete()
        MeetingAttendance.objects.bulk_create(
            MeetingAttendance(meeting=meeting, member_id=pk, status=status)
            for pk, status in statuses.items()
        )
        found = quorum(meeting.committee, present)
        meeting.quorate = found.quorate
        meeting.attendance_recorded_at = timezone.now()
        meeting.save(update_fields=["quorate", "attendance_recorded_at"])
    return found


def minutes_record(*, by, meeting: Meeting, minutes: str, decisions: list[str]) -> Meeting:
    minutes = minutes.strip()
    with transaction.atomic(), audit_as(by):
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _refuse_before_it_meets(meeting, "minutes", "its minutes")
        if not minutes:
            raise ValidationError({"minutes": "Enter the minutes"})
        decided = [text.strip() for text in decisions if text.strip()]
        kept = list(Decision.objects.filter(meeting=meeting).order_by("position"))
        if meeting.minutes == minutes and [d.text for d in kept] == decided:
            return meeting  # as recorded: sent again
        meeting.minutes = minutes
        if meeting.minutes_recorded_at is None:
            meeting.minutes_recorded_at, meeting.minutes_recorded_by = timezone.now(), by
        meeting.save()
        Decision.objects.filter(meeting=meeting).delete()
        Decision.objects.bulk_create(
            Decision(meeting=meeting, position=n, text=text.strip())
            for n, text in enumerate(d for d in decisions if d.strip())
        )
    return meeting


# Meeting actions -------------------------------------------------------------------------


def action_add(*, by, meeting: Meeting, description: str, owner, due_on) -> MeetingAction:
    description = description.strip()
    errors = {}
    if not description:
        errors["description"] = "Enter what needs doing"
    if owner is None:
        errors["owner"] = "Choose who owns it"
    if due_on is None:
        errors["due_on"] = "Enter the date it is due"
    elif due_on < timezone.localtime(meeting.starts_at).date():
        errors["due_on"] = "The date it is due must be on or after the day of the meeting"
    if errors:
        raise ValidationError(errors)
    _check_member(meeting.committee.organisation, owner, "owner")
    with transaction.atomic(), audit_as(by):
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        action = {"description": description, "owner": owner, "due_on": due_on}
        # The same open action again (a second press) is the one there.
        same = meeting.actions.filter(state__in=MeetingAction.OPEN_STATES, **action).first()
        return same or MeetingAction.objects.create(meeting=meeting, **action)


def action_update(*, by, action: MeetingAction, state: str, evidence: str, done_on=None):
    """What was done: done needs the date it was done, on or before today; no longer needed
    needs the reason (core.actions)."""
    MeetingAction.check_progress(state=state, evidence=evidence, done_on=done_on)
    with transaction.atomic(), audit_as(by):
        action = MeetingAction.objects.select_for_update().get(pk=action.pk)
        action.record_progress(state=state, evidence=evidence, done_on=done_on)
        action.save()
    return action


# Assurance reports ------------------------------------------------------------------------


def report_create(*, by, committee: Committee, period_start, period_end) -> AssuranceReport:
    """A draft report for the period, or the draft already being prepared for it (with what has
    been written in it: ``already_drafted`` is then true), never a second one."""
    errors = {}
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = "The last day must be on or after the first day"
    if period_end and period_end > timezone.localdate():
        errors["period_end"] = "The last day must be today or in the past"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audit_as(by):
        _locked(committee)  # whoever prepares it at the same moment waits, then finds it
        period = {"committee": committee, "period_start": period_start, "period_end": period_end}
        draft = draft_for(**period)
        if draft is None:
            try:
                with transaction.atomic():
                    draft = AssuranceReport.objects.create(**period, created_by=by)
            except IntegrityError:  # one_draft_report_a_period: made meanwhile
                draft = draft_for(**period)
            else:
                draft.already_drafted = False
                return draft
        draft.already_drafted = True
        return draft


def draft_for(*, committee: Committee, period_start, period_end) -> AssuranceReport | None:
    """The draft of the committee's report for the period, if one is being prepared."""
    return AssuranceReport.objects.filter(
        committee=committee,
        period_start=period_start,
        period_end=period_end,
        state=ReportState.DRAFT,
    ).first()


def _locked_report(report: AssuranceReport) -> AssuranceReport:
    return (
        AssuranceReport.objects.select_for_update()
        .select_related("committee__organisation")
        .get(pk=report.pk)
    )


def _refuse_unless_draft(report: AssuranceReport) -> None:
    if not report.is_draft:
        raise ValidationError(
            {"text": f"The report is {report.get_state_display().lower()}: it does not change"},
            code="approved",
        )


def narrative_save(*, by, report: AssuranceReport, section: str, text: str) -> AssuranceReport:
    if section not in {key for key, _, _ in SECTIONS}:
        raise ValidationError({"text": "There is no such section"})
    with transaction.atomic(), audit_as(by):
        report = _locked_report(report)
        _refuse_unless_draft(report)
        report.narratives = {**report.narratives, section: text.strip()}
        report.save(update_fields=["narratives"])
    return report


ALREADY = "already"  # the code of a refusal to do again what is done (a second press)


def _refuse_if_done(report: AssuranceReport, *states: str) -> None:
    """A report already in one of ``states`` (approved: by a press of the button before this
    one) is not moved there again: nothing is written, kept or sent twice."""
    if report.state in states:
        when, who = (
            (report.submitted_at, report.submitted_by)
            if report.state == ReportState.SUBMITTED
            else (report.approved_at, report.approved_by)
        )
        by = f" by {who.full_name or who.email}" if who else ""
        raise ValidationError(
            f"The report is {report.get_state_display().lower()} already{by}, on "
            f"{timezone.localtime(when):%-d %B %Y at %H:%M}",
            code=ALREADY,
        )


def report_approve(*, by, report: AssuranceReport) -> AssuranceReport:
    """Approve a draft: its figures are worked out once more and kept, so the report tabled to
    the board never changes. The summary, incidents and alerts need the chair's narrative.
    Under the report's lock, so a second press finds it approved and changes nothing."""
    with transaction.atomic(), audit_as(by):
        report = _locked_report(report)
        _refuse_if_done(report, ReportState.APPROVED, ReportState.SUBMITTED)
        _refuse_unless_draft(report)
        titles = {key: title for key, title, _ in SECTIONS}
        missing = [titles[key] for key in REQUIRED if not report.narratives.get(key, "").strip()]
        if missing:
            raise ValidationError(
                f"Write the narrative of {', '.join(missing)} before the report is approved",
                code="narrative_missing",
            )
        report.snapshot = report_figures(report.committee, report.period_start, report.period_end)
        report.state = ReportState.APPROVED
        report.approved_at, report.approved_by = timezone.now(), by
        report.pdf_state, report.pdf_state_since = PdfState.QUEUED, report.approved_at
        report.save()
        # The alert responses it carries to the board, kept for each alert's chain.
        ReportedAlert.objects.bulk_create(carried(report))
        after_commit(lambda: forget_draft_figures(report))
        after_commit(lambda: queue("committees.tasks.make_report_pdf", report.pk))
        notify(_approved_notices(report))
    return report


def _approved_notices(report: AssuranceReport):
    """Who is told that a report is approved: the organisation's board director, who takes it
    to the board, and the committee's secretary, who records it submitted (not whoever
    approved it)."""
    today = timezone.localdate()
    committee = report.committee
    directors = Appointment.objects.current(today).filter(
        organisation_id=committee.organisation_id, post=Post.BOARD_DIRECTOR, user__isnull=False
    )
    secretaries = committee.members.current(today).filter(seat=Seat.SECRETARY, user__isnull=False)
    told = {
        *directors.values_list("user_id", flat=True),
        *secretaries.values_list("user_id", flat=True),
    } - {report.approved_by_id}
    address = reverse(
        "committees:report", args=[committee.organisation.ods_code, committee.pk, report.pk]
    )
    period = f"{report.period_start:%-d %B %Y} to {report.period_end:%-d %B %Y}"
    for recipient in sorted(told):
        yield Reminder(
            subject=f"assurance-report:{report.pk}",
            kind="approved",
            due_on=today,
            recipient_id=recipient,
            title=f"Assurance report approved: {committee}",
            body=f"The chair approved {committee}'s assurance report for {period}. "
            "Its figures are kept as approved: read it, or download its PDF to table at the board.",
            url=address,
        )


def report_pdf_again(*, by, report: AssuranceReport) -> AssuranceReport:
    """Ask once more for the PDF of an approved report that has none (it could not be made,
    or it was lost: a worker killed, the task lost). Under the report's lock, so a second press
    while it is on its way finds it so and queues nothing: one task for one ask."""
    with transaction.atomic(), audit_as(by):
        report = _locked_report(report)
        if report.is_draft:
            raise ValidationError("Approve the report before its PDF is made")
        if report.pdf:
            raise ValidationError("The report's PDF is made already", code=ALREADY)
        if report.pdf_progress in PDF_ON_ITS_WAY:
            raise ValidationError(
                "The PDF is being made already: asked for at "
                f"{timezone.localtime(report.pdf_state_since):%H:%M}",
                code=ALREADY,
            )
        report.pdf_state, report.pdf_state_since = PdfState.QUEUED, timezone.now()
        report.save(update_fields=["pdf_state", "pdf_state_since"])
        after_commit(lambda: queue("committees.tasks.make_report_pdf", report.pk))
    return report


def report_submit(*, by, report: AssuranceReport) -> AssuranceReport:
    """Record an approved report submitted to the board, once."""
    with transaction.atomic(), audit_as(by):
        report = _locked_report(report)
        _refuse_if_done(report, ReportState.SUBMITTED)
        if report.state != ReportState.APPROVED:
            raise ValidationError("Approve the report before it is submitted to the board")
        report.state = ReportState.SUBMITTED
        report.submitted_at, report.submitted_by = timezone.now(), by
        report.save()
    return report
