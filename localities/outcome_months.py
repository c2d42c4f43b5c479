"""Calendar months and the trajectory arithmetic the outcomes and benefits pages share.

A month is the date of its first day. The financial year runs April to March.
"""

import datetime

from localities.models import BASELINE_FIRST_MONTH, BASELINE_LAST_MONTH


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every month from `first`'s to `last`'s, both included."""
    found = []
    month = month_of(first)
    while month <= last:
        found.append(month)
        month = next_month(month)
    return found


def quarter_months(quarter) -> list[datetime.date]:
    """The three months of a `localities.models.Quarter`."""
    return months_between(quarter.start_date, quarter.end_date)


def financial_year_of(month: datetime.date) -> int:
    """The year its financial year starts: 2018 for any month of 2018/19."""
    return month.year if month.month >= 4 else month.year - 1


def is_baseline(month: datetime.date) -> bool:
    return BASELINE_FIRST_MONTH <= month <= BASELINE_LAST_MONTH


def expected_activity(
    baseline_mean: float, reduction_percent: float, ramp_share_percent: float
) -> float:
    """A trajectory's month: the baseline less the reduction expected by then.

    `ramp_share_percent` is the share of the steady-state reduction expected in the
    month's financial year (localities.models.SavingsRamp); no ramp row means 0.
    """
    return baseline_mean * (1 - reduction_percent / 100 * ramp_share_percent / 100)
