"""An organisation's response: acknowledge, decide, lead, each action's owner and evidence, the
board director's sign-off, complete and reopen; every step on the timeline, the tallies kept
equal to a live count throughout, and bad input refused with nothing half-saved."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from alerts import services
from alerts.choices import ResponseState
from alerts.models import NO_DEADLINE, AlertResponse
from organisations.choices import Role
from tests.alerts.conftest import (
    ISSUED,
    answers,
    assert_deadlines_are_live,
    assert_tallies_are_live,
    finish,
)
from tests.factories import member

pytestmark = pytest.mark.django_db
TODAY = ISSUED + datetime.timedelta(days=5)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 7, 10, 0, tzinfo=datetime.UTC))


class TestWorkflow:
    def test_from_new_to_completed(self, response, mso, director, published):
        services.response_acknowledge(by=mso, response=response)
        response.refresh_from_db()
        assert (response.state, response.acknowledged_by) == (ResponseState.ACKNOWLEDGED, mso)
        services.response_decide(by=mso, response=response, applies=True)
        services.response_lead_set(by=mso, response=response, lead=mso)
        first, second = answers(response)
        services.action_response_save(
            by=mso,
            answer=first,
            owner=mso,
            state="done",
            evidence="Order set changed",
            done_on=TODAY,
        )
        response.refresh_from_db()
        assert response.next_due_on == second.action.due_on  # the next unfinished deadline
        services.action_response_save(
            by=mso,
            answer=second,
            owner=mso,
            state="not-needed",
            evidence="We do not dispense to outpatients",
            done_on=None,
        )
        services.response_sign_off(by=director, response=response, note="Assured at board")
        services.response_complete(by=mso, response=response)
        response.refresh_from_db()
        assert response.state == ResponseState.COMPLETED
        assert response.next_due_on == NO_DEADLINE
        kinds = list(response.events.values_list("kind", flat=True))
        assert kinds == [
            "acknowledged",
            "applies",
            "lead",
            "action",
            "action",
            "signed-off",
            "completed",
        ]
        assert_tallies_are_live(published)
        assert_deadlines_are_live()

    def test_not_applicable_needs_a_rationale(self, response, mso, published):
        with pytest.raises(ValidationError, match="Say why"):
            services.response_decide(by=mso, response=response, applies=False, rationale=" ")
        response.refresh_from_db()
        assert response.state == ResponseState.NEW
        services.response_decide(
            by=mso, response=response, applies=False, rationale="We hold no methotrexate"
        )
        response.refresh_from_db()
        assert response.state == ResponseState.NOT_APPLICABLE and response.acknowledged_at
        assert_tallies_are_live(published)
        assert_deadlines_are_live()

    def test_an_action_without_an_owner_is_not_done(self, response, mso):
        answer = answers(response)[0]
        with pytest.raises(ValidationError) as refused:
            services.action_response_save(
                by=mso, answer=answer, owner=None, state="done", evidence="", done_on=TODAY
            )
        assert "Name who owns the action" in str(refused.value)
        answer.refresh_from_db()
        assert answer.state == "to-do"

    def test_a_completion_in_the_future_is_refused(self, response, mso):
        with pytest.raises(ValidationError, match="today or in the past"):
            services.action_response_save(
                by=mso,
                answer=answers(response)[0],
                owner=mso,
                state="done",
                evidence="",
                done_on=TODAY + datetime.timedelta(3),
            )

    def test_the_owner_must_be_a_member(self, response, mso, other_mso):
        with pytest.raises(ValidationError, match="not a member"):
            services.action_response_save(
                by=mso,
                answer=answers(response)[0],
                owner=other_mso,
                state="in-progress",
                evidence="",
                done_on=None,
            )

    def test_sign_off_waits_for_every_action(self, response, mso, director):
        services.response_decide(by=mso, response=response, applies=True)
        with pytest.raises(ValidationError, match="2 actions are not done yet"):
            services.response_sign_off(by=director, response=response)
        finish(mso, response, mso)
        services.response_sign_off(by=director, response=response)

    def test_whoever_leads_the_response_does_not_sign_it_off(self, response, mso, director):
        """Found by a probe: the MSO made themselves board director and signed off the response
        they led. Sign-off and the response it signs are two people's."""
        from django.db import IntegrityError, transaction

        services.response_decide(by=mso, response=response, applies=True)
        services.response_lead_set(by=mso, response=response, lead=director)
        finish(mso, response, mso)
        with pytest.raises(ValidationError, match="someone else signs it off"):
            services.response_sign_off(by=director, response=response)
        response.refresh_from_db()
        assert response.signed_off_at is None
        with pytest.raises(IntegrityError), transaction.atomic():
            AlertResponse.objects.filter(pk=response.pk).update(signed_off_by=director)

    def test_nor_is_whoever_signed_it_off_made_its_lead(self, response, mso, director):
        services.response_decide(by=mso, response=response, applies=True)
        finish(mso, response, mso)
        services.response_sign_off(by=director, response=response)
        with pytest.raises(ValidationError) as refused:
            services.response_lead_set(by=mso, response=response, lead=director)
        assert "signed off this response" in refused.value.message_dict["lead"][0]

    def test_completion_waits_for_the_sign_off(self, response, mso):
        services.response_decide(by=mso, response=response, applies=True)
        finish(mso, response, mso)
        with pytest.raises(ValidationError, match="signs off the response before"):
            services.response_complete(by=mso, response=response)

    def test_changing_an_action_after_sign_off_asks_for_it_again(self, response, mso, director):
        services.response_decide(by=mso, response=response, applies=True)
        finish(mso, response, mso)
        services.response_sign_off(by=director, response=response)
        services.action_response_save(
            by=mso,
            answer=answers(response)[0],
            owner=mso,
            state="in-progress",
            evidence="",
            done_on=None,
        )
        response.refresh_from_db()
        assert response.signed_off_at is None

    def test_reopening_needs_a_reason_and_is_on_the_timeline(
        self, response, mso, director, published
    ):
        services.response_decide(by=mso, response=response, applies=False, rationale="No stock")
        with pytest.raises(ValidationError, match="Say why the response is reopened"):
            services.response_reopen(by=mso, response=response, reason="")
        services.response_reopen(by=mso, response=response, reason="We do stock it after all")
        response.refresh_from_db()
        assert response.state == ResponseState.IN_PROGRESS and response.rationale == ""
        assert response.events.last().note == "We do stock it after all"
        assert_tallies_are_live(published)
        assert_deadlines_are_live()

    def test_a_closed_response_takes_no_changes(self, response, mso):
        services.response_decide(by=mso, response=response, applies=False, rationale="No stock")
        with pytest.raises(ValidationError, match="reopen it first"):
            services.action_response_save(
                by=mso,
                answer=answers(response)[0],
                owner=mso,
                state="in-progress",
                evidence="",
                done_on=None,
            )

    def test_a_lead_must_be_a_member(self, response, mso, other_mso):
        with pytest.raises(ValidationError, match="not a member"):
            services.response_lead_set(by=mso, response=response, lead=other_mso)

    def test_incidents_linked_are_the_organisations_own(
        self, response, mso, trust, other_trust, staff
    ):
        from tests.incidents.conftest import report

        own = report(trust, staff, occurred_on=datetime.date(2026, 10, 1))
        services.incident_link(by=mso, response=response, incident=own)
        services.incident_link(by=mso, response=response, incident=own)  # once is once
        assert response.linked_incidents.count() == 1
        theirs = report(other_trust, member(other_trust, Role.STAFF), occurred_on=own.occurred_on)
        with pytest.raises(ValidationError):
            services.incident_link(by=mso, response=response, incident=theirs)


