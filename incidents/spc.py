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
    start = 0
    while start < len(points):
        side = _side(points[start].value, mean)
        end = start
        while end + 1 < len(points) and side and _side(points[end + 1].value, mean) == side:
            end += 1
        length = end - start + 1
        if side and length >= RUN:
            where = "above" if side > 0 else "below"
            for point in points[start : end + 1]:
                point.signals.append(f"A run of {length} {unit} {where} the mean")
        start = end + 1


def _side(value, mean) -> int:
    return (value > mean) - (value < mean)


def _trends(points, unit):
    start = 0
    while start < len(points) - 1:
        step = _side(points[start + 1].value, points[start].value)
        end = start + 1
        while (
            step
            and end + 1 < len(points)
            and _side(points[end + 1].value, points[end].value) == step
        ):
            end += 1
        length = end - start + 1
        if step and length >= TREND:
            direction = "rising" if step > 0 else "falling"
            for point in points[start : end + 1]:
                point.signals.append(f"A trend of {length} {unit} {direction}")
        start = end if end > start else start + 1
