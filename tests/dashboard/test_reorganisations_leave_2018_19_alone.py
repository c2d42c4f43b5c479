"""Recording a reorganisation changes no page of an earlier quarter (issue 19, decision 0023).

Every dashboard page a board member can open as at each quarter of 2018/19
(every programme page, each locality's and each risk's, the board pack) and the
CSV and XLSX downloads of their tables are rendered; then a reorganisation is
recorded through localities.reorganisation_services (the fixtures' own, from
fixtures/reorganisations.json); rendered again, every page and download must be
the same, byte for byte, but for the CSRF token in the sign-out form and the
seconds the session has left (the clock is held still, so nothing else may
differ).
"""

import datetime
import html
import io
import re
import zipfile

import time_machine
from django.core.cache import cache
from django.urls import reverse

from dashboard.selectors.risks import board_visible_risks
from localities.models import Locality
from localities.programme_data import read_reorganisations, record_reorganisations
from tests.dashboard.test_as_at import CSRF_TOKEN, SESSION_LEFT, differences

QUARTERS = ["2018-19-q1", "2018-19-q2", "2018-19-q3", "2018-19-q4"]
PAGES = [
    "home",
    "objectives",
    "money",
    "outcomes",
    "outcomes-summary",
    "benefits",
    "milestones",
    "mdts",
    "maturity",
    "critical-areas",
    "risks",
    "actions",
    "board-pack",
]
# A download link on a page (templates/includes/export_links.html).
DOWNLOAD = re.compile(r'href="(\?[^"]*_export=(?:csv|xlsx))"')
STILL = datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC)


def every_2018_19_url() -> list[str]:
    localities = Locality.objects.in_force_on(datetime.date(2019, 3, 31)).order_by("slug")
    urls = [
        *[reverse(f"dashboard:{name}") for name in PAGES],
        *[
            reverse("dashboard:locality", args=[slug])
            for slug in localities.values_list("slug", flat=True)
        ],
        *[
            reverse("dashboard:risk-detail", args=[reference])
            for reference in board_visible_risks().values_list("reference", flat=True)
        ],
    ]
    return [f"{url}?quarter={q}" for url in urls for q in QUARTERS]


def downloads_linked(pages: dict[str, bytes]) -> list[str]:
    """Every table download the pages link to."""
    downloads = [
        url.split("?")[0] + html.unescape(link)
        for url, body in pages.items()
        for link in DOWNLOAD.findall(body.decode())
        # Every table's CSV in every quarter; its XLSX (the same rows, slower) in Q4.
        if link.endswith("csv") or "2018-19-q4" in link
    ]
    return list(dict.fromkeys(downloads))


def render_all(client, urls: list[str]) -> dict[str, bytes]:
    pages = {}
    for url in urls:
        cache.clear()
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content
        if response["Content-Type"].startswith("text/html"):
            body = SESSION_LEFT.sub("", CSRF_TOKEN.sub("", body.decode())).encode()
        elif body.startswith(b"PK"):
            body = workbook_parts(body)
        pages[url] = body
    return pages


def workbook_parts(xlsx: bytes) -> bytes:
    """An XLSX's parts, byte for byte: the zip around them stamps each with the time
    it was written."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as workbook:
        return b"\n".join(
            name.encode() + b"\n" + workbook.read(name) for name in sorted(workbook.namelist())
        )


def assert_unchanged(before: dict[str, bytes], after: dict[str, bytes]) -> None:
    assert before.keys() == after.keys()
    changed = [url for url in before if before[url] != after[url]]
    assert not changed, {
        url: differences(before[url].decode(errors="replace"), after[url].decode(errors="replace"))[
            :20
        ]
        for url in changed[:10]
    }


@time_machine.travel(STILL, tick=False)
def test_recording_the_2020_merger_changes_no_2018_19_page(
    client, programme_data_before_reorganisations, board_user
):
    (merger,) = read_reorganisations()
    client.force_login(board_user)
    before = render_all(client, every_2018_19_url())
    before |= render_all(client, downloads_linked(before))
    urls = list(before)
    assert len(urls) > 200

    record_reorganisations([merger])

    assert_unchanged(before, render_all(client, urls))
