"""Hostile text for every free-text field, and how to check a page shows it as text.

`seed_payloads()` writes PAYLOADS into every field people type into, through
the same services the pages use (save_draft, submit, return, approve,
close_risk) or, for reference data the programme office keeps in admin, a
plain save that records history. Each field takes the payloads in turn from
its own starting point, so every payload passes through many fields, and a
field with enough rows (milestones, MDTs, risks) carries every payload.

`inspect_html()` parses a page and reports what would run or break out:
inline scripts, event-handler attributes, `javascript:` addresses, style
elements or attributes (the Content Security Policy refuses those) and
frames; and which payloads it shows as text.
"""

import contextlib
import datetime
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import time_machine

from localities.models import MDT, CriticalAreaAction, Locality, Milestone, Objective
from risks import services as risk_services
from risks.models import MitigatingAction, Risk, RiskCategory, RiskReview
from tests.updates.update_data import complete_sections, q4_2018_19
from updates import services
from updates.models import QuarterlyUpdate

# Each calls alert("xss-N") when it runs, so a browser test sees a dialog.
# The first eight become the localities' names, which every chart draws: so they
# include what plotly.js itself would read as markup (entities, <br>, <a>, <b>).
ENTITY_PAYLOAD = "&lt;script&gt;alert(&quot;xss-2&quot;)&lt;/script&gt;"
PLOTLY_PAYLOAD = "line one<br>line two <a href='https://example.org/'>plotly link</a>"
PAYLOADS = [
    '<script>alert("xss-1")</script>',
    ENTITY_PAYLOAD,
    PLOTLY_PAYLOAD,
    '<b onmouseover=alert("xss-4")>bold 4</b>',
    '"><script>alert("xss-5")</script>',
    '=HYPERLINK("http://x","y")',
    "'><img src=x onerror=alert('xss-7')>",
    '<img src=x onerror=alert("xss-8")>',
    '<svg onload=alert("xss-9")>',
    '<svg><script>alert("xss-10")</script></svg>',
    'javascript:alert("xss-11")',
    "'-alert('xss-12')-'",
    '" autofocus onfocus="alert(\'xss-13\')" x="',
    "{{7*7}} ${7*7} {% now 'Y' %}",
    '</textarea><script>alert("xss-15")</script>',
    '</title><script>alert("xss-16")</script>',
    "<iframe src=\"javascript:alert('xss-17')\"></iframe>",
    "<a href=\"javascript:alert('xss-18')\">link 18</a>",
    '<details open ontoggle=alert("xss-19")>',
    "%3Cscript%3Ealert(%22xss-20%22)%3C%2Fscript%3E",
    "\uff1cscript\uff1ealert('xss-21')\uff1c/script\uff1e",
    "\\u003cscript\\u003ealert('xss-22')\\u003c/script\\u003e",
    "<style>body{display:none}</style>",
    "@SUM(1)",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "=1+1",
    "<img src=x onerror=alert('xss-28')//",
]
# What a spreadsheet reads as the start of a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Characters that change the meaning of HTML: a payload with one of these must
# never reach a page as it was typed.
HTML_SPECIAL = set("<>\"'&")
# Markup the chart code itself puts into plotly text: line breaks, and the empty
# <extra> that hides the trace name in a hover template.
PLOTLY_MARKUP = ("<br>", "<extra></extra>")


def payload(index: int) -> str:
    return PAYLOADS[index % len(PAYLOADS)]


def dangerous_payloads() -> list[str]:
    return [text for text in PAYLOADS if HTML_SPECIAL & set(text)]


# --- Putting them in ----------------------------------------------------------------


@dataclass
class Seeded:
    """Where the payloads went: the objects tests visit."""

    medway: Locality
    thanet: Locality
    swale: Locality
    quarter_slug: str = "2018-19-q4"
    risk_references: list[str] = field(default_factory=list)
    closed_risk_reference: str = ""
    # field label -> every value written to it
    fields: dict[str, list[str]] = field(default_factory=dict)

    def note(self, label: str, value: str) -> str:
        self.fields.setdefault(label, []).append(value)
        return value


def _save(obj, by, **values) -> None:
    """Change text fields as an admin edit does, with history (no full_clean: it is slow
    here, and the database still checks its constraints)."""
    for name, value in values.items():
        setattr(obj, name, value)
    obj._history_user = by
    obj.save(update_fields=list(values))


def _update_sections(seeded: Seeded, locality: Locality, quarter, *, start: int) -> dict:
    """A complete update whose every free-text field holds a payload."""
    sections = complete_sections(locality, quarter)
    for offset, row in enumerate(sections["milestones"]):
        row["forecast_change_reason"] = seeded.note(
            "milestone forecast reason", payload(start + offset)
        )
    sections["summary"] = {"summary": seeded.note("update summary", payload(start + 1))}
    category = RiskCategory.objects.order_by("pk").first()
    sections["risks"] = [
        {
            "title": seeded.note("raised risk title", payload(start + offset)),
            "description": seeded.note("raised risk description", payload(start + offset + 1)),
            "category": category,
        }
        for offset in range(3)
    ]
    return sections