def test_the_tallies_stay_live_through_many_organisations_responding(
    published, trust, mso, other_trust, other_mso, director, lead
):
    mine = AlertResponse.objects.get(organisation=trust)
    theirs = AlertResponse.objects.get(organisation=other_trust)
    services.response_acknowledge(by=other_mso, response=theirs)
    services.response_decide(by=mso, response=mine, applies=True)
    finish(mso, mine, mso)
    services.response_sign_off(by=director, response=mine)
    services.response_complete(by=mso, response=mine)
    services.response_reopen(by=mso, response=mine, reason="Audit found a gap")
    assert_tallies_are_live(published)
    assert_deadlines_are_live()


class TestClosedInCas:
    """The response here is the organisation's own loop behind the Central Alerting System:
    once it is finished, the MSO records the day it was closed in CAS."""

    def not_applicable(self, response, mso):
        services.response_decide(
            by=mso, response=response, applies=False, rationale="No outpatients"
        )
        response.refresh_from_db()
        return response

    def url(self, response):
        return reverse(
            "alerts:cas_closed", args=[response.alert_id, response.organisation.ods_code]
        )

    def test_the_mso_records_it_once_the_response_is_finished(
        self, assert_access, client_for, response, mso, other_mso, staff, lead
    ):
        data = {"closed_on_day": "5", "closed_on_month": "11", "closed_on_year": "2026"}
        refused = client_for(mso).post(self.url(response), data)
        assert "Finish the response here first" in refused.text
        self.not_applicable(response, mso)
        assert_access(
            self.url(response),
            method="post",
            data=data,
            allowed=mso,
            other_organisation=other_mso,
            wrong_role=staff,
            ok=302,
        )
        response.refresh_from_db()
        assert (response.cas_closed_on, response.cas_closed_by) == (
            datetime.date(2026, 11, 5),
            mso,
        )
        assert response.events.filter(kind="cas-closed").exists()
        page = client_for(lead).get(reverse("alerts:compliance", args=[response.alert_id]))
        assert "1 of them recorded here that they closed the alert" in page.text

    def test_a_day_before_the_alert_or_in_the_future_is_refused(self, response, mso):
        self.not_applicable(response, mso)
        for day, message in (
            (datetime.date(2026, 11, 1), "on or after the day the alert was issued"),
            (TODAY + datetime.timedelta(days=1), "today or in the past"),
        ):
            with pytest.raises(ValidationError, match=message):
                services.response_cas_closed(by=mso, response=response, closed_on=day)

    def test_recorded_twice_it_is_recorded_once(self, response, mso):
        self.not_applicable(response, mso)
        for _ in range(2):  # a second press, or another tab
            services.response_cas_closed(by=mso, response=response, closed_on=TODAY)
        assert response.events.filter(kind="cas-closed").count() == 1

    def test_reopening_clears_it(self, response, mso):
        self.not_applicable(response, mso)
        services.response_cas_closed(by=mso, response=response, closed_on=TODAY)
        services.response_reopen(by=mso, response=response, reason="A new batch")
        response.refresh_from_db()
        assert response.cas_closed_on is None and response.cas_closed_by is None


def test_the_signer_finds_what_waits_for_them(client_for, response, mso, director):
    """On the alert list, under "Waiting for sign-off", and from the home page."""
    services.response_decide(by=mso, response=response, applies=True)
    client = client_for(director)
    assert response.alert.reference not in client.get("/alerts/?show=sign-off").text
    finish(mso, response, mso)
    page = client.get("/alerts/?show=sign-off").text
    assert response.alert.reference in page and "1 waiting for your sign-off" in page
    assert "/alerts/?show=sign-off" in client.get("/").text
    assert "/alerts/?show=sign-off" not in client_for(mso).get("/").text
