"""Statistical process control: XmR (individuals) charts in the NHS "Making Data Count" style.

The rules are those of NHSRplotthedots (the NHS-R Community's R package, aligned with
NHS England's Making Data Count team; read at commit 050b07d): its test cases are ported,
with file and line, into tests/dashboard/test_spc_conformance.py. Where we differ on
purpose it is said here, on the chart's "how to read this chart"
(templates/includes/mdc_how_to_read.html) and in docs/decisions/0020-spc-conformance.md.

An XmR chart puts each value against a stretch of the series' own history, the points
the limits are **calculated from** (`limits_from`: the baseline months before the
programme, or after an office-recorded change point the months that rebase covers; by
default every point). From those points:

- the **mean** of the values (a missing value is left out);
- the **moving ranges**, the absolute difference between neighbouring points; a range
  touching a missing value (or a point the limits are not calculated from) is dropped;
- **screening**: a moving range of 3.267 × the mean moving range or more is an outlier
  and left out, and the mean moving range taken again (so one wild month does not widen
  the limits). We keep moving ranges of 0 when their mean is 0 (a constant series): the
  package would drop them all and have no limits;
- **process limits** at mean ± 2.66 × the mean moving range, and "close to the limits"
  lines at mean ± 2/3 of that (two sigma, sigma = 2.66 / 3 × mean moving range).

The mean and limits are then **frozen**: applied to every point of the series, and every
rule is judged against them. A point is **special cause** variation when a rule fires,
and common cause otherwise. When several fire, the first in this order describes it:

a. ``outside_limits`` – strictly above the upper or below the lower process limit.
b. ``trend`` – one of 7 or more consecutive points each higher than the one before (or
   each lower): 6 steps the same way. Equal neighbours end a trend. A point at the peak
   of a rising and a falling trend takes the direction of the step to its right.
c. ``two_of_three`` – close to a limit (beyond two sigma but not outside the limits), in
   a window of three consecutive points all on the same side of the mean with at least
   two of them close to the limits. Only the close points are marked.
d. ``shift`` – one of a run of 7 or more consecutive points on the same side of the
   mean. A point exactly on the mean belongs to neither side and ends a run.

A missing value (a gap) has no verdict and ends any run, trend or window across it (the
package's trend rule stops with an error there).

Each rule says which side it points to ("high" or "low"; a rising trend is high).
Whether high is an improvement or a concern depends on the measure: for activity that
Local Care should reduce, lower is better.

Without two neighbouring points to calculate from there is no moving range, so no limits
and no rules: the point is "too few to judge". Limits set by fewer than 15 points are
**indicative** (`limits_indicative`).

**Assurance** compares a target with the limits, at the series' last point: a target
beyond the limits on the better side is consistently passed, on the worse side
consistently failed; within them, hit and miss. No target there, no better direction,
no limits or indicative limits: no assurance.

`xmr` charts one series and is written as the package's functions are (`seven_point_*`,
`two_in_three`, `special_cause_type`: the conformance tests call them). `xmr_by_group`
gives the same result for many series at once (every locality × measure), in numpy over
one frame: 3,200 series in tens of milliseconds. A test holds the two equal over many
random series.
"""

import math
from collections.abc import Sequence
from enum import StrEnum

import numpy as np
import pandas as pd

LIMIT_FACTOR = 2.66  # process limits at mean ± 2.66 × mean moving range
D2 = 1.128  # 2.66 ≈ 3 / d2 (moving ranges of two points); sigma uses 2.66 / 3, as the package
NEAR_LIMIT_SIGMAS = 2  # "close to the limits": beyond two sigma
SIGMA_FACTOR = LIMIT_FACTOR / 3  # sigma = 2.66 / 3 × mean moving range
CLOSE_FACTOR = NEAR_LIMIT_SIGMAS * SIGMA_FACTOR
SCREEN_FACTOR = 3.267  # moving ranges this many times their mean are screened out
SHIFT_RUN = 7  # points on one side of the mean
TREND_RUN = 7  # points each higher (lower) than the last: 6 steps
MIN_POINTS_FOR_LIMITS = 2
# Making Data Count: limits from fewer points than this are indicative only.
RECOMMENDED_POINTS = 15

