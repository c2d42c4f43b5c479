"""Maturity movement since the October 2017 baseline: a board page and its download."""

import csv
import io

from django.urls import reverse

from dashboard.periods import dashboard_page
from dashboard.selectors.maturity import maturity_movement
from tests.helpers import assert_queries_do_not_grow, visible_text
from updates.models import MaturityScore, QuarterlyUpdate

MATURITY = reverse("dashboard:maturity")
Q4 = "?quarter=2018-19-q4"


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    assert client.get(MATURITY)["Location"].startswith(reverse("login"))


def test_a_user_with_no_programme_role_is_refused(client, programme_data, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor"))

    assert client.get(MATURITY).status_code == 403


def test_every_programme_role_may_read_it(
    client, programme_data, board_user, office_user, lead_thanet, admin_user
):
    for user in (board_user, office_user, lead_thanet, admin_user):
        client.force_login(user)
        assert client.get(MATURITY + Q4).status_code == 200


def _movement(rf, user, quarter="2018-19-q4"):
    request = rf.get(MATURITY, {"quarter": quarter})
    request.user = user
    return maturity_movement(page=dashboard_page(request))


def test_baseline_is_the_october_2017_return_and_latest_the_last_approved(
    rf, programme_data, board_user
):
    data = _movement(rf, board_user)
    thanet = next(row for row in data.localities if row.locality.slug == "thanet")
    element = data.elements[0]
    cell = thanet.cells[0]

    baseline = MaturityScore.objects.get(
        update__locality__slug="thanet",
        update__quarter__financial_year__start_year=2017,
        update__quarter__number=3,
        element=element,
    )
    latest = (
        MaturityScore.objects.filter(
            update__locality__slug="thanet",
            update__status=QuarterlyUpdate.Status.APPROVED,
            update__quarter__start_date__lte=data.quarter.start_date,
            element=element,
        )
        .order_by("-update__quarter__start_date")
        .first()
    )
    assert cell.baseline.score == baseline.score
    assert cell.baseline.quarter.label == "2017/18 Q3"
    assert cell.latest.score == latest.score
    assert cell.latest.quarter == latest.update.quarter
    assert cell.change == latest.score - baseline.score


def test_programme_view_counts_moves_over_localities_scored_at_both_ends(
    rf, programme_data, board_user
):
    data = _movement(rf, board_user)

    assert len(data.elements) == 8
    for index, item in enumerate(data.by_element):
        compared = [
            row.cells[index] for row in data.localities if row.cells[index].change is not None
        ]
        assert item.compared == len(compared)
        assert item.moved_up + item.stayed_same + item.moved_down == item.compared
        assert item.moved_up == sum(cell.change > 0 for cell in compared)
        if compared:
            assert item.mean_baseline == sum(c.baseline.score for c in compared) / len(compared)
            assert item.mean_latest == sum(c.latest.score for c in compared) / len(compared)


def test_a_quarter_before_any_rescoring_has_no_latest_and_says_so(
    client, rf, programme_data, board_user
):
    data = _movement(rf, board_user, quarter="2017-18-q3")

    assert all(cell.latest is None for row in data.localities for cell in row.cells)
    assert data.totals == (0, 0, 0)
    client.force_login(board_user)
    text = visible_text(client.get(MATURITY + "?quarter=2017-18-q3").text)
    assert "No locality has approved maturity scores as at 2017/18 Q3" in text
    assert "not re-scored" in text


def test_the_page_shows_a_chart_summary_table_and_marks_illustrative_scores(
    client, programme_data, board_user
):
    client.force_login(board_user)

    response = client.get(MATURITY + Q4)
    text = visible_text(response.text)

    assert response.context["data"].includes_illustrative
    assert "Since the October 2017 baseline, as at 2018/19 Q4, scores rose in" in text
    assert "Mean at baseline" in text
    assert "Illustrative scores" in text
    assert 'data-chart="maturity-movement-chart-data"' in response.text
    assert "Thanet" in text
    assert "→" in text
    # Read beside the outcomes: the header marks Outcomes, which links here, as does
    # each locality's page.
    current = [
        item["label"] for item in response.context["dashboard_navigation"] if item["current"]
    ]
    assert current == ["Outcomes"]
    for page_url in (reverse("dashboard:outcomes"), reverse("dashboard:locality", args=["thanet"])):
        assert f'href="{MATURITY}' in client.get(page_url + "?quarter=2018-19-q4").text


def test_the_download_has_every_locality_and_element_with_numbers(
    client, programme_data, board_user
):
    client.force_login(board_user)

    response = client.get(MATURITY + Q4 + "&_export=csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))

    assert response.status_code == 200
    assert len(rows) == 8 * 8
    thanet = [row for row in rows if row["Locality"] == "Thanet"]
    assert thanet[0]["Baseline quarter"] == "2017/18 Q3"
    assert thanet[0]["Latest score"].isdigit()
    assert {row["Scores"] for row in rows} <= {"Illustrative", "Reported"}
    xlsx = client.get(MATURITY + Q4 + "&_export=xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_query_count_is_constant(client, programme_data, board_user, django_assert_max_num_queries):
    client.force_login(board_user)

    with django_assert_max_num_queries(20):
        client.get(MATURITY + Q4)

    assert_queries_do_not_grow(client, MATURITY + Q4)


def test_each_cell_says_in_words_what_moved_or_what_is_missing(rf, programme_data, board_user):
    from dashboard.charts.maturity import change_text, mean_text
    from dashboard.selectors.maturity import MaturityCell, ScoreAt
    from dashboard.tables.maturity import MaturityExportTable, movement_text

    quarter = _movement(rf, board_user).quarter

    def at(score):
        return ScoreAt(score=score, quarter=quarter, is_illustrative=False)

    assert movement_text(MaturityCell(baseline=None, latest=None)) == "Not scored"
    assert movement_text(MaturityCell(baseline=at(2), latest=None)) == "2 → not re-scored"
    assert movement_text(MaturityCell(baseline=None, latest=at(3))) == "no baseline → 3"
    assert movement_text(MaturityCell(baseline=at(2), latest=at(2))) == "2 → 2 (same)"
    assert movement_text(MaturityCell(baseline=at(4), latest=at(3))) == "4 → 3 (-1)"
    assert (change_text(None), change_text(0.04), change_text(-0.25)) == ("—", "0.0", "-0.2")
    assert mean_text(None) == "—"
    assert MaturityExportTable([]).value_is_illustrative(False) == "Reported"
