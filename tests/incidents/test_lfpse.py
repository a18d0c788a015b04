"""The record LFPSE is sent: each incident as an AdverseEvent that fhir.resources accepts as FHIR
R4 (R4B) structure, with the taxonomy's field types, and in bulk as a Bundle of exactly the
filtered incidents. How it is sent: test_lfpse_submission.py."""

import json

import pytest
from django.urls import reverse
from fhir.resources.R4B.adverseevent import AdverseEvent
from fhir.resources.R4B.bundle import Bundle

from incidents.lfpse import fhir
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db


def extension(resource, name):
    url = f"{fhir.BASE}/StructureDefinition/{name}-5"
    found = [e for e in resource["extension"] if e["url"] == url]
    return (
        {
            (
                f["url"],
                json.dumps(f.get("valueCoding", f.get("valueString", f.get("valueBoolean")))),
            )
            for f in found[0]["extension"]
        }
        if found
        else set()
    )


def test_an_incident_is_an_lfpse_adverse_event(trust, staff):
    incident = report(
        trust,
        staff,
        medicines=("Oxycodone 5 mg capsules",),
        processes=["3"],
        drugs_involved=["1"],
        too_much=["1"],
        never_event=True,
        never_event_type="5",
    )
    medicine = incident.medicines.get()
    medicine.dmd_code = "36128111000001104"
    medicine.save()
    resource = fhir.adverse_event(incident)
    parsed = AdverseEvent.model_validate(resource)
    assert parsed.identifier.value == incident.reference
    assert resource["meta"]["profile"] == [fhir.PROFILE]
    assert resource["event"]["text"] == incident.what_happened
    patient, location, drug = resource["contained"]
    assert patient["gender"] == "female" and "name" not in patient
    assert location["managingOrganization"]["identifier"]["value"] == trust.ods_code
    assert drug["code"]["coding"][0] == {
        "system": "http://snomed.info/sct",
        "code": "36128111000001104",
        "display": "Oxycodone 5 mg capsules",
    }
    medication = extension(resource, "adverse-event-problem-medication")
    assert any(url == "InvolvedProcesses" and '"3"' in value for url, value in medication)
    assert any(url == "DrugUsedTooMuch" for url, _ in medication)
    governance = extension(resource, "adverse-event-governance")
    assert any(url == "NeverEventType" and '"5"' in value for url, value in governance)


def test_an_anonymous_incident_says_so_and_names_nobody(trust, staff):
    resource = fhir.adverse_event(report(trust, staff, anonymous=True))
    metadata = extension(resource, "adverse-event-reference-metadata")
    assert ("IsAnonymous", "true") in metadata
    assert "recorder" not in resource and staff.email not in json.dumps(resource)


def test_one_incident_downloads_for_the_reviewer(assert_access, mso, other_mso, staff, incident):
    response = assert_access(
        reverse("incidents:lfpse", args=[incident.reference]),
        allowed=mso,
        other_organisation=other_mso,
        wrong_role=staff,
    )
    assert response["Content-Type"] == "application/fhir+json"
    AdverseEvent.model_validate(json.loads(response.content))


def test_the_filtered_list_downloads_as_a_bundle(client_for, mso, trust, staff, other_incident):
    keep = report(trust, staff, physical_harm="3")
    report(trust, staff, physical_harm="5")
    response = client_for(mso).get(reverse("incidents:export", args=["json"]), {"harm": "3"})
    body = json.loads(b"".join(response.streaming_content))
    Bundle.model_validate(body)
    assert [e["resource"]["id"] for e in body["entry"]] == [keep.reference]


def test_a_question_left_unanswered_is_not_sent_as_no(trust, staff):
    unanswered = fhir.adverse_event(report(trust, staff))
    governance = extension(unanswered, "adverse-event-governance")
    assert not any(url in ("NeverEvent", "CqcNotify") for url, _ in governance)
    answered = fhir.adverse_event(report(trust, staff, never_event=False, cqc_notification=False))
    governance = extension(answered, "adverse-event-governance")
    assert ("NeverEvent", "false") in governance and ("CqcNotify", "false") in governance


def test_the_yes_or_no_questions_are_the_taxonomys_booleans(trust, staff):
    """Found by the simulator: DutyOfCandour, NeverEvent, CqcNotify and IsAnonymous are Boolean
    fields in version 5 (fields-v5.json), sent before as yes/no codes."""
    resource = fhir.adverse_event(
        report(trust, staff, duty_of_candour="y", never_event=True, never_event_type="5")
    )
    governance = extension(resource, "adverse-event-governance")
    assert ("DutyOfCandour", "true") in governance and ("NeverEvent", "true") in governance
    unknown = fhir.adverse_event(report(trust, staff, duty_of_candour="u"))
    assert not any(
        url == "DutyOfCandour" for url, _ in extension(unknown, "adverse-event-governance")
    )


def test_an_incident_without_an_answer_lfpse_requires_says_which(client_for, mso, trust, staff):
    incident = report(trust, staff, process="")
    with pytest.raises(fhir.NotReady, match="What was happening when it went wrong"):
        fhir.adverse_event(incident)
    client = client_for(mso)
    response = client.get(reverse("incidents:lfpse", args=[incident.reference]))
    assert response["Location"] == incident.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert "Not ready for LFPSE yet" in page and "What was happening when it went wrong" in page
    assert reverse("incidents:lfpse", args=[incident.reference]) not in page
    assert reverse("incidents:lfpse_send", args=[incident.reference]) not in page


def test_the_bundle_leaves_out_an_incident_not_ready(client_for, mso, trust, staff):
    ready = report(trust, staff)
    report(trust, staff, process="")
    body = b"".join(client_for(mso).get(reverse("incidents:export", args=["json"])))
    entries = json.loads(body)["entry"]
    assert [entry["resource"]["id"] for entry in entries] == [ready.reference]


def test_every_code_is_one_of_lfpse_version_5(trust, staff):
    resource = fhir.adverse_event(report(trust, staff, service_type="1"))
    process = extension(resource, "adverse-event-process")
    assert any(url == "Process" and '"6"' in value for url, value in process)
    location = extension(resource, "adverse-event-location")
    assert any(url == "ServiceArea" and '"1"' in value for url, value in location)
    challenge = extension(resource, "adverse-event-safety-challenges")
    assert any(url == "SafetyChallenges" and '"6"' in value for url, value in challenge)
    resource["extension"][0]["extension"][0]["valueCoding"]["code"] = "99"
    with pytest.raises(ValueError, match="'99' is not a code"):
        fhir.check_codes(resource)
