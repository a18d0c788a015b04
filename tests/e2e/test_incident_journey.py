"""The journey incidents exist for, on the demo data, in Chromium: a nurse reports an incident
with two medicines, one a controlled drug (a mistake on the way is explained and nothing typed
is lost); Trust A's MSO reviews it, adds an action, completes it and closes the incident with
feedback; the nurse reads the feedback; Trust A's CDAO sees the incident, NHS England's
regional CDAO sees the occurrence without its reporter, and Trust B's MSO sees nothing. The
pages pass axe."""

import re

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.utils import timezone

from accounts.models import User

pytestmark = pytest.mark.e2e

SECRET = pyotp.random_base32()
WHAT_HAPPENED = "Oxycodone 5 mg given at 14:00 although the 12:00 dose had been given late."


@pytest.fixture
def demo(transactional_db, seeded_demo):
    for email in (
        "mso@trust-a.example",
        "cdao@trust-a.example",
        "cdao@nhse-midlands.example",
        "mso@trust-b.example",
    ):
        TOTP.activate(User.objects.get(email=email), SECRET)


def other(browser, live_server):
    return browser.new_context(base_url=live_server.url, locale="en-GB")


def when_and_what(page, day):
    """Step 1's first answers: the day shift of ``day``, in hospital, what happened and what
    was done straight away."""
    page.get_by_label("Day", exact=True).fill(str(day.day))
    page.get_by_label("Month", exact=True).fill(str(day.month))
    page.get_by_label("Year", exact=True).fill(str(day.year))
    page.get_by_label("Day shift").check()
    page.get_by_label("Where did it happen?").select_option(label="Hospital")
    page.get_by_label("What happened?").fill(WHAT_HAPPENED)
    page.get_by_label("What was done straight away?").fill("Observations hourly; doctor told.")


