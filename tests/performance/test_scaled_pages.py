"""Pages that list every locality stay a bounded size as localities are added.

With 32 localities (generate_scale_data --factor 4): the overview's RAG matrix
comes 25 rows a page, read from the database a page at a time, and each kind of
change lists at most CHANGES_PER_KIND sentences and counts the rest; the board
pack's tables by locality show the 20 localities that most need attention.
"""

import pytest
from django.urls import reverse

from dashboard.selectors.board_pack import PACK_LIST_ITEMS, PACK_LOCALITIES
from dashboard.selectors.overview import (
    ATTENTION_ORDER,
    CHANGES_PER_GROUP,
    CHANGES_PER_KIND,
    LocalityHealth,
    locality_health,
)
from dashboard.views.overview import MATRIX_ROWS_PER_PAGE
from localities.models import Locality
from tools.scale import generate_scale_data
from updates.models import ObjectiveStatus

Q4 = "?quarter=2018-19-q4"
OVERVIEW = reverse("dashboard:home") + Q4
PACK = reverse("dashboard:board-pack") + Q4


@pytest.fixture
def scaled(programme_data):
    generate_scale_data(factor=4)
    assert Locality.objects.count() == 32


def approved_rags(quarter_number: int) -> dict[tuple[str, int], str]:
    """{(locality slug, objective number): RAG} for 2018/19's approved returns, straight from rows."""
    return {
        (slug, number): rag
        for slug, number, rag in ObjectiveStatus.objects.filter(
            update__quarter__financial_year__start_year=2018,
            update__quarter__number=quarter_number,
            update__status="approved",
            objective__financial_year__start_year=2018,
        ).values_list("update__locality__slug", "objective__number", "rag")
    }


def health_of_every_locality() -> dict[str, str]:
    rags = approved_rags(4)
    return {
        slug: locality_health([rag for (where, _), rag in rags.items() if where == slug])
        for slug in Locality.objects.values_list("slug", flat=True)
    }


def test_the_overview_pages_its_matrix_in_the_database(client, scaled, board_user):
    client.force_login(board_user)

    first = client.get(OVERVIEW)
    second = client.get(OVERVIEW + "&matrix-page=2")

    by_name = list(Locality.objects.order_by("name"))
    assert [row.locality for row in first.context["matrix"].rows] == by_name[:MATRIX_ROWS_PER_PAGE]
    assert [row.locality for row in second.context["matrix"].rows] == by_name[MATRIX_ROWS_PER_PAGE:]
    health = health_of_every_locality()
    for response in (first, second):
        for row in response.context["matrix"].rows:
            assert row.health == health[row.locality.slug], row.locality.slug
    # The headline counts every locality, not only the page's.
    headline = first.context["overview"].headline
    assert headline.localities_total == 32
    assert headline.health_counts == {
        state: list(health.values()).count(state)
        for state in headline.health_counts
        if state in health.values()
    }
    assert sum(headline.health_counts.values()) == 32
    # The links keep the quarter.
    assert 'href="?quarter=2018-19-q4&amp;matrix-page=2#rag-matrix"' in first.text
    assert "Page 2 of 2" in first.text


