"""The review: the workflow and its rules, corrections kept with before and after, learning,
actions, duplicates, feedback to the reporter."""

import datetime
import re

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import IncidentAction, IncidentEvent, Status
from notifications.models import Notification
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db
FUTURE = datetime.date(2030, 1, 1)


def kinds(incident):
    return list(incident.events.values_list("kind", flat=True))


class TestWorkflow:
    def test_submitted_to_closed_with_who_and_when(self, mso, incident, staff):
        services.review_start(by=mso, incident=incident)
        services.action_add(
            by=mso, incident=incident, description="Reprint the chart", owner=mso, due_on=FUTURE
        )
        services.incident_move(by=mso, incident=incident, to=Status.AWAITING_ACTIONS)
        action = incident.actions.get()
        services.action_update(by=mso, action=action, state=IncidentAction.State.DONE)
        services.incident_close(by=mso, incident=incident, feedback="Thank you for reporting.")
        incident.refresh_from_db()
        assert incident.status == Status.CLOSED and incident.closed_at
        assert kinds(incident) == ["submitted", "review-started", "awaiting-actions", "closed"]
        assert set(incident.events.exclude(kind="submitted").values_list("by", flat=True)) == {
            mso.pk
        }
        assert incident.actions.get().done_on is not None
        notice = Notification.objects.get(recipient=staff)
        assert incident.reference in notice.title and notice.url == incident.get_absolute_url()

    def test_an_incident_is_not_closed_without_feedback(self, mso, incident):
        services.review_start(by=mso, incident=incident)
        with pytest.raises(ValidationError, match="Enter the feedback"):
            services.incident_close(by=mso, incident=incident, feedback="  ")

    def test_open_actions_keep_it_open(self, mso, incident):
        services.review_start(by=mso, incident=incident)
        services.action_add(
            by=mso, incident=incident, description="Audit", owner=mso, due_on=FUTURE
        )
        with pytest.raises(ValidationError, match="open actions"):
            services.incident_close(by=mso, incident=incident, feedback="Done")

    def test_waiting_for_actions_needs_an_action(self, mso, incident):
        services.review_start(by=mso, incident=incident)
        with pytest.raises(ValidationError, match="Add an action"):
            services.incident_move(by=mso, incident=incident, to=Status.AWAITING_ACTIONS)

    def test_a_step_the_workflow_does_not_allow_is_refused(self, mso, incident):
        with pytest.raises(ValidationError, match="cannot be moved"):
            services.incident_close(by=mso, incident=incident, feedback="Too soon")

    def test_reopening_needs_a_reason_and_is_recorded(self, mso, incident):
        services.review_start(by=mso, incident=incident)
        services.incident_close(by=mso, incident=incident, feedback="Closed")
        with pytest.raises(ValidationError, match="why you are reopening this incident"):
            services.incident_move(by=mso, incident=incident, to=Status.IN_REVIEW)
        services.incident_move(by=mso, incident=incident, to=Status.IN_REVIEW, note="New facts")
        incident.refresh_from_db()
        assert incident.status == Status.IN_REVIEW and incident.closed_at is None
        assert incident.events.last().note == "New facts"

    def test_a_duplicate_is_linked_to_the_original(self, mso, trust, staff, incident):
        second = report(trust, staff)
        assert list(services.possible_duplicates(second)) == [incident]
        services.incident_mark_duplicate(by=mso, incident=second, original=incident)
        second.refresh_from_db()
        assert second.status == Status.DUPLICATE and second.duplicate_of == incident
        assert incident.reference in second.events.last().note

    def test_a_duplicate_of_another_organisation_is_refused(self, mso, incident, other_incident):
        with pytest.raises(ValidationError):
            services.incident_mark_duplicate(by=mso, incident=incident, original=other_incident)


class TestComments:
    def test_the_same_words_pressed_twice_are_one_comment(self, mso, incident):
        first = services.comment_add(by=mso, incident=incident, body="Chased pharmacy")
        with time_machine.travel(timezone.now() + datetime.timedelta(seconds=20)):
            again = services.comment_add(by=mso, incident=incident, body="Chased pharmacy ")
        assert again == first and incident.comments.count() == 1

    def test_the_same_words_a_week_later_are_a_new_comment(self, mso, incident):
        services.comment_add(by=mso, incident=incident, body="Chased again")
        with time_machine.travel(timezone.now() + datetime.timedelta(days=7)):
            services.comment_add(by=mso, incident=incident, body="Chased again")
        assert incident.comments.count() == 2

    def test_the_same_words_once_the_moment_has_passed_are_new(self, mso, incident):
        services.comment_add(by=mso, incident=incident, body="No answer yet")
        later = timezone.now() + services.REPEAT_WITHIN + datetime.timedelta(seconds=1)
        with time_machine.travel(later):
            services.comment_add(by=mso, incident=incident, body="No answer yet")
        assert incident.comments.count() == 2

    def test_another_persons_same_words_are_theirs(self, mso, safety_team, incident):
        services.comment_add(by=mso, incident=incident, body="Agreed")
        services.comment_add(by=safety_team, incident=incident, body="Agreed")
        assert incident.comments.count() == 2


