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
import re
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
# A JSON alert's keys: the columns, with its actions as a list ({"description", "deadline"}).
JSON_KEYS = (*(c for c in COLUMNS if c not in ("action", "action_deadline")), "actions")
MAX_BYTES = 2 * 1024 * 1024
# How deep a JSON file's lists and objects may nest: a file of alerts needs 4 ({"alerts": [{
# "actions": [{…}]}]}); far deeper, json.loads runs out of stack (RecursionError).
MAX_JSON_DEPTH = 10
# A JSON string (whose brackets do not count) or a bracket.
_JSON_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[][{}]')
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


def _text(value) -> str:
    return "" if value is None else str(value)


def _kinds(values) -> list[str]:
    return [
        _choice(_text(v), OrganisationKind.choices, "The kind of organisation")
        for v in values
        if _text(v).strip()
    ]


def _medicines(values) -> list[dict]:
    found = []
    for value in values:
        if isinstance(value, dict):
            name, code = _text(value.get("name")), _text(value.get("dmd_code"))
        else:
            name, _, code = _text(value).partition("|")
        name, code = name.strip(), code.strip()
        if not name:
            continue
        if code and not (code.isdigit() and 6 <= len(code) <= 18):
            raise ValidationError(f"The dm+d code “{code}” of {name} is not 6 to 18 digits")
        found.append({"name": name[:200], "dmd_code": code})
    return found


def _alert_values(raw: dict) -> dict:
    """The alert's fields from one record, checked (ValidationError with every problem)."""
    problems = [f"{name} is missing" for name in REQUIRED if not _text(raw.get(name)).strip()]
    if problems:
        raise ValidationError(problems)
    values, errors = {}, []
    for name, read in (
        ("issuer", lambda v: _choice(v, choices.Issuer.choices, "The issuer")),
        ("alert_type", lambda v: _choice(v, choices.AlertType.choices, "The type")),
        ("issued_on", lambda v: _date(v, "The date issued")),
    ):
        try:
            values[name] = read(_text(raw["type" if name == "alert_type" else name]))
        except ValidationError as error:
            errors += error.messages
    try:
        applies = raw["applies_to"]
        values["applicable_kinds"] = _kinds(
            applies if isinstance(applies, list) else _text(applies).split(";")
        )
        if not values["applicable_kinds"]:
            errors.append("applies_to names no kind of organisation")
    except ValidationError as error:
        errors += error.messages
    values["reference"] = validators.normalise_reference(_text(raw["reference"]))
    values["title"] = _text(raw["title"]).strip()[:300]
    values["summary"] = _text(raw["summary"]).strip()[:10000]
    values["link"] = _text(raw.get("link")).strip()[:500]
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
        if deadline.strip()
        else services.default_deadline(values["alert_type"], values["issued_on"])
    )
    if due_on is None:
        raise ValidationError(f"The action “{description[:60]}” needs a deadline")
    if due_on < values["issued_on"]:
        raise ValidationError(
            f"The action “{description[:60]}” has a deadline before the day the alert was issued"
        )
    return {"description": description.strip()[:3000], "due_on": due_on}


@dataclass
class _Record:
    """One alert as the file holds it: where it is (a CSV line, a JSON alert's number, ``at``
    to sort the problems by), its fields, and its actions as (at, where, description,
    deadline)."""

    at: int
    where: str
    fields: dict
    actions: list[tuple[int, str, str, str]] = field(default_factory=list)


# The columns of an alert's own (not an action's): read from its first row in a CSV file.
ALERT_COLUMNS = tuple(c for c in COLUMNS if c not in ("reference", "action", "action_deadline"))