def _save_update_with_payloads(seeded, locality, quarter, by, *, start: int) -> QuarterlyUpdate:
    sections = _update_sections(seeded, locality, quarter, start=start)
    objectives = sections.pop("objectives")
    current = QuarterlyUpdate.objects.filter(locality=locality, quarter=quarter).first()
    update = services.save_draft(
        locality=locality,
        quarter=quarter,
        sections=sections,
        expected_version=current.version if current else 0,
        by=by,
    )
    suggestions = services.suggested_rags(update)
    for offset, row in enumerate(objectives):
        row["rag"] = suggestions[row["objective"].pk].rag
        row["narrative"] = seeded.note("objective narrative", payload(start + offset + 2))
        row["rag_reason"] = seeded.note("RAG reason", payload(start + offset + 3))
    return services.save_draft(
        locality=locality,
        quarter=quarter,
        sections={"objectives": objectives},
        expected_version=update.version,
        by=by,
    )


RECORDED_IN_Q4 = datetime.datetime(2019, 3, 15, 12, tzinfo=datetime.UTC)


def _recorded_in_q4(day: datetime.date | None):
    """Record a write within 2018/19 Q4 when the row existed by then, else now."""
    if day is not None and day <= RECORDED_IN_Q4.date():
        return time_machine.travel(RECORDED_IN_Q4, tick=False)
    return contextlib.nullcontext()


def seed_payloads(*, lead_medway, lead_thanet, lead_swale, office_user) -> Seeded:
    """Every free-text field holds a payload; the Q4 2018/19 updates are in each state.

    Medway's update is approved (the dashboards show it), Thanet's was
    returned with comments and submitted again (the review page), Swale's is
    a draft (the edit pages, with their text areas).
    """
    seeded = Seeded(
        medway=Locality.objects.get(slug="medway"),
        thanet=Locality.objects.get(slug="thanet"),
        swale=Locality.objects.get(slug="swale"),
    )
    by = office_user

    # Reference data the programme office keeps in admin.
    for index, locality in enumerate(Locality.objects.order_by("pk")):
        _save(locality, by, name=seeded.note("locality name", payload(index)))
    for index, milestone in enumerate(Milestone.objects.order_by("pk")):
        _save(milestone, by, title=seeded.note("milestone title", payload(index + 5)))
    used = set()
    for index, mdt in enumerate(MDT.objects.order_by("pk")):
        name = payload(index + 9)
        if (mdt.locality_id, name) in used:  # MDT names are unique within a locality
            name = f"{name} ({index})"
        used.add((mdt.locality_id, name))
        _save(mdt, by, name=seeded.note("MDT name", name))
    for index, objective in enumerate(Objective.objects.order_by("pk")):
        _save(objective, by, title=seeded.note("objective title", payload(index + 13)))
    for index, action in enumerate(CriticalAreaAction.objects.order_by("pk")):
        _save(
            action,
            by,
            title=seeded.note("critical area action", payload(index + 2)),
            progress_to_date=seeded.note("critical area progress", payload(index + 7)),
        )

    # The risk register, as recorded within 2018/19 Q4 (the quarter the dashboards open
    # at) wherever the row existed by then: a past quarter shows risks' words and
    # closing as they stood at its end, so payloads written later would not reach it.
    for index, risk in enumerate(Risk.objects.order_by("pk")):
        risk.title = seeded.note("risk title", payload(index))
        risk.description = seeded.note("risk description", payload(index + 11))
        risk.owner_role = seeded.note("risk owner", payload(index + 4))
        with _recorded_in_q4(risk.date_raised):
            risk_services.save_risk(risk=risk, expected_version=risk.version, by=by)
    seeded.risk_references = list(
        Risk.objects.exclude(reference=None).order_by("pk").values_list("reference", flat=True)
    )
    for index, action in enumerate(MitigatingAction.objects.select_related("risk").order_by("pk")):
        with _recorded_in_q4(action.risk.date_raised):
            _save(action, by, description=seeded.note("mitigating action", payload(index + 17)))
    for index, review in enumerate(RiskReview.objects.order_by("pk")):
        with _recorded_in_q4(review.reviewed_on):
            _save(review, by, note=seeded.note("review note", payload(index + 21)))
    to_close = (
        Risk.objects.filter(status=Risk.Status.OPEN, date_raised__lte=RECORDED_IN_Q4.date())
        .order_by("-pk")
        .first()
    )
    with _recorded_in_q4(to_close.date_raised):
        risk_services.close_risk(
            risk=to_close, note=seeded.note("closing note", payload(len(PAYLOADS) - 1)), by=by
        )
    seeded.closed_risk_reference = to_close.reference

    # Quarterly updates, through the lead's and the programme office's services.
    quarter = q4_2018_19()
    medway = _save_update_with_payloads(seeded, seeded.medway, quarter, lead_medway, start=0)
    medway = services.submit_update(update=medway, expected_version=medway.version, by=lead_medway)
    services.approve_update(update=medway, expected_version=medway.version, by=office_user)

    thanet = QuarterlyUpdate.objects.get(locality=seeded.thanet, quarter=quarter)
    thanet = services.return_update(
        update=thanet,
        comments=seeded.note("review comments", payload(6)),
        expected_version=thanet.version,
        by=office_user,
    )
    thanet = _save_update_with_payloads(seeded, seeded.thanet, quarter, lead_thanet, start=9)
    services.submit_update(update=thanet, expected_version=thanet.version, by=lead_thanet)

    _save_update_with_payloads(seeded, seeded.swale, quarter, lead_swale, start=18)
    return seeded


