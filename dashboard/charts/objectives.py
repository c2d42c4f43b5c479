"""One stacked bar chart per objective: how many localities had each RAG, per quarter."""

import plotly.graph_objects as go

from dashboard.charts.base import (
    NHS_BLUE,
    NHS_GREEN,
    NHS_MID_GREY,
    NHS_RED,
    NHS_WARM_YELLOW,
    Chart,
    ChartTable,
    base_layout,
    escape_text,
    figure_json,
)
from dashboard.selectors.objectives import ObjectiveProgress
from localities.models import Rag

RAG_COLOURS = {
    Rag.RED: NHS_RED,
    Rag.AMBER: NHS_WARM_YELLOW,
    Rag.GREEN: NHS_GREEN,
    Rag.COMPLETE: NHS_BLUE,
    Rag.NOT_STARTED: NHS_MID_GREY,
}
NO_RETURN = "No approved return"


def _localities(count: int) -> str:
    return f"{count} {'locality' if count == 1 else 'localities'}"


def rag_counts_chart(
    progress: ObjectiveProgress, *, locality_count: int, is_preview: bool = False
) -> Chart:
    objective = progress.objective
    title = escape_text(objective.short_title)
    labels = [f"Q{item.quarter.number}" for item in progress.counts]
    figure = go.Figure(
        data=[
            go.Bar(
                name=Rag(rag).label,
                x=labels,
                y=[item.counts[rag] for item in progress.counts],
                marker_color=RAG_COLOURS[rag],
                hovertext=[
                    f"{title}, {item.quarter.label}: {_localities(item.counts[rag])} "
                    f"{Rag(rag).label}"
                    for item in progress.counts
                ],
                hoverinfo="text",
            )
            for rag in Rag.in_board_order()
        ],
        layout=base_layout(
            barmode="stack",
            height=320,
            legend={"orientation": "h", "y": -0.2, "traceorder": "normal"},
            yaxis={
                **base_layout()["yaxis"],
                "title": {"text": "Localities"},
                "range": [0, max(locality_count, 1)],
                "tickformat": "d",
            },
        ),
    )

    returns = "approved or submitted" if is_preview else "approved"
    if progress.counts:
        latest = progress.counts[-1]
        summary = (
            f"In {latest.quarter.label}, {latest.green_or_complete} of "
            f"{_localities(locality_count)} were Green or Complete on "
            f"“{objective.short_title}”"
            + (f"; {latest.no_status} had no {returns} return." if latest.no_status else ".")
        )
    else:
        summary = "There are no quarters to show yet."

    return Chart(
        dom_id=f"objective-{objective.number}-chart",
        title=f"Objective {objective.number}: localities by RAG status, quarter by quarter",
        summary=summary,
        figure=figure_json(figure),
        table=ChartTable(
            caption=f"Objective {objective.number}: localities by RAG status and quarter",
            headers=["Quarter", *(rag.label for rag in Rag.in_board_order()), NO_RETURN],
            rows=[
                [
                    item.quarter.label,
                    *(str(item.counts[rag]) for rag in Rag.in_board_order()),
                    str(item.no_status),
                ]
                for item in progress.counts
            ],
        ),
    )
