"""XmR charts checked against examples worked by hand.

Each example writes out the arithmetic: mean, moving ranges (MR), mean moving range
(MR̄, after screening out ranges of 3.267 × MR̄ or more), process limits
(mean ± 2.66 × MR̄) and, where the two-of-three rule matters, two sigma
(2 × 2.66 / 3 × MR̄, as NHSRplotthedots). Floats are compared with a tolerance of 1e-9;
every expected value below is exact arithmetic on the hand-worked numbers.

Most examples freeze the limits on a baseline (`limits_from`), as the outcome charts
do: BASELINE below is 10 14 10 14 10 14 10 14 — mean 12, MR all 4, MR̄ 4, limits
12 ± 10.64 → 1.36 and 22.64, two sigma 12 ± 7.0933 → 4.9067 and 19.0933; no rule fires
on it (it alternates about the mean).
"""

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.spc import RULES, Assurance, Variation, xmr, xmr_by_group


def approx(value):
    return pytest.approx(value, abs=1e-9)


def series(*values):
    return pd.Series(values, dtype=float)


def rules(frame):
    return frame["rule"].tolist()


BASELINE = [10, 14] * 4


def frozen(*after, lower_is_better=True, target=None):
    """BASELINE then `after`, limits from the baseline only."""
    values = [*BASELINE, *after]
    return xmr(
        series(*values),
        lower_is_better=lower_is_better,
        limits_from=[True] * len(BASELINE) + [False] * len(after),
        target=target,
    )


# --- The arithmetic ---------------------------------------------------------------


def test_mean_moving_range_and_limits_by_hand():
    # values 10 12 11 13 14: sum 60, n 5, mean 12.
    # MR: – 2 1 2 1; MR̄ = 6 / 4 = 1.5.
    # Limits: 12 ± 2.66 × 1.5 = 12 ± 3.99 → 8.01 and 15.99.
    # No range is 3.267 × 1.5 = 4.9005 or more: none screened.
    # Sigma = 2.66 / 3 × 1.5 = 1.33; two sigma 2.66; 12 ± that.
    frame = xmr(series(10, 12, 11, 13, 14), lower_is_better=True)

    assert frame["moving_range"].iloc[1:].tolist() == [2.0, 1.0, 2.0, 1.0]
    assert math.isnan(frame["moving_range"].iloc[0])
    assert frame["mean"].tolist() == [12.0] * 5
    assert frame["mean_moving_range"].iloc[0] == approx(1.5)
    assert frame["lower_limit"].iloc[0] == approx(8.01)
    assert frame["upper_limit"].iloc[0] == approx(15.99)
    assert frame["sigma"].iloc[0] == approx(1.33)
    assert frame["upper_two_sigma"].iloc[0] == approx(14.66)
    assert frame["lower_two_sigma"].iloc[0] == approx(9.34)
    # 14 is below the two-sigma line (14.66), 10 above the lower one (9.34).
    assert rules(frame) == [None] * 5
    assert frame["special_cause"].tolist() == [False] * 5
    assert frame["variation"].tolist() == ["common_cause"] * 5
    assert frame["description"].iloc[-1] == "Common cause variation"


def test_the_index_is_kept_so_rows_line_up_with_their_quarters():
    values = pd.Series([10.0, 12.0, 11.0], index=["2018/19 Q1", "2018/19 Q2", "2018/19 Q3"])

    frame = xmr(values)

    assert frame.index.tolist() == ["2018/19 Q1", "2018/19 Q2", "2018/19 Q3"]


# --- Rule (a): a point outside the process limits ------------------------------------


def test_a_point_above_the_frozen_upper_limit_is_special_cause():
    # BASELINE then 12 30: 30 > 22.64. 12 is on the mean.
    frame = frozen(12, 30)

    assert frame["upper_limit"].iloc[-1] == approx(22.64)
    assert frame["lower_limit"].iloc[-1] == approx(1.36)
    assert rules(frame) == [None] * 9 + ["outside_limits"]
    assert frame["outside_limits"].tolist() == [None] * 9 + ["high"]
    assert frame["direction"].iloc[-1] == "high"
    # More A&E attendances is worse.
    assert frame["variation"].iloc[-1] == "concern"
    assert frame["description"].iloc[-1] == (
        "Special cause – concern (above the upper process limit)"
    )


