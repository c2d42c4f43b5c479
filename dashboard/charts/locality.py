"""Charts on a locality's page: spend against plan, and maturity against the baseline."""

import textwrap
from decimal import Decimal

import plotly.graph_objects as go

from common.money import pounds
from dashboard.charts.base import (
    NHS_BLUE,
    NHS_MID_GREY,
    Chart,
    ChartTable,
    base_layout,
    escape_text,
    figure_json,
)
from dashboard.selectors.locality import LocalityPage

NO_RETURN = "No approved return"
# Element names are long; wrapped on the axis so the plot keeps most of the width.
ELEMENT_LABEL_WIDTH = 32


def spend_chart(data: LocalityPage) -> Chart:
    quarters = [item.quarter for item in data.spend]
    labels = [f"Q{quarter.number}" for quarter in quarters]
    spend = list(zip(labels, data.spend, strict=True))
    planned = [float(item.planned) if item.planned is not None else None for item in data.spend]
    actual = [float(item.actual) if item.actual is not None else None for item in data.spend]
    figure = go.Figure(
        data=[
            go.Bar(
                name="Planned",
                x=labels,
                y=planned,
                marker_color=NHS_MID_GREY,
                # Words from pounds(), as the table below and the board pages write them.
                customdata=[f"Planned in {label}: {pounds(item.planned)}" for label, item in spend],
                hovertemplate="%{customdata}<extra></extra>",
            ),
            go.Bar(
                name="Actual",
                x=labels,
                y=actual,
                marker_color=NHS_BLUE,
                customdata=[f"Spent in {label}: {pounds(item.actual)}" for label, item in spend],
                hovertemplate="%{customdata}<extra></extra>",
            ),
        ],
        layout=base_layout(
            barmode="group",
            height=340,
            yaxis={**base_layout()["yaxis"], "tickprefix": "£", "tickformat": ",.0f"},
        ),
    )

    reported = [item for item in data.spend if item.actual is not None]
    year = data.quarter.financial_year.label
    name = data.locality.name
    if reported:
        spent = sum(item.actual for item in reported)
        plan = sum(item.planned or Decimal("0") for item in reported)
        share = f" ({spent / plan:.0%} of plan)" if plan else ""
        summary = (
            f"In {year} up to Q{data.quarter.number}, {name} spent {pounds(spent)} against "
            f"{pounds(plan)} planned for the quarters it reported{share}"
            + (
                f"; {pounds(data.planned_for_year)} is planned for the whole year."
                if data.planned_for_year is not None
                else "."
            )
        )
    else:
        summary = f"{name} has no approved spend figures for {year} up to Q{data.quarter.number}."

    rows = []
    for item in data.spend:
        if not item.has_return:
            rows.append([item.quarter.label, NO_RETURN, NO_RETURN, "—"])
            continue
        share = (
            f"{item.actual / item.planned:.0%}" if item.actual is not None and item.planned else "—"
        )
        rows.append([item.quarter.label, pounds(item.planned), pounds(item.actual), share])
    return Chart(
        dom_id="spend-chart",
        title=f"Spend against plan by quarter, {year}",
        summary=summary,
        figure=figure_json(figure),
        table=ChartTable(
            caption=f"{name}: planned and actual spend by quarter, {year}",
            headers=["Quarter", "Planned", "Actual", "Actual as % of plan"],
            rows=rows,
        ),
    )


def _element_label(element) -> str:
    wrapped = textwrap.wrap(f"{element.number}. {element.name}", width=ELEMENT_LABEL_WIDTH)
    return "<br>".join(escape_text(line) for line in wrapped)


def maturity_chart(data: LocalityPage) -> Chart:
    baseline_label = (
        data.maturity_baseline_quarter.label if data.maturity_baseline_quarter else "Baseline"
    )
    latest_label = data.maturity_latest_quarter.label if data.maturity_latest_quarter else "Latest"
    labels = [_element_label(row.element) for row in data.maturity]
    names = [escape_text(row.element.name) for row in data.maturity]
    figure = go.Figure(
        data=[
            go.Bar(
                name=f"Baseline, October 2017 ({baseline_label})",
                y=labels,
                x=[row.baseline for row in data.maturity],
                orientation="h",
                marker_color=NHS_MID_GREY,
                hovertext=[
                    f"{name}: baseline {row.baseline}"
                    for name, row in zip(names, data.maturity, strict=True)
                ],
                hoverinfo="text",
            ),
            go.Bar(
                name=f"Latest ({latest_label})",
                y=labels,
                x=[row.latest for row in data.maturity],
                orientation="h",
                marker_color=NHS_BLUE,
                hovertext=[
                    f"{name}: latest {row.latest}"
                    for name, row in zip(names, data.maturity, strict=True)
                ],
                hoverinfo="text",
            ),
        ],
        layout=base_layout(
            barmode="group",
            height=620,
            margin={"l": 20, "r": 20, "t": 20, "b": 100},
            legend={"orientation": "h", "y": -0.14, "traceorder": "normal"},
            xaxis={
                **base_layout()["xaxis"],
                "range": [0, 5],
                "dtick": 1,
                "title": {"text": "Maturity score (1 to 5)"},
            },
            yaxis={"autorange": "reversed", "automargin": True, "linecolor": "#768692"},
        ),
    )

    changes = [row.change for row in data.maturity if row.change is not None]
    name = data.locality.name
    if not changes:
        summary = (
            f"{name} has no approved maturity scores to compare with the October 2017 baseline."
        )
    else:
        rose = sum(change > 0 for change in changes)
        same = sum(change == 0 for change in changes)
        fell = sum(change < 0 for change in changes)
        summary = (
            f"Since the October 2017 baseline, {name}'s self-assessed maturity rose on {rose} "
            f"of the {len(data.maturity)} care-model elements, stayed the same on {same} and "
            f"fell on {fell} (latest scores: {latest_label})."
        )

    def score(value):
        return "—" if value is None else str(value)

    def change(value):
        if value is None:
            return "—"
        return f"{value:+d}" if value else "0"

    return Chart(
        dom_id="maturity-chart",
        title="Maturity across the eight care-model elements",
        summary=summary,
        figure=figure_json(figure),
        table=ChartTable(
            caption=f"{name}: maturity score by care-model element, baseline and latest",
            headers=[
                "Care-model element",
                f"Baseline ({baseline_label})",
                f"Latest ({latest_label})",
                "Change",
            ],
            rows=[
                [
                    f"{row.element.number}. {row.element.name}",
                    score(row.baseline),
                    score(row.latest),
                    change(row.change),
                ]
                for row in data.maturity
            ],
        ),
    )
