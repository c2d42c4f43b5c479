"""The programme office loads the monthly warehouse extract (decision 0019).

All or nothing: any bad row and nothing is saved, every problem listed by
sheet, row and column; a good file is one OutcomeExtract and its months,
created or restated with history, in a number of queries that does not grow
with the rows. "Today" is pinned in May 2019.
"""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dashboard.caching import DATA_VERSION_KEY, data_version
from localities.models import MonthlyOutcome, OutcomeExtract
from tests.dashboard.test_structure_as_at import merge_medway_and_swale
from updates import outcome_extract, outcome_services
from updates.outcome_extract import ExtractRow, read_extract, template_rows

pytestmark = pytest.mark.django_db
TODAY = datetime.datetime(2019, 5, 20, 12, tzinfo=datetime.UTC)
PAGE = reverse("updates:outcome-extracts")
HEADER = "locality,measure,month,value\n"


@pytest.fixture(autouse=True)
def pinned_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def csv_file(body: str, name="activity-2019-04.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + body).encode(), content_type="text/csv")


def xlsx_file(rows, name="activity.xlsx", title="Activity") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(["locality", "measure", "month", "value"])
    for row in rows:
        sheet.append(row)
    content = io.BytesIO()
    workbook.save(content)
    return SimpleUploadedFile(name, content.getvalue())


def post(client, upload, source="SUS+ via the data warehouse"):
    return client.post(PAGE, {"extract": upload, "source": source})


def april_2019(value_base=100) -> str:
    return "".join(
        f"{slug},{code},2019-04,{value_base + i}\n"
        for i, (slug, code) in enumerate(
            (slug, code)
            for slug in ("thanet", "medway", "swale")
            for code in ("ae-attendances", "bed-days")
        )
    )


# --- Reading ------------------------------------------------------------------------


def test_every_bad_row_is_a_problem_by_sheet_row_and_column(programme_data):
    content = (
        (
            HEADER + "thanet,ae-attendances,2018-13,5\n"  # row 2: no such month
            "atlantis,ae-attendances,2018-04,5\n"  # row 3: no such locality
            "thanet,hospital-food,2018-04,5\n"  # row 4: no such measure
            "thanet,ae-attendances,2019-05,5\n"  # row 5: not over yet
            "thanet,ae-attendances,2018-04,-3\n"  # row 6: negative
            "thanet,ae-attendances,2018-05,4.5\n"  # row 7: not whole
            "Thanet,ae-attendances,2018-06,\n"  # row 8: no value
            "thanet,ae-attendances,2016-03,5\n"  # row 9: before the series
            "thanet,bed-days,2018-04,5\n"  # row 10: fine
            "thanet,bed-days,2018-04-01,6\n"  # row 11: the same month again
        ).encode()
    )

    reading = read_extract(content, file_name="activity.csv", today=TODAY.date())

    found = [(p.sheet, p.row, p.column) for p in reading.problems]
    assert found == [
        ("activity.csv", 2, "month"),
        ("activity.csv", 3, "locality"),
        ("activity.csv", 4, "measure"),
        ("activity.csv", 5, "month"),
        ("activity.csv", 6, "value"),
        ("activity.csv", 7, "value"),
        ("activity.csv", 8, "value"),
        ("activity.csv", 9, "month"),
        ("activity.csv", 11, "month"),
    ]
    assert reading.problems[0].message.startswith("2018-13 is not a month")
    assert "Row 10 already gives" in reading.problems[-1].message


def test_a_locality_by_name_and_a_month_as_a_date_are_read(programme_data):
    upload = xlsx_file(
        [
            ["Thanet", "ae-attendances", datetime.datetime(2018, 4, 1), 12],
            ["medway", "BED-DAYS", "15/05/2018", 7.0],
        ]
    )

    reading = read_extract(upload.read(), file_name=upload.name, today=TODAY.date())

    assert reading.problems == []
    assert [(r.month, r.value) for r in reading.rows] == [
        (datetime.date(2018, 4, 1), 12),
        (datetime.date(2018, 5, 1), 7),
    ]


def test_a_months_figures_belong_to_an_area_in_force_in_it(programme_data):
    """Medway and Swale merge on 1 January 2019 (decision 0023): their figures run to
    December 2018, the partnership's from January 2019; a row the other way is refused
    at its row, and the template for a month offers the areas in force then."""
    merge_medway_and_swale()
    body = (
        "medway,ae-attendances,2018-12,5\n"
        "medway,ae-attendances,2019-01,6\n"
        "medway-and-swale,ae-attendances,2018-12,7\n"
        "medway-and-swale,ae-attendances,2019-01,8\n"
    )

    reading = read_extract((HEADER + body).encode(), file_name="x.csv", today=TODAY.date())

    assert [(p.row, p.column, p.message) for p in reading.problems] == [
        (3, "locality", "Medway was in force until 31 December 2018, not in January 2019."),
        (
            4,
            "locality",
            "Medway and Swale Partnership is in force from 1 January 2019, not in December 2018.",
        ),
    ]
    template = {row[0] for row in template_rows(today=TODAY.date())}
    assert "medway-and-swale" in template
    assert not {"medway", "swale"} & template


def test_a_file_without_the_columns_is_one_problem_at_row_1(programme_data):
    reading = read_extract(b"place,count\nthanet,3\n", file_name="x.csv", today=TODAY.date())

    assert [(p.row, p.column) for p in reading.problems] == [(1, "locality, measure, month, value")]


def test_too_many_rows_is_refused(programme_data, monkeypatch):
    monkeypatch.setattr(outcome_extract, "MAX_ROWS", 3)
    body = "".join(f"thanet,ae-attendances,2018-0{m},1\n" for m in range(4, 9))

    reading = read_extract((HEADER + body).encode(), file_name="x.csv", today=TODAY.date())

    assert len(reading.problems) == 1
    assert "at most 3 rows" in reading.problems[0].message


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "a.csv", "empty"),
        (b"\xff\xfe\x00l", "a.csv", "UTF-8"),
        (b"locality\0", "a.csv", "neither"),
        (b"hello", "a.pdf", "neither"),
        (b"PK\x03\x04 not really a zip", "a.xlsx", "not an Excel"),
    ],
)
def test_a_file_that_is_not_an_extract_is_refused_whole(programme_data, content, name, message):
    with pytest.raises(outcome_extract.Rejected) as refused:
        read_extract(content, file_name=name, today=TODAY.date())

    assert message in refused.value.message


