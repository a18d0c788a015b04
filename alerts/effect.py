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

Across whole regions (a network lead's view, ``effect_in``), the counts are read from the kept
national trends (``IncidentTrend``), a few rows at any size: an alert's substance (VTM) under
the substance, its product (VMP) under the product, which hold an incident once however many of
their products and brands it names. An incident naming two of an alert's medicines counts once
under each, and the page says so where an alert names more than one; an alert naming a brand
alone (AMP) is counted from the incidents. Counts seen beyond an organisation are kept from
view as core/disclosure.py says: a month from 1 to 4 incidents or from fewer than 3
organisations hides the months, and a period's total under 5 hides it and the change.

``incidents_since`` and ``incidents_since_in`` count the same incidents from the month of issue
to today, by region: the first link of the alert's chain (incidents since, the committees that
tabled it, the board reports that carried it); every count of incident rows goes through
``_matching``.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth

from core import disclosure
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
    # Seen beyond one organisation: why its months are not shown ("" when they are), whether
    # each period's total may be, and whether one incident can count under two medicines.
    hidden: str = ""
    before_shown: bool = True
    after_shown: bool = True
    counted_for_each: bool = False
    # The months of each period compared (before, since).
    compared: tuple[list, list] = ([], [])

    @property
    def before_cell(self) -> disclosure.Cell:
        return _cell(self.before, self.before_shown)

    @property
    def after_cell(self) -> disclosure.Cell:
        return _cell(self.after, self.after_shown)

    @property
    def too_few(self) -> bool:
        return self.before + self.after < TOO_FEW

    @property
    def change(self) -> str:
        """The change between the equal periods, in words; no percentage on too few, nor where
        a period's total is not shown (it would give it away)."""
        if not self.period or self.too_few or not (self.before_shown and self.after_shown):
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
    # What the kept national trends count its incidents under: (dimension, value) a medicine,
    # its substance for a substance, its product for a product; None where it names a brand,
    # which is counted under nothing as narrow.
    kept: list[tuple[str, str]] | None = field(default_factory=list)


def _covered(medicines) -> Covered:
    found = Covered()
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
        if coded.level == "VTM":
            key = (Dimension.SUBSTANCE, coded.substance)
        elif coded.level == "VMP":
            key = (Dimension.PRODUCT, coded.product)
        else:
            key = None
        if found.kept is not None and key is not None:
            found.kept = list(dict.fromkeys([*found.kept, key]))
        else:
            found.kept = None
    return found


def _cell(value: int, shown: bool) -> disclosure.Cell:
    return disclosure.Cell(value) if shown else disclosure.Cell(None, disclosure.FEWER_THAN_5)


def _kept(kept, regions, first: datetime.date, last: datetime.date):
    """The kept trends of these (dimension, value) pairs in the months from ``first`` to
    ``last`` (both first days), of ``regions`` (None: every one)."""
    either = Q()
    for dimension, value in kept:
        either |= Q(dimension=dimension, value=value)
    rows = IncidentTrend.objects.filter(either, month__gte=first, month__lte=last)
    return rows if regions is None else rows.filter(region__in=regions)


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


def _starts(alert, on: datetime.date) -> list[datetime.date]:
    """The months counted: a year before the month of issue to the last complete month."""
    issued = alert.issued_on.replace(day=1)
    starts = [_month(issued, shift) for shift in range(-MONTHS, MONTHS + 1)]
    return [start for start in starts if start <= _month(on, -1) or start == issued]


def _live_months(codes, organisations, starts, on) -> tuple[dict, dict]:
    """The incidents of each month, and how many organisations they came from."""
    rows = (
        _matching(codes, organisations, starts[0], _month(on, 0))
        .annotate(month=TruncMonth("occurred_on"))
        .values_list("month")
        .annotate(n=Count("pk"), organisations=Count("organisation", distinct=True))
        .order_by()
    )
    counted, fewest = {}, {}
    for key, n, organisations in rows:
        month = key.date() if isinstance(key, datetime.datetime) else key
        counted[month], fewest[month] = n, organisations
    return counted, fewest


def effect(alert, organisations, *, on: datetime.date) -> Effect:
    """``organisations``: whose incidents to count (ids, or a subquery of them: an
    organisation). Counts only, never an incident."""
    if alert.alert_type not in ABOUT_USE:
        return Effect(about_use=False)
    covered = _covered(alert.medicines.all())
    starts = _starts(alert, on)
    counted = _live_months(covered.codes, organisations, starts, on)[0] if covered.codes else {}
    return _shaped(alert, covered, starts, counted, on)


