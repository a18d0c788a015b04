"""What the simulator checks of a submitted AdverseEvent, read from the LFPSE version 5 taxonomy
(reference/fields-v5.json: its profiles and fields with their cardinality, type and value set;
reference/code-systems-v5.json: every code system and its codes, as published).

Each problem is a FHIR OperationOutcome issue: severity, code (FHIR's issue-type codes:
structure, required, value, code-invalid, business-rule, not-supported), diagnostics in words
and the FHIRPath expression of where it is. Which extensions LFPSE requires of every record,
and its rules across fields, are not published (integration-layouts.md, 4): those below are
this simulator's reading of the taxonomy, the fields it marks as required (min 1) of every
event, and the governance questions whose answer "yes" asks for a detail.
"""

import datetime
import json
import re
from functools import cache
from pathlib import Path

VERSION = 5
BASE = "https://psims-uat.azure-api.net/taxonomy/fhir"
PROFILE = f"{BASE}/StructureDefinition/patient-safety-adverse-event-{VERSION}"
EXTENSION = f"{BASE}/StructureDefinition/"
CODE_SYSTEM = f"{BASE}/CodeSystem/"
REFERENCE = Path(__file__).parent / "reference"

# The taxonomy's extensions every record carries: each has a field required of every event.
REQUIRED_PROFILES = (
    "AdverseEventProcess",
    "AdverseEventAgent",
    "AdverseEventSafetyChallenges",
    "AdverseEventReferenceMetadata",
)
# A "yes" that asks for its detail: (extension, the yes/no field, the detail field).
DETAIL_NEEDED = (
    ("AdverseEventGovernance", "NeverEvent", "NeverEventType"),
    ("AdverseEventGovernance", "CqcNotify", "CqcCriteria"),
)
# The value each field type of the taxonomy is carried in.
VALUE_KEYS = {
    "Code": "valueCoding",
    "String": "valueString",
    "Boolean": "valueBoolean",
    "Time": "valueTime",
    "Integer": "valueInteger",
    "Date": "valueDate",
}


def extension_name(profile: str) -> str:
    """A profile's extension name: AdverseEventProcess -> adverse-event-process."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", profile).lower()


@cache
def code_systems() -> dict[str, frozenset[str]]:
    systems = json.loads((REFERENCE / f"code-systems-v{VERSION}.json").read_text())["systems"]
    return {system["id"]: frozenset(code["code"] for code in system["codes"]) for system in systems}


@cache
def profiles() -> dict[str, tuple[str, dict[str, dict]]]:
    """Each extension's name -> (its profile, its fields by name)."""
    found = {}
    for profile in json.loads((REFERENCE / f"fields-v{VERSION}.json").read_text())["profiles"]:
        fields = {}
        for field in profile["fields"]:
            fields.setdefault(field["name"], field)
        found[extension_name(profile["profile"])] = (profile["profile"], fields)
    return found


@cache
def every_field() -> dict[str, dict]:
    """Every field of the taxonomy by name (the first that names it), for the extensions the
    published profiles do not list (the patient's, the location's)."""
    found = {}
    for _profile, fields in profiles().values():
        for name, field in fields.items():
            found.setdefault(name, field)
    return found


def issue(code: str, diagnostics: str, expression: str, severity: str = "error") -> dict:
    return {
        "severity": severity,
        "code": code,
        "diagnostics": diagnostics,
        "expression": [expression],
    }


def check(resource) -> tuple[int, list[dict]]:
    """The HTTP status and the issues of a submission: (200, []) when it is accepted; 400 when
    it is not an AdverseEvent at all; 422 when it breaks the profile."""
    if not isinstance(resource, dict):
        return 400, [issue("structure", "The body must be a JSON object", "$")]
    if resource.get("resourceType") != "AdverseEvent":
        found = resource.get("resourceType")
        return 400, [
            issue(
                "structure",
                f"Expected resourceType AdverseEvent, found {found!r}",
                "resourceType",
            )
        ]
    issues = [
        *_base(resource),
        *_extensions(resource.get("extension"), "AdverseEvent"),
        *_codes_elsewhere(resource),
    ]
    return (422 if issues else 200), issues


def _base(resource: dict):
    profile = (resource.get("meta") or {}).get("profile") or []
    if PROFILE not in profile:
        yield issue(
            "value",
            f"The record must claim the LFPSE profile {PROFILE} in meta.profile",
            "AdverseEvent.meta.profile",
        )
    identifier = resource.get("identifier")
    if not (
        isinstance(identifier, dict)
        and isinstance(identifier.get("system"), str)
        and identifier.get("system")
        and isinstance(identifier.get("value"), str)
        and identifier.get("value")
    ):
        yield issue(
            "required",
            "The submitting system's identifier (system and value) is required",
            "AdverseEvent.identifier",
        )
    if resource.get("actuality") not in ("actual", "potential"):
        yield issue("required", "actuality must be actual or potential", "AdverseEvent.actuality")
    if not (resource.get("event") or {}).get("text"):
        yield issue("required", "What happened (event.text) is required", "AdverseEvent.event")
    if not (resource.get("subject") or {}).get("reference"):
        yield issue("required", "The patient (subject) is required", "AdverseEvent.subject")
    occurred = _date(resource.get("date"))
    if occurred is None:
        yield issue("required", "The date of the event is required", "AdverseEvent.date")
    else:
        recorded = _date(resource.get("recordedDate"))
        if occurred > datetime.date.today() + datetime.timedelta(days=1):
            yield issue(
                "business-rule", "The date of the event is in the future", "AdverseEvent.date"
            )
        elif recorded is not None and occurred > recorded + datetime.timedelta(days=1):
            yield issue(
                "business-rule",
                "The event is dated after it was recorded",
                "AdverseEvent.date",
            )


