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

``incidents_since`` and ``incidents_since_in`` count the same incidents from the month of issue
to today, by region: the first link of the alert's chain (incidents since, the committees that
tabled it, the board reports that carried it). Across whole regions, an alert of one substance
is read from the kept national trends; every count of incident rows goes through ``_matching``.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Sum
from django.db.models.functions import TruncMonth

from incidents.models import Dimension, Incident, IncidentMedicine, IncidentTrend, Status
from medicines import lookup
from medicines.models import Amp, Vmp
from organisations.models import Organisation

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


@dataclass
class Covered:
    codes: set[str] = field(default_factory=set)  # the dm+d codes counted
    counted: list[str] = field(default_factory=list)  # the medicines counted, as named
    not_coded: list[str] = field(default_factory=list)  # named, but not counted
    # The one dm+d substance the codes are exactly (national figures count incidents under
    # it: medicines.lookup.Coded.substance), or "" when they are not one substance whole.
    substance: str = ""


def _covered(medicines) -> Covered:
    found, substances, whole = Covered(), set(), True
    for medicine in medicines:
        coded = lookup.code(medicine.name, medicine.dmd_code)
        if coded is None:
            found.not_coded.append(medicine.name)
            continue
        found.counted.append(medicine.name)
        found.codes.add(coded.code)
        if coded.level == "VTM":
            products = set(Vmp.objects.filter(vtm_id=coded.code).values_list("pk", flat=True))
        elif coded.level == "VMP":
            products = {coded.code}
        else:
            products = set()
        found.codes |= products
        found.codes |= set(Amp.objects.filter(vmp_id__in=products).values_list("pk", flat=True))
        substances.add(coded.substance)
        # A substance covers what is counted under it; so does a product that has no
        # substance of its own (of several substances). A product of a substance, or a brand,
        # covers less than its substance.
        whole = whole and (coded.level == "VTM" or (coded.level == "VMP" and not coded.vtm))
    if whole and len(substances) == 1:
        found.substance = substances.pop()
    return found


def covered_codes(medicines) -> tuple[set[str], list[str], list[str]]:
    """The dm+d codes an alert's medicines cover (a substance's products and brands, a
    product's brands), the names counted, and the names the dm+d does not code."""
    found = _covered(medicines)
    return found.codes, found.counted, found.not_coded


def _matching(codes, organisations, start: datetime.date, before: datetime.date):
    """The incidents of ``organisations`` that happened from ``start`` up to ``before`` (not
    included) and involve a medicine of ``codes``; duplicates left out."""
    coded = IncidentMedicine.objects.filter(incident=OuterRef("pk"), dmd_code__in=codes)
    return (
        Incident.objects.filter(
            organisation_id__in=organisations, occurred_on__gte=start, occurred_on__lt=before
        )
        .filter(Exists(coded))
        .exclude(status=Status.DUPLICATE)
    )


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
        rows = (
            _matching(codes, organisations, starts[0], _month(on, 0))
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


@dataclass
class Since:
    about_use: bool
    start: datetime.date | None = None  # the first day of the month of issue
    terms: list[str] = field(default_factory=list)
    not_coded: list[str] = field(default_factory=list)
    by_region: dict[str, int] = field(default_factory=dict)  # region code ("" for none): count

    @property
    def total(self) -> int:
        return sum(self.by_region.values())


def _since(alert) -> tuple[Since, Covered | None]:
    if alert.alert_type not in ABOUT_USE:
        return Since(about_use=False), None
    covered = _covered(alert.medicines.all())
    start = alert.issued_on.replace(day=1)
    found = Since(about_use=True, start=start, terms=covered.counted, not_coded=covered.not_coded)
    return found, covered


def _live(found: Since, codes, organisations, on: datetime.date) -> Since:
    found.by_region = dict(
        _matching(codes, organisations, found.start, on + datetime.timedelta(days=1))
        .values_list("organisation__region")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return found


def incidents_since(alert, organisations, *, on: datetime.date) -> Since:
    """The incidents of ``organisations`` (ids, or a subquery of them: an organisation's own)
    involving the alert's medicines that happened from the first day of its month of issue to
    ``on``, counted by the region of their organisation. Counts only; none for an alert not
    about how medicines are used. Read from the incidents themselves."""
    found, covered = _since(alert)
    if covered is None or not covered.codes:
        return found
    return _live(found, covered.codes, organisations, on)


def incidents_since_in(alert, regions, *, on: datetime.date) -> Since:
    """The same, for every organisation of ``regions`` (None: all England), by region. For an
    alert of one substance, from the kept national trends (``IncidentTrend``: the region's
    incidents of each month by substance, a few rows at any size), whole months from the month
    of issue to this one; otherwise (a product or a brand of a substance, or several
    substances, which an incident may involve together) from the incidents themselves, which
    costs a read of the matching incidents of every organisation."""
    found, covered = _since(alert)
    if covered is None or not covered.codes:
        return found
    if not covered.substance:
        organisations = Organisation.objects.all()
        if regions is not None:
            organisations = organisations.filter(region__in=regions)
        return _live(found, covered.codes, organisations.values("pk"), on)
    trends = IncidentTrend.objects.filter(
        dimension=Dimension.SUBSTANCE,
        value=covered.substance,
        month__gte=found.start,
        month__lte=_month(on, 0),
    )
    if regions is not None:
        trends = trends.filter(region__in=regions)
    found.by_region = {
        region: n
        for region, n in trends.values_list("region").annotate(n=Sum("count")).order_by()
        if n
    }
    return found
