"""The overview answers "so what": the approved assessment and key messages, then what changed.

Illustrative data: the Local Care Board's 2018/19 Q4 report is approved (pk 1000),
LCIB's is a draft (pk 1001).
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.periods import DashboardPage
from dashboard.selectors.overview import CHANGES_PER_GROUP, MoreLink, what_changed
from governance.models import BoardReport
from localities.models import Objective, Quarter
from tests.helpers import visible_text
from tools.scale import generate_scale_data
from updates.models import QuarterlyUpdate

pytestmark = pytest.mark.django_db

Q4 = "?quarter=2018-19-q4"
OVERVIEW = reverse("dashboard:home")


def above_the_exceptions(client) -> str:
    html = client.get(OVERVIEW + Q4).content.decode()
    return html[: html.index('id="exceptions"')]


def test_the_approved_report_shows_its_assessment_word_reason_and_key_messages(
    client, programme_data, board_user
):
    client.force_login(board_user)
    top = above_the_exceptions(client)
    text = visible_text(top)
    assert "Programme assessment: Amber" in text
    assert "nhsuk-tag--orange" in top  # the colour, with its word
    assert "From the report to the Local Care Board" in text  # which board it was for
    assert "14 May 2019, approved 7 May 2019" in text
    assert "34 of the 39 MDTs planned for 2018/19 are live." in text
    assert top.count('data-testid="illustrative-tag"') == 1  # the report is invented
    assert "Draft: to be completed" not in text  # never the draft


def test_until_one_is_approved_the_page_says_so_and_shows_the_data(
    client, programme_data, board_user
):
    BoardReport.objects.filter(pk=1000).update(status="draft")
    client.force_login(board_user)
    text = visible_text(client.get(OVERVIEW + Q4).content.decode())
    assert "No board report has been approved for 2018/19 Q4 yet" in text
    assert "Localities on track" in text
    assert "Exceptions, worst first" in text


def test_board_chooses_the_report_and_several_default_to_the_latest_approved(
    client, programme_data, board_user
):
    lcib = BoardReport.objects.get(pk=1001)
    lcib.status = "approved"
    lcib.approved_at = timezone.now()
    lcib.key_messages = "LCIB message one\nTwo\nThree"
    lcib.save()
    client.force_login(board_user)
    latest = visible_text(above_the_exceptions(client))
    assert "LCIB message one" in latest
    assert "Also for 2018/19 Q4: Local Care Board" in latest
    chosen = client.get(OVERVIEW + Q4 + "&board=2").content.decode()
    assert "34 of the 39 MDTs" in chosen
    missing = visible_text(client.get(OVERVIEW + Q4 + "&board=4").content.decode())
    assert "No board report for the STP Programme Board has been approved for 2018/19 Q4" in (
        missing
    )
    for nonsense in ("%3Cb%3E", "99999"):  # not a board: the quarter's default
        assert "LCIB message one" in client.get(OVERVIEW + Q4 + f"&board={nonsense}").text


def test_free_text_of_the_report_is_escaped(client, programme_data, board_user):
    BoardReport.objects.filter(pk=1000).update(
        assessment_reason="<script>alert(1)</script>",
        key_messages="<b>one</b>\ntwo\nthree",
    )
    client.force_login(board_user)
    top = above_the_exceptions(client)
    assert "<script>alert(1)</script>" not in top
    assert "&lt;b&gt;one&lt;/b&gt;" in top


def q4_page() -> DashboardPage:
    quarter = Quarter.objects.select_related("financial_year").get(
        financial_year__start_year=2018, number=4
    )
    return DashboardPage(
        quarter=quarter,
        quarter_options=list(Quarter.objects.select_related("financial_year")),
        statuses=(QuarterlyUpdate.Status.APPROVED,),
        is_preview=False,
        today=datetime.date(2019, 6, 1),
    )


def objectives() -> list[Objective]:
    return list(Objective.objects.filter(financial_year__start_year=2018).order_by("number"))


def test_what_changed_is_grouped_most_severe_first_without_illustrative_in_names(
    programme_data,
):
    groups = {group.key: group for group in what_changed(page=q4_page(), objectives=objectives())}
    assert list(groups) == ["worse", "better", "completed", "new-risks"]
    worse = groups["worse"]
    assert worse.items
    assert len(worse.items) <= CHANGES_PER_GROUP
    assert [item.severity for item in worse.items] == sorted(item.severity for item in worse.items)
    assert "moved from Green to Amber" in worse.items[0].text
    better = groups["better"].items
    assert all("to Green" in item.text or "to Amber" in item.text for item in better)
    assert any(item.text.startswith("Milestone completed") for item in groups["completed"].items)
    for group in groups.values():
        for item in group.items:
            assert "(illustrative)" not in item.text
        assert group.total == len(group.items) + group.more


def test_what_changed_keeps_five_a_group_and_links_the_rest(client, programme_data, board_user):
    generate_scale_data(factor=4)
    groups = what_changed(page=q4_page(), objectives=objectives())
    assert all(len(group.items) <= CHANGES_PER_GROUP for group in groups)
    worse = groups[0]
    assert worse.more > 0
    assert sum(link.count for link in worse.more_links) == worse.more
    client.force_login(board_user)
    html = client.get(OVERVIEW + Q4).content.decode()
    changes = html[html.index('id="changes"') :]
    assert f"and {worse.more} more:" in visible_text(changes)

    assert "(illustrative)" not in changes


def test_and_n_more_links_say_one_in_the_singular():
    assert MoreLink(1, "milestones overdue", "/").text == "1 milestone overdue"
    assert MoreLink(1, "RAG moves", "/").text == "1 RAG move"
    assert MoreLink(1200, "RAG moves", "/").text == "1,200 RAG moves"
