"""SPC as Making Data Count does it (core/spc.py), checked against the test cases and worked
examples of the NHS-R community's NHSRplotthedots (version 0.2, tests/testthat): each case
names the test it comes from."""

import pytest

from core.spc import (
    MIN_BASELINE,
    Assurance,
    Cause,
    Direction,
    Variation,
    _marked_runs,
    _shift_ends,
    _trend_ends,
    _two_of_three,
    xmr,
)

# R's rnorm(20) after set.seed(123): the data of test-ptd_spc_standard.R.
RNORM = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774,
    1.71506499, 0.46091621, -1.26506123, -0.68685285, -0.44566197,
    1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113,
    1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip


def series(values):
    return [(str(i), v) for i, v in enumerate(values)]


def causes(values, **options):
    return [point.cause for point in xmr(series(values), **options).points]


class TestLimits:
    """_snaps/ptd_spc_standard.md: the mean and process limits of the same data three ways."""

    @pytest.mark.parametrize(
        ("changed", "screen", "mean", "lower", "upper"),
        [
            (None, True, 0.1416238, -3.01138, 3.294627),
            (10, True, 0.6694159, -2.383666, 3.722497),  # y[15] = 10, its moving ranges out
            (10, False, 0.6694159, -4.596625, 5.935457),  # and kept
        ],
    )
    def test_the_limits_as_nhsrplotthedots_gives_them(self, changed, screen, mean, lower, upper):
        values = list(RNORM)
        if changed is not None:
            values[14] = changed
        group = xmr(series(values), screen_outliers=screen, floor=None).current
        assert group.mean == pytest.approx(mean, abs=1e-6)
        assert group.lower == pytest.approx(lower, abs=1e-5)
        assert group.upper == pytest.approx(upper, abs=1e-5)

    def test_a_baseline_fixes_the_limits_on_its_first_points(self):
        """test-ptd_spc_standard.R: fix_after_n_points = 12 changes the limits."""
        whole = xmr(series(RNORM)).current
        fixed = xmr(series(RNORM), baseline=12).current
        assert fixed.baseline == 12 and whole.baseline == 20
        assert fixed.mean == pytest.approx(sum(RNORM[:12]) / 12)
        assert (fixed.lower, fixed.upper) != (whole.lower, whole.upper)

    def test_a_baseline_is_at_least_12_points(self):
        with pytest.raises(ValueError, match="at least 12"):
            xmr(series(RNORM), baseline=MIN_BASELINE - 1)

    def test_fewer_than_12_points_make_a_run_chart_said_in_words(self):
        chart = xmr(series([5, 9, 2, 30, 4, 6, 5, 7, 6, 5, 6]))
        assert not chart.has_limits and chart.upper is None
        assert all(point.cause == Cause.COMMON for point in chart.points)  # 30 is not judged
        assert "a run chart, with no process limits yet" in chart.interpretation()
        assert chart.variation() is None
        assert xmr(series([5, 9, 2, 30, 4, 6, 5, 7, 6, 5, 6, 5])).has_limits  # 12

    def test_a_count_s_lower_limit_is_drawn_at_0(self):
        chart = xmr(series([0, 3, 0, 4, 1, 0, 5, 0, 2, 0, 4, 1]))
        assert chart.current.lower < 0 and chart.lower == 0


class TestTheRules:
    """test-ptd_calculate_point_type.R, each rule on its own."""

    @pytest.mark.parametrize(
        ("sides", "ends"),
        [
            ([], []),
            ([1] * 6, [0] * 6),
            ([1] * 6 + [-1], [0] * 7),
            ([1] * 8 + [-1], [0] * 6 + [1, 1, 0]),
            ([-1] * 8 + [1], [0] * 6 + [-1, -1, 0]),
        ],
    )
    def test_seven_points_on_one_side_of_the_mean(self, sides, ends):
        assert _shift_ends(sides) == ends

    @pytest.mark.parametrize(
        ("ends", "part"),
        [
            ([], []),
            ([0] * 6, [0] * 6),
            ([0] * 6 + [1, 0], [1] * 7 + [0]),
            ([0] * 7 + [1, 0], [0] + [1] * 7 + [0]),
            ([0] * 6 + [-1, 0], [-1] * 7 + [0]),
            ([0] * 7 + [-1, 0], [0] + [-1] * 7 + [0]),
        ],
    )
    def test_every_point_of_a_run_of_seven_is_part_of_it(self, ends, part):
        assert _marked_runs(ends) == part

    @pytest.mark.parametrize(
        ("values", "ends"),
        [
            ([], []),
            ([1, 2, 3, 4, 5, 6], [0] * 6),
            ([1, 2, 3, 3, 4, 5, 6], [0] * 7),  # an equal neighbour breaks it
            ([1, 2, 3, 4, 5, 6, 7], [0] * 6 + [1]),
            ([2, 1, 2, 3, 4, 5, 6, 7, 3], [0] * 7 + [1, 0]),
            ([7, 6, 5, 4, 3, 2, 1], [0] * 6 + [-1]),
            ([2, 7, 6, 5, 4, 3, 2, 1, 3], [0] * 7 + [-1, 0]),
        ],
    )
    def test_a_trend_of_seven(self, values, ends):
        assert _trend_ends(values) == ends

    @pytest.mark.parametrize(
        ("near", "sides", "flagged"),
        [
            ([1, 0, 1], [1, 1, 1], [1, 0, 1]),
            ([0, 1, 1], [1, 1, 1], [0, 1, 1]),
            ([1, 1, 0], [1, 1, 1], [1, 1, 0]),
            ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 0, 1, 0, 0]),
            ([0, 0, 1, 1, 0, 0, 0], [1] * 7, [0, 0, 1, 1, 0, 0, 0]),
            ([1, 0, 0, 1], [1] * 4, [0, 0, 0, 0]),  # two near, but not within three
            ([1, 0, 0, 1, 1], [1] * 5, [0, 0, 0, 1, 1]),
            # On opposite sides of the mean: never.
            ([1, 0, 1], [1, -1, 1], [0, 0, 0]),
            ([0, 1, 1], [1, -1, 1], [0, 0, 0]),
            ([0, 0, 1, 0, 1, 0, 0], [1, -1] * 3 + [1], [0] * 7),
        ],
    )
    def test_two_of_three_near_a_limit(self, near, sides, flagged):
        assert _two_of_three([bool(n) for n in near], sides) == [bool(f) for f in flagged]

    def test_two_points_near_opposite_limits_are_common_cause(self):
        """test-ptd_spc_standard.R: symmetrical data, its last two points near opposite
        limits."""
        values = [1, -1] * 8
        values[14], values[15] = 5.5, -5.5
        assert causes(values, floor=None)[-2:] == [Cause.COMMON, Cause.COMMON]


