"""The demo's medication safety committees, on top of demo/seed.py: Trust A's committee,
chaired by Gareth Lewis with Megan Hughes as its secretary, its MSO, a matron, a Patient Safety
Specialist and a patient partner (the last three without accounts), two versions of its terms of
reference, three monthly meetings held (one not quorate, one whose minutes are waiting past 14
days, so its secretary has been reminded), their decisions and actions (one overdue), and the
next meeting arranged with the agenda suggested from the demo's incidents and alerts; the
assurance report of the quarter before last approved and submitted to the board, and the last
quarter's in draft. Trust B's committee and the PCN's (chaired by their MSOs) approved their
reports of the quarter before last too, so that the ICB's MSO sees the three side by side, and
the PCN's is broken down by practice.

Everything is written through committees/services.py. Dates are set from the day the demo is
first seeded; running it again adds nothing (the committees are found by name).
"""

import datetime

from django.utils import timezone

from committees import agenda, figures, services
from committees.choices import Attendance, Discipline, Seat
from committees.models import Committee
from notifications import services as notifications

NAME = "Medication Safety Committee"
PATIENT_PARTNER = "Pat Green"
TERMS = """Purpose: to give the Quality and Safety Committee assurance on the safe use of \
medicines across the trust.

Duties: review medication incidents of moderate harm or worse and the learning from them; oversee \
the trust's response to National Patient Safety Alerts; monitor high-risk medicines and \
controlled drugs; agree and follow up actions.

Membership: chair (a senior clinician), the Medication Safety Officer, a matron, a Patient Safety \
Specialist, a patient or lived-experience partner, and a secretary.

Quorum: four members, among them a pharmacist and a nurse, and the patient partner.

Meetings: monthly. Reports to the Quality and Safety Committee after each meeting."""


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _tuesday_before(day: datetime.date) -> datetime.date:
    """The Tuesday on or before ``day``."""
    return day - datetime.timedelta(days=(day.weekday() - 1) % 7)


def seed_committees(organisations, people, today=None) -> int:
    """Seed the committees (once), and write the reminders due. ``people``: email -> User.
    Returns how many committees there are."""
    today = today or timezone.localdate()
    if not Committee.objects.filter(organisation=organisations["RZA"], name=NAME).exists():
        _trust_a(organisations["RZA"], people, today)
    for ods_code, chair, nurse in (
        ("RZB", "mso@trust-b.example", "nurse@trust-b.example"),
        ("U99901", "mso@pcn.example", "Lucy Chen (practice nurse, Weir Lane Surgery)"),
    ):
        if not Committee.objects.filter(organisation=organisations[ods_code]).exists():
            nurse = people.get(nurse, nurse)  # a practice's nurse has no account at the PCN
            _reporting(organisations[ods_code], people[chair], nurse, today)
    notifications.sweep(today)
    return Committee.objects.count()


def _trust_a(trust, people, today):
    chair, secretary, mso = (
        people["chair@trust-a.example"],
        people["secretary@trust-a.example"],
        people["mso@trust-a.example"],
    )
    since = today - datetime.timedelta(days=400)
    committee = services.committee_create(
        by=chair,
        organisation=trust,
        name=NAME,
        reports_to="Quality and Safety Committee",
        frequency="monthly",
        quorum_members=4,
        quorum_disciplines=[Discipline.PHARMACY, Discipline.NURSING],
        quorum_patient_representative=True,
    )
    services.terms_add(
        by=secretary,
        committee=committee,
        text=TERMS.replace(
            "a Patient Safety Specialist, a patient or lived-experience partner, ", ""
        ),
        approved_on=since,
        approved_by="Quality and Safety Committee",
    )
    services.terms_add(
        by=secretary,
        committee=committee,
        text=TERMS,
        approved_on=today - datetime.timedelta(days=120),
        approved_by="Quality and Safety Committee",
    )
    seats = [
        (chair, "", Seat.CHAIR, Discipline.MEDICAL),
        (secretary, "", Seat.SECRETARY, Discipline.GOVERNANCE),
        (mso, "", Seat.VICE_CHAIR, Discipline.PHARMACY),
        (None, "Claire Dunn (matron)", Seat.MEMBER, Discipline.NURSING),
        (None, "Sam Okafor", Seat.MEMBER, Discipline.PATIENT_SAFETY_SPECIALIST),
        (None, PATIENT_PARTNER, Seat.PATIENT_REPRESENTATIVE, Discipline.OTHER),
    ]
    _seat(committee, secretary, seats, since)
    # Three meetings on Tuesdays about 12, 8 and 3 weeks back, and the next in about 3 weeks.
    held = [_tuesday_before(today - datetime.timedelta(days=days)) for days in (84, 56, 21)]
    absent = {1: {PATIENT_PARTNER}}  # the second meeting was not quorate
    for n, day in enumerate(held):
        meeting = services.meeting_create(
            by=secretary,
            committee=committee,
            starts_at=_at(day, 14),
            ends_at=_at(day, 16),
            location="Board room, Ashby General Hospital",
            agenda=[item.as_item() for item in agenda.suggest(committee, _at(day, 14))],
        )
        seats_then = services.seats_on(meeting)
        services.attendance_record(
            by=secretary,
            meeting=meeting,
            statuses={
                seat.pk: Attendance.APOLOGIES
                if seat.holder_name in absent.get(n, ())
                else Attendance.PRESENT
                for seat in seats_then
            },
        )
        if n == 2:
            continue  # held over two weeks ago, its minutes not yet recorded
        services.minutes_record(
            by=secretary,
            meeting=meeting,
            minutes=(
                "The committee reviewed the month's incidents of moderate harm or worse and the "
                "trust's open alerts. The MSO reported on insulin omissions on the surgical "
                "wards and on the methotrexate alert's actions."
            ),
            decisions=[
                "Insulin omissions to be the subject of a thematic review",
                "Weekly methotrexate prescribing to be audited each quarter",
            ],
        )
        action = services.action_add(
            by=secretary,
            meeting=meeting,
            description="Audit insulin administration charts on the surgical wards",
            owner=mso,
            due_on=day + datetime.timedelta(days=21),
        )
        if n == 0:
            services.action_update(
                by=mso,
                action=action,
                state="done",
                evidence="30 charts audited; 4 omissions, each followed up with the ward.",
                done_on=day + datetime.timedelta(days=18),
            )
    _reports(committee, chair, secretary, today)
    coming = _tuesday_before(today + datetime.timedelta(days=27))
    services.meeting_create(
        by=secretary,
        committee=committee,
        starts_at=_at(coming, 14),
        ends_at=_at(coming, 16),
        location="Board room, Ashby General Hospital",
        agenda=[item.as_item() for item in agenda.suggest(committee, _at(coming, 14))],
    )


