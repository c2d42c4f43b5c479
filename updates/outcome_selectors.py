"""Reads of the monthly outcome data for the returns: a quarter's months, read-only.

Decision 0019: the warehouse extract is the one record of outcome activity; a
return shows the extract's months for its quarter and asks for nothing.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from localities.models import Locality, MonthlyOutcome, OutcomeMeasure, Quarter
from localities.outcome_months import quarter_months

SOURCE_TEXT = (
    "From the monthly data warehouse extract loaded by the programme office on {date}; "
    "not entered on the return."
)
NO_EXTRACT_TEXT = (
    "From the monthly data warehouse extract loaded by the programme office; none of this "
    "quarter's months is loaded yet. Not entered on the return."
)


@dataclass(frozen=True)
class MonthFigure:
    month: datetime.date
    value: int | None  # None: not loaded yet
    is_illustrative: bool = False

    @property
    def missing_text(self) -> str:
        return f"No figures loaded yet for {self.month:%B %Y}"


@dataclass(frozen=True)
class MeasureQuarter:
    """One measure's three months in a quarter, and their sum (of the months loaded)."""

    measure: OutcomeMeasure
    months: list[MonthFigure]

    @property
    def total(self) -> int | None:
        values = [m.value for m in self.months if m.value is not None]
        return sum(values) if values else None

    @property
    def months_loaded(self) -> int:
        return sum(m.value is not None for m in self.months)

    @property
    def is_complete(self) -> bool:
        return self.months_loaded == len(self.months)

    @property
    def is_illustrative(self) -> bool:
        return any(m.is_illustrative for m in self.months)


@dataclass(frozen=True)
class QuarterOutcomes:
    months: list[datetime.date]
    rows: list[MeasureQuarter]
    loaded_on: datetime.date | None  # the latest load of any figure shown

    @property
    def source_text(self) -> str:
        if self.loaded_on is None:
            return NO_EXTRACT_TEXT
        return SOURCE_TEXT.format(date=f"{self.loaded_on.day} {self.loaded_on:%B %Y}")

    @property
    def is_illustrative(self) -> bool:
        return any(row.is_illustrative for row in self.rows)


def quarter_outcomes(
    *, locality: Locality, quarter: Quarter, measures: list[OutcomeMeasure] | None = None
) -> QuarterOutcomes:
    """The extract's figures for the quarter's months, per measure: one query (two without
    `measures`)."""
    months = quarter_months(quarter)
    measures = list(OutcomeMeasure.objects.order_by("pk")) if measures is None else measures
    found = {}
    loaded_at = None
    for outcome in (
        MonthlyOutcome.objects.filter(locality=locality, month__in=months)
        .select_related("extract")
        .only("measure_id", "month", "value", "is_illustrative", "extract__loaded_at")
    ):
        found[(outcome.measure_id, outcome.month)] = outcome
        if loaded_at is None or outcome.extract.loaded_at > loaded_at:
            loaded_at = outcome.extract.loaded_at
    rows = []
    for measure in measures:
        figures = []
        for month in months:
            outcome = found.get((measure.pk, month))
            figures.append(
                MonthFigure(
                    month=month,
                    value=outcome.value if outcome else None,
                    is_illustrative=bool(outcome and outcome.is_illustrative),
                )
            )
        rows.append(MeasureQuarter(measure=measure, months=figures))
    return QuarterOutcomes(
        months=months,
        rows=rows,
        loaded_on=timezone.localdate(loaded_at) if loaded_at else None,
    )
