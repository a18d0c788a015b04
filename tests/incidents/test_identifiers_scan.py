"""The one-off scan of what was kept before the forms refused patients' identifiers: it finds
them in drafts and in the incidents' free text, names only where and what kind, and on request
removes each from the record and from the audit trail's copies."""

import json

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command

from incidents import services
from incidents.identifiers_scan import scan
from incidents.models import Draft, Incident
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db

NUMBER = "943 476 5919"


@pytest.fixture
def kept(trust, staff, mso):
    incident = report(trust, staff, what_happened=f"Wrong dose for {NUMBER} on ward 4.")
    services.comment_add(by=mso, incident=incident, body="Spoke to the patient, DOB 12/03/1956.")
    services.learning_record(
        by=mso, incident=incident, response="swarm", summary=f"Chart of {NUMBER}.", themes=[]
    )
    Draft.objects.create(
        user=staff, organisation=trust, data={"step1": {"what_happened": [f"Draft for {NUMBER}"]}}
    )
    return incident


def test_the_scan_names_where_and_what_never_the_identifier(kept, capsys):
    findings = list(scan())
    places = {(f.model, f.field, f.kind) for f in findings}
    assert ("incidents.Incident", "what_happened", "nhs-number") in places
    assert ("incidents.IncidentComment", "body", "date-of-birth") in places
    assert ("incidents.Draft", "step1.what_happened", "nhs-number") in places
    call_command("scan_identifiers")
    out = capsys.readouterr().out
    assert "incidents.Incident" in out and "an NHS number" in out
    assert NUMBER not in out and "12/03/1956" not in out
    assert NUMBER in Incident.objects.get().what_happened  # a report changes nothing


def test_redacting_removes_them_from_the_records_and_their_history(kept):
    assert any(NUMBER in json.dumps(entry.changes) for entry in LogEntry.objects.all())
    call_command("scan_identifiers", "--redact")
    incident = Incident.objects.get()
    assert incident.what_happened == "Wrong dose for [removed] on ward 4."
    assert incident.comments.get().body == "Spoke to the patient, [removed]."
    assert incident.learning_summary == "Chart of [removed]."
    assert Draft.objects.get().data["step1"]["what_happened"] == ["Draft for [removed]"]
    for entry in LogEntry.objects.all():
        text = json.dumps([entry.changes, entry.changes_text, entry.serialized_data])
        assert NUMBER not in text and "12/03/1956" not in text
    assert list(scan()) == []
