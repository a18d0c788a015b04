"""Funnel plots' limits (core/funnel.py) checked against values worked out here without scipy:
the exact Poisson quantiles, interpolated as Spiegelhalter (2005) does, summed by hand for small
expected counts; the normal approximation θ ± z·sqrt(θ/n) they close on for large ones; a known
data set; the edge cases; the size bands and the small-number rules."""

import math

import pytest

from core import disclosure
from core.funnel import (
    NO_EXPOSURE,
    Position,
    Unit,
    count_limits,
    funnel,
    limit_lines,
    place,
    poisson_limit,
    position,
    target_of,
    thirds,
    withheld,
)


def cdf(r: int, mean: float) -> float:
    """P(Y ≤ r) for Y ~ Poisson(mean), summed term by term."""
    if r < 0:
        return 0.0
    return sum(math.exp(-mean) * mean**k / math.factorial(k) for k in range(r + 1))


def by_hand(mean: float, p: float) -> float:
    """The smallest r with P(Y ≤ r) ≥ p, less the interpolation α (Spiegelhalter 2005)."""
    r = 0
    while cdf(r, mean) < p:
        r += 1
    alpha = (cdf(r, mean) - p) / (cdf(r, mean) - cdf(r - 1, mean))
    return max(r - alpha, 0.0)


class TestLimits:
    def test_the_95_limits_at_an_expected_count_of_1_are_worked_out_by_hand(self):
        # P(Y ≤ 2) = 5/(2e) = 0.9197 < 0.975 ≤ P(Y ≤ 3) = 8/(3e) = 0.9810, so r = 3 and
        # α = (0.98101 - 0.975) / (1/(6e)) = 0.0981: the upper limit is 2.902 incidents.
        upper = 3 - (8 / (3 * math.e) - 0.975) / (1 / (6 * math.e))
        assert upper == pytest.approx(2.9019, abs=1e-4)
        assert poisson_limit([1.0], 0.975)[0] == pytest.approx(upper, abs=1e-9)
        # P(Y = 0) = 0.368 ≥ 0.025 already: the lower limit, 0 - α, is held at 0.
        assert poisson_limit([1.0], 0.025)[0] == 0

    @pytest.mark.parametrize("mean", [0.5, 1.0, 2.5, 4.0, 7.3, 12.0, 30.0])
    @pytest.mark.parametrize("p", [0.001, 0.025, 0.975, 0.999])
    def test_every_limit_is_the_interpolated_quantile(self, mean, p):
        assert poisson_limit([mean], p)[0] == pytest.approx(by_hand(mean, p), abs=1e-9)

    def test_the_four_limits_come_in_order(self):
        (limits,) = count_limits([9.0])
        assert 0 < limits.lower_99_8 < limits.lower_95 < 9 < limits.upper_95 < limits.upper_99_8
        assert limits.upper_99_8 == pytest.approx(by_hand(9.0, 0.999))

    @pytest.mark.parametrize(("p", "z"), [(0.975, 1.959964), (0.999, 3.090232)])
    def test_they_close_on_the_normal_approximation_for_large_exposures(self, p, z):
        theta = 0.002  # 2 incidents per 1,000 bed days
        gaps = []
        for exposure in (5_000, 50_000, 5_000_000):
            exact = poisson_limit([theta * exposure], p)[0] / exposure
            normal = theta + z * math.sqrt(theta / exposure)
            gaps.append(abs(exact - normal) / (z * math.sqrt(theta / exposure)))
        assert gaps[0] > gaps[1] > gaps[2]
        assert gaps[2] < 0.005  # at 10,000 expected, within half a percent of the half-width

    def test_the_lower_limit_is_never_below_0(self):
        assert all(value == 0 for value in poisson_limit([0.2, 0.5, 1.0], 0.001))


