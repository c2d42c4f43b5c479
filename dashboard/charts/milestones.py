"""The milestone timeline: planned windows as bars, actual and forecast dates as markers.

Only the rows on the table's current page are drawn, so the chart stays
readable and its JSON small however many milestones there are.
"""

import datetime

import plotly.graph_objects as go

from dashboard.charts.base import (
    NHS_DARK_BLUE,
    NHS_MID_GREY,
    NHS_TEXT,
    NHS_WARM_YELLOW,
    Chart,
    ChartTable,
    base_layout,
    date_marker_line,
    escape_text,
    figure_json,
)
from dashboard.selectors.milestones import MilestoneRow

LABEL_LENGTH = 48
ROW_HEIGHT = 30
ONE_DAY = datetime.timedelta(days=1)
MILLISECONDS_PER_DAY = 86_400_000


def _short(text: str) -> str:
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1].rstrip() + "…"


def _labels(rows: list[MilestoneRow]) -> list[str]:
    """One distinct, escaped label per row (plotly merges rows that share a label)."""
    labels, seen = [], set()
    for row in rows:
        label = _short(row.title)
        if row.locality_name:
            label = f"{label} ({row.locality_name})"
        candidate, number = label, 2
        while candidate in seen:
            candidate, number = f"{label} [{number}]", number + 1
        seen.add(candidate)
        labels.append(escape_text(candidate))
    return labels


def _date_text(day: datetime.date | None) -> str:
    return f"{day.day} {day:%b %Y}" if day else ""


def _slippage_cell(row: MilestoneRow) -> str:
    if row.slippage is None:
        return ""
    return row.slippage.phrase


def _summary(rows: list[MilestoneRow], *, page_number: int, page_count: int) -> str:
    where = f"page {page_number} of {page_count} of the table" if page_count > 1 else "the table"
    windows = [row for row in rows if row.planned_end]
    sentence = f"The {len(rows)} milestones with dates on {where}"
    if windows:
        first = min(row.planned_start or row.planned_end for row in windows)
        last = max(row.planned_end for row in windows)
        sentence += f" were planned between {first:%B %Y} and {last:%B %Y}"
    late = [row for row in rows if row.slippage and row.slippage.is_late]
    if late:
        # The window's end only ranks them; the sentence says it in the plan's own unit.
        worst = max(late, key=lambda row: row.slippage.days_after_window)
        sentence += (
            f"; {len(late)} finished or are forecast to finish after their planned window, "
            f"the furthest “{worst.title}”, {_slippage_cell(worst).lower()}."
        )
    else:
        sentence += "; none finished or is forecast to finish after its planned window."
    return sentence


def _is_one_day(row: MilestoneRow) -> bool:
    return row.planned_start is None or row.planned_start == row.planned_end


def _date_markers(name: str, points: list[tuple[str, object, str]], marker: dict) -> go.Scatter:
    """One marker per (row label, date, date as words) on the timeline, hover "Name: words"."""
    what = name.removesuffix(" date")
    return go.Scatter(
        name=name,
        mode="markers",
        y=[label for label, _, _ in points],
        x=[day.isoformat() for _, day, _ in points],
        marker=marker,
        hovertext=[f"{label}<br>{what}: {words}" for label, _, words in points],
        hoverinfo="text",
    )


def milestone_timeline(
    *,
    rows: list[MilestoneRow],
    quarter_end: datetime.date,
    quarter_label: str,
    page_number: int = 1,
    page_count: int = 1,
) -> Chart | None:
    """None when no row on the page has a date to draw."""
    rows = [row for row in rows if row.has_dates]
    if not rows:
        return None
    labels = _labels(rows)
    labelled = list(zip(labels, rows, strict=True))
    # A one-day window would be a hairline bar: it gets a marker of its own instead.
    windows = [(label, row) for label, row in labelled if row.planned_end and not _is_one_day(row)]
    planned_days = [(label, row) for label, row in labelled if row.planned_end and _is_one_day(row)]
    actuals = [(label, row) for label, row in labelled if row.actual_date]
    forecasts = [
        (label, row) for label, row in labelled if row.forecast_date and not row.actual_date
    ]

    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            name="Planned window",
            orientation="h",
            y=[label for label, _ in windows],
            # A bar on a date axis: `base` is where it starts, `x` its length in ms.
            base=[(row.planned_start or row.planned_end).isoformat() for _, row in windows],
            x=[
                ((row.planned_end + ONE_DAY) - (row.planned_start or row.planned_end)).days
                * MILLISECONDS_PER_DAY
                for _, row in windows
            ],
            marker={"color": NHS_MID_GREY},
            hovertext=[
                f"{label}<br>Planned: {escape_text(row.planned_window)}" for label, row in windows
            ],
            hoverinfo="text",
        )
    )
    figure.add_trace(
        _date_markers(
            "Planned date",
            [
                (label, row.planned_end, escape_text(row.planned_window))
                for label, row in planned_days
            ],
            {"symbol": "square-open", "size": 13, "color": NHS_MID_GREY, "line": {"width": 2.5}},
        )
    )
    figure.add_trace(
        _date_markers(
            "Actual date",
            # Drawn at the stored date, described as the paper gives it ("September 2017").
            [(label, row.actual_date, escape_text(row.actual_text)) for label, row in actuals],
            {
                "symbol": "diamond",
                "size": 12,
                "color": NHS_DARK_BLUE,
                "line": {"color": "#ffffff", "width": 1.5},
            },
        )
    )
    figure.add_trace(
        _date_markers(
            "Forecast date",
            [(label, row.forecast_date, _date_text(row.forecast_date)) for label, row in forecasts],
            {
                "symbol": "circle",
                "size": 12,
                "color": NHS_WARM_YELLOW,
                "line": {"color": NHS_TEXT, "width": 1.5},
            },
        )
    )
    figure.update_layout(
        base_layout(
            height=140 + ROW_HEIGHT * len(rows),
            margin={"l": 20, "r": 20, "t": 20, "b": 70},
            barmode="overlay",
            legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
            xaxis={"type": "date", "gridcolor": "#e8edee", "linecolor": NHS_MID_GREY},
            shapes=[date_marker_line(quarter_end)],
            annotations=[
                {
                    "x": quarter_end.isoformat(),
                    "xref": "x",
                    "y": 0,
                    "yref": "paper",
                    "yanchor": "top",
                    "yshift": -24,
                    "text": f"End of {quarter_label}",
                    "showarrow": False,
                    "font": {"size": 13, "color": NHS_TEXT},
                }
            ],
            yaxis={
                "type": "category",
                "categoryorder": "array",
                "categoryarray": labels,
                "autorange": "reversed",
                "automargin": True,
                "linecolor": NHS_MID_GREY,
            },
        )
    )
    table = ChartTable(
        caption="Milestones on this page of the table: planned window, forecast and actual dates",
        headers=["Milestone", "Planned", "Forecast", "Actual", "Slippage"],
        rows=[
            [
                row.title,
                row.planned_window,
                _date_text(row.forecast_date),
                row.actual_text,
                _slippage_cell(row),
            ]
            for row in rows
        ],
    )
    return Chart(
        dom_id="milestone-timeline",
        title="Timeline of the milestones on this page",
        summary=_summary(rows, page_number=page_number, page_count=page_count),
        figure=figure_json(figure),
        table=table,
    )
