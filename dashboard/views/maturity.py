from dashboard.charts.maturity import movement_chart
from dashboard.selectors.maturity import maturity_movement
from dashboard.tables.maturity import PER_PAGE, MaturityExportTable, MaturityTable, export_rows
from dashboard.views.base import board_view, table_page


@board_view
def maturity(request, page):
    label = page.quarter.label

    def compute():
        data = maturity_movement(page=page)
        return {"data": data, "chart": movement_chart(data)}

    return table_page(
        request,
        page,
        name="maturity",
        template="dashboard/maturity.html",
        compute=compute,
        cache_parts={},
        table=lambda found: MaturityTable(
            found["data"],
            caption=f"Maturity by locality and care-model element: October 2017 baseline → "
            f"latest as at {label}",
        ),
        # Every locality and element, with the numbers apart: the page's cached data.
        download=lambda cached: MaturityExportTable(
            export_rows(cached()["data"]),
            caption=f"Maturity scores, October 2017 baseline and latest as at {label}",
        ),
        per_page=PER_PAGE,
    )
