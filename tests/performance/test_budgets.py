"""Front-end budgets for every page, with the real data and with ten times as much.

Per page: the JavaScript it loads (every <script src> plus the ES modules those
import, each file counted once, gzipped as whitenoise serves it) under 500 kB;
the HTML document under 150 kB, uncompressed; the chart data it carries
(json_script blocks) under 100 kB. 1 kB = 1,000 bytes.
"""

import gzip
import posixpath
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from dashboard.navigation import DASHBOARD_PAGES
from localities.scale import generate_scale_data
from localities.services import SECTIONS

JS_BUDGET_GZIPPED = 500_000
HTML_BUDGET = 150_000
CHART_JSON_BUDGET = 100_000

Q4 = "2018-19-q4"
# Medway's 2018/19 Q4 update is a draft in the illustrative data: every section editable.
LEAD_UPDATE = ("medway", Q4)
RISK = "LC-R01"
_IMPORT = re.compile(
    r"""\b(?:import|export)\b[^"';]*?\bfrom\s*["']([^"']+)["']|\bimport\s*["']([^"']+)["']"""
)


@dataclass
class PageWeight:
    html: int = 0
    html_gzipped: int = 0
    chart_json: int = 0
    javascript_files: list[str] = field(default_factory=list)
    javascript_gzipped: int = 0
    inline_javascript: int = 0


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sources: list[tuple[str, bool]] = []  # (src, is_module)
        self.json_blocks: list[str] = []
        self.inline_code: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag != "script":
            return
        attributes = dict(attrs)
        if attributes.get("src"):
            self.sources.append((attributes["src"], attributes.get("type") == "module"))
        elif attributes.get("type") == "application/json":
            self._open = self.json_blocks
            self.json_blocks.append("")
        else:
            self._open = self.inline_code
            self.inline_code.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open[-1] += data


def _static_file(url: str):
    assert url.startswith(settings.STATIC_URL), f"{url} is not a static file of this site"
    path = finders.find(url.removeprefix(settings.STATIC_URL))
    assert path, f"{url} is referenced but not found by the static files finders"
    return path


def _gzipped_size(content: bytes) -> int:
    return len(gzip.compress(content, compresslevel=9))  # as whitenoise compresses


def _javascript(sources: list[tuple[str, bool]]) -> tuple[list[str], int]:
    """Every JS file the page loads: its scripts and, for modules, what they import."""
    seen: dict[str, int] = {}
    queue = list(sources)
    while queue:
        url, is_module = queue.pop(0)
        if url in seen:
            continue
        with open(_static_file(url), "rb") as file:
            content = file.read()
        seen[url] = _gzipped_size(content)
        if is_module:
            for match in _IMPORT.finditer(content.decode()):
                specifier = match.group(1) or match.group(2)
                if specifier.startswith("."):
                    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(url), specifier))
                    queue.append((resolved, True))
    return sorted(seen), sum(seen.values())


def weigh(client, url: str) -> PageWeight:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content
    parsed = _Scripts()
    parsed.feed(html.decode())
    files, javascript = _javascript(parsed.sources)
    return PageWeight(
        html=len(html),
        html_gzipped=_gzipped_size(html),
        chart_json=sum(len(block.encode()) for block in parsed.json_blocks),
        javascript_files=files,
        javascript_gzipped=javascript,
        inline_javascript=sum(len(code.encode()) for code in parsed.inline_code),
    )


def pages(board_user, lead, office_user) -> list[tuple[str, object]]:
    """(url, user) for every page the budgets cover."""
    quarter = f"?quarter={Q4}"
    locality, update_quarter = LEAD_UPDATE
    update = f"/updates/{locality}/{update_quarter}/"
    listed = [(reverse(name) + quarter, board_user) for name, _ in DASHBOARD_PAGES]
    listed += [
        (reverse("dashboard:locality", args=["thanet"]) + quarter, board_user),
        (reverse("dashboard:risk-detail", args=[RISK]) + quarter, board_user),
        (reverse("updates:mine"), lead),
        (reverse("updates:detail", args=[locality, update_quarter]), lead),
        *[
            (reverse("updates:edit-section", args=[locality, update_quarter, section]), lead)
            for section, _ in SECTIONS
        ],
        (reverse("updates:returns"), office_user),
    ]
    assert all(url.startswith("/") for url, _ in listed)
    assert any(url.startswith(update) for url, _ in listed)
    return listed


def over_budget(url: str, weight: PageWeight) -> list[str]:
    problems = []
    if weight.javascript_gzipped + weight.inline_javascript >= JS_BUDGET_GZIPPED:
        problems.append(f"JavaScript {weight.javascript_gzipped:,} B gzipped")
    if weight.html >= HTML_BUDGET:
        problems.append(f"HTML {weight.html:,} B")
    if weight.chart_json >= CHART_JSON_BUDGET:
        problems.append(f"chart JSON {weight.chart_json:,} B")
    return [f"{url}: {problem}" for problem in problems]


def table(measured: dict[int, dict[str, PageWeight]]) -> str:
    lines = ["factor  page  HTML  HTML gz  chart JSON  JS gz  JS files"]
    for factor, weights in measured.items():
        for url, weight in weights.items():
            lines.append(
                f"{factor:>3}  {url}  {weight.html / 1000:.1f} kB  "
                f"{weight.html_gzipped / 1000:.1f} kB  {weight.chart_json / 1000:.1f} kB  "
                f"{weight.javascript_gzipped / 1000:.1f} kB  {', '.join(weight.javascript_files)}"
            )
    return "\n".join(lines)


def test_every_page_is_within_its_budgets_with_the_real_data_and_at_ten_times(
    client, programme_data, board_user, lead_medway, office_user
):
    listed = pages(board_user, lead_medway, office_user)
    measured: dict[int, dict[str, PageWeight]] = {}
    for factor in (1, 10):
        if factor > 1:
            generate_scale_data(factor=factor)
        measured[factor] = {}
        for url, user in listed:
            client.force_login(user)
            measured[factor][url] = weigh(client, url)

    print(table(measured))  # shown with pytest -s or -rP: the figures for docs/benchmarks.md
    problems = [
        problem
        for weights in measured.values()
        for url, weight in weights.items()
        for problem in over_budget(url, weight)
    ]
    assert not problems, "\n".join(problems) + "\n\n" + table(measured)
    # Pages with charts load plotly.js, once, as a static file; none inlines script.
    charts = measured[1][reverse("dashboard:risks") + f"?quarter={Q4}"]
    assert "/static/vendor/plotly/plotly-basic.min.js" in charts.javascript_files
    assert all(weight.inline_javascript == 0 for w in measured.values() for weight in w.values())


def test_module_imports_are_counted():
    """nhsuk-init.js is a module that imports NHS.UK frontend: both count."""
    files, size = _javascript([("/static/js/nhsuk-init.js", True)])

    assert files == [
        "/static/js/nhsuk-init.js",
        "/static/vendor/nhsuk-frontend/nhsuk-frontend.min.js",
    ]
    assert size > 10_000
