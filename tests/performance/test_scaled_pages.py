"""Pages that list every locality stay a bounded size as localities are added.

With 32 localities (generate_scale_data --factor 4): the overview's RAG matrix
comes 25 rows a page and its changes 50 a page; the board pack's tables by
locality show the 20 localities that most need attention, its lists 50 items.
"""

import pytest
from django.urls import reverse

from dashboard.selectors.board_pack import ATTENTION_ORDER, PACK_LIST_ITEMS, PACK_LOCALITIES
from dashboard.selectors.overview import LocalityHealth
from dashboard.views.overview import CHANGES_PER_PAGE, MATRIX_ROWS_PER_PAGE
from localities.models import Locality
from localities.scale import generate_scale_data

Q4 = "?quarter=2018-19-q4"
OVERVIEW = reverse("dashboard:home") + Q4
PACK = reverse("dashboard:board-pack") + Q4


@pytest.fixture
def scaled(programme_data):
    generate_scale_data(factor=4)
    assert Locality.objects.count() == 32


def test_the_overview_pages_its_matrix_and_changes(client, scaled, board_user):
    client.force_login(board_user)

    first = client.get(OVERVIEW)
    second = client.get(OVERVIEW + "&matrix-page=2&changes-page=2")

    everything = first.context["overview"]
    assert len(everything.matrix) == 32
    assert len(everything.changes) > CHANGES_PER_PAGE
    assert [row.locality for row in first.context["matrix"].rows] == [
        row.locality for row in everything.matrix[:MATRIX_ROWS_PER_PAGE]
    ]
    assert [row.locality for row in second.context["matrix"].rows] == [
        row.locality for row in everything.matrix[MATRIX_ROWS_PER_PAGE:]
    ]
    assert (
        second.context["changes"].rows == everything.changes[CHANGES_PER_PAGE:][:CHANGES_PER_PAGE]
    )
    # The links keep the quarter and the other list's page.
    assert 'href="?quarter=2018-19-q4&amp;matrix-page=2#rag-matrix"' in first.text
    assert "matrix-page=1&amp;changes-page=2#rag-matrix" in second.text
    assert "Page 2 of 2" in first.text


def test_an_out_of_range_page_shows_a_real_page_not_an_error(client, scaled, board_user):
    client.force_login(board_user)

    for bad in ("0", "99", "nonsense", "-1"):
        response = client.get(OVERVIEW + f"&matrix-page={bad}&changes-page={bad}")

        assert response.status_code == 200, bad
        assert response.context["matrix"].rows, bad
        assert response.context["changes"].rows, bad


def test_the_board_pack_shows_the_localities_that_most_need_attention(client, scaled, board_user):
    client.force_login(board_user)

    response = client.get(PACK)

    pack = response.context["pack"]
    full = client.get(OVERVIEW).context["overview"]
    shown = {row.locality.slug for row in pack.overview.matrix}
    assert (pack.localities_shown, pack.localities_total) == (PACK_LOCALITIES, 32)
    assert len(shown) == PACK_LOCALITIES
    rank = {row.locality.slug: ATTENTION_ORDER.index(row.health) for row in full.matrix}
    assert max(rank[slug] for slug in shown) <= min(
        rank[slug] for slug in rank if slug not in shown
    )
    assert any(row.health == LocalityHealth.OFF_TRACK for row in pack.overview.matrix)
    # Every per-locality table covers the same localities; totals cover them all.
    assert {row.slug for row in pack.mdt_rows} == shown
    assert {row.slug for row in pack.money_rows} == shown
    assert len(pack.outcome_lines) == PACK_LOCALITIES + 1  # and the programme total
    assert pack.mdts.totals.live == sum(row.live for row in pack.mdts.localities)
    assert len(pack.mdts.localities) == 32
    assert pack.overview.headline.localities_total == 32
    assert f"show the {PACK_LOCALITIES} of 32 localities" in response.text
    # Lists are capped too, saying how many more there are and where.
    assert len(pack.overview.changes) <= PACK_LIST_ITEMS
    assert pack.more_changes == max(len(full.changes) - PACK_LIST_ITEMS, 0)
    if pack.more_changes:
        assert f"And {pack.more_changes} more changes" in response.text


def test_with_the_real_eight_localities_the_pack_shows_them_all(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(PACK)

    pack = response.context["pack"]
    assert pack.shows_every_locality
    assert len(pack.overview.matrix) == len(pack.mdt_rows) == len(pack.money_rows) == 8
    assert 'data-testid="pack-focus"' not in response.text
