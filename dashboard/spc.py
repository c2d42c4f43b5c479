"""Statistical process control: XmR (individuals) charts in the NHS "Making Data Count" style.

An XmR chart puts each value against the series' own history:

- the **mean** of the values;
- the **moving range** of each point, the absolute difference from the one before;
- **process limits** at mean ± 2.66 × the mean moving range (2.66 = 3 / 1.128, so the
  limits sit three estimated standard deviations from the mean, with sigma = mean
  moving range / 1.128).

A point is **special cause** variation when any of these rules fires, and common cause
otherwise (Making Data Count, NHS England / NHS Improvement, 2019):

a. ``outside_limits`` – the point is above the upper or below the lower process limit.
b. ``shift`` – it is one of a run of 7 or more consecutive points all above, or all
   below, the mean. Making Data Count uses 7; NHS England's newer guidance allows 6.
   We use 7, the more cautious choice with so few quarterly points. A point exactly
   on the mean belongs to neither side and ends a run.
c. ``trend`` – it is one of a run of 6 or more consecutive points each higher than the
   one before (or each lower). Equal neighbouring values end a run.
d. ``two_of_three`` – it is beyond two sigma from the mean (``> mean + 2σ`` or
   ``< mean − 2σ``, including beyond the process limit) and, within some three
   consecutive points, at least two are beyond two sigma on the same side. Only those
   points are marked, not the third.

Each rule says which side it points to ("high" or "low"; a rising trend is high). When
several rules fire on one point, the first in the order above describes it. Whether
high is an improvement or a concern depends on the measure: for activity that Local
Care should reduce, lower is better.

With fewer than two points there is no moving range, so no limits and no rules; the
point is "too few to judge". A constant series has a mean moving range of 0, limits
equal to the mean, and no special cause (nothing is strictly beyond the limits).

`xmr` charts one series and reads as the rules above. `xmr_by_group` gives the same
result for many series at once (every locality × measure), in numpy over one frame:
a call of `xmr` costs ~5 ms of pandas, so 3,200 series took 15–20 s; the grouped one
takes tens of milliseconds. A test holds the two equal over many random series.
"""

import math
from enum import StrEnum
from itertools import pairwise

import numpy as np
import pandas as pd

LIMIT_FACTOR = 2.66  # process limits at mean ± 2.66 × mean moving range
D2 = 1.128  # sigma = mean moving range / d2 (moving ranges of two points)
SHIFT_RUN = 7  # Making Data Count; NHS England's 2022 guidance allows 6
TREND_RUN = 6
NEAR_LIMIT_SIGMAS = 2
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


# The order in which rules describe a point when more than one fires.
RULES = (Rule.OUTSIDE_LIMITS, Rule.SHIFT, Rule.TREND, Rule.TWO_OF_THREE)


class Variation(StrEnum):
    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    NEITHER = "neither"  # special cause on a measure with no better direction
    TOO_FEW = "too_few"


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
    Variation.IMPROVEMENT: "improvement",
    Variation.CONCERN: "concern",
    Variation.NEITHER: "neither improvement nor concern",
}


def describe(*, variation: str, rule: str | None = None, direction: str | None = None) -> str:
    """The words for a point: "Special cause – improvement (run below mean)"."""
    if rule is None:
        return VARIATION_WORDS[Variation(variation)]
    return f"Special cause – {VARIATION_WORDS[Variation(variation)]} ({REASONS[(Rule(rule), direction)]})"


def _side(value: float, mean: float) -> str | None:
    if value > mean:
        return HIGH
    if value < mean:
        return LOW
    return None


def _runs(labels: list[str | None], minimum: int) -> list[str | None]:
    """Each point's label where it is part of a run of at least `minimum` equal labels."""
    marked: list[str | None] = [None] * len(labels)
    start = 0
    for end in range(1, len(labels) + 1):
        if end == len(labels) or labels[end] != labels[start]:
            if labels[start] is not None and end - start >= minimum:
                marked[start:end] = [labels[start]] * (end - start)
            start = end
    return marked


