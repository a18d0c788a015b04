"""A reporter's day (Rosa Reid, staff nurse at Trust A, on the demo data): from the home page
she reports a medication incident in its two steps (a hospital number typed into what
happened is refused, she is told why and nothing else she typed is lost), finds it in My
reports; when the medication safety team closes its review she is told, by email and in her
notifications, and reads their feedback. Keyboard and visible labels only, axe on every page."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import User
from incidents import services
from incidents.models import Incident, Status
from notifications.models import Notification

pytestmark = pytest.mark.e2e

REPORTER = "reporter@trust-a.example"
WHAT_HAPPENED = (
    "NovoRapid 10 units given at 12:00 and again at 12:30: the first dose was not signed for "
    "on the chart."
)
FEEDBACK = "Thank you. Insulin doses are now signed for at the bedside before the next round."


def test_a_reporter_reports_an_incident_and_reads_the_feedback(
    page, demo, keyboard, expect, sign_in, picture
):
    today = timezone.localdate()
    sign_in(page, REPORTER, settings.DEMO_PASSWORD, totp_secret=demo)
    kb = keyboard(page)
    kb.go("/")
    expect(page.get_by_role("heading", name="What waits for you")).to_be_visible()
    picture(page, "reporter-home")

    # Step 1: when, where, what happened, the medicine, and the harm.
    kb.follow("Report a medication incident")
    expect(page.locator("h1")).to_have_text("Report a medication incident")
    kb.date(today.day, today.month, today.year, within=page.get_by_role("group", name="When"))
    kb.choose("Day shift")
    kb.select("Where did it happen?", "Hospital")
    kb.type("Ward, department or service", "Ward 7 (surgery)")
    # The patient's hospital number, typed without thinking.
    kb.type("What happened?", f"{WHAT_HAPPENED} Patient RZ1234567.")
    kb.type("What was done straight away?", "Blood glucose checked hourly; doctor told.")
    medicine = page.get_by_role("group", name="Medicine 1")
    kb.pick("Medicine", "novora", re.compile("^NovoRapid"), within=medicine)
    expect(medicine.get_by_role("combobox", name="Medicine")).to_have_value(
        re.compile("^NovoRapid 100units/ml")
    )
    kb.select("Route", "Subcutaneous", within=medicine)
    kb.type("Dose", "10 units", within=medicine)
    kb.choose("Yes", within=page.get_by_role("group", name="Did the medicine reach the patient?"))
    kb.choose("Low physical harm")
    kb.choose("No psychological harm")
    kb.select("Patient's age", "66-85 years")
    kb.choose("Female")
    kb.press("Continue")

    # The hospital number is refused, and said why; everything else is kept.
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("“RZ1234567” looks like a hospital number")
    expect(page.get_by_label("What was done straight away?")).to_have_value(
        "Blood glucose checked hourly; doctor told."
    )
    expect(page.get_by_label("Low physical harm")).to_be_checked()
    picture(page, "reporter-report-mistake")
    kb.type("What happened?", WHAT_HAPPENED)
    kb.press("Continue")

    # Step 2: optional detail, and whether her name goes on the report.
    expect(page.locator("h1")).to_have_text("More about the incident")
    kb.choose("Administering")
    kb.choose("Yes, put my name on it")
    kb.press("Send the report")
    expect(page.locator("h1")).to_have_text("Report sent")
    reference = page.locator(".nhsuk-panel__body strong").first.inner_text()
    assert re.fullmatch(r"RZA-\d{4}-\d{6}", reference)
    incident = Incident.objects.get(reference=reference)
    assert incident.reporter.email == REPORTER and incident.status == Status.SUBMITTED
    assert incident.medicines.get().dmd_code  # picked from the dm+d, so coded
    picture(page, "reporter-report-sent")

    kb.follow("See your reports and their feedback")
    expect(page.locator("h1")).to_have_text("My reports")
    row = page.get_by_role("row", name=reference)
    expect(row).to_contain_text("Submitted")
    picture(page, "reporter-my-reports")

    # Meanwhile the MSO reviews it and closes it with feedback: she is told, once.
    mso = User.objects.get(email="mso@trust-a.example")
    services.review_start(by=mso, incident=incident)
    services.incident_close(by=mso, incident=incident, feedback=FEEDBACK)
    told = Notification.objects.filter(subject=f"incident:{incident.pk}")
    assert [(n.recipient.email, n.kind) for n in told] == [(REPORTER, "feedback-1")]
    (email,) = [m for m in mail.outbox if m.to == [REPORTER]]
    assert reference in email.subject
    assert incident.get_absolute_url() in email.body

    # Her header counts it; the line opens on the notification, which opens the incident.
    kb.follow("NHS MSO Portal homepage")
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name="Notifications")).to_contain_text("1 unread")
    kb.follow("Notifications", within=header)
    expect(page.locator("h1")).to_have_text("Notifications")
    line = f"Feedback on your incident report {reference}"
    kb.open(line)
    picture(page, "reporter-notifications")
    kb.press(f"Open {line}")
    expect(page.locator("h1")).to_have_text(f"Incident {reference}")
    feedback = page.locator("#feedback")
    expect(feedback).to_contain_text(FEEDBACK)
    expect(page.get_by_role("heading", name="Review thread")).to_have_count(0)
    picture(page, "reporter-feedback")
    assert told.get().read_at is not None
    expect(header.get_by_role("link", name="Notifications")).not_to_contain_text("unread")
