"""The simulator's submission API, answering as LFPSE's is understood to: behind Azure API
Management (the subscription key in ``Ocp-Apim-Subscription-Key``), a FHIR AdverseEvent
created by POST and replaced by PUT, problems answered as a FHIR OperationOutcome.

- POST ``AdverseEvent``: 201 with the record as kept (its ``id``, ``meta.versionId`` and
  LFPSE's reference number in the ``lfpse-reference`` extension); a record whose identifier
  it already holds is the same record: 200 with it as kept, unchanged.
- PUT ``AdverseEvent/<id>``: 200 with the record, its version one more; 404 for an unknown id.
- 400 for a body that is not an AdverseEvent, 422 for one that breaks the profile (issues in
  lfpse_simulator/validation.py), 401 without the right key.
"""

import json
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt

from core.http import allow

from . import validation
from .models import Record

FHIR_JSON = "application/fhir+json"
REFERENCE_EXTENSION = f"{validation.EXTENSION}lfpse-reference"


def _outcome(status: int, issues: list[dict]) -> JsonResponse:
    body = {"resourceType": "OperationOutcome", "issue": issues}
    return JsonResponse(body, status=status, content_type=FHIR_JSON)


def _refuse(status: int, code: str, diagnostics: str, where: str) -> JsonResponse:
    """An OperationOutcome with one issue."""
    return _outcome(status, [validation.issue(code, diagnostics, where)])


def _unauthorised(request) -> JsonResponse | None:
    """Azure API Management's answer to a missing or wrong subscription key."""
    given = request.headers.get("Ocp-Apim-Subscription-Key", "")
    expected = settings.LFPSE_API_KEY
    if expected and given and constant_time_compare(given, expected):
        return None
    return JsonResponse(
        {
            "statusCode": 401,
            "message": "Access denied due to missing or invalid subscription key. Make sure "
            "to provide a valid key for an active subscription.",
        },
        status=401,
    )


def _read(request):
    try:
        return json.loads(request.body or b"null"), None
    except (ValueError, UnicodeDecodeError):
        return None, _refuse(400, "structure", "The body is not JSON", "$")


def _answer(record: Record, status: int) -> JsonResponse:
    resource = dict(record.resource)
    resource["id"] = record.record_id
    resource["meta"] = {
        **(resource.get("meta") or {}),
        "versionId": str(record.version),
        "lastUpdated": record.updated_at.isoformat(),
    }
    own = [e for e in resource.get("extension") or [] if e.get("url") != REFERENCE_EXTENSION]
    resource["extension"] = [*own, {"url": REFERENCE_EXTENSION, "valueString": record.reference}]
    response = JsonResponse(resource, status=status, content_type=FHIR_JSON)
    response["Location"] = f"AdverseEvent/{record.record_id}/_history/{record.version}"
    response["ETag"] = f'W/"{record.version}"'
    return response


def _checked(request):
    """The submitted resource, or the answer refusing it."""
    if refusal := _unauthorised(request):
        return None, refusal
    resource, refusal = _read(request)
    if refusal:
        return None, refusal
    status, issues = validation.check(resource)
    if issues:
        return None, _outcome(status, issues)
    return resource, None


@csrf_exempt
@login_not_required
@allow("POST")
def adverse_event_create(request):
    resource, refusal = _checked(request)
    if refusal:
        return refusal
    identifier = resource["identifier"]
    key = {"identifier_system": identifier["system"], "identifier_value": identifier["value"]}
    if kept := Record.objects.filter(**key).first():
        return _answer(kept, 200)
    try:
        with transaction.atomic():
            record = Record.objects.create(record_id=uuid.uuid4().hex, resource=resource, **key)
            record.reference = f"LFPSE-{timezone.localdate():%Y}-{record.pk:07d}"
            record.save(update_fields=["reference"])
    except IntegrityError:  # the same identifier sent twice at once: one record
        return _answer(Record.objects.get(**key), 200)
    return _answer(record, 201)


@csrf_exempt
@login_not_required
@allow("PUT")
def adverse_event_update(request, record_id):
    resource, refusal = _checked(request)
    if refusal:
        return refusal
    with transaction.atomic():
        record = Record.objects.select_for_update().filter(record_id=record_id).first()
        if record is None:
            return _refuse(404, "not-found", f"No AdverseEvent {record_id}", "AdverseEvent.id")
        if resource.get("id") != record_id:
            return _refuse(
                400, "invalid", "The resource's id must be the id in the address", "AdverseEvent.id"
            )
        identifier = resource["identifier"]
        if (identifier["system"], identifier["value"]) != (
            record.identifier_system,
            record.identifier_value,
        ):
            return _refuse(
                422,
                "business-rule",
                "The identifier of a record cannot change",
                "AdverseEvent.identifier",
            )
        record.resource = resource
        record.version += 1
        record.save()
    return _answer(record, 200)
