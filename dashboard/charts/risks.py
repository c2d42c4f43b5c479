"""Charts on the risks pages: each risk's movement from inherent to current to
target score, and one risk's score at each review.

Scores run 1–25 on the x (movement) or y (history) axis with the bands drawn
behind, coloured as the band tags are and labelled with the band's name, so the
colour never carries the band alone.
"""

import datetime

import plotly.graph_objects as go

from dashboard.charts.base import (
    NHS_DARK_BLUE,
    NHS_GREEN,
    NHS_MID_GREY,
    NHS_TEXT,
    Chart,
    ChartTable,
    base_layout,
    date_marker_line,
    escape_text,
    figure_json,
)
from dashboard.selectors.risks import ReviewRow, RiskRow
from risks.models import ScoreBand
from risks.scoring import band_for

ROW_HEIGHT = 34
TITLE_LENGTH = 60
# The NHS.UK tag background for each band colour: pale enough for markers and text on top.
BAND_BACKGROUNDS = {
    ScoreBand.Colour.GREEN: "#cce5d8",
    ScoreBand.Colour.YELLOW: "#fff59d",
    ScoreBand.Colour.ORANGE: "#ffdc8e",
    ScoreBand.Colour.RED: "#f7d4d1",
}
# The tag's text colour, for the band's name on the chart.
BAND_TEXT = {
    ScoreBand.Colour.GREEN: "#004c23",
    ScoreBand.Colour.YELLOW: "#4d4712",
    ScoreBand.Colour.ORANGE: "#4d3708",
    ScoreBand.Colour.RED: "#6b140e",
}


def _short(text: str) -> str:
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1].rstrip() + "…"


def score_text(score: int | None, bands: list[ScoreBand]) -> str:
    """ "16 (Extreme)"; a dash for a score not recorded."""
    if score is None:
        return "—"
    band = band_for(score, bands)
    return f"{score} ({band.name})" if band else str(score)


def _band_shapes(bands: list[ScoreBand], *, axis: str) -> tuple[list[dict], list[dict]]:
    """Band-coloured stripes behind the plot and the band names on them.

    Bands leave gaps (no score is 7, 13 or 14): each stripe runs to halfway to
    the next band so the background has no white holes.
    """
    shapes, annotations = [], []
    for index, band in enumerate(bands):
        low = 0.5 if index == 0 else (bands[index - 1].max_score + band.min_score) / 2
        high = (
            25.5 if index == len(bands) - 1 else (band.max_score + bands[index + 1].min_score) / 2
        )
        stripe = {
            "type": "rect",
            "layer": "below",
            "line": {"width": 0},
            "fillcolor": BAND_BACKGROUNDS.get(band.colour, "#ffffff"),
        }
        # Bold by the font, not <b>: plotly.js draws <b> as a style attribute, which
        # the Content Security Policy (style-src 'self') refuses.
        label = {
            "text": escape_text(band.name),
            "showarrow": False,
            "font": {"size": 13, "weight": "bold", "color": BAND_TEXT.get(band.colour, NHS_TEXT)},
        }
        if axis == "x":
            stripe |= {"xref": "x", "yref": "paper", "x0": low, "x1": high, "y0": 0, "y1": 1}
            label |= {
                "xref": "x",
                "yref": "paper",
                "x": (low + high) / 2,
                "y": 1,
                "yanchor": "bottom",
            }
        else:
            stripe |= {"xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": low, "y1": high}
            label |= {
                "xref": "paper",
                "yref": "y",
                "x": 1,
                "xanchor": "left",
                "y": (low + high) / 2,
            }
        shapes.append(stripe)
        annotations.append(label)
    return shapes, annotations