class TestAFunnel:
    def test_a_known_data_set(self):
        units = [Unit("a", 10, 1000), Unit("b", 3, 200), Unit("c", 40, 1000), Unit("d", 0, 0)]
        found = funnel(units)
        assert found.target == pytest.approx(53 / 2200)
        placed = {each.unit.key: each for each in found.placed}
        assert placed["a"].expected == pytest.approx(53 / 2.2)  # 24.09
        # 10 incidents where 24.09 are expected: below the 95% limit (14.4), above the 99.8%.
        assert by_hand(53 / 2.2, 0.001) < 10 < by_hand(53 / 2.2, 0.025)
        assert placed["a"].position == Position.BELOW_95
        # 40: above the upper 95% limit (33.7), not the 99.8% one (40.1).
        assert by_hand(53 / 2.2, 0.975) < 40 < by_hand(53 / 2.2, 0.999)
        assert placed["c"].position == Position.ABOVE_95
        assert placed["b"].position == Position.WITHIN
        assert placed["b"].rate == pytest.approx(3 / 200)
        assert found.not_plotted == [(units[3], NO_EXPOSURE)]

    def test_beyond_the_99_8_limits_either_way(self):
        found = funnel([Unit("high", 60, 1000), Unit("low", 2, 1000), Unit("mid", 28, 1000)])
        positions = {each.unit.key: each.position for each in found.placed}
        assert positions == {
            "high": Position.ABOVE_99_8,
            "low": Position.BELOW_99_8,
            "mid": Position.WITHIN,
        }
        assert positions["high"].beyond_99_8 and positions["low"].below

    def test_every_unit_is_placed_as_it_would_be_alone(self):
        """``place`` reads each count's position from one Poisson CDF: the same as comparing
        it with the interpolated limits at its expected count, for small and large counts."""
        units = [
            Unit((mean, count), count, mean)
            for mean in (0.05, 0.3, 1.0, 2.5, 4.0, 9.5, 20.0, 63.0)
            for count in range(0, 3 * int(mean) + 12)
        ]
        found = place(units, 1.0)  # each unit's expected count is its exposure
        assert {each.position for each in found.placed} == set(Position)
        for each in found.placed:
            (alone,) = count_limits([each.unit.exposure])
            assert each.limits == alone
            assert each.position == position(each.unit.observed, alone), each.unit

    def test_no_incidents_at_all_puts_everyone_within_limits_of_0(self):
        found = funnel([Unit("a", 0, 100), Unit("b", 0, 5000)])
        assert found.target == 0
        assert {each.position for each in found.placed} == {Position.WITHIN}
        assert found.placed[1].limits.upper_99_8 == 0

    def test_one_organisation_is_its_own_target(self):
        found = funnel([Unit("only", 12, 4000)])
        assert found.target == pytest.approx(12 / 4000)
        assert found.placed[0].expected == pytest.approx(12)
        assert found.placed[0].position == Position.WITHIN

    def test_no_exposure_is_not_plotted_and_says_why(self):
        found = funnel([Unit("a", 7, 0), Unit("b", 0, -1)])
        assert found.target is None and found.placed == []
        assert [why for _, why in found.not_plotted] == [NO_EXPOSURE, NO_EXPOSURE]
        assert target_of([]) is None

    def test_the_lines_span_the_exposures_and_narrow_as_they_grow(self):
        lines = limit_lines(0.02, 100, 10_000, points=20)
        assert lines[0].exposure == pytest.approx(100) and lines[-1].exposure == pytest.approx(
            10_000
        )
        widths = [line.upper_95 - line.lower_95 for line in lines]
        assert widths[0] > widths[-1] > 0
        assert all(line.upper_99_8 >= line.upper_95 >= 0.02 for line in lines[-5:])
        assert limit_lines(0.02, 0, 100) == []


class TestThirds:
    def test_a_smaller_middle_and_larger_third(self):
        sizes = {name: size for size, name in enumerate("abcdefghi", start=1)}
        bands = thirds(sizes)
        assert [bands[name] for name in "abcdefghi"] == [0, 0, 0, 1, 1, 1, 2, 2, 2]

    def test_the_same_size_shares_a_band(self):
        assert thirds({"a": 5, "b": 5, "c": 5, "d": 9}) == {"a": 0, "b": 0, "c": 0, "d": 2}

    def test_few_organisations(self):
        assert thirds({"a": 1}) == {"a": 0}
        assert thirds({"a": 1, "b": 2}) == {"a": 0, "b": 1}


class TestSmallNumbers:
    def test_a_count_under_5_is_withheld_and_0_is_not(self):
        group = [Unit("three", 3, 10), Unit("none", 0, 10), Unit("six", 6, 10), Unit("nine", 9, 10)]
        found = withheld([group])
        assert found.units == {
            "three": disclosure.FEWER_THAN_5,
            # Else the target (18 / 40) less the counts shown would give 3.
            "six": disclosure.WOULD_DISCLOSE,
        }
        assert found.groups == set()

    def test_two_hidden_need_no_more(self):
        group = [Unit("one", 1, 10), Unit("two", 2, 10), Unit("eight", 8, 10)]
        assert withheld([group]).units == {
            "one": disclosure.FEWER_THAN_5,
            "two": disclosure.FEWER_THAN_5,
        }

    def test_a_target_that_would_give_a_count_away_is_withheld(self):
        # The only count is 3: the target times the exposure is 3.
        alone = [Unit("three", 3, 10), Unit("none", 0, 50)]
        # Two counts under 5 add up to 4: a total under 5.
        few = [Unit("one", 1, 10), Unit("three", 3, 10)]
        assert withheld([alone]).groups == {0}
        assert withheld([few]).groups == {0}

    def test_hiding_in_one_group_hides_in_the_others_until_none_has_one_hidden(self):
        """A kind's bands and the whole kind: a count hidden for the whole kind must not be
        left alone in its band, whose target would give it away, and so the one under 5."""
        small = [Unit("three", 3, 10), Unit("zero", 0, 10)]
        middle = [Unit("seven", 7, 100), Unit("twelve", 12, 100)]
        whole = small + middle
        found = withheld([small, middle, whole])
        assert found.groups == {0}  # the small band's target alone would give 3
        assert set(found.units) == {"three", "seven", "twelve"}