def test_a_point_below_the_lower_limit_is_an_improvement_when_lower_is_better():
    # BASELINE then 12 1: 1 < 1.36.
    frame = frozen(12, 1)

    assert rules(frame)[-1] == "outside_limits"
    assert frame["variation"].iloc[-1] == "improvement"
    assert frame["description"].iloc[-1] == (
        "Special cause – improvement (below the lower process limit)"
    )


def test_an_outlying_moving_range_is_screened_before_the_limits_are_set():
    # Difference (1) from our old rules. values 10 12 10 12 10 12 10 12 11 30: sum 129,
    # mean 12.9. MR: 2 × 7, 1, 19: MR̄ 34 / 9 = 3.7778; 19 ≥ 3.267 × 3.7778 = 12.342
    # is screened, so MR̄ = 15 / 8 = 1.875, limits 12.9 ± 4.9875 → 7.9125, 17.8875
    # (unscreened they would be 12.9 ± 10.0489). 30 is outside; the nine points before
    # it are all below the mean (pulled up by 30): a run.
    frame = xmr(series(10, 12, 10, 12, 10, 12, 10, 12, 11, 30), lower_is_better=True)

    assert frame["mean_moving_range"].iloc[0] == approx(1.875)
    assert frame["upper_limit"].iloc[0] == approx(17.8875)
    assert rules(frame) == ["shift"] * 9 + ["outside_limits"]
    # The moving range column still shows every range, the screened one too.
    assert frame["moving_range"].iloc[-1] == 19.0


def test_a_point_on_the_limit_is_not_outside_it():
    # values 7 7 7: mean 7, MR̄ 0, so both limits are 7 and every point sits exactly on
    # them. "Outside" is strictly beyond: none of them is.
    frame = xmr(series(7, 7, 7), lower_is_better=True)

    assert frame["upper_limit"].tolist() == [7.0] * 3
    assert frame["outside_limits"].tolist() == [None] * 3


# --- Rule (b): a run of 7 on one side of the mean -------------------------------------


def test_a_run_of_seven_below_the_mean_is_special_cause():
    # values 9 2 3 2 3 2 3 2 10: sum 36, n 9, mean 4.
    # The seven middle points (2 3 2 3 2 3 2) are all below 4.
    # MR: – 7 1 1 1 1 1 1 8; MR̄ = 21 / 8 = 2.625. Limits 4 ± 6.9825 → −2.9825, 10.9825:
    # nothing outside. Two sigma = 5.25 / 1.128 = 4.6543 → 8.6543: 9 and 10 are beyond
    # it, but they are eight points apart, so rule (d) does not fire. No trend.
    frame = xmr(series(9, 2, 3, 2, 3, 2, 3, 2, 10), lower_is_better=True)

    assert frame["mean_moving_range"].iloc[0] == approx(2.625)
    assert frame["upper_limit"].iloc[0] == approx(10.9825)
    assert rules(frame) == [None] + ["shift"] * 7 + [None]
    assert frame["shift"].tolist() == [None] + ["low"] * 7 + [None]
    assert frame["variation"].iloc[1] == "improvement"
    assert frame["description"].iloc[1] == "Special cause – improvement (run below mean)"


def test_a_run_of_seven_above_the_mean_is_a_concern_when_lower_is_better():
    # The same series upside down: 0 7 6 7 6 7 6 7 −1 (= 9 − each value). Mean 5.
    frame = xmr(series(0, 7, 6, 7, 6, 7, 6, 7, -1), lower_is_better=True)

    assert frame["mean"].iloc[0] == approx(5.0)
    assert rules(frame) == [None] + ["shift"] * 7 + [None]
    assert frame["description"].iloc[1] == "Special cause – concern (run above mean)"