def _shift(values: np.ndarray, mean: float) -> list[str | None]:
    return _runs([_side(value, mean) for value in values], SHIFT_RUN)


def _trend(values: np.ndarray) -> list[str | None]:
    """Points in runs of TREND_RUN or more, each step strictly the same way."""
    steps = [_side(after, before) for before, after in pairwise(values)]
    # A run of k equal steps covers k + 1 points.
    step_runs = _runs(steps, TREND_RUN - 1)
    marked: list[str | None] = [None] * len(values)
    for index, direction in enumerate(step_runs):
        if direction is not None:
            # A point where a rising run meets a falling one keeps the first.
            marked[index] = marked[index] or direction
            marked[index + 1] = direction
    return marked


def _two_of_three(values: np.ndarray, lower: float, upper: float) -> list[str | None]:
    beyond = [HIGH if value > upper else LOW if value < lower else None for value in values]
    marked: list[str | None] = [None] * len(values)
    for start in range(len(values) - 2):
        window = beyond[start : start + 3]
        for side in (HIGH, LOW):
            if window.count(side) >= 2:
                for index in range(start, start + 3):
                    if beyond[index] == side:
                        marked[index] = side
    return marked


def _variation(direction: str | None, lower_is_better: bool | None) -> Variation:
    if direction is None:
        return Variation.COMMON_CAUSE
    if lower_is_better is None:
        return Variation.NEITHER
    return Variation.IMPROVEMENT if (direction == LOW) == lower_is_better else Variation.CONCERN


def xmr(values: pd.Series, *, lower_is_better: bool | None = None) -> pd.DataFrame:
    """An XmR chart of `values` (in time order, no gaps): one row per point, same index.

    Columns: value, moving_range, mean, mean_moving_range, sigma, lower_limit,
    upper_limit, lower_two_sigma, upper_two_sigma; one column per rule holding
    "high", "low" or None; special_cause (bool); rule and direction (of the rule
    that describes the point, or None); variation (a `Variation`) and description
    (the words for it).
    """
    series = pd.Series(values, dtype=float)
    if series.isna().any():
        raise ValueError("An XmR chart needs a value at every point: leave out the gaps first.")
    points = series.to_numpy()
    count = len(points)
    moving_range = np.abs(np.diff(points, prepend=np.nan))
    has_limits = count >= MIN_POINTS_FOR_LIMITS
    mean = float(points.mean()) if count else math.nan
    mean_moving_range = float(np.mean(moving_range[1:])) if has_limits else math.nan
    sigma = mean_moving_range / D2
    lower_limit = mean - LIMIT_FACTOR * mean_moving_range
    upper_limit = mean + LIMIT_FACTOR * mean_moving_range
    lower_two_sigma = mean - NEAR_LIMIT_SIGMAS * sigma
    upper_two_sigma = mean + NEAR_LIMIT_SIGMAS * sigma

    if has_limits:
        flags = {
            Rule.OUTSIDE_LIMITS: [
                HIGH if value > upper_limit else LOW if value < lower_limit else None
                for value in points
            ],
            Rule.SHIFT: _shift(points, mean),
            Rule.TREND: _trend(points),
            Rule.TWO_OF_THREE: _two_of_three(points, lower_two_sigma, upper_two_sigma),
        }
    else:
        flags = {rule: [None] * count for rule in RULES}
    rules: list[str | None] = []
    directions: list[str | None] = []
    for index in range(count):
        fired = next(((rule, flags[rule][index]) for rule in RULES if flags[rule][index]), None)
        rules.append(str(fired[0]) if fired else None)
        directions.append(fired[1] if fired else None)
    variations = [
        _variation(direction, lower_is_better) if has_limits else Variation.TOO_FEW
        for direction in directions
    ]

    def text_column(items):
        # Object dtype keeps None as None (pandas 3 would read strings as "str" with NaN).
        return pd.Series(items, index=series.index, dtype=object)

    # Built in one go: adding columns one by one costs more than the arithmetic.
    return pd.DataFrame(
        {
            "value": points,
            "moving_range": moving_range,
            "mean": np.full(count, mean),
            "mean_moving_range": np.full(count, mean_moving_range),
            "sigma": np.full(count, sigma),
            "lower_limit": np.full(count, lower_limit),
            "upper_limit": np.full(count, upper_limit),
            "lower_two_sigma": np.full(count, lower_two_sigma),
            "upper_two_sigma": np.full(count, upper_two_sigma),
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
        },
        index=series.index,
    )


