"""The journey alerts exist for, on the demo data, in Chromium: the national patient safety team
records a National Patient Safety Alert issued through CAS (a deadline before the issue date is
explained and nothing typed is lost) and publishes it to every NHS trust; Trust A's MSO
acknowledges it, decides it applies and records its action done with evidence; the board
director signs it off; the MSO declares it complete; the team's national view counts it; Trust
B's MSO cannot open Trust A's response. The pages pass axe."""

import datetime

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from alerts.models import Alert

pytestmark = pytest.mark.e2e

SECRET = pyotp.random_base32()
REFERENCE = "NatPSA/2026/009/NHSPS"
TITLE = "Oral fentanyl lozenges: confusion between strengths"
ACTION = "Remove 800 microgram lozenges from ward stock"


@pytest.fixture
def demo(transactional_db, seeded_demo):
    for email in (
        "patient.safety@network.example",
        "mso@trust-a.example",
        "director@trust-a.example",
        "mso@trust-b.example",
    ):
        TOTP.activate(User.objects.get(email=email), SECRET)


def fill_date(group, day: datetime.date):
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_an_alert_is_published_acted_on_signed_off_and_counted(
    page, browser, live_server, demo, expect, axe_check, sign_in
):
    today = timezone.localdate()
    sign_in(page, "patient.safety@network.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Alerts").click()
    page.get_by_role("link", name="Write an alert").click()
    expect(page.locator("h1")).to_have_text("Write an alert")
    page.get_by_label("Reference").fill(REFERENCE)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Issued by").select_option(label="NHS England")
    page.get_by_label("National Patient Safety Alert", exact=True).check()
    fill_date(page.get_by_role("group", name="Date issued"), today)
    page.get_by_label("Summary").fill("Two strengths look alike; an 800 microgram dose was given.")
    page.get_by_label("NHS trust", exact=True).check()
    action = page.get_by_role("group", name="Action 1")
    action.get_by_label("What must be done").fill(ACTION)
    fill_date(action.get_by_role("group", name="Deadline"), today - datetime.timedelta(days=3))
    page.get_by_role("button", name="Save the alert").click()

    # The deadline is before the alert was issued: the page says so and keeps everything.
    expect(page.get_by_role("alert")).to_contain_text(
        "Action 1: the deadline must be on or after the day the alert was issued"
    )
    expect(page.get_by_label("Title")).to_have_value(TITLE)
    expect(action.get_by_label("What must be done")).to_have_value(ACTION)
    axe_check(page)
    fill_date(action.get_by_role("group", name="Deadline"), today + datetime.timedelta(days=28))
    page.get_by_role("button", name="Save the alert").click()
    expect(page.locator("h1")).to_have_text(f"{REFERENCE}: {TITLE}")
    expect(page.get_by_text("Draft")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Publish the alert").click()
    expect(page.locator("h1")).to_have_text(f"Publish {TITLE}?")
    axe_check(page)
    page.get_by_role("button", name="Publish the alert").click()
    expect(page.get_by_text("Sent", exact=True)).to_be_visible()
    alert = Alert.objects.get(reference=REFERENCE)
    assert alert.responses.filter(organisation__ods_code="RZA").exists()
    assert not alert.responses.exclude(organisation__kind="nhs-trust").exists()

    mso_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    mso = mso_context.new_page()
    try:
        sign_in(mso, "mso@trust-a.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
        mso.get_by_role("navigation", name="Menu").get_by_role("link", name="Alerts").click()
        axe_check(mso)
        mso.get_by_role("link", name=REFERENCE).click()
        mso.get_by_role("button", name="Acknowledge the alert").click()
        expect(mso.get_by_text("The alert is acknowledged")).to_be_visible()
        mso.get_by_label("Yes: we have something to do").check()
        mso.get_by_role("button", name="Save the decision").click()
        expect(mso.get_by_text("Change the decision")).to_be_visible()  # if it does not apply
        mso.get_by_role("row", name=ACTION).get_by_role("link", name="Record what was done").click()
        mso.get_by_label("Done").check()
        fill_date(mso.get_by_role("group", name="Date done"), today)
        mso.get_by_label("Evidence").fill("Pharmacy removed the lozenges from all 31 wards.")
        mso.get_by_role("button", name="Save the action").click()

        # Done needs someone who owns it: the page says so and keeps the evidence.
        expect(mso.get_by_role("alert")).to_contain_text("Name who owns the action")
        expect(mso.get_by_label("Evidence")).to_have_value(
            "Pharmacy removed the lozenges from all 31 wards."
        )
        axe_check(mso)
        mso.get_by_label("Who owns it?").select_option(label="Amir Shah")
        mso.get_by_role("button", name="Save the action").click()
        expect(mso.get_by_text("The action is saved")).to_be_visible()
        expect(mso.get_by_text("the board director signs the response off next")).to_be_visible()
        axe_check(mso)
        response_url = mso.url

        director_context = browser.new_context(base_url=live_server.url, locale="en-GB")
        director = director_context.new_page()
        try:
            sign_in(director, "director@trust-a.example", settings.DEMO_PASSWORD, SECRET)
            director.goto(response_url)
            axe_check(director)
            director.get_by_role("button", name="Sign off the response").click()
            expect(director.get_by_text("Signed off by Dr Helen Carter")).to_be_visible()
        finally:
            director_context.close()

        mso.reload()
        mso.get_by_role("button", name="Declare the response complete").click()
        expect(mso.get_by_text("The response is complete")).to_be_visible()
        expect(mso.get_by_role("heading", name="Timeline")).to_be_visible()
        axe_check(mso)
    finally:
        mso_context.close()

    page.reload()
    page.get_by_role("link", name="See the responses by region, kind and organisation").click()
    expect(page.locator("h1")).to_have_text(f"Who has responded to {TITLE}")
    completed = page.locator(".nhsuk-card", has_text="completed")
    expect(completed.locator(".nhsuk-heading-l")).to_have_text("1")
    expect(page.get_by_role("row", name="Ashby General Hospitals NHS Trust")).to_contain_text(
        "Completed"
    )
    axe_check(page)

    stranger_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    stranger = stranger_context.new_page()
    try:
        sign_in(stranger, "mso@trust-b.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
        assert stranger.goto(response_url).status == 404
        expect(stranger.get_by_text(ACTION)).to_have_count(0)
    finally:
        stranger_context.close()