def test_a_run_of_six_is_not_enough():
    # values 9 2 3 2 3 2 3 8: sum 32, n 8, mean 4. Six points below 4.
    # MR: – 7 1 1 1 1 1 5; MR̄ = 17 / 7. Two sigma = 34 / 7 / 1.128 = 4.3060 → 8.3060:
    # only 9 is beyond it. Upper limit 4 + 2.66 × 17 / 7 = 10.46: nothing outside.
    frame = xmr(series(9, 2, 3, 2, 3, 2, 3, 8), lower_is_better=True)

    assert frame["shift"].tolist() == [None] * 8
    assert rules(frame) == [None] * 8


def test_a_point_exactly_on_the_mean_breaks_a_run():
    # values 10 2 3 2 4 2 3 2 3 9: sum 40, n 10, mean 4. Below the mean: three points,
    # then 4 (on the mean), then four points: no run of seven, although seven of the
    # eight middle points are below the mean.
    # MR: – 8 1 1 2 2 1 1 1 6; MR̄ = 23 / 9 = 2.5556. Upper limit 10.7978: nothing
    # outside. Two sigma → 8.5311: 10 and 9 are beyond it but nine points apart.
    frame = xmr(series(10, 2, 3, 2, 4, 2, 3, 2, 3, 9), lower_is_better=True)

    assert frame["mean"].iloc[0] == approx(4.0)
    assert rules(frame) == [None] * 10


# --- Rule (b): a trend of 7 rising or falling ----------------------------------------------


def test_seven_points_each_higher_than_the_last_are_a_rising_trend():
    # BASELINE then 9 10 11 12 13 14 15: the step 14 → 9 falls, then six rises cover
    # the seven points. Within the limits, none beyond two sigma; 9 10 11 below the
    # mean, 12 on it, 13 14 15 above: no run of 7.
    frame = frozen(9, 10, 11, 12, 13, 14, 15)

    assert rules(frame) == [None] * 8 + ["trend"] * 7
    assert frame["trend"].tolist() == [None] * 8 + ["high"] * 7
    assert frame["description"].iloc[-1] == "Special cause – concern (rising trend)"


def test_seven_points_falling_are_an_improvement_when_lower_is_better():
    frame = frozen(15, 14, 13, 12, 11, 10, 9)

    assert frame["trend"].tolist() == [None] * 8 + ["low"] * 7
    assert frame["description"].iloc[-1] == "Special cause – improvement (falling trend)"


def test_six_rising_points_are_not_a_trend():
    # Difference (2): our old rules flagged six. values 1 2 3 4 5 6: mean 3.5, MR̄ 1,
    # limits 0.84 and 6.16, two sigma 3.5 ± 1.7733 → 1.7267 and 5.2733: 1 and 6 are
    # beyond it, on opposite sides, so no two-of-three.
    frame = xmr(series(1, 2, 3, 4, 5, 6), lower_is_better=True)

    assert rules(frame) == [None] * 6


def test_an_equal_neighbour_breaks_a_trend():
    # 1 2 3 3 4 5 6 7: the repeated 3 splits seven rises into runs of three and five points.
    frame = xmr(series(1, 2, 3, 3, 4, 5, 6, 7), lower_is_better=True)

    assert frame["trend"].tolist() == [None] * 8


def test_the_peak_of_a_rising_and_a_falling_trend_takes_the_step_to_its_right():
    # Difference (6). Baseline 5 19 × 4: mean 12, MR̄ 14, limits 12 ± 37.24 (nothing
    # near them). Then 6 … 12 … 6: six rises then six falls; 12 ends the one and starts
    # the other, and is described by the step after it (falling). 12 is on the mean, the
    # six either side below it: no run of 7.
    values = [5, 19] * 4 + [6, 7, 8, 9, 10, 11, 12, 11, 10, 9, 8, 7, 6]
    frame = xmr(series(*values), lower_is_better=True, limits_from=[True] * 8 + [False] * 13)

    assert rules(frame) == [None] * 8 + ["trend"] * 13
    assert frame["trend"].tolist() == [None] * 8 + ["high"] * 6 + ["low"] * 7


