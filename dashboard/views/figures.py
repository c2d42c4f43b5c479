"""The headline figures each page states beside its own (dashboard/selectors/figures.py)."""

from dashboard.caching import cached_page_data
from dashboard.periods import DashboardPage
from dashboard.selectors.figures import HeadlineFigures, headline_figures


def cached_headline_figures(page: DashboardPage) -> HeadlineFigures:
    # Returns fall due after their quarter ends, so "overdue" is judged on the page's
    # own day (read once per request, as the overview does), and keyed by it.
    return cached_page_data(
        "headline-figures",
        page=page,
        compute=lambda: headline_figures(page=page, today=page.today),
        today=page.today,
    )
