"""A committee's seats, terms of reference and meetings through its services: one chair and one
secretary at a time, members of the organisation or named only; terms kept as approved versions;
quorum worked out from who attended, never typed; nothing recorded of a meeting before it takes
place; and every refusal leaves nothing written."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from committees import services
from committees.choices import Attendance, Discipline, Seat
from committees.models import Committee, CommitteeMember, Meeting, MeetingAction
from tests.committees.conftest import FIRST_DAY, at, seat_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(TODAY, 9), tick=False):
        yield


def present(committee, *names):
    return [seat_of(committee, name) for name in names]


class TestQuorum:
    def test_the_rule_met(self, committee):
        found = services.quorum(
            committee, present(committee, "Amir Shah", "Nia Jones", "Pat Green")
        )
        assert found.quorate and found.missing == ()

    @pytest.mark.parametrize(
        ("names", "missing"),
        [
            (
                ("Amir Shah", "Pat Green"),
                ["3 members present (there were 2)", "a member from nursing"],
            ),
            (("Gareth Lewis", "Nia Jones", "Pat Green"), ["a member from pharmacy"]),
            (
                ("Gareth Lewis", "Sally Bowen", "Amir Shah", "Nia Jones"),
                ["the patient or lived-experience partner"],
            ),
            (
                ("Gareth Lewis",),
                [
                    "3 members present (there were 1)",
                    "a member from pharmacy",
                    "a member from nursing",
                    "the patient or lived-experience partner",
                ],
            ),
        ],
    )
    def test_what_is_missing_is_said(self, committee, names, missing):
        found = services.quorum(committee, present(committee, *names))
        assert not found.quorate and list(found.missing) == missing

    def test_a_rule_without_disciplines_counts_heads(self, committee, chair):
        services.committee_update(
            by=chair,
            committee=committee,
            quorum_disciplines=[],
            quorum_patient_representative=False,
        )
        committee.refresh_from_db()
        found = services.quorum(
            committee, present(committee, "Gareth Lewis", "Sally Bowen", "Nia Jones")
        )
        assert found.quorate


class TestSeats:
    def test_one_chair_at_a_time(self, committee, chair, trust):
        from tests.factories import member

        successor = member(trust, full_name="Lena Ortiz")
        with pytest.raises(ValidationError, match="Gareth Lewis is the committee's chair then"):
            services.member_add(
                by=chair,
                committee=committee,
                user=successor,
                seat=Seat.CHAIR,
                discipline=Discipline.MEDICAL,
                start_on=TODAY,
            )
        services.member_end(by=chair, member=seat_of(committee, "Gareth Lewis"), end_on=TODAY)
        seat = services.member_add(
            by=chair,
            committee=committee,
            user=successor,
            seat=Seat.CHAIR,
            discipline=Discipline.MEDICAL,
            start_on=TODAY + datetime.timedelta(days=1),
        )
        assert seat.is_current(TODAY + datetime.timedelta(days=1))

    def test_a_seat_is_for_a_member_of_the_organisation(self, committee, chair, other_mso):
        with pytest.raises(ValidationError, match="Priya Nair is not a member"):
            services.member_add(
                by=chair,
                committee=committee,
                user=other_mso,
                seat=Seat.MEMBER,
                discipline=Discipline.PHARMACY,
                start_on=TODAY,
            )

    def test_someone_without_an_account_is_named(self, committee, chair):
        with pytest.raises(ValidationError, match="Enter their name"):
            services.member_add(
                by=chair,
                committee=committee,
                seat=Seat.MEMBER,
                discipline=Discipline.OTHER,
                start_on=TODAY,
            )
        assert committee.members.count() == 5

    def test_a_seat_ends_on_or_after_it_starts(self, committee, chair):
        with pytest.raises(ValidationError, match="on or after the first"):
            services.member_end(
                by=chair,
                member=seat_of(committee, "Nia Jones"),
                end_on=FIRST_DAY - datetime.timedelta(1),
            )
        assert seat_of(committee, "Nia Jones").end_on is None

    def test_nobody_holds_two_seats_at_once(self, committee, chair):
        with pytest.raises(ValidationError, match="seat on the committee then already"):
            services.member_add(
                by=chair,
                committee=committee,
                user=chair,
                seat=Seat.VICE_CHAIR,
                discipline=Discipline.MEDICAL,
                start_on=TODAY,
            )


class TestTermsOfReference:
    def test_versions_are_kept_in_order(self, committee, chair):
        first = services.terms_add(
            by=chair,
            committee=committee,
            text="Version one.",
            approved_on=datetime.date(2025, 4, 1),
            approved_by="Quality and Safety Committee",
        )
        second = services.terms_add(
            by=chair,
            committee=committee,
            text="Version two.",
            approved_on=datetime.date(2026, 4, 1),
            approved_by="Quality and Safety Committee",
        )
        assert (first.version, second.version) == (1, 2)
        assert list(committee.terms.values_list("version", flat=True)) == [2, 1]

    def test_a_version_is_not_approved_before_the_last(self, committee, chair):
        services.terms_add(
            by=chair,
            committee=committee,
            text="One.",
            approved_on=datetime.date(2026, 4, 1),
            approved_by="Board",
        )
        with pytest.raises(ValidationError, match="approved on or after that day"):
            services.terms_add(
                by=chair,
                committee=committee,
                text="Two.",
                approved_on=datetime.date(2026, 3, 1),
                approved_by="Board",
            )
        with pytest.raises(ValidationError, match="today or in the past"):
            services.terms_add(
                by=chair,
                committee=committee,
                text="Two.",
                approved_on=TODAY + datetime.timedelta(1),
                approved_by="Board",
            )
        assert committee.terms.count() == 1

    def test_a_second_committee_of_the_same_name_is_refused(self, committee, chair, trust):
        with pytest.raises(ValidationError, match="has a committee of that name already"):
            services.committee_create(
                by=chair,
                organisation=trust,
                name="Medication Safety Committee",
                reports_to="Board",
                frequency="monthly",
            )
        assert Committee.objects.count() == 1


class TestMeetings:
    def meeting(self, committee, chair, day=datetime.date(2026, 11, 10)):
        return services.meeting_create(
            by=chair, committee=committee, starts_at=at(day), location="Room 4"
        )

    def statuses(self, committee, **by_name):
        return {
            seat.pk: by_name.get(seat.holder_name, Attendance.ABSENT)
            for seat in committee.members.select_related("user")
        }

    def test_attendance_makes_it_quorate_or_not(self, committee, secretary):
        meeting = self.meeting(committee, secretary)
        found = services.attendance_record(
            by=secretary,
            meeting=meeting,
            statuses=self.statuses(
                committee,
                **{
                    "Amir Shah": "present",
                    "Nia Jones": "present",
                    "Pat Green": "present",
                    "Gareth Lewis": "apologies",
                },
            ),
        )
        meeting.refresh_from_db()
        assert found.quorate and meeting.quorate is True
        found = services.attendance_record(
            by=secretary,
            meeting=meeting,
            statuses=self.statuses(committee, **{"Amir Shah": "present", "Nia Jones": "present"}),
        )
        meeting.refresh_from_db()
        assert not found.quorate and meeting.quorate is False
        assert meeting.attendance.count() == 5

    def test_each_member_is_answered_for(self, committee, secretary):
        meeting = self.meeting(committee, secretary)
        statuses = self.statuses(committee)
        statuses.pop(seat_of(committee, "Pat Green").pk)
        with pytest.raises(
            ValidationError, match=r"Say whether each member attended \(Pat Green\)"
        ):
            services.attendance_record(by=secretary, meeting=meeting, statuses=statuses)
        meeting.refresh_from_db()
        assert meeting.quorate is None and not meeting.attendance.exists()

    def test_a_meeting_long_ago_is_not_quorate_without_attendance(self, committee, secretary):
        meeting = self.meeting(committee, secretary, day=datetime.date(2020, 3, 2))
        with pytest.raises(ValidationError, match="Nobody held a seat on the committee that day"):
            services.attendance_record(by=secretary, meeting=meeting, statuses={})
        meeting.refresh_from_db()
        assert meeting.quorate is None

    def test_seats_held_on_the_day_attend(self, committee, chair, secretary):
        services.member_end(
            by=chair, member=seat_of(committee, "Nia Jones"), end_on=datetime.date(2026, 10, 31)
        )
        meeting = self.meeting(committee, secretary)
        assert "Nia Jones" not in [seat.holder_name for seat in services.seats_on(meeting)]

    def test_nothing_is_recorded_before_it_meets(self, committee, secretary):
        meeting = self.meeting(committee, secretary, day=TODAY + datetime.timedelta(days=7))
        with pytest.raises(ValidationError, match="has not taken place yet"):
            services.attendance_record(
                by=secretary, meeting=meeting, statuses=self.statuses(committee)
            )
        with pytest.raises(ValidationError, match="has not taken place yet"):
            services.minutes_record(by=secretary, meeting=meeting, minutes="Minutes.", decisions=[])
        meeting.refresh_from_db()
        assert meeting.minutes == "" and meeting.quorate is None

    def test_minutes_and_decisions(self, committee, secretary):
        meeting = self.meeting(committee, secretary)
        with pytest.raises(ValidationError, match="Enter the minutes"):
            services.minutes_record(by=secretary, meeting=meeting, minutes="  ", decisions=["A"])
        services.minutes_record(
            by=secretary,
            meeting=meeting,
            minutes="The committee reviewed the insulin incidents.",
            decisions=["Adopt the insulin passport", "", "Audit in March"],
        )
        meeting.refresh_from_db()
        assert meeting.minutes_recorded_by == secretary
        assert list(meeting.decisions.values_list("text", flat=True)) == [
            "Adopt the insulin passport",
            "Audit in March",
        ]


class TestActions:
    @pytest.fixture
    def meeting(self, committee, secretary):
        return services.meeting_create(
            by=secretary, committee=committee, starts_at=at(datetime.date(2026, 11, 10))
        )

    def test_an_action_needs_an_owner_from_the_organisation_and_a_date(
        self, meeting, secretary, mso
    ):
        with pytest.raises(ValidationError) as refused:
            services.action_add(
                by=secretary, meeting=meeting, description="Audit", owner=None, due_on=None
            )
        assert set(refused.value.message_dict) == {"owner", "due_on"}
        with pytest.raises(ValidationError, match="not a member"):
            services.action_add(
                by=secretary,
                meeting=meeting,
                description="Audit",
                owner=UserFactory(),
                due_on=TODAY,
            )
        with pytest.raises(ValidationError, match="on or after the day of the meeting"):
            services.action_add(
                by=secretary,
                meeting=meeting,
                description="Audit",
                owner=mso,
                due_on=datetime.date(2026, 11, 1),
            )
        assert not MeetingAction.objects.exists()

    def test_done_needs_a_date_and_dropped_a_reason(self, meeting, secretary, mso):
        action = services.action_add(
            by=secretary,
            meeting=meeting,
            description="Audit insulin charts",
            owner=mso,
            due_on=TODAY,
        )
        with pytest.raises(ValidationError, match="Enter the date it was done"):
            services.action_update(by=mso, action=action, state="done", evidence="")
        with pytest.raises(ValidationError, match="Say why"):
            services.action_update(by=mso, action=action, state="dropped", evidence="")
        services.action_update(
            by=mso, action=action, state="done", evidence="30 charts", done_on=TODAY
        )
        action.refresh_from_db()
        assert (action.state, action.done_on) == ("done", TODAY)
        assert not MeetingAction.objects.overdue(TODAY + datetime.timedelta(days=30)).exists()


def test_a_meeting_can_have_no_location(committee, secretary):
    meeting = services.meeting_create(by=secretary, committee=committee, starts_at=at(TODAY))
    assert Meeting.objects.get(pk=meeting.pk).location == ""
    assert CommitteeMember.objects.current(TODAY).count() == 5
