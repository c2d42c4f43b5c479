"""MDTs per locality by status, as stacked horizontal bars."""

import plotly.graph_objects as go

from common.pagination import SqlPage
from dashboard.charts.base import (
    NHS_BLUE,
    NHS_DARK_GREY,
    NHS_MID_GREY,
    NHS_PALE_GREY,
    NHS_TEXT,
    Chart,
    ChartTable,
    base_layout,
    escape_text,
    figure_json,
)
from dashboard.selectors.mdts import (
    PLAN_POPULATION_HIGH,
    PLAN_POPULATION_LOW,
    Leaders,
    LocalityRollout,
    RolloutSummary,
    StatusAsAt,
)

ROW_HEIGHT = 34
# (status, attribute, bar colour, outline, label colour): labels inside the bars keep 4.5:1
# contrast; the pale planned bars get a darker outline so they stand out from the background.
SERIES = (
    (StatusAsAt.LIVE, "live", NHS_BLUE, "#ffffff", "#ffffff"),
    (StatusAsAt.SHADOW, "shadow", NHS_DARK_GREY, "#ffffff", "#ffffff"),
    (StatusAsAt.PLANNED, "planned", NHS_PALE_GREY, NHS_MID_GREY, NHS_TEXT),
)


def headline_sentence(totals: LocalityRollout, quarter_label: str) -> str:
    """The page's opening line: MDTs by status and the population live MDTs cover."""
    if not totals.total:
        return f"No MDTs are in the register as at {quarter_label}."
    sentence = (
        f"As at {quarter_label}, {totals.live} of {totals.total} MDTs were live, "
        f"{totals.shadow} shadow running and {totals.planned} planned"
    )
    if totals.average_population_live:
        sentence += (
            f". Live MDTs cover {totals.population_live:,} people, an average of "
            f"{totals.average_population_live:,} each against a plan of "
            f"{PLAN_POPULATION_LOW:,} to {PLAN_POPULATION_HIGH:,}"
        )
    return sentence + "."


def _names(leaders: Leaders) -> str:
    names = list(leaders.names)
    others = leaders.tied - len(names)
    if others:
        names.append(f"{others} other localit{'y' if others == 1 else 'ies'}")
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _summary(summary: RolloutSummary, totals: LocalityRollout) -> str:
    """What the bars show that the headline does not: how localities compare (all of them)."""
    if not totals.total or summary.most_live is None:
        return "No locality has an MDT in the register yet."
    most_live = summary.most_live
    each = " each" if most_live.tied > 1 else ""
    sentence = f"Most live MDTs: {_names(most_live)} ({most_live.count}{each})"
    waiting = summary.most_not_yet_live
    if waiting and waiting.count:
        each = " each" if waiting.tied > 1 else ""
        sentence += f". Most not yet live: {_names(waiting)} ({waiting.count}{each})"
    if summary.without_live:
        noun = "locality has" if summary.without_live == 1 else "localities have"
        sentence += f". {summary.without_live} {noun} no live MDT"
    else:
        sentence += ". Every locality has at least one live MDT"
    return sentence + "."


def mdts_by_locality(
    *,
    localities: SqlPage,
    totals: LocalityRollout,
    summary: RolloutSummary,
    quarter_label: str,
) -> Chart:
    """A bar per locality on the page of the table (bounded however many there are);
    the summary compares all of them, the data table ends with the totals."""
    on_page = localities
    localities = on_page.rows
    names = [escape_text(row.name) for row in localities]
    figure = go.Figure()
    for status, attribute, colour, outline, label_colour in SERIES:
        counts = [getattr(row, attribute) for row in localities]
        figure.add_trace(
            go.Bar(
                name=status.label,
                orientation="h",
                y=names,
                x=counts,
                marker={"color": colour, "line": {"color": outline, "width": 1}},
                text=[str(count) if count else "" for count in counts],
                textposition="inside",
                insidetextanchor="middle",
                textfont={"color": label_colour},
                hovertemplate=f"%{{y}}: %{{x}} {status.label.lower()}<extra></extra>",
            )
        )
    figure.update_layout(
        base_layout(
            barmode="stack",
            height=140 + ROW_HEIGHT * len(localities),
            margin={"l": 20, "r": 20, "t": 20, "b": 40},
            legend={
                "orientation": "h",
                "y": 1.0,
                "yanchor": "bottom",
                "x": 0,
                "traceorder": "normal",
            },
            xaxis={
                "title": {"text": "Number of MDTs"},
                "gridcolor": NHS_PALE_GREY,
                "dtick": 1 if totals.total <= 60 else None,
                "rangemode": "tozero",
            },
            yaxis={"autorange": "reversed", "automargin": True, "type": "category"},
        )
    )
    pages = on_page.page_count
    which = (
        f", localities {on_page.offset + 1} to {on_page.offset + len(localities)} "
        f"of {on_page.total} (page {on_page.number} of {pages} of the table)"
        if pages > 1
        else ""
    )
    return Chart(
        dom_id="mdts-by-locality",
        title=f"MDTs per locality by status, {quarter_label}{which}",
        summary=_summary(summary, totals),
        figure=figure_json(figure),
        table=ChartTable(
            caption=f"MDTs per locality by status, {quarter_label}{which}",
            headers=["Locality", *(status.label for status, *_ in SERIES), "Total"],
            rows=[
                [row.name, str(row.live), str(row.shadow), str(row.planned), str(row.total)]
                for row in [*localities, totals]
            ],
        ),
    )
