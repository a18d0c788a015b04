import datetime

import pytest
from django.utils import timezone

from committees import services
from committees.choices import Discipline, Seat
from organisations.choices import Role
from tests.factories import member

FIRST_DAY = datetime.date(2026, 1, 5)


def at(day: datetime.date, hour=14) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def chair(trust):
    return member(trust, Role.COMMITTEE_CHAIR, full_name="Gareth Lewis")


@pytest.fixture
def secretary(trust):
    return member(trust, Role.COMMITTEE_SECRETARY, full_name="Sally Bowen")


@pytest.fixture
def committee(trust, chair, secretary, mso):
    """The trust's committee: quorate with 3 present, a pharmacist and a nurse among them, and
    its patient partner. Its chair, secretary, the MSO (a pharmacist), a nurse, a doctor and a
    patient partner without an account hold seats."""
    committee = services.committee_create(
        by=chair,
        organisation=trust,
        name="Medication Safety Committee",
        reports_to="Quality and Safety Committee",
        frequency="monthly",
        quorum_members=3,
        quorum_disciplines=[Discipline.PHARMACY, Discipline.NURSING],
        quorum_patient_representative=True,
    )
    seats = [
        (chair, "", Seat.CHAIR, Discipline.MEDICAL),
        (secretary, "", Seat.SECRETARY, Discipline.GOVERNANCE),
        (mso, "", Seat.MEMBER, Discipline.PHARMACY),
        (member(trust, Role.STAFF, full_name="Nia Jones"), "", Seat.MEMBER, Discipline.NURSING),
        (None, "Pat Green", Seat.PATIENT_REPRESENTATIVE, Discipline.OTHER),
    ]
    for user, name, seat, discipline in seats:
        services.member_add(
            by=chair,
            committee=committee,
            user=user,
            name=name,
            seat=seat,
            discipline=discipline,
            start_on=FIRST_DAY,
        )
    return committee


def seat_of(committee, name):
    return next(s for s in committee.members.select_related("user") if s.holder_name == name)
