import csv
import io
import json

import openpyxl
import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from dashboard.selectors.outcomes import outcomes_data
from dashboard.views.outcomes import ROWS_PER_PAGE
from localities.models import Locality, OutcomeBaseline, OutcomeMeasure, Quarter
from tests.helpers import assert_queries_do_not_grow
from tools.scale import generate_scale_data
from updates.models import OutcomeFigure, QuarterlyUpdate

OUTCOMES = reverse("dashboard:outcomes")
Q4 = "?quarter=2018-19-q4"
XSS = "<img src=x onerror=alert(1)>"


def approved_figures(**filters):
    return OutcomeFigure.objects.filter(
        update__status="approved", update__quarter__financial_year__start_year=2018, **filters
    )


# --- Who may see it ------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(OUTCOMES)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={OUTCOMES}"


@pytest.mark.parametrize("role", ["board_user", "office_user", "lead_thanet", "admin_user"])
def test_every_programme_role_sees_the_outcomes_page(client, programme_data, role, request):
    client.force_login(request.getfixturevalue(role))

    response = client.get(OUTCOMES)

    assert response.status_code == 200
    assert "<h1>Outcomes</h1>" in response.text


def test_a_user_with_no_programme_role_is_refused(client, programme_data, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor", password="x" * 16))

    assert client.get(OUTCOMES).status_code == 403


@pytest.mark.parametrize("query", ["&measure=nonsense", "&locality=atlantis"])
def test_an_unknown_measure_or_locality_is_not_found(client, programme_data, board_user, query):
    client.force_login(board_user)

    assert client.get(OUTCOMES + Q4 + query).status_code == 404


# --- The chart: defaults and numbers ----------------------------------------------------


def test_defaults_to_ae_attendances_for_kent_and_medway(client, programme_data, board_user):
    client.force_login(board_user)

    outcomes = client.get(OUTCOMES + Q4).context["outcomes"]

    assert outcomes.measure.code == "ae-attendances"
    assert outcomes.locality is None
    assert outcomes.area_name == "Kent and Medway"


def test_a_locality_series_is_its_approved_figures_in_order(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(OUTCOMES + Q4 + "&measure=bed-days&locality=thanet")

    series = response.context["outcomes"].series
    # Thanet's Q4 return is submitted, not approved.
    expected = [
        float(figure.value)
        for figure in approved_figures(
            update__locality__slug="thanet", measure__code="bed-days"
        ).order_by("update__quarter__start_date")
    ]
    assert [point.value for point in series.points] == expected
    assert [point.quarter_label for point in series.points] == [
        "2018/19 Q1",
        "2018/19 Q2",
        "2018/19 Q3",
    ]
    # The mean and limits, recomputed here from the figures.
    mean = sum(expected) / 3
    mean_moving_range = (abs(expected[1] - expected[0]) + abs(expected[2] - expected[1])) / 2
    assert series.mean == pytest.approx(mean)
    assert series.points[0].upper_limit == pytest.approx(mean + 2.66 * mean_moving_range)
    assert series.points[0].lower_limit == pytest.approx(mean - 2.66 * mean_moving_range)
    baseline = OutcomeBaseline.objects.get(locality__slug="thanet", measure__code="bed-days")
    assert series.baseline == float(baseline.quarterly_value)
    # The chart carries the same numbers as its table.
    chart = response.context["chart"]
    values = next(t for t in chart.figure["data"] if t["name"] == "Value")
    assert values["y"] == expected
    assert [row[1] for row in chart.table.rows] == [f"{value:,.0f}" for value in expected]


def test_the_summary_sentence_by_hand(client, programme_data, board_user):
    # Thanet bed days 100, 102, 101: mean 101; MR 2, 1, MR̄ 1.5; limits 101 ± 3.99.
    for number, value in ((1, 100), (2, 102), (3, 101)):
        approved_figures(
            update__locality__slug="thanet",
            measure__code="bed-days",
            update__quarter__number=number,
        ).update(value=value)
    client.force_login(board_user)

    response = client.get(OUTCOMES + Q4 + "&measure=bed-days&locality=thanet")

    assert response.context["chart"].summary == (
        "Bed days in Thanet: 3 quarters, mean 101; the latest point, 2018/19 Q3, "
        "is common-cause variation."
    )
    assert response.context["outcomes"].series.points[0].upper_limit == pytest.approx(104.99)


def _thanet_ae_history(values_2017, values_2018):
    """Approved Thanet A&E figures for 2017/18 Q1–Q4 and 2018/19 Q1–Q3."""
    now = timezone.now()
    thanet = Locality.objects.get(slug="thanet")
    measure = OutcomeMeasure.objects.get(code="ae-attendances")
    for quarter, value in zip(
        Quarter.objects.filter(financial_year__start_year=2017).order_by("number"),
        values_2017,
        strict=True,
    ):
        update, _ = QuarterlyUpdate.objects.get_or_create(
            locality=thanet,
            quarter=quarter,
            defaults={"status": "approved", "submitted_at": now, "reviewed_at": now},
        )
        OutcomeFigure.objects.create(update=update, measure=measure, value=value)
    for number, value in enumerate(values_2018, start=1):
        approved_figures(
            update__locality=thanet, measure=measure, update__quarter__number=number
        ).update(value=value)


def test_the_chart_uses_every_financial_year_and_marks_special_cause(
    client, programme_data, board_user
):
    # 105 110 102 96 | 93 105 51: sum 662, n 7, mean 94.571. MR 5 8 6 3 12 54: MR̄ 88 / 6
    # = 14.667; 54 ≥ 3.267 × 14.667 is screened out (NHSRplotthedots), so MR̄ = 34 / 5
    # = 6.8. Lower limit 94.571 − 2.66 × 6.8 = 76.48; 51 is below it. Only 110 of the
    # others is beyond two sigma (106.63): no two of three.
    _thanet_ae_history([105, 110, 102, 96], [93, 105, 51])
    client.force_login(board_user)

    response = client.get(OUTCOMES + Q4 + "&locality=thanet")

    series = response.context["outcomes"].series
    assert [point.quarter_label for point in series.points][:2] == ["2017/18 Q1", "2017/18 Q2"]
    assert len(series.points) == 7
    assert series.points[0].lower_limit == pytest.approx(662 / 7 - 2.66 * 34 / 5)
    latest = series.latest
    assert latest.rule == "outside_limits"
    assert latest.variation == "improvement"  # fewer A&E attendances is better
    assert [point.rule for point in series.points[:-1]] == [None] * 6
    chart = response.context["chart"]
    assert chart.summary.endswith(
        "the latest point, 2018/19 Q3, is special-cause improvement: below the lower process limit."
    )
    # Marked by shape and words, not colour alone.
    markers = next(t for t in chart.figure["data"] if t["name"] == "Special cause – improvement")
    assert markers["marker"]["symbol"] == ["triangle-down"]
    assert "Special cause – improvement (below the lower process limit)" in markers["customdata"][0]
    low, high = chart.figure["layout"]["yaxis"]["range"]
    assert low < 51 < 110 < high  # every point in view, not cut off at the edge
    common = next(t for t in chart.figure["data"] if t["name"] == "Common cause")
    assert set(common["marker"]["symbol"]) == {"circle"}
    assert "below the lower process limit" in response.text
    # The points table says it in words too; fewer than 15 points: limits are indicative.
    assert "With only 7 quarters of data" in response.text


def test_kent_and_medway_leaves_out_quarters_with_missing_returns(
    client, programme_data, board_user
):
    client.force_login(board_user)

    series = client.get(OUTCOMES + Q4).context["outcomes"].series

    # Q4 has approved returns from only some localities: a partial sum would look like a
    # fall in attendances, so it is left out and the page says so.
    q4_returns = QuarterlyUpdate.objects.filter(
        quarter__financial_year__start_year=2018, quarter__number=4, status="approved"
    ).count()
    assert q4_returns < 8
    assert [point.quarter_label for point in series.points] == [
        "2018/19 Q1",
        "2018/19 Q2",
        "2018/19 Q3",
    ]
    assert series.left_out == [f"2018/19 Q4: approved figures from {q4_returns} of 8 localities"]
    q1_total = approved_figures(
        measure__code="ae-attendances", update__quarter__number=1
    ).aggregate(total=Sum("value"))["total"]
    assert series.points[0].value == float(q1_total)
    baseline_total = OutcomeBaseline.objects.filter(measure__code="ae-attendances").aggregate(
        total=Sum("quarterly_value")
    )["total"]
    assert series.baseline == float(baseline_total)


def test_the_page_explains_its_rules_and_that_the_limits_are_indicative(
    client, programme_data, board_user
):
    client.force_login(board_user)

    response = client.get(OUTCOMES + Q4)

    assert "With only 3 quarters of data, the process limits are indicative" in response.text
    assert "run of 7 or more points" in response.text
    assert "allows 6" in response.text
    assert "Left out of the Kent and Medway total" in response.text
    assert "Outcome figures and baselines on this page are illustrative" in response.text


def test_the_office_preview_includes_submitted_figures(client, programme_data, office_user):
    client.force_login(office_user)

    series = client.get(OUTCOMES + Q4 + "&preview=1&locality=thanet").context["outcomes"].series

    assert series.latest.quarter_label == "2018/19 Q4"


# --- Overview of every locality × measure ---------------------------------------------


def test_overview_has_every_locality_and_measure_against_baseline(
    client, programme_data, board_user
):
    client.force_login(board_user)

    response = client.get(OUTCOMES + Q4)
    outcomes, table = response.context["outcomes"], response.context["overview_table"]

    assert [row.record.name for row in table.page.object_list] == list(
        Locality.objects.order_by("name").values_list("name", flat=True)
    )
    bed_days = next(measure for measure in outcomes.measures if measure.code == "bed-days")
    cell = table.cells["ashford"][bed_days.id]
    latest = (
        approved_figures(update__locality__slug="ashford", measure__code="bed-days")
        .order_by("-update__quarter__start_date")
        .first()
    )
    baseline = OutcomeBaseline.objects.get(locality__slug="ashford", measure__code="bed-days")
    assert cell.quarter_label == latest.update.quarter.label
    assert cell.value == float(latest.value)
    assert cell.change_percent == pytest.approx(
        float((latest.value - baseline.quarterly_value) * 100 / baseline.quarterly_value)
    )
    assert cell.verdict in {"Common cause", "Improvement", "Concern"}
    assert len(outcomes.programme_overview.cells) == 4


def test_overview_cells_link_to_their_chart_and_show_the_verdict_word(
    client, programme_data, board_user
):
    client.force_login(board_user)

    response = client.get(OUTCOMES + Q4)

    assert "?quarter=2018-19-q4&amp;measure=bed-days&amp;locality=thanet#spc-chart-title" in (
        response.text
    )
    assert 'nhsuk-tag--grey app-rag-tag">Common cause</strong>' in response.text


# --- Escaping -----------------------------------------------------------------------------


def test_locality_names_are_escaped_in_page_and_chart(client, programme_data, board_user):
    Locality.objects.filter(slug="thanet").update(name=XSS)
    client.force_login(board_user)

    response = client.get(OUTCOMES + Q4 + "&locality=thanet")

    assert "<img src=x" not in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in response.text
    assert "<img" not in json.dumps(response.context["chart"].figure)


def test_measure_text_is_escaped_in_the_chart(client, programme_data, board_user):
    OutcomeMeasure.objects.filter(code="ae-attendances").update(unit=XSS)
    client.force_login(board_user)

    response = client.get(OUTCOMES + Q4)

    figure = json.dumps(response.context["chart"].figure)
    assert "<img" not in figure
    assert "&lt;img src=x onerror=alert(1)&gt;" in figure


# --- Exports ------------------------------------------------------------------------------


def test_csv_export_of_the_chart_points(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(OUTCOMES + Q4 + "&measure=bed-days&locality=thanet&_export=csv")

    assert response["Content-Disposition"].startswith(
        'attachment; filename="localcare-outcomes-bed-days-thanet-2018-19-q4-'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Quarter",
        "Value",
        "Mean",
        "Lower process limit",
        "Upper process limit",
        "Baseline",
        "Variation",
    ]
    q1 = approved_figures(
        update__locality__slug="thanet", measure__code="bed-days", update__quarter__number=1
    ).get()
    assert rows[1][0] == "2018/19 Q1"
    assert float(rows[1][1]) == float(q1.value)
    assert rows[1][-1] == "Common cause variation" or rows[1][-1].startswith("Special cause")


def test_xlsx_export_of_the_overview(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(OUTCOMES + Q4 + "&table=overview&_export=xlsx")

    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:3] == ("Locality", "Measure", "Latest quarter")
    assert len(rows) == 1 + 9 * 4  # Kent and Medway and eight localities, four measures
    thanet_ae = next(row for row in rows if row[0] == "Thanet" and row[1] == "A&E attendances")
    q3 = approved_figures(
        update__locality__slug="thanet", measure__code="ae-attendances", update__quarter__number=3
    ).get()
    assert thanet_ae[2] == "2018/19 Q3"
    assert thanet_ae[3] == float(q3.value)


def test_exported_text_that_looks_like_a_formula_is_neutralised(client, programme_data, board_user):
    Locality.objects.filter(slug="thanet").update(name="@SUM(1)")
    client.force_login(board_user)

    response = client.get(OUTCOMES + Q4 + "&table=overview&_export=csv")

    assert "'@SUM(1)" in response.content.decode()


# --- Queries --------------------------------------------------------------------------------


def test_queries_are_few_and_do_not_grow_with_the_data(
    client, programme_data, board_user, django_assert_max_num_queries
):
    client.force_login(board_user)
    url = OUTCOMES + Q4 + "&measure=bed-days&locality=thanet"
    client.get(url)

    with django_assert_max_num_queries(5):  # served from the cache
        client.get(url)
    # Afresh: 3 for the session and user, the quarters, measures, localities, programme
    # baselines and totals, the chosen locality's figures and baseline; then the
    # overview table's count and page of localities, and its page's baselines and figures.
    assert assert_queries_do_not_grow(client, url) == 14


# --- The overview at scale: ordered and paginated in SQL, charted a page at a time ---------


@pytest.fixture
def scaled(programme_data):
    generate_scale_data(factor=4)
    assert Locality.objects.count() == 32


def every_row(client):
    """The overview of every locality, as the board pack and the export compute it."""
    response = client.get(OUTCOMES + Q4)
    page = response.context["page"]
    return outcomes_data(page=page).overview


def shown(response):
    table = response.context["overview_table"]
    return [row.record.slug for row in table.page.object_list], table.cells


def test_the_overview_is_paginated_and_only_the_page_is_charted(client, scaled, board_user):
    client.force_login(board_user)
    everything = every_row(client)

    first, first_cells = shown(client.get(OUTCOMES + Q4))
    second, second_cells = shown(client.get(OUTCOMES + Q4 + "&overview-page=2"))

    assert first + second == [row.slug for row in everything]
    assert len(first) == ROWS_PER_PAGE
    assert set(first_cells) == set(first)  # charted: the page's localities, no others
    assert set(second_cells) == set(second)
    # Charting a page's localities alone gives each the verdict of the whole overview.
    assert {**first_cells, **second_cells} == {row.slug: row.cells for row in everything}


@pytest.mark.parametrize("descending", [False, True])
def test_the_overview_sorts_by_change_against_baseline_in_sql(
    client, scaled, board_user, descending
):
    OutcomeBaseline.objects.filter(locality__slug="thanet").delete()  # no change to sort by
    client.force_login(board_user)
    everything = every_row(client)
    measure = OutcomeMeasure.objects.get(code="bed-days")

    def change(row):
        percent = row.cells[measure.id].change_percent
        return (percent is not None, percent or 0)  # as django-tables2 sorted: None first

    expected = [row.slug for row in sorted(everything, key=change, reverse=descending)]
    sort = f"{'-' if descending else ''}measure_{measure.id}"
    first, _ = shown(client.get(OUTCOMES + Q4 + f"&overview-sort={sort}"))
    second, _ = shown(client.get(OUTCOMES + Q4 + f"&overview-sort={sort}&overview-page=2"))

    assert first + second == expected
    assert (expected[0] == "thanet") != descending


def test_the_locality_chooser_lists_every_locality_and_selects_the_chosen_one(
    client, programme_data, board_user
):
    client.force_login(board_user)

    chosen = client.get(OUTCOMES + Q4 + "&locality=thanet").text
    programme = client.get(OUTCOMES + Q4).text

    for place in Locality.objects.all():
        selected = " selected" if place.slug == "thanet" else ""
        assert f'<option value="{place.slug}"{selected}>{place.name}</option>' in chosen
        assert f'<option value="{place.slug}">{place.name}</option>' in programme
    assert '<option value="all" selected>' in programme
    assert '<option value="all" selected>' not in chosen
