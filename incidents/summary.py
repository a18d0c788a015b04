"""Each organisation's incidents counted month by month (``IncidentMonth``), for dashboards that
would otherwise count thousands of incidents on every view.

A month's counts are worked out again from its incidents (``compute``) whenever one of them is
written: the incident's ``post_save`` and ``post_delete`` (apps.py) recount the month it is in
and the month it was in, inside the writing transaction, under a lock on the month's row, so
two reports at once cannot each count without the other. Medicines are recorded before the
incident's last save in every service, so that save recounts them. ``rebuild`` recounts every
month of the given organisations (after a bulk load). Counting a month reads its incidents
alone (the list index starts with the organisation and the day), so it costs the same at any
size; the dashboard then reads at most 24 rows per organisation.

Each recount moves the region's kept national figures by the difference it made: the tallies
by kind of organisation (``IncidentTally``) and the trends by harm, stage, high-risk group,
theme and dm+d substance (``IncidentTrend``), so national pages read a few thousand rows at
any size.
"""

import datetime
import threading
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from organisations.models import Organisation

from . import choices
from .medicines import NATIONAL_GROUPS
from .models import (
    DIMENSION_COUNTS,
    OPEN_STATUSES,
    TALLIED,
    Dimension,
    Incident,
    IncidentMedicine,
    IncidentMonth,
    IncidentTally,
    IncidentTrend,
    Status,
)

# The fields a month's counts depend on: a save that changes none of them recounts nothing.
COUNTED = frozenset(
    {
        "organisation",
        "occurred_on",
        "status",
        "physical_harm",
        "high_risk",
        "controlled_drug",
        "processes",
        "reported_at",
        "closed_at",
        "medicine_names",
        *(field for field, _ in choices.DRUGS_INVOLVED_DETAIL.values()),  # the themes
    }
)


_paused = threading.local()


@contextmanager
def counted_afterwards():
    """Write many incidents without recounting at each save, then recount everything once
    (the demo's seed)."""
    _paused.on = True
    try:
        yield
    finally:
        _paused.on = False
    rebuild()


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def compute(organisation_id: int, month: datetime.date) -> dict:
    """The counts of one organisation's month, from its incidents."""
    incidents = Incident.objects.filter(
        organisation_id=organisation_id,
        occurred_on__gte=month,
        occurred_on__lt=_next_month(month),
    ).exclude(status=Status.DUPLICATE)
    totals = incidents.aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        moderate_or_worse=Count("id", filter=Q(physical_harm__in=choices.MODERATE_OR_WORSE)),
        controlled_drug=Count("id", filter=Q(controlled_drug=True)),
        high_risk=Count("id", filter=Q(high_risk=True)),
        **{
            f"harm_{code}": Count("id", filter=Q(physical_harm=code))
            for code, _ in choices.PHYSICAL_HARM.choices
        },
        **{
            f"stage_{code}": Count("id", filter=Q(processes__icontains=f'"{code}"'))
            for code, _ in choices.PROCESSES.choices
        },
        **{
            f"theme_{n}": Count("id", filter=Q(**{f"{field}__icontains": f'"{code}"'}))
            for n, (field, code, _) in enumerate(choices.themes().values())
        },
    )
    medicines = IncidentMedicine.objects.filter(incident__in=incidents.values("pk"))
    names = dict(
        medicines.values_list("name").annotate(n=Count("incident", distinct=True)).order_by()
    )
    groups, substances, products = (
        dict(
            medicines.exclude(**{column: ""})
            .values_list(column)
            .annotate(n=Count("incident", distinct=True))
            .order_by()
        )
        for column in ("high_risk_group", "substance", "product")
    )
    closures = sorted(
        round((closed - reported).total_seconds() / 86400, 4)
        for reported, closed in incidents.filter(
            status=Status.CLOSED, closed_at__isnull=False
        ).values_list("reported_at", "closed_at")
    )
    return {
        **{
            key: totals[key]
            for key in ("total", "open", "moderate_or_worse", "controlled_drug", "high_risk")
        },
        "harm": {code: totals[f"harm_{code}"] for code, _ in choices.PHYSICAL_HARM.choices},
        "stages": {code: totals[f"stage_{code}"] for code, _ in choices.PROCESSES.choices},
        "themes": {
            key: totals[f"theme_{n}"]
            for n, key in enumerate(choices.themes())
            if totals[f"theme_{n}"]
        },
        "medicines": names,
        "groups": groups,
        "substances": substances,
        "products": products,
        "closure_days": closures,
    }


