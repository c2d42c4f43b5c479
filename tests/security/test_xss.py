"""Hostile text typed into any field shows as that text everywhere, and never runs.

Every free-text field is seeded once for the module with
tests/security/xss_payloads.PAYLOADS (through the services the pages use), and
each test looks at one surface: dashboard pages and their django-tables2
tables, the lead's and the programme office's update pages, chart JSON, CSV
and XLSX downloads, the risk register export and the quarterly-update
spreadsheet (down and up again).
"""

import codecs
import csv
import html
import io
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from common.exports import spreadsheet_response
from localities import access
from risks.models import Risk
from tests.helpers import assign_lead
from tests.security.xss_payloads import (
    ENTITY_PAYLOAD,
    FORMULA_TRIGGERS,
    PAYLOADS,
    PLOTLY_PAYLOAD,
    PageReport,
    Seeded,
    chart_markup_problems,
    chart_strings,
    inspect_html,
    seed_payloads,
)
from updates import spreadsheet
from updates.models import QuarterlyUpdate

# Every test is a database test, so pytest-django runs them together, before any
# transactional (browser) test: the module's open transaction (`world`) must end first.
pytestmark = pytest.mark.django_db

Q4 = "2018-19-q4"
FORMULA_PAYLOADS = [text for text in PAYLOADS if text.startswith(FORMULA_TRIGGERS)]


@dataclass(frozen=True)
class World:
    seeded: Seeded
    users: dict


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, programme_data_rows):
    """The programme data with every payload in place, built once for this module.

    Seeding runs every workflow service and takes seconds, so it is done once in
    a transaction that stays open for the module and is rolled back at its end;
    each test runs in a savepoint inside it (pytest-django's `db`), so a test
    that writes (the upload) changes nothing for the next.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        insert_programme_data(programme_data_rows)
        users = {
            "board": make_user("board", access.BOARD_MEMBER),
            "office": make_user("office", access.PROGRAMME_OFFICE, is_staff=True),
        }
        for slug in ("medway", "thanet", "swale"):
            users[slug] = make_user(f"lead-{slug}", access.LOCALITY_LEAD, leads=slug)
        seeded = seed_payloads(
            lead_medway=users["medway"],
            lead_thanet=users["thanet"],
            lead_swale=users["swale"],
            office_user=users["office"],
        )
        yield World(seeded=seeded, users=users)
        transaction.set_rollback(True)


def insert_programme_data(rows) -> None:
    """What tests/conftest.py's `programme_data` does, for a module-scoped fixture."""
    for model, objects in rows:
        model._base_manager.bulk_create(objects)
    statements = connection.ops.sequence_reset_sql(no_style(), [model for model, _ in rows])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def make_user(username, group, *, leads=None, **extra):
    user = get_user_model().objects.create_user(username=username, password="x", **extra)
    user.groups.add(Group.objects.get(name=group))
    if leads:
        assign_lead(user, leads)
    return user


@pytest.fixture
def seeded(world, db):
    return world.seeded


@pytest.fixture
def as_user(world, db, client):
    def log_in(name):
        client.force_login(world.users[name])
        return client

    return log_in


def dashboard_url(name: str, **kwargs) -> str:
    return f"{reverse(name, kwargs=kwargs or None)}?quarter={Q4}"


def dashboard_urls(seeded) -> list[str]:
    risks = [*seeded.risk_references[:2], seeded.closed_risk_reference]
    return [
        *(
            dashboard_url(f"dashboard:{name}")
            for name in (
                "home",
                "objectives",
                "money",
                "outcomes",
                "milestones",
                "mdts",
                "critical-areas",
                "maturity",
                "risks",
                "board-pack",
            )
        ),
        *(dashboard_url("dashboard:locality", slug=slug) for slug in ("medway", "thanet", "swale")),
        *(dashboard_url("dashboard:risk-detail", reference=reference) for reference in risks),
    ]


