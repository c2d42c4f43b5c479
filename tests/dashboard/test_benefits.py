"""The Benefits page: the investment case against what the data suggest, as at a quarter.

The arithmetic is checked against a small example worked by hand (two localities,
two measures, a few months, a ramp and unit costs); the page, its access, its
downloads and its query count against the illustrative data.
"""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.periods import DashboardPage
from dashboard.selectors.benefits import benefits, quarter_label
from localities.models import (
    InvestmentCommitment,
    Locality,
    MonthlyOutcome,
    OutcomeExtract,
    OutcomeMeasure,
    OutcomeTrajectory,
    OutcomeUnitCost,
    ProgrammeFigure,
    SavingsRamp,
)
from localities.outcome_months import months_between
from tests import factories
from tests.helpers import query_count
from tools.scale import generate_scale_data
from updates.models import QuarterlyUpdate

BENEFITS = reverse("dashboard:benefits")
Q4 = "?quarter=2018-19-q4"


# --- The arithmetic, worked by hand ---------------------------------------------------
#
# Two localities (Ashford, Thanet), two measures: A&E at £100 a unit, admissions at
# £1,000. Baseline (two months, April and May 2016) and monthly means:
#   Ashford A&E 100, 120 -> 110     Ashford admissions 10, 10 -> 10
#   Thanet  A&E 200, 200 -> 200     Thanet  admissions 20, 22 -> 21
# After the baseline, saving = (mean - month) x unit cost:
#   April 2018 (2018/19 Q1):
#     Ashford A&E (110 - 100) x £100 = £1,000     Ashford adm (10 - 9) x £1,000 = £1,000
#     Thanet A&E  (200 - 210) x £100 = -£1,000    Thanet adm  (21 - 20) x £1,000 = £1,000
#     Q1 = £2,000 (Thanet A&E's month is a negative saving, counted)
#   July 2018 (Q2):
#     Ashford A&E (110 - 90) x £100 = £2,000      Ashford adm (10 - 10) = £0
#     Thanet A&E  (200 - 190) x £100 = £1,000     Thanet adm  (21 - 21) = £0
#     Q2 = £3,000; to the end of Q2 £5,000
#   October 2018 (Q3): Ashford A&E 0 -> (110 - 0) x £100 = £11,000: after Q2, so not
#     counted as at Q2.
# By locality to Q2: Ashford 1,000 + 1,000 + 2,000 + 0 = £4,000; Thanet -1,000 + 1,000
# + 1,000 + 0 = £1,000. By measure: A&E 1,000 - 1,000 + 2,000 + 1,000 = £3,000;
# admissions 1,000 + 1,000 = £2,000.
#
# Expected: £218m a year x 12% (the ramp's 2018/19) / 12 = £2,180,000 a month,
# £6,540,000 a quarter; to the end of Q2 £13,080,000.
# Trajectories (only two): Ashford A&E 10%, Thanet admissions 50%. To Q2 that is six
# months at 12%, 0.72 of a year's steady state:
#   Ashford: 110 x 10% x 0.72 x £100 = £792;  Thanet: 21 x 50% x 0.72 x £1,000 = £7,560.
# Reinvestment: £75m x 12% / 12 = £750,000 a month, £2,250,000 a quarter; year to
# Q2 £4,500,000, against spend of £1,000,000 (Ashford's approved Q1 return; Thanet's
# submitted Q2 return is not counted).
# Commitments to 30 September 2018: non-recurring revenue £1,000,000 (programme-wide,
# May 2018); capital £3,800,000 (programme-wide, 30 September). Ashford's £2,000,000
# capital on 1 October is after Q2: not counted. Capital against £164m-£190m is 2% to
# 2% (3.8 / 190 = 2.0%, 3.8 / 164 = 2.3%); revenue against £39m 3% (2.56%).


def _month(year, month):
    return datetime.date(year, month, 1)


