"""Journey: an MSO adds a security key (Chromium's virtual authenticator, through DevTools) as
their second sign-in step, confirms it by using it, then signs in again with it."""

import pytest

from accounts.models import User
from organisations.choices import OrganisationKind, Post, Region, Role
from organisations.models import Appointment, Membership, Organisation

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-test-password-2026"


@pytest.fixture
def new_mso(transactional_db, live_server, settings):
    settings.SITE_URL = live_server.url  # keys are bound to the service's own address
    trust = Organisation.objects.create(
        ods_code="RX1",
        name="Trust A NHS Trust",
        kind=OrganisationKind.NHS_TRUST,
        region=Region.LONDON,
    )
    user = User.objects.create_user("mso@trust-a.example", PASSWORD, full_name="Morgan Safety")
    Membership.objects.create(user=user, organisation=trust, role=Role.SAFETY_TEAM)
    Appointment.objects.create(organisation=trust, post=Post.MSO, user=user, start_on="2024-04-01")
    return user


@pytest.fixture
def security_key(page):
    """A virtual authenticator in this browser context: it answers as a touched USB key."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable", {"enableUI": False})
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return devtools


def test_an_mso_adds_a_security_key_and_signs_in_with_it(
    page, live_server, new_mso, security_key, expect, axe_check, sign_in
):
    sign_in(page, new_mso.email, PASSWORD)
    expect(page.locator("h1")).to_have_text("Set up your authenticator app")
    page.get_by_role("link", name="add a security key instead").click()
    expect(page.locator("h1")).to_have_text("Add a security key")
    axe_check(page)
    page.get_by_label("Name of this security key").fill("Blue key")
    page.get_by_role("button", name="Add security key").click()
    # Adding the key opens nothing: using it does.
    expect(page.locator("h1")).to_have_text("Confirm it is you")
    axe_check(page)
    page.get_by_role("button", name="Use security key").click()
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    page.get_by_role("link", name="Continue to MSO Portal").click()
    expect(page.locator("h1")).to_have_text("Trust A NHS Trust")

    page.goto("/accounts/two-factor/keys/")
    expect(page.get_by_role("cell", name="Blue key", exact=True)).to_be_visible()
    axe_check(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, new_mso.email, PASSWORD)
    expect(page.locator("h1")).to_have_text("Use your security key")
    axe_check(page)
    page.get_by_role("button", name="Use security key").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("h1")).to_have_text("Trust A NHS Trust")
