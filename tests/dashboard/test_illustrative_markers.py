"""Illustrative figures are marked where they are read, not in a line at the bottom.

Every tile, chart, table and risk whose figures are illustrative carries
data-illustrative="true" and, inside it, the marker that
templates/includes/illustrative_tag.html renders (a tag with the word and a
link to what illustrative means). The selectors decide it from the data, so a
page whose figures are all real shows no marker.
"""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

from governance.models import Action, BoardReport
from localities.models import (
    MDT,
    InvestmentCommitment,
    Milestone,
    MonthlyOutcome,
    OutcomeBaseline,
    OutcomeChangePoint,
    OutcomeExtract,
    OutcomeTrajectory,
    OutcomeUnitCost,
    PlannedInvestment,
    SavingsRamp,
)
from risks.models import MitigatingAction, Risk, RiskReview
from tests.helpers import programme_models
from updates.models import QuarterlyUpdate

Q4 = "?quarter=2018-19-q4"
TAG = "illustrative-tag"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Marked(HTMLParser):
    """Each element with data-illustrative="true": its data-testid and the tags' words inside it."""

    def __init__(self):
        super().__init__()
        self.stack: list[dict] = []
        self.marked: list[dict] = []
        self.tags: list[dict] = []
        self._tag_text: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        node = {"tag": tag, "testid": attrs.get("data-testid"), "markers": [], "text": ""}
        if attrs.get("data-illustrative") == "true":
            self.marked.append(node)
        if attrs.get("data-testid") == TAG:
            self.tags.append(node)
            for open_node in self.stack:
                open_node["markers"].append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for node in self.stack:
            if node["testid"] == TAG:
                node["text"] += data


def _parse(html: str) -> _Marked:
    parser = _Marked()
    parser.feed(html)
    return parser


def _risk(reference):
    return reverse("dashboard:risk-detail", args=[reference])


PAGES = {
    "overview": reverse("dashboard:home") + Q4,
    "objectives": reverse("dashboard:objectives") + Q4,
    "milestones": reverse("dashboard:milestones")
    + Q4
    + "&per_page=100",  # every row: page 1 is the papers'
    "mdts": reverse("dashboard:mdts") + Q4,
    "money": reverse("dashboard:money") + Q4,
    "outcomes": reverse("dashboard:outcomes") + Q4,
    "risks": reverse("dashboard:risks") + Q4,
    "invented risk": _risk("LC-R09") + Q4,
    "real risk": _risk("LC-R01") + Q4,
    "locality": reverse("dashboard:locality", args=["thanet"]) + Q4,
    "board pack": reverse("dashboard:board-pack") + Q4,
    "boards": reverse("dashboard:governance") + Q4,
}
# How many elements each page marks with the demo data, at least: every
# headline tile, chart and table whose figures the papers do not give.
AT_LEAST = {
    "overview": 7,  # six headline tiles and the RAG matrix
    "objectives": 2,
    "milestones": 1,
    "mdts": 3,
    "money": 5,  # three tiles, the table, two charts
    "outcomes": 2,
    "risks": 3,
    "invented risk": 2,
    "real risk": 2,
    "locality": 3,
    "board pack": 5,
    "boards": 5,  # the papers' three actions' owner and status; the Joint Board's counts of them
}


@pytest.mark.parametrize("name", PAGES)
def test_every_element_with_illustrative_figures_carries_the_marker(
    client, programme_data, board_user, name
):
    client.force_login(board_user)

    page = _parse(client.get(PAGES[name]).text)

    assert len(page.marked) >= AT_LEAST[name]
    unmarked = [node for node in page.marked if not node["markers"]]
    assert unmarked == []
    # The marker says it in words and links to what it means.
    assert all("Illustrative" in tag["text"] or "Invented" in tag["text"] for tag in page.tags)


def test_the_marker_links_to_what_illustrative_means(client, programme_data, board_user):
    client.force_login(board_user)

    html = client.get(PAGES["overview"]).text
    statement = client.get(reverse("dashboard:accessibility")).text

    assert f'href="{reverse("dashboard:accessibility")}#illustrative"' in html
    assert 'id="illustrative"' in statement
    assert "invented for demonstration" in statement


def _register_rows(html: str) -> dict[str, str]:
    """Each register row's reference and its text (the reference is the row's first link)."""
    rows, body = {}, html.split('id="register"', 1)[1].split("</table>", 1)[0]
    for row in body.split("<tr")[1:]:
        if "/risks/LC-R" in row:
            reference = row.split("/risks/", 1)[1].split("/", 1)[0]
            rows[reference] = row
    return rows


def test_the_register_marks_invented_risks_apart_from_illustrative_scores(
    client, programme_data, board_user
):
    client.force_login(board_user)

    rows = _register_rows(client.get(reverse("dashboard:risks") + Q4 + "&per_page=100").text)

    assert {f"LC-R0{n}" for n in range(1, 9)} <= rows.keys()
    assert any(reference >= "LC-R09" for reference in rows)
    for reference, row in rows.items():
        invented = reference >= "LC-R09"
        assert ("Invented risk" in row) == invented, reference
        # Every score in the demo data is illustrative, the real risks' included.
        assert "Illustrative score" in row, reference


def test_a_risk_page_says_whether_the_risk_itself_is_invented(client, programme_data, board_user):
    client.force_login(board_user)

    invented = client.get(PAGES["invented risk"]).text
    real = client.get(PAGES["real risk"]).text

    assert "Invented risk" in invented
    assert "Invented risk" not in real
    assert "Illustrative score" in real


@pytest.fixture
def real_data_only(programme_data):
    """The demo data without its invented risks, and every other figure confirmed as real.

    As if the leads' returns, the plans and the scores had come from real
    papers: every flag the selectors read is off, so no page may mark anything.
    """
    Risk.objects.filter(is_illustrative=True).delete()
    Risk.objects.update(scores_are_illustrative=False, owner_and_dates_are_illustrative=False)
    for model in (QuarterlyUpdate, RiskReview, Milestone, PlannedInvestment, OutcomeBaseline, MDT):
        model.objects.update(is_illustrative=False)
    MitigatingAction.objects.update(is_illustrative=False)
    BoardReport.objects.update(is_illustrative=False)
    Action.objects.update(is_illustrative=False, owner_and_status_are_illustrative=False)
    # The monthly outcomes and everything around them (issue 18).
    for model in (
        MonthlyOutcome,
        OutcomeExtract,
        OutcomeTrajectory,
        OutcomeChangePoint,
        SavingsRamp,
        OutcomeUnitCost,
        InvestmentCommitment,
    ):
        model.objects.update(is_illustrative=False)


@pytest.mark.parametrize("name", [name for name in PAGES if name != "invented risk"])
def test_a_page_with_only_real_data_shows_no_marker(client, real_data_only, board_user, name):
    client.force_login(board_user)

    response = client.get(PAGES[name])

    assert response.status_code == 200
    page = _parse(response.text)
    assert page.marked == []
    assert page.tags == []


PROVENANCE = settings.BASE_DIR / "docs" / "data-provenance.md"


def _models_with_figures():
    """Every model of the programme's data, history copies and derived read models aside."""
    yield from programme_models()


@pytest.mark.parametrize("model", list(_models_with_figures()), ids=lambda model: model.__name__)
def test_the_provenance_document_names_every_model(model):
    text = PROVENANCE.read_text()

    assert f"`{model.__name__}`" in text or str(model._meta.verbose_name) in text


def test_the_readme_links_the_provenance_document():
    assert "docs/data-provenance.md" in (settings.BASE_DIR / "README.md").read_text()
