"""The boards as at the page's quarter: which were in force, their roles, meetings,
decisions and actions (governance.selectors.governance_as_at, judged as at
DashboardPage.as_at), and which had an approved report from the programme office
for the quarter. Six queries however much governance there is.
"""

from dataclasses import dataclass

from dashboard.periods import DashboardPage
from governance.selectors import GovernanceAsAt, governance_as_at, reported_bodies


@dataclass(frozen=True)
class GovernancePage:
    governance: GovernanceAsAt
    # The bodies with an approved report for the quarter: their pack's cover sheet.
    reported: frozenset[int]


def governance_page(*, page: DashboardPage) -> GovernancePage:
    return GovernancePage(
        governance=governance_as_at(day=page.as_at),
        reported=reported_bodies(quarter=page.quarter),
    )
