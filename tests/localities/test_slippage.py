import datetime

import pytest

from localities.slippage import actual_is_fuzzy, actual_text, plan_is_fuzzy, slippage

D = datetime.date
DEEP_DIVE_PLAN = {
    "plan_text": "August / early September 2018",
    "planned_start": D(2018, 8, 1),
    "planned_end": D(2018, 9, 7),
    "timing_as_written": "August / early September 2018",
}
SINGLE_DAY = {
    "plan_text": "28 June 2018",
    "planned_start": D(2018, 6, 28),
    "planned_end": D(2018, 6, 28),
    "timing_as_written": "28 June 2018",
}
DATES_ONLY = {  # a window entered as dates, no paper's words: its end is a real deadline
    "plan_text": "Mar 2019",
    "planned_start": D(2019, 3, 1),
    "planned_end": D(2019, 3, 31),
    "timing_as_written": "",
}


@pytest.mark.parametrize(
    ("plan", "actual", "forecast", "phrase", "days"),
    [
        (DEEP_DIVE_PLAN, D(2018, 11, 23), None, "About three months after “August / early September 2018”", None),
        (DEEP_DIVE_PLAN, D(2018, 12, 11), None, "About three months after “August / early September 2018”", None),
        (DEEP_DIVE_PLAN, D(2018, 10, 20), None, "About one month after “August / early September 2018”", None),
        (DEEP_DIVE_PLAN, D(2018, 9, 20), None, "Less than a month after “August / early September 2018”", None),
        (DEEP_DIVE_PLAN, D(2018, 8, 20), None, "Within “August / early September 2018”", None),
        (DEEP_DIVE_PLAN, D(2018, 7, 20), None, "Before “August / early September 2018”", None),
        (DEEP_DIVE_PLAN, None, D(2019, 9, 7), "About twelve months after “August / early September 2018” (forecast)", None),
        (SINGLE_DAY, D(2018, 6, 28), None, "On time", 0),
        (SINGLE_DAY, D(2018, 6, 29), None, "1 day late", 1),
        (SINGLE_DAY, None, D(2018, 9, 13), "77 days late (forecast)", 77),
        (SINGLE_DAY, D(2018, 6, 25), None, "3 days early", -3),
        (DATES_ONLY, None, D(2019, 6, 14), "75 days late (forecast)", 75),
    ],
)  # fmt: skip
def test_the_slippage_phrase_speaks_in_the_unit_the_plan_supports(
    plan, actual, forecast, phrase, days
):
    found = slippage(**plan, is_date_uncertain=False, actual_date=actual, forecast_date=forecast)
    assert (found.phrase, found.days) == (phrase, days)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"is_date_uncertain": True}, None),  # "July–Sep?": no slippage from a guess
        ({"planned_end": None, "planned_start": None}, None),  # "TBC"
    ],
)
def test_no_slippage_without_a_plan_to_measure_from(changes, expected):
    fields = {**DEEP_DIVE_PLAN, "is_date_uncertain": False, "actual_date": D(2018, 12, 11)}
    assert slippage(**{**fields, **changes}, forecast_date=None) is expected


@pytest.mark.parametrize(
    ("start", "end", "as_written", "uncertain", "fuzzy"),
    [
        (D(2018, 8, 1), D(2018, 8, 15), "Early August 2018", False, True),
        (D(2018, 9, 1), D(2018, 9, 30), "September 2017", False, True),
        (D(2018, 6, 28), D(2018, 6, 28), "28 June 2018", False, False),
        (D(2018, 6, 28), D(2018, 6, 28), "28 June 2018", True, True),
        (D(2019, 3, 1), D(2019, 3, 31), "", False, False),
        (None, D(2019, 3, 19), "By 19 March 2019", False, False),
    ],
)
def test_a_plan_is_fuzzy_when_its_words_are_not_one_day(start, end, as_written, uncertain, fuzzy):
    assert (
        plan_is_fuzzy(
            planned_start=start,
            planned_end=end,
            timing_as_written=as_written,
            is_date_uncertain=uncertain,
        )
        is fuzzy
    )


SEPTEMBER_2017 = {  # the investment case: planned and done "September 2017"
    "plan_text": "September 2017",
    "planned_start": D(2017, 9, 1),
    "planned_end": D(2017, 9, 30),
    "timing_as_written": "September 2017",
}


@pytest.mark.parametrize(
    ("plan", "actual", "as_written", "phrase"),
    [
        # Both the plan and the actual are months: no "On time", no days.
        (SEPTEMBER_2017, D(2017, 9, 30), "September 2017", "Within “September 2017”"),
        (SEPTEMBER_2017, D(2017, 12, 31), "December 2017", "About three months after “September 2017”"),
        (SEPTEMBER_2017, D(2017, 8, 31), "August 2017", "Before “September 2017”"),
        # An exact plan, an actual known only by its month: months, never "2 days late".
        (SINGLE_DAY, D(2018, 6, 30), "June 2018", "Within the planned month (“28 June 2018”)"),
        (SINGLE_DAY, D(2018, 8, 31), "August 2018", "About two months after “28 June 2018”"),
        (SINGLE_DAY, D(2018, 5, 31), "May 2018", "Before “28 June 2018”"),
        (DATES_ONLY, D(2019, 4, 30), "April 2019", "About one month after “Mar 2019”"),
        (DATES_ONLY, D(2019, 3, 31), "March 2019", "Within “Mar 2019”"),
        # A window ending mid-month: the month overlaps it, the day is not known.
        (DEEP_DIVE_PLAN, D(2018, 8, 31), "August 2018", "Within “August / early September 2018”"),
        (DEEP_DIVE_PLAN, D(2018, 9, 30), "September 2018", "Within the planned months (“August / early September 2018”)"),
        (DEEP_DIVE_PLAN, D(2018, 11, 30), "November 2018", "About two months after “August / early September 2018”"),
    ],
)  # fmt: skip
def test_an_actual_known_only_by_its_month_is_compared_in_months(plan, actual, as_written, phrase):
    found = slippage(
        **plan,
        is_date_uncertain=False,
        actual_date=actual,
        forecast_date=None,
        actual_as_written=as_written,
    )
    assert (found.phrase, found.days, found.is_forecast) == (phrase, None, False)


def test_a_month_only_actual_in_the_planned_month_is_not_late():
    found = slippage(
        **SINGLE_DAY,
        is_date_uncertain=False,
        actual_date=D(2018, 6, 30),  # the month's last day, stored for sorting
        forecast_date=None,
        actual_as_written="June 2018",
    )
    assert not found.is_late


@pytest.mark.parametrize(
    ("actual", "as_written", "text", "fuzzy"),
    [
        (D(2017, 9, 30), "September 2017", "September 2017", True),
        (D(2018, 6, 28), "", "28 Jun 2018", False),
        (None, "", "", False),
    ],
)
def test_the_actual_is_shown_as_the_paper_gives_it(actual, as_written, text, fuzzy):
    assert actual_text(actual, as_written) == text
    assert actual_is_fuzzy(actual_date=actual, actual_as_written=as_written) is fuzzy
