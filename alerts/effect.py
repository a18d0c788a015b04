"""Is the alert working? For an alert about how medicines are used (a National Patient Safety
Alert, a Class 4 notification, a Dear Doctor letter: not a batch recall or a supply notice,
whose incidents say nothing of it), the incidents involving its medicines, month by month for
a year before its issue and up to a year after: an organisation's own, or (for network leads)
those of every organisation they see, as counts only.

- Medicines are matched by dm+d code, never by words in a name: an alert's substance (a VTM)
  covers its products (VMPs) and their brands (AMPs); a product covers its brands. A medicine
  of the alert the dm+d does not code is named and not counted.
- The comparison is of equal periods: the complete months since the month of issue (at most
  twelve) against as many months just before it; the month of issue, half before and half
  after, is in neither. With fewer than ten incidents in both together there are too few to say.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncMonth

from incidents.models import Incident, IncidentMedicine, Status
from medicines import lookup
from medicines.models import Amp, Vmp

from .choices import AlertType

MONTHS = 12
TOO_FEW = 10
# Alerts about how medicines are used: their incidents can show whether they changed it.
ABOUT_USE = {AlertType.NATPSA, AlertType.NOTIFICATION_4, AlertType.DEAR_DOCTOR, AlertType.OTHER}


@dataclass
class Effect:
    about_use: bool
    terms: list[str] = field(default_factory=list)  # the medicines counted, as the alert names them
    not_coded: list[str] = field(default_factory=list)  # named, but not counted
    months: list[tuple[str, int, bool]] = field(default_factory=list)  # (month, count, after)
    period: int = 0  # complete months compared on each side
    before: int = 0  # incidents in the ``period`` months before the month of issue
    after: int = 0  # and in the ``period`` months after it

    @property
    def too_few(self) -> bool:
        return self.before + self.after < TOO_FEW

    @property
    def change(self) -> str:
        """The change between the equal periods, in words; no percentage on too few."""
        if not self.period or self.too_few:
            return ""
        if self.before == 0:
            return "more since the alert"
        change = round(100 * (self.after - self.before) / self.before)
        if change == 0:
            return "no change"
        return f"{abs(change)}% {'fewer' if change < 0 else 'more'}"


def _month(day: datetime.date, shift: int) -> datetime.date:
    month = day.month - 1 + shift
    return datetime.date(day.year + month // 12, month % 12 + 1, 1)


def covered_codes(medicines) -> tuple[set[str], list[str], list[str]]:
    """The dm+d codes an alert's medicines cover (a substance's products and brands, a
    product's brands), the names counted, and the names the dm+d does not code."""
    codes, counted, not_coded = set(), [], []
    for medicine in medicines:
        found = lookup.code(medicine.name, medicine.dmd_code)
        if found is None:
            not_coded.append(medicine.name)
            continue
        counted.append(medicine.name)
        codes.add(found.code)
        if found.level == "VTM":
            products = set(Vmp.objects.filter(vtm_id=found.code).values_list("pk", flat=True))
        elif found.level == "VMP":
            products = {found.code}
        else:
            products = set()
        codes |= products
        codes |= set(Amp.objects.filter(vmp_id__in=products).values_list("pk", flat=True))
    return codes, counted, not_coded


def effect(alert, organisations, *, on: datetime.date) -> Effect:
    """``organisations``: whose incidents to count (ids, or a subquery of them: an
    organisation, or those a network lead sees). Counts only, never an incident."""
    if alert.alert_type not in ABOUT_USE:
        return Effect(about_use=False)
    codes, terms, not_coded = covered_codes(alert.medicines.all())
    issued = alert.issued_on.replace(day=1)
    last_complete = _month(on, -1)
    starts = [_month(issued, shift) for shift in range(-MONTHS, MONTHS + 1)]
    starts = [start for start in starts if start <= last_complete or start == issued]
    counted = {}
    if codes:
        coded = IncidentMedicine.objects.filter(incident=OuterRef("pk"), dmd_code__in=codes)
        rows = (
            Incident.objects.filter(
                organisation_id__in=organisations,
                occurred_on__gte=starts[0],
                occurred_on__lt=_month(on, 0),
            )
            .filter(Exists(coded))
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
        (f"{start:%b %Y}", counted.get(start, 0), start >= issued)
        for start in starts
        if start <= last_complete
    ]
    since = [start for start in starts if issued < start <= last_complete]
    period = min(len(since), MONTHS)
    before = [_month(issued, -shift) for shift in range(1, period + 1)]
    return Effect(
        about_use=True,
        terms=terms,
        not_coded=not_coded,
        months=months,
        period=period,
        before=sum(counted.get(start, 0) for start in before),
        after=sum(counted.get(start, 0) for start in since[:period]),
    )
