import csv
import datetime
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils.html import escape

from common.money import pounds
from dashboard.selectors.locality import MDTStatusAsAt
from localities.models import MDT, CareModelElement, Locality, Milestone, MonthlyOutcome, Rag
from risks.models import Risk, RiskReview, ScoreBand
from tests.helpers import assert_queries_do_not_grow, query_count, visible_text
from updates.models import MaturityScore, ObjectiveStatus, QuarterlyUpdate

ASHFORD = reverse("dashboard:locality", args=["ashford"])
THANET = reverse("dashboard:locality", args=["thanet"])
Q4 = "?quarter=2018-19-q4"
Q3 = "?quarter=2018-19-q3"
Q4_END = datetime.date(2019, 3, 31)
# Measured with the fixtures loaded: the same at 10× the data (see below).
LOCALITY_PAGE_QUERIES = 25  # + the board actions on the locality (issue 17)
# + the structure at the quarter's end (4, cold) and the locality's standing in it (1):
# decision 0023
XSS = "<img src=x onerror=alert(1)>"
XSS_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def approved(slug, number=4, start_year=2018):
    return QuarterlyUpdate.objects.get(
        locality__slug=slug,
        quarter__financial_year__start_year=start_year,
        quarter__number=number,
        status="approved",
    )


# --- who may see it ------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, programme_data):
    response = client.get(ASHFORD)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={ASHFORD}"


@pytest.mark.parametrize("role", ["board_user", "office_user", "lead_thanet", "admin_user"])
def test_every_programme_role_sees_a_locality(client, programme_data, role, request):
    client.force_login(request.getfixturevalue(role))

    response = client.get(ASHFORD)

    assert response.status_code == 200
    assert "<h1>Ashford</h1>" in response.text


