"""Journeys on the demo data: the MSO of Trust A signs in, looks after the organisation's
members and invites a colleague, who sets a password from the emailed link."""

import re

import pytest
from django.conf import settings
from django.core import mail

from organisations.demo import seed_demo

pytestmark = pytest.mark.e2e

TRUST_A = "Ashby General Hospitals NHS Trust"


@pytest.fixture
def demo(transactional_db):
    seed_demo(settings.DEMO_PASSWORD)


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_demo_mso_sees_their_organisation(page, demo, axe_check, expect):
    sign_in(page, "mso@trust-a.example")
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


def test_an_mso_invites_a_colleague_who_joins(page, demo, axe_check, expect, browser):
    sign_in(page, "mso@trust-a.example")
    page.get_by_role("link", name=f"Invite someone to {TRUST_A}").click()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter their email address")
    axe_check(page)

    page.get_by_label("Email address").fill("new.pharmacist@trust-a.example")
    page.get_by_label("Medication safety team member").check()
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
        expect(invitee.locator("h1")).to_have_text(TRUST_A)
        expect(invitee.get_by_text("Medication safety team member", exact=True)).to_be_visible()
    finally:
        context.close()


def test_a_pcn_mso_switches_to_a_practice(page, demo, expect, axe_check):
    sign_in(page, "mso@pcn.example")
    expect(page.locator("h1")).to_have_text("Riverside Primary Care Network")
    page.get_by_label("Work in another organisation").select_option(label="Weir Lane Surgery")
    page.get_by_role("button", name="Switch", exact=True).click()
    expect(page.locator("h1")).to_have_text("Weir Lane Surgery")
    axe_check(page)
