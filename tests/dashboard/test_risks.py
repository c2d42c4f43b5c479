import csv
import datetime
import io
import json
import re
from collections import Counter

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common.pagination import SqlPage
from dashboard.tables.base import SqlPageRows
from dashboard.tables.risks import PER_PAGE, RegisterTable
from localities.models import Locality, Objective
from risks.models import MitigatingAction, Risk, RiskCategory, RiskReview, ScoreBand
from tests import factories
from tests.helpers import assert_queries_do_not_grow

RISKS = reverse("dashboard:risks")
Q4 = "?quarter=2018-19-q4"
Q3 = "?quarter=2018-19-q3"
Q4_END = datetime.date(2019, 3, 31)
Q3_END = datetime.date(2018, 12, 31)
PAYLOAD = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
# The fixtures are from 2019: pin "today" so that overdue actions are stable.
MAY_2019 = datetime.datetime(2019, 5, 1, 12, tzinfo=datetime.UTC)


def detail(reference: str) -> str:
    return reverse("dashboard:risk-detail", args=[reference])


def rows_by_reference(response):
    return {row.reference: row for row in response.context["data"].register.rows}


def heatmap_counts(response) -> dict[tuple[int, int], int]:
    heatmap = response.context["data"].heatmap
    return {
        (cell.likelihood, cell.consequence): cell.count
        for row in heatmap.rows
        for cell in row.cells
        if cell.count
    }


def expected_cells(day: datetime.date, **risk_filters) -> Counter:
    """Open risks raised by `day`, placed by their latest review on or before it (else their first).

    Worked out in Python from the rows, without risks_as_at's SQL.
    """
    cells = Counter()
    risks = Risk.objects.filter(status=Risk.Status.OPEN, date_raised__lte=day, **risk_filters)
    for risk in risks:
        reviews = sorted(
            (review for review in risk.reviews.all() if review.reviewed_on <= day),
            key=lambda review: (review.reviewed_on, review.id),
        )
        first = risk.reviews.order_by("reviewed_on", "id").first()
        if reviews:
            cells[(reviews[-1].likelihood, reviews[-1].consequence)] += 1
        elif first:
            cells[(first.likelihood, first.consequence)] += 1
        else:
            cells[(risk.current_likelihood, risk.current_consequence)] += 1
    return cells


def export_rows(response) -> list[dict]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


# --- who may see the pages ------------------------------------------------------------


