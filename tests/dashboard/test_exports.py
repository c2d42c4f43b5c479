"""Every dashboard download opens cleanly in Excel and holds the figures the page shows.

Excel on Windows needs the UTF-8 byte-order mark to read "→ ↓ –" in a CSV; a
number must be the page's number (161575, not 161575.33333333334), as a
number (no "£" or thousands separators) and never a tag's HTML. The table
template's cells are the page; the download is compared with them.
"""

import csv
import html
import io
import re
from urllib.parse import urljoin

import openpyxl
import pytest
from django.urls import reverse

Q4 = "?quarter=2018-19-q4"
BOM = b"\xef\xbb\xbf"
EXPORT_LINK = re.compile(r'href="(\?[^"]*_export=(csv|xlsx)[^"]*)"')

# What a download must not hold: more decimals than any page shows (one, for a
# percentage), a number written as text, or markup.
LONG_DECIMAL = re.compile(r"^[+-]?\d+\.\d{2,}$")
FORMATTED_NUMBER = re.compile(
    r"^[+\-−]?£?\d{1,3}(,\d{3})+(\.\d+)?%?$|^[+\-−]?£\d|^[+\-−]\d+(\.\d+)?%$"
)
MARKUP = re.compile(r"<[a-zA-Z/]")


def exportable_pages() -> list[str]:
    pages = [
        reverse(f"dashboard:{name}") + Q4
        for name in ("objectives", "money", "outcomes", "milestones", "mdts", "risks", "benefits")
    ]
    pages += [reverse("dashboard:locality", args=[slug]) + Q4 for slug in ("ashford", "thanet")]
    # A risk's reviews and actions are tables too, with no downloads today.
    pages.append(reverse("dashboard:risk-detail", args=["LC-R03"]) + Q4)
    return pages


def downloads(client) -> list[tuple[str, str]]:
    """(url, format) of every download link on the pages that offer one."""
    found = []
    for page in exportable_pages():
        response = client.get(page)
        assert response.status_code == 200, page
        for href, export_format in EXPORT_LINK.findall(response.content.decode()):
            found.append((urljoin(page, html.unescape(href)), export_format))
    return found


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_every_download_opens_cleanly_in_excel(client, programme_data, board_user):
    client.force_login(board_user)

    links = downloads(client)

    # Every page that has tables offers both formats of each (a risk's page has none).
    assert {url.split("?")[0] for url, _ in links} == {
        page.split("?")[0] for page in exportable_pages()[:-1]
    }
    assert sorted(url for url, f in links if f == "csv") == sorted(
        url.replace("xlsx", "csv") for url, f in links if f == "xlsx"
    )
    assert len(links) >= 2 * 14
    for url, export_format in links:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content
        if export_format == "xlsx":
            assert content[:2] == b"PK", url  # a zip, with no byte-order mark before it
            sheet = openpyxl.load_workbook(io.BytesIO(content)).active
            cells = [value for row in sheet.iter_rows(values_only=True) for value in row]
            floats = [value for value in cells if isinstance(value, float)]
            assert all(round(value, 1) == value for value in floats), url
            texts = [value for value in cells if isinstance(value, str)]
        else:
            assert response["Content-Type"] == "text/csv; charset=utf-8", url
            assert content.startswith(BOM), url
            assert content.count(BOM) == 1, url
            texts = [cell for row in csv_rows(content) for cell in row]
            assert not [cell for cell in texts if LONG_DECIMAL.match(cell)], url
        assert not [cell for cell in texts if FORMATTED_NUMBER.match(cell)], url
        assert not [cell for cell in texts if MARKUP.search(cell)], url


def test_the_arrows_and_dashes_are_utf8_after_the_mark(client, programme_data, board_user):
    client.force_login(board_user)

    content = client.get(reverse("dashboard:risks") + Q4 + "&_export=csv").content

    assert content.startswith(BOM)
    text = content[len(BOM) :].decode("utf-8")
    assert "↓ Falling" in text or "→ No change" in text or "↑ Rising" in text
    assert not text.startswith("\ufeff")


