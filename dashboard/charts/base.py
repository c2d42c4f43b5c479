"""What every dashboard chart is: a plotly figure, a sentence and a table.

Figures are built in Python and handed to the page as JSON (`json_script`);
`static/js/charts.js` draws them with the plotly.js file served once from
`static/vendor/plotly/`. Every chart carries a one-sentence summary
generated from the data and the same numbers as a table, so that nothing is
only visible in the picture.

Text that came from people (names, narratives) is HTML-escaped before it goes
into a figure: plotly.js reads a small subset of HTML in labels and hover
text, and a narrative must show as the text that was typed.
"""

import functools
import html
import json
from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio

# NHS identity colours (https://service-manual.nhs.uk/design-system/styles/colour).
NHS_BLUE = "#005eb8"
NHS_DARK_BLUE = "#003087"
NHS_RED = "#d5281b"
NHS_WARM_YELLOW = "#ffb81c"
NHS_GREEN = "#007f3b"
NHS_DARK_GREY = "#425563"
NHS_MID_GREY = "#768692"
NHS_PALE_GREY = "#e8edee"
NHS_TEXT = "#212b32"
NHS_PURPLE = "#330072"
NHS_AQUA_GREEN = "#00a499"

SERIES_COLOURS = [NHS_BLUE, NHS_AQUA_GREEN, NHS_PURPLE, NHS_WARM_YELLOW, NHS_DARK_GREY]


@dataclass(frozen=True)
class ChartTable:
    """The chart's numbers as a table; cells are already formatted for reading."""

    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Chart:
    dom_id: str
    title: str
    summary: str
    figure: dict
    table: ChartTable

    @property
    def data_id(self) -> str:
        return f"{self.dom_id}-data"


def escape_text(value) -> str:
    """Text for a plotly label or hover: shown as typed, never read as markup."""
    return html.escape(str(value), quote=False)


def base_layout(**overrides) -> dict:
    layout = {
        "font": {"family": "Arial, sans-serif", "size": 14, "color": NHS_TEXT},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 60, "r": 20, "t": 20, "b": 60},
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.2},
        "xaxis": {"gridcolor": NHS_PALE_GREY, "linecolor": NHS_MID_GREY},
        "yaxis": {"gridcolor": NHS_PALE_GREY, "linecolor": NHS_MID_GREY, "rangemode": "tozero"},
        "separators": ".,",
    }
    layout.update(overrides)
    return layout


# What our charts (bars and scatters on x/y axes) use of plotly's default
# template. The full template, which plotly writes into every figure, also
# carries defaults for maps, 3-D scenes and twenty other trace types: about
# 7 kB of JSON per chart, on pages with up to four charts.
_TEMPLATE_TRACES = ("bar", "scatter")
_TEMPLATE_LAYOUT = (
    "annotationdefaults",
    "autotypenumbers",
    "colorway",
    "font",
    "hoverlabel",
    "hovermode",
    "paper_bgcolor",
    "plot_bgcolor",
    "shapedefaults",
    "title",
    "xaxis",
    "yaxis",
)


@functools.cache
def chart_template() -> go.layout.Template:
    """plotly's default template cut down to what bar and scatter charts read."""
    full = pio.templates[pio.templates.default].to_plotly_json()
    return go.layout.Template(
        data={name: full["data"][name] for name in _TEMPLATE_TRACES},
        layout={name: full["layout"][name] for name in _TEMPLATE_LAYOUT},
    )


def figure_json(figure: go.Figure) -> dict:
    """A figure as plain JSON types (plotly's encoder handles numpy and pandas)."""
    figure.update_layout(template=chart_template())
    return json.loads(figure.to_json())


def date_marker_line(day) -> dict:
    """A dashed vertical line across a date axis, e.g. the end of the quarter shown."""
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": day.isoformat(),
        "x1": day.isoformat(),
        "y0": 0,
        "y1": 1,
        "line": {"color": NHS_TEXT, "width": 1.5, "dash": "dash"},
    }
