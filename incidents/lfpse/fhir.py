"""An incident as an LFPSE-shaped FHIR AdverseEvent (Learn from Patient Safety Events,
taxonomy version 5), checked against the FHIR R4 AdverseEvent structure by fhir.resources (its
R4B models: AdverseEvent is the same in R4 and R4B) before it leaves the service.

The shape follows what is known of LFPSE's submissions (shared/reference/integration-layouts.md,
section 4): an AdverseEvent with the taxonomy's profile, LFPSE's fields as extensions named after
lfpse/fields-v5.json, and the patient, the location and the medicines as contained resources.
Medicines carry their dm+d code (SNOMED CT) when it is known, as LFPSE version 6 asks. Nothing
identifying the patient is exported; no free text other than the narrative fields LFPSE asks for.
"""

import json

from django.utils import timezone
from fhir.resources.R4B.adverseevent import AdverseEvent
from fhir.resources.R4B.bundle import Bundle

from .. import choices

BASE = "https://psims-uat.azure-api.net/taxonomy/fhir"
HEALTHCARE = choices.HEALTHCARE_PROCESSES
PROFILE = f"{BASE}/StructureDefinition/patient-safety-adverse-event-{choices.LFPSE_VERSION}"
SNOMED = "http://snomed.info/sct"
REFERENCE_SYSTEM = "https://mso-portal.nhs.uk/incident-reference"


def _coding(codes: choices.CodeList, code: str) -> dict:
    return {
        "system": f"{BASE}/CodeSystem/{codes.system}",
        "code": code,
        "display": codes.label(code),
    }


def _extension(name: str, fields: list[dict]) -> dict | None:
    fields = [field for field in fields if field]
    if not fields:
        return None
    url = f"{BASE}/StructureDefinition/{name}-{choices.LFPSE_VERSION}"
    return {"url": url, "extension": fields}


def _codes(field: str, codes: choices.CodeList, values) -> list[dict]:
    return [{"url": field, "valueCoding": _coding(codes, value)} for value in values or () if value]


def _code(field: str, codes: choices.CodeList, value: str) -> dict | None:
    return {"url": field, "valueCoding": _coding(codes, value)} if value else None


def _text(field: str, value: str) -> dict | None:
    return {"url": field, "valueString": value} if value else None


def _yes_no(field: str, value: bool | str | None) -> dict | None:
    """Yes or no, a Boolean field of the taxonomy (fields-v5.json): a question not answered
    (None), or answered "I don't know" (YES_NO_UNKNOWN's "u"), is left out, as an empty code is."""
    if isinstance(value, str):
        value = {"y": True, "n": False}.get(value)
    if value is None:
        return None
    return {"url": field, "valueBoolean": value}


# What LFPSE requires that a reporter may leave unanswered: (field, the question asking it).
# Source: the v5 taxonomy (fields-v5.json), which gives AdverseEventProcess's Process a
# minimum of 1; the report form leaves it optional.
REQUIRED_ANSWERS = (("process", "What was happening when it went wrong?"),)


def missing_answers(incident) -> list[str]:
    """The questions still to answer before the incident can go to LFPSE."""
    return [question for field, question in REQUIRED_ANSWERS if not getattr(incident, field)]


def ready(incidents):
    """Of these incidents, those with every answer LFPSE requires."""
    for field, _question in REQUIRED_ANSWERS:
        incidents = incidents.exclude(**{field: ""})
    return incidents


class NotReady(ValueError):
    """The incident lacks an answer LFPSE requires."""


def check_codes(resource: dict) -> None:
    """Every LFPSE code in the resource belongs to its version 5 code system (the published
    lists, incidents/lfpse/code-systems-v5.json): raise ValueError naming any that does not."""
    prefix = f"{BASE}/CodeSystem/"
    stack = [resource]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            system = node.get("system", "")
            if isinstance(system, str) and system.startswith(prefix):
                codes = choices.CodeList(system.removeprefix(prefix)).codes
                if node.get("code") not in codes:
                    raise ValueError(f"{node.get('code')!r} is not a code of {system}")
            stack.extend(node.values())