def recount(organisation_id: int, month: datetime.date) -> None:
    """Count one organisation's month again, under a lock on its row."""
    with transaction.atomic():
        IncidentMonth.objects.bulk_create(
            [IncidentMonth(organisation_id=organisation_id, month=month)], ignore_conflicts=True
        )
        row = IncidentMonth.objects.select_for_update().get(
            organisation_id=organisation_id, month=month
        )
        before, row.counts = row.counts, compute(organisation_id, month)
        row.total = row.counts["total"]
        row.save(update_fields=["counts", "total"])
        _tally(organisation_id, month, before, row.counts)


def _tally(
    organisation_id: int, month: datetime.date, before: dict, after: dict, *, place=None
) -> None:
    """Move the region's and kind's tally of the month, and the region's trends, by what the
    recount changed (``place``: the region and kind to move, if not the organisation's now)."""
    change = {key: after.get(key, 0) - before.get(key, 0) for key in TALLIED}
    trends = _trend_changes(before, after)
    if not any(change.values()) and not trends:
        return
    region, kind = place or Organisation.objects.values_list("region", "kind").get(
        pk=organisation_id
    )
    if any(change.values()):
        IncidentTally.objects.bulk_create(
            [IncidentTally(region=region, kind=kind, month=month)], ignore_conflicts=True
        )
        IncidentTally.objects.filter(region=region, kind=kind, month=month).update(
            **{key: F(key) + difference for key, difference in change.items() if difference}
        )
    if trends:
        _move_trends(region, month, trends)


def _trend_changes(before: dict, after: dict) -> dict[tuple[str, str], tuple[int, int]]:
    """(dimension, value) → how much its count moved between two counts of an organisation's
    month, and its number of organisations (1 when the value first appears, -1 when it goes)."""
    change = {}
    for dimension, key in DIMENSION_COUNTS.items():
        if dimension == Dimension.ALL:
            old, new = {"": before.get(key, 0)}, {"": after.get(key, 0)}
        else:
            old, new = before.get(key) or {}, after.get(key) or {}
        values = old.keys() | new.keys()
        if dimension == Dimension.GROUP:  # an organisation's own group is its own words
            values &= NATIONAL_GROUPS
        for value in values:
            was, now = old.get(value, 0), new.get(value, 0)
            if was != now:
                change[(dimension, value)] = (now - was, (now > 0) - (was > 0))
    return change


def _move_trends(region: str, month: datetime.date, change: dict) -> None:
    """Add each change to its trend, making the row where there is none: one statement (an
    upsert, on PostgreSQL and SQLite alike)."""
    table = IncidentTrend._meta.db_table
    day = connection.ops.adapt_datefield_value(month)
    rows = sorted(change.items())
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    params = [
        item
        for (dimension, value), (count, organisations) in rows
        for item in (region, day, dimension, value, count, organisations)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (region, month, dimension, value, count, organisations) "  # noqa: S608 (the table is this module's model's)
            f"VALUES {values} ON CONFLICT (dimension, value, region, month) DO UPDATE SET "
            f"count = {table}.count + excluded.count, "
            f"organisations = {table}.organisations + excluded.organisations",
            params,
        )


# The newest key a month's counts hold: months counted before it are counted again after
# migrating (``catch_up``), with the schema every migration has left.
NEWEST_KEY = "products"


def catch_up(**_) -> None:
    """After migrating: count again the months counted before this release's counts (and the
    trends from them), or the trends alone where none are kept yet."""
    if IncidentMonth.objects.exclude(counts__has_key=NEWEST_KEY).exists():
        rebuild()
    elif IncidentMonth.objects.exists() and not IncidentTrend.objects.exists():
        rebuild_tallies()


def rebuild_tallies() -> int:
    """Count every tally and trend again from the organisations' months (after a rebuild, or
    when an organisation moved region). Returns how many tallies there are."""
    with transaction.atomic():
        IncidentTally.objects.all().delete()
        rows = (
            IncidentMonth.objects.values("organisation__region", "organisation__kind", "month")
            .annotate(**{key: Sum(Cast(KT(f"counts__{key}"), IntegerField())) for key in TALLIED})
            .order_by()
        )
        tallies = len(
            IncidentTally.objects.bulk_create(
                (
                    IncidentTally(
                        region=row["organisation__region"],
                        kind=row["organisation__kind"],
                        month=row["month"],
                        **{key: row[key] or 0 for key in TALLIED},
                    )
                    for row in rows.iterator(chunk_size=2000)
                ),
                batch_size=2000,
            )
        )
        IncidentTrend.objects.all().delete()
        if connection.vendor == "postgresql":
            _rebuild_trends_in_sql()
        else:
            _rebuild_trends()
        return tallies


