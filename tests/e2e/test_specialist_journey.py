"""Identifying a Patient Safety Specialist, on the demo data: Trust B's board director
identifies a replacement for its specialist (each mistake on the form explained on the way); the
national patient safety team is told, and approves it; the register of specialists shows the
change. The pages pass axe."""

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification
from organisations.choices import Post
from organisations.models import Appointment, Organisation

pytestmark = pytest.mark.e2e

SECRET = pyotp.random_base32()


@pytest.fixture
def demo(transactional_db, seeded_demo):
    trust_b = Organisation.objects.get(ods_code="RZB")
    director = User.objects.create_user(
        email="director@trust-b.example", password=settings.DEMO_PASSWORD, full_name="Malik Ross"
    )
    Appointment.objects.filter(organisation=trust_b, post=Post.BOARD_DIRECTOR).delete()
    Appointment.objects.create(
        organisation=trust_b,
        post=Post.BOARD_DIRECTOR,
        user=director,
        start_on=timezone.localdate().replace(year=2024),
    )
    for email in ("director@trust-b.example", "patient.safety@network.example"):
        TOTP.activate(User.objects.get(email=email), SECRET)


def test_a_board_director_identifies_a_replacement_and_the_national_team_approves(
    page, browser, live_server, demo, expect, axe_check, sign_in
):
    starts = timezone.localdate() + timezone.timedelta(days=14)
    sign_in(page, "director@trust-b.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
    page.goto(f"{live_server.url}/register/changes/new/?ods_code=RZB")
    page.get_by_label("A Patient Safety Specialist identified").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("h1")).to_have_text("A Patient Safety Specialist identified")
    expect(page.get_by_text("Its named posts show today: Hannah Wells")).to_be_visible()
    page.get_by_label("A replacement for a Patient Safety Specialist who leaves").check()
    page.get_by_label("Full name").fill("Idris Khan")
    page.get_by_label("Email address").fill("idris.khan@trust-b.example")
    page.get_by_label("Contact number").fill("0161 496 0000")
    page.get_by_label("Day").fill(str(starts.day))
    page.get_by_label("Month").fill(str(starts.month))
    page.get_by_label("Year").fill(str(starts.year))
    page.get_by_label("Job title").fill("Patient safety lead")
    page.get_by_label("Pay band").select_option("8a")
    page.get_by_role("button", name="Send to the national patient safety team").click()
    expect(page.get_by_role("alert")).to_contain_text("Confirm that the national guidance")
    expect(page.get_by_label("Full name")).to_have_value("Idris Khan")
    axe_check(page)
    page.get_by_label("The national guidance, Identifying Patient Safety Specialists").check()
    page.get_by_role("button", name="Send to the national patient safety team").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Select the Patient Safety Specialist who is replaced"
    )
    expect(page.get_by_label("Pay band")).to_have_value("8a")
    page.get_by_label("Hannah Wells").check()
    page.get_by_role("button", name="Send to the national patient safety team").click()
    expect(
        page.get_by_text("Your change is sent to the national patient safety team")
    ).to_be_visible()
    expect(page.get_by_text("Idris Khan")).to_be_visible()
    expect(page.get_by_text("band 8a")).to_have_count(0)  # the job title and pay band: not for them
    expect(page.locator("dd", has_text="Patient safety lead")).to_have_count(0)
    expect(page.get_by_text("Waiting for the national patient safety team")).to_be_visible()
    axe_check(page)
    # The national patient safety team is told at once, with a link to it.
    change_url = page.url.removeprefix(live_server.url)
    told = Notification.objects.get(
        recipient__email="patient.safety@network.example", url=change_url
    )
    assert told.title.startswith("To decide: A Patient Safety Specialist identified")

    team_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    team = team_context.new_page()
    try:
        sign_in(team, "patient.safety@network.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
        team.get_by_role("navigation", name="Menu").get_by_role(
            "link", name="Patient Safety Specialists"
        ).click()
        expect(team.locator("h1")).to_have_text("Patient Safety Specialists")
        axe_check(team)
        team.get_by_role("link", name="Patient Safety Specialists are waiting").click()
        team.get_by_role("row", name="Brookfield").get_by_role(
            "link", name="A Patient Safety Specialist identified"
        ).click()
        expect(team.locator("dd", has_text="Patient safety lead")).to_contain_text(
            "Agenda for Change band 8a"
        )
        team.get_by_label("Approve it: the register changes now").check()
        team.get_by_role("button", name="Save the decision").click()
        expect(team.get_by_text("The change is approved")).to_be_visible()

        team.get_by_role("navigation", name="Menu").get_by_role(
            "link", name="Patient Safety Specialists"
        ).click()
        team.get_by_label("Specialist, organisation or ODS code").fill("RZB")
        team.get_by_role("button", name="Search").click()
        row = team.get_by_role("row", name="Brookfield")
        expect(row).to_contain_text("Hannah Wells")  # until the day before Idris starts
        expect(row).to_contain_text("Level 3: Patient safety specialist training")
        axe_check(team)
    finally:
        team_context.close()
