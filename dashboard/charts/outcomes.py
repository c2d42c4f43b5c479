"""The monthly XmR chart of one outcome measure, in the Making Data Count style.

Blue marks special-cause improvement, orange special-cause concern and grey common-cause
variation, as in Making Data Count. Colour never works alone: special-cause points are
also triangles pointing the way the rule points (up for high, down for low), and every
point's hover text and table row say in words what it is.

The points are months. The page is judged as at its quarter's end, so the last point is
that quarter's last month and is labelled by its month, never by a quarter.
Each segment (the baseline, then each change point the office recorded) has its own
mean and limits; the baseline period is shaded and each change point is a line with
its reason on hover (escaped: the reason is typed by the office).
"""

import plotly.graph_objects as go

from dashboard.charts.base import (
    NHS_MID_GREY,
    NHS_PALE_GREY,
    NHS_TEXT,
    Chart,
    ChartTable,
    base_layout,
    escape_text,
    figure_json,
)
from dashboard.selectors.outcomes import (
    ASSURANCE_FAIL,
    ASSURANCE_HIT_AND_MISS,
    ASSURANCE_NONE,
    ASSURANCE_PASS,
    MonthlySeries,
    MonthPoint,
    month_label,
)
from dashboard.spc import HIGH, REASONS, Rule, Variation
from localities.models import BASELINE_FIRST_MONTH, BASELINE_LAST_MONTH

IMPROVEMENT_COLOUR = "#005eb8"  # NHS blue
CONCERN_COLOUR = "#ed8b00"  # NHS orange
COMMON_CAUSE_COLOUR = NHS_MID_GREY
NEITHER_COLOUR = "#7c2855"  # NHS dark pink: special cause on a measure with no better way
LINE_COLOUR = "#425563"
TARGET_COLOUR = "#d5281b"  # NHS red, dashed: the trajectory
CHANGE_COLOUR = "#330072"  # NHS purple

MARKERS = {
    Variation.COMMON_CAUSE: ("Common cause", COMMON_CAUSE_COLOUR),
    Variation.TOO_FEW: ("Too few points to judge", COMMON_CAUSE_COLOUR),
    Variation.IMPROVEMENT: ("Special cause – improvement", IMPROVEMENT_COLOUR),
    Variation.CONCERN: ("Special cause – concern", CONCERN_COLOUR),
    Variation.NEITHER: ("Special cause – neither", NEITHER_COLOUR),
}
SPECIAL = (Variation.IMPROVEMENT, Variation.CONCERN, Variation.NEITHER)
TABLE_HEADERS = [
    "Month",
    "Value",
    "Mean",
    "Lower process limit",
    "Upper process limit",
    "Target (trajectory)",
    "Variation",
    "Note",
]
ASSURANCE_SENTENCES = {
    ASSURANCE_PASS: "the target is consistently passed (it lies outside the process limits, on the better side)",
    ASSURANCE_FAIL: "the target is consistently failed (it lies outside the process limits, on the worse side)",
    ASSURANCE_HIT_AND_MISS: "the target will be hit and missed at random (it lies within the process limits)",
    ASSURANCE_NONE: "no assurance can be given",
}


