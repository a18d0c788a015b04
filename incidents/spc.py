"""Statistical process control for a series over time (monthly incident counts, an improvement
project's measure): an XmR chart read with NHS England's "Making Data Count" rules (2019,
updated 2021).

- The centre line is the mean; the process limits are the mean ± 2.66 × the mean moving range
  (the lower limit is not below 0: counts, rates and percentages are never negative).
- Special cause variation is signalled by: a point beyond a limit; a run of 7 or more points on
  one side of the mean (a shift); 6 or more points each higher (or lower) than the one before
  (a trend). Points on the mean break a run; equal neighbours break a trend.
- Anything else is common cause variation.

Each signal is given in words as well as drawn, so a chart never relies on colour alone.
"""

from dataclasses import dataclass, field
from itertools import groupby, pairwise
from operator import itemgetter

SIGMA = 2.66  # 3 / d2, with d2 = 1.128 for moving ranges of two points
RUN = 7
TREND = 6


@dataclass
class Point:
    label: str
    value: float
    signals: list[str] = field(default_factory=list)

    @property
    def special(self) -> bool:
        return bool(self.signals)


@dataclass
class Chart:
    points: list[Point]
    mean: float
    upper: float
    lower: float
    # What the points are, for the sentence that reads the chart: "months", and what varies
    # ("the number of reports") and over what ("a month").
    unit: str = "months"
    what: str = "the number of reports"
    per: str = "a month"

    @property
    def special(self) -> bool:
        return any(point.special for point in self.points)

    def interpretation(self) -> str:
        """What the chart shows, in a sentence or two."""
        if len(self.points) < 2:
            return f"Too few {self.unit} to tell common from special cause variation."
        if not self.special:
            per = f" {self.per}" if self.per else ""
            return (
                f"Common cause variation only: {self.what} varies within its usual "
                f"range ({self.lower:g} to {self.upper:g}{per}, mean {self.mean:g})."
            )
        kinds = []
        for point in self.points:
            for signal in point.signals:
                kind = signal.split(":")[0]
                if kind not in kinds:
                    kinds.append(kind)
        return f"Special cause variation: {'; '.join(kinds).lower()}. Look at what changed."


def xmr(series: list[tuple[str, float]], *, unit="months", **wording) -> Chart:
    """An XmR chart of (label, value) pairs in time order, with each point's signals, which
    name the points' ``unit`` ("A run of 7 weeks above the mean"); ``wording`` gives the
    chart's ``what`` and ``per``."""
    values = [value for _, value in series]
    points = [Point(label, value) for label, value in series]
    if not values:
        return Chart(points, 0, 0, 0, unit, **wording)
    mean = sum(values) / len(values)
    ranges = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    mean_range = sum(ranges) / len(ranges) if ranges else 0
    upper = mean + SIGMA * mean_range
    lower = max(0.0, mean - SIGMA * mean_range)
    chart = Chart(points, round(mean, 1), round(upper, 1), round(lower, 1), unit, **wording)
    for point in points:
        if point.value > upper:
            point.signals.append("A point above the upper limit")
        elif point.value < lower:
            point.signals.append("A point below the lower limit")
    _runs(points, mean, unit)
    _trends(points, unit)
    return chart


def _runs(points, mean, unit):
    sides = [_side(point.value, mean) for point in points]
    for first, last, side in _stretches(sides):
        length = last - first + 1
        if length >= RUN:
            where = "above" if side > 0 else "below"
            _signal(points[first : last + 1], f"A run of {length} {unit} {where} the mean")


def _trends(points, unit):
    steps = [_side(after.value, before.value) for before, after in pairwise(points)]
    for first, last, step in _stretches(steps):
        # Steps ``first`` to ``last`` join the points ``first`` to ``last + 1``.
        length = last - first + 2
        if length >= TREND:
            direction = "rising" if step > 0 else "falling"
            _signal(points[first : last + 2], f"A trend of {length} {unit} {direction}")


def _side(value, mean) -> int:
    return (value > mean) - (value < mean)


def _stretches(signs):
    """Each longest stretch of equal signs other than 0: (its first index, its last, the sign)."""
    for sign, stretch in groupby(enumerate(signs), key=itemgetter(1)):
        if sign:
            indices = [index for index, _ in stretch]
            yield indices[0], indices[-1], sign


def _signal(points, signal):
    for point in points:
        point.signals.append(signal)
