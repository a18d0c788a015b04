"""Journey on the demo data, the way a probe tried it: the ICB's MSO would make themselves its
controlled drugs accountable officer. The organisation's own page records no such post; its
Replace asks for a change to the register instead, which the region's network lead decides
(here, rejects with a reason the MSO then reads). The pages pass axe."""

import re

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from organisations.choices import Post
from organisations.models import Appointment

pytestmark = pytest.mark.e2e

ICB = "NHS Demoshire Integrated Care Board"
SECRET = pyotp.random_base32()


@pytest.fixture
def demo(transactional_db, seeded_demo):
    for email in ("mso@icb.example", "lead@midlands.example"):
        TOTP.activate(User.objects.get(email=email), SECRET)


def test_an_icbs_mso_asks_to_be_its_cdao_and_the_regional_lead_decides(
    page, browser, live_server, demo, expect, axe_check, sign_in
):
    today = timezone.localdate()
    sign_in(page, "mso@icb.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
    page.goto("/organisations/QZZ/posts/new/")
    expect(page.locator("h1")).to_contain_text("Record a named post holder")
    expect(page.get_by_label("Controlled drugs accountable officer (CDAO)")).to_have_count(0)

    page.goto("/organisations/QZZ/")
    expect(page.locator("h1")).to_have_text(ICB)
    cdao = re.compile(r"^Replace .+ as Controlled drugs accountable officer \(CDAO\)$")
    page.get_by_role("link", name=cdao).click()
    expect(page.locator("h1")).to_contain_text("as Controlled drugs accountable officer (CDAO)")
    # Replace asks for a change to the register; the page says so before anything is typed.
    checked_first = "A network lead checks it before the register shows it"
    expect(page.get_by_text(checked_first)).to_be_visible()
    axe_check(page)
    page.get_by_label("No", exact=True).check()
    page.get_by_label("The successor's full name").fill("Mo Icb")
    page.get_by_label("The successor's email address").fill("mso@icb.example")
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Send to a network lead").click()
    expect(page.get_by_text("Your change is sent to a network lead")).to_be_visible()
    expect(page.get_by_role("button", name="Save the decision")).to_have_count(0)
    axe_check(page)
    change_url = page.url

    lead_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    lead = lead_context.new_page()
    try:
        sign_in(lead, "lead@midlands.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
        lead.goto(change_url)
        expect(lead.get_by_text("Mo Icb")).to_be_visible()
        lead.get_by_label("Reject it").check()
        lead.get_by_role("button", name="Save the decision").click()
        expect(lead.get_by_role("alert")).to_contain_text("Give the reason for rejecting it")
        axe_check(lead)
        lead.get_by_label("Reason").fill(
            "The ICB's CDAO is its chief medical officer: ask for them, not the MSO"
        )
        lead.get_by_role("button", name="Save the decision").click()
        expect(lead.get_by_text("The change is rejected")).to_be_visible()
    finally:
        lead_context.close()

    page.reload()
    expect(page.get_by_text("Rejected", exact=True)).to_be_visible()
    expect(page.get_by_text("ask for them, not the MSO")).to_be_visible()
    cdaos = Appointment.objects.filter(organisation__ods_code="QZZ", post=Post.CDAO).current()
    assert [cdao.user.email for cdao in cdaos] == ["cdao@icb.example"]
