"""Closing a review: what cannot be done yet is not offered, and says why before anyone types;
each button says what it does; reopening asks the question in full; every form about the
incident leads back to it."""

import datetime

import pytest
from django.urls import reverse

from incidents import services
from incidents.models import IncidentAction, Status

pytestmark = pytest.mark.django_db
FUTURE = datetime.date(2030, 1, 1)


def in_review_with_an_action(incident, mso, description="Reprint the insulin chart"):
    services.review_start(by=mso, incident=incident)
    return services.action_add(
        by=mso, incident=incident, description=description, owner=mso, due_on=FUTURE
    )


def close_url(incident):
    return reverse("incidents:close", args=[incident.reference])


class TestClosingWithOpenActions:
    def test_the_incident_page_says_why_and_links_to_the_actions(self, client_for, mso, incident):
        action = in_review_with_an_action(incident, mso)
        page = client_for(mso).get(incident.get_absolute_url()).text
        assert close_url(incident) not in page
        assert "first complete or cancel its 1 open action" in page
        assert 'href="#actions"' in page and 'id="actions"' in page
        services.action_update(by=mso, action=action, state=IncidentAction.State.DONE)
        page = client_for(mso).get(incident.get_absolute_url()).text
        assert "Close with feedback to the reporter" in page
        assert close_url(incident) in page
        assert "first complete or cancel" not in page

    def test_the_close_page_says_why_before_any_typing(self, client_for, mso, incident):
        action = in_review_with_an_action(incident, mso)
        page = client_for(mso).get(close_url(incident))
        assert page.status_code == 200
        assert "open action is completed or cancelled" in page.text
        edit = reverse("incidents:action_change", args=[incident.reference, action.pk])
        assert f'href="{edit}"' in page.text
        assert "Reprint the insulin chart" in page.text
        assert 'name="feedback"' not in page.text
        assert "Close the incident" not in page.text

    def test_feedback_sent_meanwhile_is_kept_with_the_reason(self, client_for, mso, incident):
        in_review_with_an_action(incident, mso)
        response = client_for(mso).post(
            close_url(incident), {"feedback": "We now double-sign insulin."}
        )
        assert response.status_code == 200
        assert "Complete or cancel the open actions" in response.text
        assert "We now double-sign insulin." in response.text
        incident.refresh_from_db()
        assert incident.status == Status.IN_REVIEW

    def test_without_open_actions_the_form_is_there(self, client_for, mso, incident):
        services.review_start(by=mso, incident=incident)
        page = client_for(mso).get(close_url(incident)).text
        assert 'name="feedback"' in page and "Close the incident" in page
        assert "open action" not in page


class TestTheReviewBox:
    def test_waiting_for_actions_is_offered_only_with_actions_and_says_what_it_does(
        self, client_for, mso, incident
    ):
        services.review_start(by=mso, incident=incident)
        page = client_for(mso).get(incident.get_absolute_url()).text
        assert "mark as awaiting actions" not in page
        services.action_add(
            by=mso, incident=incident, description="Audit", owner=mso, due_on=FUTURE
        )
        page = client_for(mso).get(incident.get_absolute_url()).text
        assert "Review done: mark as awaiting actions" in page
        assert "Wait for the actions" not in page
        response = client_for(mso).post(
            reverse("incidents:move", args=[incident.reference]), {"to": "awaiting-actions"}
        )
        assert response.status_code == 302
        incident.refresh_from_db()
        assert incident.status == Status.AWAITING_ACTIONS

    def test_a_closed_incident_asks_why_it_is_reopened_in_full(self, client_for, mso, incident):
        services.review_start(by=mso, incident=incident)
        services.incident_close(by=mso, incident=incident, feedback="Thank you.")
        page = client_for(mso).get(incident.get_absolute_url()).text
        assert "This incident is closed. To review it again, reopen it and say why" in page
        assert "Why are you reopening this incident?" in page
        assert ">Why?<" not in page and "Why?\n" not in page
        response = client_for(mso).post(
            reverse("incidents:move", args=[incident.reference]), {"to": "in-review"}
        )
        assert "Enter why you are reopening this incident" in response.text
        incident.refresh_from_db()
        assert incident.status == Status.CLOSED


class TestBackLinks:
    def test_each_form_about_the_incident_leads_back_to_it(self, client_for, mso, incident):
        action = in_review_with_an_action(incident, mso)
        services.action_update(by=mso, action=action, state=IncidentAction.State.DONE)
        client = client_for(mso)
        back = f'<a class="nhsuk-back-link" href="{incident.get_absolute_url()}">'
        for name, args in (
            ("incidents:learning", [incident.reference]),
            ("incidents:action_create", [incident.reference]),
            ("incidents:action_change", [incident.reference, action.pk]),
            ("incidents:close", [incident.reference]),
            ("incidents:duplicate", [incident.reference]),
        ):
            page = client.get(reverse(name, args=args))
            assert page.context["back_url"] == incident.get_absolute_url(), name
            assert page.text.count("nhsuk-back-link") == 1, name
            assert back in page.text, name
