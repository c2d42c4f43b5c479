"""dashboard.spc against NHSRplotthedots' own test cases.

NHSRplotthedots (the NHS-R Community's R package, aligned with NHS England's Making Data
Count team) is what NHS analysts compare SPC charts against. Every expectation of its
tests/testthat/test-ptd_spc_standard.R, test-ptd_calculate_point_type.R and
test-ptd_calculate_assurance_type.R at commit 050b07d is here as data: the inputs, the
expected output and the file and line of the `expect_*` it came from (the test ids say
them too, e.g. ``test-ptd_spc_standard.R:110``).

The package's internal functions have namesakes in dashboard.spc (ptd_seven_point_trend
is `seven_point_trend`, and so on) and are called with the same inputs. Tests that mock
the package's plumbing (which function is called how often, with what grouping) are
ported as what that plumbing guarantees: the rules are judged once per group (facet and
rebase group), on the group's whole series. Snapshot values are compared to the digits
the snapshot prints (7 significant figures).

Where the package's improvement direction is "increase" we pass lower_is_better=False,
"decrease" True, "neutral" None. Its labels map to ours in POINT_LABELS and ASSURANCES.
"""

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.spc import (
    HIGH,
    LOW,
    Assurance,
    Rule,
    assurance,
    part_of_seven,
    part_of_two_in_three,
    seven_point_one_side_mean,
    seven_point_trend,
    special_cause_type,
    two_in_three,
    xmr,
    xmr_by_group,
)

STANDARD = "test-ptd_spc_standard.R"
POINT_TYPE = "test-ptd_calculate_point_type.R"
ASSURANCE = "test-ptd_calculate_assurance_type.R"


def source(file: str, *lines: int) -> str:
    return f"{file}:{'/'.join(str(line) for line in lines)}"


def cases(*rows):
    """pytest params from (file, line or lines, *values), named by file and line."""
    return [
        pytest.param(*values, id=source(file, *(line if isinstance(line, tuple) else (line,))))
        for file, line, *values in rows
    ]


def sig7(value):
    """Equal to the 7 significant figures R's snapshot prints."""
    return pytest.approx(value, rel=5e-7)


# --- test-ptd_spc_standard.R ---------------------------------------------------------------

# set.seed(123); rnorm(20) (line 7), as R prints it; their sum is 20 × the snapshot's mean.
RNORM_123 = [
    -0.56047565,
    -0.23017749,
    1.55870831,
    0.07050839,
    0.12928774,
    1.71506499,
    0.46091621,
    -1.26506123,
    -0.68685285,
    -0.44566197,
    1.22408180,
    0.35981383,
    0.40077145,
    0.11068272,
    -0.55584113,
    1.78691314,
    0.49785048,
    -1.96661716,
    0.70135590,
    -0.47279141,
]
# Line 26: data$y[15] <- 10.
WITH_OUTLIER = [*RNORM_123[:14], 10.0, *RNORM_123[15:]]


def standard(values=RNORM_123, **options):
    return xmr(pd.Series(values, dtype=float), **options)


def relative_to_mean(frame):
    return np.sign(frame["value"] - frame["mean"]).astype(int).tolist()


def close_to_limits(frame):
    outside = (frame["value"] > frame["upper_limit"]) | (frame["value"] < frame["lower_limit"])
    close = (frame["value"] > frame["upper_two_sigma"]) | (
        frame["value"] < frame["lower_two_sigma"]
    )
    return (close & ~outside).tolist()


def outside_limits(frame):
    return frame["outside_limits"].notna().tolist()


# The snapshots (tests/testthat/_snaps/ptd_spc_standard.md) print the first values only.
SNAPSHOTS = cases(
    (
        STANDARD,
        22,
        RNORM_123,
        True,
        {
            "mean": 0.1416238,
            "lower_limit": -3.01138,
            "upper_limit": 3.294627,
            "relative_to_mean": [-1, -1, 1, -1, -1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1],
            "outside_limits": [False] * 8,
            "close_to_limits": [False] * 8,
        },
    ),
    (
        STANDARD,
        28,
        WITH_OUTLIER,
        True,
        {
            "mean": 0.6694159,
            "lower_limit": -2.383666,
            "upper_limit": 3.722497,
            "relative_to_mean": [-1, -1, 1, -1, -1, 1, -1, -1, -1, -1, 1, -1, -1, -1],
            "outside_limits": [False] * 8,
            "close_to_limits": [False] * 8,
        },
    ),
    (
        STANDARD,
        32,
        WITH_OUTLIER,
        False,
        {
            "mean": 0.6694159,
            "lower_limit": -4.596625,
            "upper_limit": 5.935457,
            "relative_to_mean": [-1, -1, 1, -1, -1, 1, -1, -1, -1, -1, 1, -1, -1, -1],
            "outside_limits": [False] * 8,
            "close_to_limits": [False] * 8,
        },
    ),
)


