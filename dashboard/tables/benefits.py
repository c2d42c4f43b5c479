"""The Benefits page's tables, shown and downloaded: savings by quarter, year, locality
and measure, and what has been committed (rows from dashboard.selectors.benefits)."""

import django_tables2 as tables

from dashboard.tables.base import NUMERIC_ATTRS, DashboardTable, PoundsColumn


class _BenefitsTable(DashboardTable):
    class Meta(DashboardTable.Meta):
        attrs = {"class": "nhsuk-table nhsuk-u-font-size-16 app-money-table"}
        orderable = False
        empty_text = "Nothing to count yet."


class SavingsByPeriodTable(_BenefitsTable):
    """Rows are SavingsRow: expected from the case, estimated from activity, and to date."""

    name = tables.Column(verbose_name="Period")
    expected = PoundsColumn(verbose_name="Expected (case × ramp)")
    estimated = PoundsColumn(verbose_name="Estimated from activity")
    difference = PoundsColumn(verbose_name="Estimated less expected", signed=True)
    cumulative_expected = PoundsColumn(verbose_name="Expected to date")
    cumulative_estimated = PoundsColumn(verbose_name="Estimated to date")
    months = tables.Column(verbose_name="Locality-measure months", attrs=NUMERIC_ATTRS)


class SavingsByYearTable(_BenefitsTable):
    name = tables.Column(verbose_name="Financial year")
    expected = PoundsColumn(verbose_name="Expected (case × ramp)")
    estimated = PoundsColumn(verbose_name="Estimated from activity")
    difference = PoundsColumn(verbose_name="Estimated less expected", signed=True)
    months = tables.Column(verbose_name="Locality-measure months", attrs=NUMERIC_ATTRS)


class SavingsByPlaceTable(_BenefitsTable):
    """By locality or by measure: the expected is the trajectories' (illustrative)."""

    name = tables.Column(verbose_name="Locality")
    expected = PoundsColumn(verbose_name="Expected (trajectory)")
    estimated = PoundsColumn(verbose_name="Estimated from activity")
    difference = PoundsColumn(verbose_name="Estimated less expected", signed=True)
    months = tables.Column(verbose_name="Months counted", attrs=NUMERIC_ATTRS)


class SavingsByMeasureTable(SavingsByPlaceTable):
    name = tables.Column(verbose_name="Measure")


class CommitmentsTable(_BenefitsTable):
    """Rows are CommitmentRow: committed by the quarter's end, by kind and locality."""

    kind = tables.Column(verbose_name="Kind")
    locality = tables.Column(verbose_name="Locality")
    committed = PoundsColumn(verbose_name="Committed to date")
    commitments = tables.Column(verbose_name="Commitments", attrs=NUMERIC_ATTRS)
