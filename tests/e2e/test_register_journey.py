"""The journey the national register exists for, on the demo data: Trust A's MSO hands over,
naming their successor through a change to the register; the region's network lead approves
it; the register shows the new MSO. On the way a mistake on the form is explained, and the
pages pass axe."""

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.utils import timezone

from accounts.models import User

pytestmark = pytest.mark.e2e

TRUST_A = "Ashby General Hospitals NHS Trust"
SECRET = pyotp.random_base32()


@pytest.fixture
def demo(transactional_db, seeded_demo):
    for email in ("mso@trust-a.example", "lead@midlands.example"):
        TOTP.activate(User.objects.get(email=email), SECRET)


def test_the_mso_leaves_and_a_lead_approves_their_successor(
    page, browser, live_server, demo, expect, axe_check, sign_in
):
    today = timezone.localdate()
    sign_in(page, "mso@trust-a.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
    expect(page.locator("h1")).to_have_text(TRUST_A)
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Your organisation"
    ).click()
    page.get_by_role("link", name="Ask for a change to the register").click()
    expect(page.locator("h1")).to_have_text("Ask for a change to the national MSO register")
    expect(page.get_by_label("ODS code of the organisation")).to_have_value("RZA")
    page.get_by_label("A new MSO").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("h1")).to_have_text("A new MSO")
    expect(page.get_by_text("The register shows today: Amir Shah")).to_be_visible()
    page.get_by_label("Full name").fill("Rosa Reid")
    page.get_by_label("Email address").fill("not an email")
    page.get_by_role("button", name="Send to a network lead").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter an email address in the correct format")
    expect(summary).to_contain_text("Enter their first day in post")
    expect(page.get_by_label("Full name")).to_have_value("Rosa Reid")
    axe_check(page)
    page.get_by_label("Email address").fill("reporter@trust-a.example")
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Send to a network lead").click()
    expect(page.get_by_text("Your change is sent to a network lead")).to_be_visible()
    expect(page.get_by_text("Waiting for a network lead")).to_be_visible()
    axe_check(page)

    lead_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    lead = lead_context.new_page()
    try:
        sign_in(lead, "lead@midlands.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
        lead.get_by_role("navigation", name="Menu").get_by_role("link", name="MSO register").click()
        expect(lead.locator("h1")).to_have_text("National MSO register")
        axe_check(lead)
        lead.get_by_role("link", name="changes to the register are waiting").click()
        lead.get_by_role("row", name="Ashby General").get_by_role("link", name="A new MSO").click()
        expect(lead.get_by_text("Rosa Reid")).to_be_visible()
        lead.get_by_role("button", name="Save the decision").click()
        expect(lead.get_by_role("alert")).to_contain_text(
            "Select whether you approve or reject the change"
        )
        lead.get_by_label("Approve it: the register changes now").check()
        lead.get_by_role("button", name="Save the decision").click()
        expect(lead.get_by_text("The change is approved: the register shows it")).to_be_visible()

        lead.get_by_role("navigation", name="Menu").get_by_role("link", name="MSO register").click()
        lead.get_by_label("Person, organisation or ODS code").fill("RZA")
        lead.get_by_role("button", name="Search").click()
        row = lead.get_by_role("row", name="Ashby General")
        expect(row).to_contain_text("Rosa Reid")
        expect(row).to_contain_text(f"from {today:%-d %b %Y}")
        expect(row).to_contain_text("In post")
        axe_check(lead)
    finally:
        lead_context.close()

    # The outgoing MSO sees the decision, and their handover.
    page.reload()
    expect(page.get_by_text("Approved", exact=True)).to_be_visible()