def shown_number(text: str) -> str:
    """A figure as the page writes it ("−£17,600", "+8.6%", "161,575"), as plain digits."""
    text = str(text).strip()
    if text in ("—", ""):
        return ""
    return text.replace("−", "-").replace("£", "").replace(",", "").replace("%", "").lstrip("+")


def numeric_cells_as_shown(table) -> list[dict[str, str]]:
    """The page's numeric cells (the right-aligned columns), row by row, by header."""
    numeric = [
        column for column in table.columns if "numeric" in (column.attrs["td"].get("class") or "")
    ]
    assert numeric
    return [
        {str(column.header): shown_number(row.get_cell(column.name)) for column in numeric}
        for row in table.paginated_rows
    ]


@pytest.mark.parametrize(
    ("page", "table_of", "download"),
    [
        (reverse("dashboard:outcomes"), lambda context: context["points_table"], "&_export=csv"),
        (
            reverse("dashboard:outcomes") + "?measure=bed-days&locality=thanet&",
            lambda context: context["points_table"],
            "&_export=csv",
        ),
        (reverse("dashboard:money"), lambda context: context["table"], "&_export=csv"),
        (reverse("dashboard:mdts"), lambda context: context["table"], "&_export=csv"),
        (
            reverse("dashboard:locality", args=["ashford"]),
            lambda context: context["tables"]["outcomes"],
            "&table=outcomes&_export=csv",
        ),
    ],
    ids=["outcomes", "outcomes-thanet-bed-days", "money", "mdts", "locality-outcomes"],
)
def test_downloaded_numbers_are_the_numbers_on_the_page(
    client, programme_data, board_user, page, table_of, download
):
    client.force_login(board_user)
    url = page + ("quarter=2018-19-q4" if page.endswith("&") else Q4)

    shown = numeric_cells_as_shown(table_of(client.get(url).context))
    header, *rows = csv_rows(client.get(url + download).content)
    exported = [dict(zip(header, row, strict=True)) for row in rows]

    assert len(exported) >= len(shown) > 0
    for on_page, in_file in zip(shown, exported, strict=False):
        assert {name: in_file[name] for name in on_page} == on_page


def test_the_outcomes_mean_is_rounded_as_on_the_page(client, programme_data, board_user):
    client.force_login(board_user)

    content = client.get(reverse("dashboard:outcomes") + Q4 + "&_export=csv").content

    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) == 36  # April 2016 to March 2019
    assert all(row["Mean"].isdigit() for row in rows)  # whole units, as on the page
    assert all(row["Value"].isdigit() for row in rows)


def test_the_outcomes_summary_download_is_rounded_as_on_the_page(
    client, programme_data, board_user
):
    client.force_login(board_user)

    content = client.get(reverse("dashboard:outcomes-summary") + Q4 + "&_export=csv")

    rows = list(csv.DictReader(io.StringIO(content.content.decode("utf-8-sig"))))
    kent_and_medway = rows[0]
    assert kent_and_medway["Locality"] == "Kent and Medway"
    assert kent_and_medway["Latest month"] == "Mar 2019"
    assert kent_and_medway["Latest value"].isdigit()
    assert kent_and_medway["Baseline mean (a month)"].isdigit()
    whole, tenths = kent_and_medway["Change against baseline (%)"].lstrip("-").split(".")
    assert whole.isdigit()
    assert len(tenths) == 1


def test_money_is_downloaded_in_whole_pounds_as_shown(client, programme_data, board_user):
    client.force_login(board_user)

    rows = csv_rows(client.get(reverse("dashboard:money") + Q4 + "&_export=csv").content)

    header, ashford = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert ashford["Annual plan"] == "2360000"
    assert ashford["Variance"] == "-17600"
    assert ashford["Variance %"] == "-0.7"
    pounds = ("Annual plan", "Planned to date", "Spent to date", "Variance")
    for row in rows[1:]:
        record = dict(zip(header, row, strict=True))
        assert all(re.fullmatch(r"-?\d+", record[name]) for name in pounds), record