def _rebuild_trends() -> None:
    counted: dict[tuple, list[int]] = {}
    months = IncidentMonth.objects.values_list("organisation__region", "month", "counts")
    for region, month, counts in months.iterator(chunk_size=2000):
        for (dimension, value), (n, _) in _trend_changes({}, counts).items():
            kept = counted.setdefault((dimension, value, region, month), [0, 0])
            kept[0] += n
            kept[1] += 1
    IncidentTrend.objects.bulk_create(
        (
            IncidentTrend(dimension=d, value=v, region=r, month=m, count=n, organisations=o)
            for (d, v, r, m), (n, o) in counted.items()
        ),
        batch_size=2000,
    )


def _rebuild_trends_in_sql() -> None:
    """``_rebuild_trends`` in one statement: each dimension's counts of every month, summed
    by region."""
    dimensions = ", ".join(
        f"('{dimension}', m.counts -> '{key}')"
        if dimension != Dimension.ALL
        else f"('{dimension}', jsonb_build_object('', m.counts -> '{key}'))"
        for dimension, key in DIMENSION_COUNTS.items()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {IncidentTrend._meta.db_table}
                (dimension, value, region, month, count, organisations)
            SELECT d.dimension, e.key, o.region, m.month, sum(e.value::integer),
                   count(*) FILTER (WHERE e.value::integer > 0)
            FROM {IncidentMonth._meta.db_table} m
            JOIN {Organisation._meta.db_table} o ON o.id = m.organisation_id
            CROSS JOIN LATERAL (VALUES {dimensions}) d(dimension, counts)
            CROSS JOIN LATERAL jsonb_each_text(COALESCE(d.counts, '{{}}'::jsonb)) e
            WHERE d.dimension <> '{Dimension.GROUP}' OR e.key = ANY(%s)
            GROUP BY 1, 2, 3, 4
            HAVING sum(e.value::integer) > 0""",  # noqa: S608 (constants of this module)
            [sorted(NATIONAL_GROUPS)],
        )


def organisation_placing(instance: Organisation, raw=False, update_fields=None, **kwargs):
    """Before an organisation is saved (pre_save): where its counts are now."""
    instance._placed = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"region", "kind"} & set(update_fields):
        return
    instance._placed = (
        Organisation.objects.filter(pk=instance.pk).values_list("region", "kind").first()
    )


def organisation_placed(instance: Organisation, raw=False, **kwargs) -> None:
    """After it is saved (post_save): an organisation moved to another region, or made
    another kind, takes its months' counts out of the tallies and trends where they were and
    into those where it is now, in the same transaction."""
    was = getattr(instance, "_placed", None)
    now = (instance.region, instance.kind)
    if raw or was is None or was == now:
        return
    with transaction.atomic():
        for month, counts in IncidentMonth.objects.filter(organisation=instance).values_list(
            "month", "counts"
        ):
            _tally(instance.pk, month, counts, {}, place=was)
            _tally(instance.pk, month, {}, counts, place=now)


def remember(instance: Incident) -> None:
    """Keep the month an incident was loaded in (post_init), to recount it if it moves. Read
    from what was loaded: a field left out (``.only()``) is not fetched for it."""
    organisation_id = instance.__dict__.get("organisation_id")
    day = instance.__dict__.get("occurred_on")
    instance._counted_in = (organisation_id, month_of(day)) if organisation_id and day else None


def remember_on_load(instance: Incident, **kwargs) -> None:
    remember(instance)


def incident_saved(instance: Incident, update_fields=None, raw=False, **kwargs) -> None:
    if raw or getattr(_paused, "on", False):
        return
    if update_fields is not None and not COUNTED & set(update_fields):
        return
    months = {getattr(instance, "_counted_in", None)}
    remember(instance)
    if instance._counted_in is None:  # saved from a partial load: where it is now
        found = Incident.objects.filter(pk=instance.pk).values_list(
            "organisation_id", "occurred_on"
        )
        instance._counted_in = next(((pk, month_of(day)) for pk, day in found), None)
    months.add(instance._counted_in)
    for organisation_id, month in sorted(m for m in months if m):
        recount(organisation_id, month)


def incident_deleted(instance: Incident, **kwargs) -> None:
    if getattr(_paused, "on", False):
        return
    for organisation_id, month in {getattr(instance, "_counted_in", None)} - {None}:
        recount(organisation_id, month)


def rebuild(organisation_ids=None) -> int:
    """Recount every month that has incidents, of these organisations (all when None), and
    take out the months that have none: by one set-based statement on PostgreSQL (after a bulk
    load), else month by month with ``compute``; then the tallies. Returns how many months are
    counted."""
    rows = IncidentMonth.objects.all()
    if organisation_ids is not None:
        rows = rows.filter(organisation_id__in=organisation_ids)
    with transaction.atomic():
        rows.delete()
        if connection.vendor == "postgresql":
            counted = _rebuild_in_sql(organisation_ids)
            rebuild_tallies()
            return counted
        incidents = Incident.objects.all()
        if organisation_ids is not None:
            incidents = incidents.filter(organisation_id__in=organisation_ids)
        months = sorted(
            {
                (organisation_id, month_of(day))
                for organisation_id, day in incidents.values_list(
                    "organisation_id", "occurred_on"
                ).distinct()
            }
        )
        IncidentMonth.objects.bulk_create(
            (
                IncidentMonth(organisation_id=pk, month=month, counts=counts, total=counts["total"])
                for pk, month in months
                for counts in [compute(pk, month)]
            ),
            batch_size=2000,
        )
        rebuild_tallies()
        return len(months)


def _rebuild_in_sql(organisation_ids) -> int:
    """``compute`` for every month at once, in SQL: the same counts, as JSON."""
    counted = "i.status <> 'duplicate'"
    params: list = []
    if organisation_ids is not None:
        counted += " AND i.organisation_id = ANY(%s)"
        params.append(list(organisation_ids))
    open_states = ", ".join(f"'{state}'" for state in OPEN_STATUSES)
    worse = ", ".join(f"'{code}'" for code in choices.MODERATE_OR_WORSE)
    harm = ", ".join(
        f"'{code}', count(*) FILTER (WHERE i.physical_harm = '{code}')"
        for code, _ in choices.PHYSICAL_HARM.choices
    )
    stages = ", ".join(
        f"""'{code}', count(*) FILTER (WHERE i.processes::text LIKE '%%"{code}"%%')"""
        for code, _ in choices.PROCESSES.choices
    )
    themes = ", ".join(
        f"""'{key}', NULLIF(count(*) FILTER (WHERE i.{field}::text LIKE '%%"{code}"%%'), 0)"""
        for key, (field, code, _) in choices.themes().items()
    )
    month = "date_trunc('month', i.occurred_on)::date"
    medicines = f"""
        SELECT organisation_id, month, jsonb_object_agg(name, n) AS names
        FROM (SELECT i.organisation_id, {month} AS month, m.{{column}} AS name,
                     count(DISTINCT m.incident_id) AS n
              FROM incidents_incidentmedicine m
              JOIN incidents_incident i ON i.id = m.incident_id
              WHERE {counted} {{also}}
              GROUP BY 1, 2, 3) x
        GROUP BY 1, 2"""  # noqa: S608 (every value in it is a constant of this module)
    groups = medicines.format(column="high_risk_group", also="AND m.high_risk_group <> ''")
    substances = medicines.format(column="substance", also="AND m.substance <> ''")
    products = medicines.format(column="product", also="AND m.product <> ''")
    statement = f"""
        INSERT INTO incidents_incidentmonth (organisation_id, month, counts, total)
        SELECT c.organisation_id, c.month, c.counts
            || jsonb_build_object('medicines', COALESCE(n.names, '{{}}'::jsonb),
                                  'groups', COALESCE(g.names, '{{}}'::jsonb),
                                  'substances', COALESCE(s.names, '{{}}'::jsonb),
                                  'products', COALESCE(p.names, '{{}}'::jsonb)),
            (c.counts ->> 'total')::integer
        FROM (
            SELECT i.organisation_id, {month} AS month, jsonb_build_object(
                'total', count(*),
                'open', count(*) FILTER (WHERE i.status IN ({open_states})),
                'moderate_or_worse', count(*) FILTER (WHERE i.physical_harm IN ({worse})),
                'controlled_drug', count(*) FILTER (WHERE i.controlled_drug),
                'high_risk', count(*) FILTER (WHERE i.high_risk),
                'harm', jsonb_build_object({harm}),
                'stages', jsonb_build_object({stages}),
                'themes', jsonb_strip_nulls(jsonb_build_object({themes})),
                'closure_days', COALESCE(jsonb_agg(
                    round((extract(epoch FROM i.closed_at - i.reported_at) / 86400)::numeric, 4)
                    ORDER BY extract(epoch FROM i.closed_at - i.reported_at)
                ) FILTER (WHERE i.status = 'closed' AND i.closed_at IS NOT NULL), '[]'::jsonb)
            ) AS counts
            FROM incidents_incident i WHERE {counted} GROUP BY 1, 2
        ) c
        LEFT JOIN ({medicines.format(column="name", also="")}) n
            ON n.organisation_id = c.organisation_id AND n.month = c.month
        LEFT JOIN ({groups}) g
            ON g.organisation_id = c.organisation_id AND g.month = c.month
        LEFT JOIN ({substances}) s
            ON s.organisation_id = c.organisation_id AND s.month = c.month
        LEFT JOIN ({products}) p
            ON p.organisation_id = c.organisation_id AND p.month = c.month"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, params * 5)
        return cursor.rowcount
