"""Funnel plots for comparing institutional performance, as Spiegelhalter D. (2005) "Funnel
plots for comparing institutional performance", Statistics in Medicine 24:1185–1202, draws
them for counts (docs/adr/0027-funnel-plots-and-denominators.md):

- **Target.** For a group of peers, θ = Σ observed / Σ exposure, over the units with an
  exposure; each unit's expected count is E = θ × its exposure n.
- **Limits** from the exact Poisson distribution (``scipy.stats.poisson``): at probability p
  (0.025 and 0.975 for the 95% limits, 0.001 and 0.999 for the 99.8% limits) the quantile
  r_p is the smallest r with P(Y ≤ r) ≥ p; as counts are whole numbers, the limit is
  interpolated (the paper's appendix): α = (P(Y ≤ r_p) − p) / (P(Y ≤ r_p) − P(Y ≤ r_p − 1)),
  and the limit is r_p − α counts (never below 0), or (r_p − α) / n as a rate. For large E
  they close on the normal approximation θ ± z × sqrt(θ / n).
- **Position.** A unit whose count is above the upper 99.8% limit at its exposure is above
  it, else above the upper 95% limit, and the same below; otherwise within. A unit with no
  exposure (nothing recorded, or 0) is not plotted, and says why.
- **Size bands.** ``thirds`` splits units by size into a smaller, middle and larger third.
- **Small numbers.** ``withheld`` says which units' counts are not shown and which groups'
  targets would give one away (core/disclosure.py's rules, for a funnel: see there).
"""

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import models
from scipy.stats import poisson

from . import disclosure

# Each level's lower and upper probability: about 2 and 3 standard deviations.
LEVELS = {"95": (0.025, 0.975), "99.8": (0.001, 0.999)}
NO_EXPOSURE = "no denominator recorded"
THIRDS = ("Smaller third", "Middle third", "Larger third")


class Position(models.TextChoices):
    """Where a unit falls against the limits at its exposure, in words."""

    ABOVE_99_8 = "above-99.8", "Above the 99.8% limit"
    ABOVE_95 = "above-95", "Above the 95% limit"
    WITHIN = "within", "Within the limits"
    BELOW_95 = "below-95", "Below the 95% limit"
    BELOW_99_8 = "below-99.8", "Below the 99.8% limit"

    @property
    def beyond_99_8(self) -> bool:
        return self in (Position.ABOVE_99_8, Position.BELOW_99_8)

    @property
    def below(self) -> bool:
        return self in (Position.BELOW_95, Position.BELOW_99_8)


@dataclass(frozen=True)
class Unit:
    key: Hashable
    observed: int
    exposure: float  # 0 (or less): none recorded


@dataclass(frozen=True)
class Limits:
    """The limits at one exposure, as counts (a rate: divide by the exposure)."""

    lower_99_8: float
    lower_95: float
    upper_95: float
    upper_99_8: float


@dataclass(frozen=True)
class Placed:
    unit: Unit
    expected: float
    position: Position

    @property
    def rate(self) -> float:
        return self.unit.observed / self.unit.exposure

    @property
    def limits(self) -> Limits:
        """The limits at the unit's exposure, as counts."""
        return count_limits([self.expected])[0]


@dataclass(frozen=True)
class LimitLine:
    """The limits at one exposure, as rates: a point of each limit's line."""

    exposure: float
    lower_99_8: float
    lower_95: float
    upper_95: float
    upper_99_8: float


@dataclass
class Funnel:
    target: float | None  # None: no unit has an exposure
    placed: list[Placed] = field(default_factory=list)
    not_plotted: list[tuple[Unit, str]] = field(default_factory=list)


def poisson_limit(expected, p: float) -> np.ndarray:
    """The interpolated p-quantile of Poisson(expected), for each expected count: r_p − α
    (see the module's docstring), never below 0."""
    mean = np.asarray(expected, dtype=float)
    quantile = poisson.ppf(p, mean)
    at = poisson.cdf(quantile, mean)
    below = poisson.cdf(quantile - 1, mean)
    step = at - below
    alpha = np.divide(at - p, step, out=np.zeros_like(mean), where=step > 0)
    return np.maximum(quantile - alpha, 0.0)


def count_limits(expected: Sequence[float]) -> list[Limits]:
    """The 95% and 99.8% limits, as counts, at each expected count."""
    (low_998, high_998), (low_95, high_95) = LEVELS["99.8"], LEVELS["95"]
    columns = [poisson_limit(expected, p).tolist() for p in (low_998, low_95, high_95, high_998)]
    return [Limits(*row) for row in zip(*columns, strict=True)]


def target_of(units: Iterable[Unit]) -> float | None:
    """θ: the peers' incidents over their exposure (None when no unit has one)."""
    counted = [unit for unit in units if unit.exposure > 0]
    exposure = sum(unit.exposure for unit in counted)
    return sum(unit.observed for unit in counted) / exposure if exposure else None


def position(observed: int, limits: Limits) -> Position:
    if observed > limits.upper_99_8:
        return Position.ABOVE_99_8
    if observed > limits.upper_95:
        return Position.ABOVE_95
    if observed < limits.lower_99_8:
        return Position.BELOW_99_8
    if observed < limits.lower_95:
        return Position.BELOW_95
    return Position.WITHIN


