"""Finding incidents: the list's filters, full-text search and keyset pagination.

Every filter starts from what the person may see (``Incident.objects.visible_to``) and matches
an index that starts with the organisation (models.py). Pages are read by keyset — "the 25
after this one" in the sort order — so a page costs the same on the first page and the
thousandth, and nothing counts millions of rows.
"""

import base64
import datetime
import json
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.crypto import constant_time_compare

from .models import Draft, Incident, IncidentMedicine, hash_receipt

PAGE_SIZE = 25
# The list's count of what matches stops here ("More than 1,000 incidents"): counting a
# national lead's millions would cost more than the page, and so would counting ten thousand
# through a filter no index serves (medicines not coded: 300 ms at 10,000, docs/benchmarks.md).
COUNT_CAP = 1_000

# Sort orders: the fields a page is ordered and cut by, each (name, descending). The fields a
# list shows, then the incident's random key (``tiebreak``), never its id: an anonymous report
# is not placed by when it was sent among named ones reported the same day, whose times are
# kept (an anonymous one keeps the day only, so "reported" puts it after that day's named ones).
SORTS = {
    "newest": (("occurred_on", True), ("tiebreak", True)),
    "oldest": (("occurred_on", False), ("tiebreak", False)),
    "reported": (("reported_at", True), ("tiebreak", True)),
    "harm": (("physical_harm", False), ("occurred_on", True), ("tiebreak", True)),
}


@dataclass
class Filters:
    occurred_from: datetime.date | None = None
    occurred_to: datetime.date | None = None
    statuses: list[str] = field(default_factory=list)
    harms: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    lfpse_states: list[str] = field(default_factory=list)
    medicine: str = ""
    high_risk: bool = False
    controlled_drug: bool = False
    not_coded: bool = False  # a medicine the dm+d did not code, for the safety team to code
    location: str = ""
    reporter: str = ""
    theme: str = ""
    organisation: str = ""  # an ODS code
    text: str = ""
    sort: str = "newest"