@pytest.fixture
def worked(db):
    year = factories.financial_year(2018)
    q1, q2 = factories.quarter(year, 1), factories.quarter(year, 2)
    q3 = factories.quarter(year, 3)
    ashford, thanet = factories.locality("Ashford"), factories.locality("Thanet")
    ae = factories.outcome_measure("ae-attendances")
    admissions = factories.outcome_measure("non-elective-admissions")
    OutcomeUnitCost.objects.create(measure=ae, pounds=Decimal("100"), source="Test costs")
    OutcomeUnitCost.objects.create(measure=admissions, pounds=Decimal("1000"))
    SavingsRamp.objects.create(start_year=2018, share_percent=Decimal("12"))
    SavingsRamp.objects.create(start_year=2019, share_percent=Decimal("40"))
    OutcomeTrajectory.objects.create(
        locality=ashford, measure=ae, steady_state_reduction_percent=Decimal("10")
    )
    OutcomeTrajectory.objects.create(
        locality=thanet, measure=admissions, steady_state_reduction_percent=Decimal("50")
    )
    for code, value, high in (
        ("gross-annual-savings", "218000000", None),
        ("annual-reinvestment", "75000000", None),
        ("non-recurring-revenue", "39000000", None),
        ("upfront-capital", "164000000", "190000000"),
    ):
        ProgrammeFigure.objects.create(
            code=code,
            label=code,
            group="Investment case (steady state)",
            value=Decimal(value),
            value_high=high and Decimal(high),
            source="KCC paper, 4.4",
        )
    extract = OutcomeExtract.objects.create(
        loaded_at=timezone.now(),
        file_name="test.csv",
        source="Test",
        first_month=_month(2016, 4),
        last_month=_month(2018, 10),
        rows=0,
    )
    values = {
        (ashford, ae): {
            (2016, 4): 100,
            (2016, 5): 120,
            (2018, 4): 100,
            (2018, 7): 90,
            (2018, 10): 0,
        },
        (ashford, admissions): {(2016, 4): 10, (2016, 5): 10, (2018, 4): 9, (2018, 7): 10},
        (thanet, ae): {(2016, 4): 200, (2016, 5): 200, (2018, 4): 210, (2018, 7): 190},
        (thanet, admissions): {(2016, 4): 20, (2016, 5): 22, (2018, 4): 20, (2018, 7): 21},
    }
    # Not estimated: Swale has no baseline months; bed days have no unit cost.
    swale = factories.locality("Swale")
    bed_days = factories.outcome_measure("bed-days")
    values[(swale, ae)] = {(2018, 4): 50}
    values[(ashford, bed_days)] = {(2016, 4): 500, (2018, 4): 1}
    MonthlyOutcome.objects.bulk_create(
        MonthlyOutcome(
            locality=locality, measure=measure, month=_month(*when), value=value, extract=extract
        )
        for (locality, measure), months in values.items()
        for when, value in months.items()
    )
    now = timezone.now()
    factories.quarterly_update(
        ashford,
        q1,
        status=QuarterlyUpdate.Status.APPROVED,
        spend_actual=Decimal("1000000"),
        submitted_at=now,
        reviewed_at=now,
    )
    factories.quarterly_update(
        thanet,
        q2,
        status=QuarterlyUpdate.Status.SUBMITTED,
        spend_actual=Decimal("500000"),
        submitted_at=now,
    )
    for kind, locality, amount, day in (
        ("non_recurring_revenue", None, "1000000", datetime.date(2018, 5, 1)),
        ("capital", None, "3800000", datetime.date(2018, 9, 30)),
        ("capital", ashford, "2000000", datetime.date(2018, 10, 1)),
    ):
        InvestmentCommitment.objects.create(
            kind=kind,
            locality=locality,
            title=f"{kind} {day}",
            amount=Decimal(amount),
            committed_on=day,
        )
    return {"q1": q1, "q2": q2, "q3": q3}


def _page(quarter, options):
    return DashboardPage(
        quarter=quarter,
        quarter_options=options,
        statuses=(QuarterlyUpdate.Status.APPROVED,),
        is_preview=False,
        today=datetime.date(2026, 1, 1),
    )