HIGH = "high"
LOW = "low"


class Rule(StrEnum):
    OUTSIDE_LIMITS = "outside_limits"
    SHIFT = "shift"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"


# The order in which rules describe a point when more than one fires (the package's).
RULES = (Rule.OUTSIDE_LIMITS, Rule.TREND, Rule.TWO_OF_THREE, Rule.SHIFT)


class Variation(StrEnum):
    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    NEITHER = "neither"  # special cause on a measure with no better direction
    TOO_FEW = "too_few"
    MISSING = "missing"  # no value at this point


class Assurance(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    HIT_AND_MISS = "hit_and_miss"
    NONE = "none"


ASSURANCE_WORDS = {
    Assurance.PASS: "consistently passing the target",
    Assurance.FAIL: "consistently failing the target",
    Assurance.HIT_AND_MISS: "hit and miss: the target lies within the limits",
    Assurance.NONE: "no assurance: no target, or too few points to test one",
}

REASONS = {
    (Rule.OUTSIDE_LIMITS, HIGH): "above the upper process limit",
    (Rule.OUTSIDE_LIMITS, LOW): "below the lower process limit",
    (Rule.SHIFT, HIGH): "run above mean",
    (Rule.SHIFT, LOW): "run below mean",
    (Rule.TREND, HIGH): "rising trend",
    (Rule.TREND, LOW): "falling trend",
    (Rule.TWO_OF_THREE, HIGH): "2 of 3 close to the upper limit",
    (Rule.TWO_OF_THREE, LOW): "2 of 3 close to the lower limit",
}
VARIATION_WORDS = {
    Variation.COMMON_CAUSE: "Common cause variation",
    Variation.TOO_FEW: "Too few points to judge",
    Variation.MISSING: "No value",
    Variation.IMPROVEMENT: "improvement",
    Variation.CONCERN: "concern",
    Variation.NEITHER: "neither improvement nor concern",
}


def describe(*, variation: str, rule: str | None = None, direction: str | None = None) -> str:
    """The words for a point: "Special cause – improvement (run below mean)"."""
    if rule is None:
        return VARIATION_WORDS[Variation(variation)]
    return f"Special cause – {VARIATION_WORDS[Variation(variation)]} ({REASONS[(Rule(rule), direction)]})"


# --- Arithmetic shared by both forms (so they agree to the last bit) --------------------


def _group_means(values: np.ndarray, codes: np.ndarray, groups: int) -> np.ndarray:
    """Each group's mean of its non-missing values, NaN where it has none.

    Summed in row order (bincount adds one by one), so one series alone and the same
    series among many give the same float.
    """
    present = ~np.isnan(values)
    sums = np.bincount(codes[present], weights=values[present], minlength=groups)
    counts = np.bincount(codes[present], minlength=groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), math.nan)


def _limits(values: np.ndarray, base: np.ndarray, codes: np.ndarray, groups: int, screen: bool):
    """Per group: mean, mean moving range (screened), limit point count, moving range count.

    `values` in time order within each group, `base` True on the points the limits are
    calculated from, `codes` each row's group (rows of a group together).
    """
    fixed = np.where(base, values, math.nan)
    mean = _group_means(fixed, codes, groups)
    moving = np.abs(np.diff(fixed, prepend=math.nan))
    moving[np.flatnonzero(np.diff(codes, prepend=-1) != 0)] = math.nan  # a group's first
    mean_moving = _group_means(moving, codes, groups)
    if screen:  # a constant series (mean range 0) keeps its ranges of 0
        threshold = SCREEN_FACTOR * mean_moving[codes]
        screened = np.where((moving < threshold) | (threshold == 0), moving, math.nan)
        mean_moving = _group_means(screened, codes, groups)
    points = np.bincount(codes[~np.isnan(fixed)], minlength=groups)
    ranges = np.bincount(codes[~np.isnan(moving)], minlength=groups)
    return mean, mean_moving, points, ranges


