"""Maturity movement programme-wide: per care-model element, the localities' mean score at
the October 2017 baseline against their mean latest score."""

import plotly.graph_objects as go

from dashboard.charts.base import (
    NHS_BLUE,
    NHS_MID_GREY,
    Chart,
    ChartTable,
    base_layout,
    figure_json,
)
from dashboard.charts.locality import _element_label
from dashboard.selectors.maturity import MaturityMovement


def mean_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def change_text(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:+.1f}" if round(value, 1) else "0.0"


def _summary(data: MaturityMovement) -> str:
    up, same, down = data.totals
    compared = up + same + down
    if not compared:
        return (
            "No locality has approved maturity scores as at "
            f"{data.quarter.label} to compare with the October 2017 baseline."
        )
    rising = [item for item in data.by_element if (item.mean_change or 0) > 0]
    biggest = max(data.by_element, key=lambda item: item.mean_change or 0)
    sentence = (
        f"Since the October 2017 baseline, as at {data.quarter.label}, scores rose in "
        f"{up} of {compared} locality-element pairs compared, stayed the same in {same} "
        f"and fell in {down}; the mean score rose on {len(rising)} of the "
        f"{len(data.elements)} care-model elements"
    )
    if biggest.mean_change:
        sentence += (
            f", most on “{biggest.element.name}” ({mean_text(biggest.mean_baseline)} to "
            f"{mean_text(biggest.mean_latest)})"
        )
    return sentence + "."


def movement_chart(data: MaturityMovement) -> Chart:
    labels = [_element_label(item.element) for item in data.by_element]
    figure = go.Figure(
        data=[
            go.Bar(
                name="Mean at the October 2017 baseline",
                y=labels,
                x=[item.mean_baseline for item in data.by_element],
                orientation="h",
                marker_color=NHS_MID_GREY,
                hovertext=[
                    f"Baseline mean {mean_text(item.mean_baseline)}" for item in data.by_element
                ],
                hoverinfo="text",
            ),
            go.Bar(
                name=f"Mean latest, as at {data.quarter.label}",
                y=labels,
                x=[item.mean_latest for item in data.by_element],
                orientation="h",
                marker_color=NHS_BLUE,
                hovertext=[
                    f"Latest mean {mean_text(item.mean_latest)}" for item in data.by_element
                ],
                hoverinfo="text",
            ),
        ],
        layout=base_layout(
            barmode="group",
            height=460,
            margin={"l": 20, "r": 20, "t": 20, "b": 100},
            legend={"orientation": "h", "y": -0.14, "traceorder": "normal"},
            xaxis={
                **base_layout()["xaxis"],
                "range": [0, 5],
                "dtick": 1,
                "title": {"text": "Mean maturity score (1 to 5)"},
            },
            yaxis={"autorange": "reversed", "automargin": True, "linecolor": "#768692"},
        ),
    )
    return Chart(
        dom_id="maturity-movement-chart",
        title="Maturity since the October 2017 baseline, programme-wide",
        summary=_summary(data),
        figure=figure_json(figure),
        table=ChartTable(
            caption=(
                "Mean maturity score by care-model element, October 2017 baseline against "
                f"latest as at {data.quarter.label}, over the localities scored at both"
            ),
            headers=[
                "Care-model element",
                "Localities compared",
                "Mean at baseline",
                "Mean latest",
                "Change",
                "Moved up",
                "Stayed the same",
                "Moved down",
            ],
            rows=[
                [
                    f"{item.element.number}. {item.element.name}",
                    str(item.compared),
                    mean_text(item.mean_baseline),
                    mean_text(item.mean_latest),
                    change_text(item.mean_change),
                    str(item.moved_up),
                    str(item.stayed_same),
                    str(item.moved_down),
                ]
                for item in data.by_element
            ],
        ),
    )