def number(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


def percent(value) -> str:
    return "—" if value is None else f"{value:+.1f}%".replace("-", "−")


def _x(month) -> str:
    return month.isoformat()


def spc_summary(series: MonthlySeries, *, as_at: str = "") -> str:
    """What the chart shows, in words: the latest month, its variation and assurance, and
    the change against baseline."""
    subject = f"{series.measure.name} in {series.area_name}"
    latest = series.latest
    if latest is None:
        return f"{subject}: no monthly figures yet."
    shown = [point for point in series.points if point.value is not None]
    when = f" ({as_at})" if as_at else ""
    parts = [
        f"{subject}, {month_label(shown[0].month)} to {month_label(latest.month)}{when}: "
        f"{len(shown)} month{'s' if len(shown) != 1 else ''}.",
        f"Latest month, {month_label(latest.month)}: {number(latest.value)}",
    ]
    if series.baseline_mean is not None:
        parts[-1] += (
            f", {percent(series.change_percent)} against the baseline mean of "
            f"{number(series.baseline_mean)} a month."
        )
    else:
        parts[-1] += "."
    if latest.limits_indicative:
        parts.append(
            "The process limits are indicative (fewer than 15 months since they were last "
            "set), so no variation or assurance icon is shown."
        )
    elif latest.rule is None:
        parts.append("Variation: common cause (no special cause in the latest month).")
    else:
        kind = {
            Variation.IMPROVEMENT: "special cause improving",
            Variation.CONCERN: "special cause concerning",
        }.get(latest.variation, "special cause")
        parts.append(f"Variation: {kind} ({REASONS[(Rule(latest.rule), latest.direction)]}).")
    if latest.target is not None:
        parts.append(
            f"Assurance against this month's trajectory of {number(latest.target)}: "
            f"{ASSURANCE_SENTENCES[series.assurance]}."
        )
    else:
        parts.append("There is no trajectory for this series, so no assurance.")
    return " ".join(parts)


def _segment_line(points: list[MonthPoint], attribute: str) -> tuple[list, list]:
    """x and y of a level that is constant within each segment, broken between them."""
    xs, ys = [], []
    for index, point in enumerate(points):
        if index and point.segment != points[index - 1].segment:
            xs.append(None)
            ys.append(None)
        xs.append(_x(point.month))
        ys.append(getattr(point, attribute))
    return xs, ys


def _value_range(series: MonthlySeries) -> list[float] | None:
    levels = [point.value for point in series.points if point.value is not None]
    for point in series.points:
        levels += [
            level
            for level in (point.lower_limit, point.upper_limit, point.target)
            if level is not None
        ]
    if not levels:
        return None
    low, high = min(levels), max(levels)
    padding = (high - low) * 0.08 or abs(high) * 0.02 or 1
    return [low - padding, high + padding]


def _note(point: MonthPoint, series: MonthlySeries) -> str:
    notes = []
    if point.is_baseline:
        notes.append("Baseline month")
    for mark in series.change_points:
        if mark.month == point.month:
            notes.append(f"Change point: {mark.reason}")
    if point.value is None:
        notes.append("Left out: not every locality has a figure")
    elif point.limits_from and not point.is_baseline:
        notes.append("Sets the limits")
    return "; ".join(notes)


def spc_chart(series: MonthlySeries, *, dom_id: str = "spc-chart", as_at: str = "") -> Chart:
    points = series.points
    shown = [point for point in points if point.value is not None]
    unit = escape_text(series.measure.unit)
    traces = [
        go.Scatter(
            name="Value",
            x=[_x(point.month) for point in points],
            y=[point.value for point in points],
            mode="lines",
            line={"color": LINE_COLOUR, "width": 1.5},
            connectgaps=False,
            hoverinfo="skip",
            showlegend=False,
        )
    ]
    for variation, (name, colour) in MARKERS.items():
        chosen = [point for point in shown if point.variation == variation]
        if not chosen:
            continue
        special = variation in SPECIAL
        traces.append(
            go.Scatter(
                name=name,
                x=[_x(point.month) for point in chosen],
                y=[point.value for point in chosen],
                mode="markers",
                marker={
                    "color": colour,
                    "size": 11 if special else 7,
                    "line": {"color": "#ffffff", "width": 1},
                    "symbol": [
                        ("triangle-up" if point.direction == HIGH else "triangle-down")
                        if special
                        else "circle"
                        for point in chosen
                    ],
                },
                customdata=[
                    f"{point.label}: {number(point.value)} {unit}<br>"
                    f"{escape_text(point.description)}"
                    for point in chosen
                ],
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    if shown:
        xs, ys = _segment_line(points, "mean")
        traces.append(
            go.Scatter(
                name="Mean",
                x=xs,
                y=ys,
                mode="lines",
                line={"color": NHS_TEXT, "width": 1.5},
                hoverinfo="skip",
            )
        )
        limit_style = {"color": NHS_MID_GREY, "width": 1.5, "dash": "dash"}
        for attribute, name, legend in (
            ("upper_limit", "Process limits", True),
            ("lower_limit", "Lower process limit", False),
        ):
            xs, ys = _segment_line(points, attribute)
            traces.append(
                go.Scatter(
                    name=name,
                    x=xs,
                    y=ys,
                    mode="lines",
                    line=limit_style,
                    legendgroup="limits",
                    showlegend=legend,
                    hoverinfo="skip",
                )
            )
    targets = [point for point in points if point.target is not None]
    if targets:
        traces.append(
            go.Scatter(
                name="Trajectory (target)",
                x=[_x(point.month) for point in targets],
                y=[point.target for point in targets],
                mode="lines",
                line={"color": TARGET_COLOUR, "width": 2, "dash": "dot", "shape": "hv"},
                customdata=[
                    f"{point.label}: trajectory {number(point.target)}" for point in targets
                ],
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    value_range = _value_range(series)
    shapes = []
    annotations = []
    if shown and shown[0].month <= BASELINE_LAST_MONTH:
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": _x(BASELINE_FIRST_MONTH),
                "x1": _x(BASELINE_LAST_MONTH),
                "y0": 0,
                "y1": 1,
                "fillcolor": NHS_PALE_GREY,
                "opacity": 0.6,
                "layer": "below",
                "line": {"width": 0},
            }
        )
        annotations.append(
            {
                "x": _x(BASELINE_FIRST_MONTH),
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "text": "Baseline: limits set here",
                "font": {"size": 12, "color": NHS_TEXT},
            }
        )
    if series.change_points and value_range:
        for mark in series.change_points:
            shapes.append(
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": _x(mark.month),
                    "x1": _x(mark.month),
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": CHANGE_COLOUR, "width": 2},
                }
            )
        traces.append(
            go.Scatter(
                name="Change point (limits recalculated)",
                x=[_x(mark.month) for mark in series.change_points],
                # Just inside the top of the axis, so the marker is not cut off.
                y=[value_range[1] - (value_range[1] - value_range[0]) * 0.03]
                * len(series.change_points),
                mode="markers",
                marker={"symbol": "diamond", "size": 11, "color": CHANGE_COLOUR},
                customdata=[
                    f"Change point from {mark.label}:<br>{escape_text(mark.reason)}"
                    for mark in series.change_points
                ],
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    layout = base_layout(
        height=440,
        xaxis={
            "type": "date",
            "linecolor": NHS_MID_GREY,
            "tickformat": "%b %Y",
            "title": {"text": "Month"},
        },
        yaxis={
            "gridcolor": "#e8edee",
            "linecolor": NHS_MID_GREY,
            # Activity varies a few per cent around a large number: start the axis near
            # the data, not at zero, or the chart would be a flat line.
            "rangemode": "normal",
            "range": value_range,
            "tickformat": ",.0f",
            "title": {"text": unit.capitalize()},
        },
        shapes=shapes,
        annotations=annotations,
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 80, "r": 20, "t": 30, "b": 60},
    )
    return Chart(
        dom_id=dom_id,
        title=f"{series.measure.name}, {series.area_name}: statistical process control chart, by month",
        summary=spc_summary(series, as_at=as_at),
        figure=figure_json(go.Figure(data=traces, layout=layout)),
        table=ChartTable(
            caption=f"{series.measure.name} by month, {series.area_name}",
            headers=TABLE_HEADERS,
            rows=[
                [
                    point.label,
                    number(point.value),
                    number(point.mean),
                    number(point.lower_limit),
                    number(point.upper_limit),
                    number(point.target),
                    point.description if point.value is not None else "",
                    _note(point, series),
                ]
                for point in points
            ],
        ),
    )