@pytest.mark.parametrize(("values", "screen_outliers", "expected"), SNAPSHOTS)
def test_the_limits_match_the_packages_snapshots(values, screen_outliers, expected):
    frame = standard(values, screen_outliers=screen_outliers)

    assert frame["mean"].tolist() == [sig7(expected["mean"])] * 20
    assert frame["lower_limit"].iloc[0] == sig7(expected["lower_limit"])
    assert frame["upper_limit"].iloc[0] == sig7(expected["upper_limit"])
    shown = len(expected["relative_to_mean"])
    assert relative_to_mean(frame)[:shown] == expected["relative_to_mean"]
    assert outside_limits(frame)[:8] == expected["outside_limits"]
    assert close_to_limits(frame)[:8] == expected["close_to_limits"]


@pytest.mark.parametrize("line", [pytest.param(16, id=source(STANDARD, 16))])
def test_it_returns_a_data_frame(line):
    assert isinstance(standard(), pd.DataFrame)


# Lines 35–40: r1 (no outlier), r2 (outlier screened), r3 (outlier kept) all differ.
@pytest.mark.parametrize(
    ("first", "second", "limit"),
    cases(
        (STANDARD, 35, "r1", "r2", "lower_limit"),
        (STANDARD, 36, "r1", "r3", "lower_limit"),
        (STANDARD, 37, "r2", "r3", "lower_limit"),
        (STANDARD, 38, "r1", "r2", "upper_limit"),
        (STANDARD, 39, "r1", "r3", "upper_limit"),
        (STANDARD, 40, "r2", "r3", "upper_limit"),
    ),
)
def test_screening_the_outlier_changes_the_limits(first, second, limit):
    results = {
        "r1": standard(RNORM_123),
        "r2": standard(WITH_OUTLIER),
        "r3": standard(WITH_OUTLIER, screen_outliers=False),
    }

    assert results[first][limit].iloc[0] != results[second][limit].iloc[0]


@pytest.mark.parametrize("line", [pytest.param(44, id=source(STANDARD, 44))])
def test_unscreened_limits_are_wider(line):
    screened = standard(WITH_OUTLIER)
    unscreened = standard(WITH_OUTLIER, screen_outliers=False)

    assert (unscreened["upper_limit"].iloc[0] - unscreened["lower_limit"].iloc[0]) > (
        screened["upper_limit"].iloc[0] - screened["lower_limit"].iloc[0]
    )


def rnorm_frame(**columns):
    return pd.DataFrame({"f": "no facet", "value": RNORM_123, **columns})


@pytest.mark.parametrize("line", [pytest.param(53, id=source(STANDARD, 53))])
def test_a_target_column_that_does_not_exist_is_an_error(line):
    with pytest.raises(KeyError, match="t"):
        xmr_by_group(rnorm_frame(), by=["f"], target="t")


@pytest.mark.parametrize(
    ("target", "expected"),
    cases(
        (STANDARD, 59, "t", [float(number) for number in range(1, 21)]),
        (STANDARD, 64, None, [math.nan] * 20),
    ),
)
def test_the_target_is_echoed(target, expected):
    frame = rnorm_frame(t=range(1, 21))

    result = xmr_by_group(frame, by=["f"], target=target)

    assert result["target"].tolist() == pytest.approx(expected, nan_ok=True)


