"""Site administrators run the service and see none of the clinical content: the admin's audit
trail leaves out the history of incidents and what belongs to them, and the reminder ledger
shows what kind of thing someone was told, not the text."""

import pytest
from django.urls import reverse

from incidents import services
from notifications.models import Notification
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db

NARRATIVE = "Enoxaparin 40 mg given twice on ward 7"


def test_the_audit_trail_in_the_admin_holds_no_clinical_record(
    client_for, site_admin, trust, staff, mso
):
    incident = report(trust, staff, what_happened=NARRATIVE)
    services.comment_add(by=mso, incident=incident, body="Checked the chart with the nurse")
    client = client_for(site_admin)

    listing = client.get(reverse("admin:auditlog_logentry_changelist"))
    searched = client.get(reverse("admin:auditlog_logentry_changelist"), {"q": "Enoxaparin"})

    assert listing.status_code == searched.status_code == 200
    for page in (listing, searched):
        text = page.content.decode()
        assert NARRATIVE not in text and "Checked the chart" not in text
        assert incident.reference not in text


def test_the_admin_still_shows_the_history_of_the_service(client_for, site_admin, trust, mso):
    from auditlog.models import LogEntry

    client = client_for(site_admin)
    searched = client.get(reverse("admin:auditlog_logentry_changelist"), {"q": mso.email})
    assert searched.status_code == 200
    entry = LogEntry.objects.get_for_object(trust).first()
    assert client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk])).status_code == 200


def test_the_reminder_ledger_in_the_admin_shows_no_reminder_text(client_for, site_admin, mso):
    notification = Notification.objects.create(
        recipient=mso,
        subject="incident-action:1",
        kind="overdue",
        due_on="2026-01-01",
        title="Overdue: an action from RZA-2026-000001",
        body="Check the enoxaparin prescriptions on ward 7",
        url="/incidents/RZA-2026-000001/",
    )
    page = client_for(site_admin).get(
        reverse("admin:notifications_notification_change", args=[notification.pk])
    )
    assert page.status_code == 200
    assert "enoxaparin" not in page.content.decode()
