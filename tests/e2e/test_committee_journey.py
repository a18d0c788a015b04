"""A committee meeting from arranging to its actions, on the demo data, in Chromium: Trust A's
secretary arranges a meeting (an end before the start is explained and nothing typed is lost),
finds its agenda suggested from the trust's incidents and alerts and changes it, records who
attended once it has taken place (and is told why it was not quorate), records the minutes and
a decision, and gives the MSO an action; the MSO records it done; the board director reads the
meeting and cannot change it; Trust B's MSO cannot open it. The pages pass axe."""

import datetime

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from committees.models import Meeting
from mso_portal.demo import seed_demo

pytestmark = pytest.mark.e2e

SECRET = pyotp.random_base32()


@pytest.fixture
def demo(transactional_db):
    seed_demo(settings.DEMO_PASSWORD)
    for email in (
        "secretary@trust-a.example",
        "mso@trust-a.example",
        "director@trust-a.example",
        "mso@trust-b.example",
    ):
        TOTP.activate(User.objects.get(email=email), SECRET)


def fill_date(group, day: datetime.date):
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_a_meeting_is_arranged_held_minuted_and_its_action_done(
    page, browser, live_server, demo, expect, axe_check, sign_in
):
    today = timezone.localdate()
    sign_in(page, "secretary@trust-a.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Committee").click()
    axe_check(page)
    page.get_by_role("link", name="Medication Safety Committee").click()
    expect(page.locator("h1")).to_have_text("Medication Safety Committee")
    axe_check(page)
    page.get_by_role("link", name="Arrange a meeting").click()
    # Recorded the day after it met.
    fill_date(page.get_by_role("group", name="Date"), today - datetime.timedelta(days=1))
    page.get_by_label("Starts").fill("14:00")
    page.get_by_label("Ends").fill("13:00")
    page.get_by_label("Where (optional)").fill("Seminar room 2")
    page.get_by_role("button", name="Arrange the meeting").click()

    expect(page.get_by_role("alert")).to_contain_text("The end time must be after the start time")
    expect(page.get_by_label("Where (optional)")).to_have_value("Seminar room 2")
    axe_check(page)
    page.get_by_label("Ends").fill("16:00")
    page.get_by_role("button", name="Arrange the meeting").click()

    expect(page.locator("h1")).to_have_text("The agenda")
    expect(page.get_by_text("from what happened since the last one")).to_be_visible()
    first = page.get_by_role("group", name="Item 1", exact=True)
    expect(first.get_by_label("Item")).to_have_value(
        "Minutes of the last meeting and matters arising"
    )
    axe_check(page)
    count = page.locator("fieldset").count()
    page.get_by_role("group", name=f"Item {count}", exact=True).get_by_label("Item").fill(
        "Insulin passport pilot: first results"
    )
    page.get_by_role("button", name="Save the agenda").click()
    expect(page.get_by_text("The agenda is saved")).to_be_visible()
    expect(page.get_by_text("Insulin passport pilot: first results")).to_be_visible()
    meeting_url = page.url
    axe_check(page)

    # Who attended, without the patient partner, so not quorate.
    meeting = Meeting.objects.get(location="Seminar room 2")
    page.get_by_role("link", name="Record who attended").click()
    for seat in meeting.committee.members.all():
        label = "Sent apologies" if seat.holder_name == "Pat Green" else "Present"
        page.get_by_role("group", name=seat.holder_name).get_by_label(label).check()
    axe_check(page)
    page.get_by_role("button", name="Save who attended").click()
    expect(page.get_by_text("the meeting was not quorate")).to_be_visible()
    expect(page.get_by_text("the patient or lived-experience partner").first).to_be_visible()

    page.get_by_role("link", name="Record the minutes").click()
    page.get_by_label("Minutes").fill("The committee heard the first results of the pilot.")
    page.get_by_label("Decisions (optional)").fill("Extend the pilot to the medical wards")
    page.get_by_role("button", name="Save the minutes").click()
    expect(page.get_by_text("Extend the pilot to the medical wards")).to_be_visible()

    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("What needs doing?").fill("Write to the medical wards about the pilot")
    page.get_by_label("Who owns it?").select_option(label="Amir Shah")
    fill_date(page.get_by_role("group", name="Due"), today + datetime.timedelta(days=14))
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_text("its owner will be reminded")).to_be_visible()
    axe_check(page)

    mso_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    mso = mso_context.new_page()
    try:
        sign_in(mso, "mso@trust-a.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
        mso.goto(meeting_url)
        mso.get_by_role("row", name="Write to the medical wards").get_by_role(
            "link", name="Record what was done"
        ).click()
        mso.get_by_label("Done", exact=True).check()
        fill_date(mso.get_by_role("group", name="Date done"), today)
        mso.get_by_role("button", name="Save the action").click()
        expect(mso.get_by_text("The action is saved")).to_be_visible()
        axe_check(mso)
    finally:
        mso_context.close()

    director_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    director = director_context.new_page()
    try:
        sign_in(director, "director@trust-a.example", settings.DEMO_PASSWORD, SECRET)
        director.goto(meeting_url)
        expect(director.get_by_text("Extend the pilot to the medical wards")).to_be_visible()
        expect(director.get_by_role("link", name="Record the minutes")).to_have_count(0)
        expect(director.get_by_role("link", name="Change the minutes")).to_have_count(0)
        assert director.goto(meeting_url + "minutes/").status == 403
    finally:
        director_context.close()

    stranger_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    stranger = stranger_context.new_page()
    try:
        sign_in(stranger, "mso@trust-b.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
        assert stranger.goto(meeting_url).status == 404
    finally:
        stranger_context.close()
