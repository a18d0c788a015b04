"""The MSO of Trust A on the demo data: their home page leads with what waits for them; a count
opens the list of exactly those; their notifications come a line for each kind and day, which
opens on its notifications and is marked read as one. Keyboard and visible labels only, axe on
each page, and nothing scrolls sideways at 320 px."""

import re

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings

from accounts.models import User

pytestmark = pytest.mark.e2e

SECRET = pyotp.random_base32()


@pytest.fixture
def demo(transactional_db, seeded_demo):
    TOTP.activate(User.objects.get(email="mso@trust-a.example"), SECRET)


def no_sideways_scroll(page, browser):
    """The page at 320 px wide (loaded at that width, as a phone would) scrolls no sideways."""
    narrow = browser.new_context(
        storage_state=page.context.storage_state(), viewport={"width": 320, "height": 800}
    )
    try:
        small = narrow.new_page()
        small.goto(page.url)
        small.wait_for_load_state("load")
        assert small.evaluate("document.documentElement.scrollWidth") <= 320, page.url
    finally:
        narrow.close()


def test_an_mso_goes_from_what_waits_to_the_list_and_reads_their_notifications(
    page, demo, axe_check, expect, sign_in, browser
):
    sign_in(page, "mso@trust-a.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
    waiting = page.locator(".mso-waiting")
    expect(waiting.get_by_role("heading", name="What waits for you")).to_be_visible()
    axe_check(page)
    no_sideways_scroll(page, browser)

    link = waiting.get_by_role("link", name=re.compile(r"incident actions? due within 7 days"))
    count = int(link.locator("strong").inner_text())
    link.focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Your actions")
    expect(page.locator("main h2")).to_have_text(re.compile(rf"^{count} incident actions?$"))
    expect(page.locator("tbody tr")).to_have_count(count)
    axe_check(page)
    no_sideways_scroll(page, browser)

    page.get_by_role("link", name="Notifications").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Notifications")
    lines = page.locator("details.nhsuk-details")
    first = lines.first
    first.locator("summary").focus()
    page.keyboard.press("Enter")  # opens the line on its notifications
    expect(first.locator(".nhsuk-card").first).to_be_visible()
    axe_check(page)
    no_sideways_scroll(page, browser)
    unread_before = page.locator("details:has(summary .nhsuk-tag)").count()
    first.get_by_role("button", name=re.compile("^Mark these as read")).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("marked as read")
    expect(page.locator("details:has(summary .nhsuk-tag)")).to_have_count(unread_before - 1)
