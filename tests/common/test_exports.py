"""common.exports: the response every CSV and XLSX download goes through."""

import csv
import datetime
import io

import openpyxl
import pytest

from common.exports import (
    BYTE_ORDER_MARK,
    download_filename,
    neutralise_formula,
    spreadsheet_response,
)

BOM = BYTE_ORDER_MARK.encode("utf-8")
TODAY = datetime.date(2019, 5, 1)
HEADERS = ["Reference", "Title", "Trend", "Score", "Raised"]
ROWS = [
    ["LC-R01", "=HYPERLINK(1)", "→ No change", 12, datetime.date(2018, 7, 1)],
    ["LC-R02", "Beds – winter\nand spring", "↓ Falling", None, None],
]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=SUM(1)", "'=SUM(1)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Plain text", "Plain text"),
        ("'=already", "'=already"),
        (-1, -1),
        (None, None),
    ],
)
def test_neutralise_formula(value, written):
    assert neutralise_formula(value) == written


def test_a_csv_starts_with_one_byte_order_mark_and_stays_utf8():
    response = spreadsheet_response(
        export_format="csv", headers=HEADERS, rows=ROWS, filename="f.csv"
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="f.csv"'
    assert response.content[:3] == b"\xef\xbb\xbf"
    assert response.content.count(BOM) == 1
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        HEADERS,
        ["LC-R01", "'=HYPERLINK(1)", "→ No change", "12", "2018-07-01"],
        ["LC-R02", "Beds – winter\nand spring", "↓ Falling", "", ""],
    ]


def test_an_xlsx_has_no_byte_order_mark_and_no_formulas():
    response = spreadsheet_response(
        export_format="xlsx",
        headers=HEADERS,
        rows=ROWS,
        filename="f.xlsx",
        sheet_title="Risk register",
        freeze_panes="C2",
        date_format="dd/mm/yyyy",
    )

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.content[:2] == b"PK"  # a zip file, as every XLSX is
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Risk register"]
    assert sheet.freeze_panes == "C2"
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == tuple(HEADERS)
    assert values[1][:4] == ("LC-R01", "'=HYPERLINK(1)", "→ No change", 12)
    assert values[1][4].date() == datetime.date(2018, 7, 1)
    assert sheet["E2"].number_format == "dd/mm/yyyy"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_headers_are_neutralised_too():
    response = spreadsheet_response(export_format="csv", headers=["=1"], rows=[], filename="f.csv")

    assert response.content.decode("utf-8-sig") == "'=1\r\n"


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="Unknown export format"):
        spreadsheet_response(export_format="ods", headers=[], rows=[], filename="f.ods")


@pytest.mark.parametrize(
    ("parts", "filename"),
    [
        (("money", "2018/19 Q4"), "localcare-money-2018-19-q4-2019-05-01.csv"),
        (("outcomes-bed-days-thanet", ""), "localcare-outcomes-bed-days-thanet-2019-05-01.csv"),
        (("risk-register",), "localcare-risk-register-2019-05-01.csv"),
        # Nothing that could end the header's quoted filename or start another header.
        (('a"b\r\nSet-Cookie: x', "Q1"), "localcare-a-b-set-cookie-x-q1-2019-05-01.csv"),
    ],
)
def test_download_filename(parts, filename):
    assert download_filename(*parts, today=TODAY, export_format="csv") == filename
