"""The board director's sign-off (Dr Helen Carter, Trust A's board director for medication
safety, on the demo data): the MSO has done everything a Class 2 medicines recall asks; she was
told, and her home page counts the response waiting for her sign-off. From that count she opens
the response and reads what was done. Not assured yet, she sends it back saying what is needed:
it leaves her count, and the MSO, who leads the response, is told and reads her note on it. He
asks for sign-off again; she is told, finds it on her home page again and signs it off with a
note. The MSO, who declares the response complete, is told by email and in his notifications;
her count goes down to nothing. Keyboard and visible labels only, axe on every page."""

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
NEED = "Action 2 is marked not needed here: say who confirmed it for Brookfield."


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

    # Not assured yet: she sends it back, saying what is needed, and it leaves her count.
    kb.open("Not assured? Send it back")
    kb.type("What is needed before you can sign it off?", NEED)
    kb.press("Send it back")
    expect(page.get_by_text("Sent back, not signed off", exact=True)).to_be_visible()
    response.refresh_from_db()
    assert response.sent_back_by.email == DIRECTOR and response.sent_back_note == NEED
    kb.follow("NHS MSO Portal homepage")
    expect(page.locator(".mso-waiting")).not_to_contain_text("waiting for your sign-off")
    # The MSO, who leads it, is told once; she is not.
    told = Notification.objects.filter(
        subject=f"alert-response:{response.pk}", kind__startswith="sent-back"
    )
    assert [n.recipient.email for n in told] == [MSO]

    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    mso = context.new_page()
    try:
        # He finds it among his notifications, reads her note and asks for sign-off again.
        sign_in(mso, MSO, settings.DEMO_PASSWORD, totp_secret=demo)
        his = keyboard(mso)
        his.go("/")
        his.follow("Notifications", within=mso.get_by_role("banner"))
        line = f"Sent back, not signed off: {REFERENCE}"
        his.open(line)
        his.press(f"Open {line}")
        expect(mso.locator("h1")).to_contain_text(REFERENCE)
        expect(mso.locator(".nhsuk-warning-callout")).to_contain_text(NEED)
        his.press("Ask for sign-off again")
        expect(mso.get_by_text("Sign-off is asked for again")).to_be_visible()
        asked = Notification.objects.filter(
            subject=f"alert-response:{response.pk}", kind__startswith="sign-off-asked"
        )
        assert [n.recipient.email for n in asked] == [DIRECTOR]

        # Back on her home page: she signs it off with a note.
        kb.go("/")
        kb.follow("alert response waiting for your sign-off", within=page.locator(".mso-waiting"))
        kb.follow(REFERENCE)
        expect(page.get_by_text("Every action is done, or not needed here.")).to_be_visible()
        kb.type("Anything to record with the sign-off (optional)", NOTE)
        kb.show("Sign-off and completion")
        picture(page, "director-sign-off")
        kb.press("Sign off the response")
        expect(page.get_by_text("Signed off by Dr Helen Carter").first).to_be_visible()
        response.refresh_from_db()
        assert response.signed_off_by.email == DIRECTOR and response.sign_off_note == NOTE
        picture(page, "director-signed-off")

        # The MSO is told, once, by email and in his notifications; she is not, and her
        # only email is the asking again.
        told = Notification.objects.filter(
            subject=f"alert-response:{response.pk}", kind="signed-off"
        )
        assert [n.recipient.email for n in told] == [MSO]
        (email,) = [m for m in mail.outbox if m.to == [MSO] and "Signed off" in m.subject]
        assert f"Signed off: {REFERENCE}" in email.subject
        assert response.get_absolute_url() in email.body
        assert [m.subject for m in mail.outbox if m.to == [DIRECTOR]] == [
            f"[MSO Portal] Waiting for your sign-off again: {REFERENCE}"
        ]

        kb.follow("NHS MSO Portal homepage")
        expect(page.locator(".mso-waiting")).not_to_contain_text("waiting for your sign-off")

        # He finds it among his notifications, and it opens the response.
        his.go("/")
        his.follow("Notifications", within=mso.get_by_role("banner"))
        line = f"Signed off: {REFERENCE}"
        his.open(line)
        his.press(f"Open {line}")
        expect(mso.locator("h1")).to_contain_text(REFERENCE)
        expect(mso.get_by_role("button", name="Declare the response complete")).to_be_visible()
    finally:
        context.close()
