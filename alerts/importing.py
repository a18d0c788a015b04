"""Importing alerts from a file: CSV or JSON in the layout of docs/alerts-import.md.

``plan(data, filename)`` reads and checks every alert in the file and says what importing it
would do (new, updated with the fields that change, unchanged), or every problem with the line
(CSV) or the alert's number (JSON) it is on. ``apply(plan, by)`` then writes it all in one
transaction through services.alert_save: a file with any problem imports nothing, and a file
imported twice changes nothing the second time (alerts are matched on their reference).
"""

import csv
import datetime
import io
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from organisations.choices import OrganisationKind

from . import choices, services, validators
from .models import Alert

COLUMNS = (
    "reference",
    "title",
    "issuer",
    "type",
    "issued_on",
    "summary",
    "link",
    "applies_to",
    "medicines",
    "action",
    "action_deadline",
)
REQUIRED = ("reference", "title", "issuer", "type", "issued_on", "summary", "applies_to")
MAX_BYTES = 2 * 1024 * 1024
FIELDS = ("title", "issuer", "alert_type", "issued_on", "summary", "link", "applicable_kinds")


@dataclass
class Planned:
    where: str  # "line 4", "alert 2"
    reference: str
    values: dict
    medicines: list[dict]
    actions: list[dict]
    existing: Alert | None = None
    changes: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        if self.existing is None:
            return "new"
        return "updated" if self.changes else "unchanged"


@dataclass
class Plan:
    alerts: list[Planned] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for alert in self.alerts if alert.outcome == outcome)

    @property
    def summary(self) -> str:
        return (
            f"{self.count('new')} new, {self.count('updated')} updated, "
            f"{self.count('unchanged')} unchanged"
        )


def _choice(value: str, options, what: str) -> str:
    wanted = value.strip().lower()
    for code, label in options:
        if wanted in (code.lower(), str(label).lower()):
            return code
    known = ", ".join(code for code, _ in options)
    raise ValidationError(f"{what} “{value}” is not one we know: use one of {known}")


