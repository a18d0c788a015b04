"""The network lead's day (Kwame Mensah, the Midlands MSO network's lead, on the demo data): from
the home page he opens the national MSO register, narrows it on a phone to the region's vacant
MSO posts through its folded "Filter", reads the chart of posts by region with its table, and
downloads exactly the rows he filtered as CSV and as Excel. Then from the home page's count he
opens the change to the register that waits for him (Trust B's MSO naming her successor) and
approves it; she is told, by email and in her notifications. The national network's lead
(Nadia Osei) sees the whole country's register and the same change, which she was not asked to
decide. Keyboard and visible labels only, axe on every page."""

import csv
import io
import re

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook

from notifications.models import Notification
from organisations.models import ChangeRequest

pytestmark = pytest.mark.e2e

LEAD = "lead@midlands.example"
NATIONAL_LEAD = "lead@network.example"
ASKER = "mso@trust-b.example"  # Priya Nair, Trust B's MSO, who leaves in six days
TRUST_B = "Brookfield Community Health NHS Foundation Trust"
VACANT = {"FZZ80", "Y60"}  # the Midlands' vacant MSO posts in the demo
PHONE = {"width": 375, "height": 800}
# The register's chart, read as its table: a region's organisations by the state of their
# MSO post.
CHART_COLUMNS = ["In post", "Handover in progress", "Covered", "Vacant", "No MSO cover"]


def chart_row(page, region: str) -> dict[str, int]:
    """A region's figures in the table under the chart of MSO posts in each region."""
    table = page.get_by_role("table", name="MSO posts in each region, by state, as a table")
    cells = table.get_by_role("row", name=region).get_by_role("cell")
    figures = [int(re.sub(r"\D", "", text)) for text in cells.all_inner_texts()]
    return dict(zip([*CHART_COLUMNS, "Organisations"], figures, strict=True))


