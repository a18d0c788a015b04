"""Statistical process control as NHS England's Making Data Count does it, for every chart of a
series over time (incident dashboards, assurance reports, improvement projects, their PDFs).
The method is the one the NHS-R community's NHSRplotthedots implements (version 0.2;
docs/adr/0025-spc-as-making-data-count.md), checked against its test cases
(tests/test_spc.py):

- **Groups.** The series is split at each rebase (a change of process someone recorded); each
  group has its own mean and limits.
- **Limits** (an XmR chart): mean ± 2.66 × the mean moving range, from a **baseline** (the
  group's first points, all of them unless fewer are asked for) of at least 12 points; a
  moving range of 3.267 times the mean or more is screened out and the mean moving range taken
  again. A group with fewer than 12 points has no limits: it is a run chart, and says so.
  "Near a limit" is beyond two sigma (mean ± 2/3 × 2.66 × mR̄) but not beyond the limit.
- **Incomplete points** (the last months, while reports still arrive) are drawn, marked, and
  left out of the limits and the rules.
- **Special cause**, in this order: a point beyond a limit; a trend of 7 (each point higher, or
  each lower, than the one before: all 7 marked); two of three points near the same limit with
  all three on that side of the mean (the near points marked); a shift of 7 points on one side
  of the mean (a point on the mean breaks it: all 7 marked). Anything else is common cause.
- **Direction.** Each measure says whether higher is better, lower is better, or neither (a
  count of incidents reported: more reporting is a safety culture, not harm). A special cause
  in the better direction is improvement, the other way concern, else neutral; the variation
  icon is the last point's.
- **Assurance**, with a target and a direction: the whole range between the limits on the good
  side of the target "consistently passes", on the bad side "consistently fails", otherwise
  "hit and miss".

Every reading is given in words as well as drawn, so a chart never relies on colour alone.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from django.db import models

LIMIT = 2.66  # 3 / d2, with d2 = 1.128 for moving ranges of two points
NEAR = 2 * LIMIT / 3  # two sigma
SCREEN = 3.267  # a moving range this many times the mean is screened out
RUN = 7  # points in a trend or a shift
MIN_BASELINE = 12  # fewer points set no limits: a run chart


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"
    NEITHER = "neither", "Neither higher nor lower is better"


class Cause(models.TextChoices):
    """Why a point is special cause (or that it is not), in words."""

    ABOVE_LIMIT = "above-limit", "A point above the upper process limit"
    BELOW_LIMIT = "below-limit", "A point below the lower process limit"
    RISING = "rising", "A trend of 7 points rising"
    FALLING = "falling", "A trend of 7 points falling"
    NEAR_UPPER = "near-upper", "Two of three points near the upper limit"
    NEAR_LOWER = "near-lower", "Two of three points near the lower limit"
    ABOVE_MEAN = "above-mean", "A shift of 7 points above the mean"
    BELOW_MEAN = "below-mean", "A shift of 7 points below the mean"
    COMMON = "common", "Common cause"

    @property
    def high(self) -> bool:
        return self in (Cause.ABOVE_LIMIT, Cause.RISING, Cause.NEAR_UPPER, Cause.ABOVE_MEAN)


class Variation(models.TextChoices):
    """The variation icon's reading: the last point's."""

    COMMON = "common", "Common cause variation"
    IMPROVEMENT_HIGH = "improvement-high", "Special cause improvement: higher"
    IMPROVEMENT_LOW = "improvement-low", "Special cause improvement: lower"
    CONCERN_HIGH = "concern-high", "Special cause concern: higher"
    CONCERN_LOW = "concern-low", "Special cause concern: lower"
    NEUTRAL_HIGH = "neutral-high", "Special cause variation: higher"
    NEUTRAL_LOW = "neutral-low", "Special cause variation: lower"


class Assurance(models.TextChoices):
    PASSES = "passes", "The target is consistently met"
    FAILS = "fails", "The target is consistently missed"
    HIT_AND_MISS = "hit-and-miss", "Hit and miss: the target is met only some of the time"


@dataclass
class Point:
    label: str
    value: float
    cause: Cause = Cause.COMMON
    group: int = 0
    # Still filling (the last months, while reports arrive): out of the limits and the rules.
    incomplete: bool = False
    # The reading in words as an approved report kept it, where it was kept before causes were
    # (an older snapshot); else the cause's.
    said: list[str] | None = None

    @property
    def signals(self) -> list[str]:
        if self.said is not None:
            return self.said
        return [self.cause.label] if self.cause != Cause.COMMON else []

    @property
    def special(self) -> bool:
        return bool(self.signals)


@dataclass
class Group:
    """A stretch of the series between rebases, with its mean and, from a baseline of at least
    12 points, its limits (None: a run chart)."""

    first: int  # the index of its first point
    last: int  # and of its last
    mean: float | None
    upper: float | None = None
    lower: float | None = None
    near_upper: float | None = None
    near_lower: float | None = None
    baseline: int = 0  # the points the mean and limits were worked out from

    @property
    def has_limits(self) -> bool:
        return self.upper is not None


@dataclass
class Chart:
    points: list[Point]
    groups: list[Group] = field(default_factory=list)
    direction: Direction = Direction.NEITHER
    target: float | None = None
    # The least a value can be (a count: 0), below which a limit is drawn at it; None: none.
    floor: float | None = 0
    # What the points are, for the sentences that read the chart: "months", what varies ("the
    # number of reports") and over what ("a month").
    unit: str = "months"
    what: str = "the number of reports"
    per: str = "a month"

    @property
    def current(self) -> Group | None:
        return self.groups[-1] if self.groups else None

    @property
    def mean(self) -> float:
        return _shown(self.current.mean) if self.current and self.current.mean is not None else 0

    @property
    def upper(self) -> float | None:
        return _shown(self.current.upper) if self.current and self.current.has_limits else None

    @property
    def lower(self) -> float | None:
        """The lower limit as drawn: not below the floor (a count is never below 0)."""
        if not self.has_limits:
            return None
        return _shown(self._floored(self.current.lower))

    def _floored(self, value: float) -> float:
        return value if self.floor is None else max(self.floor, value)

    @property
    def special(self) -> bool:
        return any(point.special for point in self.points)

    @property
    def has_limits(self) -> bool:
        return bool(self.current and self.current.has_limits)

    def variation(self) -> Variation | None:
        """The variation icon: the last complete point's reading (None without limits)."""
        complete = [point for point in self.points if not point.incomplete]
        if not complete or not self.has_limits:
            return None
        return variation_of(complete[-1].cause, self.direction)

    @property
    def variation_words(self) -> str:
        """The variation icon's reading in words ("" without limits)."""
        variation = self.variation()
        return str(variation.label) if variation else ""

    @property
    def incomplete(self) -> int:
        return sum(1 for point in self.points if point.incomplete)

    def assurance(self) -> Assurance | None:
        """The assurance icon, from the current limits against the target (None without a
        target, limits or a direction)."""
        group = self.current
        if self.target is None or self.direction == Direction.NEITHER or not self.has_limits:
            return None
        higher = self.direction == Direction.HIGHER
        if self.target > group.upper:
            return Assurance.FAILS if higher else Assurance.PASSES
        if self.target < group.lower:
            return Assurance.PASSES if higher else Assurance.FAILS
        return Assurance.HIT_AND_MISS

    def interpretation(self) -> str:
        """What the chart shows, in a sentence or two."""
        complete = [point for point in self.points if not point.incomplete]
        if len(complete) < 2:
            return f"Too few {self.unit} to tell common from special cause variation."
        if not self.has_limits:
            return (
                f"Fewer than {MIN_BASELINE} {self.unit} since "
                + ("the change recorded" if len(self.groups) > 1 else "the first")
                + ": a run chart, with no process limits yet, so common and special cause "
                "variation cannot be told apart."
            )
        if not self.special:
            per = f" {self.per}" if self.per else ""
            return (
                f"Common cause variation only: {self.what} varies within its usual range "
                f"({self.lower:g} to {self.upper:g}{per}, "
                f"mean {_shown(self.current.mean):g})."
            )
        causes = list(dict.fromkeys(said for point in self.points for said in point.signals))
        return f"Special cause variation: {'; '.join(causes).lower()}. Look at what changed."


