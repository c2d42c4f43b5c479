from dashboard.charts.benefits import money_chart, savings_chart
from dashboard.selectors.benefits import benefits as benefits_data
from dashboard.tables.benefits import (
    CommitmentsTable,
    SavingsByMeasureTable,
    SavingsByPeriodTable,
    SavingsByPlaceTable,
    SavingsByYearTable,
    SpendByLocalityTable,
)
from dashboard.views.base import Download, board_view, table_page

# Quarters, years and measures are a few rows; localities and commitments grow with
# the localities: 25 a page (`?localities-page=2`), every row in a download.
ROWS_PER_PAGE = 25


def _tables(data, label: str) -> dict:
    return {
        "quarters": SavingsByPeriodTable(
            data.quarters, caption=f"Gross savings by quarter, to {label}", prefix="quarters-"
        ),
        "years": SavingsByYearTable(
            data.years, caption=f"Gross savings by financial year, to {label}", prefix="years-"
        ),
        "localities": SavingsByPlaceTable(
            data.localities,
            caption=f"Gross savings by locality, to {label}",
            prefix="localities-",
        ),
        "measures": SavingsByMeasureTable(
            data.measures, caption=f"Gross savings by measure, to {label}", prefix="measures-"
        ),
        "spend": SpendByLocalityTable(
            data.reinvestment_localities,
            caption=f"Spend by locality, {data.financial_year} to {label} (approved returns)",
            prefix="spend-",
        ),
        "commitments": CommitmentsTable(
            data.commitment_rows,
            caption=f"Non-recurring revenue and capital committed by the end of {label}",
            prefix="commitments-",
        ),
    }


@board_view
def benefits(request, page):
    label = page.quarter.label

    def compute():
        data = benefits_data(page=page)
        return {
            "benefits": data,
            "savings_chart": savings_chart(data),
            "money_chart": money_chart(data),
        }

    def downloads(cached):
        def download(name):
            return lambda: Download(f"benefits-{name}", _tables(cached()["benefits"], label)[name])

        return {name: download(name) for name in _tables(cached()["benefits"], label)}

    return table_page(
        request,
        page,
        name="benefits",
        template="dashboard/benefits.html",
        compute=compute,
        cache_parts={},
        tables=lambda found: _tables(found["benefits"], label),
        downloads=downloads,
        per_page=ROWS_PER_PAGE,
    )