def test_each_kind_of_change_lists_the_worst_few_and_counts_the_rest(client, scaled, board_user):
    client.force_login(board_user)

    response = client.get(OVERVIEW)

    overview = response.context["overview"]
    now, before = approved_rags(4), approved_rags(3)
    moved = {key: rag for key, rag in now.items() if key in before and before[key] != rag}
    rag_moves = next(changes for changes in overview.change_lists if changes.kind == "RAG moves")
    assert rag_moves.total == len(moved) > CHANGES_PER_KIND
    assert len(rag_moves.sentences) == CHANGES_PER_KIND
    # Moves to Red come first.
    to_red = sum(rag == "red" for rag in moved.values())
    shown_to_red = sum(sentence.endswith("to Red.") for sentence in rag_moves.sentences)
    assert shown_to_red == min(to_red, CHANGES_PER_KIND)
    for changes in overview.change_lists:
        assert len(changes.sentences) <= CHANGES_PER_KIND
        assert changes.more == changes.total - len(changes.sentences) >= 0
    # The page shows them grouped (issue 17): the worst few moves to Red first, five a
    # group, and "and N more" linking to the page that lists them all.
    worse = next(group for group in response.context["change_groups"] if group.key == "worse")
    assert len(worse.items) == CHANGES_PER_GROUP
    shown_to_red = sum(item.text.endswith("to Red.") for item in worse.items)
    assert shown_to_red == min(to_red, CHANGES_PER_GROUP)
    moves_not_shown = next(link for link in worse.more_links if link.label == "RAG moves")
    assert (
        f'<a href="{reverse("dashboard:objectives")}?quarter=2018-19-q4">'
        f"{moves_not_shown.text}</a>" in response.text
    )
    assert "changes-page" not in response.text


def test_an_out_of_range_page_shows_a_real_page_not_an_error(client, scaled, board_user):
    client.force_login(board_user)

    for bad in ("0", "99", "nonsense", "-1"):
        response = client.get(OVERVIEW + f"&matrix-page={bad}")

        assert response.status_code == 200, bad
        assert response.context["matrix"].rows, bad


def test_the_board_pack_shows_the_localities_that_most_need_attention(client, scaled, board_user):
    client.force_login(board_user)

    response = client.get(PACK)

    pack = response.context["pack"]
    shown = {row.locality.slug for row in pack.matrix}
    assert (pack.localities_shown, pack.localities_total) == (PACK_LOCALITIES, 32)
    assert len(shown) == PACK_LOCALITIES
    rank = {
        slug: ATTENTION_ORDER.index(health) for slug, health in health_of_every_locality().items()
    }
    assert max(rank[slug] for slug in shown) <= min(
        rank[slug] for slug in rank if slug not in shown
    )
    assert any(row.health == LocalityHealth.OFF_TRACK for row in pack.matrix)
    # Every per-locality table covers the same localities; totals cover them all.
    assert {row.slug for row in pack.mdt_rows} == shown
    assert {row.slug for row in pack.money_rows} == shown
    assert len(pack.outcome_matrix.rows) == PACK_LOCALITIES  # and Kent and Medway first
    # Maturity: the table prints the pack's localities; the programme view counts all 32.
    assert {row.locality.slug for row in pack.maturity.localities} == shown
    maturity = client.get(reverse("dashboard:maturity") + Q4).context["data"]
    assert pack.maturity.by_element == maturity.by_element
    assert len(maturity.localities) == 32
    mdts = client.get(reverse("dashboard:mdts") + Q4).context["data"]
    assert pack.mdt_totals == mdts.totals
    # The MDT page lists localities a page at a time: add up every page.
    pages = [
        client.get(reverse("dashboard:mdts") + Q4 + f"&localities-page={number}").context["data"]
        for number in range(1, mdts.localities.page_count + 1)
    ]
    assert sum(len(data.localities.rows) for data in pages) == 32
    assert pack.mdt_totals.live == sum(row.live for data in pages for row in data.localities.rows)
    assert pack.overview.headline.localities_total == 32
    assert f"show the {PACK_LOCALITIES} of 32 localities" in response.text
    # Lists are capped too, saying how many more there are and where.
    assert len(pack.milestones_for_attention) <= PACK_LIST_ITEMS
    assert all(len(changes.sentences) <= CHANGES_PER_KIND for changes in pack.overview.change_lists)
    assert all(len(group.items) <= 5 for group in pack.change_groups)
    assert pack.change_groups == client.get(reverse("dashboard:home") + Q4).context["change_groups"]
    assert 'data-testid="more-changes"' in response.text


def test_with_the_real_eight_localities_the_pack_shows_them_all(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(PACK)

    pack = response.context["pack"]
    assert pack.shows_every_locality
    assert len(pack.matrix) == len(pack.mdt_rows) == len(pack.money_rows) == 8
    assert 'data-testid="pack-focus"' not in response.text
