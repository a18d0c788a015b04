"""Journeys: signing in with a password; an MSO's first sign-in, which sets up an authenticator
app and confirms it with its next code; and signing in again with a code from it."""

import re
import time

import pytest
import time_machine

from accounts.adapters import AccountAdapter
from accounts.models import User
from organisations.choices import OrganisationKind, Post, Region, Role
from organisations.models import Appointment, Membership, Organisation
from tests.totp import current_code

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-test-password-2026"


@pytest.fixture
def trust():
    return Organisation.objects.create(
        ods_code="RX1",
        name="Trust A NHS Trust",
        kind=OrganisationKind.NHS_TRUST,
        region=Region.LONDON,
    )


@pytest.fixture
def nurse(trust):
    user = User.objects.create_user("nurse@trust-a.example", PASSWORD, full_name="Rosa Reid")
    Membership.objects.create(user=user, organisation=trust, role=Role.STAFF)
    return user


@pytest.fixture
def new_mso(trust):
    user = User.objects.create_user("mso@trust-a.example", PASSWORD, full_name="Morgan Safety")
    Membership.objects.create(user=user, organisation=trust, role=Role.SAFETY_TEAM)
    Appointment.objects.create(organisation=trust, post=Post.MSO, user=user, start_on="2024-04-01")
    return user


def test_a_staff_reporter_signs_in_with_a_password(
    page, live_server, nurse, axe_check, expect, sign_in
):
    page.goto("/accounts/login/")
    expect(page.locator("h1")).to_be_visible()
    axe_check(page)
    sign_in(page, nurse.email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("h1")).to_have_text("Trust A NHS Trust")
    axe_check(page)


def test_an_mso_sets_up_an_authenticator_app_then_signs_in_with_a_code(
    page, live_server, new_mso, axe_check, expect, sign_in
):
    sign_in(page, new_mso.email, PASSWORD)
    expect(page.locator("h1")).to_have_text("Set up your authenticator app")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    axe_check(page)

    page.goto("/organisations/RX1/members/")  # nothing else is open until it is set up
    expect(page.locator("h1")).to_have_text("Set up your authenticator app")

    page.get_by_role("button", name="Set up authenticator app").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the code from your authenticator app")
    axe_check(page)
    secret = page.locator("#authenticator-secret").inner_text().strip()
    setting_up = current_code(secret)
    page.get_by_label("Code from your authenticator app").fill(setting_up)
    page.get_by_role("button", name="Set up authenticator app").click()
    # Setting it up opens nothing until the app's next code confirms it works: the code that
    # set it up (even if the app has moved on to the next by now) is not taken again.
    expect(page.locator("h1")).to_have_text("Confirm it is you")
    axe_check(page)
    page.get_by_label("Code from your authenticator app").fill(setting_up)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("The code is not right")
    with time_machine.travel(time.time() + 30):
        page.get_by_label("Code from your authenticator app").fill(current_code(secret))
        page.get_by_role("button", name="Continue").click()
        expect(page.locator("h1")).to_have_text("Your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    axe_check(page)
    page.get_by_role("link", name="Continue to MSO Portal").click()
    expect(page.locator("h1")).to_have_text("Trust A NHS Trust")

    page.get_by_role("button", name="Sign out").click()
    with time_machine.travel(time.time() + 60):  # the codes used so far are spent
        page.goto("/accounts/login/")
        page.get_by_label("Email address").fill(new_mso.email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("h1")).to_have_text("Enter the code from your authenticator app")
        axe_check(page)
        page.get_by_label("Code from your authenticator app").fill("000000")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("The code is not right")
        page.get_by_label("Code from your authenticator app").fill(current_code(secret))
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(f"{live_server.url}/")
        expect(page.locator("h1")).to_have_text("Trust A NHS Trust")


def test_wrong_password_shows_an_error_and_stays_on_the_sign_in_page(
    page, live_server, nurse, axe_check, expect, sign_in
):
    sign_in(page, nurse.email, "not-the-right-password")
    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}/accounts/login/")))
    # NHS.UK error pattern: an error summary announced as an alert, linked to the field, and
    # "Error" in the title. The adapter's own message, so rewording it does not break this test.
    message = str(AccountAdapter.error_messages["email_password_mismatch"])
    expect(page.get_by_role("alert")).to_contain_text(message)
    expect(page).to_have_title(re.compile(r"\bError\b"))
    page.get_by_role("alert").get_by_role("link").click()
    expect(page.locator('input[name="login"]')).to_be_focused()
    expect(page.locator('input[name="login"]')).to_have_value(nurse.email)
    axe_check(page)


def test_home_page_sends_anonymous_visitors_to_sign_in(page, live_server, expect):
    page.goto("/")
    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}/accounts/login/")))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
