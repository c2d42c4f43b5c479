"""The outcome pages: monthly XmR charts with frozen limits, change points and a
trajectory; the summary matrix; as at the page's quarter's end."""

import csv
import datetime
import io
import json
from dataclasses import replace

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.selectors.outcomes import (
    ASSURANCE_FAIL,
    ASSURANCE_HIT_AND_MISS,
    ASSURANCE_NONE,
    ASSURANCE_PASS,
    NO_DATA,
    MonthlySeries,
    MonthPoint,
    summary_matrix,
)
from dashboard.spc import Variation
from localities.models import (
    Locality,
    MonthlyOutcome,
    OutcomeChangePoint,
    OutcomeExtract,
    OutcomeMeasure,
    OutcomeTrajectory,
)
from localities.outcome_months import expected_activity, months_between
from tests.helpers import assert_queries_do_not_grow

OUTCOMES = reverse("dashboard:outcomes")
SUMMARY = reverse("dashboard:outcomes-summary")
Q4 = "?quarter=2018-19-q4"
XSS = "<img src=x onerror=alert(1)>"
BASELINE = months_between(datetime.date(2016, 4, 1), datetime.date(2018, 3, 1))


def month(year: int, number: int) -> datetime.date:
    return datetime.date(year, number, 1)


# --- Who may see them ------------------------------------------------------------------