@pytest.fixture(scope="module")
def board_pages(world, django_db_blocker) -> dict[str, str]:
    """Every dashboard page as a board member sees it, fetched once for the module."""
    client = Client()
    with django_db_blocker.unblock():
        client.force_login(world.users["board"])
        pages = {}
        for url in dashboard_urls(world.seeded):
            response = client.get(url)
            assert response.status_code == 200, url
            pages[url] = response.content.decode()
    return pages


def update_url(name: str, locality: str, **kwargs) -> str:
    return reverse(f"updates:{name}", kwargs={"locality": locality, "quarter": Q4, **kwargs})


def assert_clean(url: str, content: str) -> PageReport:
    """Nothing on the page runs or breaks out, and chart text holds no plotly markup."""
    report = inspect_html(content)
    assert not report.problems, (url, report.problems[:5])
    for figure in report.json_blocks:
        assert not chart_markup_problems(figure), (url, chart_markup_problems(figure)[:3])
    return report


def assert_shown_as_text(client, url: str) -> set[str]:
    """The page is clean; the payloads it shows as text."""
    response = client.get(url)
    assert response.status_code == 200, url
    return assert_clean(url, response.content.decode()).shown()


# --- HTML pages -----------------------------------------------------------------------


def test_dashboard_pages_show_every_payload_as_text(board_pages):
    shown_anywhere = set()
    for url, content in board_pages.items():
        shown = assert_clean(url, content).shown()
        assert shown, f"{url} shows none of the payloads: the test would prove nothing"
        shown_anywhere |= shown

    assert shown_anywhere == set(PAYLOADS)


def test_a_localitys_page_shows_its_narratives_and_summary_as_text(board_pages, seeded):
    url = dashboard_url("dashboard:locality", slug="medway")

    shown = assert_clean(url, board_pages[url]).shown()

    medway = QuarterlyUpdate.objects.get(locality__slug="medway", quarter__number=4)
    assert medway.status == QuarterlyUpdate.Status.APPROVED
    expected = {medway.summary, medway.locality.name}
    expected |= {status.narrative for status in medway.objective_statuses.all()}
    assert expected <= set(PAYLOADS)
    assert expected <= shown


def test_a_risks_page_shows_its_title_description_reviews_and_closing_note_as_text(
    board_pages, seeded
):
    for reference in (seeded.risk_references[0], seeded.closed_risk_reference):
        risk = Risk.objects.get(reference=reference)
        url = dashboard_url("dashboard:risk-detail", reference=reference)
        shown = assert_clean(url, board_pages[url]).shown()
        expected = {risk.title, risk.description} | {review.note for review in risk.reviews.all()}
        if risk.status == Risk.Status.CLOSED:
            expected.add(risk.closing_note)
        assert expected <= shown, reference


def test_table_cells_show_payloads_as_text(board_pages, seeded):
    for name in ("milestones", "mdts", "risks"):
        url = dashboard_url(f"dashboard:{name}")
        report = assert_clean(url, board_pages[url])
        assert len(report.shown_in_cells()) >= 10, name


