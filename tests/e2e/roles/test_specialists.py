"""A Patient Safety Specialist identified (on the demo data): Sam Okafor, one of Trust A's
Patient Safety Specialists, is leaving. Dr Helen Carter, its board director for medication
safety, identifies his replacement from the home page (a mistake on the form explained on the
way, nothing typed lost). The national patient safety team (Joy Adebayo), who decide the
specialists, is told by email and finds it from her home page's count; she reads the job title
and pay band only she sees and approves it. The director is told by email and in her
notifications. Keyboard and visible labels only, axe on every page."""

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification
from organisations import change_requests
from organisations.choices import Post
from organisations.models import Appointment, ChangeRequest

pytestmark = pytest.mark.e2e

DIRECTOR = "director@trust-a.example"
TEAM = "patient.safety@network.example"
TRUST_A = "Ashby General Hospitals NHS Trust"
IDENTIFIED = "A Patient Safety Specialist identified"
NEWCOMER = "Leah Brennan"
NEWCOMER_EMAIL = "leah.brennan@trust-a.example"


@pytest.fixture
def nothing_waiting(demo):
    """The identification the demo leaves waiting (Ngozi Eze, an addition asked for by the
    executive director for patient safety) was approved before today: one of a kind waits at
    a time."""
    waiting = ChangeRequest.objects.pending().get(
        organisation__ods_code="RZA", kind=ChangeRequest.Kind.NEW_SPECIALIST
    )
    change_requests.decide(by=User.objects.get(email=TEAM), request=waiting, approve=True)
    mail.outbox.clear()


def waiting_count(page, label: str):
    return page.locator(".mso-waiting").get_by_role("link", name=re.compile(label))


def test_a_board_director_identifies_a_specialist_and_the_national_team_approves_it(
    page, browser, live_server, demo, nothing_waiting, keyboard, expect, sign_in, picture
):
    starts = timezone.localdate() + datetime.timedelta(days=42)
    sam = Appointment.objects.get(
        organisation__ods_code="RZA", post=Post.PATIENT_SAFETY_SPECIALIST, name="Sam Okafor"
    )
    sign_in(page, DIRECTOR, settings.DEMO_PASSWORD, totp_secret=demo)
    kb = keyboard(page)
    kb.go("/")
    expect(page.locator("h1")).to_have_text(TRUST_A)
    kb.follow(f"See {TRUST_A}: named posts and linked organisations")
    expect(page.locator("h1")).to_have_text(TRUST_A)
    kb.show("Named posts")
    picture(page, "specialists-named-posts")
    kb.follow("Ask for a new holder of Patient Safety Specialist")
    expect(page.get_by_label("ODS code of the organisation")).to_have_value("RZA")
    expect(page.get_by_label(IDENTIFIED)).to_be_checked()
    kb.press("Continue")

    expect(page.locator("h1")).to_have_text(IDENTIFIED)
    expect(page.get_by_text("Its named posts show today: Sam Okafor")).to_be_visible()
    kb.choose("A replacement for a Patient Safety Specialist who leaves")
    kb.choose("Sam Okafor")
    kb.type("Full name", NEWCOMER)
    kb.type("Email address", NEWCOMER_EMAIL)
    kb.type("Contact number", "0121 496 0123")
    kb.date(starts.day, starts.month, starts.year)
    kb.type("Job title", "Patient safety partner, medicines")
    kb.select("Pay band", "Agenda for Change band 8a")
    # She forgets to confirm the national guidance was considered.
    kb.press("Send to the national patient safety team")
    expect(page.get_by_role("alert")).to_contain_text("Confirm that the national guidance")
    expect(page.get_by_label("Full name")).to_have_value(NEWCOMER)
    expect(page.get_by_label("Sam Okafor")).to_be_checked()
    kb.choose("The national guidance, Identifying Patient Safety Specialists")
    kb.show(IDENTIFIED, above=80)
    picture(page, "specialists-identify")
    kb.press("Send to the national patient safety team")
    expect(
        page.get_by_text("Your change is sent to the national patient safety team")
    ).to_be_visible()
    expect(page.get_by_text("Waiting for the national patient safety team")).to_be_visible()
    picture(page, "specialists-sent")
    change = ChangeRequest.objects.get(organisation__ods_code="RZA", email=NEWCOMER_EMAIL)
    assert change.is_pending and change.replaces == sam and change.submitted_by.email == DIRECTOR

    # The national patient safety team is told at once, by email and in her notifications:
    # the MSO networks' leads, who do not decide specialists, are not.
    asked = Notification.objects.filter(subject=f"change-request:{change.pk}", kind="submitted")
    assert [n.recipient.email for n in asked] == [TEAM]
    (email,) = [m for m in mail.outbox if m.to == [TEAM]]
    assert f"To decide: {IDENTIFIED}, {TRUST_A}" in email.subject
    assert change.get_absolute_url() in email.body

    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    team = context.new_page()
    try:
        sign_in(team, TEAM, settings.DEMO_PASSWORD, totp_secret=demo)
        hers = keyboard(team)
        hers.go("/")
        expect(team.locator("h1")).to_have_text("Welcome, Joy")
        expect(waiting_count(team, "waiting for a decision")).to_have_text(
            "1 Patient Safety Specialist identified waiting for a decision"
        )
        picture(team, "specialists-team-home")
        hers.follow(
            "Patient Safety Specialist identified waiting", within=team.locator(".mso-waiting")
        )
        row = team.get_by_role("row", name=TRUST_A)
        expect(row).to_contain_text("by Dr Helen Carter")
        hers.follow(IDENTIFIED, within=row)
        expect(team.get_by_text(NEWCOMER)).to_be_visible()
        expect(team.locator("dd", has_text="Patient safety partner, medicines")).to_contain_text(
            "Agenda for Change band 8a"
        )
        expect(
            team.get_by_text("A replacement for a Patient Safety Specialist who leaves: Sam Okafor")
        ).to_be_visible()
        hers.choose("Approve it: the register changes now")
        hers.show("Decide", above=480)
        picture(team, "specialists-team-decide")
        before = timezone.now()
        hers.press("Save the decision")
        expect(team.get_by_text("The change is approved")).to_be_visible()
    finally:
        context.close()

    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.APPROVED and change.decided_by.email == TEAM
    sam.refresh_from_db()
    assert sam.end_on == starts - datetime.timedelta(days=1)
    assert Appointment.objects.filter(
        organisation__ods_code="RZA",
        post=Post.PATIENT_SAFETY_SPECIALIST,
        email=NEWCOMER_EMAIL,
        start_on=starts,
    ).exists()

    # The director who asked is told, by email and in her notifications; she and the MSO, who
    # hold the organisation's posts on the register, are told of the posts' new dates too.
    since = Notification.objects.filter(created_at__gte=before)
    assert {n.recipient.email for n in since} == {DIRECTOR, "mso@trust-a.example"}
    told = Notification.objects.filter(subject=f"change-request:{change.pk}", kind="approved")
    assert [n.recipient.email for n in told] == [DIRECTOR]
    (email,) = [m for m in mail.outbox if m.to == [DIRECTOR] and "Approved" in m.subject]
    assert f"{NEWCOMER} is one of the organisation's Patient Safety Specialists" in email.body
    kb.follow("Notifications", within=page.get_by_role("banner"))
    line = f"Approved: a Patient Safety Specialist identified, {TRUST_A}"
    kb.open(line)
    kb.press(f"Open {line}")
    expect(page.locator("h1")).to_have_text(IDENTIFIED)
    expect(page.get_by_text("Approved", exact=True)).to_be_visible()
