"""Journeys on the demo data: the MSO of Trust A signs in with a code from their authenticator
app, looks after the organisation's members and invites a colleague, who sets a password from
the emailed link and then sets up an authenticator app of their own, confirmed with its next
code."""

import re
import time

import pyotp
import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core import mail

from accounts.models import User
from tests.totp import current_code

pytestmark = pytest.mark.e2e

TRUST_A = "Ashby General Hospitals NHS Trust"
SECRET = pyotp.random_base32()


@pytest.fixture
def demo(transactional_db, seeded_demo):
    """The demo data, with an authenticator app set up for the demo MSOs."""
    for email in ("mso@trust-a.example", "mso@pcn.example"):
        TOTP.activate(User.objects.get(email=email), SECRET)


@pytest.fixture
def sign_in_as(sign_in):
    def go(page, email):
        sign_in(page, email, settings.DEMO_PASSWORD, totp_secret=SECRET)

    return go


def test_the_demo_mso_sees_their_organisation(page, demo, axe_check, expect, sign_in_as):
    sign_in_as(page, "mso@trust-a.example")
    expect(page.locator("h1")).to_have_text(TRUST_A)
    expect(page.get_by_text("Amir Shah, mso@trust-a.example")).to_be_visible()
    axe_check(page)

    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Your organisation"
    ).click()
    expect(page.get_by_role("heading", name="Named posts")).to_be_visible()
    axe_check(page)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Members").click()
    expect(page.locator("h1")).to_have_text("Members")
    expect(page.get_by_role("cell", name="Rosa Reid", exact=True)).to_be_visible()
    axe_check(page)


def test_an_mso_invites_a_colleague_who_joins(page, demo, axe_check, expect, browser, sign_in_as):
    sign_in_as(page, "mso@trust-a.example")
    page.get_by_role("link", name=f"Invite someone to {TRUST_A}").click()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter their email address")
    expect(page.get_by_role("alert")).to_contain_text("Select at least one role")
    axe_check(page)

    page.get_by_label("Email address").fill("new.pharmacist@trust-a.example")
    page.get_by_label("Medication safety team member").check()
    page.get_by_label("Committee member").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("alert")).to_contain_text("invitation has been sent")
    expect(
        page.get_by_role("cell", name="new.pharmacist@trust-a.example", exact=True)
    ).to_be_visible()

    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    path = "/invitations/" + link.split("/invitations/")[1]
    context = browser.new_context(base_url=page.url.split("/organisations")[0])
    invitee = context.new_page()
    try:
        invitee.goto(path)
        expect(invitee.locator("h1")).to_have_text(f"Join {TRUST_A}")
        axe_check(invitee)
        invitee.get_by_label("Full name").fill("Nia Jones")
        invitee.get_by_label("Create a password").fill("a-long-and-unusual-passphrase")
        invitee.get_by_label("Confirm your password").fill("a-long-and-unusual-passphrase")
        invitee.get_by_role("button", name="Create account and join").click()
        # A medication safety team member needs an authenticator app before anything else.
        expect(invitee.locator("h1")).to_have_text("Set up your authenticator app")
        secret = invitee.locator("#authenticator-secret").inner_text().strip()
        invitee.get_by_label("Code from your authenticator app").fill(current_code(secret))
        invitee.get_by_role("button", name="Set up authenticator app").click()
        # Setting it up opens nothing: the app's next code confirms it.
        expect(invitee.locator("h1")).to_have_text("Confirm it is you")
        axe_check(invitee)
        with time_machine.travel(time.time() + 30):
            invitee.get_by_label("Code from your authenticator app").fill(current_code(secret))
            invitee.get_by_role("button", name="Continue").click()
            expect(invitee.locator("h1")).to_have_text("Your recovery codes")
        invitee.get_by_role("link", name="Continue to MSO Portal").click()
        expect(invitee.locator("h1")).to_have_text(TRUST_A)
        expect(invitee.get_by_text("Medication safety team member", exact=True)).to_be_visible()
        expect(invitee.get_by_text("Committee member", exact=True)).to_be_visible()
    finally:
        context.close()


def test_a_pcn_mso_switches_to_a_practice(page, demo, expect, axe_check, sign_in_as):
    sign_in_as(page, "mso@pcn.example")
    expect(page.locator("h1")).to_have_text("Riverside Primary Care Network")
    page.get_by_label("Work in another organisation").select_option(label="Weir Lane Surgery")
    page.get_by_role("button", name="Switch", exact=True).click()
    expect(page.locator("h1")).to_have_text("Weir Lane Surgery")
    axe_check(page)
