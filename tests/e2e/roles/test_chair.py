"""The committee chair's quarter (Gareth Lewis, chair of Trust A's Medication Safety Committee,
on the demo data): the quarter has ended and nobody has begun its assurance report. From the
home page he opens the committee and prepares the report; preparing it again opens the same
draft, never a second one. His home page and the secretary's now count it (his to approve,
hers to finish). Approving asks first for the narratives it needs; he writes them, approves
it, and downloads the PDF made of it. Keyboard and visible labels only, axe on every page."""

import pytest
from django.conf import settings
from django.utils import timezone

from committees.figures import last_quarter
from committees.models import AssuranceReport
from notifications.models import Notification

pytestmark = pytest.mark.e2e

CHAIR = "chair@trust-a.example"
SECRETARY = "secretary@trust-a.example"
DIRECTOR = "director@trust-a.example"
COMMITTEE = "Medication Safety Committee"
NARRATIVES = [
    (
        "Summary and assurance",
        "The committee is assured that incidents are reported and reviewed, and that the "
        "trust acts on the national alerts it receives.",
    ),
    ("Incidents reported", "Reporting rose in the quarter: more near misses were reported."),
    ("National patient safety alerts", "Every alert was acknowledged within two working days."),
]


def test_the_chair_prepares_approves_and_downloads_the_quarters_report(
    page, browser, live_server, demo, keyboard, expect, sign_in, picture
):
    start, end = last_quarter(timezone.localdate())
    period = f"{start:%-d %B %Y} to {end:%-d %B %Y}"
    drafts = AssuranceReport.objects.filter(
        committee__name=COMMITTEE,
        committee__organisation__ods_code="RZA",
        period_start=start,
        period_end=end,
        state="draft",
    )
    drafts.delete()  # the quarter has just ended: its report is not begun

    sign_in(page, CHAIR, settings.DEMO_PASSWORD, totp_secret=demo)
    kb = keyboard(page)
    kb.go("/")
    expect(page.locator(".mso-waiting")).not_to_contain_text("assurance report")
    kb.follow("Committee", within=page.get_by_role("navigation", name="Menu"), exact=True)
    kb.follow(COMMITTEE)
    expect(page.locator("h1")).to_have_text(COMMITTEE)
    kb.show("Assurance reports")
    picture(page, "chair-committee")

    kb.follow("Prepare an assurance report")
    kb.date(start.day, start.month, start.year, within=page.get_by_role("group", name="First day"))
    kb.date(end.day, end.month, end.year, within=page.get_by_role("group", name="Last day"))
    kb.show("Prepare an assurance report", above=400)  # the top of the page
    picture(page, "chair-prepare")
    kb.press("Prepare the report")
    expect(page.locator("h1")).to_have_text(f"Assurance report: {period}")
    report_url = page.url
    assert drafts.count() == 1
    kb.show("Incidents reported")
    picture(page, "chair-report-draft")

    # Preparing the same quarter again opens this draft: no second one.
    kb.follow("Back to the committee")
    kb.follow("Prepare an assurance report")
    expect(page.get_by_role("link", name=period)).to_be_visible()
    kb.date(start.day, start.month, start.year, within=page.get_by_role("group", name="First day"))
    kb.date(end.day, end.month, end.year, within=page.get_by_role("group", name="Last day"))
    kb.press("Prepare the report")
    expect(page.get_by_text("already being prepared: here it is")).to_be_visible()
    assert page.url == report_url
    assert drafts.count() == 1

    # His home page counts it, to approve, and leads to it.
    kb.follow("NHS MSO Portal homepage")
    waiting = page.locator(".mso-waiting")
    short = f"{start:%-d %b %Y} to {end:%-d %b %Y}"
    kb.follow(f"assurance report to approve: the {COMMITTEE}, {short}", within=waiting)
    assert page.url == report_url

    # The secretary's home page counts it too, to finish.
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    secretary = context.new_page()
    try:
        sign_in(secretary, SECRETARY, settings.DEMO_PASSWORD, totp_secret=demo)
        hers = keyboard(secretary)
        hers.go("/")
        hers.follow(
            f"assurance report to finish: the {COMMITTEE}, {short}",
            within=secretary.locator(".mso-waiting"),
        )
        expect(secretary.locator("h1")).to_have_text(f"Assurance report: {period}")
    finally:
        context.close()

    # Approving needs the narratives of three sections first: it says which.
    kb.press("Approve the report")
    expect(page.get_by_role("alert")).to_contain_text(
        "Write the narrative of Summary and assurance, Incidents reported, National patient "
        "safety alerts before the report is approved"
    )
    for title, text in NARRATIVES:
        kb.follow(f"Write the narrative of {title}", exact=True)
        kb.type("The chair's narrative", text)
        if title == "Incidents reported":
            picture(page, "chair-narrative")
        kb.press("Save the narrative")
        expect(page.get_by_text(f"The narrative of {title} is saved")).to_be_visible()

    kb.press("Approve the report")
    expect(page.get_by_text("its figures are kept as they are now")).to_be_visible()
    report = AssuranceReport.objects.get(
        committee__name=COMMITTEE, period_start=start, period_end=end, state="approved"
    )
    assert report.approved_by.email == CHAIR
    # The board director, who takes it to the board, and the secretary are told; not the chair.
    told = Notification.objects.filter(subject=f"assurance-report:{report.pk}", kind="approved")
    assert sorted(told.values_list("recipient__email", flat=True)) == sorted([DIRECTOR, SECRETARY])
    download_link = page.get_by_role("link", name="Download the report as a PDF")
    expect(download_link).to_be_visible(timeout=30_000)
    picture(page, "chair-report-approved")

    pdf = kb.download("Download the report as a PDF")
    assert pdf.suggested_filename == f"assurance-report-RZA-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}.pdf"
    with open(pdf.path(), "rb") as file:
        assert file.read(5) == b"%PDF-"
    sent = page.request.get(download_link.get_attribute("href"))
    assert sent.ok and sent.headers["content-type"] == "application/pdf"

    # Nothing waits for him any more, nor for the secretary.
    kb.follow("NHS MSO Portal homepage")
    expect(page.locator(".mso-waiting")).not_to_contain_text("assurance report")