def _csv_records(text: str, problems: list) -> list[_Record]:
    """One row an action: the rows of an alert share its reference and come one after
    another, and its fields are read from the first of them (the others repeat them or leave
    them empty)."""
    reader = csv.DictReader(io.StringIO(text))
    records: dict[str, _Record] = {}
    last = None
    try:
        missing = [column for column in REQUIRED if column not in (reader.fieldnames or [])]
        if missing:
            raise ValidationError(f"The CSV file has no column {', '.join(missing)} (line 1)")
        unknown = [column for column in reader.fieldnames if column not in COLUMNS]
        if unknown:
            raise ValidationError(
                f"The CSV file has a column this import does not know: {', '.join(unknown)} "
                f"(line 1). Its columns are {', '.join(COLUMNS)}"
            )
        for row in reader:
            at, where = reader.line_num, f"line {reader.line_num}"
            # A row with no reference is an alert of its own (its problem is on its line).
            key = validators.normalise_reference(row.get("reference") or "") or where
            first = records.get(key)
            if first is not None and key != last:
                problems.append(
                    (
                        at,
                        f"{where}: {key} is in the file twice (first on {first.where}): the "
                        "rows of one alert must come one after another",
                    )
                )
                continue
            last = key
            if first is None:
                first = records[key] = _Record(at, where, row)
            else:
                differ = [
                    column
                    for column in ALERT_COLUMNS
                    if (row.get(column) or "").strip()
                    and (row.get(column) or "").strip() != (first.fields.get(column) or "").strip()
                ]
                if differ:
                    problems.append(
                        (
                            at,
                            f"{where}: {', '.join(differ)} "
                            f"{'is' if len(differ) == 1 else 'are'} not as on {first.where}, "
                            f"the first row of {key}: the other rows of an alert repeat its "
                            "columns or leave them empty",
                        )
                    )
                    continue
            if (row.get("action") or "").strip():
                first.actions.append((at, where, row["action"], row.get("action_deadline") or ""))
    except csv.Error as error:
        raise ValidationError(
            f"The CSV file cannot be read: line {reader.line_num}: {error}"
        ) from None
    for record in records.values():
        record.fields = {
            **record.fields,
            "medicines": (record.fields.get("medicines") or "").split(";"),
        }
    return list(records.values())


def _check_json_depth(text: str) -> None:
    """Refuse a JSON file nested deeper than MAX_JSON_DEPTH before it is parsed, at the bracket
    that goes too deep. A file that is not JSON is left to json.loads to say why."""
    depth = 0
    for token in _JSON_BRACKET.finditer(text):
        bracket = token[0]
        if bracket in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                at = token.start()
                line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
                raise ValidationError(
                    "The JSON file cannot be read: its lists and objects are nested more than "
                    f"{MAX_JSON_DEPTH} deep, on line {line}, column {column}. A file of alerts "
                    "nests them 4 deep at most"
                )
        elif bracket in "]}":
            depth -= 1
            if depth < 0:
                return


def _json_records(text: str, problems: list) -> list[_Record]:
    _check_json_depth(text)
    loaded = json.loads(text)
    items = loaded.get("alerts") if isinstance(loaded, dict) else loaded
    if not isinstance(items, list):
        raise ValidationError('The JSON file must hold a list of alerts, or {"alerts": […]}')
    records = []
    for number, item in enumerate(items, start=1):
        where = f"alert {number}"
        if not isinstance(item, dict):
            problems.append((number, f"{where}: it is not an object ({{…}})"))
            continue
        unknown = [key for key in item if key not in JSON_KEYS]
        if unknown:
            problems.append(
                (
                    number,
                    f"{where}: it has a field this import does not know: "
                    f"{', '.join(map(str, unknown))}",
                )
            )
            continue
        medicines = item.get("medicines") or []
        if isinstance(medicines, str):
            medicines = medicines.split(";")
        actions = item.get("actions") or []
        if not isinstance(medicines, list):
            problems.append((number, f"{where}: its medicines must be a list"))
            continue
        if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
            problems.append(
                (number, f'{where}: its actions must be a list of {{"description", "deadline"}}')
            )
            continue
        fields = {**item, "applies_to": item.get("applies_to") or [], "medicines": medicines}
        records.append(
            _Record(
                number,
                where,
                fields,
                [
                    (number, where, _text(a.get("description")), _text(a.get("deadline")))
                    for a in actions
                ],
            )
        )
    return records