def assurance(
    *, target: float, lower: float, upper: float, lower_is_better: bool | None, judged: bool = True
) -> Assurance:
    """Where a target lies against the limits (ptd_calculate_assurance_type).

    `judged` False (no limits, or indicative ones) or no target or no better direction:
    no assurance. A target on a limit is within it.
    """
    if not judged or lower_is_better is None or pd.isna(lower_is_better) or math.isnan(target):
        return Assurance.NONE
    if target > upper:
        return Assurance.PASS if lower_is_better else Assurance.FAIL
    if target < lower:
        return Assurance.FAIL if lower_is_better else Assurance.PASS
    return Assurance.HIT_AND_MISS


# --- One series, as the package writes it -------------------------------------------------
# Sides and steps as numbers: 1 above (rising), -1 below (falling), 0 on the mean (level),
# NaN missing. Each function is one of the package's (R/ptd_calculate_point_type.R).


def seven_point_one_side_mean(sides: Sequence[float]) -> list[int]:
    """1 at a point that ends SHIFT_RUN points on the same side (ptd_seven_point_one_side_mean)."""
    sides = list(sides)
    return [
        int(
            index >= SHIFT_RUN - 1
            and sides[index] in (1, -1)
            and all(sides[index - back] == sides[index] for back in range(1, SHIFT_RUN))
        )
        for index in range(len(sides))
    ]


def part_of_seven(ends: Sequence[float], length: int = SHIFT_RUN) -> list[int]:
    """1 at a point that ends, or is one of the `length` - 1 before, a flagged end.

    The package's ptd_part_of_seven_trend, used for trends and runs alike.
    """
    ends = list(ends)
    return [
        int(any(abs(value) == 1 for value in ends[index : index + length]))
        for index in range(len(ends))
    ]


def seven_point_trend(values: Sequence[float]) -> list[int]:
    """1 (-1) at a point that ends TREND_RUN points each higher (lower) than the last."""
    values = [float(value) for value in values]
    marked = [0] * len(values)
    for index in range(TREND_RUN - 1, len(values)):
        window = values[index - TREND_RUN + 1 : index + 1]
        steps = [after - before for before, after in zip(window, window[1:], strict=False)]
        if all(step > 0 for step in steps):
            marked[index] = 1
        elif all(step < 0 for step in steps):
            marked[index] = -1
    return marked


def two_in_three(close: Sequence[float], sides: Sequence[float]) -> list[int]:
    """1 where some window of three points around a point has two or more close to the
    limits and all three on the same side of the mean (ptd_two_in_three)."""
    close = [0, 0, *close, 0, 0]
    sides = [0, 0, *sides, 0, 0]
    result = []
    for index in range(len(close) - 4):
        found = False
        for start in range(index, index + 3):
            near = close[start : start + 3]
            side = sides[start : start + 3]
            if all(item == item for item in side) and sum(near) >= 2 and abs(sum(side)) == 3:
                found = True
        result.append(int(found))
    return result


def part_of_two_in_three(flags: Sequence[float], close: Sequence[float]) -> list[int]:
    """Of the points in a two-in-three window, those close to the limits."""
    return [int(flag == 1 and abs(near) == 1) for flag, near in zip(flags, close, strict=True)]


def trend_directions(values: Sequence[float], trend: Sequence[float]) -> list[str | None]:
    """Which way each point in a trend goes: a point with the next also in a trend takes
    the step to its right (so the peak of a rising and a falling trend is falling),
    otherwise the step into it. As the package, a level step reads as falling."""
    values = [float(value) for value in values]
    count = len(values)
    directions: list[str | None] = []
    for index in range(count):
        if not trend[index]:
            directions.append(None)
            continue
        if index + 1 < count and trend[index + 1]:
            step = values[index + 1] - values[index]
        else:
            step = values[index] - values[index - 1] if index else 0.0
        directions.append(HIGH if step > 0 else LOW)
    return directions


