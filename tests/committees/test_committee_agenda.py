"""The agenda offered for a meeting, against a fixture whose items are known: what happened
since the committee last met (incidents of moderate harm or worse and never events, thematic
reviews), what is open (alerts, actions past their dates), and nothing of another organisation
or from before the last meeting. The reminders of a committee: its actions, and minutes not
recorded 14 days after a meeting, each sent once."""

import datetime

import pytest
import time_machine

from alerts import services as alerts
from committees import agenda, services
from committees.choices import AgendaSource
from incidents.models import Incident, IncidentAction
from notifications.models import Notification
from notifications.services import sweep
from tests.alerts.conftest import draft
from tests.committees.conftest import at
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db
LAST_MET = datetime.date(2026, 10, 12)
NEXT = datetime.date(2026, 11, 16)


def reported(organisation, reporter, on, **details):
    incident = report(organisation, reporter, **details)
    Incident.objects.filter(pk=incident.pk).update(reported_at=at(on, 10))
    incident.refresh_from_db()
    return incident


@pytest.fixture
def world(committee, secretary, trust, other_trust, staff, mso, lead, other_mso):
    with time_machine.travel(at(LAST_MET, 9), tick=False):
        services.meeting_create(by=secretary, committee=committee, starts_at=at(LAST_MET))
    before = reported(trust, staff, datetime.date(2026, 10, 1), physical_harm="2")
    severe = reported(trust, staff, datetime.date(2026, 10, 20), physical_harm="2")
    never = reported(trust, staff, datetime.date(2026, 10, 21), never_event=True)
    minor = reported(trust, staff, datetime.date(2026, 10, 22), physical_harm="4")
    elsewhere = reported(other_trust, other_mso, datetime.date(2026, 10, 23), physical_harm="1")
    Incident.objects.filter(pk=minor.pk).update(
        learning_response="thematic",
        learning_summary="Insulin omissions at night",
        closed_at=at(datetime.date(2026, 11, 2)),
        status="closed",
    )
    IncidentAction.objects.create(
        incident=minor, description="Audit", owner=mso, due_on=datetime.date(2026, 11, 1)
    )
    alert = draft(lead, issued_on=datetime.date(2026, 10, 1))
    alerts.alert_publish(by=lead, alert=alert)
    return {
        "before": before,
        "severe": severe,
        "never": never,
        "minor": minor,
        "elsewhere": elsewhere,
    }


def test_the_suggested_agenda(world, committee):
    with time_machine.travel(at(NEXT, 9), tick=False):
        found = agenda.suggest(committee, at(NEXT))
    about = [(item.source, item.about) for item in found]
    assert about == [
        ("", ""),
        (AgendaSource.INCIDENT, world["severe"].reference),
        (AgendaSource.NEVER_EVENT, world["never"].reference),
        (AgendaSource.REVIEW, world["minor"].reference),
        (AgendaSource.ALERT, "NatPSA/2026/004/NHSPS"),
        (AgendaSource.ACTION, ""),
        ("", ""),
    ]
    titles = [item.title for item in found]
    assert titles[1] == f"Incident {world['severe'].reference}: severe physical harm"
    assert titles[5] == "1 incident action past their due date"
    assert "Insulin given twice" not in " ".join(item.notes + item.title for item in found)


def test_a_first_meeting_looks_back_three_months(committee, trust, staff):
    incident = reported(trust, staff, datetime.date(2026, 9, 1), physical_harm="3")
    found = agenda.suggest(committee, at(NEXT))
    assert incident.reference in [item.about for item in found]
    found = agenda.suggest(committee, at(datetime.date(2027, 1, 10)))
    assert incident.reference not in [item.about for item in found]


def test_the_committees_own_late_actions_come_first(committee, secretary, mso):
    with time_machine.travel(at(LAST_MET, 9), tick=False):
        meeting = services.meeting_create(by=secretary, committee=committee, starts_at=at(LAST_MET))
        services.action_add(
            by=secretary,
            meeting=meeting,
            description="Audit insulin charts",
            owner=mso,
            due_on=datetime.date(2026, 11, 1),
        )
    with time_machine.travel(at(NEXT, 9), tick=False):
        found = agenda.suggest(committee, at(NEXT))
    assert found[1].title == "Action past its date: Audit insulin charts"
    assert found[1].notes == "Owned by Amir Shah, due 1 November 2026"


class TestReminders:
    def test_minutes_not_recorded_in_14_days_tell_the_secretary_once(self, committee, secretary):
        with time_machine.travel(at(LAST_MET, 9), tick=False):
            meeting = services.meeting_create(
                by=secretary, committee=committee, starts_at=at(LAST_MET)
            )
        assert sweep(LAST_MET + datetime.timedelta(days=13)) == 0
        assert sweep(LAST_MET + datetime.timedelta(days=14)) == 1
        assert sweep(LAST_MET + datetime.timedelta(days=15)) == 0
        told = Notification.objects.get(kind="minutes-missing")
        assert told.recipient == secretary and told.subject == f"committee-meeting:{meeting.pk}"

    def test_recorded_minutes_tell_nobody(self, committee, secretary):
        with time_machine.travel(at(LAST_MET, 16), tick=False):
            meeting = services.meeting_create(
                by=secretary, committee=committee, starts_at=at(LAST_MET)
            )
            services.minutes_record(by=secretary, meeting=meeting, minutes="Held.", decisions=[])
        assert sweep(LAST_MET + datetime.timedelta(days=20)) == 0

    def test_without_a_secretary_the_chair_is_told(self, committee, secretary, chair):
        from tests.committees.conftest import seat_of

        services.member_end(by=chair, member=seat_of(committee, "Sally Bowen"), end_on=LAST_MET)
        with time_machine.travel(at(LAST_MET, 9), tick=False):
            services.meeting_create(by=secretary, committee=committee, starts_at=at(LAST_MET))
        sweep(LAST_MET + datetime.timedelta(days=14))
        assert Notification.objects.get(kind="minutes-missing").recipient == chair

    def test_an_action_is_reminded_to_its_owner_before_and_after_its_date(
        self, committee, secretary, mso
    ):
        with time_machine.travel(at(LAST_MET, 16), tick=False):
            meeting = services.meeting_create(
                by=secretary, committee=committee, starts_at=at(LAST_MET)
            )
            services.minutes_record(by=secretary, meeting=meeting, minutes="Held.", decisions=[])
            services.action_add(
                by=secretary,
                meeting=meeting,
                description="Audit insulin charts",
                owner=mso,
                due_on=datetime.date(2026, 11, 2),
            )
        for day in range(10, 31):
            sweep(datetime.date(2026, 10, day))
        sweep(datetime.date(2026, 11, 1))
        sweep(datetime.date(2026, 11, 3))
        sweep(datetime.date(2026, 11, 4))
        kinds = list(
            Notification.objects.filter(recipient=mso, subject__startswith="committee-action:")
            .order_by("created_at", "pk")
            .values_list("kind", flat=True)
        )
        assert kinds == ["due-in-7-days", "due-tomorrow", "overdue"]
