"""National and regional trends: incidents month by month as SPC charts (core/spc.py), by
harm, stage, high-risk medicine group, what went wrong and dm+d substance, for network leads.
Read from the kept trends (``IncidentTrend``) and tallies (``IncidentTally``), a few thousand
rows at any size; never an incident, and no organisation's own words.

Small numbers (core/disclosure.py, ADR 26) are kept from view point by point: a month counted
from 1 to 4 incidents, or from fewer than 3 organisations, would be shown outside the
organisations it belongs to, so a series with such a month is not charted (an SPC chart needs
every point), and says why. Where hiding one series alone would let it be worked out by
subtraction, a second is hidden too: the one other region beside a lone hidden region (England's
series is the regions' sum), and the next smallest harm level beside a lone hidden one (every
incident has exactly one level of harm, so the levels sum to the whole).

An emerging medicine is a substance whose latest complete month is special cause variation on
the high side, by the same rules as every chart (a point above the upper limit, a trend of 7
rising, two of three near the upper limit, a shift of 7 above the mean): docs/adr/0028.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from core import disclosure, spc
from medicines.models import Vmp, Vtm
from organisations.choices import Region

from . import choices
from .figures import REPORTING_LAG_MONTHS, month_starts
from .models import Dimension, IncidentTrend

MONTHS = 24  # complete months charted
ENGLAND = ""  # the key of the regions summed
HIDDEN = (
    f"Not charted: in at least one month it counts fewer than {disclosure.SMALL} incidents or "
    f"comes from fewer than {disclosure.FEWEST_ORGANISATIONS} organisations, which could pick "
    "an organisation out."
)
WOULD_DISCLOSE = "Not charted, so that a series hidden beside it cannot be worked out."
# What a person may break incidents down by (all incidents head every page; a dm+d product is
# what an alert's effect reads, not a page of its own).
SHOWN = (Dimension.HARM, Dimension.STAGE, Dimension.THEME, Dimension.GROUP, Dimension.SUBSTANCE)
# Dimensions whose values split every incident exactly once (they sum to the whole).
PARTITIONS = {Dimension.HARM}


@dataclass
class Series:
    value: str
    words: str
    counts: list[int]  # a month each, as ``Trends.months``
    organisations: list[int]
    why: str = ""  # why it is not charted ("" when it is)
    chart: spc.Chart | None = None

    @property
    def shown(self) -> bool:
        return not self.why

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def emerging(self) -> bool:
        return self.chart is not None and self.chart.variation() == spc.Variation.CONCERN_HIGH

    @property
    def signal(self) -> str:
        """What made it emerging, in words."""
        if not self.emerging:
            return ""
        return next(p for p in reversed(self.chart.points) if not p.incomplete).cause.label


@dataclass
class Trends:
    dimension: Dimension
    region: str  # ENGLAND, or a region's code
    months: list[datetime.date]
    all: Series
    series: list[Series] = field(default_factory=list)

    @property
    def region_name(self) -> str:
        return dict(Region.choices).get(self.region, self.region) if self.region else "England"

    @property
    def emerging(self) -> list[Series]:
        return [each for each in self.series if each.emerging]


def months_to(on: datetime.date) -> list[datetime.date]:
    """The complete months charted on ``on``: the last of them still filling."""
    last_complete = on.replace(day=1) - datetime.timedelta(days=1)
    return month_starts(last_complete, MONTHS)


def words_for(dimension: Dimension, values) -> dict[str, str]:
    """Each coded value in words: the LFPSE code's, the group's own name, the dm+d's name."""
    values = list(values)
    if dimension == Dimension.HARM:
        return dict(choices.PHYSICAL_HARM.choices)
    if dimension == Dimension.STAGE:
        return dict(choices.PROCESSES.choices)
    if dimension == Dimension.THEME:
        return {key: words for key, (_, _, words) in choices.themes().items()}
    if dimension in (Dimension.SUBSTANCE, Dimension.PRODUCT):
        names = dict(Vtm.objects.filter(pk__in=values).values_list("pk", "name"))
        missing = [value for value in values if value not in names]
        names |= dict(Vmp.objects.filter(pk__in=missing).values_list("pk", "name"))
        return {value: names.get(value, f"dm+d {value}") for value in values}
    return {value: value for value in values}  # a high-risk group is named by its name


