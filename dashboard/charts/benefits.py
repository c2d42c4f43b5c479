"""The Benefits page's charts: gross savings expected against estimated, and the money."""

import plotly.graph_objects as go

from common.money import pounds_short, pounds_short_signed
from dashboard.charts.base import (
    NHS_BLUE,
    NHS_DARK_GREY,
    Chart,
    ChartTable,
    base_layout,
    figure_json,
)
from dashboard.selectors.benefits import Benefits

MILLION = 1_000_000
EXPECTED_COLOUR = NHS_DARK_GREY
ACTUAL_COLOUR = NHS_BLUE


def _millions(amount) -> float | None:
    return None if amount is None else float(amount) / MILLION


def _money_axis(title: str) -> dict:
    return {
        "title": {"text": title},
        "tickprefix": "£",
        "ticksuffix": "m",
        "tickformat": ",.1f",
        "gridcolor": "#e8edee",
        "rangemode": "tozero",
        "zeroline": True,
        "zerolinecolor": "#768692",
    }


def savings_chart(data: Benefits) -> Chart:
    """Two lines, cumulative by quarter: the case's expected savings (dashed, squares)
    and those estimated from activity (solid, circles), so the pair reads without colour."""
    rows = data.quarters
    labels = [row.name for row in rows]
    expected = go.Scatter(
        name="Expected by the investment case (cumulative)",
        x=labels,
        y=[_millions(row.cumulative_expected) for row in rows],
        mode="lines+markers",
        line={"color": EXPECTED_COLOUR, "dash": "dash", "width": 2},
        marker={"symbol": "square", "size": 8},
        customdata=[
            f"{row.name}: {pounds_short(row.cumulative_expected)} expected to date" for row in rows
        ],
        hovertemplate="%{customdata}<extra></extra>",
    )
    estimated = go.Scatter(
        name="Estimated from activity avoided (cumulative)",
        x=labels,
        y=[_millions(row.cumulative_estimated) for row in rows],
        mode="lines+markers",
        line={"color": ACTUAL_COLOUR, "width": 3},
        marker={"symbol": "circle", "size": 9},
        customdata=[
            f"{row.name}: {pounds_short(row.cumulative_estimated)} estimated to date"
            for row in rows
        ],
        hovertemplate="%{customdata}<extra></extra>",
    )
    figure = go.Figure(
        data=[expected, estimated],
        layout=base_layout(
            yaxis=_money_axis("£ million, cumulative"),
            xaxis={"type": "category", "linecolor": "#768692"},
        ),
    )
    total = data.total
    if data.compared_to:
        summary = (
            f"From April 2018 to the end of {data.compared_to} the investment case expected "
            f"{pounds_short(total.expected)} of gross savings; the activity avoided suggests "
            f"{pounds_short(total.estimated)} ({pounds_short_signed(total.difference)} against "
            "the case)."
        )
        if data.quarters_without_activity:
            summary += (
                f" No activity has been loaded yet for the {data.quarters_without_activity} "
                f"quarter{'s' if data.quarters_without_activity > 1 else ''} after it."
            )
    else:
        summary = (
            "Savings are estimated from April 2018, after the baseline: no activity to "
            f"estimate from by the end of {data.quarter_label}."
        )
    return Chart(
        dom_id="savings-by-quarter",
        title="Gross savings: expected against estimated, cumulative by quarter",
        summary=summary,
        figure=figure_json(figure),
        table=ChartTable(
            caption=f"Gross savings by quarter to {data.quarter_label}",
            headers=["Quarter", "Expected", "Estimated", "Expected to date", "Estimated to date"],
            rows=[
                [
                    row.name,
                    pounds_short(row.expected),
                    pounds_short(row.estimated),
                    pounds_short(row.cumulative_expected),
                    pounds_short(row.cumulative_estimated),
                ]
                for row in rows
            ],
        ),
    )


def money_chart(data: Benefits) -> Chart:
    """Pairs of bars: what the case expects (hatched grey) against what was spent or
    committed (blue); capital's range is the bar to its low end with a line to its high."""
    reinvestment = data.reinvestment_total
    revenue, capital = data.commitment_kinds
    labels = [
        f"Reinvestment, {data.financial_year} to date",
        "Non-recurring revenue, to date",
        "Capital, to date",
    ]
    case = [reinvestment.expected, revenue.case.value, capital.case.value]
    actual = [reinvestment.spent, revenue.committed, capital.committed]
    case_text = [
        f"{pounds_short(reinvestment.expected)} expected this year to date",
        f"{revenue.case.text} in the case",
        f"{capital.case.text} in the case",
    ]
    actual_text = [
        f"{pounds_short(reinvestment.spent)} spent (approved returns)",
        f"{pounds_short(revenue.committed)} committed",
        f"{pounds_short(capital.committed)} committed",
    ]
    expected_bars = go.Bar(
        name="Investment case",
        offsetgroup="case",
        x=labels,
        y=[_millions(value) for value in case],
        marker={"color": EXPECTED_COLOUR, "pattern": {"shape": "/", "fgcolor": "#ffffff"}},
        customdata=case_text,
        hovertemplate="%{customdata}<extra></extra>",
    )
    actual_bars = go.Bar(
        name="Spent or committed",
        offsetgroup="actual",
        x=labels,
        y=[_millions(value) for value in actual],
        marker={"color": ACTUAL_COLOUR},
        customdata=actual_text,
        hovertemplate="%{customdata}<extra></extra>",
    )
    traces = [expected_bars, actual_bars]
    if capital.case.value_high and capital.case.value_high != capital.case.value:
        # The range's upper end: a bar reaches its lower end, a bold tick marks the upper.
        traces.append(
            go.Scatter(
                name=f"Capital: upper end of the range ({pounds_short(capital.case.value_high)})",
                x=[labels[2]],
                y=[_millions(capital.case.value_high)],
                mode="markers",
                marker={
                    "symbol": "line-ew",
                    "size": 60,
                    "line": {"width": 3, "color": "#212b32"},
                },
                customdata=[f"{capital.case.text} in the case"],
                hovertemplate="%{customdata}<extra></extra>",
                offsetgroup="case",
            )
        )
    figure = go.Figure(
        data=traces,
        layout=base_layout(
            barmode="group",
            scattermode="group",
            yaxis=_money_axis("£ million"),
            xaxis={"type": "category", "linecolor": "#768692"},
        ),
    )
    summary = (
        f"Reinvestment: {pounds_short(reinvestment.spent)} spent in {data.financial_year} to "
        f"{data.quarter_label} against {pounds_short(reinvestment.expected)} the case expects "
        f"by then. Committed by {data.as_at:%-d %B %Y}: {pounds_short(revenue.committed)} of "
        f"the {revenue.case.text} non-recurring revenue and {pounds_short(capital.committed)} "
        f"of the {capital.case.text} capital."
    )
    return Chart(
        dom_id="money-against-case",
        title="Money: reinvestment spent and investment committed, against the case",
        summary=summary,
        figure=figure_json(figure),
        table=ChartTable(
            caption=f"Money against the investment case, as at {data.quarter_label}",
            headers=["Money", "Investment case", "Spent or committed"],
            rows=[
                [label, expected_text, actual_text_cell]
                for label, expected_text, actual_text_cell in zip(
                    labels, case_text, actual_text, strict=True
                )
            ],
        ),
    )
