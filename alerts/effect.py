"""Is the alert working? The incidents involving the medicines an alert covers, counted month
by month for a year before its issue and up to a year after: an organisation's own, or (for
network leads) those of every organisation they see, as counts only. Matched by the names kept
on each incident's row (``Incident.medicine_names``), as the incident list's medicine filter
is."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from incidents.models import Incident, Status

MONTHS = 12


@dataclass
class Effect:
    terms: list[str]
    months: list[tuple[str, int, bool]]  # (month, incidents, after the alert)
    before: int  # in the months before, a month on average
    after: float | None  # in the months since (None: none complete yet)
    after_months: int

    @property
    def change(self) -> str:
        if self.after is None or not self.terms:
            return ""
        if self.before == 0:
            return "none before the alert" if self.after == 0 else "more since the alert"
        change = round(100 * (self.after - self.before) / self.before)
        if change == 0:
            return "no change since the alert"
        return f"{abs(change)}% {'fewer' if change < 0 else 'more'} a month since the alert"


def _month(day: datetime.date, shift: int) -> datetime.date:
    month = day.month - 1 + shift
    return datetime.date(day.year + month // 12, month % 12 + 1, 1)


def effect(alert, organisations, *, on: datetime.date) -> Effect:
    """``organisations``: whose incidents to count (ids, or a subquery of them: an
    organisation, or those a network lead sees). Counts only, never an incident."""
    incidents = Incident.objects.filter(organisation_id__in=organisations)
    terms = [medicine.name for medicine in alert.medicines.all()]
    issued = alert.issued_on.replace(day=1)
    last_complete = _month(on, -1)
    starts = [_month(issued, shift) for shift in range(-MONTHS, MONTHS + 1)]
    starts = [start for start in starts if start <= last_complete or start == issued]
    counted = {}
    if terms:
        matching = Q()
        for term in terms:
            matching |= Q(medicine_names__icontains=term)
        rows = (
            incidents.filter(matching, occurred_on__gte=starts[0], occurred_on__lt=_month(on, 0))
            .exclude(status=Status.DUPLICATE)
            .annotate(month=TruncMonth("occurred_on"))
            .values_list("month")
            .annotate(n=Count("pk"))
            .order_by()
        )
        counted = {
            (key.date() if isinstance(key, datetime.datetime) else key): n for key, n in rows
        }
    months = [
        (f"{start:%b %Y}", counted.get(start, 0), start > issued)
        for start in starts
        if start <= last_complete
    ]
    before = [n for _, n, later in months if not later]
    since = [n for _, n, later in months if later]
    return Effect(
        terms=terms,
        months=months,
        before=round(sum(before) / len(before), 1) if before else 0,
        after=round(sum(since) / len(since), 1) if since else None,
        after_months=len(since),
    )