def trends(dimension: Dimension, region: str, regions, *, on: datetime.date) -> Trends:
    """The trends of one dimension in ``region`` (ENGLAND: the regions summed), kept from view
    as the rules above say. ``regions``: the regions whose series a person may see (None:
    every one), which the subtraction rule looks across."""
    months = months_to(on)
    counted = _series(dimension, months, regions)
    words = words_for(dimension, counted)
    order = list(words) if dimension in (Dimension.HARM, Dimension.STAGE) else []
    # Every value's series in every region seen, with England's (their sum), and all incidents'
    # the same way: the rules look across the whole grid, whichever region is asked for.
    grid = {
        value: _with_england(value, words.get(value, value), by_region)
        for value, by_region in counted.items()
    }
    whole = _with_england("", "All incidents", _series(Dimension.ALL, months, regions).get("", {}))
    _protect(grid, whole, partition=dimension in PARTITIONS)
    series = [
        grid[value][region]
        for value in sorted(grid, key=lambda v: (order.index(v) if v in order else len(order), v))
        if region in grid[value] and grid[value][region].total
    ]
    all_incidents = whole.get(region) or Series("", "All incidents", [0] * MONTHS, [0] * MONTHS)
    # A rise in one medicine's incidents is a concern to look into; reporting as a whole is
    # neither better nor worse higher (more reporting is a safety culture).
    rising = spc.Direction.LOWER if dimension == Dimension.SUBSTANCE else spc.Direction.NEITHER
    for each in [all_incidents, *series]:
        if each.shown:
            each.chart = spc.xmr(
                [(f"{month:%b %Y}", n) for month, n in zip(months, each.counts, strict=True)],
                direction=rising if each.value else spc.Direction.NEITHER,
                incomplete=REPORTING_LAG_MONTHS,
            )
    if dimension == Dimension.SUBSTANCE:
        series.sort(key=lambda each: (not each.emerging, -each.total, each.words))
    return Trends(dimension, region, months, all_incidents, series)


def _series(dimension, months, regions) -> dict[str, dict[str, tuple[list, list]]]:
    """value → region → (counts, organisations), a month each."""
    index = {month: i for i, month in enumerate(months)}
    counted: dict[str, dict[str, tuple[list, list]]] = defaultdict(dict)
    rows = IncidentTrend.objects.filter(
        dimension=dimension, month__gte=months[0], month__lte=months[-1]
    )
    if regions is not None:
        rows = rows.filter(region__in=regions)
    rows = rows.values_list("value", "region", "month", "count", "organisations")
    for value, row_region, month, count, organisations in rows:
        kept = counted[value].setdefault(row_region, ([0] * MONTHS, [0] * MONTHS))
        kept[0][index[month]] += count
        kept[1][index[month]] += organisations
    return counted


def _summed(value: str, words: str, series) -> Series:
    series = list(series)
    return Series(
        value,
        words,
        [sum(each.counts[i] for each in series) for i in range(MONTHS)],
        [sum(each.organisations[i] for each in series) for i in range(MONTHS)],
    )


def _small(each: Series) -> bool:
    return any(
        count and (count < disclosure.SMALL or organisations < disclosure.FEWEST_ORGANISATIONS)
        for count, organisations in zip(each.counts, each.organisations, strict=True)
    )


def _with_england(value: str, words: str, by_region: dict) -> dict[str, Series]:
    """A value's series by region (from ``_series``), and England's, their sum."""
    series = {
        key: Series(value, words, counts, organisations)
        for key, (counts, organisations) in by_region.items()
    }
    series[ENGLAND] = _summed(value, words, list(series.values()))
    return series


def _protect(grid: dict[str, dict[str, Series]], whole: dict[str, Series], *, partition: bool):
    """Hide each series with a small month; then, until nothing more is hidden: beside a lone
    hidden region of a value (or of all incidents), the next smallest region, since England's
    less the rest would give it; and, where the values split every incident once, beside a lone
    hidden value of a region (England's included), the next smallest value, since all
    incidents less the rest would give it."""
    for each in [*whole.values(), *(s for by_region in grid.values() for s in by_region.values())]:
        if _small(each):
            each.why = HIDDEN
    changed = True
    while changed:
        changed = False
        for by_region in [whole, *grid.values()]:
            regions = [each for key, each in by_region.items() if key != ENGLAND and each.total]
            if len([each for each in regions if not each.shown]) == 1:
                changed |= _hide_next_smallest(regions)
        if not partition:
            continue
        for region, total in whole.items():
            values = [by_region[region] for by_region in grid.values() if region in by_region]
            hidden = [each for each in values if not each.shown and each.total]
            if total.shown and len(hidden) == 1:
                changed |= _hide_next_smallest(values)


def _hide_next_smallest(series: list[Series]) -> bool:
    """Hide the smallest series still shown; whether there was one."""
    shown = [each for each in series if each.shown and each.total]
    if not shown:
        return False
    min(shown, key=lambda each: (each.total, each.value)).why = WOULD_DISCLOSE
    return True