class TestCorrections:
    def test_before_and_after_are_kept(self, mso, incident):
        services.incident_correct(
            by=mso,
            incident=incident,
            changes={"physical_harm": "3", "ncc_merp": "F"},
            medicines=[{"name": "Insulin aspart", "route": "subcutaneous", "dose": "20 units"}],
        )
        incident.refresh_from_db()
        assert incident.physical_harm == "3"
        entry = LogEntry.objects.get_for_object(incident).filter(actor=mso).latest("timestamp")
        assert entry.changes_dict["physical_harm"] == ["4", "3"]
        assert incident.medicines.get().dose == "20 units"
        assert incident.events.last().kind == IncidentEvent.Kind.CORRECTED
        assert "physical harm" in incident.events.last().note

    def test_nothing_changed_records_nothing(self, mso, incident):
        services.incident_correct(by=mso, incident=incident, changes={"physical_harm": "4"})
        assert kinds(incident) == ["submitted"]

    def test_the_edit_page_saves_a_correction(self, client_for, mso, incident):
        client = client_for(mso)
        page = client.get(reverse("incidents:edit", args=[incident.reference]))
        assert page.status_code == 200
        assert 'value="Insulin aspart"' in page.content.decode()


class TestLearning:
    def test_themes_and_related_incidents(self, mso, trust, staff, incident, other_incident):
        second = report(trust, staff)
        services.learning_record(
            by=mso,
            incident=incident,
            response="aar",
            summary="Double signing on the chart",
            themes=["Insulin", "charts", "insulin "],
            related=[second, other_incident],
        )
        assert sorted(t.name for t in incident.themes.all()) == ["Insulin", "charts"]
        assert list(incident.related.all()) == [second]
        assert list(second.related.all()) == [incident]

    def test_an_unknown_related_reference_is_a_clear_message(self, client_for, mso, incident):
        response = client_for(mso).post(
            reverse("incidents:learning", args=[incident.reference]),
            {
                "learning_response": "none",
                "related": "ZZZ-2026-000009",
            },
        )
        assert "has the reference ZZZ-2026-000009" in response.content.decode()


class TestFeedback:
    def test_the_reporter_sees_the_feedback_in_my_reports(self, client_for, mso, staff, incident):
        services.review_start(by=mso, incident=incident)
        services.incident_close(by=mso, incident=incident, feedback="We changed the chart.")
        client = client_for(staff)
        assert "Read the feedback" in client.get(reverse("incidents:mine")).content.decode()
        assert "We changed the chart." in client.get(incident.get_absolute_url()).content.decode()

    def test_an_anonymous_reporter_is_not_emailed(self, mso, trust, staff):
        anonymous = report(trust, staff, anonymous=True)
        services.review_start(by=mso, incident=anonymous)
        services.incident_close(by=mso, incident=anonymous, feedback="Thanks")
        assert not Notification.objects.exists()


class TestCorrectingMedicines:
    def test_saving_the_same_medicines_records_nothing(self, mso, trust, staff):
        cd = report(trust, staff, medicines=("Oxycodone 5 mg capsules",))
        services.incident_correct(
            by=mso,
            incident=cd,
            changes={},
            medicines=[
                {"name": "Oxycodone 5 mg capsules", "route": "subcutaneous", "dose": "10 units"}
            ],
        )
        assert kinds(cd) == ["submitted"]

    def test_the_reviewer_puts_a_schedule_right(self, mso, trust, staff):
        cd = report(trust, staff, medicines=("Oxycodone 5 mg capsules",))
        services.incident_correct(
            by=mso,
            incident=cd,
            changes={},
            medicines=[
                {
                    "name": "Oxycodone 5 mg capsules",
                    "route": "subcutaneous",
                    "dose": "10 units",
                    "cd_schedule": "",
                }
            ],
        )
        cd.refresh_from_db()
        assert not cd.controlled_drug and cd.medicines.get().cd_schedule == ""

    def test_the_edit_page_offers_the_schedule(self, client_for, mso, trust, staff):
        cd = report(trust, staff, medicines=("Oxycodone 5 mg capsules",))
        client = client_for(mso)
        page = client.get(reverse("incidents:edit", args=[cd.reference]))
        html = page.content.decode()
        assert 'name="medicines-0-cd_schedule"' in html
        assert '<option value="2" selected>' in html

    def test_a_correction_that_makes_it_a_controlled_drug_incident_tells_the_cdao(
        self, mso, trust, staff, incident
    ):
        from organisations.choices import Post
        from tests.factories import OrganisationFactory, RelationshipFactory, post_holder

        icb = OrganisationFactory(icb=True)
        RelationshipFactory(parent=icb, child=trust, start_on=datetime.date(2020, 1, 1))
        cdao = post_holder(trust, Post.CDAO)
        services.incident_correct(
            by=mso, incident=incident, changes={}, medicines=[{"name": "Diamorphine 5 mg"}]
        )
        notice = Notification.objects.get(kind="controlled-drug-reported")
        assert notice.recipient == cdao

    def test_the_service_refuses_a_date_in_the_future(self, mso, incident):
        tomorrow = datetime.date.today() + datetime.timedelta(days=2)
        with pytest.raises(ValidationError):
            services.incident_correct(by=mso, incident=incident, changes={"occurred_on": tomorrow})