def test_a_network_lead_filters_the_register_exports_it_and_approves_a_change(
    page, browser, live_server, demo, keyboard, expect, sign_in, picture
):
    change = ChangeRequest.objects.get(organisation__ods_code="RZB", status="pending")
    # He was told of the change when Priya asked for it: he, not the national lead, decides it.
    asked = Notification.objects.filter(subject=f"change-request:{change.pk}", kind="submitted")
    assert [n.recipient.email for n in asked] == [LEAD]

    sign_in(page, LEAD, settings.DEMO_PASSWORD, totp_secret=demo)
    kb = keyboard(page)
    kb.go("/")
    expect(page.locator("h1")).to_have_text("Welcome, Kwame")
    waiting = page.locator(".mso-waiting")
    expect(waiting.get_by_role("link", name=re.compile("waiting for a decision"))).to_have_text(
        "1 change to the register waiting for a decision"
    )
    picture(page, "network-lead-home")

    # The register, on a phone: its filters are folded behind "Filter" so its rows come first.
    kb.follow("MSO register", within=page.get_by_role("navigation", name="Menu"))
    expect(page.locator("h1")).to_have_text("National MSO register")
    page.set_viewport_size(PHONE)
    expect(page.get_by_label("State of the post")).to_be_hidden()
    filters = kb.unfold("Filter")
    kb.select("Region", "Midlands", within=filters)
    kb.select("State of the post", "Vacant", within=filters)
    kb.press("Search", within=filters)
    expect(page.locator(".mso-result-count")).to_have_text("2 organisations match")
    register = page.get_by_role("table", name="National MSO register")
    expect(register.locator("tbody tr")).to_have_count(2)
    expect(register.locator("tbody tr").filter(has_text="Vacant")).to_have_count(2)
    page.set_viewport_size({"width": 1280, "height": 800})
    kb.bring(page.locator(".mso-result-count"), above=260)
    picture(page, "network-lead-register")

    # The chart counts the region's organisations whatever their state; its table gives the
    # same figures, and its vacant posts are the rows found.
    chart = page.get_by_role("img", name="MSO posts in each region, by state")
    expect(chart).to_be_visible()
    expect(chart).to_contain_text("11 organisations: in post 4, handover in progress 1")
    assert chart_row(page, "Midlands") == {
        "In post": 4,
        "Handover in progress": 1,
        "Covered": 3,
        "Vacant": 2,
        "No MSO cover": 1,
        "Organisations": 11,
    }
    kb.show("MSO posts in each region")
    picture(page, "network-lead-chart")

    # Exactly the rows filtered, in either format.
    kb.show("National MSO register", above=0)
    exported = kb.download("CSV")
    assert exported.suggested_filename.endswith(".csv")
    lines = list(csv.DictReader(io.StringIO(exported.path().read_text(encoding="utf-8"))))
    assert {line["ODS code"] for line in lines} == VACANT
    assert {line["Region"] for line in lines} == {"Midlands"}
    assert {line["State"] for line in lines} == {"Vacant"}
    exported = kb.download("Excel (XLSX)")
    assert exported.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(exported.path().read_bytes()), read_only=True).active
    heading, *cells = sheet.iter_rows(values_only=True)
    assert {row[heading.index("ODS code")] for row in cells} == VACANT

    # The change that waits for him, from his home page's count.
    kb.follow("NHS MSO Portal homepage")
    kb.follow("change to the register waiting for a decision", within=page.locator(".mso-waiting"))
    expect(page.locator("h1")).to_have_text("Changes to the register")
    expect(page.locator(".mso-result-count")).to_have_text("1 change matches")
    row = page.get_by_role("row", name=TRUST_B)
    expect(row).to_contain_text("by Priya Nair")
    picture(page, "network-lead-changes")
    kb.follow("A new MSO", within=row)
    expect(page.get_by_text("Daniel Morgan")).to_be_visible()
    expect(page.get_by_text("The register shows today: Priya Nair")).to_be_visible()
    kb.choose("Approve it: the register changes now")
    kb.show("Decide", above=330)
    picture(page, "network-lead-decide")
    before = timezone.now()
    kb.press("Save the decision")
    expect(page.get_by_text("The change is approved: the register shows it")).to_be_visible()
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.APPROVED and change.decided_by.email == LEAD

    # Priya, who asked, is told: in her notifications and by email. Nobody else has an
    # account to be told in (Daniel and Trust B's board director have none).
    told = Notification.objects.filter(subject=f"change-request:{change.pk}", kind="approved")
    assert [n.recipient.email for n in told] == [ASKER]
    since = Notification.objects.filter(created_at__gte=before)
    assert {n.recipient.email for n in since} == {ASKER}
    (email,) = [m for m in mail.outbox if m.to == [ASKER] and "Approved" in m.subject]
    assert TRUST_B in email.subject
    assert change.get_absolute_url() in email.body

    kb.follow("NHS MSO Portal homepage")
    expect(page.locator(".mso-waiting")).not_to_contain_text("waiting for a decision")

    # She finds it among her notifications, and it opens the change, approved.
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    mso = context.new_page()
    try:
        sign_in(mso, ASKER, settings.DEMO_PASSWORD, totp_secret=demo)
        hers = keyboard(mso)
        hers.go("/")
        hers.follow("Notifications", within=mso.get_by_role("banner"))
        line = f"Approved: a new MSO, {TRUST_B}"
        hers.open(line)
        hers.press(f"Open {line}")
        expect(mso.locator("h1")).to_have_text("A new MSO")
        expect(mso.get_by_text(TRUST_B).first).to_be_visible()
        expect(mso.get_by_text("Approved", exact=True)).to_be_visible()
    finally:
        context.close()


def test_the_national_lead_reads_the_whole_register_and_the_changes_waiting(
    page, demo, keyboard, expect, sign_in, picture
):
    sign_in(page, NATIONAL_LEAD, settings.DEMO_PASSWORD, totp_secret=demo)
    kb = keyboard(page)
    kb.go("/")
    expect(page.locator("h1")).to_have_text("Welcome, Nadia")
    # She may decide any region's change, so she sees it waiting, though its region's lead
    # was the one asked.
    waiting = page.locator(".mso-waiting")
    expect(waiting).to_contain_text("1 change to the register waiting for a decision")
    assert not Notification.objects.filter(
        recipient__email=NATIONAL_LEAD, subject__startswith="change-request:"
    ).exists()

    kb.follow("MSO register", within=page.get_by_role("navigation", name="Menu"))
    expect(page.locator(".mso-result-count")).to_have_text("11 organisations")
    kb.select("State of the post", "Handover in progress")
    kb.press("Search")
    expect(page.locator(".mso-result-count")).to_have_text("1 organisation matches")
    row = page.get_by_role("row", name=TRUST_B)
    expect(row).to_contain_text("Handover in progress")
    expect(row).to_contain_text("Change pending")
    assert chart_row(page, "All regions")["Organisations"] == 11

    exported = kb.download("Excel (XLSX)")
    sheet = load_workbook(io.BytesIO(exported.path().read_bytes()), read_only=True).active
    heading, *cells = sheet.iter_rows(values_only=True)
    assert [row[heading.index("ODS code")] for row in cells] == ["RZB"]

    kb.follow("change to the register is waiting for a decision")
    expect(page.get_by_role("row", name=TRUST_B)).to_contain_text("Waiting for a network lead")