@pytest.mark.parametrize("url", [RISKS, detail("LC-R03")])
def test_anonymous_visitors_are_sent_to_log_in(client, programme_data, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("role", ["board_user", "office_user", "lead_thanet", "admin_user"])
def test_every_programme_role_sees_the_risk_pages(client, programme_data, role, request):
    client.force_login(request.getfixturevalue(role))

    register = client.get(RISKS)
    one_risk = client.get(detail("LC-R03"))

    assert register.status_code == 200
    assert "<h1>Risks</h1>" in register.text
    assert one_risk.status_code == 200
    assert "<h1>Workforce availability and development</h1>" in one_risk.text


@pytest.mark.parametrize("url", [RISKS, detail("LC-R03")])
def test_a_user_with_no_programme_role_is_refused(client, programme_data, django_user_model, url):
    client.force_login(django_user_model.objects.create_user("visitor", password="x" * 16))

    assert client.get(url).status_code == 403


def test_the_page_is_in_the_navigation(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(RISKS + Q4)

    assert f'href="{RISKS}?quarter=2018-19-q4" aria-current="page"' in response.text


# --- the heatmap and the band counts --------------------------------------------------


@pytest.mark.parametrize(
    ("query", "day"),
    [(Q4, Q4_END), (Q3, Q3_END), ("?quarter=2018-19-q1", datetime.date(2018, 6, 30))],
)
def test_heatmap_counts_agree_with_the_fixtures(client, programme_data, board_user, query, day):
    client.force_login(board_user)

    response = client.get(RISKS + query)

    assert heatmap_counts(response) == dict(expected_cells(day))


def test_heatmap_at_the_end_of_2018_19(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(RISKS + Q4)

    # Thirteen open risks: eight from the July 2018 paper and five illustrative locality risks.
    assert response.context["data"].heatmap.total == 13
    counts = heatmap_counts(response)
    assert counts[(4, 4)] == 3  # LC-R03, LC-R07 and LC-R10
    assert counts[(3, 5)] == 1  # LC-R04
    cell = re.search(r'data-testid="heatmap-4-4">(.*?)</td>', response.text, re.S).group(1)
    assert "app-heatmap__cell--red" in response.text
    assert ">3<span" in cell
    assert "Score 16 · Extreme" in cell
    assert "likelihood=4&amp;consequence=4#register" in cell
    assert "quarter=2018-19-q4" in cell


def test_the_proposed_risk_is_not_counted(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(RISKS + Q4)

    assert Risk.objects.filter(status=Risk.Status.PROPOSED).exists()
    assert "Winter pressures" not in response.text
    assert response.context["data"].register.total == Risk.objects.filter(status="open").count()


def test_band_counts_match_the_overview_for_the_same_quarter(client, programme_data, board_user):
    client.force_login(board_user)

    for query in (Q4, Q3):
        overview = client.get(reverse("dashboard:home") + query).context["overview"]
        risks_page = client.get(RISKS + query).context["data"]

        assert [(item.band.name, item.count) for item in overview.headline.risks_by_band] == [
            (item.band.name, item.count) for item in risks_page.band_counts
        ]


def test_the_summary_sentence_gives_the_band_counts(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(RISKS + Q4)

    bands = list(ScoreBand.objects.order_by("-min_score"))
    scores = [
        likelihood * consequence
        for (likelihood, consequence), count in expected_cells(Q4_END).items()
        for _ in range(count)
    ]
    counts = [
        f"{sum(band.min_score <= score <= band.max_score for score in scores)} {band.name.lower()}"
        for band in bands
    ]
    sentence = f"13 open risks at the end of 2018/19 Q4: {', '.join(counts[:-1])} and {counts[-1]}."
    assert (
        sentence
        == "13 open risks at the end of 2018/19 Q4: 4 extreme, 7 high, 2 moderate and 0 low."
    )
    assert sentence in response.text


def test_each_locality_page_counts_the_same_risks_as_the_filtered_register(
    client, programme_data, board_user
):
    client.force_login(board_user)

    for locality in Locality.objects.all():
        locality_page = client.get(reverse("dashboard:locality", args=[locality.slug]) + Q4)
        register = client.get(RISKS + Q4 + f"&locality={locality.slug}")

        locality_risks = [risk.reference for risk in locality_page.context["data"].risks]
        register_rows = register.context["data"].register.rows
        assert sorted(locality_risks) == sorted(row.reference for row in register_rows)
        assert register.context["data"].heatmap.total == len(locality_risks)
        assert [row.score for row in register_rows] == [
            risk.score for risk in locality_page.context["data"].risks
        ]


# --- filters --------------------------------------------------------------------------


def test_programme_wide_filter_narrows_the_whole_page(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(RISKS + Q4 + "&locality=programme-wide")

    data = response.context["data"]
    assert set(rows_by_reference(response)) == {f"LC-R0{number}" for number in range(1, 9)}
    assert heatmap_counts(response) == dict(expected_cells(Q4_END, locality__isnull=True))
    assert sum(item.count for item in data.band_counts) == 8
    assert data.summary_sentence.startswith("8 open risks matching these filters at the end of")


def test_objective_and_category_filters(client, programme_data, board_user):
    client.force_login(board_user)
    objective = Objective.objects.get(financial_year__start_year=2018, number=2)
    financial = RiskCategory.objects.get(name="Financial")

    by_objective = client.get(RISKS + Q4 + f"&objective={objective.id}")
    by_category = client.get(RISKS + Q4 + f"&category={financial.id}")

    assert set(rows_by_reference(by_objective)) == set(
        Risk.objects.filter(status="open", objective=objective).values_list("reference", flat=True)
    )
    assert set(rows_by_reference(by_category)) == set(
        Risk.objects.filter(status="open", category=financial).values_list("reference", flat=True)
    )
    assert heatmap_counts(by_category) == dict(expected_cells(Q4_END, category=financial))


def test_a_heatmap_cell_narrows_the_register_but_not_the_heatmap(
    client, programme_data, board_user
):
    client.force_login(board_user)

    response = client.get(RISKS + Q4 + "&likelihood=4&consequence=4")

    assert set(rows_by_reference(response)) == {"LC-R03", "LC-R07", "LC-R10"}
    assert response.context["data"].heatmap.total == 13
    assert "Showing the 3 risks with likelihood 4 (Likely) and consequence 4 (Major)" in (
        response.text
    )
    selected = [
        cell
        for row in response.context["data"].heatmap.rows
        for cell in row.cells
        if cell.is_selected
    ]
    assert [(cell.likelihood, cell.consequence) for cell in selected] == [(4, 4)]


def test_cell_links_keep_the_other_filters(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(RISKS + Q4 + "&locality=programme-wide&likelihood=3&sort=title")

    link = re.search(r'data-testid="heatmap-4-4">.*?href="\?([^"]*)"', response.text, re.S)
    assert link.group(1) == (
        "quarter=2018-19-q4&amp;locality=programme-wide&amp;likelihood=4&amp;consequence=4#register"
    )


def test_an_unknown_filter_choice_is_explained_not_applied(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(RISKS + Q4 + "&likelihood=9&locality=nowhere")

    assert response.status_code == 200
    assert response.context["data"].register.total == 13
    assert "Select a valid choice" in response.text


# --- the register ---------------------------------------------------------------------


def test_register_rows_are_as_at_the_quarter(client, programme_data, board_user):
    client.force_login(board_user)

    at_q4 = rows_by_reference(client.get(RISKS + Q4))
    at_q3 = rows_by_reference(client.get(RISKS + Q3))

    # LC-R02: 4 × 3 in July 2018, 3 × 3 in March 2019.
    assert (at_q3["LC-R02"].score, at_q3["LC-R02"].band_name) == (12, "High")
    assert (at_q4["LC-R02"].score, at_q4["LC-R02"].band_name) == (9, "High")
    assert at_q4["LC-R02"].trend_label == "↓ Falling"
    # Only one review by the end of December: no trend yet.
    assert at_q3["LC-R02"].trend_label == "New (one review)"
    assert at_q4["LC-R01"].trend_label == "→ No change"
    # Raised in November 2018: not on the register at the end of September.
    assert "LC-R13" in at_q3
    assert "LC-R13" not in rows_by_reference(client.get(RISKS + "?quarter=2018-19-q2"))
    # LC-R09 raised August 2018, first reviewed March 2019: that first score at Q3.
    assert at_q3["LC-R09"].trend_label == "Not reviewed yet"


def test_review_due_and_overdue_are_as_at_the_quarter_end(client, programme_data, board_user):
    client.force_login(board_user)

    at_q4 = rows_by_reference(client.get(RISKS + Q4))
    response = client.get(RISKS + Q3)
    at_q3 = rows_by_reference(response)

    # Reviewed 12 March 2019 at 12 (High: every 30 days): due 11 April, after the quarter end.
    assert at_q4["LC-R01"].review_due == datetime.date(2019, 4, 11)
    assert at_q4["LC-R01"].review_due == Risk.objects.get(reference="LC-R01").next_review_date
    assert not at_q4["LC-R01"].is_review_overdue
    # Reviewed 16 October 2018 at 16 (Extreme: every 30 days): overdue by the end of December.
    assert at_q3["LC-R01"].review_due == datetime.date(2018, 11, 15)
    assert at_q3["LC-R01"].is_review_overdue
    assert "15 Nov 2018 <strong" in response.text
    # Moderate (6) is reviewed every 90 days.
    assert at_q4["LC-R06"].review_due == datetime.date(2019, 6, 10)


def test_register_is_sorted_by_score_and_links_to_each_risk(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(RISKS + Q4)

    scores = [row.score for row in response.context["data"].register.rows]
    assert scores == sorted(scores, reverse=True)
    assert f'<a href="{detail("LC-R03")}?quarter=2018-19-q4">LC-R03</a>' in response.text
    assert "<table" in response.text
    assert "Programme-wide" in response.text
    assert 'nhsuk-tag--red app-rag-tag">Extreme</strong>' in response.text


def test_register_sorts_by_a_column(client, programme_data, board_user):
    client.force_login(board_user)

    table = client.get(RISKS + Q4 + "&sort=reference").context["table"]

    references = [row.record.reference for row in table.page.object_list]
    assert references == sorted(references)


def test_the_page_says_the_scores_are_illustrative(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(RISKS + Q4)

    assert 'data-testid="illustrative-note"' in response.text


# --- downloads ------------------------------------------------------------------------


def test_the_register_downloads_as_csv(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(RISKS + Q3 + "&locality=programme-wide&_export=csv")

    assert response["Content-Type"].startswith("text/csv")
    assert "localcare-risks-2018-19-q3" in response["Content-Disposition"]
    rows = {row["Reference"]: row for row in export_rows(response)}
    assert set(rows) == {f"LC-R0{number}" for number in range(1, 9)}
    assert rows["LC-R01"]["Score at quarter end"] == "16"
    assert rows["LC-R01"]["Band at quarter end"] == "Extreme"
    assert rows["LC-R01"]["Locality"] == "Programme-wide"
    assert rows["LC-R01"]["Review due"] == "2018-11-15"
    assert rows["LC-R01"]["Review overdue at quarter end"] == "Yes"
    assert rows["LC-R01"]["Inherent score"] == "16"
    assert rows["LC-R01"]["Trend at quarter end"] == "→ No change"
    assert "Score" not in rows["LC-R01"]


def test_the_register_downloads_as_xlsx(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(RISKS + Q4 + "&_export=xlsx")

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    values = list(workbook.active.values)
    headers = values[0]
    rows = {row[0]: dict(zip(headers, row, strict=True)) for row in values[1:]}
    assert len(rows) == 13
    assert rows["LC-R04"]["Risk"] == "Investment to implement the model"
    assert str(rows["LC-R04"]["Score at quarter end"]) == "15"
    assert rows["LC-R09"]["Locality"] == "Thanet"


def test_downloaded_text_cannot_run_as_a_formula(client, programme_data, board_user):
    Risk.objects.filter(reference="LC-R03").update(title='=HYPERLINK("http://x","y")')
    client.force_login(board_user)

    rows = {row["Reference"]: row for row in export_rows(client.get(RISKS + Q4 + "&_export=csv"))}

    assert rows["LC-R03"]["Risk"] == '\'=HYPERLINK("http://x","y")'


# --- one risk -------------------------------------------------------------------------


@time_machine.travel(MAY_2019)
def test_a_risk_shows_its_scores_with_their_words(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(detail("LC-R03") + Q4)

    data = response.context["data"]
    # Q4 has ended by May: the page leads with the score as at its end.
    assert [(line.label, line.score, line.band.name) for line in data.scores] == [
        ("Inherent", 20, "Extreme"),
        ("At 31 March 2019", 16, "Extreme"),
        ("Target", 9, "High"),
    ]
    assert "Almost certain – will undoubtedly happen" in response.text
    assert "Major – objectives or key milestones missed" in response.text
    assert "Workforce" in response.text
    assert "Programme-wide" in response.text
    assert "STP Local Care Lead" in response.text
    assert "↓ Falling" in response.text
    # Next review 11 April 2019 had passed by 1 May 2019, but not by the quarter's end.
    assert "11 April 2019" in response.text
    assert not data.is_review_overdue


def test_the_score_at_an_earlier_quarter_end_is_shown_beside_the_current_one(
    client, programme_data, board_user
):
    client.force_login(board_user)

    # In March 2019, Q3 has ended and Q4 is still running.
    with time_machine.travel(datetime.datetime(2019, 3, 20, 12, tzinfo=datetime.UTC)):
        past = client.get(detail("LC-R03") + Q3).context["data"]
        current = client.get(detail("LC-R03") + Q4)

    # A past quarter's page leads with its score then; no second line to compare.
    assert past.current.label == "At 31 December 2018"
    assert past.current.score == 20
    assert past.score_at_quarter_end is None
    # The running quarter's page shows the risk as recorded today, with the quarter-end line.
    data = current.context["data"]
    assert data.current.label == "Current"
    assert data.current.score == 16
    assert data.score_at_quarter_end.label == "At the end of 2018/19 Q4"
    assert "as recorded on 20 March 2019" in current.text


@time_machine.travel(MAY_2019)
def test_mitigating_actions_say_when_they_are_overdue(client, programme_data, board_user):
    client.force_login(board_user)

    MitigatingAction.objects.filter(
        risk__reference="LC-R12", due_date=datetime.date(2019, 4, 30)
    ).update(due_date=datetime.date(2019, 3, 15))
    response = client.get(detail("LC-R12") + Q4)

    actions = {action.due_date: action for action in response.context["data"].actions}
    # Due 15 March 2019, in progress at the quarter's end: overdue. Due September: not yet.
    assert actions[datetime.date(2019, 3, 15)].is_overdue
    assert not actions[datetime.date(2019, 9, 30)].is_overdue
    assert "not complete on 31 March 2019" in response.text
    assert "1 action is overdue" in response.text
    assert 'nhsuk-tag--red app-rag-tag">Overdue</strong>' in response.text


@time_machine.travel(MAY_2019)
def test_a_complete_action_is_never_overdue(client, programme_data, board_user):
    client.force_login(board_user)

    actions = client.get(detail("LC-R09") + Q4).context["data"].actions

    complete = [action for action in actions if action.status == "complete"]
    assert complete
    assert complete[0].due_date < datetime.date(2019, 5, 1)
    assert not complete[0].is_overdue


def test_the_review_history_is_a_chart_and_a_table(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(detail("LC-R01") + Q4)

    chart = response.context["history_chart"]
    trace = chart.figure["data"][0]
    reviews = RiskReview.objects.filter(risk__reference="LC-R01").order_by("reviewed_on")
    assert trace["x"] == [review.reviewed_on.isoformat() for review in reviews]
    assert trace["y"] == [review.likelihood * review.consequence for review in reviews]
    band_names = [annotation["text"] for annotation in chart.figure["layout"]["annotations"]]
    assert band_names[:4] == ["Low", "Moderate", "High", "Extreme"]
    assert chart.summary == (
        "Reviewed 4 times between July 2018 and March 2019; the latest score is 12 (High), "
        "down from 16."
    )
    table = response.context["reviews_table"]
    assert [row.record.score for row in table.page.object_list] == [16, 16, 12, 12]
    assert "Score reduced: mitigating actions are having an effect." in response.text


def test_the_register_movement_chart_has_three_named_series(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(RISKS + Q4)

    chart = response.context["movement_chart"]
    names = [trace.get("name") for trace in chart.figure["data"][1:]]
    assert names == ["Inherent", "At the end of 2018/19 Q4", "Target"]
    inherent, current, target = chart.figure["data"][1:]
    position = current["y"].index("LC-R03")
    assert (inherent["x"][position], current["x"][position], target["x"][position]) == (20, 16, 9)
    assert chart.summary == (
        "Of the 13 risks in the register, 11 had come down from their inherent score by the end "
        "of 2018/19 Q4 and 0 had gone up; 0 of 13 with a target had reached it."
    )
    assert chart.table.rows[0][2:] == ["20 (Extreme)", "16 (Extreme)", "9 (High)"]


def test_the_movement_chart_follows_the_register_page(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(RISKS + Q4 + "&sort=reference")

    chart = response.context["movement_chart"]
    assert chart.figure["data"][2]["y"][:3] == ["LC-R01", "LC-R02", "LC-R03"]


@pytest.mark.parametrize("status", ["proposed", "rejected"])
def test_proposed_and_rejected_risks_are_not_found(client, programme_data, board_user, status):
    Risk.objects.filter(reference="LC-R13").update(status=status, rejection_reason="Duplicate")
    client.force_login(board_user)

    assert client.get(detail("LC-R13")).status_code == 404
    assert client.get(detail("LC-R99")).status_code == 404


def test_a_closed_risk_can_be_read_but_is_off_the_register(client, programme_data, board_user):
    Risk.objects.filter(reference="LC-R08").update(
        status=Risk.Status.CLOSED, closing_note="Language agreed across partners."
    )
    client.force_login(board_user)

    response = client.get(detail("LC-R08") + Q4)

    assert response.status_code == 200
    assert "Closed" in response.text
    assert "Language agreed across partners." in response.text
    assert not response.context["data"].is_review_overdue
    assert "LC-R08" not in rows_by_reference(client.get(RISKS + Q4))


# --- escaping -------------------------------------------------------------------------


def test_titles_and_notes_are_escaped_in_the_page_and_the_charts(
    client, programme_data, board_user
):
    Risk.objects.filter(reference="LC-R03").update(title=PAYLOAD, description=PAYLOAD)
    RiskReview.objects.filter(risk__reference="LC-R03").update(note=PAYLOAD)
    client.force_login(board_user)

    register = client.get(RISKS + Q4)
    one_risk = client.get(detail("LC-R03") + Q4)

    for response in (register, one_risk):
        assert "<img src=x" not in response.text
        assert ESCAPED in response.text
    movement = json.dumps(register.context["movement_chart"].figure)
    assert "<img" not in movement
    assert ESCAPED in movement
    history = json.dumps(one_risk.context["history_chart"].figure)
    assert "<img" not in history


# --- queries --------------------------------------------------------------------------


def test_register_query_count_is_pinned_and_does_not_grow_with_ten_times_the_data(
    client, programme_data, board_user, django_assert_max_num_queries
):
    client.force_login(board_user)
    with django_assert_max_num_queries(10):
        client.get(RISKS + Q4)

    assert assert_queries_do_not_grow(client, RISKS + Q4) <= 10


def test_filtered_register_and_download_query_counts_do_not_grow(
    client, programme_data, board_user, django_assert_max_num_queries
):
    client.force_login(board_user)
    filtered = RISKS + Q4 + "&locality=thanet&likelihood=4"
    with django_assert_max_num_queries(10):
        client.get(filtered)
    with django_assert_max_num_queries(10):
        client.get(RISKS + Q4 + "&_export=csv")

    assert_queries_do_not_grow(client, filtered)


def test_risk_query_count_is_pinned_and_does_not_grow_with_ten_times_the_data(
    client, programme_data, board_user, django_assert_max_num_queries
):
    client.force_login(board_user)
    # One more than the running quarter's page: a past quarter's title and owner
    # as recorded by its end, from the risk's history.
    with django_assert_max_num_queries(10):
        client.get(detail("LC-R01") + Q4)

    assert (
        assert_queries_do_not_grow(client, detail("LC-R01") + Q4) <= 10
    )  # + the board actions on the risk (issue 17)


# --- the register at scale: sorted and paged by the database ----------------------------


def add_open_risks(count: int) -> None:
    """`count` more open risks in Thanet, with scores spread over the matrix."""
    category = RiskCategory.objects.get(name="Financial")
    thanet = Locality.objects.get(slug="thanet")
    for number in range(count):
        factories.open_risk(
            reference=f"LC-X{number:02}",
            category=category,
            locality=thanet,
            current_likelihood=1 + number % 5,
            current_consequence=1 + (number // 5) % 5,
        )


def test_the_register_is_paged_by_the_database(client, programme_data, board_user):
    add_open_risks(30)
    client.force_login(board_user)

    with CaptureQueriesContext(connection) as queries:
        first = client.get(RISKS + Q4)
    # Read before the next request, which empties the connection's query log.
    register_queries = [q["sql"] for q in queries if '"risks_risk"."title"' in q["sql"]]
    second = client.get(RISKS + Q4 + "&page=2")

    on_first = [row.reference for row in first.context["data"].register.rows]
    on_second = [row.reference for row in second.context["data"].register.rows]
    assert (len(on_first), len(on_second)) == (PER_PAGE, 43 - PER_PAGE)
    assert first.context["data"].register.total == 43
    assert set(on_first).isdisjoint(on_second)
    scores = [row.score for row in first.context["data"].register.rows] + [
        row.score for row in second.context["data"].register.rows
    ]
    assert scores == sorted(scores, reverse=True)
    assert second.context["table"].page.number == 2
    assert "(page 2 of 2, 43 rows)" in second.text
    assert len(register_queries) == 1
    assert f"LIMIT {PER_PAGE}" in register_queries[0]


@pytest.mark.parametrize(("page", "shown"), [("99", 2), ("0", 2), ("nonsense", 1)])
def test_a_page_out_of_range_shows_the_nearest_as_before(
    client, programme_data, board_user, page, shown
):
    add_open_risks(30)
    client.force_login(board_user)

    response = client.get(RISKS + Q4 + f"&page={page}")

    assert response.status_code == 200
    assert response.context["table"].page.number == shown
    assert response.context["data"].register.number == shown
    last = [row.record.reference for row in response.context["table"].page.object_list]
    assert last == [row.reference for row in response.context["data"].register.rows]


# Python sort keys of the columns the database sorts by; strings are left out where
# PostgreSQL's collation and Python's code-point order may disagree.
SORT_KEYS = {
    "reference": lambda row: row.reference,
    "where": lambda row: row.where,
    "score": lambda row: (row.score, row.likelihood),
    "trend_label": lambda row: row.trend_order,
    "review_due": lambda row: row.review_due,
}


@pytest.mark.parametrize("column", sorted(SORT_KEYS))
@pytest.mark.parametrize("direction", ["", "-"])
def test_the_database_sorts_the_register_as_the_column_says(
    client, programme_data, board_user, column, direction
):
    client.force_login(board_user)

    for query in (Q4, Q3):
        response = client.get(RISKS + query + f"&sort={direction}{column}")

        keys = [SORT_KEYS[column](row) for row in response.context["data"].register.rows]
        assert keys == sorted(keys, reverse=direction == "-"), (query, keys)
        assert response.context["table"].order_by == (f"{direction}{column}",)


@pytest.mark.parametrize(
    "column",
    [column.name for column in RegisterTable([]).columns if column.visible and column.orderable],
)
def test_every_column_a_reader_can_sort_is_sorted_by_the_database(
    client, programme_data, board_user, column
):
    """Each column's `order_by` names something the register's SQL can sort by."""
    client.force_login(board_user)

    for direction in ("", "-"):
        response = client.get(RISKS + Q4 + f"&sort={direction}{column}")

        assert response.status_code == 200
        assert response.context["table"].order_by == (f"{direction}{column}",)
        assert RegisterTable.sql_ordering(response.wsgi_request)


def test_an_unknown_sort_is_ignored(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(RISKS + Q4 + "&sort=description,-likelihood")

    scores = [row.score for row in response.context["data"].register.rows]
    assert scores == sorted(scores, reverse=True)
    assert response.context["table"].order_by == ()


def test_the_download_has_every_risk_not_only_the_page_sorted_as_the_page(
    client, programme_data, board_user
):
    add_open_risks(30)
    client.force_login(board_user)

    rows = export_rows(client.get(RISKS + Q4 + "&sort=-reference&_export=csv"))

    references = [row["Reference"] for row in rows]
    assert len(references) == 43
    assert references == sorted(references, reverse=True)


def test_no_illustrative_note_when_nothing_listed_is_illustrative(
    client, programme_data, board_user
):
    Risk.objects.update(is_illustrative=False, scores_are_illustrative=False)
    Risk.objects.filter(reference="LC-R03").update(scores_are_illustrative=True)
    client.force_login(board_user)

    everything = client.get(RISKS + Q4)
    other_cell = client.get(RISKS + Q4 + "&likelihood=1&consequence=1")

    assert 'data-testid="illustrative-note"' in everything.text
    assert 'data-testid="illustrative-note"' not in other_cell.text


def test_rows_sorted_in_the_database_are_sliced_from_the_page_fetched():
    rows = SqlPageRows(SqlPage(rows=["z", "y", "x"], number=2, per_page=25, total=28))

    assert len(rows) == 28
    assert rows[25:50] == ["z", "y", "x"]
    assert rows[26] == "y"
    assert rows[0:25] == []  # not read: only the page asked for is
    rows.order_by(("reference",))
    assert list(rows) == ["z", "y", "x"]


@pytest.mark.django_db
def test_a_key_risk_page_cites_its_paper_and_flags_its_invented_owner_and_date(
    client, programme_data, board_user
):
    client.force_login(board_user)

    html = client.get(detail("LC-R03")).text

    source = html[html.index('data-testid="risk-source"') :]
    assert source.startswith(
        'data-testid="risk-source">Kent and Medway Joint Health and Wellbeing Board, '
        "9 October 2018: STP Local Care update (7.2, key risks reviewed in July 2018)</dd>"
    )
    assert 'data-testid="risk-owner">STP Local Care Lead (illustrative)</dd>' in html
    assert 'data-testid="risk-raised">1 July 2018 (illustrative)</dd>' in html
    assert "owner, date raised and review dates" in html


@pytest.mark.django_db
def test_an_invented_risk_page_says_its_source_is_illustrative(client, programme_data, board_user):
    client.force_login(board_user)

    html = client.get(detail("LC-R09")).text

    assert (
        'data-testid="risk-source">Illustrative: invented for demonstration, '
        "not from the programme's papers</dd>"
    ) in html
    assert 'data-testid="risk-owner">Thanet locality Local Care lead (illustrative)</dd>' in html
