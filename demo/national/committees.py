"""Medication safety committees at national scale, fictional: every trust's committee, chaired
and run by the chair and secretary ``demo.national.organisations.seed_people`` gives it, with its
MSO and members of the other disciplines seated (and a patient partner, named), and a year
of monthly meetings with their attendance (quorate worked out by the committee's rule, as the
pages do: now and then the patient partner or the pharmacist sends apologies), minutes and an
action each. Written with bulk inserts; repeatable for a seed; a trust with a committee of that
name already (the demo's) keeps it, and once every trust has one it does nothing.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from committees.choices import ActionState, Attendance, Discipline, Frequency, Seat
from committees.models import Committee, CommitteeMember, Meeting, MeetingAction, MeetingAttendance
from committees.services import quorum
from organisations.choices import OrganisationKind, Post, Role

NAME = "Medication Safety Committee"
MONTHS = 12
KINDS = (OrganisationKind.NHS_TRUST, OrganisationKind.FOUNDATION_TRUST)


def _at(day: datetime.date, hour: int = 14) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@transaction.atomic
def seed_committees(seed: int = 2026, today: datetime.date | None = None) -> dict[str, int]:
    from organisations.models import Appointment, Membership, Organisation

    # The trusts without one (another's, the demo's, is kept as it is).
    trusts = list(
        Organisation.objects.open()
        .filter(kind__in=KINDS)
        .exclude(committees__name=NAME)
        .order_by("pk")
    )
    if not trusts:
        return committee_counts()
    rng = random.Random(seed + 3)
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=MONTHS * 31 + 60)
    roles: dict[tuple[int, str], int] = {}
    for organisation_id, role, user_id in (
        Membership.objects.filter(
            organisation__in=trusts,
            role__in=[Role.COMMITTEE_CHAIR, Role.COMMITTEE_SECRETARY],
        )
        .order_by("pk")
        .values_list("organisation_id", "role", "user_id")
    ):
        roles.setdefault((organisation_id, role), user_id)
    msos = dict(
        Appointment.objects.current(today)
        .filter(organisation__in=trusts, post=Post.MSO, user__isnull=False)
        .values_list("organisation_id", "user_id")
    )
    committees = Committee.objects.bulk_create(
        Committee(
            organisation=trust,
            name=NAME,
            reports_to="Quality and Safety Committee",
            frequency=Frequency.MONTHLY,
            quorum_members=4,
            quorum_disciplines=[Discipline.PHARMACY, Discipline.NURSING],
            quorum_patient_representative=True,
            created_by_id=roles.get((trust.pk, Role.COMMITTEE_CHAIR)),
        )
        for trust in trusts
    )
    seats = []
    for committee in committees:
        trust = committee.organisation_id
        people = (
            (roles.get((trust, Role.COMMITTEE_CHAIR)), "Dr Chair", Seat.CHAIR, Discipline.MEDICAL),
            (
                roles.get((trust, Role.COMMITTEE_SECRETARY)),
                "Secretary",
                Seat.SECRETARY,
                Discipline.GOVERNANCE,
            ),
            (msos.get(trust), "The MSO", Seat.VICE_CHAIR, Discipline.PHARMACY),
            (None, "Matron", Seat.MEMBER, Discipline.NURSING),
            (None, "Patient safety specialist", Seat.MEMBER, Discipline.PATIENT_SAFETY_SPECIALIST),
            (None, "Patient partner", Seat.PATIENT_REPRESENTATIVE, Discipline.OTHER),
        )
        for user_id, name, seat, discipline in people:
            seats.append(
                CommitteeMember(
                    committee=committee,
                    user_id=user_id,
                    name="" if user_id else name,
                    seat=seat,
                    discipline=discipline,
                    start_on=since,
                )
            )
    CommitteeMember.objects.bulk_create(seats, batch_size=5000)
    by_committee: dict[int, list[CommitteeMember]] = {}
    for seat in seats:
        by_committee.setdefault(seat.committee_id, []).append(seat)
    meetings, plans = [], []
    for committee in committees:
        for month in range(MONTHS, 0, -1):
            day = today - datetime.timedelta(days=month * 30 + rng.randint(0, 6))
            absent = {seat.pk for seat in by_committee[committee.pk] if rng.random() < 0.08}
            present = [s for s in by_committee[committee.pk] if s.pk not in absent]
            meetings.append(
                Meeting(
                    committee=committee,
                    starts_at=_at(day),
                    ends_at=_at(day, 16),
                    location="Board room",
                    quorate=quorum(committee, present).quorate,
                    attendance_recorded_at=_at(day, 17),
                    minutes="The committee reviewed the month's incidents and open alerts.",
                    minutes_recorded_at=_at(day + datetime.timedelta(days=5), 9),
                    created_at=_at(day - datetime.timedelta(days=21), 9),
                )
            )
            plans.append((committee, absent, day))
    Meeting.objects.bulk_create(meetings, batch_size=5000)
    MeetingAttendance.objects.bulk_create(
        (
            MeetingAttendance(
                meeting=meeting,
                member=seat,
                status=Attendance.APOLOGIES if seat.pk in absent else Attendance.PRESENT,
            )
            for meeting, (committee, absent, _) in zip(meetings, plans, strict=True)
            for seat in by_committee[committee.pk]
        ),
        batch_size=5000,
    )
    MeetingAction.objects.bulk_create(
        (
            MeetingAction(
                meeting=meeting,
                description="Audit the insulin charts of one ward and report back",
                owner_id=msos[committee.organisation_id],
                due_on=day + datetime.timedelta(days=28),
                state=ActionState.DONE
                if day + datetime.timedelta(days=28) < today
                else ActionState.OPEN,
                done_on=day + datetime.timedelta(days=25)
                if day + datetime.timedelta(days=28) < today
                else None,
                evidence="Done: 20 charts audited, findings shared with the ward."
                if day + datetime.timedelta(days=28) < today
                else "",
            )
            for meeting, (committee, _, day) in zip(meetings, plans, strict=True)
            if committee.organisation_id in msos
        ),
        batch_size=5000,
    )
    return committee_counts()


def committee_counts() -> dict[str, int]:
    return {"committees": Committee.objects.count(), "committee meetings": Meeting.objects.count()}
