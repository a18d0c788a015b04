"""The board director's sign-off (Dr Helen Carter, Trust A's board director for medication
safety, on the demo data): the MSO has done everything a Class 2 medicines recall asks; she was
told, and her home page counts the response waiting for her sign-off. From that count she opens
the response, reads what was done and signs it off with a note. The MSO, who declares the
response complete, is told by email and in his notifications; her count goes down to nothing.
Keyboard and visible labels only, axe on every page."""

import re

import pytest
from django.conf import settings
from django.core import mail

from alerts.models import AlertResponse
from notifications.models import Notification

pytestmark = pytest.mark.e2e

DIRECTOR = "director@trust-a.example"
MSO = "mso@trust-a.example"
REFERENCE = "EL (26)A/13"  # the midazolam recall: every action done, waiting for sign-off
NOTE = "Checked the returns note and the stock check of each area."


def test_the_board_director_finds_a_response_from_home_and_signs_it_off(
    page, browser, live_server, demo, keyboard, expect, sign_in, picture
):
    response = AlertResponse.objects.get(alert__reference=REFERENCE, organisation__ods_code="RZA")
    assert response.signed_off_at is None
    # She was told when its last action was done.
    assert Notification.objects.filter(
        recipient__email=DIRECTOR,
        subject=f"alert-response:{response.pk}",
        kind="waiting-for-sign-off",
    ).exists()

    sign_in(page, DIRECTOR, settings.DEMO_PASSWORD, totp_secret=demo)
    kb = keyboard(page)
    kb.go("/")
    waiting = page.locator(".mso-waiting")
    link = waiting.get_by_role("link", name=re.compile("waiting for your sign-off"))
    expect(link).to_have_text("1 alert response waiting for your sign-off")
    picture(page, "director-home")

    kb.follow("alert response waiting for your sign-off", within=waiting)
    expect(page.locator("h1")).to_have_text("National patient safety alerts")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.get_by_role("row", name=REFERENCE)).to_contain_text("In progress")
    picture(page, "director-sign-off-list")

    kb.follow(REFERENCE)
    expect(page.locator("h1")).to_contain_text(REFERENCE)
    expect(page.get_by_text("Every action is done, or not needed here.")).to_be_visible()
    kb.type("Anything to record with the sign-off (optional)", NOTE)
    kb.show("Sign-off and completion")
    picture(page, "director-sign-off")
    kb.press("Sign off the response")
    expect(page.get_by_text("Signed off by Dr Helen Carter").first).to_be_visible()
    response.refresh_from_db()
    assert response.signed_off_by.email == DIRECTOR and response.sign_off_note == NOTE
    picture(page, "director-signed-off")

    # The MSO is told, once, by email and in his notifications; she is not.
    told = Notification.objects.filter(subject=f"alert-response:{response.pk}", kind="signed-off")
    assert [n.recipient.email for n in told] == [MSO]
    (email,) = [m for m in mail.outbox if m.to == [MSO]]
    assert f"Signed off: {REFERENCE}" in email.subject
    assert response.get_absolute_url() in email.body
    assert not [m for m in mail.outbox if m.to == [DIRECTOR]]

    kb.follow("NHS MSO Portal homepage")
    expect(page.locator(".mso-waiting")).not_to_contain_text("waiting for your sign-off")

    # The MSO finds it among his notifications, and it opens the response.
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    mso = context.new_page()
    try:
        sign_in(mso, MSO, settings.DEMO_PASSWORD, totp_secret=demo)
        his = keyboard(mso)
        his.go("/")
        his.follow("Notifications", within=mso.get_by_role("banner"))
        line = f"Signed off: {REFERENCE}"
        his.open(line)
        his.press(f"Open {line}")
        expect(mso.locator("h1")).to_contain_text(REFERENCE)
        expect(mso.get_by_role("button", name="Declare the response complete")).to_be_visible()
    finally:
        context.close()