def special_cause_type(
    values: Sequence[float],
    sides: Sequence[float],
    outside: Sequence[float],
    *,
    trend: Sequence[float],
    two: Sequence[float],
    shift: Sequence[float],
) -> list[tuple[Rule, str] | None]:
    """Each point's describing rule and direction (ptd_special_cause_type), from which
    points are outside the limits and part of a trend, a two-in-three and a run."""
    trends = trend_directions(values, trend)
    described: list[tuple[Rule, str] | None] = []
    for index, side_number in enumerate(sides):
        side = HIGH if side_number == 1 else LOW
        if outside[index]:
            described.append((Rule.OUTSIDE_LIMITS, side))
        elif trend[index]:
            described.append((Rule.TREND, trends[index]))
        elif two[index]:
            described.append((Rule.TWO_OF_THREE, side))
        elif shift[index]:
            described.append((Rule.SHIFT, side))
        else:
            described.append(None)
    return described


def _variation(direction: str | None, lower_is_better: bool | None) -> Variation:
    if direction is None:
        return Variation.COMMON_CAUSE
    if lower_is_better is None:
        return Variation.NEITHER
    return Variation.IMPROVEMENT if (direction == LOW) == lower_is_better else Variation.CONCERN


def _segments(values: np.ndarray) -> list[slice]:
    """The stretches between missing values: runs and windows do not cross a gap."""
    segments, start = [], None
    for index, value in enumerate(values):
        if math.isnan(value):
            if start is not None:
                segments.append(slice(start, index))
            start = None
        elif start is None:
            start = index
    if start is not None:
        segments.append(slice(start, len(values)))
    return segments


def xmr(
    values,
    *,
    lower_is_better: bool | None = None,
    limits_from: Sequence[bool] | None = None,
    target: float | Sequence[float] | None = None,
    screen_outliers: bool = True,
) -> pd.DataFrame:
    """An XmR chart of `values` (in time order; NaN for a gap): one row per point, same index.

    `limits_from`: True on the points the mean and limits are calculated from (default
    all). `target`: one target for every point or one per point (NaN: none).
    `screen_outliers` False keeps every moving range (the package's option; the
    dashboard always screens).

    Columns: value, moving_range, mean, mean_moving_range, sigma, lower_limit,
    upper_limit, lower_two_sigma, upper_two_sigma; one column per rule holding "high",
    "low" or None; special_cause (bool); rule and direction (of the rule that describes
    the point, or None); variation (a `Variation`) and description (the words for it);
    limits_indicative (bool), target, assurance (an `Assurance`, the same on every row).
    """
    series = pd.Series(values, dtype=float)
    points = series.to_numpy()
    count = len(points)
    base = np.ones(count, dtype=bool) if limits_from is None else np.asarray(limits_from, bool)
    if len(base) != count:
        raise ValueError("limits_from needs one True or False per point.")
    targets = np.broadcast_to(
        np.asarray(math.nan if target is None else target, dtype=float), (count,)
    ).copy()
    codes = np.zeros(count, dtype=int)
    mean, mean_moving, limit_points, ranges = (
        float(item[0]) for item in _limits(points, base, codes, 1, screen_outliers)
    )
    has_limits = ranges >= 1
    sigma = SIGMA_FACTOR * mean_moving
    lower_limit, upper_limit = mean - LIMIT_FACTOR * mean_moving, mean + LIMIT_FACTOR * mean_moving
    lower_close, upper_close = mean - CLOSE_FACTOR * mean_moving, mean + CLOSE_FACTOR * mean_moving

    flags: dict[Rule, list[str | None]] = {rule: [None] * count for rule in RULES}
    described: list[tuple[Rule, str] | None] = [None] * count
    if has_limits:
        for part in _segments(points):
            stretch = points[part].tolist()
            sides = [1 if value > mean else -1 if value < mean else 0 for value in stretch]
            outside = [int(value > upper_limit or value < lower_limit) for value in stretch]
            close = [
                int(not out and (value > upper_close or value < lower_close))
                for value, out in zip(stretch, outside, strict=True)
            ]
            trend = part_of_seven(seven_point_trend(stretch), TREND_RUN)
            two = part_of_two_in_three(two_in_three(close, sides), close)
            shift = part_of_seven(seven_point_one_side_mean(sides), SHIFT_RUN)
            described[part] = special_cause_type(
                stretch, sides, outside, trend=trend, two=two, shift=shift
            )
            words = [HIGH if side == 1 else LOW for side in sides]
            for column, marks in (
                (Rule.OUTSIDE_LIMITS, outside),
                (Rule.TWO_OF_THREE, two),
                (Rule.SHIFT, shift),
            ):
                flags[column][part] = [
                    word if mark else None for word, mark in zip(words, marks, strict=True)
                ]
            flags[Rule.TREND][part] = trend_directions(stretch, trend)

    rules = [str(fired[0]) if fired else None for fired in described]
    directions = [fired[1] if fired else None for fired in described]
    variations = [
        Variation.MISSING
        if math.isnan(value)
        else _variation(direction, lower_is_better)
        if has_limits
        else Variation.TOO_FEW
        for value, direction in zip(points, directions, strict=True)
    ]
    judged = has_limits and limit_points >= RECOMMENDED_POINTS
    verdict = (
        assurance(
            target=targets[-1],
            lower=lower_limit,
            upper=upper_limit,
            lower_is_better=lower_is_better,
            judged=judged,
        )
        if count
        else Assurance.NONE
    )

    def text_column(items):
        # Object dtype keeps None as None (pandas 3 would read strings as "str" with NaN).
        return pd.Series(items, index=series.index, dtype=object)

    return pd.DataFrame(
        {
            "value": points,
            "moving_range": np.abs(np.diff(points, prepend=math.nan)),
            "mean": np.full(count, mean),
            "mean_moving_range": np.full(count, mean_moving),
            "sigma": np.full(count, sigma),
            "lower_limit": np.full(count, lower_limit),
            "upper_limit": np.full(count, upper_limit),
            "lower_two_sigma": np.full(count, lower_close),
            "upper_two_sigma": np.full(count, upper_close),
            **{str(rule): text_column(flags[rule]) for rule in RULES},
            "special_cause": np.array([rule is not None for rule in rules], dtype=bool),
            "rule": text_column(rules),
            "direction": text_column(directions),
            "variation": text_column([str(variation) for variation in variations]),
            "description": text_column(
                [
                    describe(variation=variation, rule=rule, direction=direction)
                    for variation, rule, direction in zip(
                        variations, rules, directions, strict=True
                    )
                ]
            ),
            "limits_indicative": np.full(count, limit_points < RECOMMENDED_POINTS, dtype=bool),
            "target": targets,
            "assurance": text_column([str(verdict)] * count),
        },
        index=series.index,
    )


