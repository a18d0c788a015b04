"""An organisation's incident figures, for its dashboard (and later its assurance reports):
monthly reports as an SPC chart, the harm and stage mix, the medicines, the time from report to
closure, and overdue actions. Read from the organisations' monthly counts (summary.py), so a
dashboard costs the same whatever the number of incidents."""

import datetime
import statistics
from collections import Counter
from dataclasses import dataclass

from core import spc

from . import choices
from .models import Incident, IncidentAction, IncidentMonth, Status


def month_starts(last: datetime.date, months: int) -> list[datetime.date]:
    """The first days of the ``months`` months to ``last``'s, oldest first."""
    starts, month = [], last.replace(day=1)
    for _ in range(months):
        starts.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return starts[::-1]


def monthly_totals(organisation_ids, first: datetime.date, last: datetime.date) -> Counter:
    """The incidents of these organisations in each month from ``first``'s to ``last``'s (the
    first days of the months, both included), duplicates left out: from the monthly counts."""
    totals = Counter()
    for month, counts in IncidentMonth.objects.filter(
        organisation_id__in=organisation_ids, month__gte=first, month__lte=last
    ).values_list("month", "counts"):
        totals[month] += counts["total"]
    return totals


# The last complete month is still filling while reports arrive: it is drawn, marked, and left
# out of the limits and the rules (Making Data Count; docs/adr/0025-spc-as-making-data-count.md).
REPORTING_LAG_MONTHS = 1


@dataclass
class Figures:
    monthly: spc.Chart  # complete months only
    month_so_far: tuple[str, int] | None  # the month under way (not charted), and its count
    total: int
    open: int
    moderate_or_worse: int
    controlled_drug: int
    high_risk: int
    harm: list[tuple[str, int]]
    stages: list[tuple[str, int]]
    medicines: list[tuple[str, int]]
    high_risk_groups: list[tuple[str, int]]
    closure_days_median: float | None
    closed: int
    overdue_actions: int
    medicines_advice: int  # identified through a medicines advice query, in the year
    by_organisation: list[dict]
    since: datetime.date


def rebased_at(months: list[datetime.date], changes) -> list[int]:
    """Where a chart of these months starts again: the first whole month after each change of
    process (``ProcessChange.first_month``)."""
    return sorted(
        {
            index
            for change in changes
            for index in [next((i for i, m in enumerate(months) if m >= change), None)]
            if index
        }
    )


def figures(organisations, *, on: datetime.date, months: int = 24, changes=()) -> Figures:
    """The figures of these organisations on a day, from their monthly counts (summary.py):
    at most ``months`` rows an organisation, however many incidents. ``changes``: the first
    months of the changes of process recorded, where the chart starts again."""
    names = {o.pk: (o.name, o.ods_code) for o in sorted(organisations, key=lambda o: o.name)}
    # The chart holds complete months: a month under way would read as a fall.
    month_ends_today = (on + datetime.timedelta(days=1)).day == 1
    complete_through = on if month_ends_today else on.replace(day=1) - datetime.timedelta(days=1)
    starts = month_starts(complete_through, months)
    under_way = None if month_ends_today else on.replace(day=1)
    since = month_starts(on, 12)[0]  # the last twelve months, this one included
    rows = list(
        IncidentMonth.objects.filter(
            organisation_id__in=list(names), month__gte=min(starts[0], since), month__lte=on
        ).order_by("month")
    )
    counted = Counter()
    for row in rows:
        counted[row.month] += row.counts["total"]
    # From the first month with a report: months before the service was used are not zeros.
    first = next((i for i, start in enumerate(starts) if counted.get(start)), len(starts) - 1)
    monthly = spc.xmr(
        [(f"{start:%b %Y}", counted.get(start, 0)) for start in starts[first:]],
        incomplete=REPORTING_LAG_MONTHS,
        rebase=rebased_at(starts[first:], changes),
    )
    month_so_far = (f"{under_way:%B %Y}", counted.get(under_way, 0)) if under_way else None

    year = [row for row in rows if row.month >= since]
    totals, harm, stages, medicines, groups = Counter(), Counter(), Counter(), Counter(), Counter()
    closures: list[float] = []
    by_organisation: dict[int, dict] = {
        pk: {
            "organisation__name": name,
            "organisation__ods_code": ods_code,
            "total": 0,
            "moderate_or_worse": 0,
            "open": 0,
        }
        for pk, (name, ods_code) in names.items()
    }
    for row in year:
        counts = row.counts
        for key in ("total", "open", "moderate_or_worse", "controlled_drug", "high_risk"):
            totals[key] += counts[key]
        harm.update(counts["harm"])
        stages.update(counts["stages"])
        medicines.update(counts["medicines"])
        groups.update(counts["groups"])
        closures += counts["closure_days"]
        for key in ("total", "moderate_or_worse", "open"):
            by_organisation[row.organisation_id][key] += counts[key]
    overdue = IncidentAction.objects.filter(
        incident__organisation_id__in=list(names),
        state=IncidentAction.State.OPEN,
        due_on__lt=on,
    ).count()
    # A live count through its own partial index: a few rows a month at most.
    medicines_advice = (
        Incident.objects.filter(
            organisation_id__in=list(names),
            occurred_on__gte=since,
            occurred_on__lte=on,
            identified_through=choices.IdentifiedThrough.MEDICINES_ADVICE,
        )
        .exclude(status=Status.DUPLICATE)
        .count()
    )
    return Figures(
        monthly=monthly,
        month_so_far=month_so_far,
        total=totals["total"],
        open=totals["open"],
        moderate_or_worse=totals["moderate_or_worse"],
        controlled_drug=totals["controlled_drug"],
        high_risk=totals["high_risk"],
        harm=[(label, harm.get(code, 0)) for code, label in choices.PHYSICAL_HARM.choices],
        stages=[(label, stages.get(code, 0)) for code, label in choices.PROCESSES.choices],
        medicines=sorted(medicines.items(), key=lambda item: (-item[1], item[0]))[:10],
        high_risk_groups=sorted(groups.items(), key=lambda item: (-item[1], item[0])),
        closure_days_median=round(statistics.median(closures), 1) if closures else None,
        closed=len(closures),
        overdue_actions=overdue,
        medicines_advice=medicines_advice,
        by_organisation=[each for each in by_organisation.values() if each["total"]],
        since=since,
    )
