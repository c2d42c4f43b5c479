"""Synthetic data at N times the real programme: counts, validity, flags and history."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery

from localities.models import (
    BASELINE_FIRST_MONTH,
    MDT,
    FinancialYear,
    Locality,
    Milestone,
    MonthlyOutcome,
    Objective,
    OutcomeBaseline,
    OutcomeExtract,
    OutcomeMeasure,
    OutcomeTrajectory,
    PlannedInvestment,
    Quarter,
    SubSystem,
)
from risks.models import MitigatingAction, Risk, RiskReview
from tests.helpers import programme_models
from tools.scale import ScaleDataError, generate_scale_data
from updates.models import MaturityScore, ObjectiveStatus, OutcomeFigure, QuarterlyUpdate

REAL_LOCALITIES = 8
REAL_QUARTERS = 12
ELEMENTS = 8


def snapshot():
    """Highest pk, row count and history count of every programme model."""
    return {
        model._meta.label: (
            model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
            model.objects.count(),
            model.history.count(),
        )
        for model in programme_models()
    }


def created_rows(model, before):
    return model.objects.filter(pk__gt=before[model._meta.label][0])


def assert_scaled(report, before, factor):
    """The checks every factor must pass, against the database before the run."""
    after = snapshot()
    synthetic = (factor - 1) * REAL_LOCALITIES
    measures = OutcomeMeasure.objects.count()

    # The report counts exactly the rows that were added, and each has one history row.
    for model in programme_models():
        label = model._meta.label
        added = after[label][1] - before[label][1]
        assert report.created.get(label, 0) == added, label
        assert after[label][2] - before[label][2] == added, f"{label} history"
    assert Locality.history.filter(slug__startswith="synthetic").count() == synthetic

    # Counts scale with the factor.
    assert Locality.objects.count() == REAL_LOCALITIES * factor
    assert Locality.objects.filter(slug__startswith="synthetic-").count() == synthetic
    assert SubSystem.objects.filter(name__startswith="Synthetic sub-system").count() == factor - 1
    assert Quarter.objects.count() == min(4 * factor + 8, 40)
    localities = created_rows(Locality, before)
    updates = created_rows(QuarterlyUpdate, before)
    quarters_with_updates = 4 + 4 * min(factor - 1, 7)
    assert updates.count() == synthetic * quarters_with_updates
    assert created_rows(ObjectiveStatus, before).count() == updates.count() * 4
    # Returns carry no outcome figures (decision 0019), nor is a quarterly baseline kept.
    assert not created_rows(OutcomeFigure, before).exists()
    assert (
        created_rows(MaturityScore, before).count()
        == updates.filter(quarter__number__in=[2, 4]).count() * ELEMENTS
    )
    assert not created_rows(OutcomeBaseline, before).exists()
    # Every month from April 2016 to March 2019 for each synthetic locality and measure,
    # loaded by one synthetic extract; a trajectory per locality and measure.
    monthly = created_rows(MonthlyOutcome, before)
    assert monthly.count() == synthetic * measures * 36
    [extract] = created_rows(OutcomeExtract, before)
    assert (extract.first_month, extract.last_month, extract.rows) == (
        dt.date(2016, 4, 1),
        dt.date(2019, 3, 1),
        synthetic * measures * 36,
    )
    assert not monthly.exclude(extract=extract).exists()
    assert not monthly.exclude(locality__in=localities).exists()
    assert created_rows(OutcomeTrajectory, before).count() == synthetic * measures
    assert created_rows(PlannedInvestment, before).count() == synthetic * (1 + min(factor - 1, 7))
    assert created_rows(Milestone, before).count() == synthetic * 4
    assert 5 * synthetic <= created_rows(MDT, before).count() <= 7 * synthetic
    assert 4 * synthetic <= created_rows(Risk, before).count() <= 6 * synthetic
    assert not localities.annotate(n=Count("mdts")).filter(n=0).exists()

    # No synthetic update after 2018/19 Q4: "latest quarter with data" stays put.
    assert not updates.filter(quarter__start_date__gt=dt.date(2019, 1, 1)).exists()
    # Every update has a status for each objective of its own year.
    assert not (
        ObjectiveStatus.objects.filter(update__in=updates)
        .exclude(objective__financial_year=F("update__quarter__financial_year"))
        .exists()
    )

    # Every row that can say so is flagged as invented.
    for model in programme_models():
        if any(f.name == "is_illustrative" for f in model._meta.fields):
            assert not created_rows(model, before).filter(is_illustrative=False).exists(), model
    assert not created_rows(Risk, before).filter(scores_are_illustrative=False).exists()

    # A sample of every model's new rows passes validation.
    for model in programme_models():
        rows = created_rows(model, before).order_by("pk")
        for row in [*rows[:10], *rows.reverse()[:10]]:
            row.full_clean()

    risks = created_rows(Risk, before)
    assert not risks.exclude(status=Risk.Status.OPEN).exists()
    latest = RiskReview.objects.filter(risk=OuterRef("pk")).order_by("-reviewed_on", "-id")
    mismatched = risks.annotate(
        latest_likelihood=Subquery(latest.values("likelihood")[:1]),
        latest_consequence=Subquery(latest.values("consequence")[:1]),
    ).filter(
        ~Q(latest_likelihood=F("current_likelihood"))
        | ~Q(latest_consequence=F("current_consequence"))
        | Q(latest_likelihood__isnull=True)
    )
    assert not mismatched.exists()
    counts = risks.annotate(
        review_count=Count("reviews", distinct=True), action_count=Count("actions", distinct=True)
    )
    assert not counts.filter(Q(review_count__lt=1) | Q(review_count__gt=3)).exists()
    assert not counts.filter(Q(action_count__lt=1) | Q(action_count__gt=2)).exists()


@pytest.mark.usefixtures("programme_data")
def test_factor_one_adds_nothing():
    before = snapshot()

    report = generate_scale_data(factor=1)

    assert report.created == {}
    assert snapshot() == before


@pytest.mark.usefixtures("programme_data")
@pytest.mark.parametrize("factor", [2, 10])
def test_counts_scale_with_the_factor(factor):
    before = snapshot()

    report = generate_scale_data(factor=factor, seed=factor)

    assert_scaled(report, before, factor)


def planner_row_estimate(model) -> int:
    """How many rows the database's query planner believes the table holds."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            return int(cursor.fetchone()[0])
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [table])
        return int(cursor.fetchone()[0].split()[0])


