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
from organisations.choices import PRIMARY_CARE, OrganisationKind

from .permissions import Perm

MONTHS = ("January", "April", "July", "October")
# The quarters a key may name: the Regulations are of 2013, and nothing is reported ahead.
FIRST_YEAR, LAST_YEAR = 2013, 2100
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
        if month not in (1, 4, 7, 10) or not FIRST_YEAR <= year <= LAST_YEAR:
            return None
        return cls(start)

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
        # The random key, never the id, among those of a day (an anonymous report's id would
        # place it in time: hazard H-021).
        .order_by("-occurred_on", "-tiebreak")
    )


REPORT_COLUMNS = (
    "Designated body",
    "ODS code",
    "Quarter",
    "Reference",
    "Where it happened",
    "Date it happened",
    "Controlled drugs (schedule)",
    "What happened",
    "Physical harm",
    "Stage of the review",
    "Learning",
)


def reported_by(body, queryset):
    """The occurrences a body reports: its own; for an NHS England regional team, those of
    the primary care of its region (the practices, networks and pharmacies, whose
    controlled drugs its CDAO oversees)."""
    if body.kind == OrganisationKind.NHS_ENGLAND_REGION:
        return queryset.filter(
            organisation__region=body.region, organisation__kind__in=sorted(PRIMARY_CARE)
        )
    return queryset.filter(organisation=body)


def report_rows(body, quarter: Quarter, queryset, today: datetime.date):
    """The quarterly occurrence report of one designated body: a row for each occurrence, or,
    when it had none, one row saying so (a nil return). A quarter not yet over is marked
    interim."""
    incidents = list(
        reported_by(body, queryset)
        .select_related("organisation")
        .prefetch_related("medicines")
        .order_by("occurred_on", "tiebreak")
    )
    label = quarter.label if quarter.end < today else f"{quarter.label} (interim: not yet over)"
    heading = (body.name, body.ods_code, label)
    if not incidents:
        yield (*map(neutralise, heading), "", "", "", "", "Nil return: no occurrences", "", "", "")
        return
    for incident in incidents:
        drugs = "; ".join(
            f"{medicine.name} (Schedule {medicine.cd_schedule})"
            for medicine in incident.medicines.all()
            if medicine.cd_schedule
        )
        place = incident.organisation
        yield tuple(
            neutralise(value)
            for value in (
                *heading,
                incident.reference,
                f"{place.name} ({place.ods_code})",
                incident.occurred_on.isoformat(),
                drugs,
                incident.what_happened,
                incident.get_physical_harm_display(),
                incident.get_status_display(),
                incident.learning_summary,
            )
        )
