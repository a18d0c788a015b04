"""An incident across a care transition, on the demo data: Trust A's MSO reads the discharge
incident the PCN shared with it (never who reported it), adds an action to the thread with a
mistake explained on the way, and the PCN's MSO reads it; Trust A's MSO also logs a carer's
feedback and sees the Midlands workplan. The pages pass axe."""

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings

from accounts.models import User
from incidents.models import Incident

pytestmark = pytest.mark.e2e

SECRET = pyotp.random_base32()


@pytest.fixture
def demo(transactional_db, seeded_demo):
    for email in ("mso@trust-a.example", "mso@pcn.example"):
        TOTP.activate(User.objects.get(email=email), SECRET)


def test_the_two_organisations_keep_a_thread_about_a_shared_incident(
    page, browser, live_server, demo, expect, axe_check, sign_in
):
    shared = Incident.objects.get(arose_in__ods_code="RZA")
    sign_in(page, "mso@trust-a.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Incidents").click()
    page.get_by_role("link", name="Incidents shared between organisations").click()
    expect(page.locator("h1")).to_have_text("Incidents shared between organisations")
    axe_check(page)
    page.get_by_role("link", name=shared.reference).click()
    expect(page.locator("h1")).to_have_text(f"Shared incident {shared.reference}")
    expect(page.get_by_text("Warfarin 3mg tablets")).to_be_visible()
    expect(page.get_by_text("Owen Hughes")).to_have_count(0)  # the reporter
    page.get_by_label("Our action").check()
    page.get_by_label("Your note").fill("Pharmacists check held medicines on every discharge")
    page.get_by_role("button", name="Add it").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter when the action is due")
    expect(page.get_by_label("Your note")).to_have_value(
        "Pharmacists check held medicines on every discharge"
    )
    axe_check(page)
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Add it").click()
    expect(page.get_by_text("Your note is added to the thread")).to_be_visible()

    page.goto(f"{live_server.url}/incidents/feedback/RZA/new/")
    page.get_by_label("A carer or relative").check()
    page.get_by_label("What they said").fill("Nobody told him his dose had changed.")
    page.get_by_role("button", name="Log the feedback").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the date it was received")
    axe_check(page)

    page.goto(f"{live_server.url}/networks/midlands/")
    expect(page.get_by_role("heading", name="Workplan")).to_be_visible()
    page.get_by_role("link", name="Audit opioid prescribing on discharge").click()
    page.get_by_label("Done").check()
    page.get_by_role("button", name="Save the status").click()
    expect(page.get_by_text("is now done")).to_be_visible()
    axe_check(page)

    pcn_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    pcn = pcn_context.new_page()
    try:
        sign_in(pcn, "mso@pcn.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
        pcn.goto(f"{live_server.url}{shared.get_shared_url()}")
        expect(
            pcn.get_by_text("Pharmacists check held medicines on every discharge")
        ).to_be_visible()
        expect(pcn.get_by_text("Our action, due 31 Jan 2027")).to_be_visible()
        axe_check(pcn)
    finally:
        pcn_context.close()