@pytest.mark.parametrize(
    ("line", "segments"),
    [
        pytest.param(70, None, id=source(STANDARD, 70)),  # no facet: one series
        pytest.param(77, [0] * 20, id=source(STANDARD, 77)),  # no rebase: one group
        pytest.param(83, [0] * 10 + [1] * 10, id=source(STANDARD, 83)),  # rebase at 11
    ],
)
def test_each_facet_and_rebase_group_has_its_own_limits(line, segments):
    frame = rnorm_frame(segment=segments or [0] * 20)

    result = xmr_by_group(frame, by=["f", "segment"])

    for _segment, part in frame.groupby("segment"):
        own = xmr(part["value"])
        assert result.loc[part.index, "mean"].tolist() == own["mean"].tolist()
        assert result.loc[part.index, "upper_limit"].tolist() == own["upper_limit"].tolist()
    assert result["mean"].nunique() == len(set(segments or [0]))


@pytest.mark.parametrize(
    "limit", cases((STANDARD, 93, "lower_limit"), (STANDARD, 94, "upper_limit"))
)
def test_fixing_the_limits_after_twelve_points_changes_them(limit):
    # fix_after_n_points = 12 is limits_from the first 12 points.
    fixed = standard(limits_from=[True] * 12 + [False] * 8)

    assert fixed[limit].iloc[0] != standard()[limit].iloc[0]


@pytest.mark.parametrize("line", [pytest.param(110, id=source(STANDARD, 110))])
def test_two_of_three_close_to_the_limits_need_the_same_side_of_the_mean(line):
    values = [1.0, -1.0] * 8
    values[14], values[15] = 5.5, -5.5

    frame = standard(values)

    assert frame["variation"].tail(2).tolist() == ["common_cause", "common_cause"]


# --- test-ptd_calculate_point_type.R: the plumbing ------------------------------------------


@pytest.mark.parametrize("lines", [pytest.param(None, id=source(POINT_TYPE, 23, 24, 26, 27))])
def test_one_group_is_judged_once_on_its_whole_series(lines):
    frame = pd.DataFrame({"f": [1] * 4, "rebase_group": [0] * 4, "value": [3.0, 1.0, 4.0, 1.0]})

    result = xmr_by_group(frame, by=["f", "rebase_group"])

    pd.testing.assert_frame_equal(result, xmr(frame["value"]))


@pytest.mark.parametrize("lines", [pytest.param(None, id=source(POINT_TYPE, 52, 53))])
def test_each_facet_is_judged_on_its_own(lines):
    frame = pd.DataFrame({"f": [1, 2, 3, 4], "rebase_group": [0] * 4, "value": [3.0] * 4})

    result = xmr_by_group(frame, by=["f", "rebase_group"])

    # One point per facet: each judged alone has no moving range.
    assert result["variation"].tolist() == ["too_few"] * 4


@pytest.mark.parametrize("line", [pytest.param(63, id=source(POINT_TYPE, 63))])
def test_it_returns_the_data_row_for_row(line):
    frame = pd.DataFrame({"f": [1], "rebase_group": [2], "value": [5.0]}, index=["only"])

    result = xmr_by_group(frame, by=["f", "rebase_group"])

    assert result.index.tolist() == ["only"]


@pytest.mark.parametrize("line", [pytest.param(75, id=source(POINT_TYPE, 75))])
def test_it_groups_by_facet_and_rebase_group(line):
    # Same facet, two rebase groups: each has its own mean.
    frame = pd.DataFrame({"f": [1] * 4, "rebase_group": [0, 0, 1, 1], "value": [1.0, 3, 10, 12]})

    result = xmr_by_group(frame, by=["f", "rebase_group"])

    assert result["mean"].tolist() == [2.0, 2.0, 11.0, 11.0]


# --- test-ptd_calculate_point_type.R: the rules ---------------------------------------------


@pytest.mark.parametrize(
    ("sides", "expected"),
    cases(
        (POINT_TYPE, 80, [], []),
        (POINT_TYPE, 81, [1] * 6, [0] * 6),
        (POINT_TYPE, 85, [1] * 6 + [-1], [0] * 7),
        (POINT_TYPE, 89, [1] * 8 + [-1], [0, 0, 0, 0, 0, 0, 1, 1, 0]),
        (POINT_TYPE, 93, [-1] * 8 + [1], [0, 0, 0, 0, 0, 0, 1, 1, 0]),
    ),
)
def test_seven_point_one_side_mean(sides, expected):
    assert seven_point_one_side_mean(sides) == expected