# --- Rule (d): two out of three beyond two sigma, same side ---------------------------------


def test_two_of_three_points_close_to_the_upper_limit_are_special_cause():
    # BASELINE then 20 13 21 12: 20 and 21 are beyond two sigma (19.0933), inside the
    # limit (22.64); with 13 all three are above the mean. 13 is not marked. The run
    # above the mean is four points (14 20 13 21): no shift.
    frame = frozen(20, 13, 21, 12)

    assert frame["upper_two_sigma"].iloc[0] == approx(12 + 2 * 2.66 / 3 * 4)
    assert rules(frame) == [None] * 8 + ["two_of_three", None, "two_of_three", None]
    assert frame["description"].iloc[8] == (
        "Special cause – concern (2 of 3 close to the upper limit)"
    )


def test_two_of_three_close_to_the_lower_limit_are_an_improvement():
    # BASELINE then 4 11 3 12: 4 and 3 are below 4.9067, above 1.36; 11 below the mean.
    frame = frozen(4, 11, 3, 12)

    assert frame["two_of_three"].tolist() == [None] * 8 + ["low", None, "low", None]
    assert frame["variation"].iloc[8] == "improvement"


def test_two_of_three_need_all_three_points_on_the_same_side_of_the_mean():
    # Difference (4): BASELINE then 20 11 21: 11 is below the mean.
    frame = frozen(20, 11, 21)

    assert frame["two_of_three"].tolist() == [None] * 11
    assert rules(frame) == [None] * 11


def test_a_point_outside_the_limits_is_not_close_to_them():
    # Difference (3): BASELINE then 20 13 25: 25 is beyond the limit (22.64), so only one
    # of the three (20) is close to it.
    frame = frozen(20, 13, 25)

    assert rules(frame) == [None] * 10 + ["outside_limits"]


def test_two_beyond_two_sigma_on_opposite_sides_do_not_count():
    # BASELINE then 20 4 12.
    frame = frozen(20, 4, 12)

    assert frame["two_of_three"].tolist() == [None] * 11
    assert rules(frame) == [None] * 11


# --- Which rule describes a point, and measures with no better direction ------------------


def test_a_point_outside_the_limits_is_described_by_that_rule_first():
    # Baseline ending low (14 10 × 4, mean 12, limits 1.36 and 22.64), then
    # 15 16 15 16 15 16 30: seven above the mean (a run), the last beyond the limit.
    values = [14, 10] * 4 + [15, 16, 15, 16, 15, 16, 30]
    frame = xmr(series(*values), lower_is_better=True, limits_from=[True] * 8 + [False] * 7)

    assert frame["shift"].tolist() == [None] * 8 + ["high"] * 7
    assert rules(frame) == [None] * 8 + ["shift"] * 6 + ["outside_limits"]


def test_a_trend_describes_a_point_before_a_run():
    # Difference (5). BASELINE then 13 … 19: seven rising, all above the mean; 19 is not
    # beyond two sigma (19.0933). Both a trend and a run: the trend describes them.
    frame = frozen(13, 14, 15, 16, 17, 18, 19)

    assert frame["shift"].tolist() == [None] * 7 + ["high"] * 8
    assert rules(frame) == [None] * 7 + ["shift"] + ["trend"] * 7


def test_a_shift_after_go_live_against_frozen_baseline_limits():
    # BASELINE, then after go-live 11 10 11 9 10 11 10: all seven below the baseline
    # mean of 12 (they would not be against their own mean, 10.29), none near a limit,
    # no trend.
    frame = frozen(11, 10, 11, 9, 10, 11, 10)

    assert frame["mean"].tolist() == [12.0] * 15
    assert rules(frame) == [None] * 8 + ["shift"] * 7
    assert frame["variation"].tolist() == ["common_cause"] * 8 + ["improvement"] * 7
    assert frame["description"].iloc[-1] == "Special cause – improvement (run below mean)"


