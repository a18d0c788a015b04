"""Controlled-drug occurrences by quarter: the medication incidents that involved a controlled
drug, as a designated body reports them each quarter to NHS England's regional CDAO and the
Local Intelligence Network (The Controlled Drugs (Supervision of Management and Use)
Regulations 2013, regulations 14 to 17). What happened and the medicines, never the reporter.
A quarter is a calendar quarter, by the date the incident occurred; an incident rejected as a
duplicate is not an occurrence."""

import datetime
from dataclasses import dataclass

from core.exports import neutralise
from incidents.models import Incident, Status

from .permissions import Perm

MONTHS = ("January", "April", "July", "October")
LAST_MONTHS = ("March", "June", "September", "December")


@dataclass(frozen=True)
class Quarter:
    start: datetime.date  # the first day of January, April, July or October

    @classmethod
    def containing(cls, day: datetime.date) -> "Quarter":
        return cls(datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1))

    @classmethod
    def from_key(cls, key: str) -> "Quarter | None":
        """The quarter of a key such as "2026-10"; None for anything else."""
        try:
            year, month = (int(part) for part in key.split("-"))
            start = datetime.date(year, month, 1)
        except (ValueError, TypeError):
            return None
        return cls(start) if month in (1, 4, 7, 10) else None

    @property
    def key(self) -> str:
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def end(self) -> datetime.date:
        month = self.start.month + 3
        after = datetime.date(self.start.year + month // 13, (month - 1) % 12 + 1, 1)
        return after - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        index = (self.start.month - 1) // 3
        return f"{MONTHS[index]} to {LAST_MONTHS[index]} {self.start.year}"

    def before(self) -> "Quarter":
        return Quarter.containing(self.start - datetime.timedelta(days=1))


def recent_quarters(today: datetime.date, count: int = 8) -> list[Quarter]:
    """This quarter and the ones before it, newest first."""
    quarters = [Quarter.containing(today)]
    while len(quarters) < count:
        quarters.append(quarters[-1].before())
    return quarters


def occurrences(user, quarter: Quarter):
    """The controlled-drug occurrences of the quarter that ``user`` may read, newest first."""
    return (
        Incident.objects.visible_to(user, Perm.OCCURRENCES_VIEW)
        .filter(
            controlled_drug=True,
            occurred_on__gte=quarter.start,
            occurred_on__lte=quarter.end,
        )
        .exclude(status=Status.DUPLICATE)
        .select_related("organisation")
        .order_by("-occurred_on", "-pk")
    )


REPORT_COLUMNS = (
    "Designated body",
    "ODS code",
    "Quarter",
    "Reference",
    "Date it happened",
    "Controlled drugs (schedule)",
    "What happened",
    "Physical harm",
    "Stage of the review",
    "Learning",
)


def report_rows(organisation, quarter: Quarter, queryset):
    """The quarterly occurrence report of one body: a row for each occurrence, or, when it had
    none, one row saying so (a nil return)."""
    incidents = list(
        queryset.filter(organisation=organisation)
        .prefetch_related("medicines")
        .order_by("occurred_on", "pk")
    )
    body = (organisation.name, organisation.ods_code, quarter.label)
    if not incidents:
        yield (*map(neutralise, body), "", "", "", "Nil return: no occurrences", "", "", "")
        return
    for incident in incidents:
        drugs = "; ".join(
            f"{medicine.name} (Schedule {medicine.cd_schedule})"
            for medicine in incident.medicines.all()
            if medicine.cd_schedule
        )
        yield tuple(
            neutralise(value)
            for value in (
                *body,
                incident.reference,
                incident.occurred_on.isoformat(),
                drugs,
                incident.what_happened,
                incident.get_physical_harm_display(),
                incident.get_status_display(),
                incident.learning_summary,
            )
        )
