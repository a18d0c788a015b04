"""Finding, and on request removing, patients' identifiers (core.identifiers) already kept: in
the drafts of reports and in every free-text field of the incidents app's records (incidents,
their medicines, review notes, actions, comments, shared notes, patient feedback, attached
files' names), with the history the audit trail keeps of them.

Written for the one-off scan after the forms began refusing identifiers; the forms keep new
ones out. What it reports names the record, the field and the kind of identifier, never the
identifier itself.
"""

from dataclasses import dataclass

from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from core import identifiers

from .models import Draft

REMOVED = "[removed]"
# Fields that hold codes, hashes or references, never words.
NOT_TEXT = {"reference", "receipt_hash", "dmd_code", "lfpse_reference", "content_type"}


@dataclass(frozen=True)
class Finding:
    model: str  # "incidents.Incident"
    pk: int
    field: str
    kind: str  # a key of core.identifiers.KINDS


def text_fields(model) -> list[str]:
    return [
        field.name
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField | models.TextField)
        and not field.choices
        and field.name not in NOT_TEXT
    ]


def _scrubbed(text: str, found) -> str:
    for hit in found:
        text = text.replace(hit.text, REMOVED)
    return text


def _scrub_history(model, pk, found) -> None:
    """The audit trail's copies of the text (before and after of each change) lose it too."""
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_pk=str(pk)
    )
    for entry in entries:
        changes = _scrubbed(entry.changes_text or "", found)
        as_json = entry.changes
        if isinstance(as_json, dict):
            as_json = {
                name: [
                    _scrubbed(str(value), found) if value is not None else None for value in pair
                ]
                for name, pair in as_json.items()
            }
        serialized = entry.serialized_data
        if serialized:
            serialized = {
                key: _scrubbed(value, found) if isinstance(value, str) else value
                for key, value in serialized.items()
            }
        LogEntry.objects.filter(pk=entry.pk).update(
            changes_text=changes, changes=as_json, serialized_data=serialized
        )


def scan(*, redact: bool = False):
    """Yield each finding; with ``redact``, remove each identifier (written "[removed]") from the
    record and from its history, the record's other text untouched."""
    for draft in Draft.objects.order_by("pk").iterator():
        changed = False
        for step_name, step in draft.data.items():
            for field, hits in identifiers.found_in_typed(step).items():
                for hit in hits:
                    yield Finding("incidents.Draft", draft.pk, f"{step_name}.{field}", hit.kind)
                if redact:
                    step[field] = [_scrubbed(value, hits) for value in step[field]]
                    changed = True
        if changed:
            Draft.objects.filter(pk=draft.pk).update(data=draft.data)
    for model in apps.get_app_config("incidents").get_models():
        if model is Draft or not (fields := text_fields(model)):
            continue
        for row in model.objects.order_by("pk").values("pk", *fields).iterator():
            for field in fields:
                if found := identifiers.found_in(row[field] or ""):
                    for hit in found:
                        yield Finding(model._meta.label, row["pk"], field, hit.kind)
                    if redact:
                        with transaction.atomic():
                            model.objects.filter(pk=row["pk"]).update(
                                **{field: _scrubbed(row[field], found)}
                            )
                            _scrub_history(model, row["pk"], found)