def test_lead_pages_show_every_update_field_as_text(as_user, seeded):
    client = as_user("swale")
    shown = assert_shown_as_text(client, update_url("detail", "swale"))
    for section in ("objectives", "milestones", "risks", "summary"):
        shown |= assert_shown_as_text(client, update_url("edit-section", "swale", section=section))
    shown |= assert_shown_as_text(client, update_url("submit", "swale"))
    shown |= assert_shown_as_text(client, reverse("updates:mine"))

    swale_fields = {
        value
        for label in (
            "objective narrative",
            "RAG reason",
            "milestone forecast reason",
            "raised risk title",
            "raised risk description",
            "update summary",
        )
        for value in seeded.fields[label][-len(seeded.fields[label]) // 3 :]
    }
    assert swale_fields <= shown

    client = as_user("medway")
    assert assert_shown_as_text(client, update_url("detail", "medway"))


def test_the_review_page_shows_the_update_and_the_return_comments_as_text(as_user, seeded):
    client = as_user("office")

    shown = assert_shown_as_text(client, update_url("review", "thanet"))
    shown |= assert_shown_as_text(client, reverse("updates:returns"))

    thanet = QuarterlyUpdate.objects.get(locality__slug="thanet", quarter__number=4)
    assert thanet.status == QuarterlyUpdate.Status.SUBMITTED
    assert thanet.summary in shown
    assert {status.narrative for status in thanet.objective_statuses.all()} <= shown
    assert {raised.title for raised in thanet.raised_risks.all()} <= shown
    # The comments it was returned with are in its history and on the review page.
    assert seeded.fields["review comments"][0] in shown


# --- Charts -----------------------------------------------------------------------------


def test_chart_text_is_escaped_for_plotly(board_pages, seeded):
    """plotly.js reads <b>, <a href>, <br> and entities in labels: people's text must not."""
    strings = []
    for url, content in board_pages.items():
        for figure in assert_clean(url, content).json_blocks:
            strings.extend(chart_strings(figure))

    escaped = {html.escape(text, quote=False) for text in PAYLOADS}
    in_charts = {text for text in escaped if any(text in string for string in strings)}
    # Milestone titles, locality names and risk titles are all drawn on charts.
    assert len(in_charts) >= 20, sorted(escaped - in_charts)
    # An entity typed as text stays text (plotly.js would decode it), and so does
    # what plotly.js reads as markup: a line break, a link.
    assert html.escape(ENTITY_PAYLOAD, quote=False) in in_charts
    assert html.escape(PLOTLY_PAYLOAD, quote=False) in in_charts


# --- Downloads --------------------------------------------------------------------------


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_no_formula_text(values, where):
    """No text cell may start like a formula; neutralised ones start with an apostrophe."""
    for value in values:
        if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
            assert is_number(value), f"{where}: {value!r} would run as a formula"


def csv_cells(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def xlsx_cells(content: bytes, where: str) -> list:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{where}: formula in {sheet.title}!{cell.coordinate}"
                values.append(cell.value)
    return values


EXPORT_LINK = re.compile(r'href="(\?[^"]*_export=(csv|xlsx)[^"]*)"')


def test_dashboard_downloads_neutralise_formulas_and_keep_the_text(as_user, board_pages, seeded):
    client = as_user("board")

    exported = []
    downloads = 0
    # One page of each kind: the other localities' and risks' tables are the same tables.
    repeats = {
        dashboard_url("dashboard:locality", slug="thanet"),
        dashboard_url("dashboard:locality", slug="swale"),
        *(
            dashboard_url("dashboard:risk-detail", reference=reference)
            for reference in seeded.risk_references[1:]
        ),
    }
    for url, content in board_pages.items():
        if url in repeats:
            continue
        for href, export_format in EXPORT_LINK.findall(content):
            download_url = urljoin(url, html.unescape(href))
            response = client.get(download_url)
            assert response.status_code == 200, download_url
            downloads += 1
            if export_format == "csv":
                assert response.content.startswith(codecs.BOM_UTF8), download_url
                values = csv_cells(response.content)
            else:
                values = xlsx_cells(response.content, download_url)
            assert_no_formula_text(values, download_url)
            exported.extend(value for value in values if isinstance(value, str))

    assert downloads >= 28  # 14 tables, CSV and XLSX each
    for text in FORMULA_PAYLOADS:
        assert "'" + text in exported, text
    # HTML-looking text is exported as typed: a spreadsheet does not read HTML.
    assert PAYLOADS[0] in exported


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_risk_register_export_neutralises_formulas(as_user, seeded, export_format):
    client = as_user("office")

    response = client.post(
        reverse("admin:risks_risk_changelist"),
        {
            "action": f"export_{export_format}",
            "_selected_action": list(Risk.objects.values_list("pk", flat=True)),
        },
    )

    assert response.status_code == 200
    if export_format == "csv":
        values = csv_cells(response.content)
    else:
        values = xlsx_cells(response.content, "risk register")
    assert_no_formula_text(values, "risk register")
    titles = set(Risk.objects.values_list("title", flat=True))
    for title in titles:
        shown = "'" + title if title.startswith(FORMULA_TRIGGERS) else title
        assert shown in values, title


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_shared_export_helper_neutralises_every_payload(export_format):
    """common.exports, which every download above goes through, on its own: every
    payload as a header and as a cell comes out as the text typed, made inert."""
    response = spreadsheet_response(
        export_format=export_format,
        headers=PAYLOADS,
        rows=[PAYLOADS, [f"-{text}" for text in PAYLOADS]],
        filename=f"payloads.{export_format}",
    )

    if export_format == "csv":
        values = csv_cells(response.content)
    else:
        values = xlsx_cells(response.content, "shared helper")
    assert_no_formula_text(values, "shared helper")
    for text in PAYLOADS:
        shown = "'" + text if text.startswith(FORMULA_TRIGGERS) else text
        assert values.count(shown) == 2, text
        assert "'-" + text in values


def test_the_update_spreadsheet_keeps_every_payload_as_text(as_user, seeded):
    client = as_user("swale")

    response = client.get(update_url("download", "swale"))

    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    strings = []
    quote_prefixed = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    strings.append(cell.value)
                    if cell.value.startswith(FORMULA_TRIGGERS):
                        # Excel keeps a quote-prefixed cell as text even when it is edited.
                        assert cell.quotePrefix, f"{sheet.title}!{cell.coordinate}"
                        quote_prefixed += 1
    swale = QuarterlyUpdate.objects.get(locality__slug="swale", quarter__number=4)
    typed = {swale.summary}
    for status in swale.objective_statuses.all():
        typed |= {status.narrative, status.rag_reason}
    typed |= {report.forecast_change_reason for report in swale.milestone_updates.all()}
    for raised in swale.raised_risks.all():
        typed |= {raised.title, raised.description}
    typed |= {report.milestone.title for report in swale.milestone_updates.all()}
    assert typed <= set(strings)
    assert quote_prefixed >= 3


def test_payloads_typed_into_the_spreadsheet_come_back_as_text(as_user, seeded):
    client = as_user("swale")
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(update_url("download", "swale")).content)
    )

    def type_text(cell, text):
        # As Excel stores text typed with a leading apostrophe: a string, not a formula.
        cell.value = text
        cell.data_type = "s"

    objectives = workbook["Objectives"]
    headers = [cell.value for cell in objectives[1]]
    narratives = [
        row[headers.index("Progress this quarter")] for row in objectives.iter_rows(min_row=2)
    ]
    for index, cell in enumerate(narratives):
        type_text(cell, PAYLOADS[-1 - index])
    type_text(workbook["Summary"]["A2"], PAYLOADS[0])
    risks = workbook["New risks"]
    category = risks.cell(row=2, column=3).value
    for index, text in enumerate(PAYLOADS[:4]):
        type_text(risks.cell(row=index + 2, column=1), text)
        type_text(risks.cell(row=index + 2, column=2), PAYLOADS[-5 - index])
        risks.cell(row=index + 2, column=3, value=category)
    output = io.BytesIO()
    workbook.save(output)

    response = client.post(
        update_url("upload", "swale"),
        {
            "spreadsheet": SimpleUploadedFile(
                "update.xlsx", output.getvalue(), content_type=spreadsheet.CONTENT_TYPE
            )
        },
    )

    assert response.status_code == 302, response.context and response.context.get("problems")
    swale = QuarterlyUpdate.objects.get(locality__slug="swale", quarter__number=4)
    assert swale.summary == PAYLOADS[0]
    assert [s.narrative for s in swale.objective_statuses.order_by("objective__number")] == [
        PAYLOADS[-1 - index] for index in range(len(narratives))
    ]
    assert [r.title for r in swale.raised_risks.order_by("pk")] == PAYLOADS[:4]
    shown = assert_shown_as_text(client, update_url("detail", "swale"))
    assert {PAYLOADS[0], *PAYLOADS[:4]} <= shown
