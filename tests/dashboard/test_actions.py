"""The board's Actions and decisions page: as at the quarter shown, filters, downloads."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from governance.models import Action
from localities.models import Locality
from risks.models import Risk
from tests.helpers import visible_text

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:actions")
Q4 = "?quarter=2018-19-q4"  # ends 31 March 2019
Q3 = "?quarter=2018-19-q3"  # ends 31 December 2018
REPORT = "Present a report to the Joint Board setting out greater detail"
SCHEDULE = "Schedule the deep dives on support for carers"
PROGRESS = "Present progress on the Local Care outcomes framework"


def text_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return visible_text(response.content.decode())


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def board(client, programme_data, board_user):
    client.force_login(board_user)
    return client


def test_statuses_are_as_at_the_end_of_the_quarter_shown(board):
    q4 = text_of(board, URL + Q4)
    assert "3 actions agreed by then; 1 overdue." in q4
    # Due 19 March 2019 and open on 31 March 2019: overdue, and listed first.
    assert q4.index(REPORT) < q4.index(SCHEDULE) < q4.index(PROGRESS)
    assert f"{REPORT}" in q4
    assert "Open Overdue" in q4

    q3 = text_of(board, URL + Q3)
    # On 31 December 2018 nothing was overdue, and the report was not yet due.
    assert "3 actions agreed by then; 0 overdue." in q3
    assert "Overdue Illustrative" not in q3


def test_a_later_close_does_not_count_as_at_an_earlier_quarter(board):
    Action.objects.filter(pk=2).update(status="done", closed_on=datetime.date(2019, 6, 1))
    rows = rows_of(board.get(URL + Q4 + "&_export=csv"))
    report = next(row for row in rows if row["Action"].startswith(REPORT))
    assert report["Status"] == "Open"
    assert report["Overdue"] == "Yes"


def test_illustrative_owners_and_statuses_are_marked_where_read(board):
    html = board.get(URL + Q4).content.decode()
    assert html.count("Illustrative owner and status</strong>") == 3
    assert 'data-illustrative="true"' in html


def test_meetings_are_dated_as_the_papers_date_them_with_their_decisions(board):
    text = text_of(board, URL + Q4)
    assert "Kent and Medway Joint Health and Wellbeing Board, 9 October 2018" in text
    assert "Undated minutes: after the deep dives of 11 December 2018" in text
    assert "11.1.2 Recommended: support the approach for investment" in text
    assert "Paper: STP Local Care update, 11. Recommendations, 11.1.2." in text
    assert "Note: The report's recommendation to the Board." in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("&status=overdue", [REPORT]),
        ("&status=open", [REPORT, SCHEDULE]),
        ("&status=done", [PROGRESS]),
        ("&status=dropped", []),
        ("&owner=role:STP Local Care Lead", [REPORT, SCHEDULE]),
    ],
)
def test_filters(board, query, expected):
    rows = rows_of(board.get(URL + Q4 + query + "&_export=csv"))
    assert [row["Action"][:40] for row in rows] == [text[:40] for text in expected]


def test_filter_by_board_and_by_linked_item(board, office_user):
    thanet = Locality.objects.get(slug="thanet")
    risk = Risk.objects.get(reference="LC-R01")
    Action.objects.filter(pk=3).update(locality=thanet, risk=risk)
    text = text_of(board, URL + Q4)
    assert "Locality: Thanet" in text
    assert "Risk: LC-R01" in text
    rows = rows_of(board.get(URL + Q4 + f"&linked=locality:{thanet.pk}&_export=csv"))
    assert [row["Action"][:40] for row in rows] == [SCHEDULE[:40]]
    assert rows[0]["Linked to"].startswith("Locality: Thanet; Risk: LC-R01")
    body = Action.objects.get(pk=3).meeting.body_id
    assert len(rows_of(board.get(URL + Q4 + f"&body={body}&_export=csv"))) == 3
    # A linked item's own page is linked, keeping the quarter.
    html = board.get(URL + Q4).content.decode()
    assert f'href="/localities/thanet/{Q4}"' in html


def test_a_value_no_filter_offers_is_refused_kindly(board):
    response = board.get(URL + Q4 + "&status=lost")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_downloads(board):
    response = board.get(URL + Q4 + "&_export=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = rows_of(response)
    assert len(rows) == 3
    assert set(rows[0]) >= {
        "Action",
        "Agreed at",
        "Owner",
        "Due",
        "Status",
        "Linked to",
        "Overdue",
        "Owner and status illustrative",
    }
    assert rows[0]["Owner and status illustrative"] == "Yes"
    xlsx = board.get(URL + Q4 + "&_export=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 4
    assert sheet.cell(1, 1).value == "Action"


def test_the_query_count_does_not_grow_with_the_actions(board, django_assert_max_num_queries):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert board.get(URL + Q4).status_code == 200
        return len(queries)

    before = count()
    template = Action.objects.get(pk=3)
    thanet = Locality.objects.get(slug="thanet")
    risk = Risk.objects.get(reference="LC-R01")
    for number in range(30):
        template.pk = None
        template.text = f"Action {number}"
        template.locality = thanet if number % 2 else None
        template.risk = risk if number % 3 else None
        template.save()
    assert count() == before
    assert before <= 16


def test_an_owner_with_an_account_an_invented_action_and_sorting_by_due(board, office_user):
    office_user.first_name, office_user.last_name = "Pat", "Office"
    office_user.save()
    Action.objects.filter(pk=3).update(owner_user=office_user, is_illustrative=True)
    html = board.get(URL + Q4 + "&sort=due_text").content.decode()
    assert "Pat Office (STP Local Care Lead)" in html
    assert f"user:{office_user.pk}" in html  # offered as an owner
    assert "Illustrative</strong>" in html  # the invented action itself
    rows = rows_of(board.get(URL + Q4 + f"&owner=user:{office_user.pk}&_export=csv"))
    assert [row["Owner"] for row in rows] == ["Pat Office (STP Local Care Lead)"]
    Action.objects.filter(pk=1).update(due_date=None)
    assert board.get(URL + Q4 + "&sort=-due_text").status_code == 200