def _unreadable(data: bytes, error: UnicodeDecodeError) -> str:
    line = data[: error.start].count(b"\n") + 1
    return (
        f"The file is not UTF-8 text: line {line} has a character in another encoding. Save "
        "it as “CSV UTF-8” (or JSON in UTF-8) and try again"
    )


def plan(data: bytes, filename: str) -> Plan:
    found = Plan()
    if len(data) > MAX_BYTES:
        found.problems.append("The file must be smaller than 2 MB")
        return found
    if not filename.lower().endswith((".csv", ".json")):
        found.problems.append("The file must be a CSV or a JSON file (.csv or .json)")
        return found
    problems: list[tuple[int, str]] = []
    try:
        text = data.decode("utf-8-sig")
        if "\x00" in text:  # no database keeps one in text (PostgreSQL refuses it)
            line = text[: text.index("\x00")].count("\n") + 1
            raise ValidationError(f"The file is not text: line {line} holds a NUL character")
        read = _json_records if filename.lower().endswith(".json") else _csv_records
        records = read(text, problems)
    except UnicodeDecodeError as error:
        found.problems.append(_unreadable(data, error))
        return found
    except json.JSONDecodeError as error:
        found.problems.append(
            f"The JSON file cannot be read: {error.msg} on line {error.lineno}, "
            f"column {error.colno}"
        )
        return found
    except ValidationError as error:
        found.problems += error.messages
        return found
    existing = {
        alert.reference: alert
        for alert in Alert.objects.filter(
            reference__in=[
                validators.normalise_reference(_text(r.fields.get("reference"))) for r in records
            ]
        ).prefetch_related("medicines", "actions")
    }
    seen: dict[str, str] = {}
    for record in records:
        before = len(problems)
        values = medicines = None
        try:
            values = _alert_values(record.fields)
        except ValidationError as error:
            problems += [(record.at, f"{record.where}: {m}") for m in error.messages]
        try:
            medicines = _medicines(record.fields.get("medicines") or [])
        except ValidationError as error:
            problems += [(record.at, f"{record.where}: {m}") for m in error.messages]
        answers = []
        for at, where, description, deadline in record.actions:
            if values is None or not description.strip():
                continue
            try:
                answers.append(_action(description, deadline, values))
            except ValidationError as error:
                problems += [(at, f"{where}: {m}") for m in error.messages]
        if len(problems) > before:
            continue
        reference = values.pop("reference")
        if reference in seen:
            problems.append(
                (
                    record.at,
                    f"{record.where}: {reference} is in the file twice "
                    f"(first as {seen[reference]})",
                )
            )
            continue
        seen[reference] = record.where
        planned = Planned(
            record.where, reference, values, medicines, answers, existing.get(reference)
        )
        if planned.existing is not None:
            planned.changes = _changes(planned.existing, values, medicines, answers)
            # alert_save keeps a published alert's actions (organisations are answering them),
            # with or without actions so far: a file that changes them is refused here.
            if planned.existing.is_published and "actions" in planned.changes:
                problems.append(
                    (
                        record.at,
                        f"{record.where}: {reference} is published, and its actions cannot "
                        "change now",
                    )
                )
                continue
        found.alerts.append(planned)
    found.problems = [message for _, message in sorted(problems, key=lambda p: p[0])]
    return found


def _changes(alert: Alert, values: dict, medicines: list[dict], actions: list[dict]) -> list:
    # Named as the file's columns are (type, applies_to), not the model's fields.
    column = {"alert_type": "type", "applicable_kinds": "applies_to"}
    changed = [column.get(name, name) for name in FIELDS if getattr(alert, name) != values[name]]
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
                if publish and planned.existing is None:
                    services.alert_publish(by=by, alert=alert)
            except ValidationError as error:
                raise ValidationError(
                    [f"{planned.where}: {message}" for message in error.messages]
                ) from None
    return found