def variation_of(cause: Cause, direction: Direction) -> Variation:
    if cause == Cause.COMMON:
        return Variation.COMMON
    if direction == Direction.NEITHER:
        return Variation.NEUTRAL_HIGH if cause.high else Variation.NEUTRAL_LOW
    better = cause.high == (direction == Direction.HIGHER)
    if better:
        return Variation.IMPROVEMENT_HIGH if cause.high else Variation.IMPROVEMENT_LOW
    return Variation.CONCERN_HIGH if cause.high else Variation.CONCERN_LOW


def xmr(
    series: Sequence[tuple[str, float]],
    *,
    direction: Direction = Direction.NEITHER,
    rebase: Iterable[int] = (),
    baseline: int | None = None,
    incomplete: int = 0,
    target: float | None = None,
    screen_outliers: bool = True,
    **wording,
) -> Chart:
    """An XmR chart of (label, value) pairs in time order. ``rebase``: the indices at which a
    new group starts (a change of process); ``baseline``: the points of each group its limits
    come from (at least 12; all of them if None); ``incomplete``: how many of the last points
    are still filling; ``target``: for the assurance; ``wording``: unit, what, per."""
    if baseline is not None and baseline < MIN_BASELINE:
        raise ValueError(f"A baseline is at least {MIN_BASELINE} points")
    points = [Point(label, float(value)) for label, value in series]
    complete = len(points) - max(0, min(incomplete, len(points)))
    for point in points[complete:]:
        point.incomplete = True
    starts = sorted({0, *(i for i in rebase if 0 < i < len(points))})
    chart = Chart(points, direction=Direction(direction), target=target, **wording)
    if not points:
        return chart
    for first, end in pairwise([*starts, len(points)]):
        group = _group(points, first, end, complete, baseline, screen_outliers)
        chart.groups.append(group)
        for point in points[first:end]:
            point.group = len(chart.groups) - 1
        judged = points[first : min(end, complete)]
        if group.has_limits and judged:
            for point, cause in zip(judged, _causes([p.value for p in judged], group), strict=True):
                point.cause = cause
    return chart