def test_a_user_with_no_programme_role_is_refused(client, programme_data, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor", password="x" * 16))

    assert client.get(ASHFORD).status_code == 403


def test_an_unknown_locality_is_not_found(client, programme_data, board_user):
    client.force_login(board_user)

    assert client.get(reverse("dashboard:locality", args=["atlantis"])).status_code == 404


def test_an_unknown_quarter_is_not_found(client, programme_data, board_user):
    client.force_login(board_user)

    assert client.get(ASHFORD, {"quarter": "2030-31-q1"}).status_code == 404


# --- approved updates only -------------------------------------------------------


def test_board_sees_approved_returns_only(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(THANET + Q4)

    data = response.context["data"]
    # Thanet's Q4 return is submitted, not approved.
    assert data.update is None
    assert all(item.status is None for item in data.objectives)
    assert "Thanet has no approved return for 2018/19 Q4." in response.text
    q4_cells = [row.cells[-1].rag for row in data.history]
    assert q4_cells == [None] * 4
    q3 = approved("thanet", 3)
    assert [row.cells[2].rag for row in data.history] == [
        status.rag for status in q3.objective_statuses.order_by("objective__number")
    ]


def test_programme_office_may_preview_submitted_returns(client, programme_data, office_user):
    client.force_login(office_user)

    response = client.get(THANET + Q4 + "&preview=1")

    data = response.context["data"]
    submitted = QuarterlyUpdate.objects.get(
        locality__slug="thanet", quarter__financial_year__start_year=2018, quarter__number=4
    )
    assert data.update == submitted
    assert [item.status.rag for item in data.objectives] == [
        status.rag for status in submitted.objective_statuses.order_by("objective__number")
    ]
    assert "submitted updates that are not yet approved" in response.text


# --- objectives --------------------------------------------------------------------


def test_each_objective_has_an_anchor_with_its_status(client, programme_data, board_user):
    status = ObjectiveStatus.objects.get(update=approved("ashford"), objective__number=3)
    status.rag_reason = "Partners signed up ahead of plan."
    status.save()
    client.force_login(board_user)

    response = client.get(ASHFORD + Q4)

    for number in range(1, 5):
        assert f'id="objective-{number}"' in response.text
    assert Rag(status.rag).label in response.text
    assert f"{status.percent_complete}% complete" in response.text
    assert escape(status.narrative) in response.text
    assert "The lead chose a different RAG:</strong> Partners signed up ahead of plan." in (
        response.text
    )


def test_rag_history_covers_the_year_up_to_the_quarter(client, programme_data, board_user):
    client.force_login(board_user)

    data = client.get(ASHFORD + Q3).context["data"]

    assert [quarter.label for quarter in data.year_quarters] == [
        "2018/19 Q1",
        "2018/19 Q2",
        "2018/19 Q3",
    ]
    for row in data.history:
        expected = [
            ObjectiveStatus.objects.get(
                update=approved("ashford", number), objective=row.objective
            ).rag
            for number in (1, 2, 3)
        ]
        assert [cell.rag for cell in row.cells] == expected


# --- MDTs ---------------------------------------------------------------------------


def test_mdts_are_shown_as_at_the_quarter(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(ASHFORD + Q3)

    data = response.context["data"]
    q3_end = datetime.date(2018, 12, 31)
    mdts = MDT.objects.filter(locality__slug="ashford")
    live_then = mdts.filter(actual_go_live__lte=q3_end).count()
    assert data.mdts_live == live_then
    assert data.mdts_live < mdts.live().count()  # one went live in 2019
    later = next(row for row in data.mdts if row.name == "Ashford MDT 3 (illustrative)")
    assert later.status == MDTStatusAsAt.NOT_YET
    assert later.actual_go_live is None
    assert (
        f'<span data-figure="locality-mdts-live">{live_then}</span> of {mdts.count()} MDTs '
        "recorded for Ashford had gone live" in response.text
    )


def test_mdts_are_grouped_by_tier_with_counts(client, programme_data, board_user):
    MDT.objects.create(
        locality=Locality.objects.get(slug="ashford"),
        name="Ashford hub",
        tier=MDT.Tier.TIER_2,
        status=MDT.Status.SHADOW,
        planned_go_live=datetime.date(2019, 2, 1),
    )
    client.force_login(board_user)

    data = client.get(ASHFORD + Q4).context["data"]

    groups = {group.tier: group for group in data.tier_groups}
    assert [group.tier for group in data.tier_groups] == ["GP practice", "Tier 1", "Tier 2"]
    assert len(groups["GP practice"].mdts) == 0
    assert (
        len(groups["Tier 1"].mdts)
        == MDT.objects.filter(locality__slug="ashford", tier="tier_1").count()
    )
    assert [(mdt.name, mdt.status) for mdt in groups["Tier 2"].mdts] == [
        ("Ashford hub", MDTStatusAsAt.LATE)
    ]
    assert groups["Tier 2"].live_count == 0


# --- milestones ----------------------------------------------------------------------


def milestone(**fields):
    fields.setdefault("locality", Locality.objects.get(slug="ashford"))
    return Milestone.objects.create(**fields)


def test_locality_milestones_are_shown_as_at_the_quarter(client, programme_data, board_user):
    milestone(
        title="Hub business case agreed",
        planned_start=datetime.date(2018, 8, 1),
        planned_end=datetime.date(2018, 9, 30),
        status=Milestone.Status.COMPLETE,
        actual_date=datetime.date(2018, 11, 12),
    )
    milestone(
        title="Care navigation live",
        planned_start=datetime.date(2019, 1, 1),
        planned_end=datetime.date(2019, 1, 31),
        forecast_date=datetime.date(2019, 6, 30),
        status=Milestone.Status.IN_PROGRESS,
    )
    milestone(title="Carers app co-designed", timing_as_written="TBC", is_date_uncertain=True)
    milestone(title="Elsewhere", locality=Locality.objects.get(slug="thanet"))
    client.force_login(board_user)

    rows = {
        row.title: row
        for row in client.get(ASHFORD + Q4).context["data"].milestones
        if not row.is_illustrative  # the demo data's own locality milestones
    }

    assert set(rows) == {
        "Hub business case agreed",
        "Care navigation live",
        "Carers app co-designed",
    }
    done = rows["Hub business case agreed"]
    assert (done.planned, done.status, done.slippage_days) == (
        "Aug 2018 – Sep 2018",
        "Complete",
        43,
    )
    late = rows["Care navigation live"]
    assert (late.status, late.slippage_days) == ("Overdue", 150)
    assert rows["Carers app co-designed"].planned == "TBC (uncertain)"

    # As at 2018/19 Q2 the business case was not yet agreed, and nothing says it was.
    rows = {
        row.title: row
        for row in client.get(ASHFORD + "?quarter=2018-19-q2").context["data"].milestones
    }
    assert rows["Hub business case agreed"].status == "In progress"  # its window had opened
    assert rows["Hub business case agreed"].actual_date is None


def test_a_month_only_completion_shows_its_month_on_the_locality_page(
    client, programme_data, board_user
):
    milestone(
        title="Hub business case agreed",
        planned_start=datetime.date(2018, 8, 1),
        planned_end=datetime.date(2018, 9, 30),
        status=Milestone.Status.COMPLETE,
        actual_date=datetime.date(2018, 11, 30),  # the month's last day, for sorting
        actual_as_written="November 2018",
    )
    client.force_login(board_user)

    response = client.get(ASHFORD + Q4)

    row = next(
        row
        for row in response.context["data"].milestones
        if row.title == "Hub business case agreed"
    )
    assert (row.actual_text, row.slippage, row.slippage_days) == (
        "November 2018",
        "About two months after “Aug 2018 – Sep 2018”",
        None,
    )
    page = response.content.decode()
    assert "November 2018" in page
    assert "30 Nov 2018" not in page
    # As at Q2 it was not yet done: no words either.
    row = next(
        row
        for row in client.get(ASHFORD + "?quarter=2018-19-q2").context["data"].milestones
        if row.title == "Hub business case agreed"
    )
    assert row.actual_text == ""


# --- money, outcomes, maturity, risks --------------------------------------------------------


def test_spend_agrees_with_the_fixtures(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(ASHFORD + Q3)

    returns = QuarterlyUpdate.objects.filter(
        locality__slug="ashford",
        quarter__financial_year__start_year=2018,
        quarter__number__lte=3,
        status="approved",
    )
    totals = returns.aggregate(actual=Sum("spend_actual"), planned=Sum("spend_planned"))
    chart = response.context["spend_chart"]
    assert f"Ashford spent £{totals['actual']:,.0f} against £{totals['planned']:,.0f}" in (
        chart.summary
    )
    assert [row[0] for row in chart.table.rows] == ["2018/19 Q1", "2018/19 Q2", "2018/19 Q3"]
    actual_by_trace = chart.figure["data"][1]["y"]
    assert actual_by_trace == [float(update.spend_actual) for update in returns.order_by("quarter")]


def ashford_quarter(measure_name: str) -> tuple[int, float]:
    """Ashford's 2018/19 Q4 (its three months added up) and its baseline quarter (the
    monthly mean of April 2016 – March 2018, × 3)."""
    months = MonthlyOutcome.objects.filter(
        locality__slug="ashford",
        measure__name=measure_name,
        month__gte=datetime.date(2019, 1, 1),
        month__lte=datetime.date(2019, 3, 1),
    )
    mean = next(
        row["mean"]
        for row in MonthlyOutcome.objects.filter(
            locality__slug="ashford", measure__name=measure_name
        ).baseline_means()
    )
    return sum(months.values_list("value", flat=True)), mean * 3


def test_outcomes_add_up_the_quarters_months_against_the_baseline(
    client, programme_data, board_user
):
    client.force_login(board_user)

    outcomes = client.get(ASHFORD + Q4).context["data"].outcomes

    assert len(outcomes) == 4
    for row in outcomes:
        value, baseline = ashford_quarter(row.measure)
        assert row.value == value
        assert float(row.baseline) == pytest.approx(baseline, abs=0.06)  # to one place
        assert not row.is_partial
        assert float(row.percent_change) == pytest.approx(
            (value - float(row.baseline)) / float(row.baseline) * 100
        )
        expected = "Better than baseline" if value < float(row.baseline) else "Worse than baseline"
        assert row.verdict == expected


def test_a_quarter_missing_a_month_is_partial(client, programme_data, board_user):
    MonthlyOutcome.objects.filter(
        locality__slug="ashford", measure__code="bed-days", month=datetime.date(2019, 2, 1)
    ).delete()
    client.force_login(board_user)

    outcomes = client.get(ASHFORD + Q4).context["data"].outcomes

    bed_days = next(row for row in outcomes if row.measure == "Bed days")
    assert bed_days.is_partial
    assert bed_days.verdict == "Partial: 2 of 3 months"
    assert bed_days.percent_change is None


def test_maturity_compares_the_latest_scores_with_the_october_2017_baseline(
    client, programme_data, board_user
):
    client.force_login(board_user)

    response = client.get(ASHFORD + Q3)

    data = response.context["data"]
    assert data.maturity_baseline_quarter.label == "2017/18 Q3"
    # Scores were taken in Q2 and Q4: as at Q3 the latest are Q2's.
    assert data.maturity_latest_quarter.label == "2018/19 Q2"
    for row in data.maturity:
        assert (
            row.baseline
            == MaturityScore.objects.get(
                update=approved("ashford", 3, start_year=2017), element=row.element
            ).score
        )
        assert (
            row.latest
            == MaturityScore.objects.get(update=approved("ashford", 2), element=row.element).score
        )
    assert len(response.context["maturity_chart"].table.rows) == 8


def test_risks_show_the_score_and_band_as_at_the_quarter(client, programme_data, board_user):
    client.force_login(board_user)

    rows = client.get(THANET + Q4).context["data"].risks

    risk = Risk.objects.get(reference="LC-R09")
    review = (
        RiskReview.objects.filter(risk=risk, reviewed_on__lte=Q4_END)
        .order_by("-reviewed_on", "-id")
        .first()
    )
    score = review.score if review else risk.current_score_value
    band = ScoreBand.objects.get(min_score__lte=score, max_score__gte=score)
    assert [(row.reference, row.score, row.band.name) for row in rows] == [
        ("LC-R09", score, band.name)
    ]


def test_risks_raised_after_the_quarter_are_not_shown(client, programme_data, board_user):
    client.force_login(board_user)

    rows = client.get(THANET + "?quarter=2018-19-q1").context["data"].risks

    assert rows == []  # LC-R09 was raised in August 2018


# --- exports, escaping, queries ---------------------------------------------------------------


def test_mdts_download_as_csv_with_formulas_neutralised(client, programme_data, board_user):
    MDT.objects.filter(name="Ashford MDT 1 (illustrative)").update(name="=HYPERLINK(1)")
    client.force_login(board_user)

    response = client.get(ASHFORD + Q4 + "&_export=csv&table=mdts")

    assert response["Content-Type"].startswith("text/csv")
    assert "ashford-mdts-2018-19-q4" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["MDT", "Tier", "Status at quarter end"]
    assert ["'=HYPERLINK(1)", "Tier 1", "Live", "46000", "2018-05-14", "2018-06-08"] in rows


def test_outcomes_download_as_xlsx(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(ASHFORD + Q4 + "&_export=xlsx&table=outcomes")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Measure"
    ae = next(row for row in rows if row[0] == "A&E attendances")
    assert ae[2] == ashford_quarter("A&E attendances")[0]


def test_an_unknown_table_cannot_be_downloaded(client, programme_data, board_user):
    client.force_login(board_user)

    assert client.get(ASHFORD + Q4 + "&_export=csv&table=nope").status_code == 404


def test_export_links_name_their_table(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(ASHFORD + Q4)

    assert "?quarter=2018-19-q4&amp;table=mdts&amp;_export=csv" in response.text
    assert "?quarter=2018-19-q4&amp;table=outcomes&amp;_export=xlsx" in response.text


def test_people_text_is_escaped_on_the_page_and_in_charts(client, programme_data, board_user):
    update = approved("ashford")
    update.summary = XSS
    update.save()
    ObjectiveStatus.objects.filter(update=update, objective__number=1).update(narrative=XSS)
    CareModelElement.objects.filter(number=1).update(name=XSS)
    Locality.objects.filter(slug="ashford").update(name=XSS)
    client.force_login(board_user)

    response = client.get(ASHFORD + Q4)

    assert "<img src=x" not in response.text
    assert XSS_ESCAPED in response.text
    figure = json.dumps(response.context["maturity_chart"].figure)
    assert "<img" not in figure
    assert XSS_ESCAPED in figure


def test_query_count_is_pinned(client, programme_data, board_user, django_assert_max_num_queries):
    client.force_login(board_user)

    with django_assert_max_num_queries(LOCALITY_PAGE_QUERIES):
        assert client.get(ASHFORD + Q4).status_code == 200


def test_queries_do_not_grow_with_ten_times_the_data(client, programme_data, board_user):
    client.force_login(board_user)

    count = assert_queries_do_not_grow(client, ASHFORD + Q4)

    assert count == LOCALITY_PAGE_QUERIES
    # A synthetic locality has returns in every quarter, MDTs, milestones and risks.
    synthetic = reverse("dashboard:locality", args=["synthetic-0001"])
    assert query_count(client, synthetic + Q4) == LOCALITY_PAGE_QUERIES


def test_the_page_says_which_update_it_shows_without_its_version_number(
    client, programme_data, board_user
):
    update = QuarterlyUpdate.objects.get(
        locality__slug="ashford", quarter__financial_year__start_year=2018, quarter__number=4
    )
    client.force_login(board_user)

    response = client.get(ASHFORD + Q4)

    assert (
        f"From Ashford's 2018/19 Q4 update, approved {update.reviewed_at:%-d %B %Y}."
        in response.text
    )
    # The version number is the database's way to catch clashing edits, not a board word.
    assert "version" not in visible_text(response.text).lower()


def test_the_spend_chart_writes_pounds_as_the_board_pages_do(client, programme_data, board_user):
    """Half-up and with the pages' minus sign: the chart once had a pounds() of its own,
    half-to-even (£100,002.50 as £100,002), its hover text plotly's own number format."""
    client.force_login(board_user)
    update = QuarterlyUpdate.objects.get(
        locality__slug="ashford",
        quarter__financial_year__start_year=2018,
        quarter__number=1,
        status="approved",
    )
    update.spend_actual = Decimal("100002.50")
    update.save()

    chart = client.get(ASHFORD + Q3).context["spend_chart"]

    assert chart.table.rows[0][2] == pounds(Decimal("100002.50")) == "£100,003"
    actual = chart.figure["data"][1]
    assert actual["customdata"][0] == "Spent in Q1: £100,003"
    assert actual["hovertemplate"] == "%{customdata}<extra></extra>"