def _seat(committee, by, seats, since):
    """Seats of (user or None, name, seat, discipline), held since ``since``."""
    for user, name, seat, discipline in seats:
        services.member_add(
            by=by,
            committee=committee,
            user=user,
            name=name,
            seat=seat,
            discipline=discipline,
            start_on=since,
        )


def _reporting(organisation, chair, nurse, today):
    """A smaller committee chaired by the organisation's MSO, with its report of the quarter
    before last approved. ``nurse``: a member, or the name of someone without an account."""
    since = today - datetime.timedelta(days=400)
    committee = services.committee_create(
        by=chair,
        organisation=organisation,
        name=NAME,
        reports_to="Board",
        frequency="quarterly",
        quorum_members=3,
        quorum_disciplines=[Discipline.PHARMACY],
        quorum_patient_representative=False,
    )
    seats = [
        (chair, "", Seat.CHAIR, Discipline.PHARMACY),
        (None, nurse, Seat.MEMBER, Discipline.NURSING)
        if isinstance(nurse, str)
        else (nurse, "", Seat.MEMBER, Discipline.NURSING),
        (None, "Dr Ian Blake (GP)", Seat.MEMBER, Discipline.MEDICAL),
    ]
    _seat(committee, chair, seats, since)
    end = figures.last_quarter(today)[0] - datetime.timedelta(days=1)
    start = figures.last_quarter(end + datetime.timedelta(days=1))[0]
    report = services.report_create(
        by=chair, committee=committee, period_start=start, period_end=end
    )
    for section, text in SMALLER_NARRATIVES.items():
        services.narrative_save(by=chair, report=report, section=section, text=text)
    services.report_approve(by=chair, report=report)


def _reports(committee, chair, secretary, today):
    """The quarter before last approved and submitted to the board; the last quarter's report
    in draft, its summary written and the other required narratives waiting for the chair."""
    end = figures.last_quarter(today)[0] - datetime.timedelta(days=1)
    start = figures.last_quarter(end + datetime.timedelta(days=1))[0]
    earlier = services.report_create(
        by=secretary, committee=committee, period_start=start, period_end=end
    )
    for section, text in NARRATIVES.items():
        services.narrative_save(by=chair, report=earlier, section=section, text=text)
    services.report_approve(by=chair, report=earlier)
    services.report_submit(by=chair, report=earlier)
    start, end = figures.last_quarter(today)
    latest = services.report_create(
        by=secretary, committee=committee, period_start=start, period_end=end
    )
    services.narrative_save(by=chair, report=latest, section="summary", text=NARRATIVES["summary"])


NARRATIVES = {
    "summary": "The committee is assured that medication incidents are reported, reviewed and "
    "learned from, and that the trust is acting on the national alerts it has received. It is "
    "not yet assured on insulin omissions, which are the subject of a thematic review.",
    "incidents": "Reporting stays within its usual range. Incidents of moderate harm or worse are "
    "each reviewed at the committee; none suggests a new pattern.",
    "alerts": "Every alert was acknowledged within two working days. The methotrexate alert's "
    "actions are complete and signed off by the medical director.",
}

SMALLER_NARRATIVES = {
    "summary": "The committee is assured that incidents are reported and reviewed. Reporting from "
    "some teams is low, and the MSO is visiting them to encourage it.",
    "incidents": "Numbers are small and within their usual range; each incident of moderate harm "
    "or worse was discussed at the committee.",
    "alerts": "Each alert was acknowledged promptly. Open alerts are on track to close by their "
    "deadlines; their actions are followed up at each meeting.",
}