def _group(points, first, end, complete, baseline, screen_outliers) -> Group:
    """A group's mean and limits, from its complete points up to the baseline."""
    counted = [point.value for point in points[first : min(end, complete)]]
    if baseline is not None:
        counted = counted[:baseline]
    if not counted:
        return Group(first, end - 1, None)
    mean = sum(counted) / len(counted)
    if len(counted) < MIN_BASELINE:
        return Group(first, end - 1, mean, baseline=len(counted))
    ranges = [abs(b - a) for a, b in pairwise(counted)]
    mean_range = sum(ranges) / len(ranges)
    if screen_outliers:
        kept = [r for r in ranges if r < SCREEN * mean_range]
        mean_range = sum(kept) / len(kept) if kept else mean_range
    return Group(
        first,
        end - 1,
        mean,
        upper=mean + LIMIT * mean_range,
        lower=mean - LIMIT * mean_range,
        near_upper=mean + NEAR * mean_range,
        near_lower=mean - NEAR * mean_range,
        baseline=len(counted),
    )


def _causes(values: list[float], group: Group) -> list[Cause]:
    """Each value's cause, by the rules in their order of precedence."""
    sides = [_sign(value - group.mean) for value in values]
    outside = [value > group.upper or value < group.lower for value in values]
    near = [
        not out and (value > group.near_upper or value < group.near_lower)
        for value, out in zip(values, outside, strict=True)
    ]
    trend = _marked_runs(_trend_ends(values))
    two_of_three = _two_of_three(near, sides)
    shift = _marked_runs(_shift_ends(sides))
    causes = []
    for i, value in enumerate(values):
        high = sides[i] > 0
        if outside[i]:
            causes.append(Cause.ABOVE_LIMIT if value > group.upper else Cause.BELOW_LIMIT)
        elif trend[i]:
            causes.append(Cause.RISING if trend[i] > 0 else Cause.FALLING)
        elif two_of_three[i]:
            causes.append(Cause.NEAR_UPPER if high else Cause.NEAR_LOWER)
        elif shift[i]:
            causes.append(Cause.ABOVE_MEAN if high else Cause.BELOW_MEAN)
        else:
            causes.append(Cause.COMMON)
    return causes


