"""The MSO's day (Amir Shah, Trust A's Medication Safety Officer, on the demo data): a nurse
has just reported an incident; from the home page's "what waits for you" he opens the
incidents to review, narrows the list to the new one, starts its review, records the learning
and an action. While the action is open the incident says why it cannot be closed yet and
offers no closing; once the action is done he closes it with feedback, and the reporter is
told by email and in her notifications. Keyboard and visible labels only, axe on every page."""

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import User
from incidents import services
from incidents.models import IncidentAction, Status
from notifications.models import Notification
from organisations.models import Organisation

pytestmark = pytest.mark.e2e

REPORTER = "reporter@trust-a.example"
WHAT_HAPPENED = (
    "Warfarin 3 mg given at 18:00 although the INR that morning was 5.2 and the plan said to "
    "hold it."
)
ACTION = "Put the INR result and the plan on the warfarin chart before the evening round"
FEEDBACK = (
    "Thank you for reporting this. The day's INR result and plan now go on the warfarin chart "
    "before the evening round, so a dose to hold is seen at the bedside."
)


def reported_by_the_nurse():
    """The incident Rosa Reid, a staff nurse, reported this morning."""
    trust = Organisation.objects.get(ods_code="RZA")
    incident, _ = services.report_submit(
        by=User.objects.get(email=REPORTER),
        organisation=trust,
        details={
            "occurred_on": timezone.localdate() - datetime.timedelta(days=1),
            "time_bracket": "2",
            "location": "4",
            "service_area": "Ward 9 (care of older people)",
            "what_happened": WHAT_HAPPENED,
            "immediate_actions": "Doctor told; vitamin K prescribed; INR rechecked.",
            "reached_patient": "y",
            "physical_harm": "3",
            "psychological_harm": "4",
            "age_bracket": "12",
            "gender": "2",
        },
        medicines=[{"name": "Warfarin 3mg tablets", "route": "oral", "dose": "3 mg"}],
    )
    return incident


def waiting_count(page, label: str) -> int:
    link = page.locator(".mso-waiting").get_by_role("link", name=re.compile(label))
    return int(link.locator("strong").inner_text())


def test_an_mso_reviews_a_new_incident_and_closes_it_with_feedback(
    page, demo, keyboard, expect, sign_in, picture
):
    incident = reported_by_the_nurse()
    reference = incident.reference
    sign_in(page, "mso@trust-a.example", settings.DEMO_PASSWORD, totp_secret=demo)
    kb = keyboard(page)
    kb.go("/")
    waiting = page.locator(".mso-waiting")
    expect(waiting.get_by_role("heading", name="What waits for you")).to_be_visible()
    to_review = waiting_count(page, "incidents? to review")
    picture(page, "mso-home")

    # The count opens the list of exactly those incidents, and says how many.
    kb.follow("incidents to review", within=waiting)
    expect(page.locator("h1")).to_have_text("Incidents")
    expect(page.locator(".mso-result-count")).to_have_text(f"{to_review} incidents match")
    expect(page.get_by_label("Submitted")).to_be_checked()
    expect(page.get_by_label("In review")).to_be_checked()
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    kb.type("Search what happened", "INR")
    kb.press("Apply")
    expect(page.locator(".mso-result-count")).to_have_text("1 incident matches")
    expect(page.locator("tbody tr")).to_have_count(1)
    picture(page, "mso-incident-list")

    kb.follow(reference)
    expect(page.locator("h1")).to_have_text(f"Incident {reference}")
    expect(page.get_by_text(WHAT_HAPPENED)).to_be_visible()
    kb.press("Start the review")
    expect(page.get_by_role("alert")).to_contain_text("Review started")
    expect(page.get_by_text("In review").first).to_be_visible()

    kb.follow("Record the learning")
    expect(page.locator("h1")).to_have_text("Record the learning")
    kb.choose("SWARM huddle")
    kb.type(
        "What was learned?",
        "The INR result reached the ward after the round: nothing on the chart said to hold.",
    )
    kb.type("Themes", "anticoagulants, communication")
    kb.show("Record the learning", above=80)
    picture(page, "mso-learning")
    kb.press("Save the learning")
    expect(page.locator("h1")).to_have_text(f"Incident {reference}")
    expect(page.get_by_text("SWARM huddle")).to_be_visible()

    kb.follow("Add an action")
    kb.type("What needs doing?", ACTION)
    kb.select("Who does it?", "Amir Shah")
    due = timezone.localdate() + datetime.timedelta(days=14)
    kb.date(due.day, due.month, due.year, within=page.get_by_role("group", name="Due date"))
    kb.press("Save the action")
    expect(page.locator("h1")).to_have_text(f"Incident {reference}")

    # Not closed while its action is open: said, with the way to the action, before typing.
    expect(page.get_by_role("link", name="Close with feedback to the reporter")).to_have_count(0)
    expect(page.get_by_text("first complete or cancel its 1 open action")).to_be_visible()
    kb.show("Review", above=220)
    picture(page, "mso-open-action")
    kb.press("Review done: mark as awaiting actions")
    expect(page.get_by_text("Awaiting actions").first).to_be_visible()

    kb.follow(ACTION)
    kb.choose("Done")
    kb.type("Evidence", "Chart changed; ward 9's nurses briefed at handover.")
    kb.press("Save the action")
    assert IncidentAction.objects.get(incident=incident).state == IncidentAction.State.DONE

    kb.follow("Close with feedback to the reporter")
    expect(page.locator("h1")).to_have_text("Close with feedback to the reporter")
    kb.type("Feedback to the reporter", FEEDBACK)
    picture(page, "mso-close")
    kb.press("Close the incident")
    expect(page.get_by_text("The incident is closed and the reporter told")).to_be_visible()
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED and incident.feedback == FEEDBACK

    # The reporter is told, once: in her notifications and by email.
    told = Notification.objects.filter(subject=f"incident:{incident.pk}")
    assert [(n.recipient.email, n.kind) for n in told] == [(REPORTER, "feedback-1")]
    (email,) = [m for m in mail.outbox if m.to == [REPORTER]]
    assert reference in email.subject
    assert incident.get_absolute_url() in email.body

    # One fewer waits for him.
    kb.follow("NHS MSO Portal homepage")
    expect(
        page.locator(".mso-waiting").get_by_role("link", name=re.compile("incidents? to review"))
    ).to_contain_text(str(to_review - 1))