def place(units: Iterable[Unit], target: float) -> Funnel:
    """Each unit against the limits of ``target`` at its exposure (the target is the peer
    group's, which may hold more units than those placed).

    A count is a whole number, and an interpolated limit r_p − α lies above r_p − 1 and at
    most r_p: so a count is above the upper limit at p exactly when P(Y ≤ count) > p (and it
    is not 0), and below the lower limit at p exactly when P(Y ≤ count) < p. All the units are
    placed with one Poisson CDF each, as ``position`` would place each against its limits."""
    units = list(units)
    found = Funnel(target)
    plotted = [unit for unit in units if unit.exposure > 0]
    found.not_plotted = [(unit, NO_EXPOSURE) for unit in units if unit.exposure <= 0]
    if not plotted:
        return found
    expected = np.array([unit.exposure for unit in plotted], dtype=float) * target
    observed = np.array([unit.observed for unit in plotted], dtype=float)
    at = poisson.cdf(observed, expected)
    (low_998, high_998), (low_95, high_95) = LEVELS["99.8"], LEVELS["95"]
    some = observed > 0
    order = list(Position)  # above 99.8, above 95, within, below 95, below 99.8
    codes = np.select(
        [some & (at > high_998), some & (at > high_95), at < low_998, at < low_95],
        [0, 1, 4, 3],
        default=2,
    )
    found.placed = [
        Placed(unit, mean, order[code])
        for unit, mean, code in zip(plotted, expected.tolist(), codes.tolist(), strict=True)
    ]
    return found


def funnel(units: Iterable[Unit]) -> Funnel:
    """The units of one peer group against the group's own target."""
    units = list(units)
    target = target_of(units)
    if target is None:
        return Funnel(None, not_plotted=[(unit, NO_EXPOSURE) for unit in units])
    return place(units, target)


def limit_lines(target: float, low: float, high: float, points: int = 80) -> list[LimitLine]:
    """The limits as rates over exposures from ``low`` to ``high`` (spaced evenly on a log
    scale, where the funnel bends most near its narrow end), to draw as lines."""
    if low <= 0 or high <= 0:
        return []
    exposures = np.unique(np.geomspace(low, high, points if high > low else 1))
    limits = count_limits(target * exposures)
    return [
        LimitLine(
            n,
            limit.lower_99_8 / n,
            limit.lower_95 / n,
            limit.upper_95 / n,
            limit.upper_99_8 / n,
        )
        for n, limit in zip(exposures.tolist(), limits, strict=True)
    ]


def thirds(sizes: dict[Hashable, float]) -> dict[Hashable, int]:
    """Each unit's size band: 0, 1 or 2 for the smaller, middle and larger third of them by
    size. A unit's band is 3 × (how many units are smaller) ÷ (how many there are), rounded
    down, so units of the same size share a band."""
    ordered = sorted(sizes.values())
    count = len(ordered)
    smaller = {}
    for index, size in enumerate(ordered):
        smaller.setdefault(size, index)
    return {key: 3 * smaller[size] // count for key, size in sizes.items()}


@dataclass
class Withheld:
    """Units whose counts are not shown (key -> why), and the groups whose target (and so
    limits) would give one away (their indexes in the groups given)."""

    units: dict[Hashable, str] = field(default_factory=dict)
    groups: set[int] = field(default_factory=set)


def withheld(groups: Sequence[Sequence[Unit]]) -> Withheld:
    """The small-number rules (core/disclosure.py) for funnel plots of ``groups`` of units (a
    kind's size bands and the whole kind) whose targets may all be shown, so that a count
    under 5 cannot be read off a point or worked out from a target (Σ observed / Σ exposure,
    with exposures public):

    - a count of 1 to 4 is not shown (nor its rate or point); 0 is shown, as it names nobody;
    - in a group where just one count would be hidden, the next smallest count of the group is
      hidden too; where there is none to hide, the group's target is not shown, nor its
      limits; nor where the group's total is under 5;
    - repeated until no group changes, as hiding a count in one group can leave another group
      with one hidden.
    """
    found = Withheld()
    for group in groups:
        for unit in group:
            if 0 < unit.observed < disclosure.SMALL:
                found.units[unit.key] = disclosure.FEWER_THAN_5
    changed = True
    while changed:
        changed = False
        for index, group in enumerate(groups):
            counted = [unit for unit in group if unit.exposure > 0 and unit.observed > 0]
            total = sum(unit.observed for unit in counted)
            hidden = [unit for unit in counted if unit.key in found.units]
            if total < disclosure.SMALL and counted:
                changed |= index not in found.groups
                found.groups.add(index)
                continue
            if len(hidden) != 1:
                continue
            shown = [unit for unit in counted if unit.key not in found.units]
            if shown:
                smallest = min(shown, key=lambda unit: (unit.observed, str(unit.key)))
                found.units[smallest.key] = disclosure.WOULD_DISCLOSE
                changed = True
            elif index not in found.groups:
                found.groups.add(index)
                changed = True
    return found