# --- Many series at once -------------------------------------------------------------

VARIATIONS = tuple(Variation)
# Sides as small integers while vectorised: 0 none, 1 high, -1 low (index -1 is LOW).
_SIDE_WORDS = np.array([None, HIGH, LOW], dtype=object)


def _side_words(sides: np.ndarray) -> np.ndarray:
    return _SIDE_WORDS[sides]


def _signs(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """1 above, -1 below, 0 equal (or NaN): `_side` for whole arrays."""
    return np.where(values > reference, 1, np.where(values < reference, -1, 0))


def _run_lengths(labels: np.ndarray, starts_group: np.ndarray) -> np.ndarray:
    """Each point's length of the run of equal labels it is in, runs not crossing groups."""
    if not len(labels):
        return np.zeros(0, dtype=int)
    boundary = starts_group.copy()
    boundary[1:] |= labels[1:] != labels[:-1]
    run = np.cumsum(boundary) - 1
    return np.bincount(run)[run]


def _group_means(values: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The mean of each group's slice, summed exactly as `xmr` sums (numpy's pairwise sum).

    Not `np.add.reduceat` or pandas' groupby mean: they add in another order, and a mean
    a rounding error away from xmr's would move points on and off the mean line.
    """
    return np.array(
        [
            values[start : start + count].sum() / count if count else math.nan
            for start, count in zip(starts.tolist(), counts.tolist(), strict=True)
        ],
        dtype=float,
    )


def xmr_by_group(
    frame: pd.DataFrame,
    *,
    by: list[str],
    value: str = "value",
    lower_is_better: bool | None | str = None,
) -> pd.DataFrame:
    """`xmr` of every group of `frame` at once: one row per row of `frame`, same index.

    Rows of a group must be in time order (groups may interleave). `lower_is_better`
    is one answer for every group or the name of a column of `frame` holding each
    row's (True, False or None). The columns are those of `xmr`, equal to it series
    by series.
    """
    values_in_order = frame[value].to_numpy(dtype=float)
    if np.isnan(values_in_order).any():
        raise ValueError("An XmR chart needs a value at every point: leave out the gaps first.")
    codes = frame.groupby(by, sort=False, dropna=False).ngroup().to_numpy()
    # Each group's rows together, keeping their time order.
    order = np.argsort(codes, kind="stable")
    values = values_in_order[order]
    codes = codes[order]
    size = len(values)

    starts_group = np.ones(size, dtype=bool)
    starts_group[1:] = codes[1:] != codes[:-1]
    starts = np.flatnonzero(starts_group)
    counts = np.diff(np.append(starts, size))
    count = np.repeat(counts, counts)
    has_limits = count >= MIN_POINTS_FOR_LIMITS

    moving_range = np.abs(np.diff(values, prepend=np.nan))
    moving_range[starts_group] = np.nan
    mean = np.repeat(_group_means(values, starts, counts), counts)
    mean_moving_range = np.repeat(_group_means(moving_range, starts + 1, counts - 1), counts)
    sigma = mean_moving_range / D2
    lower_limit = mean - LIMIT_FACTOR * mean_moving_range
    upper_limit = mean + LIMIT_FACTOR * mean_moving_range
    lower_two_sigma = mean - NEAR_LIMIT_SIGMAS * sigma
    upper_two_sigma = mean + NEAR_LIMIT_SIGMAS * sigma

    outside = np.where(values > upper_limit, 1, np.where(values < lower_limit, -1, 0))

    side = _signs(values, mean)
    shift = np.where((side != 0) & (_run_lengths(side, starts_group) >= SHIFT_RUN), side, 0)

    # The step into each point from the one before (none into a group's first point);
    # a run of k equal steps covers k + 1 points: the steps' points and the one before.
    step = np.where(starts_group, 0, _signs(values, np.roll(values, 1)))
    in_run = np.where((step != 0) & (_run_lengths(step, starts_group) >= TREND_RUN - 1), step, 0)
    into_next = np.append(in_run[1:], 0)  # 0 at a group's last point: next group's first
    # A point where a rising run meets a falling one keeps the first.
    trend = np.where(in_run != 0, in_run, into_next)

    beyond = np.where(values > upper_two_sigma, 1, np.where(values < lower_two_sigma, -1, 0))
    # In a series of 3 or more, a pair within two places of each other always shares
    # some window of three points; shorter series have no window at all.
    partner = np.zeros(size, dtype=bool)
    for offset in (1, 2):
        same_side = (beyond[offset:] == beyond[:-offset]) & (codes[offset:] == codes[:-offset])
        partner[offset:] |= same_side
        partner[:-offset] |= same_side
    two_of_three = np.where((beyond != 0) & partner & (count >= 3), beyond, 0)

    flags = {
        Rule.OUTSIDE_LIMITS: outside,
        Rule.SHIFT: shift,
        Rule.TREND: trend,
        Rule.TWO_OF_THREE: two_of_three,
    }
    for rule in RULES:
        flags[rule] = np.where(has_limits, flags[rule], 0)
    direction = np.zeros(size, dtype=int)
    rule_index = np.full(size, -1)
    for index in reversed(range(len(RULES))):  # the first rule that fires wins
        fired = flags[RULES[index]] != 0
        direction = np.where(fired, flags[RULES[index]], direction)
        rule_index = np.where(fired, index, rule_index)

    if isinstance(lower_is_better, str):
        better = frame[lower_is_better].to_numpy(dtype=object)[order]
    else:
        better = np.full(size, lower_is_better, dtype=object)
    special = direction != 0
    neither = special & pd.isna(better)
    improves = special & ~neither & ((direction == -1) == better.astype(bool))
    # Codes into VARIATIONS while vectorised; words only at the end.
    variation = np.full(size, VARIATIONS.index(Variation.COMMON_CAUSE))
    variation[special] = VARIATIONS.index(Variation.CONCERN)
    variation[improves] = VARIATIONS.index(Variation.IMPROVEMENT)
    variation[neither] = VARIATIONS.index(Variation.NEITHER)
    variation[~has_limits] = VARIATIONS.index(Variation.TOO_FEW)

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

    columns = {
        "value": values,
        "moving_range": moving_range,
        "mean": mean,
        "mean_moving_range": mean_moving_range,
        "sigma": sigma,
        "lower_limit": lower_limit,
        "upper_limit": upper_limit,
        "lower_two_sigma": lower_two_sigma,
        "upper_two_sigma": upper_two_sigma,
        **{str(rule): _side_words(flags[rule]) for rule in RULES},
        "special_cause": special,
        "rule": rule_words,
        "direction": direction_words,
        "variation": variation,
        "description": description,
    }
    # Back to the frame's own row order.
    back = np.empty(size, dtype=int)
    back[order] = np.arange(size)
    return pd.DataFrame(
        {
            name: pd.Series(
                column[back], index=frame.index, dtype=object if column.dtype == object else None
            )
            for name, column in columns.items()
        },
        index=frame.index,
    )