def search_text(queryset: QuerySet, text: str) -> QuerySet:
    """Incidents whose description holds the words: PostgreSQL's full-text search through the
    index of migration 0002 (the same expression), or a plain match on SQLite."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        return queryset.annotate(
            description_vector=SearchVector("what_happened", config="english")
        ).filter(description_vector=SearchQuery(text, config="english", search_type="websearch"))
    query = Q()
    for word in text.split():
        query &= Q(what_happened__icontains=word)
    return queryset.filter(query)


def filtered(queryset: QuerySet, filters: Filters) -> QuerySet:
    f = filters
    if f.occurred_from:
        queryset = queryset.filter(occurred_on__gte=f.occurred_from)
    if f.occurred_to:
        queryset = queryset.filter(occurred_on__lte=f.occurred_to)
    if f.statuses:
        queryset = queryset.filter(status__in=f.statuses)
    if f.harms:
        queryset = queryset.filter(physical_harm__in=f.harms)
    if f.lfpse_states:
        queryset = queryset.filter(lfpse_state__in=f.lfpse_states)
    if f.stages:
        stage = Q()
        for code in f.stages:  # the JSON list holds the code as a quoted string
            stage |= Q(processes__icontains=f'"{code}"')
        queryset = queryset.filter(stage)
    if f.medicine:
        # The names are kept on the incident's own row (services._record_medicines): an
        # EXISTS over the medicines was planned medicine-first and read millions.
        queryset = queryset.filter(medicine_names__icontains=f.medicine)
    if f.high_risk:
        queryset = queryset.filter(high_risk=True)
    if f.controlled_drug:
        queryset = queryset.filter(controlled_drug=True)
    if f.not_coded:
        queryset = queryset.filter(
            Exists(IncidentMedicine.objects.filter(incident=OuterRef("pk"), dmd_code=""))
        )
    if f.location:
        queryset = queryset.filter(location=f.location)
    if f.reporter == "anonymous":
        queryset = queryset.filter(anonymous=True)
    elif f.reporter:
        queryset = queryset.filter(reporter__full_name__icontains=f.reporter)
    if f.theme:
        queryset = queryset.filter(
            Exists(
                Incident.themes.through.objects.filter(
                    incident_id=OuterRef("pk"), theme__name__iexact=f.theme
                )
            )
        )
    if f.organisation:
        queryset = queryset.filter(organisation__ods_code=f.organisation.upper())
    if f.text:
        queryset = search_text(queryset, f.text)
    return queryset


# Keyset pages ------------------------------------------------------------------------------


def _encode(values) -> str:
    raw = json.dumps([v.isoformat() if hasattr(v, "isoformat") else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, sort: str):
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, TypeError):
        return None
    keys = SORTS[sort]
    if not isinstance(values, list) or len(values) != len(keys):
        return None
    decoded = []
    for (name, _), value in zip(keys, values, strict=True):
        try:
            if name == "occurred_on":
                value = datetime.date.fromisoformat(value)
            elif name == "reported_at":
                value = datetime.datetime.fromisoformat(value)
            elif name == "tiebreak":
                value = int(value)
            else:
                value = str(value)
        except (TypeError, ValueError):
            return None
        decoded.append(value)
    return decoded


def _beyond(sort: str, values, *, backwards=False) -> Q:
    """Rows after ``values`` in the sort order (before them, ``backwards``)."""
    keys = SORTS[sort]
    condition = Q(pk__in=[])
    for i, (name, desc) in enumerate(keys):
        later = "lt" if desc != backwards else "gt"
        step = Q(**{f"{name}__{later}": values[i]})
        for j in range(i):
            step &= Q(**{keys[j][0]: values[j]})
        condition |= step
    # The same, bounded on the first column too, so an index on the sort reads a range.
    first, desc = keys[0]
    bound = "lte" if desc != backwards else "gte"
    return Q(**{f"{first}__{bound}": values[0]}) & condition


@dataclass
class Page:
    rows: list
    newer: str = ""  # a cursor to the page before, or ""
    older: str = ""  # a cursor to the page after, or ""


def page_of(
    queryset: QuerySet, sort: str, *, after: str = "", before: str = "", size: int = 0
) -> Page:
    """One page of ``queryset`` in ``sort`` order: the first, the one after cursor ``after``,
    or the one before cursor ``before``. One query (it reads one row more than it shows)."""
    size = size or PAGE_SIZE
    keys = SORTS[sort]
    cursor = _decode(before or after, sort) if (before or after) else None
    backwards = bool(before) and cursor is not None
    if cursor is not None:
        queryset = queryset.filter(_beyond(sort, cursor, backwards=backwards))
    order = [(f"-{n}" if desc != backwards else n) for n, desc in keys]
    rows = list(queryset.order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()

    def key_of(row):
        return [getattr(row, name) for name, _ in keys]

    page = Page(rows)
    if rows:
        has_newer = more if backwards else cursor is not None
        has_older = (cursor is not None) if backwards else more
        page.newer = _encode(key_of(rows[0])) if has_newer else ""
        page.older = _encode(key_of(rows[-1])) if has_older else ""
    return page


def counted(queryset: QuerySet, page: Page, *, first: bool) -> tuple[int, bool]:
    """How many rows ``queryset`` holds, up to ``COUNT_CAP``, and whether there are more: none
    counted when ``page`` is the ``first`` and holds them all, else one COUNT of at most
    ``COUNT_CAP + 1`` rows."""
    if first and not page.older:
        return len(page.rows), False
    found = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
    return min(found, COUNT_CAP), found > COUNT_CAP


def receipt_value(value: str) -> str:
    """A reference or receipt code as typed, as it is looked up: trimmed, in capitals."""
    return value.replace("\x00", "").strip().upper()[:40]


def by_receipt(reference: str, code: str) -> Incident | None:
    """The anonymous report with this reference, for whoever holds its receipt code: the one
    read of incidents that is not scoped to a person, because the person is not known."""
    reference, code = receipt_value(reference), receipt_value(code)
    incident = (
        Incident.objects.filter(reference=reference, anonymous=True)
        .select_related("organisation")
        .only("reference", "status", "feedback", "receipt_hash", "organisation__name")
        .first()
    )
    expected = incident.receipt_hash if incident else hash_receipt("no such receipt")
    matches = constant_time_compare(expected, hash_receipt(code or "-"))
    return incident if incident is not None and code and matches else None


EXPORT_COLUMNS = (
    "Reference",
    "Organisation",
    "ODS code",
    "Date of the incident",
    "Time or shift",
    "Reported on",
    "Status",
    "Where",
    "Ward, department or service",
    "Medicines",
    "High-risk groups",
    "Controlled drug schedules",
    "Reached the patient",
    "Physical harm (LFPSE)",
    "NRLS equivalent",
    "Psychological harm (LFPSE)",
    "NCC MERP category",
    "Stages",
    "Patient age",
    "Patient gender",
    "Reported anonymously",
    "What happened",
    "Done straight away",
    "Learning response",
    "Themes",
    "Closed on",
)


def in_chunks(queryset: QuerySet, sort: str, size: int = 1000):
    """Every row of ``queryset`` in ``sort`` order, read a keyset page at a time: memory stays
    flat, and each page is an ordinary query the planner reads through the indexes (a
    server-side cursor over the whole result was planned for the first rows and read two
    million)."""
    after = ""
    while True:
        page = page_of(queryset, sort, after=after, size=size)
        yield from page.rows
        if not page.older:
            return
        after = page.older


def export_rows(queryset: QuerySet, sort: str = "newest"):
    """Each incident as a tuple of EXPORT_COLUMNS, read in chunks so memory stays flat; every
    cell neutralised against formula injection. The coded answers' words are looked up once
    for the whole export (a field's own display method builds its lookup at every call)."""
    from django.db.models import Prefetch
    from django.utils import timezone

    from core.exports import neutralise

    from . import choices
    from .models import IncidentMedicine, Theme

    words = {
        name: dict(Incident._meta.get_field(name).flatchoices)
        for name in (
            "status",
            "location",
            "reached_patient",
            "physical_harm",
            "psychological_harm",
            "age_bracket",
            "gender",
            "learning_response",
        )
    }

    def word(incident, name):
        value = getattr(incident, name)
        return str(words[name].get(value, value))

    queryset = queryset.select_related("organisation").prefetch_related(
        Prefetch("medicines", IncidentMedicine.objects.all(), to_attr="listed_medicines_rows"),
        Prefetch("themes", Theme.objects.all(), to_attr="listed_themes"),
    )
    for incident in in_chunks(queryset, sort):
        medicines = incident.listed_medicines_rows
        equivalent = choices.HARM_EQUIVALENTS.get(incident.physical_harm)
        row = (
            incident.reference,
            incident.organisation.name,
            incident.organisation.ods_code,
            incident.occurred_on,
            incident.when(),
            timezone.localtime(incident.reported_at).date(),
            word(incident, "status"),
            word(incident, "location"),
            incident.service_area,
            "; ".join(m.name for m in medicines),
            "; ".join(sorted({m.high_risk_group for m in medicines if m.high_risk_group})),
            "; ".join(sorted({m.cd_schedule for m in medicines if m.cd_schedule})),
            word(incident, "reached_patient"),
            word(incident, "physical_harm"),
            equivalent.nrls if equivalent else "",
            word(incident, "psychological_harm"),
            incident.ncc_merp,
            "; ".join(choices.PROCESSES.labels(incident.processes)),
            word(incident, "age_bracket"),
            word(incident, "gender"),
            "Yes" if incident.anonymous else "No",
            incident.what_happened,
            incident.immediate_actions,
            word(incident, "learning_response"),
            "; ".join(theme.name for theme in incident.listed_themes),
            timezone.localtime(incident.closed_at).date() if incident.closed_at else None,
        )
        yield tuple(neutralise(value) for value in row)


def unsent_drafts(user) -> list:
    """The reports the person began and has not sent, leaving out those with nothing typed yet:
    what My reports lists, and their home page counts."""
    return [
        draft
        for draft in Draft.objects.filter(user=user).select_related("organisation")
        if not draft.is_empty
    ]