def _movement_summary(rows: list[RiskRow], *, where: str, quarter_label: str) -> str:
    with_inherent = [row for row in rows if row.inherent_score is not None]
    down = sum(row.score < row.inherent_score for row in with_inherent)
    up = sum(row.score > row.inherent_score for row in with_inherent)
    with_target = [row for row in rows if row.target_score is not None]
    reached = sum(row.score <= row.target_score for row in with_target)
    noun = "risk" if len(rows) == 1 else "risks"
    return (
        f"Of the {len(rows)} {noun} {where}, {down} had come down from their inherent score "
        f"by the end of {quarter_label} and {up} had gone up; {reached} of {len(with_target)} "
        "with a target had reached it."
    )


def movement_chart(
    *,
    rows: list[RiskRow],
    bands: list[ScoreBand],
    quarter_label: str,
    page_number: int = 1,
    page_count: int = 1,
) -> Chart | None:
    """Inherent → score at quarter end → target for each risk (a "dumbbell" per risk).

    Draws the rows it is given: the view passes the register's current page,
    so the chart stays readable however many risks there are.
    """
    if not rows:
        return None
    labels = [escape_text(row.reference) for row in rows]
    hover = [f"{escape_text(row.reference)}: {escape_text(_short(row.title))}" for row in rows]

    # One line per risk from its lowest to its highest score; None breaks the line between risks.
    line_x, line_y = [], []
    for label, row in zip(labels, rows, strict=True):
        scores = [s for s in (row.inherent_score, row.score, row.target_score) if s is not None]
        line_x += [min(scores), max(scores), None]
        line_y += [label, label, None]

    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=line_x,
            y=line_y,
            mode="lines",
            line={"color": NHS_MID_GREY, "width": 2},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    series = (
        ("Inherent", "inherent_score", "circle-open", NHS_TEXT, 13),
        (f"At the end of {quarter_label}", "score", "circle", NHS_DARK_BLUE, 14),
        ("Target", "target_score", "diamond", NHS_GREEN, 13),
    )
    for name, field, symbol, colour, size in series:
        points = [
            (label, text, getattr(row, field))
            for label, text, row in zip(labels, hover, rows, strict=True)
            if getattr(row, field) is not None
        ]
        figure.add_trace(
            go.Scatter(
                name=name,
                mode="markers",
                x=[score for _, _, score in points],
                y=[label for label, _, _ in points],
                marker={
                    "symbol": symbol,
                    "size": size,
                    "color": colour,
                    "line": {"width": 2, "color": colour if symbol.endswith("open") else "#ffffff"},
                },
                hovertext=[
                    f"{text}<br>{name}: {score_text(score, bands)}" for _, text, score in points
                ],
                hoverinfo="text",
            )
        )
    shapes, annotations = _band_shapes(bands, axis="x")
    plot_height = 60 + ROW_HEIGHT * len(rows)
    margin = {"l": 20, "r": 20, "t": 40, "b": 110}
    figure.update_layout(
        base_layout(
            height=plot_height + margin["t"] + margin["b"],
            margin=margin,
            # Below the axis title: legend positions are fractions of the plot's height.
            legend={
                "orientation": "h",
                "y": -75 / plot_height,
                "yanchor": "top",
                "x": 0,
            },
            xaxis={
                "title": {"text": "Score (likelihood × consequence)"},
                "range": [0.5, 25.5],
                "tickvals": [1, 3, 4, 6, 8, 12, 15, 20, 25],
                "gridcolor": "rgba(0,0,0,0)",
                "linecolor": NHS_MID_GREY,
                "side": "bottom",
            },
            yaxis={
                "type": "category",
                "categoryorder": "array",
                "categoryarray": labels,
                "autorange": "reversed",
                "automargin": True,
                "linecolor": NHS_MID_GREY,
            },
            shapes=shapes,
            annotations=annotations,
        )
    )
    where = f"on page {page_number} of the register" if page_count > 1 else "in the register"
    table = ChartTable(
        caption=f"Inherent, end of {quarter_label} and target scores of the risks {where}",
        headers=["Reference", "Risk", "Inherent", f"End of {quarter_label}", "Target"],
        rows=[
            [
                row.reference,
                row.title,
                score_text(row.inherent_score, bands),
                score_text(row.score, bands),
                score_text(row.target_score, bands),
            ]
            for row in rows
        ],
    )
    return Chart(
        dom_id="risk-movement",
        title=f"Movement: inherent, end of {quarter_label} and target scores",
        summary=_movement_summary(rows, where=where, quarter_label=quarter_label),
        figure=figure_json(figure),
        table=table,
    )


