"""Every change to an incident, before and after, for those who review it: the audit trail of
the incident and its medicines (django-auditlog), read on the incident's own page, never in
the admin (core.audit.CLINICAL)."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.shortcuts import render

from core.http import allow
from incidents.permissions import Perm

from ..models import Incident, IncidentMedicine
from .incidents import incident_for

ACTIONS = {
    LogEntry.Action.CREATE: "Recorded",
    LogEntry.Action.UPDATE: "Changed",
    LogEntry.Action.DELETE: "Removed",
}
# Kept for the list's filters and the flags, derived from what the history shows already.
DERIVED = {"medicine_names", "high_risk", "controlled_drug", "incident", "position"}


def _in_words(field, value) -> str:
    """A value as auditlog kept it (text), in the words the pages use."""
    if value in (None, "None", "", "[]"):
        return ""
    if field is None:
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.get_internal_type() == "BooleanField":
        return {"True": "Yes", "False": "No"}.get(str(value), str(value))
    return str(value)


def _fields(entry, model) -> list[tuple[str, str, str]]:
    rows = []
    for name, values in entry.changes_dict.items():
        if name in DERIVED or not isinstance(values, list | tuple) or len(values) != 2:
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        label = str(field.verbose_name if field is not None else name.replace("_", " "))
        rows.append(
            (
                label[:1].upper() + label[1:],
                _in_words(field, values[0]),
                _in_words(field, values[1]),
            )
        )
    return rows


def changes_of(incident: Incident) -> list[dict]:
    """The incident's audit entries and those of its medicines, newest first: who, when,
    what, and each field before and after."""
    types = ContentType.objects.get_for_models(Incident, IncidentMedicine)
    entries = (
        LogEntry.objects.filter(
            Q(content_type=types[Incident], object_pk=str(incident.pk))
            | Q(content_type=types[IncidentMedicine], additional_data__incident=incident.pk)
        )
        .select_related("actor")
        .order_by("-timestamp", "-pk")
    )
    changes = []
    for entry in entries:
        medicine = entry.content_type_id == types[IncidentMedicine].pk
        fields = []
        if entry.action == LogEntry.Action.UPDATE:
            fields = _fields(entry, IncidentMedicine if medicine else Incident)
            if not fields:
                continue
        changes.append(
            {
                "entry": entry,
                "what": f"{ACTIONS.get(entry.action, 'Changed')} "
                + (f"medicine {entry.object_repr}" if medicine else "the incident"),
                "fields": fields,
            }
        )
    return changes


@allow("GET")
def incident_history(request, reference):
    incident = incident_for(request.user, reference, Perm.INCIDENTS_REVIEW)
    context = {"incident": incident, "changes": changes_of(incident)}
    return render(request, "incidents/incident_history.html", context)