def test_the_savings_match_the_example_worked_by_hand(worked):
    found = benefits(page=_page(worked["q2"], [worked["q1"], worked["q2"]]))

    assert [(row.name, row.expected, row.estimated) for row in found.quarters] == [
        ("2018/19 Q1", Decimal("6540000"), Decimal("2000")),
        ("2018/19 Q2", Decimal("6540000"), Decimal("3000")),
    ]
    assert [(row.cumulative_expected, row.cumulative_estimated) for row in found.quarters] == [
        (Decimal("6540000"), Decimal("2000")),
        (Decimal("13080000"), Decimal("5000")),
    ]
    assert (found.total.expected, found.total.estimated) == (Decimal("13080000"), Decimal("5000"))
    assert found.total.months == 8
    assert [(row.name, row.expected, row.estimated) for row in found.years] == [
        ("2018/19 (to Q2)", Decimal("13080000"), Decimal("5000")),
    ]
    assert [(row.name, row.expected, row.estimated) for row in found.localities] == [
        ("Ashford", Decimal("792"), Decimal("4000")),
        ("Thanet", Decimal("7560"), Decimal("1000")),
    ]
    assert [(row.name, row.expected, row.estimated) for row in found.measures] == [
        ("ae-attendances", Decimal("792"), Decimal("3000")),
        ("non-elective-admissions", Decimal("7560"), Decimal("2000")),
    ]
    # Thanet's A&E in Q1: more activity than the baseline, a negative saving, counted.
    assert (found.negative_quarters, found.estimated_quarters) == (1, 8)
    assert found.last_month == datetime.date(2018, 7, 1)
    assert found.localities_without_baseline == 1
    assert found.measures_without_unit_cost == ["bed-days"]
    assert (found.compared_to, found.quarters_without_activity) == ("2018/19 Q2", 0)


def test_reinvestment_is_the_ramp_pro_rata_against_the_money_pages_spend(worked):
    found = benefits(page=_page(worked["q2"], [worked["q1"], worked["q2"]]))

    total = found.reinvestment_total
    assert (total.expected, total.spent, total.returns) == (
        Decimal("4500000"),
        Decimal("1000000"),
        1,
    )
    assert [(row.name, row.expected, row.spent) for row in found.reinvestment_quarters] == [
        ("2018/19 Q1", Decimal("2250000"), Decimal("1000000")),
        ("2018/19 Q2", Decimal("2250000"), Decimal("0")),
    ]
    assert {row.name: row.spent for row in found.reinvestment_localities} == {
        "Ashford": Decimal("1000000"),
        "Thanet": Decimal("0"),
        "Swale": Decimal("0"),  # every locality, as on the money page
    }


def test_commitments_are_counted_up_to_the_quarters_end(worked):
    at_q2 = benefits(page=_page(worked["q2"], [worked["q1"], worked["q2"]]))
    at_q3 = benefits(page=_page(worked["q3"], [worked["q1"], worked["q2"], worked["q3"]]))

    revenue, capital = at_q2.commitment_kinds
    assert (revenue.label, revenue.committed, revenue.percent_of_case) == (
        "Non-recurring revenue",
        Decimal("1000000"),
        "3%",
    )
    assert (capital.label, capital.committed, capital.commitments) == (
        "Capital",
        Decimal("3800000"),
        1,
    )
    assert capital.percent_of_case == "2% to 2%"
    assert at_q3.commitment_kinds[1].committed == Decimal("5800000")
    assert [(row.kind, row.locality, row.committed) for row in at_q3.commitment_rows] == [
        ("Capital", "Programme-wide", Decimal("3800000")),
        ("Capital", "Ashford", Decimal("2000000")),
        ("Non-recurring revenue", "Programme-wide", Decimal("1000000")),
    ]


def test_months_after_the_quarter_are_not_counted(worked):
    at_q1 = benefits(page=_page(worked["q1"], [worked["q1"]]))
    at_q3 = benefits(page=_page(worked["q3"], [worked["q1"], worked["q2"], worked["q3"]]))

    assert [row.estimated for row in at_q1.quarters] == [Decimal("2000")]
    assert at_q1.total.expected == Decimal("6540000")
    # October's £11,000 counts from Q3 on.
    assert at_q3.total.estimated == Decimal("16000")
    assert at_q3.quarters[-1].estimated == Decimal("11000")


def test_the_ramp_and_unit_costs_are_shown_as_data(worked):
    found = benefits(page=_page(worked["q2"], [worked["q1"], worked["q2"]]))

    assert [(row.year, row.share_percent, row.gross_expected) for row in found.ramp] == [
        ("2018/19", Decimal("12"), Decimal("26160000")),
        ("2019/20", Decimal("40"), Decimal("87200000")),
    ]
    assert [(cost.measure, cost.pounds, cost.source) for cost in found.unit_costs] == [
        ("ae-attendances", Decimal("100"), "Test costs"),
        ("non-elective-admissions", Decimal("1000"), ""),
    ]
    # Nothing in the example is marked illustrative.
    assert not found.breakdown_is_illustrative
    assert not found.commitments_are_illustrative


