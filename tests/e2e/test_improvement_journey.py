"""An improvement project on the demo data: Trust A's MSO opens the time-critical medicines
project from the menu (its run chart, a year of audits, three PDSA cycles), records this
month's audit with a mistake explained on the way, records how the running cycle went, and
shares the project's write-up with the national MSO network's library; a member of staff reads
the insulin protocol. The pages pass axe."""

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from improvement.models import MeasurePoint, Project
from networks.models import Resource

pytestmark = pytest.mark.e2e

SECRET = pyotp.random_base32()


@pytest.fixture
def demo(transactional_db, seeded_demo):
    TOTP.activate(User.objects.get(email="mso@trust-a.example"), SECRET)


def test_the_mso_measures_tests_and_shares_a_project(
    page, browser, live_server, demo, expect, axe_check, sign_in, open_from_menu
):
    project = Project.objects.get(title="Time-critical medicines on time")
    sign_in(page, "mso@trust-a.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
    open_from_menu(page, "Improvement")
    expect(page.locator("h1")).to_have_text("Improvement projects")
    axe_check(page)
    page.get_by_role("link", name=project.title).click()
    expect(page.locator("h1")).to_have_text(project.title)
    expect(page.get_by_role("img", name="The project's measure over time")).to_be_visible()
    # Its chart starts again where the adopted change began: a run chart since, said so.
    expect(
        page.get_by_role("paragraph").filter(has_text="since the change recorded: a run chart")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Cycle 3:", exact=False)).to_be_visible()
    axe_check(page)

    # This month's audit: a negative value first.
    today = timezone.localdate()
    page.get_by_role("link", name="Record a value of the measure").click()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Value (% of doses audited)").fill("-6")
    page.get_by_role("button", name="Record the value").click()
    expect(page.get_by_role("alert")).to_contain_text("The value must be 0 or more")
    axe_check(page)
    page.get_by_label("Value (% of doses audited)").fill("6.2")
    page.get_by_role("button", name="Record the value").click()
    expect(page.get_by_text("The value is recorded")).to_be_visible()
    assert MeasurePoint.objects.filter(project=project).count() == 25

    page.get_by_role("link", name="Record how cycle 3 went").click()
    page.get_by_label("Study (optional)").fill("First-dose delays fell from 11 to 4.")
    page.get_by_label("Adopt: make the change part of practice").check()
    page.get_by_role("button", name="Save the cycle").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the date the cycle ended")
    expect(page.get_by_label("Study (optional)")).to_have_value(
        "First-dose delays fell from 11 to 4."
    )
    axe_check(page)
    ends = page.get_by_role("group", name="Date it ended (with the decision)")
    ends.get_by_label("Day").fill(str(today.day))
    ends.get_by_label("Month").fill(str(today.month))
    ends.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Save the cycle").click()
    expect(page.get_by_text("Cycle 3 is saved")).to_be_visible()

    page.get_by_role("link", name="Share it with an MSO network's library").click()
    axe_check(page)
    page.get_by_role("button", name="Share it").click()
    expect(page.locator("h1")).to_contain_text("Library")
    shared = Resource.objects.get(title__startswith=project.title)
    assert shared.content_type == "application/pdf"

    staff_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    staff = staff_context.new_page()
    try:
        sign_in(staff, "reporter@trust-a.example", settings.DEMO_PASSWORD)
        staff.get_by_role("link", name="Read the protocols for high-risk medicines").click()
        staff.get_by_role("link", name="Insulin prescribing and administration for adults").click()
        expect(staff.get_by_role("link", name="Download", exact=False)).to_be_visible()
        expect(staff.get_by_text("Record a new version")).to_have_count(0)
        axe_check(staff)
    finally:
        staff_context.close()