def _date(value: str, what: str) -> datetime.date:
    value = (value or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValidationError(f"{what} “{value}” is not a date: write it as 2026-03-31 or 31/03/2026")


def _kinds(values) -> list[str]:
    return [_choice(v, OrganisationKind.choices, "The kind of organisation") for v in values if v]


def _medicines(values) -> list[dict]:
    found = []
    for value in values:
        if isinstance(value, dict):
            name, code = str(value.get("name", "")), str(value.get("dmd_code", ""))
        else:
            name, _, code = str(value).partition("|")
        name, code = name.strip(), code.strip()
        if not name:
            continue
        if code and not (code.isdigit() and 6 <= len(code) <= 18):
            raise ValidationError(f"The dm+d code “{code}” of {name} is not 6 to 18 digits")
        found.append({"name": name[:200], "dmd_code": code})
    return found


def _alert_values(raw: dict) -> dict:
    """The alert's fields from one record, checked (ValidationError with every problem)."""
    problems = [f"{name} is missing" for name in REQUIRED if not str(raw.get(name) or "").strip()]
    if problems:
        raise ValidationError(problems)
    values, errors = {}, []
    for name, read in (
        ("issuer", lambda v: _choice(v, choices.Issuer.choices, "The issuer")),
        ("alert_type", lambda v: _choice(v, choices.AlertType.choices, "The type")),
        ("issued_on", lambda v: _date(v, "The date issued")),
    ):
        try:
            values[name] = read(str(raw["type" if name == "alert_type" else name]))
        except ValidationError as error:
            errors += error.messages
    try:
        applies = raw["applies_to"]
        values["applicable_kinds"] = _kinds(
            applies if isinstance(applies, list) else str(applies).split(";")
        )
    except ValidationError as error:
        errors += error.messages
    values["reference"] = validators.normalise_reference(str(raw["reference"]))
    values["title"] = str(raw["title"]).strip()[:300]
    values["summary"] = str(raw["summary"]).strip()[:10000]
    values["link"] = str(raw.get("link") or "").strip()[:500]
    if values["link"] and not values["link"].startswith(("https://", "http://")):
        errors.append(f"The link “{values['link']}” is not a web address")
    if "alert_type" in values and "issued_on" in values:
        try:
            validators.check_reference(
                values["reference"], values["alert_type"], values["issued_on"]
            )
        except ValidationError as error:
            errors += error.messages
    if errors:
        raise ValidationError(errors)
    return values


def _action(description: str, deadline: str, values: dict) -> dict:
    due_on = (
        _date(deadline, "The action's deadline")
        if str(deadline or "").strip()
        else services.default_deadline(values["alert_type"], values["issued_on"])
    )
    if due_on is None:
        raise ValidationError(f"The action “{description[:60]}” needs a deadline")
    if due_on < values["issued_on"]:
        raise ValidationError(
            f"The action “{description[:60]}” has a deadline before the day the alert was issued"
        )
    return {"description": description.strip()[:3000], "due_on": due_on}


def _records(data: bytes, filename: str):
    """(where, record, actions as (description, deadline)) for each alert in the file."""
    text = data.decode("utf-8-sig")
    if filename.lower().endswith(".json"):
        loaded = json.loads(text)
        items = loaded.get("alerts") if isinstance(loaded, dict) else loaded
        if not isinstance(items, list):
            raise ValidationError('The JSON file must hold a list of alerts, or {"alerts": […]}')
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise ValidationError(f"Alert {number} is not an object")
            item = {**item, "applies_to": item.get("applies_to", [])}
            actions = [
                (str(a.get("description", "")), str(a.get("deadline", "")))
                for a in item.get("actions", [])
                if isinstance(a, dict)
            ]
            yield f"alert {number}", item, actions
        return
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in REQUIRED if column not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError(f"The CSV file has no column {', '.join(missing)} (line 1)")
    # One row an action: the rows of an alert share its reference, and its fields are read
    # from the first of them.
    grouped: dict[str, tuple[str, dict, list]] = {}
    for row in reader:
        reference = validators.normalise_reference(row.get("reference") or "")
        if reference not in grouped:
            record = {**row, "medicines": (row.get("medicines") or "").split(";")}
            grouped[reference] = (f"line {reader.line_num}", record, [])
        if (row.get("action") or "").strip():
            grouped[reference][2].append((row["action"], row.get("action_deadline") or ""))
    yield from grouped.values()


def plan(data: bytes, filename: str) -> Plan:
    found = Plan()
    if len(data) > MAX_BYTES:
        found.problems.append("The file must be smaller than 2 MB")
        return found
    if not filename.lower().endswith((".csv", ".json")):
        found.problems.append("The file must be a CSV or a JSON file (.csv or .json)")
        return found
    seen: set[str] = set()
    try:
        records = list(_records(data, filename))
    except (UnicodeDecodeError, json.JSONDecodeError, csv.Error) as error:
        found.problems.append(f"The file cannot be read: {error}")
        return found
    except ValidationError as error:
        found.problems += error.messages
        return found
    existing = {
        alert.reference: alert
        for alert in Alert.objects.filter(
            reference__in=[
                validators.normalise_reference(str(r.get("reference") or "")) for _, r, _ in records
            ]
        ).prefetch_related("medicines", "actions")
    }
    for where, record, actions in records:
        try:
            values = _alert_values(record)
            medicines = _medicines(record.get("medicines") or [])
            answers = [_action(d, deadline, values) for d, deadline in actions if d.strip()]
        except ValidationError as error:
            found.problems += [f"{where}: {message}" for message in error.messages]
            continue
        reference = values.pop("reference")
        if reference in seen:
            found.problems.append(f"{where}: {reference} is in the file twice")
            continue
        seen.add(reference)
        planned = Planned(where, reference, values, medicines, answers, existing.get(reference))
        if planned.existing is not None:
            planned.changes = _changes(planned.existing, values, medicines, answers)
            if (
                planned.existing.is_published
                and "actions" in planned.changes
                and planned.existing.actions.exists()
            ):
                found.problems.append(
                    f"{where}: {reference} is published, and its actions cannot change now"
                )
                continue
        found.alerts.append(planned)
    return found


def _changes(alert: Alert, values: dict, medicines: list[dict], actions: list[dict]) -> list:
    changed = [name for name in FIELDS if getattr(alert, name) != values[name]]
    have = [{"name": m.name, "dmd_code": m.dmd_code} for m in alert.medicines.all()]
    if have != medicines:
        changed.append("medicines")
    if [(a.description, a.due_on) for a in alert.actions.all()] != [
        (a["description"], a["due_on"]) for a in actions
    ]:
        changed.append("actions")
    return changed


def apply(found: Plan, *, by, publish: bool = False) -> Plan:
    """Write the plan: every alert or none. With ``publish``, the new alerts are published."""
    if found.problems:
        raise ValidationError(found.problems)
    with transaction.atomic():
        for planned in found.alerts:
            if planned.outcome == "unchanged":
                continue
            alert = planned.existing or Alert(reference=planned.reference)
            for name, value in planned.values.items():
                setattr(alert, name, value)
            try:
                services.alert_save(
                    by=by, alert=alert, medicines=planned.medicines, actions=planned.actions
                )
            except ValidationError as error:
                raise ValidationError(
                    [f"{planned.where}: {message}" for message in error.messages]
                ) from None
            if publish and planned.existing is None:
                services.alert_publish(by=by, alert=alert)
    return found
