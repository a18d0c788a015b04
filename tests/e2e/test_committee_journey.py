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

pytestmark = pytest.mark.e2e

SECRET = pyotp.random_base32()


@pytest.fixture
def demo(transactional_db, seeded_demo):
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


def test_a_report_is_prepared_approved_and_its_pdf_downloaded(
    page, browser, live_server, demo, expect, axe_check, sign_in, open_from_menu
):
    """Trust A's chair prepares an assurance report (a period ending before it starts is
    explained, nothing lost; preparing it again opens the same draft), is told which narratives
    approval needs, writes them, approves it,
    watches its PDF made and downloads it: its text holds the figures of the page. The ICB's MSO
    then finds it side by side with the area's other approved reports."""
    import io

    from pypdf import PdfReader

    from committees.figures import last_quarter

    for email in ("chair@trust-a.example", "mso@icb.example"):
        TOTP.activate(User.objects.get(email=email), SECRET)
    start, end = last_quarter(timezone.localdate())
    start = start.replace(month=1) if start.month > 3 else start  # the year to the quarter's end
    sign_in(page, "chair@trust-a.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Committee").click()
    page.get_by_role("link", name="Medication Safety Committee").click()
    page.get_by_role("link", name="Prepare an assurance report").click()
    fill_date(page.get_by_role("group", name="First day"), end)
    fill_date(page.get_by_role("group", name="Last day"), start)
    page.get_by_role("button", name="Prepare the report").click()
    expect(page.get_by_role("alert")).to_contain_text("The last day must be on or after the first")
    expect(page.get_by_role("group", name="First day").get_by_label("Year")).to_have_value(
        str(end.year)
    )
    axe_check(page)
    fill_date(page.get_by_role("group", name="First day"), start)
    fill_date(page.get_by_role("group", name="Last day"), end)
    page.get_by_role("button", name="Prepare the report").click()
    expect(page.locator("h1")).to_have_text(
        f"Assurance report: {start:%-d %B %Y} to {end:%-d %B %Y}"
    )
    axe_check(page)
    # Preparing the same period again opens this draft: the form names it before any typing.
    report_url = page.url
    page.get_by_role("link", name="Back to the committee").click()
    page.get_by_role("link", name="Prepare an assurance report").click()
    expect(page.get_by_role("link", name=f"{start:%-d %B %Y} to {end:%-d %B %Y}")).to_be_visible()
    axe_check(page)
    fill_date(page.get_by_role("group", name="First day"), start)
    fill_date(page.get_by_role("group", name="Last day"), end)
    page.get_by_role("button", name="Prepare the report").click()
    expect(page.get_by_text("already being prepared: here it is")).to_be_visible()
    assert page.url == report_url

    page.get_by_role("button", name="Approve the report").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Write the narrative of Summary and assurance"
    )
    for key, title, text in (
        ("summary", "Summary and assurance", "The committee is assured on the year."),
        ("incidents", "Incidents reported", "Reporting is within its usual range."),
        ("alerts", "National patient safety alerts", "Every alert has been acknowledged."),
    ):
        page.locator(f"#{key}").get_by_role("link", name="Write the narrative").click()
        page.get_by_label("The chair's narrative").fill(text)
        page.get_by_role("button", name="Save the narrative").click()
        expect(page.get_by_text(f"The narrative of {title} is saved")).to_be_visible()
    reported = page.locator("#incidents tbody tr").first.locator("td").first.inner_text()
    page.get_by_role("button", name="Approve the report").click()
    expect(page.get_by_text("its figures are kept as they are now")).to_be_visible()
    download_link = page.get_by_role("link", name="Download the report as a PDF")
    expect(download_link).to_be_visible(timeout=60_000)
    axe_check(page)
    with page.expect_download() as waiting:
        download_link.click()
    with open(waiting.value.path(), "rb") as file:
        pdf = PdfReader(io.BytesIO(file.read()))
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert "Ashby General Hospitals NHS Trust" in text
    assert f"Assurance report: {start:%-d %B %Y} to {end:%-d %B %Y}" in text
    assert f"{reported} incidents reported" in text
    assert "Every alert has been acknowledged." in text
    assert "Approved" in text

    icb_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    icb = icb_context.new_page()
    try:
        sign_in(icb, "mso@icb.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
        open_from_menu(icb, "Assurance reports")
        expect(icb.locator("h1")).to_have_text("Assurance reports side by side")
        icb.get_by_label("Period").select_option(label=f"{start:%-d %B %Y} to {end:%-d %B %Y}")
        icb.get_by_role("button", name="Show").click()
        row = icb.get_by_role("row", name="Ashby General Hospitals NHS Trust")
        expect(row).to_contain_text(f"{reported} (")
        axe_check(icb)
    finally:
        icb_context.close()


def test_the_report_page_shows_the_pdf_once_it_is_made(page, demo, expect, sign_in):
    """While the PDF waits for its worker, the page says so and, once it is made, offers it
    without being reloaded by hand."""
    from committees.models import AssuranceReport
    from committees.pdf import store

    report = AssuranceReport.objects.get(state="submitted")
    AssuranceReport.objects.filter(pk=report.pk).update(
        pdf="", pdf_state="queued", pdf_state_since=timezone.now()
    )
    sign_in(page, "director@trust-a.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
    committee = report.committee
    page.goto(f"/committees/{committee.organisation.ods_code}/{committee.pk}/reports/{report.pk}/")
    expect(page.get_by_text("Waiting to be made")).to_be_visible()
    assert store(report.pk)
    expect(page.get_by_role("link", name="Download the report as a PDF")).to_be_visible(
        timeout=15_000
    )