def test_a_measure_with_no_better_direction_is_neither():
    frame = xmr(series(10, 11, 10, 11, 30), lower_is_better=None)

    assert frame["variation"].iloc[-1] == "neither"
    assert frame["description"].iloc[-1] == (
        "Special cause – neither improvement nor concern (above the upper process limit)"
    )


# --- Edge cases ------------------------------------------------------------------------


def test_no_points_gives_an_empty_chart():
    frame = xmr(series())

    assert frame.empty
    assert "upper_limit" in frame.columns


def test_one_point_has_a_mean_but_no_limits():
    frame = xmr(series(42), lower_is_better=True)

    assert frame["mean"].tolist() == [42.0]
    assert math.isnan(frame["upper_limit"].iloc[0])
    assert math.isnan(frame["lower_limit"].iloc[0])
    assert math.isnan(frame["mean_moving_range"].iloc[0])
    assert frame["special_cause"].tolist() == [False]
    assert frame["variation"].tolist() == ["too_few"]
    assert frame["description"].tolist() == ["Too few points to judge"]


def test_two_points_are_enough_for_limits():
    # values 10 14: mean 12, MR̄ = 4, limits 12 ± 10.64.
    frame = xmr(series(10, 14), lower_is_better=True)

    assert frame["lower_limit"].iloc[0] == approx(1.36)
    assert frame["upper_limit"].iloc[0] == approx(22.64)
    assert frame["variation"].tolist() == ["common_cause"] * 2


def test_a_constant_series_has_zero_moving_range_and_no_special_cause():
    # values 7 7 7 7 7 7 7 7: mean 7, MR all 0, MR̄ 0, limits 7 and 7. Every point is
    # on the mean (no run), none is strictly beyond a limit, none rises or falls.
    frame = xmr(series(*[7] * 8), lower_is_better=True)

    assert frame["mean_moving_range"].iloc[0] == 0.0
    assert frame["upper_limit"].iloc[0] == 7.0
    assert frame["lower_limit"].iloc[0] == 7.0
    assert frame["special_cause"].tolist() == [False] * 8
    assert frame["variation"].tolist() == ["common_cause"] * 8


def test_a_gap_is_left_out_of_the_mean_and_its_moving_ranges_dropped():
    # Difference (7): values 10 12 – 11 13 14. Mean of the five present: 60 / 5 = 12.
    # MR: 2, –, –, 2, 1 (the two touching the gap dropped): MR̄ 5 / 3.
    frame = xmr(series(10, 12, None, 11, 13, 14), lower_is_better=True)

    assert frame["mean"].iloc[0] == approx(12.0)
    assert frame["mean_moving_range"].iloc[0] == approx(5 / 3)
    assert frame["variation"].tolist() == ["common_cause"] * 2 + ["missing"] + ["common_cause"] * 3
    assert frame["description"].iloc[2] == "No value"
    assert frame["special_cause"].iloc[2] == False  # noqa: E712 (numpy bool)


def test_a_gap_ends_a_run():
    # BASELINE then 11 10 11 – 9 10 11 10: seven below the mean but a gap among them.
    frame = frozen(11, 10, 11, None, 9, 10, 11, 10)

    assert frame["shift"].tolist() == [None] * 16


# --- Indicative limits and assurance ------------------------------------------------------


def test_limits_from_fewer_than_fifteen_points_are_indicative():
    fourteen = xmr(series(*[10, 12] * 7))
    fifteen = xmr(series(*[10, 12] * 7, 11))
    gap = xmr(series(*[10, 12] * 7, None))

    assert fourteen["limits_indicative"].tolist() == [True] * 14
    assert fifteen["limits_indicative"].tolist() == [False] * 15
    assert gap["limits_indicative"].tolist() == [True] * 15


TWENTY = [10, 14] * 10  # mean 12, MR̄ 4, limits 1.36 and 22.64