def _history_summary(reviews: list[ReviewRow]) -> str:
    first, latest = reviews[0], reviews[-1]
    if len(reviews) == 1:
        return (
            f"Reviewed once, on {first.reviewed_on:%-d %B %Y}, scoring {latest.score} "
            f"({latest.band_name})."
        )
    if latest.score == first.score:
        movement = "the same as at the first"
    else:
        movement = f"{'up' if latest.score > first.score else 'down'} from {first.score}"
    return (
        f"Reviewed {len(reviews)} times between {first.reviewed_on:%B %Y} and "
        f"{latest.reviewed_on:%B %Y}; the latest score is {latest.score} ({latest.band_name}), "
        f"{movement}."
    )


def review_history_chart(
    *,
    reviews: list[ReviewRow],
    bands: list[ScoreBand],
    quarter_end: datetime.date,
    quarter_label: str,
) -> Chart | None:
    """The score at each review over time, on the bands."""
    if not reviews:
        return None
    dates = [review.reviewed_on.isoformat() for review in reviews]
    figure = go.Figure(
        go.Scatter(
            name="Score at review",
            x=dates,
            y=[review.score for review in reviews],
            mode="lines+markers",
            line={"color": NHS_DARK_BLUE, "width": 3, "shape": "hv"},
            marker={"size": 11, "color": NHS_DARK_BLUE, "line": {"color": "#ffffff", "width": 2}},
            hovertext=[
                f"{review.reviewed_on.day} {review.reviewed_on:%b %Y}: "
                f"{review.likelihood} × {review.consequence} = {score_text(review.score, bands)}"
                for review in reviews
            ],
            hoverinfo="text",
            showlegend=False,
        )
    )
    shapes, annotations = _band_shapes(bands, axis="y")
    first, last = reviews[0].reviewed_on, reviews[-1].reviewed_on
    shows_quarter_end = first <= quarter_end
    if shows_quarter_end:
        shapes.append(date_marker_line(quarter_end))
        annotations.append(
            {
                "x": quarter_end.isoformat(),
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "text": f"End of {quarter_label}",
                "showarrow": False,
                "font": {"size": 13, "color": NHS_TEXT},
            }
        )
    # A month either side, so the first and last markers are not cut in half.
    padding = datetime.timedelta(days=30)
    x_end = max(last, quarter_end if shows_quarter_end else last) + padding
    figure.update_layout(
        base_layout(
            height=360,
            margin={"l": 60, "r": 90, "t": 30, "b": 50},
            xaxis={
                "type": "date",
                "range": [(first - padding).isoformat(), x_end.isoformat()],
                "gridcolor": "rgba(0,0,0,0)",
                "linecolor": NHS_MID_GREY,
                "tickformat": "%b %Y",
            },
            yaxis={
                "title": {"text": "Score"},
                "range": [0.5, 25.5],
                "tickvals": [1, 4, 8, 12, 15, 20, 25],
                "gridcolor": "rgba(0,0,0,0)",
                "linecolor": NHS_MID_GREY,
            },
            shapes=shapes,
            annotations=annotations,
        )
    )
    return Chart(
        dom_id="risk-history",
        title="Score at each review",
        summary=_history_summary(reviews),
        figure=figure_json(figure),
        table=ChartTable(
            caption="The risk's score at each review",
            headers=["Reviewed", "Likelihood × consequence", "Score"],
            rows=[
                [
                    f"{review.reviewed_on.day} {review.reviewed_on:%b %Y}",
                    f"{review.likelihood} × {review.consequence}",
                    score_text(review.score, bands),
                ]
                for review in reviews
            ],
        ),
    )