def test_an_incident_is_reported_reviewed_closed_and_fed_back(
    page, browser, live_server, demo, expect, axe_check, sign_in
):
    today = timezone.localdate()
    sign_in(page, "reporter@trust-a.example", settings.DEMO_PASSWORD)
    page.get_by_role("link", name="Report a medication incident").first.click()
    expect(page.locator("h1")).to_have_text("Report a medication incident")
    when_and_what(page, today)
    page.locator("#id_medicines-0-name").fill("Oxycodone 5 mg capsules")
    page.locator("#id_medicines-0-route").select_option(label="Oral")
    page.get_by_role("button", name="Add another medicine").click()
    expect(page.locator("#id_medicines-0-name")).to_have_value("Oxycodone 5 mg capsules")
    page.locator("#id_medicines-1-name").fill("Paracetamol 500 mg tablets")
    page.get_by_role("group", name="Did the medicine reach the patient?").get_by_label(
        "Yes"
    ).check()
    page.get_by_label("No psychological harm").check()
    page.get_by_label("Patient's age").select_option(label="66-85 years")
    page.get_by_label("Female").check()
    page.get_by_role("button", name="Continue").click()

    # Physical harm was missed: the page says so and keeps everything.
    expect(page.get_by_role("alert")).to_contain_text("Select the level of physical harm")
    expect(page.get_by_label("What happened?")).to_have_value(WHAT_HAPPENED)
    expect(page.locator("#id_medicines-1-name")).to_have_value("Paracetamol 500 mg tablets")
    axe_check(page)
    page.get_by_label("Low physical harm").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("h1")).to_have_text("More about the incident")
    page.get_by_label("Administering").check()
    axe_check(page)
    # Nothing is chosen for the reporter, their name least of all.
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Select whether to put your name on the report"
    )
    page.get_by_label("Yes, put my name on it").check()
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator("h1")).to_have_text("Report sent")
    reference = page.locator(".nhsuk-panel__body strong").first.inner_text()
    assert re.fullmatch(r"RZA-\d{4}-\d{6}", reference)
    axe_check(page)

    mso_context = other(browser, live_server)
    mso = mso_context.new_page()
    try:
        sign_in(mso, "mso@trust-a.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
        mso.get_by_role("navigation", name="Menu").get_by_role("link", name="Incidents").click()
        axe_check(mso)
        mso.get_by_role("link", name=reference).click()
        expect(mso.get_by_text(WHAT_HAPPENED)).to_be_visible()
        expect(mso.get_by_text("Schedule 2 controlled drug")).to_be_visible()
        axe_check(mso)
        mso.get_by_role("button", name="Start the review").click()
        expect(mso.get_by_text("Review started").first).to_be_visible()
        mso.get_by_role("link", name="Add an action").click()
        mso.get_by_label("What needs doing?").fill("Check late doses at the 14:00 round")
        mso.get_by_label("Who does it?").select_option(label="Amir Shah")
        mso.get_by_label("Day").fill("28")
        mso.get_by_label("Month").fill("2")
        mso.get_by_label("Year").fill(str(today.year + 1))
        mso.get_by_role("button", name="Save the action").click()
        # Not closed while its action is open: said, with the way to the action, before typing.
        expect(mso.get_by_role("link", name="Close with feedback to the reporter")).to_have_count(0)
        expect(mso.get_by_text("first complete or cancel its 1 open action")).to_be_visible()
        mso.get_by_role("button", name="Review done: mark as awaiting actions").click()
        expect(mso.get_by_text("Awaiting actions").first).to_be_visible()
        axe_check(mso)
        mso.get_by_role("link", name="see the actions").click()
        mso.get_by_role("link", name="Check late doses at the 14:00 round").click()
        mso.get_by_label("Done").check()
        mso.get_by_label("Evidence").fill("Round checklist updated")
        mso.get_by_role("button", name="Save the action").click()
        mso.get_by_role("link", name="Close with feedback to the reporter").click()
        mso.get_by_role("button", name="Close the incident").click()
        expect(mso.get_by_role("alert")).to_contain_text("Enter the feedback to the reporter")
        mso.get_by_label("Feedback to the reporter").fill(
            "Thank you. Late doses are now checked at the next round."
        )
        mso.get_by_role("button", name="Close the incident").click()
        expect(mso.get_by_text("The incident is closed and the reporter told")).to_be_visible()
        axe_check(mso)
    finally:
        mso_context.close()

    page.goto("/incidents/mine/")
    page.get_by_role("row", name=reference).get_by_role("link", name="Read the feedback").click()
    expect(page.get_by_text("Late doses are now checked at the next round")).to_be_visible()
    expect(page.get_by_text("Review thread")).to_have_count(0)
    axe_check(page)

    cdao_context = other(browser, live_server)
    cdao = cdao_context.new_page()
    try:
        sign_in(cdao, "cdao@trust-a.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
        cdao.get_by_role("navigation", name="Menu").get_by_role("link", name="Incidents").click()
        cdao.get_by_label("Search what happened").fill("late")
        cdao.get_by_role("button", name="Apply").click()
        cdao.get_by_role("link", name=reference).click()
        expect(cdao.get_by_text(WHAT_HAPPENED)).to_be_visible()
        axe_check(cdao)
    finally:
        cdao_context.close()

    regional_context = other(browser, live_server)
    regional = regional_context.new_page()
    try:
        sign_in(regional, "cdao@nhse-midlands.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
        menu = regional.get_by_role("navigation", name="Menu")
        menu.get_by_role("link", name="Controlled drugs").click()
        axe_check(regional)
        regional.get_by_role("link", name=reference).click()
        expect(regional.get_by_text(WHAT_HAPPENED)).to_be_visible()
        expect(regional.get_by_text("Rosa Reid")).to_have_count(0)  # never the reporter
        axe_check(regional)
    finally:
        regional_context.close()

    other_context = other(browser, live_server)
    stranger = other_context.new_page()
    try:
        sign_in(stranger, "mso@trust-b.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
        response = stranger.goto(f"/incidents/{reference}/")
        assert response.status == 404
        expect(stranger.get_by_text(WHAT_HAPPENED)).to_have_count(0)
    finally:
        other_context.close()


def test_a_browser_names_no_draft_in_any_request_from_the_reporting_pages(
    page, transactional_db, expect, sign_in
):
    """Found by a security probe: the request after an anonymous report carried a Referer
    naming its draft. The reporting pages let Chromium send their origin alone, and their
    forms still pass the CSRF check (which "no-referrer" would fail: the browser then sends
    the form's Origin as "null")."""
    from organisations.choices import Role
    from tests.factories import PASSWORD, OrganisationFactory, member

    reporter = member(OrganisationFactory(), Role.STAFF)
    sign_in(page, reporter.email, PASSWORD)
    referers = []
    page.on("request", lambda request: referers.append(request.headers.get("referer", "")))
    today = timezone.localdate()
    page.goto("/incidents/report/")
    when_and_what(page, today)
    page.locator("#id_medicines-0-name").fill("Paracetamol 500 mg tablets")
    page.get_by_role("group", name="Did the medicine reach the patient?").get_by_label(
        "Yes"
    ).check()
    page.get_by_label("Low physical harm").check()
    page.get_by_label("No psychological harm").check()
    page.get_by_label("Patient's age").select_option(label="66-85 years")
    page.get_by_label("Female").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("More about the incident")
    draft = page.url.removesuffix("send/")
    page.get_by_label("No, report it anonymously").check()
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator("h1")).to_have_text("Report sent")
    page.get_by_role("link", name="Check an anonymous report with its receipt code").click()
    expect(page.locator("h1")).to_have_text("Check an anonymous report")
    assert referers and not [referer for referer in referers if "/incidents/" in referer]
    assert draft.endswith("/") and "/incidents/report/" in draft


def test_a_newcomer_is_told_what_to_answer_and_nothing_identifying_is_kept(
    page, live_server, demo, expect, axe_check, sign_in
):
    """A newcomer presses Continue on the empty form: every error in the summary links to its
    question; an NHS number is refused even for "Save as a draft", and keeps no draft; refused
    steps keep one draft."""
    from incidents.models import Draft

    sign_in(page, "reporter@trust-a.example", settings.DEMO_PASSWORD)
    page.get_by_role("link", name="Report a medication incident").first.click()
    expect(page.get_by_label("Where did it happen?")).to_have_value("")
    page.get_by_role("button", name="Continue").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Select where it happened")
    expect(summary).to_contain_text("Enter at least one medicine")
    links = summary.get_by_role("link")
    for index in range(links.count()):
        target = links.nth(index).get_attribute("href")
        assert target and target.startswith("#"), links.nth(index).inner_text()
        expect(page.locator(target)).to_have_count(1)
    summary.get_by_role("link", name="Enter at least one medicine").click()
    expect(page.locator("#id_medicines-0-name")).to_be_focused()
    axe_check(page)
    assert not Draft.objects.filter(user__email="reporter@trust-a.example").exists()

    page.get_by_label("What happened?").fill("Wrong dose given to 943 476 5919 on ward 4.")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_role("alert")).to_contain_text("looks like an NHS number")
    assert not Draft.objects.filter(user__email="reporter@trust-a.example").exists()

    page.get_by_label("What happened?").fill("Wrong dose given on ward 4.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter at least one medicine")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter at least one medicine")
    drafts = Draft.objects.filter(user__email="reporter@trust-a.example")
    assert drafts.count() == 1
    assert drafts.get().data["step1"]["what_happened"] == ["Wrong dose given on ward 4."]