@pytest.mark.parametrize(
    ("target", "lower_is_better", "assurance"),
    [
        (12.0, True, "hit_and_miss"),
        (12.0, False, "hit_and_miss"),
        (22.64, True, "hit_and_miss"),  # on the limit is within it
        (25.0, True, "pass"),  # every point below a ceiling of 25
        (25.0, False, "fail"),  # every point short of a floor of 25
        (0.0, True, "fail"),  # none below a ceiling of 0
        (0.0, False, "pass"),  # every point above a floor of 0
        (None, True, "none"),
        (12.0, None, "none"),  # no better direction
    ],
)
def test_assurance_compares_the_target_with_the_limits(target, lower_is_better, assurance):
    frame = xmr(series(*TWENTY), lower_is_better=lower_is_better, target=target)

    assert frame["assurance"].tolist() == [assurance] * 20
    assert frame["target"].isna().all() if target is None else frame["target"].eq(target).all()


def test_assurance_reads_the_target_at_the_last_point():
    targets = [25.0] * 19 + [12.0]

    frame = xmr(series(*TWENTY), lower_is_better=True, target=targets)

    assert set(frame["assurance"]) == {"hit_and_miss"}
    assert frame["target"].tolist() == targets


def test_no_assurance_from_fewer_than_fifteen_points():
    frame = xmr(series(*[10, 14] * 7), lower_is_better=True, target=25.0)

    assert set(frame["assurance"]) == {"none"}
    assert set(xmr(series(), target=25.0)["assurance"]) == set()


def test_no_assurance_without_limits():
    frame = xmr(series(10), lower_is_better=True, target=25.0)

    assert frame["assurance"].tolist() == ["none"]


def test_limits_from_needs_one_answer_per_point():
    with pytest.raises(ValueError, match="one True or False per point"):
        xmr(series(1, 2, 3), limits_from=[True, True])


# --- Many series at once: xmr_by_group equals xmr series by series --------------------


