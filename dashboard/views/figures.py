"""The headline figures each page states beside its own (dashboard/selectors/figures.py)."""

from django.utils import timezone

from dashboard.caching import cached_page_data
from dashboard.periods import DashboardPage
from dashboard.selectors.figures import HeadlineFigures, headline_figures


def cached_headline_figures(page: DashboardPage) -> HeadlineFigures:
    today = timezone.localdate()  # "overdue" depends on the day
    return cached_page_data(
        "headline-figures",
        page=page,
        compute=lambda: headline_figures(page=page, today=today),
        today=today,
    )
