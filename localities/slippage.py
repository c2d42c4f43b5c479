"""How late a milestone is, in the unit its planned timing supports (decision 0002).

A plan is *exact* when the data holds the date the milestone was due: a single
day ("28 June 2018"), or a window entered as dates with no words from a paper
(its end is a real deadline). A plan is *fuzzy* when the paper gave words that
are not a single day ("Early August 2018", "August / early September 2018",
"July–Sep?") or the timing is flagged uncertain: the stored window is our
reading of those words, good for sorting, never a date to count days from.

An *actual* date is fuzzy too when the paper gives the completion only by month
("September 2017", `Milestone.actual_as_written`): the stored day is the
month's last, for sorting only, so the comparison is in whole months.
"""

import datetime
from dataclasses import dataclass

# The mean length of a month, so "about three months" rounds the same way everywhere.
DAYS_PER_MONTH = 365.25 / 12

_NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]


def plan_is_fuzzy(
    *,
    planned_start: datetime.date | None,
    planned_end: datetime.date | None,
    timing_as_written: str,
    is_date_uncertain: bool,
) -> bool:
    """True when the planned timing is not a date the data really holds (see the module)."""
    if is_date_uncertain:
        return True
    single_day = planned_end is not None and planned_start in (None, planned_end)
    return bool(timing_as_written) and not single_day


def actual_is_fuzzy(*, actual_date: datetime.date | None, actual_as_written: str) -> bool:
    """True when the paper gives the completion only in words (a month), not a day."""
    return actual_date is not None and bool(actual_as_written)


def actual_text(actual_date: datetime.date | None, actual_as_written: str) -> str:
    """The actual timing never more precise than the source: "September 2017" as the
    paper gives it, else the day, "28 Jun 2018"; "" when there is none."""
    if actual_date is None:
        return ""
    return actual_as_written or f"{actual_date:%-d %b %Y}"


def _month_number(day: datetime.date) -> int:
    return day.year * 12 + day.month


def _month_level(
    *, quoted: str, planned_start: datetime.date | None, planned_end: datetime.date, actual
) -> tuple[str, int]:
    """Phrase and sort key for an actual known only by its month: counted in months."""
    month = _month_number(actual)
    first_month = _month_number(planned_start or planned_end)
    months_late = month - _month_number(planned_end)
    if months_late > 0:
        return f"About {_months(months_late)} after {quoted}", round(months_late * DAYS_PER_MONTH)
    month_start = actual.replace(day=1)
    if month < first_month:
        return f"Before {quoted}", (actual - planned_end).days
    if planned_start is not None and planned_start <= month_start and actual <= planned_end:
        # The whole month lies in the window.
        return f"Within {quoted}", 0
    # The month overlaps the plan but the day is not known: neither early nor late.
    months = "month" if first_month == _month_number(planned_end) else "months"
    return f"Within the planned {months} ({quoted})", 0


@dataclass(frozen=True)
class Slippage:
    """How the actual (or forecast) date stands against the plan.

    `days` is set only against an exact plan; against a fuzzy one the phrase
    speaks in months, rounded, with "about".
    """

    phrase: str
    days: int | None
    is_forecast: bool
    # After the end of the planned window; with `days_after_window`, for sorting only.
    days_after_window: int

    @property
    def is_late(self) -> bool:
        return self.days_after_window > 0


def _months(count: int) -> str:
    number = _NUMBER_WORDS[count] if count < len(_NUMBER_WORDS) else f"{count:,}"
    return f"{number} month" if count == 1 else f"{number} months"


def slippage(
    *,
    plan_text: str,
    planned_start: datetime.date | None,
    planned_end: datetime.date | None,
    timing_as_written: str,
    is_date_uncertain: bool,
    actual_date: datetime.date | None,
    forecast_date: datetime.date | None,
    actual_as_written: str = "",
) -> Slippage | None:
    """The one phrase for a milestone's slippage; None when there is nothing to compare.

    None too when the plan itself is tentative ("July–Sep?"): lateness against
    a guess would mislead, even in months.

    Against an exact plan: "77 days late", "3 days early", "On time". Against a
    fuzzy plan, quoting the plan as written: "About three months after
    “August / early September 2018”", "Less than a month after …", "Within …",
    "Before …". "(forecast)" marks a forecast rather than an actual date.

    Against an actual known only by its month (`actual_as_written`), in whole
    months whatever the plan: "About two months after “28 June 2018”",
    "Within “September 2017”", "Within the planned month (“28 June 2018”)",
    never days.
    """
    achieved = actual_date or forecast_date
    if achieved is None or planned_end is None or is_date_uncertain:
        return None
    is_fuzzy = plan_is_fuzzy(
        planned_start=planned_start,
        planned_end=planned_end,
        timing_as_written=timing_as_written,
        is_date_uncertain=is_date_uncertain,
    )
    is_forecast = actual_date is None
    late_by = (achieved - planned_end).days
    if actual_is_fuzzy(actual_date=actual_date, actual_as_written=actual_as_written):
        days = None
        text, late_by = _month_level(
            quoted=f"“{plan_text}”",
            planned_start=planned_start,
            planned_end=planned_end,
            actual=actual_date,
        )
    elif not is_fuzzy:
        days = late_by
        if days == 0:
            text = "On time"
        else:
            unit = "day" if abs(days) == 1 else "days"
            text = f"{abs(days):,} {unit} {'late' if days > 0 else 'early'}"
    else:
        days = None
        quoted = f"“{plan_text}”"
        if late_by > 0:
            months = round(late_by / DAYS_PER_MONTH)
            if months == 0:
                text = f"Less than a month after {quoted}"
            else:
                text = f"About {_months(months)} after {quoted}"
        elif planned_start is not None and achieved < planned_start:
            text = f"Before {quoted}"
        else:
            text = f"Within {quoted}"
    return Slippage(
        phrase=f"{text} (forecast)" if is_forecast else text,
        days=days,
        is_forecast=is_forecast,
        days_after_window=late_by,
    )
