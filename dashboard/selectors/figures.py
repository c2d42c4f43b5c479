"""The headline figures every page states, from one place: one figure, one value.

The overview, the MDTs, money and objectives pages and the board pack all show
these through `headline_figures`, so a figure cannot differ between them
(tests/dashboard/test_one_figure.py renders every page and compares them).
Each figure says its base:

- MDTs live are counted from the MDT register (decision 0009) out of every MDT
  planned to go live in the quarter's financial year: a fixed base that does
  not move with which returns happen to be approved;
- spend compares what the approved returns of the year to date report spent
  with what those same returns planned, and says how many localities' returns
  that covers;
- "data complete" says how many localities' returns for the quarter are
  approved, how many are awaiting approval (submitted) and, after the
  deadline, how many are overdue (neither submitted nor approved).

Five small queries whatever the data.
"""

import datetime
from dataclasses import dataclass

from dashboard.periods import DashboardPage
from dashboard.selectors.areas import area_of
from dashboard.selectors.money import SpendAgainstPlan, programme_spend
from localities.models import MDT
from updates.models import QuarterlyUpdate

# The 2018/19 plan: one MDT for every 30,000–50,000 registered patients.
MDT_POPULATION_LOW = 30_000
MDT_POPULATION_HIGH = 50_000


@dataclass(frozen=True)
class DataCompleteness:
    """How many localities' returns for the quarter the board can rely on."""

    localities_total: int
    approved: int
    awaiting_approval: int  # submitted, not yet approved: neither missing nor overdue
    overdue: int  # neither submitted nor approved, after the deadline
    not_yet_due: int  # neither submitted nor approved, before the deadline

    @property
    def is_complete(self) -> bool:
        return self.approved == self.localities_total


@dataclass(frozen=True)
class HeadlineFigures:
    financial_year_label: str
    mdts_live: int
    mdts_planned: int  # planned to go live by the end of the financial year
    population_covered: int
    spend: SpendAgainstPlan  # the approved returns of the year to date, like with like
    spend_localities: int  # how many localities those returns come from
    completeness: DataCompleteness

    @property
    def population_plan_low(self) -> int:
        return self.mdts_planned * MDT_POPULATION_LOW

    @property
    def population_plan_high(self) -> int:
        return self.mdts_planned * MDT_POPULATION_HIGH


def data_completeness(*, page: DashboardPage, today: datetime.date) -> DataCompleteness:
    """The quarter's returns by where they stand, over the localities in force at its end.

    An area counts as approved when a return counted under it (its own, or one of a
    locality that became part of it: decision 0023) is approved, else as awaiting
    approval when one is submitted. One GROUP BY.
    """
    quarter = page.quarter
    structure = page.structure
    in_force = {locality.id for locality in structure.localities}
    standing: dict[int, str] = {}
    for area, status in (
        QuarterlyUpdate.objects.filter(
            quarter=quarter,
            status__in=[QuarterlyUpdate.Status.APPROVED, QuarterlyUpdate.Status.SUBMITTED],
        )
        .annotate(area=area_of(structure))
        .order_by()
        .values_list("area", "status")
        .distinct()
    ):
        if area in in_force and standing.get(area) != QuarterlyUpdate.Status.APPROVED:
            standing[area] = status
    total = len(in_force)
    approved = sum(status == QuarterlyUpdate.Status.APPROVED for status in standing.values())
    submitted = len(standing) - approved
    not_handed_in = total - approved - submitted
    overdue = not_handed_in if today > quarter.submission_deadline else 0
    return DataCompleteness(
        localities_total=total,
        approved=approved,
        awaiting_approval=submitted,
        overdue=overdue,
        not_yet_due=not_handed_in - overdue,
    )


def headline_figures(*, page: DashboardPage, today: datetime.date) -> HeadlineFigures:
    mdts = MDT.objects.figures_as_at(page.quarter)
    spend, spend_localities = programme_spend(page=page)
    return HeadlineFigures(
        financial_year_label=page.quarter.financial_year.label,
        mdts_live=mdts["live"],
        mdts_planned=mdts["planned_for_year"],
        population_covered=mdts["population_live"],
        spend=spend,
        spend_localities=spend_localities,
        completeness=data_completeness(page=page, today=today),
    )