@pytest.mark.parametrize(
    ("ends", "expected"),
    cases(
        (POINT_TYPE, 101, [], []),
        (POINT_TYPE, 102, [0] * 6, [0] * 6),
        (POINT_TYPE, 107, [0] * 6 + [1, 0], [1] * 7 + [0]),
        (POINT_TYPE, 112, [0] * 7 + [1, 0], [0] + [1] * 7 + [0]),
        (POINT_TYPE, 117, [0] * 6 + [-1, 0], [1] * 7 + [0]),
        (POINT_TYPE, 122, [0] * 7 + [-1, 0], [0] + [1] * 7 + [0]),
    ),
)
def test_part_of_seven(ends, expected):
    assert part_of_seven(ends) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    cases(
        (POINT_TYPE, 130, [], []),
        (POINT_TYPE, 131, [1, 2, 3, 4, 5, 6], [0] * 6),
        (POINT_TYPE, 137, [1, 2, 3, 3, 4, 5, 6], [0] * 7),
        (POINT_TYPE, 140, [1, 2, 3, 4, 5, 6, 7], [0] * 6 + [1]),
        (POINT_TYPE, 143, [2, 1, 2, 3, 4, 5, 6, 7, 3], [0] * 7 + [1, 0]),
        (POINT_TYPE, 146, [7, 6, 5, 4, 3, 2, 1], [0] * 6 + [-1]),
        (POINT_TYPE, 149, [2, 7, 6, 5, 4, 3, 2, 1, 3], [0] * 7 + [-1, 0]),
    ),
)
def test_seven_point_trend(values, expected):
    assert seven_point_trend(values) == expected


@pytest.mark.parametrize(
    ("close", "sides", "expected"),
    cases(
        (POINT_TYPE, 155, [], [], []),
        (POINT_TYPE, 158, [0, 0, 0], [0], [0, 0, 0]),
        # Lines 163–165: d, e and f equal each other and are all 1.
        (POINT_TYPE, (163, 165), [1, 0, 1], [1, 1, 1], [1, 1, 1]),
        (POINT_TYPE, (163, 165), [0, 1, 1], [1, 1, 1], [1, 1, 1]),
        (POINT_TYPE, (164, 165), [1, 1, 0], [1, 1, 1], [1, 1, 1]),
        (POINT_TYPE, 168, [0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 1, 1, 0, 0]),
        (POINT_TYPE, 171, [0, 0, 1, 1, 0, 0, 0], [1] * 7, [0, 1, 1, 1, 1, 0, 0]),
        # Points on opposite sides of the mean.
        (POINT_TYPE, 178, [1, 0, 1], [1, -1, 1], [0, 0, 0]),
        (POINT_TYPE, 179, [0, 1, 1], [1, -1, 1], [0, 0, 0]),
        (POINT_TYPE, 180, [1, 1, 0], [1, -1, 1], [0, 0, 0]),
        (POINT_TYPE, 183, [0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1], [0] * 7),
        (POINT_TYPE, 186, [0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1], [0] * 7),
    ),
)
def test_two_in_three(close, sides, expected):
    assert two_in_three(close, sides) == expected


# `call` is how the package's test calls ptd_part_of_two_in_three(x, y) with
# t = ptd_two_in_three(v, rtm): mostly (t, v); line 201 passes (v, t), line 231 (v, v).
@pytest.mark.parametrize(
    ("close", "sides", "call", "expected"),
    cases(
        (POINT_TYPE, 195, [], [], "t, v", []),
        (POINT_TYPE, 201, [0, 0, 0], [0], "v, t", [0, 0, 0]),
        (POINT_TYPE, 207, [1, 0, 1], [1, 1, 1], "t, v", [1, 0, 1]),
        (POINT_TYPE, 213, [0, 1, 1], [1, 1, 1], "t, v", [0, 1, 1]),
        (POINT_TYPE, 219, [1, 1, 0], [1, 1, 1], "t, v", [1, 1, 0]),
        (POINT_TYPE, 225, [0, 0, 1, 0, 1, 0, 0], [1] * 7, "t, v", [0, 0, 1, 0, 1, 0, 0]),
        (POINT_TYPE, 231, [0, 0, 1, 1, 0, 0, 0], [1] * 7, "v, v", [0, 0, 1, 1, 0, 0, 0]),
        (POINT_TYPE, 237, [1, 0, 0, 1], [1] * 4, "t, v", [0, 0, 0, 0]),
        (POINT_TYPE, 243, [1, 0, 0, 1, 1], [1] * 5, "t, v", [0, 0, 0, 1, 1]),
    ),
)
def test_part_of_two_in_three(close, sides, call, expected):
    flags = two_in_three(close, sides)
    arguments = {"t, v": (flags, close), "v, t": (close, flags), "v, v": (close, close)}

    assert part_of_two_in_three(*arguments[call]) == expected


