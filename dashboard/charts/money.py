"""Charts of spend against plan: the programme by quarter, and each locality to date."""

import plotly.graph_objects as go

from common.money import percent_signed, pounds, pounds_short, pounds_signed
from dashboard.charts.base import (
    NHS_BLUE,
    NHS_DARK_GREY,
    Chart,
    ChartTable,
    base_layout,
    escape_text,
    figure_json,
)
from dashboard.selectors.money import (
    ON_PLAN_TOLERANCE_PERCENT,
    MoneyPage,
    SpendAgainstPlan,
    SpendVerdict,
)

PLANNED_COLOUR = NHS_DARK_GREY
SPENT_COLOUR = NHS_BLUE
MILLION = 1_000_000
TABLE_HEADERS = ["Planned", "Spent", "Variance", "Variance %", "Against plan"]


def _millions(amount) -> float:
    return float(amount) / MILLION


def _against_plan(row: SpendAgainstPlan) -> str:
    """ "8.6% under plan", or "on plan (within 5%)"."""
    percent = row.variance_percent
    if row.verdict == SpendVerdict.ON_PLAN:
        return f"on plan (within {ON_PLAN_TOLERANCE_PERCENT}%)"
    if percent is None:
        return row.verdict.lower()
    return f"{abs(percent)}% {row.verdict.lower()}"


def _table_cells(row: SpendAgainstPlan) -> list[str]:
    return [
        pounds(row.planned_to_date),
        pounds(row.spent_to_date),
        pounds_signed(row.variance),
        percent_signed(row.variance_percent),
        row.verdict,
    ]


def _bars(
    name: str,
    categories: list[str],
    amounts,
    *,
    colour: str,
    hover: list[str],
    horizontal: bool = False,
    hatched: bool = False,
) -> go.Bar:
    values = [_millions(amount) for amount in amounts]
    marker = {"color": colour}
    if hatched:
        # Planned bars carry a hatch as well as a colour, so the pair reads in greyscale.
        marker["pattern"] = {"shape": "/", "fgcolor": "#ffffff"}
    return go.Bar(
        name=name,
        x=values if horizontal else categories,
        y=categories if horizontal else values,
        orientation="h" if horizontal else "v",
        marker=marker,
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
    )


def _money_axis(title: str) -> dict:
    return {
        "title": {"text": title},
        "tickprefix": "£",
        "ticksuffix": "m",
        "tickformat": ",.1f",
        "gridcolor": "#e8edee",
        "rangemode": "tozero",
    }


def spend_by_quarter_chart(money: MoneyPage) -> Chart:
    """Grouped bars: planned and spent in each quarter of the year to date."""
    return quarter_spend_chart(
        quarters=money.quarters,
        total=money.total,
        area_name=money.area_name,
        year=money.financial_year.label,
        quarter_number=money.quarter.number,
    )


def quarter_spend_chart(
    *,
    quarters: list[SpendAgainstPlan],
    total: SpendAgainstPlan,
    area_name: str,
    year: str,
    quarter_number: int,
) -> Chart:
    """The money page's chart by quarter, from its parts (the board pack has no MoneyPage)."""
    labels = [row.name for row in quarters]
    planned = _bars(
        "Planned",
        labels,
        [row.planned_to_date for row in quarters],
        colour=PLANNED_COLOUR,
        hover=[f"{row.name}: {pounds(row.planned_to_date)} planned" for row in quarters],
        hatched=True,
    )
    spent = _bars(
        "Spent",
        labels,
        [row.spent_to_date for row in quarters],
        colour=SPENT_COLOUR,
        hover=[
            f"{row.name}: {pounds(row.spent_to_date)} spent ({percent_signed(row.variance_percent)})"
            for row in quarters
        ],
    )
    figure = go.Figure(
        data=[planned, spent],
        layout=base_layout(
            barmode="group",
            yaxis=_money_axis("£ million"),
            xaxis={"type": "category", "linecolor": "#768692"},
        ),
    )
    summary = (
        f"{area_name} spent {pounds_short(total.spent_to_date)} against "
        f"{pounds_short(total.planned_to_date)} planned in {year} up to Q{quarter_number} "
        f"({total.returns} approved returns): {_against_plan(total)}."
        if total.returns
        else f"No approved returns report spend for {area_name} in {year} yet."
    )
    return Chart(
        dom_id="spend-by-quarter",
        title=f"Spend against plan by quarter, {area_name}",
        summary=summary,
        figure=figure_json(figure),
        table=ChartTable(
            caption=f"Planned and spent by quarter, {area_name}, {year}",
            headers=["Quarter", *TABLE_HEADERS, "Returns counted"],
            rows=[[row.name, *_table_cells(row), str(row.returns)] for row in quarters],
        ),
    )


def spend_by_locality_chart(money: MoneyPage) -> Chart:
    """Horizontal grouped bars: spent to date against planned to date for each locality on
    the page of the table (bounded however many there are); the summary covers them all."""
    on_page = money.localities
    rows = on_page.rows
    pages = on_page.page_count
    which = (
        f", localities {on_page.offset + 1} to {on_page.offset + len(rows)} of {on_page.total} "
        f"(page {on_page.number} of {pages} of the table)"
        if pages > 1
        else ""
    )
    # Plotly draws the first category at the bottom; reverse so A is at the top.
    drawn = list(reversed(rows))
    names = [escape_text(row.name) for row in drawn]
    planned = _bars(
        "Planned to date",
        names,
        [row.planned_to_date for row in drawn],
        colour=PLANNED_COLOUR,
        hover=[
            f"{name}: {pounds(row.planned_to_date)} planned"
            for name, row in zip(names, drawn, strict=True)
        ],
        horizontal=True,
        hatched=True,
    )
    spent = _bars(
        "Spent to date",
        names,
        [row.spent_to_date for row in drawn],
        colour=SPENT_COLOUR,
        hover=[
            f"{name}: {pounds(row.spent_to_date)} spent ({row.verdict.lower()})"
            for name, row in zip(names, drawn, strict=True)
        ],
        horizontal=True,
    )
    figure = go.Figure(
        data=[spent, planned],
        layout=base_layout(
            barmode="group",
            height=max(320, 120 + 48 * len(rows)),
            margin={"l": 200, "r": 20, "t": 20, "b": 60},
            xaxis=_money_axis("£ million"),
            yaxis={"type": "category", "automargin": True, "linecolor": "#768692"},
            legend={"orientation": "h", "y": -0.1, "traceorder": "reversed"},
        ),
    )
    return Chart(
        dom_id="spend-by-locality",
        title=f"Spent to date against planned to date, by locality, {money.quarter.label}{which}",
        summary=_locality_summary(money),
        figure=figure_json(figure),
        table=ChartTable(
            caption=f"Spent and planned to date by locality, {money.quarter.label}{which}",
            headers=["Locality", *TABLE_HEADERS],
            rows=[[row.name, *_table_cells(row)] for row in rows],
        ),
    )


def _locality_summary(money: MoneyPage) -> str:
    verdicts = money.verdicts
    if verdicts.furthest_name is None:
        return f"No locality has an approved return with spend in {money.financial_year.label} yet."
    return (
        f"{verdicts.on_plan} of {verdicts.locality_count} localities are on plan to date, "
        f"{verdicts.under_plan} under and {verdicts.over_plan} over; the furthest from plan is "
        f"{verdicts.furthest_name} ({percent_signed(verdicts.furthest_percent)})."
    )