class TestPrecedence:
    def test_a_point_beyond_a_limit_comes_first(self):
        values = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 11, 9, 40]
        assert causes(values)[-1] == Cause.ABOVE_LIMIT

    def test_a_trend_comes_before_a_shift(self):
        """Seven points rising, all above the mean and within the limits: a trend, not a
        shift."""
        values = [10, 14, 8, 12, 10, 15, 7, 11, 9, 13, 10, 12, 12.5, 13, 14, 15, 16, 17, 18]
        chart = xmr(series(values), baseline=12)
        assert chart.current.upper > 18
        assert [p.cause for p in chart.points[-7:]] == [Cause.RISING] * 7

    def test_a_shift_of_seven_below_the_mean(self):
        values = [10, 12, 9, 11, 10, 12, 9, 11, 10, 12, 9, 11, 8, 9, 8, 9, 8, 9, 8]
        found = causes(values, baseline=12)
        assert found[-7:] == [Cause.BELOW_MEAN] * 7
        assert found[:12] == [Cause.COMMON] * 12


class TestRebasing:
    def test_each_group_has_its_own_limits_and_the_month_before_a_change_is_not_judged_by_the_next(
        self,
    ):
        """The time-critical medicines project: a process at about 30 that falls to about 10
        after its change. Without a rebase every month reads as special cause against one mean
        between the two processes; with one, each group is common cause."""
        before = [30, 32, 29, 31, 30, 33, 28, 31, 30, 32, 29, 31]
        after = [10, 12, 9, 11, 10, 12, 9, 11, 10, 12, 9, 11]
        whole = xmr(series(before + after))
        assert all(point.special for point in whole.points)
        rebased = xmr(series(before + after), rebase=[12])
        assert [(g.first, g.last) for g in rebased.groups] == [(0, 11), (12, 23)]
        assert not rebased.special
        assert rebased.mean == pytest.approx(10.5, abs=0.1)
        assert {p.group for p in rebased.points[12:]} == {1}

    def test_a_new_group_too_short_for_limits_says_so(self):
        chart = xmr(series([30, 32, 29, 31, 30, 33, 28, 31, 30, 32, 29, 31, 10, 12]), rebase=[12])
        assert chart.groups[0].has_limits and not chart.groups[1].has_limits
        assert "since the change recorded" in chart.interpretation()


class TestIncompletePoints:
    def test_the_last_months_are_marked_and_left_out(self):
        values = [10, 12, 9, 11, 10, 12, 9, 11, 10, 12, 9, 11, 2]
        chart = xmr(series(values), incomplete=1)
        assert chart.points[-1].incomplete and chart.points[-1].cause == Cause.COMMON
        assert chart.current.baseline == 12  # the 2 is not in the mean
        assert xmr(series(values)).points[-1].cause == Cause.BELOW_LIMIT


class TestMeaning:
    """ptd_point_type and the variation icons: a special cause in the better direction is
    improvement, the other way concern; neutral where neither is better."""

    HIGH = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 11, 9, 40]

    @pytest.mark.parametrize(
        ("direction", "icon"),
        [
            (Direction.HIGHER, Variation.IMPROVEMENT_HIGH),
            (Direction.LOWER, Variation.CONCERN_HIGH),
            (Direction.NEITHER, Variation.NEUTRAL_HIGH),
        ],
    )
    def test_the_variation_icon_is_the_last_point_s(self, direction, icon):
        assert xmr(series(self.HIGH), direction=direction).variation() == icon

    def test_common_cause_last(self):
        assert xmr(series(self.HIGH[:12])).variation() == Variation.COMMON


class TestAssurance:
    """test-ptd_calculate_assurance_type.R's cases, target 4: limits wholly below it, wholly
    above it, and either side of it."""

    @pytest.mark.parametrize(
        ("values", "direction", "expected"),
        [
            ([2, 2.2] * 6, Direction.HIGHER, Assurance.FAILS),
            ([6, 6.2] * 6, Direction.HIGHER, Assurance.PASSES),
            ([2, 6] * 6, Direction.HIGHER, Assurance.HIT_AND_MISS),
            ([2, 2.2] * 6, Direction.LOWER, Assurance.PASSES),
            ([6, 6.2] * 6, Direction.LOWER, Assurance.FAILS),
            ([2, 6] * 6, Direction.LOWER, Assurance.HIT_AND_MISS),
            ([2, 2.2] * 6, Direction.NEITHER, None),
        ],
    )
    def test_against_a_target(self, values, direction, expected):
        assert xmr(series(values), direction=direction, target=4).assurance() == expected

    def test_no_assurance_without_a_target(self):
        assert xmr(series([2, 2.2] * 6), direction=Direction.HIGHER).assurance() is None