# --- The page -----------------------------------------------------------------------


def test_a_good_extract_is_loaded_with_history_and_listed(client, office_user, programme_data):
    client.force_login(office_user)
    before = MonthlyOutcome.objects.count()

    response = post(client, csv_file(april_2019()))

    assert response.status_code == 302
    extract = OutcomeExtract.objects.latest("loaded_at")
    assert (extract.file_name, extract.rows, extract.loaded_by) == (
        "activity-2019-04.csv",
        6,
        office_user,
    )
    assert extract.first_month == extract.last_month == datetime.date(2019, 4, 1)
    assert MonthlyOutcome.objects.count() == before + 6
    loaded = MonthlyOutcome.objects.get(
        locality__slug="thanet", measure__code="ae-attendances", month="2019-04-01"
    )
    assert (loaded.value, loaded.extract, loaded.is_illustrative) == (100, extract, False)
    record = loaded.history.get()
    assert (record.history_user, record.history_change_reason) == (
        office_user,
        "Loaded from activity-2019-04.csv",
    )
    page = client.get(PAGE)
    assert "6 new, 0 restated, 0 unchanged" in page.content.decode()
    assert "activity-2019-04.csv" in page.content.decode()


def test_a_later_extract_restates_a_month_and_history_keeps_the_old(
    client, office_user, programme_data
):
    client.force_login(office_user)
    month = MonthlyOutcome.objects.get(
        locality__slug="thanet", measure__code="ae-attendances", month="2018-04-01"
    )
    old = month.value

    response = post(
        client,
        csv_file(
            f"thanet,ae-attendances,2018-04,{old + 7}\n"
            f"thanet,bed-days,2018-04,"
            f"{MonthlyOutcome.objects.get(locality__slug='thanet', measure__code='bed-days', month='2018-04-01').value}\n",
            name="restated.csv",
        ),
    )

    assert response.status_code == 302
    month.refresh_from_db()
    assert month.value == old + 7
    assert month.extract.file_name == "restated.csv"
    assert [h.value for h in month.history.order_by("history_id")][-1] == old + 7
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "0 new, 1 restated, 1 unchanged" in messages[0]


