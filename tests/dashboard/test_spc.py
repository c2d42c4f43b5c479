"""XmR charts checked against examples worked by hand.

Each example writes out the arithmetic: mean, moving ranges (MR), mean moving range
(MR̄), process limits (mean ± 2.66 × MR̄) and, where rule (d) matters, two sigma
(2 × MR̄ / 1.128). Floats are compared with a tolerance of 1e-9; every expected
value below is exact arithmetic on the hand-worked numbers.
"""

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.spc import RULES, Variation, xmr, xmr_by_group


def approx(value):
    return pytest.approx(value, abs=1e-9)


def series(*values):
    return pd.Series(values, dtype=float)


def rules(frame):
    return frame["rule"].tolist()


# --- The arithmetic ---------------------------------------------------------------


def test_mean_moving_range_and_limits_by_hand():
    # values 10 12 11 13 14: sum 60, n 5, mean 12.
    # MR: – 2 1 2 1; MR̄ = 6 / 4 = 1.5.
    # Limits: 12 ± 2.66 × 1.5 = 12 ± 3.99 → 8.01 and 15.99.
    # Sigma = 1.5 / 1.128; two sigma = 3 / 1.128 = 2.659574…; 12 ± that.
    frame = xmr(series(10, 12, 11, 13, 14), lower_is_better=True)

    assert frame["moving_range"].iloc[1:].tolist() == [2.0, 1.0, 2.0, 1.0]
    assert math.isnan(frame["moving_range"].iloc[0])
    assert frame["mean"].tolist() == [12.0] * 5
    assert frame["mean_moving_range"].iloc[0] == approx(1.5)
    assert frame["lower_limit"].iloc[0] == approx(8.01)
    assert frame["upper_limit"].iloc[0] == approx(15.99)
    assert frame["sigma"].iloc[0] == approx(1.5 / 1.128)
    assert frame["upper_two_sigma"].iloc[0] == approx(12 + 3 / 1.128)
    assert frame["lower_two_sigma"].iloc[0] == approx(12 - 3 / 1.128)
    # 14 is below the two-sigma line (14.6596), 10 above the lower one (9.3404).
    assert rules(frame) == [None] * 5
    assert frame["special_cause"].tolist() == [False] * 5
    assert frame["variation"].tolist() == ["common_cause"] * 5
    assert frame["description"].iloc[-1] == "Common cause variation"


def test_the_index_is_kept_so_rows_line_up_with_their_quarters():
    values = pd.Series([10.0, 12.0, 11.0], index=["2018/19 Q1", "2018/19 Q2", "2018/19 Q3"])

    frame = xmr(values)

    assert frame.index.tolist() == ["2018/19 Q1", "2018/19 Q2", "2018/19 Q3"]


# --- Rule (a): a point outside the process limits ------------------------------------


def test_a_point_above_the_upper_limit_is_special_cause():
    # values 10 11 10 11 30: sum 72, mean 14.4.
    # MR: – 1 1 1 19; MR̄ = 22 / 4 = 5.5. Limits 14.4 ± 14.63 → −0.23 and 29.03.
    # 30 > 29.03. Two sigma = 11 / 1.128 = 9.7518 → 24.15: only 30 is beyond it,
    # so rule (d) does not fire.
    frame = xmr(series(10, 11, 10, 11, 30), lower_is_better=True)

    assert frame["upper_limit"].iloc[0] == approx(29.03)
    assert frame["lower_limit"].iloc[0] == approx(-0.23)
    assert rules(frame) == [None, None, None, None, "outside_limits"]
    assert frame["outside_limits"].tolist() == [None, None, None, None, "high"]
    assert frame["direction"].iloc[-1] == "high"
    # More A&E attendances is worse.
    assert frame["variation"].iloc[-1] == "concern"
    assert frame["description"].iloc[-1] == (
        "Special cause – concern (above the upper process limit)"
    )


