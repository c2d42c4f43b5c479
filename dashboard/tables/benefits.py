"""The Benefits page's tables, shown and downloaded: savings by quarter, year, locality
and measure, and what has been committed (rows from dashboard.selectors.benefits).

Estimates rest on unit costs and a baseline average: they are shown as the tiles show
money (£5.8m, £519.1k), never to the pound, and downloaded as shown (5800000, 519100).
"""

import django_tables2 as tables

from common.money import (
    pounds,
    pounds_number,
    pounds_short,
    pounds_short_number,
    pounds_short_signed,
)
from dashboard.tables.base import NUMERIC_ATTRS, DashboardTable


class RoundPoundsColumn(tables.Column):
    """An estimate in pounds as a tile shows it (£5.8m), and downloaded as shown."""

    def __init__(self, *args, signed: bool = False, **kwargs):
        kwargs.setdefault("attrs", NUMERIC_ATTRS)
        kwargs.setdefault("orderable", False)
        self.signed = signed
        super().__init__(*args, **kwargs)

    def render(self, value):
        return pounds_short_signed(value) if self.signed else pounds_short(value)

    def value(self, value):
        return pounds_short_number(value)


def _label(verbose_name: str) -> tables.Column:
    return tables.Column(verbose_name=verbose_name, orderable=False)


def _count(verbose_name: str) -> tables.Column:
    return tables.Column(verbose_name=verbose_name, attrs=NUMERIC_ATTRS, orderable=False)


class _BenefitsTable(DashboardTable):
    class Meta(DashboardTable.Meta):
        attrs = {"class": "nhsuk-table nhsuk-u-font-size-16 app-money-table"}
        orderable = False
        empty_text = "Nothing to count yet."


class SavingsByPeriodTable(_BenefitsTable):
    """Rows are SavingsRow: expected from the case, estimated from activity, and to date."""

    name = _label("Quarter")
    expected = RoundPoundsColumn(verbose_name="Expected (case × ramp)")
    estimated = RoundPoundsColumn(verbose_name="Estimated from activity")
    difference = RoundPoundsColumn(verbose_name="Estimated less expected", signed=True)
    cumulative_expected = RoundPoundsColumn(verbose_name="Expected to date")
    cumulative_estimated = RoundPoundsColumn(verbose_name="Estimated to date")

    class Meta(_BenefitsTable.Meta):
        pass


class SavingsByYearTable(_BenefitsTable):
    name = _label("Financial year")
    expected = RoundPoundsColumn(verbose_name="Expected (case × ramp)")
    estimated = RoundPoundsColumn(verbose_name="Estimated from activity")
    difference = RoundPoundsColumn(verbose_name="Estimated less expected", signed=True)
    months = _count("Locality-measure months")

    class Meta(_BenefitsTable.Meta):
        pass


class SavingsByPlaceTable(_BenefitsTable):
    """By locality: the expected is the trajectories' (illustrative)."""

    name = _label("Locality")
    expected = RoundPoundsColumn(verbose_name="Expected (trajectory)")
    estimated = RoundPoundsColumn(verbose_name="Estimated from activity")
    difference = RoundPoundsColumn(verbose_name="Estimated less expected", signed=True)
    months = _count("Months counted")

    class Meta(_BenefitsTable.Meta):
        pass


class SavingsByMeasureTable(SavingsByPlaceTable):
    name = _label("Measure")

    class Meta(_BenefitsTable.Meta):
        pass


class CommitmentsTable(_BenefitsTable):
    """Rows are CommitmentRow: committed by the quarter's end, by kind and locality."""

    kind = _label("Kind")
    locality = _label("Locality")
    committed = RoundPoundsColumn(verbose_name="Committed to date")
    commitments = _count("Commitments")

    class Meta(_BenefitsTable.Meta):
        pass


class SpendByLocalityTable(_BenefitsTable):
    """Rows are ReinvestmentRow: each locality's spend in the year to date, as on the
    Money page (the case gives no split of reinvestment between localities)."""

    name = _label("Locality")
    spent = tables.Column(verbose_name="Spent, year to date", attrs=NUMERIC_ATTRS, orderable=False)
    returns = _count("Approved returns")

    class Meta(_BenefitsTable.Meta):
        pass

    def render_spent(self, value):
        return pounds(value)

    def value_spent(self, value):
        return pounds_number(value)