def adverse_event(incident) -> dict:
    """The incident as a FHIR AdverseEvent (a dict, ready for JSON), checked by fhir.resources
    (a structure it refuses raises its ValidationError) and against LFPSE's code systems. An
    incident without an answer LFPSE requires raises NotReady, naming the questions."""
    if missing := missing_answers(incident):
        raise NotReady("Answer before it can go to LFPSE: " + "; ".join(missing))
    medicines = list(incident.medicines.all())
    occurred = incident.occurred_on.isoformat()
    if incident.occurred_time:
        occurred = timezone.make_aware(
            timezone.datetime.combine(incident.occurred_on, incident.occurred_time)
        ).isoformat()
    contained = [
        {
            "resourceType": "Patient",
            "id": "patient",
            "gender": {"1": "female", "2": "male"}.get(incident.gender, "unknown"),
            "extension": [
                _extension(
                    "patient-information",
                    [
                        _code("AgeBracket", choices.AGE_BRACKETS, incident.age_bracket),
                        _code("Gender", choices.GENDERS, incident.gender),
                        _code("PhysicalHarm", choices.PHYSICAL_HARM, incident.physical_harm),
                        _code(
                            "PsychologicalHarm",
                            choices.PSYCHOLOGICAL_HARM,
                            incident.psychological_harm,
                        ),
                    ],
                )
            ],
        },
        {
            "resourceType": "Location",
            "id": "location",
            "name": incident.service_area or incident.get_location_display(),
            "type": [{"coding": [_coding(choices.LOCATIONS, incident.location)]}],
            "managingOrganization": {
                "identifier": {
                    "system": "https://fhir.nhs.uk/Id/ods-organization-code",
                    "value": incident.organisation.ods_code,
                },
                "display": incident.organisation.name,
            },
        },
    ]
    for position, medicine in enumerate(medicines):
        code = {"text": medicine.name}
        if medicine.dmd_code:
            code["coding"] = [
                {"system": SNOMED, "code": medicine.dmd_code, "display": medicine.name}
            ]
        contained.append({"resourceType": "Medication", "id": f"medicine-{position}", "code": code})

    extensions = [
        _extension(
            "adverse-event-estimated-date",
            [
                _code("EstimatedTime", choices.TIME_BRACKETS, incident.time_bracket),
                {"url": "PreciseTime", "valueTime": incident.occurred_time.isoformat()}
                if incident.occurred_time
                else None,
            ],
        ),
        _extension("adverse-event-process", [_code("Process", HEALTHCARE, incident.process)]),
        # The service where it happened (service-type-5), and where within it. (Which of the
        # taxonomy's extensions carries these is not published (integration-layouts.md, 4):
        # the submission API's own checks, when it is connected, will say.) Whether the
        # medicine reached the patient has no field in version 5: it stays in the service.
        _extension(
            "adverse-event-location",
            [
                _code("ServiceArea", choices.SERVICE_TYPES, incident.service_type),
                _code("LocationWithinService", choices.LOCATIONS, incident.location),
            ],
        ),
        # A medication incident is none of LFPSE's other safety challenges (falls, pressure
        # ulcers...): "None of the above", which the profile requires to be said.
        _extension(
            "adverse-event-safety-challenges",
            [_code("SafetyChallenges", choices.CodeList("safety-challenges-5"), "6")],
        ),
        _extension(
            "adverse-event-agent",
            [
                _code("InvolvedAgents", choices.CodeList("agent-type-5"), "4"),
                *[_text("DrugsInvolved", medicine.name) for medicine in medicines],
            ],
        ),
        _extension(
            "adverse-event-outcome", [_text("ImmediateActions", incident.immediate_actions)]
        ),
        _extension(
            "adverse-event-problem-medication",
            [
                *_codes("DrugReaction", choices.YELLOW_CARD, incident.yellow_card),
                *_codes("DrugInvolvementFactors", choices.DRUGS_INVOLVED, incident.drugs_involved),
                *_codes("DrugUsedTooMuch", choices.TOO_MUCH, incident.too_much),
                *_codes("DrugInsufficientDetails", choices.TOO_LITTLE, incident.too_little),
                *_codes("InvolvedProcesses", choices.PROCESSES, incident.processes),
                *_codes(
                    "MedicationAdministeredIncorrectly",
                    choices.ADMINISTERED_INCORRECTLY,
                    incident.administered_incorrectly,
                ),
                *_codes(
                    "ProblemMedicationPackaging",
                    choices.PACKAGING_PROBLEM,
                    incident.packaging_problem,
                ),
            ],
        ),
        _extension(
            "detection-factors",
            [_code("DetectionPoint", choices.DETECTION_POINTS, incident.detection_point)],
        ),
        _extension(
            "adverse-event-governance",
            [
                _yes_no("DutyOfCandour", incident.duty_of_candour),
                _yes_no("NeverEvent", incident.never_event),
                _code("NeverEventType", choices.NEVER_EVENT_TYPES, incident.never_event_type),
                _yes_no("CqcNotify", incident.cqc_notification),
                *_codes("CqcCriteria", choices.CQC_CRITERIA, incident.cqc_criteria),
            ],
        ),
        _extension(
            "adverse-event-reference-metadata",
            [
                _text("ReferenceNumber", incident.reference),
                _yes_no("IsAnonymous", incident.anonymous),
                # Required: the service offers no opting out of LFPSE's data sharing.
                {"url": "DataSharingOptOut", "valueBoolean": False},
            ],
        ),
    ]
    resource = {
        "resourceType": "AdverseEvent",
        "id": incident.reference,
        "meta": {"profile": [PROFILE]},
        "identifier": {"system": REFERENCE_SYSTEM, "value": incident.reference},
        "actuality": "actual",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/adverse-event-category",
                        "code": "medication-mishap",
                        "display": "Medication Mishap",
                    }
                ]
            }
        ],
        "event": {"text": incident.what_happened},
        "subject": {"reference": "#patient"},
        "date": occurred,
        "recordedDate": incident.reported_at.isoformat(),
        "location": {"reference": "#location"},
        "contained": contained,
        "extension": [extension for extension in extensions if extension],
    }
    if medicines:
        resource["suspectEntity"] = [
            {"instance": {"reference": f"#medicine-{i}"}} for i in range(len(medicines))
        ]
    AdverseEvent.model_validate(resource)
    check_codes(resource)
    return resource


def bundle(incidents):
    """Incidents as the text of a FHIR collection Bundle, yielded piece by piece so memory stays
    flat; each entry is checked as it is made."""
    head = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timezone.now().isoformat(),
    }
    Bundle.model_validate({**head, "entry": []})
    yield json.dumps(head)[:-1] + ', "entry": ['
    for i, incident in enumerate(incidents):
        entry = {
            "fullUrl": f"{REFERENCE_SYSTEM}/{incident.reference}",
            "resource": adverse_event(incident),
        }
        yield ("," if i else "") + json.dumps(entry)
    yield "]}"
