"""Reminders and escalation from alerts, through the engine, with time travel: each rule sends
to the right people at the right moment, once however often the sweep runs, and each is in the
in-app notifications (a Notification row is what the notifications page lists)."""

import datetime

import pytest
from django.utils import timezone

from alerts import reminders, services
from alerts.models import AlertActionResponse, AlertResponse
from notifications.models import Notification
from notifications.services import sweep
from organisations.choices import OrganisationKind, Post, Role
from tests.alerts.conftest import draft
from tests.factories import OrganisationFactory, RelationshipFactory, member, post_holder

pytestmark = pytest.mark.django_db
LONDON = timezone.get_default_timezone()


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def sent(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def sweep_at(time_machine, moment):
    time_machine.move_to(moment)
    return sweep(moment.date())


def publish(lead, alert, time_machine, moment, capture):
    time_machine.move_to(moment)
    with capture(execute=True):
        services.alert_publish(by=lead, alert=alert)
    alert.refresh_from_db()
    return alert


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


class TestPublishingNotice:
    def test_each_reached_organisations_mso_and_deputy_is_told_once(
        self, lead, trust, other_trust, mso, other_mso, time_machine, capture
    ):
        deputy = post_holder(trust, Post.DEPUTY_MSO)
        staff = member(trust, Role.STAFF)
        alert = publish(lead, draft(lead), time_machine, at(2026, 11, 2, 10), capture)
        assert sent("published") == sorted([mso.pk, deputy.pk, other_mso.pk])
        assert alert.notified_at is not None
        services.fan_out(alert)  # the task run again (a retry) writes nothing more
        sweep_at(time_machine, at(2026, 11, 2, 11))
        assert sent("published") == sorted([mso.pk, deputy.pk, other_mso.pk])
        assert staff.pk not in sent("published")
        notice = Notification.objects.get(kind="published", recipient=mso)
        assert notice.url == f"/alerts/{alert.pk}/{trust.ods_code}/"
        assert alert.reference in notice.title

    def test_the_patient_safety_specialists_are_told_too_and_read_the_response(
        self, lead, trust, mso, time_machine, capture, client_for
    ):
        specialist = post_holder(trust, Post.PATIENT_SAFETY_SPECIALIST)
        post_holder(trust, Post.PATIENT_SAFETY_SPECIALIST, user=mso)  # the MSO is one too
        publish(lead, draft(lead), time_machine, at(2026, 11, 2, 10), capture)
        assert sent("published") == sorted([mso.pk, specialist.pk])  # the MSO once
        notice = Notification.objects.get(kind="published", recipient=specialist)
        assert client_for(specialist).get(notice.url).status_code == 200

    def test_a_fan_out_that_never_finished_is_finished_by_the_sweep(
        self, lead, trust, mso, time_machine
    ):
        time_machine.move_to(at(2026, 11, 2, 10))
        alert = draft(lead)
        services.alert_publish(by=lead, alert=alert)  # its on-commit task never ran
        assert not sent("published")
        sweep_at(time_machine, at(2026, 11, 2, 10, 5))  # within the grace, the task may yet run
        assert not sent("published")
        sweep_at(time_machine, at(2026, 11, 2, 10, 15))
        assert sent("published") == [mso.pk]
        alert.refresh_from_db()
        assert alert.notified_at is not None
        sweep_at(time_machine, at(2026, 11, 2, 11, 5))
        assert sent("published") == [mso.pk]

    def test_a_practice_without_an_mso_tells_its_pcns(self, lead, time_machine, capture):
        pcn = OrganisationFactory(pcn=True)
        practice = OrganisationFactory(practice=True)
        RelationshipFactory(parent=pcn, child=practice, start_on=datetime.date(2020, 1, 1))
        pcn_mso = post_holder(pcn, Post.MSO)
        alert = draft(lead, applicable_kinds=[OrganisationKind.GP_PRACTICE])
        publish(lead, alert, time_machine, at(2026, 11, 2, 10), capture)
        assert sent("published") == [pcn_mso.pk]


class TestNotAcknowledged:
    def test_told_to_the_mso_two_working_days_after_publishing_to_the_hour(
        self, lead, trust, other_trust, mso, other_mso, time_machine, capture
    ):
        # Published on Thursday at 10:00: Friday and Monday are the two working days.
        alert = publish(lead, draft(lead), time_machine, at(2026, 11, 5, 10), capture)
        services.response_acknowledge(
            by=other_mso, response=AlertResponse.objects.get(alert=alert, organisation=other_trust)
        )
        for moment in (at(2026, 11, 6, 17), at(2026, 11, 7, 12), at(2026, 11, 9, 9, 5)):
            sweep_at(time_machine, moment)
        assert not sent("not-acknowledged")
        sweep_at(time_machine, at(2026, 11, 9, 10, 5))
        sweep_at(time_machine, at(2026, 11, 9, 11, 5))
        sweep_at(time_machine, at(2026, 11, 10, 10, 5))
        assert sent("not-acknowledged") == [mso.pk]  # once; the acknowledged trust not at all

    def test_bank_holidays_are_not_working_days(self, lead, mso, time_machine):
        # Published on Christmas Eve 2026 (Thursday): Christmas Day and the Boxing Day holiday
        # (Monday 28th) do not count, so the working days are the 29th and the 30th.
        published = at(2026, 12, 24, 9)
        assert reminders.acknowledge_by(published) == at(2026, 12, 30, 9)

    def test_no_reminder_once_acknowledged(self, mso, other_mso, response, time_machine):
        services.response_acknowledge(by=mso, response=response)
        sweep_at(time_machine, timezone.now() + datetime.timedelta(days=10))
        assert sent("not-acknowledged") == [other_mso.pk]


class TestClassOneRecall:
    @pytest.fixture
    def recall(self, lead):
        return draft(
            lead,
            reference="NatPSA/2026/011/MHRA",
            alert_type="recall-1",
            actions=[{"description": "Quarantine stock", "due_on": datetime.date(2026, 11, 2)}],
        )

    def test_it_is_reminded_by_its_own_deadline_and_no_invented_hour(
        self, lead, recall, trust, mso, director, time_machine, capture
    ):
        """A Class 1 recall's actions are due the day it is issued: the reminders come from
        that deadline (to the MSO while nobody owns the action), and its escalation to the
        board director from the same deadline, 3 days past. No rule of hours is invented."""
        publish(lead, recall, time_machine, at(2026, 11, 2, 9, 30), capture)
        sweep_at(time_machine, at(2026, 11, 2, 14, 5))
        assert mso.pk in sent("due-tomorrow")  # due today
        assert not sent("class-1-not-acknowledged")
        assert director.pk not in sent("due-tomorrow")
        sweep_at(time_machine, at(2026, 11, 5, 9, 5))
        assert sent("overdue-3-days") == [director.pk]


class TestActionDeadlines:
    DUE = datetime.date(2026, 12, 2)  # the first action of the draft: issued + 30 days

    @pytest.fixture
    def answer(self, lead, trust, mso, director, time_machine, capture):
        alert = publish(lead, draft(lead), time_machine, at(2026, 11, 2, 10), capture)
        response = AlertResponse.objects.get(alert=alert, organisation=trust)
        services.response_decide(by=mso, response=response, applies=True)
        return AlertActionResponse.objects.get(response=response, action__due_on=self.DUE)

    def every_day_until(self, time_machine, last):
        day = datetime.date(2026, 11, 2)
        while day <= last:
            sweep_at(time_machine, at(day.year, day.month, day.day, 7, 5))
            sweep_at(time_machine, at(day.year, day.month, day.day, 8, 5))
            day += datetime.timedelta(days=1)

    def deadline_reminders(self, answer):
        return sorted(
            Notification.objects.filter(subject=f"alert-action:{answer.pk}").values_list(
                "kind", "recipient_id"
            )
        )

    def test_owner_told_14_7_and_1_days_before_then_owner_and_mso_then_director(
        self, answer, mso, director, trust, time_machine
    ):
        owner = member(trust, Role.STAFF)
        services.action_response_save(
            by=mso, answer=answer, owner=owner, state="in-progress", evidence="", done_on=None
        )
        self.every_day_until(time_machine, self.DUE + datetime.timedelta(days=5))
        assert self.deadline_reminders(answer) == sorted(
            [
                ("due-in-14-days", owner.pk),
                ("due-in-7-days", owner.pk),
                ("due-tomorrow", owner.pk),
                ("overdue", owner.pk),
                ("overdue", mso.pk),
                ("overdue-3-days", director.pk),
            ]
        )
        days = dict(
            Notification.objects.filter(subject=f"alert-action:{answer.pk}").values_list(
                "kind", "created_at__date"
            )
        )
        assert days["due-in-14-days"] == self.DUE - datetime.timedelta(days=14)
        assert days["due-in-7-days"] == self.DUE - datetime.timedelta(days=7)
        assert days["due-tomorrow"] == self.DUE - datetime.timedelta(days=1)
        assert days["overdue"] == self.DUE + datetime.timedelta(days=1)
        assert days["overdue-3-days"] == self.DUE + datetime.timedelta(days=3)

    def test_an_action_without_an_owner_is_told_to_the_mso(self, answer, mso, time_machine):
        self.every_day_until(time_machine, self.DUE - datetime.timedelta(days=7))
        assert self.deadline_reminders(answer) == [
            ("due-in-14-days", mso.pk),
            ("due-in-7-days", mso.pk),
        ]

    def test_a_sweep_that_first_runs_late_sends_the_latest_reminder_only(
        self, answer, mso, director, time_machine
    ):
        sweep_at(time_machine, at(2026, 11, 28, 8, 5))  # 4 days before: past 7, not yet 1
        assert self.deadline_reminders(answer) == [("due-in-7-days", mso.pk)]
        sweep_at(time_machine, at(2026, 12, 8, 8, 5))  # 6 days late: both late reminders
        assert [kind for kind, _ in self.deadline_reminders(answer)] == [
            "due-in-7-days",
            "overdue",
            "overdue-3-days",
        ]

    def test_a_finished_action_or_closed_response_is_not_told(
        self, answer, mso, director, time_machine
    ):
        time_machine.move_to(at(2026, 11, 10, 9))
        services.action_response_save(
            by=mso,
            answer=answer,
            owner=mso,
            state="done",
            evidence="Default changed to weekly",
            done_on=datetime.date(2026, 11, 10),
        )
        self.every_day_until(time_machine, self.DUE + datetime.timedelta(days=5))
        assert self.deadline_reminders(answer) == []
        other = AlertActionResponse.objects.exclude(pk=answer.pk).get(response=answer.response)
        services.response_decide(
            by=mso, response=answer.response, applies=False, rationale="No methotrexate here"
        )
        self.every_day_until(time_machine, datetime.date(2027, 1, 5))
        assert self.deadline_reminders(other) == []


class TestTheRightPeopleTold:
    def test_a_device_alert_reaches_the_mdso_and_a_natpsa_does_not(
        self, lead, trust, mso, time_machine, capture
    ):
        mdso = post_holder(trust, Post.MDSO)
        publish(lead, draft(lead), time_machine, at(2026, 11, 2, 10), capture)
        assert mdso.pk not in sent("published")
        device = draft(lead, reference="MDA/2026/012", alert_type="device")
        publish(lead, device, time_machine, at(2026, 11, 2, 11), capture)
        assert mdso.pk in sent("published") and mso.pk in sent("published")

    def test_the_signer_is_told_when_it_waits_and_the_mso_when_it_is_signed(
        self, lead, trust, mso, director, time_machine, capture
    ):
        from tests.alerts.conftest import finish

        alert = publish(lead, draft(lead), time_machine, at(2026, 11, 2, 10), capture)
        response = AlertResponse.objects.get(alert=alert, organisation=trust)
        time_machine.move_to(at(2026, 11, 5, 10))
        services.response_decide(by=mso, response=response, applies=True)
        finish(mso, response, mso, on=datetime.date(2026, 11, 5))
        assert sent("waiting-for-sign-off") == [director.pk]
        finish(mso, response, mso, on=datetime.date(2026, 11, 5))  # saved again: told once
        assert sent("waiting-for-sign-off") == [director.pk]
        services.response_sign_off(by=director, response=response)
        assert sent("signed-off") == [mso.pk]

    def test_closing_in_cas_is_asked_for_from_a_week_before_the_last_deadline(
        self, lead, trust, mso, director, time_machine, capture
    ):
        from tests.alerts.conftest import finish

        alert = publish(lead, draft(lead), time_machine, at(2026, 11, 2, 10), capture)
        response = AlertResponse.objects.get(alert=alert, organisation=trust)
        time_machine.move_to(at(2026, 11, 5, 10))
        services.response_decide(by=mso, response=response, applies=True)
        finish(mso, response, mso, on=datetime.date(2026, 11, 5))
        services.response_sign_off(by=director, response=response)
        services.response_complete(by=mso, response=response)
        last = max(alert.actions.values_list("due_on", flat=True))
        sweep_at(time_machine, at(last.year, last.month, last.day, 9) - datetime.timedelta(8))
        assert not sent("cas-closure-due")
        sweep_at(time_machine, at(last.year, last.month, last.day, 9) - datetime.timedelta(6))
        sweep_at(time_machine, at(last.year, last.month, last.day, 10))
        assert sent("cas-closure-due") == [mso.pk]

    def test_a_closure_recorded_is_not_asked_for(self, lead, trust, mso, time_machine, capture):
        alert = publish(lead, draft(lead), time_machine, at(2026, 11, 2, 10), capture)
        response = AlertResponse.objects.get(alert=alert, organisation=trust)
        time_machine.move_to(at(2026, 11, 5, 10))
        services.response_decide(by=mso, response=response, applies=False, rationale="None")
        services.response_cas_closed(
            by=mso, response=response, closed_on=datetime.date(2026, 11, 5)
        )
        last = max(alert.actions.values_list("due_on", flat=True))
        sweep_at(time_machine, at(last.year, last.month, last.day, 10))
        assert not sent("cas-closure-due")


def test_a_pharmacy_s_superintendent_is_told_of_its_alerts(lead, time_machine, capture):
    pharmacy = OrganisationFactory(kind="community-pharmacy", ods_code="FQ003")
    superintendent = post_holder(pharmacy, Post.SUPERINTENDENT_PHARMACIST)
    alert = draft(lead, applicable_kinds=["community-pharmacy"])
    publish(lead, alert, time_machine, at(2026, 11, 2, 10), capture)
    assert sent("published") == [superintendent.pk]