@pytest.mark.parametrize("url", [OUTCOMES, SUMMARY])
def test_anonymous_visitors_are_sent_to_log_in(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("url", [OUTCOMES, SUMMARY])
@pytest.mark.parametrize("role", ["board_user", "office_user", "lead_thanet", "admin_user"])
def test_every_programme_role_sees_the_outcome_pages(client, programme_data, role, request, url):
    client.force_login(request.getfixturevalue(role))

    response = client.get(url + Q4)

    assert response.status_code == 200
    assert "<h1>Outcomes" in response.text


@pytest.mark.parametrize("url", [OUTCOMES, SUMMARY])
def test_a_user_with_no_programme_role_is_refused(client, programme_data, django_user_model, url):
    client.force_login(django_user_model.objects.create_user("visitor", password="x" * 16))

    assert client.get(url).status_code == 403


@pytest.mark.parametrize("query", ["&measure=nonsense", "&locality=atlantis"])
def test_an_unknown_measure_or_locality_is_not_found(client, programme_data, board_user, query):
    client.force_login(board_user)

    assert client.get(OUTCOMES + Q4 + query).status_code == 404


# --- Hand-built monthly series -----------------------------------------------------------


@pytest.fixture
def thanet_ae(programme_data):
    """No monthly figures but Thanet's A&E, which each test writes by hand."""
    MonthlyOutcome.objects.all().delete()
    extract = OutcomeExtract.objects.create(
        loaded_at=timezone.now(),
        file_name="hand-built.csv",
        source="Hand-built for a test",
        first_month=month(2016, 4),
        last_month=month(2020, 3),
        rows=0,
    )
    thanet = Locality.objects.get(slug="thanet")
    measure = OutcomeMeasure.objects.get(code="ae-attendances")

    def write(values: dict[datetime.date, int]):
        MonthlyOutcome.objects.bulk_create(
            MonthlyOutcome(
                locality=thanet, measure=measure, month=when, value=value, extract=extract
            )
            for when, value in values.items()
        )

    return write


def chart_of(client, query="&measure=ae-attendances&locality=thanet", quarter=Q4):
    return client.get(OUTCOMES + quarter + query).context["outcomes"]


def test_limits_come_from_the_baseline_months_and_stay_frozen(client, thanet_ae, board_user):
    # Baseline: 100 and 110 in turn (mean 105, mean moving range 10: limits 105 ± 26.6).
    values = {when: 100 + 10 * (index % 2) for index, when in enumerate(BASELINE)}
    # A year at 200: far above the limits, and it must not move them.
    values.update(dict.fromkeys(months_between(month(2018, 4), month(2019, 3)), 200))
    thanet_ae(values)
    client.force_login(board_user)

    series = chart_of(client).series

    assert len(series.points) == 36
    assert {point.mean for point in series.points} == {105}
    assert {round(point.upper_limit, 1) for point in series.points} == {131.6}
    assert {round(point.lower_limit, 1) for point in series.points} == {78.4}
    assert series.latest.month == month(2019, 3)
    assert series.latest.variation == Variation.CONCERN  # more A&E attendances is worse
    assert not series.limits_indicative
    assert series.baseline_mean == 105
    assert series.change_percent == pytest.approx(90.476, abs=0.001)
    assert [point.limits_from for point in series.points] == [True] * 24 + [False] * 12


def test_a_change_point_starts_a_segment_with_limits_of_its_own(client, thanet_ae, board_user):
    values = {when: 100 + 10 * (index % 2) for index, when in enumerate(BASELINE)}
    values.update(dict.fromkeys(months_between(month(2018, 4), month(2018, 9)), 100))
    after = months_between(month(2018, 10), month(2020, 3))  # 18 months
    # The first 15 months alternate 60 and 70 (mean 970 / 15, limits that ± 26.6); the
    # last three are 90, inside those limits: they must not move them.
    values.update({when: 60 + 10 * (index % 2) for index, when in enumerate(after[:15])})
    values.update(dict.fromkeys(after[15:], 90))
    thanet_ae(values)
    OutcomeChangePoint.objects.create(
        measure=OutcomeMeasure.objects.get(code="ae-attendances"),
        locality=Locality.objects.get(slug="thanet"),
        month=month(2018, 10),
        reason=f"MDTs live {XSS}",
    )
    client.force_login(board_user)

    early = chart_of(client).series  # as at 2018/19 Q4: six months since the change
    late = chart_of(client, quarter="?quarter=2019-20-q4").series

    assert [mark.reason for mark in early.change_points] == [f"MDTs live {XSS}"]
    assert {point.mean for point in early.points[:30]} == {105}
    assert early.points[30].segment == 1
    assert early.limits_indicative  # 6 months: indicative, and no icon
    assert early.icon_variation is None
    assert early.assurance == ASSURANCE_NONE
    assert {point.mean for point in late.points[30:]} == {970 / 15}
    assert {round(point.upper_limit, 1) for point in late.points[30:]} == {91.3}
    assert [point.limits_from for point in late.points[30:]] == [True] * 15 + [False] * 3
    assert not late.limits_indicative


def test_a_page_is_as_at_its_quarters_end(client, programme_data, board_user):
    client.force_login(board_user)

    series = chart_of(client, quarter="?quarter=2018-19-q2").series

    assert series.latest.month == month(2018, 9)
    assert series.points[0].month == month(2016, 4)
    assert len(series.points) == 30


def test_kent_and_medway_leaves_out_months_some_locality_lacks(client, programme_data, board_user):
    measure = OutcomeMeasure.objects.get(code="bed-days")
    MonthlyOutcome.objects.filter(
        locality__slug="swale", measure=measure, month=month(2019, 1)
    ).delete()
    client.force_login(board_user)

    series = chart_of(client, "&measure=bed-days").series

    january = next(point for point in series.points if point.month == month(2019, 1))
    february = next(point for point in series.points if point.month == month(2019, 2))
    assert january.value is None
    assert february.value == sum(
        MonthlyOutcome.objects.filter(measure=measure, month=month(2019, 2)).values_list(
            "value", flat=True
        )
    )
    assert series.left_out == ["Jan 2019: figures from 7 of 8 localities"]


def test_the_target_is_the_trajectory_and_kent_and_medways_the_sum(
    client, programme_data, board_user
):
    measure = OutcomeMeasure.objects.get(code="ae-attendances")
    means = {
        (row["locality_id"], row["measure_id"]): row["mean"]
        for row in MonthlyOutcome.objects.baseline_means()
    }
    trajectories = {
        (row.locality_id, row.measure_id): float(row.steady_state_reduction_percent)
        for row in OutcomeTrajectory.objects.filter(measure=measure)
    }
    thanet = Locality.objects.get(slug="thanet")
    client.force_login(board_user)

    local = chart_of(client).series
    total = chart_of(client, "&measure=ae-attendances").series

    march = local.points[-1]
    # 2018/19: 10% of the steady-state reduction (the fixtures' ramp).
    assert march.target == pytest.approx(
        expected_activity(means[(thanet.id, measure.id)], trajectories[(thanet.id, measure.id)], 10)
    )
    assert total.points[-1].target == pytest.approx(
        sum(expected_activity(means[key], reduction, 10) for key, reduction in trajectories.items())
    )
    assert all(point.target is None for point in local.points[:24])  # not in the baseline


def test_the_fixtures_give_each_kind_of_variation(client, programme_data, board_user):
    client.force_login(board_user)

    west_kent = chart_of(client, "&measure=ae-attendances&locality=west-kent").series
    thanet = chart_of(client, "&measure=ae-attendances&locality=thanet").series

    assert len(west_kent.change_points) == 1
    assert west_kent.limits_indicative  # six months since October 2018
    assert thanet.variation == Variation.CONCERN  # rising from August 2018, a January spike


# --- The chart page ------------------------------------------------------------------------


def test_the_chart_labels_months_and_marks_baseline_and_change_points(
    client, programme_data, board_user
):
    OutcomeChangePoint.objects.filter(locality__slug="west-kent").update(reason=f"Live {XSS}")
    client.force_login(board_user)

    response = client.get(OUTCOMES + Q4 + "&measure=ae-attendances&locality=west-kent")

    chart = response.context["chart"]
    figure = json.dumps(chart.figure)
    assert "Q3" not in figure
    assert "Q4" not in figure
    assert chart.table.rows[-1][0] == "Mar 2019"
    assert XSS not in figure
    assert "Live &lt;img src=x onerror=alert(1)&gt;" in figure
    assert XSS not in response.text
    assert any(shape["type"] == "rect" for shape in chart.figure["layout"]["shapes"])
    assert "Change point from Oct 2018" in response.text
    assert chart.summary.startswith("A&E attendances in West Kent, Apr 2016 to Mar 2019")
    assert "Where these points come from" in response.text
    assert "13 loads hold these months" in response.text


def test_the_chart_summary_gives_variation_assurance_and_change(client, programme_data, board_user):
    client.force_login(board_user)

    summary = (
        client.get(OUTCOMES + Q4 + "&measure=ae-attendances&locality=thanet")
        .context["chart"]
        .summary
    )

    assert "Latest month, Mar 2019:" in summary
    assert "against the baseline mean of" in summary
    assert "Variation: special cause concerning" in summary
    assert "Assurance against this month's trajectory of" in summary


def test_csv_export_of_the_chart_months(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(OUTCOMES + Q4 + "&measure=bed-days&locality=thanet&_export=csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Month", "Value"]
    assert rows[1][0] == "Apr 2016"
    assert len(rows) == 37


# --- The summary matrix --------------------------------------------------------------------


def _series(variation, assurance, change, lower_is_better=True):
    measure = OutcomeMeasure(name="m", code="m", lower_is_better=lower_is_better)
    point = MonthPoint(
        month=month(2019, 3),
        value=100 + change,
        mean=100,
        lower_limit=90,
        upper_limit=110,
        target=100,
        variation=variation,
        direction=None,
        rule=None,
        description="",
        segment=0,
        limits_from=False,
        limits_indicative=False,
    )
    return MonthlySeries(
        measure=measure,
        area_name=f"{variation} {assurance} {change}",
        slug="x",
        points=[point],
        baseline_mean=100,
        charted_assurance=assurance,
    )


def test_the_matrix_order_is_worst_first():
    expected = [
        _series(Variation.CONCERN, ASSURANCE_FAIL, 5),
        _series(Variation.CONCERN, ASSURANCE_HIT_AND_MISS, 9),
        _series(Variation.COMMON_CAUSE, ASSURANCE_FAIL, 1),
        _series(Variation.COMMON_CAUSE, ASSURANCE_HIT_AND_MISS, 8),  # further the wrong way
        _series(Variation.COMMON_CAUSE, ASSURANCE_HIT_AND_MISS, -3),
        _series(Variation.COMMON_CAUSE, ASSURANCE_PASS, 2),
        _series(Variation.IMPROVEMENT, ASSURANCE_PASS, -12),
    ]
    shuffled = expected[3:] + expected[:3]

    assert sorted(shuffled, key=lambda series: series.order_key) == expected


def test_a_series_with_indicative_limits_sorts_as_too_few_points():
    concern = _series(Variation.CONCERN, ASSURANCE_FAIL, 5)
    indicative = MonthlySeries(
        **{
            **concern.__dict__,
            "points": [replace(concern.points[0], limits_indicative=True)],
        }
    )

    assert indicative.order_key > _series(Variation.COMMON_CAUSE, ASSURANCE_PASS, 2).order_key
    assert indicative.assurance == ASSURANCE_NONE
    assert indicative.variation_words == "Special cause concerning (limits indicative: no verdict)"


def test_no_data_comes_last():
    empty = MonthlySeries(
        measure=OutcomeMeasure(name="m", code="m", lower_is_better=True),
        area_name="nowhere",
        slug="x",
        points=[],
        baseline_mean=None,
    )

    assert empty.variation == NO_DATA
    assert empty.order_key > _series(Variation.IMPROVEMENT, ASSURANCE_PASS, -12).order_key


def test_the_matrix_has_kent_and_medway_first_then_every_locality_worst_first(
    client, programme_data, board_user
):
    client.force_login(board_user)

    response = client.get(SUMMARY + Q4)

    matrix = response.context["outcome_matrix"]
    rows = list(response.context["table"].page.object_list)
    assert rows[0].record.name == "Kent and Medway"
    assert [row.record for row in rows[1:]] == matrix.rows
    assert matrix.rows == sorted(matrix.rows, key=lambda row: (row.order_key, row.name))
    assert len(matrix.rows) == 8
    assert matrix.rows[0].order_key <= matrix.rows[-1].order_key
    thanet_ae = f"{OUTCOMES}?quarter=2018-19-q4&amp;measure=ae-attendances&amp;locality=thanet"
    assert thanet_ae in response.text  # a cell links to its chart, keeping the quarter
    assert 'data-illustrative="true"' in response.text


def test_the_matrix_exports(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(SUMMARY + Q4 + "&_export=xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Locality", "Measure", "Latest month", "Latest value")
    assert rows[1][0] == "Kent and Medway"
    assert len(rows) == 1 + 9 * 4
    text = client.get(SUMMARY + Q4 + "&_export=csv").content.decode("utf-8-sig")
    assert "Consistently" in text or "Hit and miss" in text


def test_the_matrix_of_a_few_localities(rf, programme_data):
    from dashboard.periods import dashboard_page

    request = rf.get(SUMMARY + Q4)
    request.user = type("Board", (), {"is_authenticated": True})()
    page = dashboard_page(request)
    chosen = list(Locality.objects.filter(slug__in=["thanet", "swale"]))

    matrix = summary_matrix(page=page, localities=chosen)

    assert {row.slug for row in matrix.rows} == {"thanet", "swale"}
    assert matrix.programme.cells[0].latest is not None  # Kent and Medway is every locality


# --- Queries --------------------------------------------------------------------------------


# 16: + the structure in force at the quarter's end (4 queries, cold; decision 0023), less one.
@pytest.mark.parametrize(
    ("url", "count"),
    [
        (OUTCOMES + Q4 + "&measure=bed-days&locality=thanet", 16),
        (OUTCOMES + Q4 + "&measure=bed-days", 16),
        (SUMMARY + Q4, 16),
    ],
)
def test_queries_are_few_and_do_not_grow_with_the_data(
    client, programme_data, board_user, url, count
):
    client.force_login(board_user)

    assert assert_queries_do_not_grow(client, url) == count


def test_the_matrix_paginates_by_locality_at_scale(client, programme_data, board_user):
    from tools.scale import generate_scale_data

    generate_scale_data(factor=4)
    client.force_login(board_user)

    first = client.get(SUMMARY + Q4).context["table"]
    second = client.get(SUMMARY + Q4 + "&page=2").context["table"]

    names = [row.record.name for row in first.page.object_list] + [
        row.record.name for row in second.page.object_list
    ]
    assert names[0] == "Kent and Medway"
    assert len(names) == 1 + Locality.objects.count()
    assert len(set(names)) == len(names)