def test_a_point_below_the_lower_limit_is_an_improvement_when_lower_is_better():
    # values 20 19 20 19 2: sum 80, mean 16. MR: – 1 1 1 17; MR̄ = 20 / 4 = 5.
    # Lower limit 16 − 13.3 = 2.7; 2 < 2.7.
    frame = xmr(series(20, 19, 20, 19, 2), lower_is_better=True)

    assert frame["lower_limit"].iloc[0] == approx(2.7)
    assert rules(frame)[-1] == "outside_limits"
    assert frame["variation"].iloc[-1] == "improvement"
    assert frame["description"].iloc[-1] == (
        "Special cause – improvement (below the lower process limit)"
    )


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


# --- Rule (c): a run of 6 rising or falling ---------------------------------------------


def test_six_points_each_higher_than_the_last_are_a_rising_trend():
    # values 1 2 3 4 5 6: mean 3.5; MR all 1, MR̄ = 1. Limits 3.5 ± 2.66 → 0.84, 6.16:
    # nothing outside. Two sigma = 2 / 1.128 = 1.7730 → 1.7270 and 5.2730: only 1 and 6
    # are beyond, one on each side, so rule (d) does not fire. Three points either side
    # of the mean: no shift.
    frame = xmr(series(1, 2, 3, 4, 5, 6), lower_is_better=True)

    assert frame["lower_limit"].iloc[0] == approx(0.84)
    assert frame["upper_limit"].iloc[0] == approx(6.16)
    assert rules(frame) == ["trend"] * 6
    assert frame["trend"].tolist() == ["high"] * 6
    assert frame["description"].iloc[0] == "Special cause – concern (rising trend)"


def test_six_points_falling_are_an_improvement_when_lower_is_better():
    frame = xmr(series(6, 5, 4, 3, 2, 1), lower_is_better=True)

    assert frame["trend"].tolist() == ["low"] * 6
    assert frame["description"].iloc[-1] == "Special cause – improvement (falling trend)"


def test_five_rising_points_are_not_a_trend():
    # values 1 2 3 4 5: mean 3, MR̄ 1, two sigma → 1.2270 and 4.7730: 1 and 5 are beyond,
    # on opposite sides. Limits 0.34 and 5.66.
    frame = xmr(series(1, 2, 3, 4, 5), lower_is_better=True)

    assert rules(frame) == [None] * 5


def test_an_equal_neighbour_breaks_a_trend():
    # 1 2 3 3 4 5 6: the repeated 3 splits six rises into runs of three and four points.
    frame = xmr(series(1, 2, 3, 3, 4, 5, 6), lower_is_better=True)

    assert frame["trend"].tolist() == [None] * 7


# --- Rule (d): two out of three beyond two sigma, same side ---------------------------------


def test_two_of_three_points_close_to_the_upper_limit_are_special_cause():
    # values 8 6 8 6 5 5 5 5: sum 48, n 8, mean 6.
    # MR: – 2 2 2 1 0 0 0; MR̄ = 7 / 7 = 1. Limits 6 ± 2.66 → 3.34, 8.66: nothing outside.
    # Two sigma = 2 / 1.128 = 1.7730 → 7.7730: the 8s at points 1 and 3 are beyond it,
    # within three consecutive points (8 6 8). The 6 between them is not marked.
    # No shift (6 is on the mean; four 5s), no trend.
    frame = xmr(series(8, 6, 8, 6, 5, 5, 5, 5), lower_is_better=True)

    assert frame["upper_two_sigma"].iloc[0] == approx(6 + 2 / 1.128)
    assert frame["upper_limit"].iloc[0] == approx(8.66)
    assert rules(frame) == ["two_of_three", None, "two_of_three", None, None, None, None, None]
    assert frame["description"].iloc[0] == (
        "Special cause – concern (2 of 3 close to the upper limit)"
    )


def test_two_of_three_close_to_the_lower_limit_are_an_improvement():
    # The mirror image about 6: 4 6 4 6 7 7 7 7. Lower two-sigma line 4.2270.
    frame = xmr(series(4, 6, 4, 6, 7, 7, 7, 7), lower_is_better=True)

    assert frame["two_of_three"].tolist() == ["low", None, "low", None, None, None, None, None]
    assert frame["variation"].iloc[0] == "improvement"


