"""Submitting to LFPSE in Chromium, on the demo data: Trust A's MSO finds the incident LFPSE
refused through the list's filter and reads LFPSE's reasons, then marks another incident ready
for LFPSE: it goes through the local simulator and comes back with LFPSE's reference, shown on
the incident. The pages pass axe."""

import re

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings

from accounts.models import User
from incidents.lfpse import fhir
from incidents.models import Incident
from lfpse_simulator.models import Record

pytestmark = pytest.mark.e2e

SECRET = pyotp.random_base32()


@pytest.fixture
def demo(transactional_db, seeded_demo):
    TOTP.activate(User.objects.get(email="mso@trust-a.example"), SECRET)


def test_an_mso_marks_an_incident_ready_and_sees_lfpse_s_reference(
    page, live_server, demo, expect, axe_check, sign_in
):
    sign_in(page, "mso@trust-a.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
    page.goto("/incidents/?lfpse=refused")
    refused = Incident.objects.get(lfpse_state="refused")
    page.get_by_role("link", name=refused.reference).click()
    expect(page.locator("#lfpse")).to_contain_text("LFPSE refused the record")
    expect(page.locator("#lfpse")).to_contain_text("NeverEventType is required")
    expect(page.get_by_role("button", name="Send to LFPSE again")).to_be_visible()
    axe_check(page)

    incident = (
        fhir.ready(Incident.objects.filter(organisation__ods_code="RZA", anonymous=False))
        .filter(lfpse_state="not-sent")
        .order_by("-occurred_on")
        .first()
    )
    page.goto(incident.get_absolute_url())
    expect(page.locator("#lfpse")).to_contain_text("Not sent")
    page.get_by_role("button", name="Mark ready for LFPSE").click()
    expect(page.get_by_text("The incident is on its way to LFPSE")).to_be_visible()
    kept = Record.objects.get(identifier_value=incident.reference)
    expect(page.locator("#lfpse")).to_contain_text("Accepted")
    expect(page.locator("#lfpse-reference")).to_have_text(kept.reference)
    assert re.fullmatch(r"LFPSE-\d{4}-\d{7}", kept.reference)
    axe_check(page)