# --- Looking at what came out ---------------------------------------------------------


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
FORBIDDEN_ELEMENTS = {"iframe", "object", "embed", "style", "base", "frame", "frameset"}


@dataclass
class PageReport:
    problems: list[str] = field(default_factory=list)
    text: str = ""  # every text node and attribute value, as the browser reads them
    cell_text: str = ""  # the text of table cells
    json_blocks: list = field(default_factory=list)  # json_script contents, parsed

    def shown(self) -> set[str]:
        """The payloads the page shows, exactly as typed."""
        return {text for text in PAYLOADS if text in self.text}

    def shown_in_cells(self) -> set[str]:
        return {text for text in PAYLOADS if text in self.cell_text}


class _Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.report = PageReport()
        self._texts: list[str] = []
        self._cells: list[str] = []
        self._cell_depth = 0
        self._json: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        where = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in attrs)}>"[:200]
        for name, value in attrs:
            if name.startswith("on"):
                self.report.problems.append(f"event-handler attribute: {where}")
            if name == "style":
                self.report.problems.append(f"style attribute: {where}")
            if value is None:
                continue
            self._texts.append(value)
            address = "".join(value.split()).lower()
            if name in URL_ATTRIBUTES and address.startswith(("javascript:", "vbscript:")):
                self.report.problems.append(f"script address: {where}")
            if name in URL_ATTRIBUTES and address.startswith("data:text/html"):
                self.report.problems.append(f"HTML data address: {where}")
        if tag in FORBIDDEN_ELEMENTS:
            self.report.problems.append(f"<{tag}> element: {where}")
        if tag == "script":
            if attributes.get("type") == "application/json" and not attributes.get("src"):
                self._json = []
            elif not (attributes.get("src") or "").startswith("/"):
                self.report.problems.append(f"inline or foreign script: {where}")
        if tag in ("td", "th"):
            self._cell_depth += 1

    def handle_endtag(self, tag):
        if tag == "script" and self._json is not None:
            self.report.json_blocks.append(json.loads("".join(self._json)))
            self._json = None
        if tag in ("td", "th") and self._cell_depth:
            self._cell_depth -= 1
            self._cells.append("\n")

    def handle_data(self, data):
        if self._json is not None:
            self._json.append(data)
            return
        self._texts.append(data)
        if self._cell_depth:
            self._cells.append(data)

    def close(self):
        super().close()
        self.report.text = "".join(self._texts)
        self.report.cell_text = "".join(self._cells)


# json_script blocks escape < > & as \u003C...; quotes inside them are JSON's own.
_JSON_SCRIPT = re.compile(r'<script[^>]*type="application/json"[^>]*>.*?</script>', re.DOTALL)


def inspect_html(content: str) -> PageReport:
    inspector = _Inspector()
    inspector.feed(content)
    inspector.close()
    report = inspector.report
    markup = _JSON_SCRIPT.sub("", content)
    for text in dangerous_payloads():
        if text in markup:
            report.problems.append(f"payload reached the page as typed: {text!r}")
    return report


def chart_strings(figure) -> list[str]:
    """Every string in a plotly figure (labels, hover text, titles)."""
    if isinstance(figure, str):
        return [figure]
    if isinstance(figure, dict):
        return [s for value in figure.values() for s in chart_strings(value)]
    if isinstance(figure, list):
        return [s for value in figure for s in chart_strings(value)]
    return []


def chart_markup_problems(figure) -> list[str]:
    """Strings that plotly.js would read as markup: anything with < besides our line breaks."""
    problems = []
    for text in chart_strings(figure):
        bare = text
        for markup in PLOTLY_MARKUP:
            bare = bare.replace(markup, "")
        if "<" in bare or ">" in bare:
            problems.append(text)
    return problems