def test_one_bad_row_saves_nothing_and_lists_every_problem(client, office_user, programme_data):
    client.force_login(office_user)
    before = (MonthlyOutcome.objects.count(), OutcomeExtract.objects.count())
    body = april_2019() + "thanet,ae-attendances,2018-13,5\nthanet,ae-attendances,2019-04,1\n"

    response = post(client, csv_file(body))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Error: " in html
    assert "Sheet ‘activity-2019-04.csv’, row 8, column ‘month’: 2018-13 is not a month" in html
    assert "row 9, column ‘month’: Row 2 already gives" in html
    assert 'data-testid="problems"' in html
    assert (MonthlyOutcome.objects.count(), OutcomeExtract.objects.count()) == before


def test_an_xlsx_extract_names_its_sheet(client, office_user, programme_data):
    client.force_login(office_user)

    response = post(client, xlsx_file([["thanet", "ae-attendances", "2018-13", 5]]))

    assert response.status_code == 400
    assert "Sheet ‘Activity’, row 2, column ‘month’" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"source": "SUS+"}, "Choose the extract to upload."),
        ({"extract": "x"}, "Say where the figures come from."),
    ],
)
def test_a_missing_file_or_source_is_a_clear_400(
    client, office_user, programme_data, data, message
):
    client.force_login(office_user)
    if "extract" in data:
        data = {**data, "extract": csv_file(april_2019())}

    response = client.post(PAGE, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not OutcomeExtract.objects.filter(loaded_by=office_user).exists()


def test_a_file_that_is_not_an_extract_is_a_400(client, office_user, programme_data):
    client.force_login(office_user)

    response = post(client, SimpleUploadedFile("notes.txt", b"hello"))

    assert response.status_code == 400
    assert "neither a CSV file" in response.content.decode()


def test_a_file_over_the_limit_is_refused_unread(client, office_user, programme_data, settings):
    settings.UPDATE_UPLOAD_MAX_BYTES = 200
    client.force_login(office_user)

    response = post(client, csv_file(april_2019() * 3))

    assert response.status_code == 413
    assert "larger than" in response.content.decode()


def test_free_text_is_escaped(client, office_user, programme_data):
    client.force_login(office_user)

    response = post(client, csv_file("<script>x</script>,ae-attendances,2018-04,1\n"))

    assert "<script>x</script>" not in response.content.decode()
    assert "&lt;script&gt;x&lt;/script&gt; is not a locality" in response.content.decode()


def test_the_load_moves_the_dashboards_data_version_once_committed(
    client, office_user, programme_data, django_capture_on_commit_callbacks
):
    client.force_login(office_user)
    before = data_version()

    with django_capture_on_commit_callbacks(execute=True):
        post(client, csv_file(april_2019()))

    assert cache.get(DATA_VERSION_KEY) != before


def test_loading_takes_the_same_queries_for_6_rows_as_for_600(office_user, programme_data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def rows(first_locality_pk, n):
        months = [datetime.date(2016 + (m + 3) // 12, (m + 3) % 12 + 1, 1) for m in range(36)]
        return [
            ExtractRow(locality_pk, measure_pk, month, 5)
            for locality_pk in range(first_locality_pk, first_locality_pk + 8)
            for measure_pk in (1, 2, 3, 4)
            for month in months
        ][:n]

    from localities.models import Locality

    first = Locality.objects.order_by("pk").first().pk
    counts = []
    for n in (1, 6, 600):  # the first also reads the loader's groups, once per user
        with CaptureQueriesContext(connection) as queries:
            outcome_services.load_extract(
                rows=rows(first, n), file_name="x.csv", source="test", by=office_user
            )
        counts.append(len(queries))

    assert counts[1] == counts[2] == 11


def test_only_the_programme_office_may_load(lead_thanet):
    with pytest.raises(PermissionDenied):
        outcome_services.load_extract(
            rows=[ExtractRow(1, 1, datetime.date(2018, 4, 1), 1)],
            file_name="x.csv",
            source="s",
            by=lead_thanet,
        )


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_blank_template_downloads_in_both_formats(
    client, office_user, programme_data, export_format
):
    client.force_login(office_user)

    response = client.get(reverse("updates:outcome-extract-template", args=[export_format]))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].endswith(f'.{export_format}"')
    reading = read_extract(
        response.content.replace(b",\r\n", b",1\r\n")
        if export_format == "csv"
        else response.content,
        file_name=f"template.{export_format}",
        today=TODAY.date(),
    )
    if export_format == "csv":
        assert reading.problems == []
        assert len(reading.rows) == 32
        assert reading.rows[0].month == datetime.date(2019, 4, 1)
    else:
        assert {p.column for p in reading.problems} == {"value"}  # left blank to fill in


def test_an_unknown_template_format_is_404(client, office_user, programme_data):
    client.force_login(office_user)

    assert client.get(reverse("updates:outcome-extract-template", args=["pdf"])).status_code == 404


@pytest.mark.parametrize("role", ["board_user", "lead_thanet"])
def test_only_the_office_may_open_the_page(client, request, programme_data, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(PAGE).status_code == 403
    assert post(client, csv_file(april_2019())).status_code == 403


def test_the_returns_page_links_to_the_outcome_data(client, office_user, programme_data):
    client.force_login(office_user)

    html = client.get(reverse("updates:returns")).content.decode()

    assert f'href="{PAGE}"' in html
    assert f'href="{reverse("updates:change-points")}"' in html


def test_blank_cells_empty_rows_and_odd_values_are_each_said(programme_data):
    upload = xlsx_file(
        [
            [None, None, None, None],  # an empty row: skipped
            ["", "", "", ""],  # blanks only: skipped too
            ["thanet", None, datetime.date(2018, 4, 9), 1.5],
            [None, "bed-days", None, 10**12],
            ["thanet", "bed-days", "31/02/2018", True],
        ]
    )

    reading = read_extract(upload.read(), file_name=upload.name, today=TODAY.date())

    found = {(p.row, p.column): p.message for p in reading.problems}
    assert found[(4, "measure")].startswith("Give the measure")
    assert found[(4, "value")] == "1.5 is not a whole number."
    assert found[(5, "locality")].startswith("Give the locality")
    assert found[(5, "month")].startswith("Give the month")
    assert "far larger" in found[(5, "value")]
    assert found[(6, "month")].startswith("31/02/2018 is not a month")
    assert found[(6, "value")] == "True is not a whole number."
    assert reading.rows == []


def test_a_header_alone_has_no_figures(programme_data):
    reading = read_extract(HEADER.encode(), file_name="x.csv", today=TODAY.date())

    assert [p.message for p in reading.problems] == [
        "The file has no rows of figures under its header."
    ]


def test_an_empty_load_is_refused_by_the_service(office_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        outcome_services.load_extract(rows=[], file_name="x.csv", source="s", by=office_user)
