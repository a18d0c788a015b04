"""A form is sent once however often its button is pressed (static/js/init.js), and the
question a destructive step asks still sends the pressed button's answer."""

import pytest

from accounts.models import Training, User
from organisations.choices import OrganisationKind, Region, Role
from organisations.models import Membership, Organisation

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-test-password-2026"


@pytest.fixture
def nurse():
    trust = Organisation.objects.create(
        ods_code="RX1",
        name="Trust A NHS Trust",
        kind=OrganisationKind.NHS_TRUST,
        region=Region.LONDON,
    )
    user = User.objects.create_user("nurse@trust-a.example", PASSWORD, full_name="Rosa Reid")
    Membership.objects.create(user=user, organisation=trust, role=Role.STAFF)
    return user


def test_a_double_click_sends_the_form_once_and_removing_asks_first(
    page, nurse, expect, sign_in, axe_check
):
    sign_in(page, nurse.email, PASSWORD)
    page.goto("/accounts/training/add/")
    page.get_by_label("Course or development").fill("National MSO induction")
    page.get_by_label("Day").fill("2")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2026")
    # Count what the page would send, sending nothing: a listener after the page's own.
    page.evaluate(
        """() => {
            window.sent = 0
            document.addEventListener('submit', (event) => {
                if (!event.defaultPrevented) window.sent += 1
                event.preventDefault()
            })
        }"""
    )
    button = page.get_by_role("button", name="Add the training")
    button.click()
    expect(button).to_be_disabled()
    button.click(force=True)
    page.get_by_label("Course or development").press("Enter")
    page.get_by_label("Year").press("Enter")
    sent = page.evaluate("() => window.sent")
    assert sent == 1, f"{sent} sendings of one form"
    page.reload()  # the listener gone: now it is sent for real, once
    page.get_by_label("Course or development").fill("National MSO induction")
    page.get_by_label("Day").fill("2")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Add the training").dblclick()
    expect(page.locator("h1")).to_have_text("Your account")
    assert Training.objects.filter(user=nurse).count() == 1

    page.get_by_role("button", name="Remove National MSO induction").click()
    expect(page.locator("h1")).to_have_text("Take National MSO induction off your training?")
    axe_check(page)
    page.get_by_role("link", name="Cancel and go back").click()
    expect(page.locator("h1")).to_have_text("Your account")
    assert Training.objects.filter(user=nurse).count() == 1

    page.get_by_role("button", name="Remove National MSO induction").click()
    page.get_by_role("button", name="Take it off").click()
    expect(page.get_by_text("National MSO induction is taken off your training")).to_be_visible()
    assert not Training.objects.filter(user=nurse).exists()