def random_series(rng: np.random.Generator) -> list[float]:
    """Short and long series shaped to fire every rule, with ties and repeated values."""
    length = int(rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 20, 40, 60]))
    shape = rng.choice(["small integers", "walk", "step", "trend", "peak", "spike", "decimals"])
    if shape == "small integers":  # ties with the mean and equal neighbours
        values = rng.integers(0, 4, length).astype(float)
    elif shape == "walk":
        values = np.cumsum(rng.integers(-2, 3, length)).astype(float) + 50
    elif shape == "step":  # a run on one side of the mean
        values = rng.normal(100, 3, length).round(1)
        values[length // 2 :] += 15
    elif shape == "trend":
        values = (np.arange(length) * rng.choice([-1, 1]) * 2 + rng.normal(0, 1, length)).round(1)
    elif shape == "peak":  # a rising trend meeting a falling one at a shared point
        top = int(rng.integers(0, max(length, 1)))
        values = -np.abs(np.arange(length) - top).astype(float) * 3 + rng.normal(0, 0.5, length)
    elif shape == "spike":  # beyond the limits, or two of three near them
        values = rng.normal(1000, 10, length).round(1)
        if length:
            values[rng.integers(0, length, 2)] += rng.choice([-60, 60])
    else:  # one decimal place, like the outcome figures: sums round differently by order
        values = rng.uniform(0, 1e5, length).round(1)
    if length and rng.random() < 0.2:  # gaps
        values[rng.integers(0, length, 2)] = np.nan
    return values.tolist()


def test_xmr_by_group_equals_xmr_on_each_of_many_random_series():
    rng = np.random.default_rng(7)
    groups = {(place, measure): random_series(rng) for place in range(150) for measure in range(4)}
    better = dict(enumerate([True, False, None, True]))
    # Interleaved as the page's frame is: by quarter, then by place; each series in order.
    # Limits from the first few points (a baseline) or all; a target now and then.
    baseline = {key: int(rng.choice([0, 3, 10, 100])) or 100 for key in groups}
    targets = {key: rng.choice([np.nan, 0.0, 50.0, 100.0, 1000.0]) for key in groups}
    rows = [
        {
            "place": place,
            "measure": measure,
            "quarter": quarter,
            "value": value,
            "baseline": quarter < baseline[(place, measure)],
            "target": targets[(place, measure)],
        }
        for (place, measure), values in groups.items()
        for quarter, value in enumerate(values)
    ]
    frame = pd.DataFrame(rows).sort_values(["quarter", "place"], kind="stable")
    frame = frame.set_index(pd.Index(rng.permutation(len(frame)) * 10, name="row"))
    frame["lower_is_better"] = frame["measure"].map(better).astype(object)

    grouped = xmr_by_group(
        frame,
        by=["place", "measure"],
        lower_is_better="lower_is_better",
        limits_from="baseline",
        target="target",
    )

    assert grouped.index.equals(frame.index)
    for (_place, measure), part in frame.groupby(["place", "measure"], sort=False):
        expected = xmr(
            part["value"],
            lower_is_better=better[measure],
            limits_from=part["baseline"].tolist(),
            target=part["target"].to_numpy(),
        )
        pd.testing.assert_frame_equal(grouped.loc[part.index], expected, check_exact=True)
    # The random series exercised every rule, both ways, and every verdict.
    for rule in RULES:
        assert set(grouped[str(rule)].dropna()) == {"high", "low"}, rule
    assert set(grouped["variation"]) == {str(variation) for variation in Variation}
    assert set(grouped["assurance"]) == {str(assurance) for assurance in Assurance}
    assert set(grouped["limits_indicative"]) == {True, False}


def test_xmr_by_group_of_no_rows_is_empty_with_xmr_columns():
    frame = pd.DataFrame({"place": [], "value": []})

    grouped = xmr_by_group(frame, by=["place"])

    assert grouped.empty
    assert grouped.columns.tolist() == xmr(series()).columns.tolist()


def test_xmr_by_group_takes_one_answer_for_every_group():
    # Each group: BASELINE then 12 30 (30 beyond the frozen upper limit).
    frame = pd.DataFrame(
        {
            "place": [1] * 10 + [2] * 10,
            "value": [*BASELINE, 12, 30] * 2,
            "baseline": ([True] * 8 + [False] * 2) * 2,
        }
    )

    grouped = xmr_by_group(frame, by=["place"], lower_is_better=False, limits_from="baseline")

    assert grouped["variation"].tolist() == (["common_cause"] * 9 + ["improvement"]) * 2


def test_xmr_by_group_takes_gaps():
    frame = pd.DataFrame({"place": [1, 1, 1], "value": [1, None, 3]})

    grouped = xmr_by_group(frame, by=["place"])

    assert grouped["variation"].tolist() == ["too_few", "missing", "too_few"]


def test_a_series_with_nothing_to_calculate_limits_from_is_too_few_to_judge():
    frame = xmr(series(10, 12, 11), lower_is_better=True, limits_from=[False] * 3)

    assert frame["variation"].tolist() == ["too_few"] * 3
    assert frame["upper_limit"].isna().all()
    assert frame["limits_indicative"].all()


def test_a_change_point_starts_a_segment_with_its_own_frozen_limits():
    # One series, the office's change point at row 10: segment 0 is BASELINE (limits
    # from it) then 11 13; segment 1 rebases on its first four months 5 7 5 7 (mean 6,
    # MR̄ 2, limits 6 ± 5.32 → 0.68 and 11.32) and then 12 is beyond them.
    frame = pd.DataFrame(
        {
            "segment": [0] * 10 + [1] * 5,
            "value": [*BASELINE, 11, 13, 5, 7, 5, 7, 12],
            "limits_from": [True] * 8 + [False] * 2 + [True] * 4 + [False],
        }
    )

    grouped = xmr_by_group(frame, by=["segment"], lower_is_better=True, limits_from="limits_from")

    assert grouped["mean"].tolist() == [12.0] * 10 + [6.0] * 5
    assert grouped["upper_limit"].iloc[-1] == approx(11.32)
    assert grouped["rule"].tolist() == [None] * 14 + ["outside_limits"]
    assert grouped["variation"].iloc[-1] == "concern"
    assert grouped["limits_indicative"].tolist() == [True] * 15  # 8 and 4 points
