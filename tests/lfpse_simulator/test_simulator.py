"""The local LFPSE simulator answers as the submission API is understood to: the subscription key
required, a record created once per identifier with an id and a reference number, replaced by
PUT, and each problem of a submission listed in a FHIR OperationOutcome (severity, code,
diagnostics, expression) against the version 5 profile, its required fields and code systems."""

import copy
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client, override_settings
from django.urls import reverse

from incidents.lfpse import fhir
from lfpse_simulator import validation
from lfpse_simulator.models import Record
from tests.access import prove
from tests.incidents.conftest import report
from tests.test_deploy_checks import PRODUCTION, python

pytestmark = pytest.mark.django_db
KEY = {"Ocp-Apim-Subscription-Key": "simulator-key"}
CREATE = "/lfpse-simulator/AdverseEvent"


def send(method, url, body, headers=KEY):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return Client().generic(
        method, url, data, content_type="application/fhir+json", headers=headers
    )


@pytest.fixture
def record(trust, staff):
    return fhir.adverse_event(report(trust, staff))


def issues(response) -> list[dict]:
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    for issue in body["issue"]:
        assert {"severity", "code", "diagnostics", "expression"} <= issue.keys()
    return body["issue"]


def extension_named(resource, name):
    url = f"{validation.EXTENSION}{name}-5"
    return next(e for e in resource["extension"] if e["url"] == url)


def test_a_record_is_created_with_an_id_and_a_reference(record):
    assert reverse("lfpse_simulator:create") == CREATE
    response = send("POST", CREATE, record)
    prove(CREATE, "post", "public")
    assert response.status_code == 201, response.content
    body = response.json()
    kept = Record.objects.get()
    assert body["id"] == kept.record_id and body["meta"]["versionId"] == "1"
    assert {"url": f"{validation.EXTENSION}lfpse-reference", "valueString": kept.reference} in (
        body["extension"]
    )
    assert kept.reference.startswith("LFPSE-") and kept.identifier_value == record["id"]
    assert response["Location"] == f"AdverseEvent/{kept.record_id}/_history/1"


def test_a_second_create_of_the_same_identifier_is_the_same_record(record):
    first = send("POST", CREATE, record).json()
    changed = copy.deepcopy(record)
    changed["event"]["text"] = "Sent again after a crash"
    again = send("POST", CREATE, changed)
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert again.json()["extension"][-1] == first["extension"][-1]  # the same reference
    assert Record.objects.count() == 1
    assert Record.objects.get().resource["event"]["text"] == record["event"]["text"]


@pytest.mark.parametrize("headers", [{}, {"Ocp-Apim-Subscription-Key": "wrong"}])
def test_without_the_subscription_key_nothing_is_accepted(record, headers):
    response = send("POST", CREATE, record, headers=headers)
    assert response.status_code == 401
    assert "subscription key" in response.json()["message"]
    assert not Record.objects.exists()


def test_something_other_than_an_adverse_event_is_a_bad_request(record):
    record["resourceType"] = "Patient"
    response = send("POST", CREATE, record)
    assert response.status_code == 400
    [issue] = issues(response)
    assert issue["code"] == "structure" and "Patient" in issue["diagnostics"]
    assert issue["expression"] == ["resourceType"]
    assert send("POST", CREATE, "{not json").status_code == 400


def test_an_unknown_code_is_named_with_where_it_is(record):
    process = extension_named(record, "adverse-event-process")
    process["extension"][0]["valueCoding"]["code"] = "99"
    record["contained"][0]["extension"][0]["extension"][0]["valueCoding"]["code"] = "77"
    response = send("POST", CREATE, record)
    assert response.status_code == 422
    found = issues(response)
    assert [issue["code"] for issue in found] == ["code-invalid", "code-invalid"]
    assert "'99' is not a code of" in found[0]["diagnostics"]
    assert found[0]["expression"] == [
        f"AdverseEvent.extension('{validation.EXTENSION}adverse-event-process-5')"
        ".extension('Process')"
    ]
    assert "'77'" in found[1]["diagnostics"]
    assert found[1]["expression"][0].startswith("AdverseEvent.contained[0].extension[0]")
    assert not Record.objects.exists()


def test_a_code_of_another_system_is_refused(record):
    process = extension_named(record, "adverse-event-process")
    process["extension"][0]["valueCoding"]["system"] = f"{validation.CODE_SYSTEM}agent-type-5"
    [issue] = issues(send("POST", CREATE, record))
    assert issue["code"] == "code-invalid" and "healthcare-process-5" in issue["diagnostics"]