class TestHistory:
    def test_reviewers_read_each_change_before_and_after(self, client_for, mso, incident):
        services.incident_correct(
            by=mso,
            incident=incident,
            changes={"physical_harm": "3"},
            medicines=[{"name": "Insulin glargine", "route": "subcutaneous", "dose": "8 units"}],
        )
        page = client_for(mso).get(reverse("incidents:history", args=[incident.reference]))
        html = page.content.decode()
        assert page.status_code == 200
        assert "Changed the incident" in html and "Amir Shah" in html
        assert "Moderate physical harm" in html  # the answer after, in words
        assert "Removed medicine Insulin aspart" in html
        assert "Recorded medicine Insulin glargine" in html

    def test_the_page_costs_the_same_however_long_the_history(
        self, client_for, mso, incident, django_assert_max_num_queries
    ):
        client = client_for(mso)
        for harm in "3254":
            services.incident_correct(by=mso, incident=incident, changes={"physical_harm": harm})
        client.get(reverse("incidents:history", args=[incident.reference]))
        with django_assert_max_num_queries(12):
            client.get(reverse("incidents:history", args=[incident.reference]))


class TestThePage:
    def test_it_reads_only_the_lists_the_incident_has(
        self, client_for, mso, trust, staff, incident
    ):
        """Themes, related incidents, actions, comments and files: a query each only when the
        incident has some, and each shown once it has."""
        client = client_for(mso)
        page = reverse("incidents:detail", args=[incident.reference])
        client.get(page)
        with CaptureQueriesContext(connection) as bare:
            response = client.get(page)
        assert "Double signing" not in response.text
        second = report(trust, staff)
        services.learning_record(
            by=mso,
            incident=incident,
            response="aar",
            summary="Double signing on the chart",
            themes=["Double signing"],
            related=[second],
        )
        services.comment_add(by=mso, incident=incident, body="Pharmacy to check the chart")
        with CaptureQueriesContext(connection) as fuller:
            response = client.get(page)
        assert len(fuller.captured_queries) == len(bare.captured_queries) + 3
        assert "Double signing" in response.text
        assert second.reference in response.text
        assert "Pharmacy to check the chart" in response.text


def test_an_anonymous_report_with_its_id_below_zero_is_reviewed_like_any(
    client_for, trust, staff, mso
):
    """An anonymous report's rows take ids below zero (out of the sequence): every page and
    step that reaches it by its reference, or its medicines by theirs, still finds it."""
    named = report(trust, staff)
    anonymous = report(trust, staff, anonymous=True)
    assert anonymous.pk < 0 < named.pk
    services.review_start(by=mso, incident=anonymous)
    services.incident_correct(
        by=mso,
        incident=anonymous,
        changes={"service_area": "Ward 9"},
        medicines=[{"name": "Insulin glargine", "route": "subcutaneous", "dose": "10 units"}],
    )
    services.learning_record(
        by=mso,
        incident=anonymous,
        response="swarm",
        summary="Two checks at the evening round.",
        themes=["insulin"],
        related=[named],
    )
    client = client_for(mso)
    for name in ("detail", "edit", "learning", "close", "duplicate", "lfpse"):
        page = client.get(reverse(f"incidents:{name}", args=[anonymous.reference]))
        assert page.status_code == 200, name
    history = client.get(reverse("incidents:history", args=[anonymous.reference])).text
    assert "Insulin glargine" in history and "Ward 9" in history
    assert anonymous.reference in client.get(named.get_absolute_url()).text  # related
    services.incident_close(by=mso, incident=anonymous, feedback="Thank you: a second check.")
    anonymous.refresh_from_db()
    assert anonymous.status == Status.CLOSED and anonymous.pk < 0


def test_a_question_the_reporter_left_unanswered_reads_not_answered(client_for, mso, incident):
    page = client_for(mso).get(incident.get_absolute_url()).content.decode()
    never_event = re.search(r"Never Event\s*</dt>\s*<dd[^>]*>\s*([^<]*?)\s*</dd>", page)
    assert never_event and never_event[1] == "Not answered"
    incident.never_event = False
    incident.save()
    page = client_for(mso).get(incident.get_absolute_url()).content.decode()
    assert re.search(r"Never Event\s*</dt>\s*<dd[^>]*>\s*No\s*</dd>", page)
