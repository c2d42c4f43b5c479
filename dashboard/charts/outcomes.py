"""The SPC chart of one outcome measure, in the Making Data Count style.

Blue marks special-cause improvement, orange special-cause concern and grey common-cause
variation, as in Making Data Count. Colour never works alone: special-cause points are
also triangles pointing the way the rule points (up for high, down for low), and every
point's hover text and table row say in words what it is.
"""

import plotly.graph_objects as go

from dashboard.charts.base import (
    NHS_MID_GREY,
    NHS_PURPLE,
    NHS_TEXT,
    Chart,
    ChartTable,
    base_layout,
    escape_text,
    figure_json,
)
from dashboard.selectors.outcomes import SpcSeries
from dashboard.spc import HIGH, REASONS, Rule, Variation

IMPROVEMENT_COLOUR = "#005eb8"  # NHS blue
CONCERN_COLOUR = "#ed8b00"  # NHS orange
COMMON_CAUSE_COLOUR = NHS_MID_GREY
NEITHER_COLOUR = "#7c2855"  # NHS dark pink: special cause on a measure with no better way
LINE_COLOUR = "#425563"
BASELINE_COLOUR = NHS_PURPLE

MARKERS = {
    Variation.COMMON_CAUSE: ("Common cause", COMMON_CAUSE_COLOUR),
    Variation.TOO_FEW: ("Too few points to judge", COMMON_CAUSE_COLOUR),
    Variation.IMPROVEMENT: ("Special cause – improvement", IMPROVEMENT_COLOUR),
    Variation.CONCERN: ("Special cause – concern", CONCERN_COLOUR),
    Variation.NEITHER: ("Special cause – neither", NEITHER_COLOUR),
}
TABLE_HEADERS = [
    "Quarter",
    "Value",
    "Mean",
    "Lower process limit",
    "Upper process limit",
    "Baseline",
    "Variation",
]


def number(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


def spc_summary(series: SpcSeries) -> str:
    """ "Bed days in Thanet: 4 quarters, mean 12,345; the latest point, …, is common-cause variation."""
    subject = f"{series.measure.name} in {series.area_name}"
    latest = series.latest
    if latest is None:
        return f"{subject}: no approved figures yet."
    count = len(series.points)
    quarters = f"{count} quarter{'s' if count != 1 else ''}"
    start = f"{subject}: {quarters}, mean {number(series.mean)}; the latest point, {latest.quarter_label},"
    if latest.variation == Variation.TOO_FEW:
        return f"{start} is too few to judge variation."
    if latest.rule is None:
        return f"{start} is common-cause variation."
    kind = {
        Variation.IMPROVEMENT: "special-cause improvement",
        Variation.CONCERN: "special-cause concern",
    }.get(latest.variation, "special-cause variation")
    return f"{start} is {kind}: {REASONS[(Rule(latest.rule), latest.direction)]}."


def _line(name: str, labels: list[str], value: float, **style) -> go.Scatter:
    return go.Scatter(
        name=name,
        x=labels,
        y=[value] * len(labels),
        mode="lines",
        hoverinfo="skip",
        **style,
    )


def _value_range(series: SpcSeries) -> list[float] | None:
    """Every point, limit and the baseline in view, with room for the marker triangles."""
    levels = [point.value for point in series.points]
    if series.has_limits:
        levels += [series.points[0].lower_limit, series.points[0].upper_limit]
    if series.baseline is not None and levels:
        levels.append(series.baseline)
    if not levels:
        return None
    low, high = min(levels), max(levels)
    padding = (high - low) * 0.08 or abs(high) * 0.02 or 1
    return [low - padding, high + padding]


def spc_chart(series: SpcSeries, *, dom_id: str = "spc-chart") -> Chart:
    points = series.points
    labels = [point.quarter_label for point in points]
    unit = escape_text(series.measure.unit)
    traces = [
        go.Scatter(
            name="Value",
            x=labels,
            y=[point.value for point in points],
            mode="lines",
            line={"color": LINE_COLOUR, "width": 2},
            hoverinfo="skip",
            showlegend=False,
        )
    ]
    for variation, (name, colour) in MARKERS.items():
        chosen = [point for point in points if point.variation == variation]
        if not chosen:
            continue
        special = variation in (Variation.IMPROVEMENT, Variation.CONCERN, Variation.NEITHER)
        traces.append(
            go.Scatter(
                name=name,
                x=[point.quarter_label for point in chosen],
                y=[point.value for point in chosen],
                mode="markers",
                marker={
                    "color": colour,
                    "size": 14 if special else 10,
                    "line": {"color": "#ffffff", "width": 1},
                    "symbol": [
                        ("triangle-up" if point.direction == HIGH else "triangle-down")
                        if special
                        else "circle"
                        for point in chosen
                    ],
                },
                customdata=[
                    f"{point.quarter_label}: {number(point.value)} {unit}<br>"
                    f"{escape_text(point.description)}"
                    for point in chosen
                ],
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    if points:
        traces.append(
            _line(
                f"Mean ({number(series.mean)})",
                labels,
                series.mean,
                line={"color": NHS_TEXT, "width": 1.5},
            )
        )
    if series.has_limits:
        first = points[0]
        limit_style = {"line": {"color": NHS_MID_GREY, "width": 1.5, "dash": "dash"}}
        traces.append(
            _line("Process limits", labels, first.upper_limit, legendgroup="limits", **limit_style)
        )
        traces.append(
            _line(
                "Lower process limit",
                labels,
                first.lower_limit,
                legendgroup="limits",
                showlegend=False,
                **limit_style,
            )
        )
    if series.baseline is not None and points:
        traces.append(
            _line(
                f"Baseline ({number(series.baseline)})",
                labels,
                series.baseline,
                line={"color": BASELINE_COLOUR, "width": 2, "dash": "dot"},
            )
        )
    layout = base_layout(
        height=420,
        xaxis={"type": "category", "linecolor": NHS_MID_GREY, "title": {"text": "Quarter"}},
        yaxis={
            "gridcolor": "#e8edee",
            "linecolor": NHS_MID_GREY,
            # Activity varies a few per cent around a large number: start the axis near
            # the data, not at zero, or the chart would be a flat line.
            "rangemode": "normal",
            "range": _value_range(series),
            "tickformat": ",.0f",
            "title": {"text": unit.capitalize()},
        },
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 80, "r": 20, "t": 20, "b": 60},
    )
    return Chart(
        dom_id=dom_id,
        title=f"{series.measure.name}, {series.area_name}: statistical process control chart",
        summary=spc_summary(series),
        figure=figure_json(go.Figure(data=traces, layout=layout)),
        table=ChartTable(
            caption=f"{series.measure.name} by quarter, {series.area_name}",
            headers=TABLE_HEADERS,
            rows=[
                [
                    point.quarter_label,
                    number(point.value),
                    number(point.mean),
                    number(point.lower_limit),
                    number(point.upper_limit),
                    number(point.baseline),
                    point.description,
                ]
                for point in points
            ],
        ),
    )