def effect_in(alert, regions, *, on: datetime.date) -> Effect:
    """The same for every organisation of ``regions`` (None: all England), from the kept
    national trends, with small numbers kept from view."""
    if alert.alert_type not in ABOUT_USE:
        return Effect(about_use=False)
    covered = _covered(alert.medicines.all())
    starts = _starts(alert, on)
    if not covered.codes:
        return _shaped(alert, covered, starts, {}, on)
    if covered.kept is None:  # a brand alone: from the incidents
        organisations = Organisation.objects.all()
        if regions is not None:
            organisations = organisations.filter(region__in=regions)
        counted, fewest = _live_months(covered.codes, organisations.values("pk"), starts, on)
    else:
        counted, fewest = {}, {}
        for month, _region, n, organisations in (
            _kept(covered.kept, regions, starts[0], starts[-1])
            .values_list("month", "region")
            .annotate(n=Sum("count"), organisations=Max("organisations"))
            .order_by()
        ):
            counted[month] = counted.get(month, 0) + n
            # At least the most any one medicine's count came from, summed over regions.
            fewest[month] = fewest.get(month, 0) + organisations
    found = _shaped(alert, covered, starts, counted, on)
    found.counted_for_each = covered.kept is not None and len(covered.kept) > 1
    small = [
        month
        for month, n in counted.items()
        if 0 < n < disclosure.SMALL
        or (
            n
            and fewest.get(month, disclosure.FEWEST_ORGANISATIONS) < disclosure.FEWEST_ORGANISATIONS
        )
    ]
    if small:
        found.hidden = (
            f"The months are not shown: at least one counts fewer than {disclosure.SMALL} "
            f"incidents or comes from fewer than {disclosure.FEWEST_ORGANISATIONS} "
            "organisations, which could pick an organisation out."
        )
    found.before_shown = _may_show(found.before, found.compared[0], fewest)
    found.after_shown = _may_show(found.after, found.compared[1], fewest)
    return found


def _may_show(total: int, months, fewest: dict) -> bool:
    """A period's total may be shown beyond its organisations: none, or 5 or more from at least
    3 organisations (at least the most any month of it came from)."""
    return total == 0 or (
        total >= disclosure.SMALL
        and max((fewest.get(month, 0) for month in months), default=0)
        >= disclosure.FEWEST_ORGANISATIONS
    )


def _shaped(alert, covered: Covered, starts, counted: dict, on: datetime.date) -> Effect:
    issued = alert.issued_on.replace(day=1)
    last_complete = _month(on, -1)
    terms, not_coded = covered.counted, covered.not_coded
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
        compared=(before, since[:period]),
    )


@dataclass
class Since:
    about_use: bool
    start: datetime.date | None = None  # the first day of the month of issue
    terms: list[str] = field(default_factory=list)
    not_coded: list[str] = field(default_factory=list)
    by_region: dict[str, int] = field(default_factory=dict)  # region code ("" for none): count
    # How many organisations each region's count is drawn from (at least), for the small-number
    # rules.
    organisations: dict[str, int] = field(default_factory=dict)

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
    for region, n, drawn_from in (
        _matching(codes, organisations, found.start, on + datetime.timedelta(days=1))
        .values_list("organisation__region")
        .annotate(n=Count("pk"), drawn_from=Count("organisation", distinct=True))
        .order_by()
    ):
        found.by_region[region], found.organisations[region] = n, drawn_from
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
    """The same, for every organisation of ``regions`` (None: all England), by region: from the
    kept national trends (whole months from the month of issue to this one; an incident naming
    two of its medicines counts under each), or from the incidents for an alert naming a brand
    alone."""
    found, covered = _since(alert)
    if covered is None or not covered.codes:
        return found
    if covered.kept is None:  # a brand alone: from the incidents
        organisations = Organisation.objects.all()
        if regions is not None:
            organisations = organisations.filter(region__in=regions)
        return _live(found, covered.codes, organisations.values("pk"), on)
    for region, n, drawn_from in (
        _kept(covered.kept, regions, found.start, _month(on, 0))
        .values_list("region")
        .annotate(n=Sum("count"), drawn_from=Max("organisations"))
        .order_by()
    ):
        if n:
            # At least the most any one month and medicine of it came from.
            found.by_region[region], found.organisations[region] = n, drawn_from
    return found
