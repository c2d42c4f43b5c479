import datetime

import pytest

from localities.outcome_months import (
    expected_activity,
    financial_year_of,
    is_baseline,
    months_between,
    next_month,
)


def test_months_between_crosses_a_year_end():
    assert months_between(datetime.date(2018, 11, 15), datetime.date(2019, 2, 1)) == [
        datetime.date(2018, 11, 1),
        datetime.date(2018, 12, 1),
        datetime.date(2019, 1, 1),
        datetime.date(2019, 2, 1),
    ]


def test_next_month_of_december_is_january():
    assert next_month(datetime.date(2018, 12, 1)) == datetime.date(2019, 1, 1)


@pytest.mark.parametrize(
    ("month", "year"),
    [
        (datetime.date(2018, 4, 1), 2018),
        (datetime.date(2019, 3, 1), 2018),
        (datetime.date(2019, 4, 1), 2019),
    ],
)
def test_financial_year_starts_in_april(month, year):
    assert financial_year_of(month) == year


def test_baseline_is_april_2016_to_march_2018():
    assert not is_baseline(datetime.date(2016, 3, 1))
    assert is_baseline(datetime.date(2016, 4, 1))
    assert is_baseline(datetime.date(2018, 3, 1))
    assert not is_baseline(datetime.date(2018, 4, 1))


def test_expected_activity_takes_the_ramps_share_of_the_reduction():
    # 20% at steady state, 30% of the way there: 6% below a baseline of 1,000.
    assert expected_activity(1000.0, 20.0, 30.0) == pytest.approx(940.0)
    assert expected_activity(1000.0, 20.0, 0.0) == 1000.0
