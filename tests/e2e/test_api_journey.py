"""Journey: an MSO who signs in with an authenticator app makes an API token on their account
page, copies it, and their risk management system reads the trust's incidents with it; the
API's docs list every call; the MSO revokes the token and it stops working."""

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client

from api.models import ApiToken
from organisations.choices import OrganisationKind, Post, Region, Role
from tests.factories import PASSWORD, OrganisationFactory, member, post_holder
from tests.incidents.conftest import report

pytestmark = pytest.mark.e2e


@pytest.fixture
def trust():
    return OrganisationFactory(
        ods_code="RX1",
        name="Trust A NHS Trust",
        kind=OrganisationKind.NHS_TRUST,
        region=Region.LONDON,
    )


def test_an_mso_makes_a_token_a_system_uses_it_and_it_is_revoked(
    page, live_server, trust, axe_check, expect, sign_in
):
    mso = post_holder(trust, Post.MSO, full_name="Morgan Safety")
    secret = pyotp.random_base32()
    TOTP.activate(mso, secret)
    incident = report(trust, member(trust, Role.STAFF))

    sign_in(page, mso.email, PASSWORD, totp_secret=secret)
    page.goto("/accounts/")
    page.get_by_role("link", name="Manage your API tokens").click()
    expect(page.locator("h1")).to_have_text("Your API tokens")
    axe_check(page)
    page.get_by_role("button", name="Make a token").click()
    expect(page.locator("h1")).to_have_text("Make an API token")
    page.get_by_role("button", name="Make the token").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a name for the token")
    axe_check(page)
    page.get_by_label("Name").fill("Datix nightly import")
    page.get_by_label("Read incidents").check()
    page.get_by_role("button", name="Make the token").click()
    expect(page.locator("h1")).to_have_text("Your new API token")
    axe_check(page)
    token = page.get_by_label("The token Datix nightly import").input_value()

    system = Client(headers={"authorization": f"Bearer {token}"})
    answer = system.get("/api/v1/incidents/").json()
    assert [row["reference"] for row in answer["results"]] == [incident.reference]
    assert system.get("/api/v1/register/").status_code == 403  # not among its scopes

    page.goto("/api/docs/")
    expect(page.get_by_text("MSO Portal API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/incidents/{reference}/").first).to_be_visible()

    page.goto("/accounts/api-tokens/")
    page.get_by_role("link", name="Revoke Datix nightly import").click()
    expect(page.locator("h1")).to_have_text("Revoke the token Datix nightly import?")
    axe_check(page)
    page.get_by_role("button", name="Revoke the token").click()
    expect(page.get_by_text("The token Datix nightly import no longer works")).to_be_visible()
    assert ApiToken.objects.get().revoked_at is not None
    assert system.get("/api/v1/incidents/").status_code == 401