def test_each_missing_mandatory_field_is_listed(record):
    record["extension"] = [
        e for e in record["extension"] if not e["url"].endswith("adverse-event-process-5")
    ]
    metadata = extension_named(record, "adverse-event-reference-metadata")
    metadata["extension"] = [f for f in metadata["extension"] if f["url"] != "DataSharingOptOut"]
    del record["identifier"]
    del record["event"]
    response = send("POST", CREATE, record)
    assert response.status_code == 422
    found = {(issue["code"], issue["expression"][0]) for issue in issues(response)}
    assert found == {
        ("required", "AdverseEvent.identifier"),
        ("required", "AdverseEvent.event"),
        (
            "required",
            f"AdverseEvent.extension('{validation.EXTENSION}adverse-event-reference-metadata-5')"
            ".extension('DataSharingOptOut')",
        ),
        ("required", f"AdverseEvent.extension('{validation.EXTENSION}adverse-event-process-5')"),
    }


def test_a_record_without_the_v5_profile_is_refused(record):
    record["meta"]["profile"] = [f"{validation.EXTENSION}patient-safety-adverse-event-4"]
    [issue] = issues(send("POST", CREATE, record))
    assert issue["code"] == "value" and validation.PROFILE in issue["diagnostics"]
    assert issue["expression"] == ["AdverseEvent.meta.profile"]


def test_a_boolean_field_sent_as_a_code_is_refused(record):
    metadata = extension_named(record, "adverse-event-reference-metadata")
    metadata["extension"] = [f for f in metadata["extension"] if f["url"] != "IsAnonymous"]
    metadata["extension"].append({"url": "IsAnonymous", "valueCoding": {"code": "y"}})
    metadata["extension"].append({"url": "NoSuchField", "valueString": "x"})
    found = issues(send("POST", CREATE, record))
    assert [(issue["code"], issue["diagnostics"]) for issue in found] == [
        ("structure", "IsAnonymous is a Boolean, carried in valueBoolean"),
        ("structure", "'NoSuchField' is not a field of AdverseEventReferenceMetadata"),
    ]


def test_a_never_event_needs_its_type(trust, staff):
    record = fhir.adverse_event(report(trust, staff, never_event=True, never_event_type=""))
    [issue] = issues(send("POST", CREATE, record))
    assert issue["diagnostics"] == "NeverEventType is required when NeverEvent is true"
    assert issue["expression"][0].endswith(".extension('NeverEventType')")


def test_a_record_is_replaced_by_put_and_counts_its_versions(record):
    created = send("POST", CREATE, record).json()
    url = f"{CREATE}/{created['id']}"
    record["id"] = created["id"]
    record["event"]["text"] = "Corrected in review: two doses, not three."
    response = send("PUT", url, record)
    prove(url, "put", "public")
    assert response.status_code == 200
    assert response.json()["meta"]["versionId"] == "2"
    kept = Record.objects.get()
    assert kept.version == 2 and kept.resource["event"]["text"].startswith("Corrected")
    assert response.json()["extension"][-1]["valueString"] == kept.reference


def test_an_update_is_refused_for_an_unknown_id_a_wrong_id_or_a_new_identifier(record):
    created = send("POST", CREATE, record).json()
    record["id"] = "unknown"
    assert issues(send("PUT", f"{CREATE}/unknown", record))[0]["code"] == "not-found"
    assert send("PUT", f"{CREATE}/{created['id']}", record).status_code == 400
    record["id"] = created["id"]
    record["identifier"]["value"] = "RX1-2026-999999"
    response = send("PUT", f"{CREATE}/{created['id']}", record)
    assert response.status_code == 422 and issues(response)[0]["code"] == "business-rule"


def test_the_simulator_imports_no_feature():
    """It stands for a remote service: it knows nothing of incidents."""
    from tests.test_layers import imports, modules

    reached = {
        name.split(".")[0]
        for module, path in modules("lfpse_simulator").items()
        for name in imports(module, path)
    }
    assert reached & {"incidents", "organisations", "notifications", "accounts"} == set()


def test_the_simulator_is_mounted_only_when_it_is_on():
    config = apps.get_app_config("lfpse_simulator")
    assert config.routes == {"lfpse-simulator/": "lfpse_simulator.urls"}
    with override_settings(LFPSE_SIMULATOR=False):
        assert config.routes == {}


def test_production_never_mounts_the_simulator():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.urls import resolve, Resolver404\n"
        "try:\n    resolve('/lfpse-simulator/AdverseEvent')\nexcept Resolver404:\n"
        "    print('not mounted', settings.LFPSE_SIMULATOR)"
    )
    result = python(code, **PRODUCTION, LFPSE_SIMULATOR="1")
    assert result.stdout.strip() == "not mounted False", result.stderr


@pytest.mark.parametrize("name", ["fields-v5.json", "code-systems-v5.json"])
def test_the_simulator_s_taxonomy_is_the_one_the_records_are_made_from(name):
    """The simulator imports no feature, so it keeps its own copy of the LFPSE v5 taxonomy
    files: the copy is the incidents app's, byte for byte, or the two would drift apart."""
    ours = Path(fhir.__file__).parent / name
    simulator = Path(validation.__file__).parent / "reference" / name
    assert simulator.read_bytes() == ours.read_bytes()