def _sign(value: float) -> int:
    return (value > 0) - (value < 0)


def _trend_ends(values: list[float]) -> list[int]:
    """1 (rising) or -1 (falling) at each point that ends 7 points each higher (lower) than the
    one before; an equal neighbour breaks it."""
    ends = [0] * len(values)
    for i in range(RUN - 1, len(values)):
        steps = {_sign(b - a) for a, b in pairwise(values[i - RUN + 1 : i + 1])}
        if steps in ({1}, {-1}):
            ends[i] = steps.pop()
    return ends


def _shift_ends(sides: list[int]) -> list[int]:
    """The side (1, -1) at each point that ends 7 points on the same side of the mean."""
    ends = [0] * len(sides)
    for i in range(RUN - 1, len(sides)):
        window = set(sides[i - RUN + 1 : i + 1])
        if len(window) == 1 and 0 not in window:
            ends[i] = sides[i]
    return ends


def _marked_runs(ends: list[int]) -> list[int]:
    """Every point of each run of 7 ending at a marked point, with the run's sign: where runs
    overlap, the later run's (as a point in a run that continues is read by the run ahead)."""
    marked = [0] * len(ends)
    for i, end in enumerate(ends):
        if end:
            for j in range(max(0, i - RUN + 1), i + 1):
                marked[j] = end
    return marked


def _two_of_three(near: list[bool], sides: list[int]) -> list[bool]:
    """The points near a limit that are two (or three) of three consecutive points near it,
    all three on the same side of the mean."""
    flagged = [False] * len(near)
    for start in range(len(near) - 2):
        window = range(start, start + 3)
        if sum(near[i] for i in window) >= 2 and abs(sum(sides[i] for i in window)) == 3:
            for i in window:
                flagged[i] = flagged[i] or near[i]
    return flagged


def _shown(value: float) -> float:
    return round(value, 1)


def as_data(chart: Chart) -> dict:
    """The chart as plain data, as an approved report keeps it (``from_data`` reads it back)."""
    return {
        "points": [
            {
                "label": p.label,
                "value": p.value,
                "cause": str(p.cause),
                "signals": p.signals,
                "group": p.group,
                "incomplete": p.incomplete,
            }
            for p in chart.points
        ],
        "groups": [
            {
                "first": g.first,
                "last": g.last,
                "mean": g.mean,
                "upper": g.upper,
                "lower": g.lower,
                "near_upper": g.near_upper,
                "near_lower": g.near_lower,
                "baseline": g.baseline,
            }
            for g in chart.groups
        ],
        "direction": str(chart.direction),
        "target": chart.target,
        "floor": chart.floor,
        # Its reading in words, as it was when the report was approved.
        "interpretation": chart.interpretation(),
    }


def from_data(data: dict) -> Chart:
    """A chart kept by ``as_data``; or kept before groups were (one group, from its mean and
    limits, its points' readings as they were said)."""
    if "groups" not in data:
        points = [Point(p["label"], p["value"], said=list(p["signals"])) for p in data["points"]]
        upper, lower = data.get("upper"), data.get("lower")
        group = Group(0, len(points) - 1, data.get("mean"), upper=upper, lower=lower)
        return Chart(points, [group] if points else [])
    return Chart(
        points=[
            Point(
                p["label"],
                p["value"],
                Cause(p["cause"]),
                group=p["group"],
                incomplete=p["incomplete"],
            )
            for p in data["points"]
        ],
        groups=[Group(**g) for g in data["groups"]],
        direction=Direction(data["direction"]),
        target=data["target"],
        floor=data["floor"],
    )