# The package's labels for (rule, direction), and for no rule.
POINT_LABELS = {
    (Rule.OUTSIDE_LIMITS, HIGH): "Above UCL",
    (Rule.OUTSIDE_LIMITS, LOW): "Below LCL",
    (Rule.TREND, HIGH): "7 Point Trend (Increasing)",
    (Rule.TREND, LOW): "7 Point Trend (Decreasing)",
    (Rule.TWO_OF_THREE, HIGH): "2 in 3 Above CL",
    (Rule.TWO_OF_THREE, LOW): "2 in 3 Below CL",
    (Rule.SHIFT, HIGH): "7 Points Above CL",
    (Rule.SHIFT, LOW): "7 Points Below CL",
    None: "Common Cause",
}


@pytest.mark.parametrize(
    ("values", "sides", "outside", "parts", "expected"),
    cases(
        (
            POINT_TYPE,
            274,
            list(range(1, 9)),
            [1] * 4 + [-1] * 4,
            [0, 0, 0, 0, 0, 1, -1, 0],
            # The mocks: part of a trend, of two in three, of seven on one side.
            {
                "trend": [1, -1, 0, 0, 0, 0, 0, 0],
                "two": [0, 0, 0, 0, 1, 0, 0, 0],
                "shift": [0, 0, 1, -1, 0, 0, 0, 0],
            },
            [
                "7 Point Trend (Increasing)",
                "7 Point Trend (Increasing)",
                "7 Points Above CL",
                "7 Points Above CL",
                "2 in 3 Below CL",
                "Below LCL",
                "Below LCL",
                "Common Cause",
            ],
        ),
    ),
)
def test_special_cause_type(values, sides, outside, parts, expected):
    described = special_cause_type(values, sides, outside, **parts)

    assert [POINT_LABELS[item] for item in described] == expected


# --- test-ptd_calculate_assurance_type.R ---------------------------------------------------

ASSURANCES = {
    "consistent_pass": Assurance.PASS,
    "consistent_fail": Assurance.FAIL,
    "inconsistent": Assurance.HIT_AND_MISS,
    None: Assurance.NONE,  # the package's NA
}
DIRECTIONS = {"increase": False, "decrease": True, "neutral": None}
# Facets a, b, c (lines 17–23): lower limit, upper limit; target 4 for all.
FACETS = [(1, 3), (5, 7), (1, 5)]


@pytest.mark.parametrize(
    ("target", "direction", "facets", "expected"),
    cases(
        (ASSURANCE, 13, math.nan, "increase", [(1, 3)], [None]),
        (
            ASSURANCE,
            31,
            4,
            "increase",
            FACETS,
            ["consistent_fail", "consistent_pass", "inconsistent"],
        ),
        (
            ASSURANCE,
            49,
            4,
            "decrease",
            FACETS,
            ["consistent_pass", "consistent_fail", "inconsistent"],
        ),
        (ASSURANCE, 67, 4, "neutral", FACETS, [None, None, None]),
    ),
)
def test_assurance(target, direction, facets, expected):
    found = [
        assurance(target=target, lower=lower, upper=upper, lower_is_better=DIRECTIONS[direction])
        for lower, upper in facets
    ]

    assert found == [ASSURANCES[item] for item in expected]


@pytest.mark.parametrize(
    ("order", "expected"),
    cases(
        (ASSURANCE, 85, [0, 1, 2], "inconsistent"),
        (ASSURANCE, 88, [1, 2, 0], "consistent_pass"),
        (ASSURANCE, 91, [2, 0, 1], "consistent_fail"),
    ),
)
def test_assurance_after_a_rebase_is_judged_at_the_last_point(order, expected):
    # One facet, three rebase groups with the limits of FACETS; decrease; target 4.
    lower, upper = [FACETS[index] for index in order][-1]

    found = assurance(target=4, lower=lower, upper=upper, lower_is_better=True)

    assert found == ASSURANCES[expected]