def test_a_quarter_before_the_programme_expects_and_estimates_nothing(db):
    year = factories.financial_year(2017)
    quarter = factories.quarter(year, 4)

    found = benefits(page=_page(quarter, [quarter]))

    assert found.quarters == []
    assert (found.total.expected, found.total.estimated) == (Decimal("0"), Decimal("0"))
    assert not found.has_months
    assert not found.figures["gross-annual-savings"].is_recorded


def test_quarters_are_named_as_financial_quarters():
    assert quarter_label(datetime.date(2018, 4, 1)) == "2018/19 Q1"
    assert quarter_label(datetime.date(2019, 1, 1)) == "2018/19 Q4"


# --- The page, with the illustrative data -----------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(BENEFITS)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={BENEFITS}"


@pytest.mark.parametrize("role", ["board_user", "office_user", "lead_thanet", "admin_user"])
def test_every_programme_role_sees_the_benefits_page(client, programme_data, role, request):
    client.force_login(request.getfixturevalue(role))

    response = client.get(BENEFITS + Q4)

    assert response.status_code == 200
    assert "<h1>Benefits</h1>" in response.text


def test_a_user_with_no_programme_role_is_refused(client, programme_data, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor", password="x" * 16))

    assert client.get(BENEFITS).status_code == 403


def test_the_page_tells_the_story_with_its_sources_and_markers(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(BENEFITS + Q4)

    data = response.context["benefits"]
    text = response.text
    # 2018/19 at 10% of £218m: £21.8m expected over the year.
    assert data.total.expected == Decimal("21800000")
    assert [row.name for row in data.quarters] == [f"2018/19 Q{n}" for n in (1, 2, 3, 4)]
    assert data.last_month == datetime.date(2019, 3, 1)
    assert "£21.8m" in text
    assert "ASCH Local Care implementation plan (4.4)" in text  # the £218m's source
    assert "How these are worked out" in text
    assert "negative savings" in text
    assert "adult social care savings are not counted" in text
    # Every input here is illustrative and marked where it is read (decision 0011).
    assert data.ramp_is_illustrative
    assert data.unit_costs_are_illustrative
    assert data.trajectory_is_illustrative
    assert data.activity_is_illustrative
    assert data.commitments_are_illustrative
    assert text.count('data-testid="illustrative-tag"') >= 8
    # The money page's spend, one figure on both pages.
    money = client.get(reverse("dashboard:money") + Q4).context["money"]
    assert data.reinvestment_total.spent == money.total.spent_to_date
    assert data.reinvestment_total.returns == money.total.returns
    assert {row.name: row.spent for row in data.reinvestment_localities} == {
        row.name: row.spent_to_date for row in money.localities.rows
    }
    # All four commitments were made by 31 March 2019.
    assert sum(kind.commitments for kind in data.commitment_kinds) == 4


def test_an_earlier_quarter_counts_only_its_months_and_commitments(
    client, programme_data, board_user
):
    client.force_login(board_user)

    data = client.get(BENEFITS + "?quarter=2018-19-q2").context["benefits"]

    assert [row.name for row in data.quarters] == ["2018/19 Q1", "2018/19 Q2"]
    assert data.last_month == datetime.date(2018, 9, 1)
    assert data.total.expected == Decimal("10900000")  # half of £21.8m
    # The capital commitment of 28 September counts; those of November and January do not.
    assert [kind.commitments for kind in data.commitment_kinds] == [1, 1]


def test_a_quarter_without_activity_yet_shows_the_case_and_stops_the_comparison_before_it(
    client, programme_data, board_user
):
    client.force_login(board_user)

    response = client.get(BENEFITS + "?quarter=2019-20-q1")

    data = response.context["benefits"]
    latest = data.quarters[-1]
    assert (latest.name, latest.expected, latest.estimated) == (
        "2019/20 Q1",
        Decimal("16350000"),  # £218m × 30% ÷ 4
        None,
    )
    assert latest.cumulative_estimated is None
    # The totals compare the four quarters of 2018/19 only.
    assert data.total.expected == Decimal("21800000")
    assert (data.compared_to, data.quarters_without_activity) == ("2018/19 Q4", 1)
    assert "the comparison stops at 2018/19 Q4" in response.text
    assert "No activity has been loaded yet for the 1 quarter after it." in response.text


def test_the_money_and_outcomes_pages_link_to_it(client, programme_data, board_user):
    client.force_login(board_user)

    money = client.get(reverse("dashboard:money") + Q4)
    outcomes = client.get(reverse("dashboard:outcomes") + Q4)
    page = client.get(BENEFITS + Q4)

    assert f'href="{BENEFITS}?quarter=2018-19-q4"' in money.text
    assert f'href="{BENEFITS}?quarter=2018-19-q4"' in outcomes.text
    # Under Money in the header.
    assert [item["label"] for item in page.context["dashboard_navigation"] if item["current"]] == [
        "Money"
    ]


@pytest.mark.parametrize(
    ("table", "header", "rows"),
    [
        ("quarters", "Quarter", 4),
        ("years", "Financial year", 1),
        ("localities", "Locality", 8),
        ("measures", "Measure", 4),
        ("commitments", "Kind", 4),
        ("spend", "Locality", 8),
    ],
)
def test_each_table_downloads_as_csv(client, programme_data, board_user, table, header, rows):
    client.force_login(board_user)

    response = client.get(BENEFITS + Q4 + f"&_export=csv&table={table}")

    assert response.status_code == 200
    assert f"benefits-{table}" in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][0] == header
    assert len(lines) == 1 + rows


def test_the_xlsx_download_has_the_numbers_shown(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(BENEFITS + Q4 + "&_export=xlsx&table=quarters")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Quarter", "Expected (case × ramp)", "Estimated from activity")
    assert rows[1][0] == "2018/19 Q1"
    assert rows[1][1] == 5500000  # £218m × 10% ÷ 4 = £5,450,000, shown as £5.5m


def test_an_unknown_table_is_not_found(client, programme_data, board_user):
    client.force_login(board_user)

    assert client.get(BENEFITS + Q4 + "&_export=csv&table=nonsense").status_code == 404


def monthly_for_every_locality():
    """Monthly activity for the localities the scale data adds (helper B's part of
    issue 18 adds it to tools.scale): the baseline and 2018/19, 100 a month then 90."""
    extract = OutcomeExtract.objects.order_by("pk").first()
    months = months_between(datetime.date(2016, 4, 1), datetime.date(2019, 3, 1))
    MonthlyOutcome.objects.bulk_create(
        MonthlyOutcome(
            locality=locality,
            measure=measure,
            month=month,
            value=100 if month < datetime.date(2018, 4, 1) else 90,
            extract=extract,
        )
        for locality in Locality.objects.filter(monthly_outcomes__isnull=True)
        for measure in OutcomeMeasure.objects.all()
        for month in months
    )


def test_localities_come_25_a_page_and_download_whole(client, programme_data, board_user):
    generate_scale_data(factor=4)  # 32 localities
    monthly_for_every_locality()
    client.force_login(board_user)

    first = client.get(BENEFITS + Q4)
    second = client.get(BENEFITS + Q4 + "&localities-page=2")
    download = client.get(BENEFITS + Q4 + "&_export=csv&table=localities")

    assert len(first.context["tables"]["localities"].page.object_list) == 25
    assert len(second.context["tables"]["localities"].page.object_list) == 32 - 25
    assert "localities-page=2" in first.text
    assert len(download.content.decode("utf-8-sig").strip().splitlines()) == 1 + 32


def test_queries_are_few_and_do_not_grow_with_the_data(
    client, programme_data, board_user, django_assert_max_num_queries
):
    client.force_login(board_user)
    client.get(BENEFITS + Q4)  # the session and user are cached after the first request

    # Session, user, groups, quarters (4); the case's figures, the ramp, the measures and
    # their unit costs, the baseline means, the months by quarter, the trajectories,
    # the money page's five, the commitments (12). The monthly series at scale are helper
    # B's (issue 18): pinned here with the scale data as it stands.
    # 20: + the structure in force at the quarter's end (4, cold; decision 0023).
    with django_assert_max_num_queries(20):
        client.get(BENEFITS + Q4)
    before = query_count(client, BENEFITS + Q4)
    generate_scale_data(factor=10)
    monthly_for_every_locality()
    assert MonthlyOutcome.objects.values("locality").distinct().count() == 80
    assert query_count(client, BENEFITS + Q4) == before == 20