@pytest.mark.usefixtures("programme_data")
def test_the_planner_is_told_how_big_the_tables_now_are():
    """Without fresh statistics PostgreSQL plans for the small tables it last
    analysed: the overview took 33 s at ten times the data, 4 s with them."""
    generate_scale_data(factor=3)

    for model in (QuarterlyUpdate, ObjectiveStatus, MonthlyOutcome, Risk, RiskReview):
        assert planner_row_estimate(model) == model._base_manager.count(), model.__name__
    assert planner_row_estimate(QuarterlyUpdate.history.model) == (QuarterlyUpdate.history.count())


@pytest.mark.usefixtures("programme_data")
def test_real_rows_are_not_touched():
    tracked = {
        Locality: ("name", "slug", "sub_system_id", "is_illustrative"),
        FinancialYear: ("start_year",),
        Quarter: ("financial_year_id", "number", "start_date", "submission_deadline"),
        Objective: ("financial_year_id", "number", "title"),
        QuarterlyUpdate: ("locality_id", "quarter_id", "status", "spend_actual"),
    }
    real_pks = {model: list(model.objects.values_list("pk", flat=True)) for model in tracked}

    def real_rows():
        return {
            model: (
                list(model.objects.filter(pk__in=real_pks[model]).order_by("pk").values_list(*f)),
                model.history.filter(id__in=real_pks[model]).count(),
            )
            for model, f in tracked.items()
        }

    before = real_rows()

    generate_scale_data(factor=3)

    assert real_rows() == before
    real_years = real_pks[FinancialYear]
    new_years = FinancialYear.objects.exclude(pk__in=real_years)
    # Before the monthly baseline (April 2016 to March 2018): no synthetic quarter is one
    # of its months.
    assert sorted(new_years.values_list("start_year", flat=True)) == [2014, 2015]
    assert not Quarter.objects.filter(
        financial_year__in=new_years, end_date__gte=BASELINE_FIRST_MONTH
    ).exists()
    # Synthetic years have the four objectives of 2018/19, by short title.
    programme = list(
        Objective.objects.filter(financial_year__start_year=2018).values_list(
            "number", "short_title"
        )
    )
    for year in new_years:
        assert list(year.objectives.values_list("number", "short_title")) == programme
        for quarter in year.quarters.all():
            assert (quarter.start_date, quarter.end_date) == Quarter.dates_for(
                year.start_year, quarter.number
            )
            assert quarter.submission_deadline == quarter.end_date + dt.timedelta(days=21)


@pytest.mark.usefixtures("programme_data")
def test_running_twice_adds_a_second_batch_without_clashes():
    generate_scale_data(factor=2)
    quarters = Quarter.objects.count()

    report = generate_scale_data(factor=2)

    assert Locality.objects.count() == 3 * REAL_LOCALITIES
    assert Locality.objects.filter(slug="synthetic-0016").exists()
    assert SubSystem.objects.filter(slug="synthetic-sub-system-02").exists()
    # The synthetic year from the first run is reused, not duplicated.
    assert Quarter.objects.count() == quarters
    assert "localities.FinancialYear" not in report.created
    assert Risk.objects.filter(reference__startswith="SYN-").count() == (
        Risk.objects.filter(locality__slug__startswith="synthetic-").count()
    )


@pytest.mark.usefixtures("programme_data")
def test_the_same_seed_gives_the_same_data():
    def generated(seed):
        with transaction.atomic():
            generate_scale_data(factor=2, seed=seed)
            rows = (
                list(
                    Risk.objects.filter(reference__startswith="SYN-").values_list(
                        "reference", "title", "current_likelihood", "current_consequence"
                    )
                ),
                list(
                    QuarterlyUpdate.objects.filter(locality__slug__startswith="synthetic-")
                    .order_by("pk")
                    .values_list("status", "spend_actual", "summary")
                ),
            )
            transaction.set_rollback(True)
        return rows

    assert generated(7) == generated(7)
    assert generated(7) != generated(8)


@pytest.mark.django_db
def test_refuses_without_reference_data():
    with pytest.raises(ScaleDataError, match="loaddata reference"):
        generate_scale_data(factor=2)


@pytest.mark.django_db
def test_refuses_a_factor_below_one():
    with pytest.raises(ScaleDataError, match="at least 1"):
        generate_scale_data(factor=0)


@pytest.mark.usefixtures("programme_data")
def test_command_prints_the_report():
    out = io.StringIO()

    call_command("generate_scale_data", factor=2, seed=1, stdout=out)

    text = out.getvalue()
    assert "localities.Locality" in text
    assert f"{REAL_LOCALITIES:>9,}" in text
    assert "history rows" in text
    assert MitigatingAction.objects.filter(risk__reference__startswith="SYN-").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("factor", ["0", "-3"])
def test_command_refuses_a_factor_below_one(factor):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_scale_data", "--factor", factor)


@pytest.mark.django_db
def test_command_explains_missing_reference_data():
    with pytest.raises(CommandError, match="loaddata reference"):
        call_command("generate_scale_data", "--factor", "2")
