"""An organisation's incident figures, for its dashboard (and later its assurance reports):
monthly reports as an SPC chart, the harm and stage mix, the medicines, the time from report to
closure, and overdue actions. Each figure is one aggregate query, however many incidents."""

import datetime
import statistics
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from . import choices, spc
from .models import OPEN_STATUSES, Incident, IncidentAction, IncidentMedicine, Status


def month_starts(last: datetime.date, months: int) -> list[datetime.date]:
    """The first days of the ``months`` months to ``last``'s, oldest first."""
    starts, month = [], last.replace(day=1)
    for _ in range(months):
        starts.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return starts[::-1]


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
    by_organisation: list[dict]
    since: datetime.date


def figures(organisation_ids, *, on: datetime.date, months: int = 24) -> Figures:
    incidents = Incident.objects.filter(organisation_id__in=organisation_ids).exclude(
        status=Status.DUPLICATE
    )
    # The chart holds complete months: a month under way would read as a fall.
    month_ends_today = (on + datetime.timedelta(days=1)).day == 1
    complete_through = on if month_ends_today else on.replace(day=1) - datetime.timedelta(days=1)
    starts = month_starts(complete_through, months)
    under_way = None if month_ends_today else on.replace(day=1)
    counted = dict(
        incidents.filter(occurred_on__gte=starts[0], occurred_on__lte=on)
        .annotate(month=TruncMonth("occurred_on"))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    counted = {
        (key.date() if isinstance(key, datetime.datetime) else key): n for key, n in counted.items()
    }
    # From the first month with a report: months before the service was used are not zeros.
    first = next((i for i, start in enumerate(starts) if counted.get(start)), len(starts) - 1)
    monthly = spc.xmr([(f"{start:%b %Y}", counted.get(start, 0)) for start in starts[first:]])
    month_so_far = (f"{under_way:%B %Y}", counted.get(under_way, 0)) if under_way else None

    since = month_starts(on, 12)[0]  # the last twelve months, this one included
    year = incidents.filter(occurred_on__gte=since, occurred_on__lte=on)
    totals = year.aggregate(
        total=Count("id"),
        open=Count(
            "id", filter=Q(status__in=(Status.SUBMITTED, Status.IN_REVIEW, Status.AWAITING_ACTIONS))
        ),
        moderate_or_worse=Count("id", filter=Q(physical_harm__in=choices.MODERATE_OR_WORSE)),
        controlled_drug=Count("id", filter=Q(controlled_drug=True)),
        high_risk=Count("id", filter=Q(high_risk=True)),
        **{
            f"stage_{code}": Count("id", filter=Q(processes__icontains=f'"{code}"'))
            for code, _ in choices.PROCESSES.choices
        },
    )
    harm_counts = dict(year.values_list("physical_harm").annotate(n=Count("id")).order_by())
    medicines = IncidentMedicine.objects.filter(incident__in=year.values("pk"))
    top = list(
        medicines.values_list("name")
        .annotate(n=Count("incident", distinct=True))
        .order_by("-n", "name")[:10]
    )
    groups = list(
        medicines.exclude(high_risk_group="")
        .values_list("high_risk_group")
        .annotate(n=Count("incident", distinct=True))
        .order_by("-n", "high_risk_group")
    )
    closures = [
        (closed - reported).total_seconds() / 86400
        for reported, closed in year.filter(
            status=Status.CLOSED, closed_at__isnull=False
        ).values_list("reported_at", "closed_at")
    ]
    overdue = IncidentAction.objects.filter(
        incident__organisation_id__in=organisation_ids,
        state=IncidentAction.State.OPEN,
        due_on__lt=on,
    ).count()
    by_organisation = list(
        year.values("organisation__name", "organisation__ods_code")
        .annotate(
            total=Count("id"),
            moderate_or_worse=Count("id", filter=Q(physical_harm__in=choices.MODERATE_OR_WORSE)),
            open=Count(
                "id",
                filter=Q(status__in=(Status.SUBMITTED, Status.IN_REVIEW, Status.AWAITING_ACTIONS)),
            ),
        )
        .order_by("organisation__name")
    )
    return Figures(
        monthly=monthly,
        month_so_far=month_so_far,
        total=totals["total"],
        open=totals["open"],
        moderate_or_worse=totals["moderate_or_worse"],
        controlled_drug=totals["controlled_drug"],
        high_risk=totals["high_risk"],
        harm=[(label, harm_counts.get(code, 0)) for code, label in choices.PHYSICAL_HARM.choices],
        stages=[(label, totals[f"stage_{code}"]) for code, label in choices.PROCESSES.choices],
        medicines=top,
        high_risk_groups=groups,
        closure_days_median=round(statistics.median(closures), 1) if closures else None,
        closed=len(closures),
        overdue_actions=overdue,
        by_organisation=by_organisation,
        since=since,
    )


def counts_by_region_and_kind(organisations, *, since: datetime.date) -> list[dict]:
    """Incident counts since a day for ``organisations`` (ids, or a subquery of them), by
    region and kind of organisation: for network leads, who see counts and nothing else."""
    return list(
        Incident.objects.filter(organisation__in=organisations, occurred_on__gt=since)
        .exclude(status=Status.DUPLICATE)
        .values("organisation__region", "organisation__kind")
        .annotate(
            total=Count("id"),
            moderate_or_worse=Count("id", filter=Q(physical_harm__in=choices.MODERATE_OR_WORSE)),
            controlled_drug=Count("id", filter=Q(controlled_drug=True)),
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            organisations=Count("organisation", distinct=True),
        )
        .order_by("organisation__region", "organisation__kind")
    )