def _date(value) -> datetime.date | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _extensions(extensions, where: str):
    if extensions is None:
        extensions = []
    if not isinstance(extensions, list):
        yield issue("structure", "extension must be a list", f"{where}.extension")
        return
    present = {}
    for position, extension in enumerate(extensions):
        url = extension.get("url") if isinstance(extension, dict) else None
        if not isinstance(url, str) or not url.startswith(EXTENSION):
            continue  # another party's extension: not LFPSE's to judge
        name, _dash, version = url.removeprefix(EXTENSION).rpartition("-")
        path = f"{where}.extension('{url}')"
        if version != str(VERSION):
            yield issue(
                "not-supported",
                f"Only version {VERSION} of the taxonomy is accepted here: {url}",
                path,
            )
            continue
        present[name] = extension
        yield from _fields(name, extension.get("extension"), path, position)
    if where == "AdverseEvent":
        for profile in REQUIRED_PROFILES:
            name = extension_name(profile)
            if name not in present:
                required = [f for f, spec in profiles()[name][1].items() if spec["min"] != "0"]
                yield issue(
                    "required",
                    f"The {name}-{VERSION} extension is required ({', '.join(required)})",
                    f"AdverseEvent.extension('{EXTENSION}{name}-{VERSION}')",
                )


def _fields(name: str, fields, path: str, position: int):
    profile, known = profiles().get(name, (None, None))
    lookup = known if known is not None else every_field()
    if not isinstance(fields, list):
        yield issue("structure", f"The {name} extension must hold a list of fields", path)
        return
    counts: dict[str, int] = {}
    answers: dict[str, object] = {}
    for field in fields:
        field_name = field.get("url") if isinstance(field, dict) else None
        spec = lookup.get(field_name) if isinstance(field_name, str) else None
        where = f"{path}.extension('{field_name}')"
        if spec is None:
            if known is not None:
                yield issue("structure", f"{field_name!r} is not a field of {profile}", where)
            continue
        counts[field_name] = counts.get(field_name, 0) + 1
        expected = VALUE_KEYS.get(spec["type"] or "")
        if expected is None:
            continue
        if expected not in field:
            yield issue(
                "structure",
                f"{field_name} is a {spec['type']}, carried in {expected}",
                where,
            )
            continue
        value = field[expected]
        answers[field_name] = value
        if expected == "valueCoding":
            yield from _coding(value, spec["value_set"], field_name, where)
        elif expected == "valueBoolean" and not isinstance(value, bool):
            yield issue("value", f"{field_name} must be true or false", where)
        elif expected == "valueString" and not (isinstance(value, str) and value.strip()):
            yield issue("value", f"{field_name} must be some text", where)
    for field_name, count in counts.items():
        most = lookup[field_name]["max"]
        if most != "*" and count > int(most):
            yield issue(
                "structure",
                f"{field_name} may be given at most {most} times, not {count}",
                f"{path}.extension('{field_name}')",
            )
    if known is None:
        return
    for field_name, spec in known.items():
        if spec["min"] != "0" and spec["type"] in VALUE_KEYS and field_name not in counts:
            yield issue(
                "required",
                f"{field_name} is required in the {name}-{VERSION} extension",
                f"{path}.extension('{field_name}')",
            )
    for rule_profile, asked, detail in DETAIL_NEEDED:
        if (
            extension_name(rule_profile) == name
            and answers.get(asked) is True
            and (detail not in counts)
        ):
            yield issue(
                "required",
                f"{detail} is required when {asked} is true",
                f"{path}.extension('{detail}')",
            )


def _coding(value, value_set: str | None, field_name: str, where: str):
    if not isinstance(value, dict):
        yield issue("structure", f"{field_name} must be a Coding", where)
        return
    system, code = value.get("system"), value.get("code")
    if value_set and system != f"{CODE_SYSTEM}{value_set}":
        yield issue(
            "code-invalid",
            f"{field_name} takes a code of {CODE_SYSTEM}{value_set}, not of {system}",
            where,
        )
        return
    yield from _known_code(system, code, where)


def _known_code(system, code, where: str):
    if not isinstance(system, str) or not system.startswith(CODE_SYSTEM):
        return
    codes = code_systems().get(system.removeprefix(CODE_SYSTEM))
    if codes is None:
        yield issue("code-invalid", f"{system} is not a code system of the taxonomy", where)
    elif code not in codes:
        yield issue("code-invalid", f"{code!r} is not a code of {system}", where)


def _codes_elsewhere(resource: dict):
    """The taxonomy's codes outside the record's own extensions (the contained patient,
    location and medicines, and their extensions): each system and code must be known."""
    stack = [
        (value, f"AdverseEvent.{key}") for key, value in resource.items() if key != "extension"
    ]
    while stack:
        node, path = stack.pop()
        if isinstance(node, list):
            stack.extend((item, f"{path}[{i}]") for i, item in enumerate(node))
        elif isinstance(node, dict):
            if "system" in node:
                yield from _known_code(node.get("system"), node.get("code"), path)
            stack.extend((value, f"{path}.{key}") for key, value in node.items())
