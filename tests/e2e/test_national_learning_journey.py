"""A network lead's national learning, in Chromium on the demo data: from the incident
statistics to the trends (by medicine, with the emerging ones), the reporting rates on a
funnel plot, and the quarterly learning summary and its PDF. Counts only, never an incident's
words; every page passes axe."""

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings

from accounts.models import User
from incidents.models import Incident

pytestmark = pytest.mark.e2e
SECRET = pyotp.random_base32()


@pytest.fixture
def demo(transactional_db, seeded_demo):
    TOTP.activate(User.objects.get(email="lead@midlands.example"), SECRET)


def test_a_lead_reads_the_trends_the_funnel_and_the_quarter(
    page, demo, expect, axe_check, sign_in, open_from_menu
):
    words = Incident.objects.order_by("pk").values_list("what_happened", flat=True).first()
    sign_in(page, "lead@midlands.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
    open_from_menu(page, "Incident statistics")
    expect(page.locator("h1")).to_have_text("Incident statistics")

    page.get_by_role("link", name="incident trends by harm").click()
    expect(page.locator("h1")).to_have_text("Incident trends: physical harm, Midlands")
    expect(page.get_by_role("heading", name="All incidents")).to_be_visible()
    axe_check(page)
    page.get_by_label("Incidents by").select_option("substance")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("h1")).to_have_text("Incident trends: medicine (dm+d substance), Midlands")
    expect(page.get_by_role("heading", name="Emerging medicines")).to_be_visible()
    assert words not in page.content()
    axe_check(page)

    page.locator("#maincontent").get_by_role("link", name="Incident statistics").click()
    page.get_by_role("link", name="reporting rates on a funnel plot").click()
    expect(page.locator("h1")).to_have_text("Reporting rates against peers")
    axe_check(page)

    page.go_back()
    page.get_by_role("link", name="quarterly national learning summary").click()
    expect(page.locator("h1")).to_contain_text("Learning from medication incidents:")
    expect(page.get_by_role("heading", name="Physical harm")).to_be_visible()
    expect(
        page.get_by_role("heading", name="National Patient Safety Alerts issued")
    ).to_be_visible()
    assert words not in page.content()
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this summary as a PDF").click()
    assert download.value.suggested_filename.startswith("national-learning-")