def test_two_beyond_two_sigma_on_opposite_sides_do_not_count():
    # values 8 6 4 6 6 6 6 6: sum 48, mean 6. MR: – 2 2 2 0 0 0 0; MR̄ = 6 / 7.
    # Two sigma = 12 / 7 / 1.128 = 1.5198 → 4.4802 and 7.5198: 8 is above, 4 below.
    # Limits 6 ± 2.28 → 3.72 and 8.28: nothing outside.
    frame = xmr(series(8, 6, 4, 6, 6, 6, 6, 6), lower_is_better=True)

    assert frame["two_of_three"].tolist() == [None] * 8
    assert rules(frame) == [None] * 8


# --- Which rule describes a point, and measures with no better direction ------------------


def test_a_point_outside_the_limits_is_described_by_that_rule_first():
    # values 5 5 5 5 5 5 5 5 5 25: sum 70, n 10, mean 7. MR: 0 × 8, then 20; MR̄ = 20 / 9.
    # Upper limit 7 + 2.66 × 20 / 9 = 12.91: 25 is outside. Nine 5s below the mean: a
    # shift. 25 is both outside the limits and (alone) beyond two sigma.
    frame = xmr(series(5, 5, 5, 5, 5, 5, 5, 5, 5, 25), lower_is_better=True)

    assert frame["upper_limit"].iloc[0] == approx(7 + 2.66 * 20 / 9)
    assert rules(frame) == ["shift"] * 9 + ["outside_limits"]
    assert frame["variation"].tolist() == ["improvement"] * 9 + ["concern"]


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


def test_gaps_must_be_left_out_before_charting():
    with pytest.raises(ValueError, match="leave out the gaps"):
        xmr(series(1, None, 3))


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
    return values.tolist()


def test_xmr_by_group_equals_xmr_on_each_of_many_random_series():
    rng = np.random.default_rng(7)
    groups = {(place, measure): random_series(rng) for place in range(150) for measure in range(4)}
    better = dict(enumerate([True, False, None, True]))
    # Interleaved as the page's frame is: by quarter, then by place; each series in order.
    rows = [
        {"place": place, "measure": measure, "quarter": quarter, "value": value}
        for (place, measure), values in groups.items()
        for quarter, value in enumerate(values)
    ]
    frame = pd.DataFrame(rows).sort_values(["quarter", "place"], kind="stable")
    frame = frame.set_index(pd.Index(rng.permutation(len(frame)) * 10, name="row"))
    frame["lower_is_better"] = frame["measure"].map(better).astype(object)

    grouped = xmr_by_group(frame, by=["place", "measure"], lower_is_better="lower_is_better")

    assert grouped.index.equals(frame.index)
    for (_place, measure), part in frame.groupby(["place", "measure"], sort=False):
        expected = xmr(part["value"], lower_is_better=better[measure])
        pd.testing.assert_frame_equal(grouped.loc[part.index], expected, check_exact=True)
    # The random series exercised every rule, both ways, and every verdict.
    for rule in RULES:
        assert set(grouped[str(rule)].dropna()) == {"high", "low"}, rule
    assert set(grouped["variation"]) == {str(variation) for variation in Variation}


def test_xmr_by_group_of_no_rows_is_empty_with_xmr_columns():
    frame = pd.DataFrame({"place": [], "value": []})

    grouped = xmr_by_group(frame, by=["place"])

    assert grouped.empty
    assert grouped.columns.tolist() == xmr(series()).columns.tolist()


def test_xmr_by_group_takes_one_answer_for_every_group():
    frame = pd.DataFrame({"place": [1] * 5 + [2] * 5, "value": [10, 11, 10, 11, 30] * 2})

    grouped = xmr_by_group(frame, by=["place"], lower_is_better=False)

    assert grouped["variation"].tolist() == (["common_cause"] * 4 + ["improvement"]) * 2


def test_xmr_by_group_needs_a_value_at_every_point():
    frame = pd.DataFrame({"place": [1, 1, 1], "value": [1, None, 3]})

    with pytest.raises(ValueError, match="leave out the gaps"):
        xmr_by_group(frame, by=["place"])