# --- Many series at once -------------------------------------------------------------

VARIATIONS = tuple(Variation)
ASSURANCES = tuple(Assurance)
# Sides as small integers while vectorised: 0 none, 1 high, -1 low (index -1 is LOW).
_SIDE_WORDS = np.array([None, HIGH, LOW], dtype=object)


def _side_words(sides: np.ndarray) -> np.ndarray:
    return _SIDE_WORDS[sides]


def _signs(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """1 above, -1 below, 0 equal (or NaN)."""
    return np.where(values > reference, 1, np.where(values < reference, -1, 0))


def _run_lengths(labels: np.ndarray, starts_group: np.ndarray) -> np.ndarray:
    """Each point's length of the run of equal labels it is in, runs not crossing groups."""
    if not len(labels):
        return np.zeros(0, dtype=int)
    boundary = starts_group.copy()
    boundary[1:] |= labels[1:] != labels[:-1]
    run = np.cumsum(boundary) - 1
    return np.bincount(run)[run]


def _column(frame: pd.DataFrame, name: str | None, order: np.ndarray, default, dtype):
    if name is None:
        return np.full(len(order), default, dtype=dtype)
    return frame[name].to_numpy(dtype=dtype)[order]


def xmr_by_group(
    frame: pd.DataFrame,
    *,
    by: list[str],
    value: str = "value",
    lower_is_better: bool | None | str = None,
    limits_from: str | None = None,
    target: str | None = None,
    screen_outliers: bool = True,
) -> pd.DataFrame:
    """`xmr` of every group of `frame` at once: one row per row of `frame`, same index.

    Rows of a group must be in time order (groups may interleave); values may be NaN
    (a gap). `lower_is_better` is one answer for every group or the name of a column of
    `frame` holding each row's (True, False or None). `limits_from` names a bool column,
    True on the points the group's mean and limits are calculated from (None: all);
    after a change point, put a segment number into `by` (a group with no True row has
    no limits: "too few to judge"). `target` names a float column
    (NaN where there is none). The columns are those of `xmr`, equal to it series by
    series.
    """
    codes = frame.groupby(by, sort=False, dropna=False).ngroup().to_numpy()
    # Each group's rows together, keeping their time order.
    order = np.argsort(codes, kind="stable")
    values = frame[value].to_numpy(dtype=float)[order]
    codes = codes[order]
    size = len(values)
    groups = int(codes.max()) + 1 if size else 0
    base = _column(frame, limits_from, order, True, bool)
    targets = _column(frame, target, order, math.nan, float)
    if isinstance(lower_is_better, str):
        better = frame[lower_is_better].to_numpy(dtype=object)[order]
    else:
        better = np.full(size, lower_is_better, dtype=object)

    starts_group = np.ones(size, dtype=bool)
    starts_group[1:] = codes[1:] != codes[:-1]
    ends_group = np.append(starts_group[1:], True) if size else starts_group

    group_mean, group_moving, group_points, group_ranges = _limits(
        values, base, codes, groups, screen_outliers
    )
    mean = group_mean[codes]
    mean_moving_range = group_moving[codes]
    has_limits = group_ranges[codes] >= 1
    sigma = SIGMA_FACTOR * mean_moving_range
    lower_limit = mean - LIMIT_FACTOR * mean_moving_range
    upper_limit = mean + LIMIT_FACTOR * mean_moving_range
    lower_close = mean - CLOSE_FACTOR * mean_moving_range
    upper_close = mean + CLOSE_FACTOR * mean_moving_range
    moving_range = np.abs(np.diff(values, prepend=math.nan))
    moving_range[starts_group] = math.nan

    side = _signs(values, mean)  # 0 at a gap: it ends every run and window
    is_outside = (values > upper_limit) | (values < lower_limit)
    outside = np.where(is_outside, np.where(side == 1, 1, -1), 0)
    close = ~is_outside & ((values > upper_close) | (values < lower_close))

    shift_part = (side != 0) & (_run_lengths(side, starts_group) >= SHIFT_RUN)
    shift = np.where(shift_part, np.where(side == 1, 1, -1), 0)

    # The step into each point from the one before (none into a group's first point or
    # across a gap); a run of k equal steps covers k + 1 points.
    step = np.where(starts_group, 0, _signs(values, np.roll(values, 1)))
    in_run = (step != 0) & (_run_lengths(step, starts_group) >= TREND_RUN - 1)
    next_in_run = np.append(in_run[1:], False) & ~ends_group
    trend_part = in_run | next_in_run
    # With the next point also in a trend, the step to the right; else the step in.
    next_part = np.append(trend_part[1:], False) & ~ends_group
    trend_step = np.where(next_part, np.append(step[1:], 0), step)
    trend = np.where(trend_part, np.where(trend_step == 1, 1, -1), 0)

    # Windows of three rows of one group: two or more close, all three on one side.
    window = np.zeros(size, dtype=bool)  # by the window's first row
    if size >= 3:
        closes = close[:-2].astype(int) + close[1:-1] + close[2:]
        sides = side[:-2] + side[1:-1] + side[2:]
        window[:-2] = (closes >= 2) & (np.abs(sides) == 3) & (codes[:-2] == codes[2:])
    in_window = window.copy()
    in_window[1:] |= window[:-1]
    in_window[2:] |= window[:-2]
    two_of_three = np.where(in_window & close, np.where(side == 1, 1, -1), 0)

    flags = {
        Rule.OUTSIDE_LIMITS: outside,
        Rule.TREND: trend,
        Rule.TWO_OF_THREE: two_of_three,
        Rule.SHIFT: shift,
    }
    for rule in RULES:
        flags[rule] = np.where(has_limits, flags[rule], 0)
    direction = np.zeros(size, dtype=int)
    rule_index = np.full(size, -1)
    for index in reversed(range(len(RULES))):  # the first rule that fires wins
        fired = flags[RULES[index]] != 0
        direction = np.where(fired, flags[RULES[index]], direction)
        rule_index = np.where(fired, index, rule_index)

    special = direction != 0
    neither = special & pd.isna(better)
    improves = special & ~neither & ((direction == -1) == better.astype(bool))
    # Codes into VARIATIONS while vectorised; words only at the end.
    variation = np.full(size, VARIATIONS.index(Variation.COMMON_CAUSE))
    variation[special] = VARIATIONS.index(Variation.CONCERN)
    variation[improves] = VARIATIONS.index(Variation.IMPROVEMENT)
    variation[neither] = VARIATIONS.index(Variation.NEITHER)
    variation[~has_limits] = VARIATIONS.index(Variation.TOO_FEW)
    variation[np.isnan(values)] = VARIATIONS.index(Variation.MISSING)

    rule_words = np.array([*(str(rule) for rule in RULES), None], dtype=object)[rule_index]
    direction_words = _side_words(direction)
    # A few distinct descriptions (variation, rule, direction), each worded once.
    combination = (variation * (len(RULES) + 1) + rule_index + 1) * 3 + direction + 1
    _, first, which = np.unique(combination, return_index=True, return_inverse=True)
    wording = np.array(
        [
            describe(
                variation=VARIATIONS[variation[row]],
                rule=rule_words[row],
                direction=direction_words[row],
            )
            for row in first.tolist()
        ],
        dtype=object,
    )
    description = wording[which] if size else np.array([], dtype=object)
    variation = np.array([str(item) for item in VARIATIONS], dtype=object)[variation]

    # Assurance: each group's target at its last row against its limits (`assurance`).
    last = np.flatnonzero(ends_group)
    goal, low, high, lower_better = (
        targets[last],
        lower_limit[last],
        upper_limit[last],
        better[last],
    )
    neutral = pd.isna(lower_better)
    lower_better = np.where(neutral, False, lower_better).astype(bool)
    judged = (group_ranges >= 1) & (group_points >= RECOMMENDED_POINTS) & ~neutral
    judged &= ~np.isnan(goal)
    passes = np.where(goal > high, lower_better, np.where(goal < low, ~lower_better, False))
    fails = np.where(goal > high, ~lower_better, np.where(goal < low, lower_better, False))
    group_assurance = np.select(
        [~judged, passes, fails],
        [str(Assurance.NONE), str(Assurance.PASS), str(Assurance.FAIL)],
        str(Assurance.HIT_AND_MISS),
    ).astype(object)

    columns = {
        "value": values,
        "moving_range": moving_range,
        "mean": mean,
        "mean_moving_range": mean_moving_range,
        "sigma": sigma,
        "lower_limit": lower_limit,
        "upper_limit": upper_limit,
        "lower_two_sigma": lower_close,
        "upper_two_sigma": upper_close,
        **{str(rule): _side_words(flags[rule]) for rule in RULES},
        "special_cause": special,
        "rule": rule_words,
        "direction": direction_words,
        "variation": variation,
        "description": description,
        "limits_indicative": group_points[codes] < RECOMMENDED_POINTS,
        "target": targets,
        "assurance": group_assurance[codes] if size else np.array([], dtype=object),
    }
    # Back to the frame's own row order; the words as one object block (object dtype
    # keeps None as None: pandas 3 would read strings as "str" with NaN).
    back = np.empty(size, dtype=int)
    back[order] = np.arange(size)
    words = [name for name, column in columns.items() if column.dtype == object]
    result = pd.concat(
        [
            pd.DataFrame(
                {name: column[back] for name, column in columns.items() if name not in words},
                index=frame.index,
            ),
            pd.DataFrame(
                np.column_stack([columns[name][back] for name in words])
                if size
                else np.empty((0, len(words)), dtype=object),
                index=frame.index,
                columns=words,
                dtype=object,
            ),
        ],
        axis=1,
    )
    return result[list(columns)]
