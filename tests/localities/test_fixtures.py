"""The reference fixture holds the papers' facts; the illustrative one is flagged and regenerable."""

import datetime as dt
import io
import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Sum

from localities.models import (
    MDT,
    CareModelElement,
    CriticalArea,
    FinancialYear,
    InfrastructureTier,
    Locality,
    Milestone,
    Objective,
    OutcomeBaseline,
    OutcomeMeasure,
    PlannedInvestment,
    ProgrammeFigure,
    Quarter,
    SubSystem,
)
from risks.models import MitigatingAction, Risk, RiskReview, ScoreBand
from tests.helpers import assign_lead, programme_models
from updates.models import QuarterlyUpdate

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DATA_AS_AT = dt.date(2019, 3, 31)

LOCALITIES = {
    "ashford": ("Ashford", "east-kent"),
    "canterbury-and-coastal": ("Canterbury and Coastal", "east-kent"),
    "south-kent-coast": ("South Kent Coast", "east-kent"),
    "thanet": ("Thanet", "east-kent"),
    "dartford-gravesham-and-swanley": ("Dartford, Gravesham and Swanley", "north-kent"),
    "swale": ("Swale", "north-kent"),
    "medway": ("Medway", "medway"),
    "west-kent": ("West Kent", "west-kent"),
}

NAMED_MDTS = {
    "south-kent-coast": {"Deal", "Dover", "Folkestone", "Romney Marsh"},
    "thanet": {"Broadstairs", "Margate", "Ramsgate", "Quex cluster"},
    "west-kent": {"Maidstone Central", "Malling"},
    "canterbury-and-coastal": {"Canterbury"},
}


def fixture_rows(name):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


# --- Reference data: the papers' facts -------------------------------------


@pytest.mark.django_db
def test_four_sub_systems(programme_data):
    # Still in force: the fixtures' 2020 merger merged commissioners, not sub-systems.
    assert SubSystem.objects.in_force_on(dt.date(2022, 7, 1)).count() == 4
    in_2018_19 = SubSystem.objects.in_force_on(dt.date(2019, 3, 31))
    assert dict(in_2018_19.values_list("slug", "name")) == {
        "east-kent": "East Kent",
        "north-kent": "North Kent",
        "medway": "Medway",
        "west-kent": "West Kent",
    }


@pytest.mark.django_db
def test_eight_localities_with_exact_names_and_sub_systems(programme_data):
    actual = {
        locality.slug: (locality.name, locality.sub_system.slug)
        for locality in Locality.objects.in_force_on(dt.date(2019, 3, 31)).select_related(
            "sub_system"
        )
    }
    assert actual == LOCALITIES


@pytest.mark.django_db
def test_localities_are_real_and_carry_no_invented_population(programme_data):
    assert not Locality.objects.filter(is_illustrative=True).exists()
    assert not Locality.objects.filter(registered_population__isnull=False).exists()


@pytest.mark.django_db
def test_financial_years_and_quarters_with_a_deadline_three_weeks_after_the_end(programme_data):
    assert list(FinancialYear.objects.values_list("start_year", flat=True)) == [2017, 2018, 2019]
    quarters = list(Quarter.objects.chronological())
    assert len(quarters) == 12
    for quarter in quarters:
        start, end = Quarter.dates_for(quarter.financial_year.start_year, quarter.number)
        assert (quarter.start_date, quarter.end_date) == (start, end)
        assert quarter.submission_deadline == end + dt.timedelta(days=21)
    q1 = Quarter.objects.get(financial_year__start_year=2018, number=1)
    assert (q1.start_date, q1.end_date) == (dt.date(2018, 4, 1), dt.date(2018, 6, 30))


@pytest.mark.django_db
def test_four_objectives_for_2018_19_from_the_joint_board(programme_data):
    objectives = list(Objective.objects.filter(financial_year__start_year=2018))
    assert [o.short_title for o in objectives] == [
        "Integrated locality plans",
        "Standardised MDTs",
        "Interagency partnerships",
        "Expanding the model",
    ]
    assert objectives[0].title.startswith("Development of 8 integrated locality plans")
    assert "30-50,000" in objectives[1].title
    assert all("28 June 2018" in o.source for o in objectives)
    assert all(o.measure for o in objectives)


@pytest.mark.django_db
def test_seven_critical_areas_each_with_actions(programme_data):
    areas = list(CriticalArea.objects.prefetch_related("actions"))
    assert [a.name for a in areas] == [
        "STP payment mechanism",
        "Information flow",
        "Change in core processes",
        "Workforce",
        "Estates",
        "Communications and engagement",
        "Governance",
    ]
    assert [a.number for a in areas] == list(range(1, 8))
    for area in areas:
        actions = list(area.actions.all())
        assert actions, area
        for action in actions:
            assert action.progress_to_date
            assert action.next_steps
            assert action.source
            assert action.owner_role


@pytest.mark.django_db
def test_eight_care_model_elements(programme_data):
    assert list(CareModelElement.objects.values_list("number", "name")) == [
        (1, "Care and support planning with care navigation and case management"),
        (2, "Self-care and management"),
        (3, "Healthy living environment"),
        (4, "Integrated health and social care at or close to home"),
        (5, "Single point of access"),
        (6, "Rapid response"),
        (7, "Discharge planning and reablement"),
        (8, "Access to expert opinion and timely diagnostics"),
    ]


@pytest.mark.django_db
def test_four_outcome_measures_where_lower_is_better(programme_data):
    assert list(OutcomeMeasure.objects.values_list("code", "name", "lower_is_better")) == [
        ("ae-attendances", "A&E attendances", True),
        ("non-elective-admissions", "Non-elective admissions", True),
        ("outpatient-attendances", "Outpatient attendances", True),
        ("bed-days", "Bed days", True),
    ]


@pytest.mark.django_db
def test_named_mdts_are_in_their_localities_and_flagged(programme_data):
    for slug, names in NAMED_MDTS.items():
        mdts = MDT.objects.filter(locality__slug=slug, name__in=names)
        assert set(mdts.values_list("name", flat=True)) == names
        assert all(m.is_illustrative and "From the papers" in m.notes for m in mdts)


@pytest.mark.django_db
def test_deep_dives_slipped_from_august_to_november_and_december(programme_data):
    deep_dives = {m.title: m for m in Milestone.objects.filter(title__startswith="Deep dive: ")}
    assert set(deep_dives) == {
        "Deep dive: East Kent",
        "Deep dive: Medway",
        "Deep dive: North Kent",
        "Deep dive: West Kent",
    }
    expected_actual = {
        "Deep dive: East Kent": dt.date(2018, 11, 23),
        # "for East Kent and Medway, North and West Kent … were held on 23 November
        # 2018 and 11 December 2018 respectively" (Joint Board minutes).
        "Deep dive: Medway": dt.date(2018, 11, 23),
        "Deep dive: North Kent": dt.date(2018, 12, 11),
        "Deep dive: West Kent": dt.date(2018, 12, 11),
    }
    for title, milestone in deep_dives.items():
        assert milestone.planned_start == dt.date(2018, 8, 1)
        assert milestone.planned_end == dt.date(2018, 9, 7)
        assert milestone.timing_as_written == "August / early September 2018"
        assert milestone.status == Milestone.Status.COMPLETE
        assert milestone.actual_date == expected_actual[title]
        assert f"held on {expected_actual[title]:%-d %B %Y}" in milestone.description
        # Months against the paper's month-level words, never days from a guessed window end.
        assert milestone.slippage().phrase == (
            "About three months after “August / early September 2018”"
        )


@pytest.mark.django_db
def test_communications_milestones_keep_their_fuzzy_timings(programme_data):
    comms = Milestone.objects.filter(workstream="Communications and engagement")
    assert comms.count() == 10
    timings = dict(comms.values_list("title", "timing_as_written"))
    assert timings["Co-design model for social prescribing"] == "July-Sep?"
    assert timings["Co-design model for care navigation"] == "July-Sep?"
    assert timings["Publicise cluster organisational development toolkit"] == "TBC"
    assert timings["Co-design models of care for the rest of Dorothy's family"] == "In progress"

    uncertain = comms.filter(is_date_uncertain=True)
    assert set(uncertain.values_list("timing_as_written", flat=True)) == {
        "July-Sep?",
        "TBC",
        "In progress",
    }
    undated = comms.filter(planned_start__isnull=True)
    assert set(undated.values_list("timing_as_written", flat=True)) == {"TBC", "In progress"}
    assert not undated.filter(planned_end__isnull=False).exists()


@pytest.mark.django_db
def test_milestones_are_honest_about_what_happened_by_march_2019(programme_data):
    for milestone in Milestone.objects.all():
        assert milestone.source, milestone
        if milestone.status == Milestone.Status.COMPLETE:
            assert milestone.actual_date <= DATA_AS_AT
    single_day = Milestone.objects.get(title="Workforce workshop")
    assert single_day.planned_start == single_day.planned_end == dt.date(2018, 8, 16)
    assert single_day.actual_date == dt.date(2018, 8, 16)


@pytest.mark.django_db
def test_eight_key_risks_of_july_2018_with_their_categories(programme_data):
    risks = Risk.objects.filter(reference__regex=r"^LC-R0[1-8]$").select_related("category")
    assert [r.reference for r in risks] == [f"LC-R{n:02d}" for n in range(1, 9)]
    assert Counter(r.category.name for r in risks) == {
        "Culture": 1,
        "Communication": 2,
        "Workforce": 1,
        "Financial": 4,
    }
    for risk in risks:
        assert risk.locality is None
        assert risk.status == Risk.Status.OPEN
        assert risk.date_raised == dt.date(2018, 7, 1)
        assert risk.owner_role
        # The papers name no owner and give no dates: those are flagged as invented.
        assert risk.owner_and_dates_are_illustrative
        assert risk.source.startswith(
            "Kent and Medway Joint Health and Wellbeing Board, 9 October 2018: STP Local Care update (7.2"
        ) or risk.source.endswith("risks and issues of the communications and engagement plan)")
    assert risks[0].description.startswith("Not achieving the cultural change required")


@pytest.mark.django_db
def test_score_bands_cover_every_product_of_the_five_by_five_matrix(programme_data):
    assert list(
        ScoreBand.objects.values_list(
            "name", "min_score", "max_score", "colour", "review_every_days"
        )
    ) == [
        ("Low", 1, 3, "green", 180),
        ("Moderate", 4, 6, "yellow", 90),
        ("High", 8, 12, "orange", 30),
        ("Extreme", 15, 25, "red", 30),
    ]
    bands = list(ScoreBand.objects.all())
    for likelihood in range(1, 6):
        for consequence in range(1, 6):
            score = likelihood * consequence
            assert sum(b.min_score <= score <= b.max_score for b in bands) == 1, score


@pytest.mark.django_db
def test_investment_case_figures_and_the_32m(programme_data):
    figures = {f.code: f for f in ProgrammeFigure.objects.all()}
    pounds = {code: f.value for code, f in figures.items() if f.unit == ProgrammeFigure.Unit.POUNDS}
    assert pounds["gross-annual-savings"] == Decimal("218000000")
    assert pounds["annual-reinvestment"] == Decimal("75000000")
    assert pounds["net-annual-savings"] == Decimal("143000000")
    assert pounds["non-recurring-revenue"] == Decimal("39000000")
    assert (figures["upfront-capital"].value, figures["upfront-capital"].value_high) == (
        Decimal("164000000"),
        Decimal("190000000"),
    )
    assert pounds["invested-to-date"] == Decimal("32000000")
    assert figures["invested-to-date"].as_at == "Undated minutes; after 11 December 2018"
    assert "plan" not in figures["invested-to-date"].label.lower()
    assert figures["generic-workers"].value == 415
    assert figures["generic-workers"].unit == ProgrammeFigure.Unit.COUNT
    assert pounds["system-deficit-2020-21"] == Decimal("486000000")
    assert all(f.source for f in figures.values())


# --- Illustrative data: flagged, consistent, regenerable ---------------------


@pytest.mark.django_db
def test_planned_investment_for_2018_19_sums_to_exactly_32m(programme_data):
    plans = PlannedInvestment.objects.filter(financial_year__start_year=2018)
    assert plans.count() == 8
    assert plans.aggregate(total=Sum("amount"))["total"] == Decimal("32000000.00")
    assert all(plan.is_illustrative for plan in plans)


@pytest.mark.django_db
def test_every_invented_row_is_flagged(programme_data):
    assert QuarterlyUpdate.objects.count() == 40
    assert not QuarterlyUpdate.objects.filter(is_illustrative=False).exists()
    assert not MDT.objects.filter(is_illustrative=False).exists()
    assert not OutcomeBaseline.objects.filter(is_illustrative=False).exists()
    assert not RiskReview.objects.filter(is_illustrative=False).exists()
    scored = Risk.objects.exclude(
        inherent_likelihood__isnull=True,
        current_likelihood__isnull=True,
        target_likelihood__isnull=True,
    )
    assert scored.count() == 13
    assert not scored.filter(scores_are_illustrative=False).exists()
    # The key risks of July 2018 are real; the locality risks are invented.
    key_risks = Risk.objects.filter(reference__in=[f"LC-R{n:02d}" for n in range(1, 9)])
    assert not key_risks.filter(is_illustrative=True).exists()
    assert not Risk.objects.exclude(pk__in=key_risks).filter(is_illustrative=False).exists()
    assert not MitigatingAction.objects.filter(is_illustrative=False).exists()


@pytest.mark.django_db
def test_placeholder_mdts_say_so_and_every_locality_has_mdts(programme_data):
    placeholders = MDT.objects.filter(pk__gte=1000)
    assert placeholders.exists()
    assert all(m.name.endswith("(illustrative)") for m in placeholders)
    assert all(30_000 <= m.population_covered <= 50_000 for m in placeholders)
    assert set(MDT.objects.values_list("locality__slug", flat=True)) == set(LOCALITIES)
    live_at_q4 = MDT.objects.filter(actual_go_live__lte=DATA_AS_AT).count()
    live_at_q1 = MDT.objects.filter(actual_go_live__lte=dt.date(2018, 6, 30)).count()
    assert live_at_q4 > 2 * live_at_q1


@pytest.mark.django_db
def test_quarterly_updates_cover_baseline_and_every_quarter_of_2018_19(programme_data):
    baseline = QuarterlyUpdate.objects.filter(
        quarter__financial_year__start_year=2017, quarter__number=3
    )
    assert baseline.count() == 8
    for update in baseline:
        assert update.summary == "Maturity matrix baseline, October 2017 (illustrative scores)"
        assert update.maturity_scores.count() == 8
        assert not update.objective_statuses.exists()
        assert not update.outcome_figures.exists()

    updates = QuarterlyUpdate.objects.filter(quarter__financial_year__start_year=2018)
    assert updates.count() == 32
    for update in updates.select_related("quarter"):
        assert update.objective_statuses.count() == 4
        assert not update.outcome_figures.exists()  # the monthly extract is the record
        assert update.maturity_scores.count() == (8 if update.quarter.number in (2, 4) else 0)
        assert update.locality_plan_refreshed is (update.quarter.number >= 2)
        assert update.submitted_by is None
        assert update.reviewed_by is None


@pytest.mark.django_db
def test_q4_workflow_states(programme_data):
    q4 = {
        u.locality.slug: u
        for u in QuarterlyUpdate.objects.filter(
            quarter__financial_year__start_year=2018, quarter__number=4
        ).select_related("locality")
    }
    assert q4["thanet"].status == QuarterlyUpdate.Status.SUBMITTED
    assert q4["thanet"].reviewed_at is None
    assert q4["medway"].status == QuarterlyUpdate.Status.DRAFT
    assert q4["medway"].submitted_at is None
    assert q4["swale"].status == QuarterlyUpdate.Status.RETURNED
    assert q4["swale"].review_comments
    others = [u for slug, u in q4.items() if slug not in {"thanet", "medway", "swale"}]
    assert all(u.status == QuarterlyUpdate.Status.APPROVED for u in others)


@pytest.mark.django_db
def test_derived_milestones_agree_with_the_mdt_register_and_returns(programme_data):
    """Built by the rules the app keeps them with (decision 0009)."""
    derived = {
        (m.locality.slug, m.derived_from): m
        for m in Milestone.objects.exclude(derived_from="").select_related("locality")
    }
    for slug in {slug for slug, _ in derived}:
        mdts = MDT.objects.filter(locality__slug=slug, planned_go_live__lte="2019-03-31")
        milestone = derived[(slug, Milestone.DerivedFrom.MDTS_LIVE)]
        all_live = not mdts.filter(actual_go_live=None).exists()
        assert (milestone.status == Milestone.Status.COMPLETE) == all_live, slug
        plan = derived[(slug, Milestone.DerivedFrom.PLAN_REFRESHED)]
        assert plan.status == Milestone.Status.COMPLETE
        assert plan.actual_date == dt.date(2018, 9, 30)  # Q2's return says refreshed


@pytest.mark.django_db
def test_spend_planned_is_a_quarter_of_the_annual_plan(programme_data):
    for plan in PlannedInvestment.objects.filter(financial_year__start_year=2018):
        updates = QuarterlyUpdate.objects.filter(
            locality=plan.locality, quarter__financial_year=plan.financial_year
        )
        assert {u.spend_planned for u in updates} == {plan.amount / 4}


@pytest.mark.django_db
def test_latest_review_of_each_scored_risk_matches_its_current_score(programme_data):
    for risk in Risk.objects.filter(status=Risk.Status.OPEN).prefetch_related("reviews"):
        reviews = list(risk.reviews.all())
        assert reviews, risk
        latest = max(reviews, key=lambda r: r.reviewed_on)
        assert (latest.likelihood, latest.consequence) == (
            risk.current_likelihood,
            risk.current_consequence,
        )
        assert risk.next_review_date > latest.reviewed_on
    key_risks = Risk.objects.filter(reference__regex=r"^LC-R0[1-8]$")
    assert all(2 <= r.reviews.count() <= 4 for r in key_risks)


@pytest.mark.django_db
def test_locality_risks_and_a_proposed_risk_for_thanet(programme_data):
    locality_risks = Risk.objects.filter(locality__isnull=False, status=Risk.Status.OPEN)
    assert locality_risks.count() == 5
    assert all(r.actions.exists() for r in locality_risks)
    proposed = Risk.objects.get(status=Risk.Status.PROPOSED)
    assert proposed.locality.slug == "thanet"
    assert proposed.reference is None
    assert proposed.current_likelihood is None


@pytest.mark.django_db
def test_every_loaded_row_passes_model_validation(programme_data):
    # loaddata saves raw rows: only database constraints run. This catches
    # what only model validation would (max_length on SQLite, validators).
    for model in programme_models():
        for instance in model.objects.all():
            instance.full_clean()


@pytest.mark.django_db
def test_loading_both_fixtures_twice_changes_nothing(programme_data):
    before = {model: model.objects.count() for model in programme_models()}
    call_command("loaddata", "reference", "structure", "governance", "illustrative", verbosity=0)
    assert {model: model.objects.count() for model in programme_models()} == before


@pytest.mark.django_db
def test_reloading_the_fixtures_keeps_lead_assignments(programme_data, django_user_model):
    lead = django_user_model.objects.create_user(username="lead-for-reload")
    assignment = assign_lead(lead, "thanet", start=dt.date(2019, 1, 1))
    call_command("loaddata", "reference", "structure", "governance", "illustrative", verbosity=0)
    assert list(Locality.objects.get(slug="thanet").lead_assignments.all()) == [assignment]
    assignment.refresh_from_db()
    assert (assignment.user, assignment.in_force_from) == (lead, dt.date(2019, 1, 1))


def test_illustrative_primary_keys_never_clash_with_reference():
    reference = {(row["model"], row["pk"]) for row in fixture_rows("reference")}
    illustrative = fixture_rows("illustrative")
    assert all(row["pk"] >= 1000 for row in illustrative)
    assert not reference & {(row["model"], row["pk"]) for row in illustrative}


def test_board_reports_are_illustrative_rows_of_the_illustrative_fixture():
    """The papers hold no quarterly board report: any in a fixture is invented, flagged,
    and numbered clear of the real rows (pk 1000 up), in whichever fixture it sits."""
    for name in ("reference", "structure", "governance", "illustrative"):
        for row in fixture_rows(name):
            if row["model"] == "governance.boardreport":
                assert row["fields"]["is_illustrative"] is True, (name, row["pk"])
                assert row["pk"] >= 1000, (name, row["pk"])
    reports = [r for r in fixture_rows("illustrative") if r["model"] == "governance.boardreport"]
    assert sorted(r["fields"]["status"] for r in reports) == ["approved", "draft"]


@pytest.mark.django_db
def test_the_demo_board_reports_satisfy_the_forms_rules(programme_data):
    from governance.models import BoardReport
    from governance.report_forms import BoardReportForm

    for report in BoardReport.objects.all():
        data = {name: getattr(report, name) for name in BoardReportForm.Meta.fields}
        data.update(
            quarter=report.quarter_id,
            body=report.body_id,
            meeting=report.meeting_id or "",
            meeting_date=report.meeting_date.isoformat() if report.meeting_date else "",
            loaded_version=report.version,
        )
        form = BoardReportForm(data, instance=report)
        assert form.is_valid(), form.errors


def test_no_personal_names_emails_or_phone_numbers_in_fixtures():
    # The source papers name officers and give their contact details; the
    # fixtures name roles only.
    for name in ("reference", "structure", "governance", "illustrative"):
        text = (FIXTURES / f"{name}.json").read_text(encoding="utf-8")
        assert not re.search(r"[\w.]+@[\w.]+\.\w+", text)
        assert not re.search(r"\b0\d{3,4} ?\d{3} ?\d{3,4}\b", text)
        for surname in ("Selkirk", "Bellman", "Lloyd", "Parker", "Singh", "Gibbens", "Davis"):
            assert surname not in text


def test_illustrative_fixture_is_regenerated_byte_for_byte(tmp_path):
    output = tmp_path / "illustrative.json"
    call_command("build_illustrative_fixture", output=output, stdout=io.StringIO())
    assert output.read_bytes() == (FIXTURES / "illustrative.json").read_bytes()


# --- Facts right, sources right --------------------------------------------

HASC_2017 = "Medway Health and Adult Social Care Overview and Scrutiny Committee, 2017"
KCC_MARCH_2018 = "KCC Health Reform and Public Health Cabinet Committee, 13 March 2018"
# How the repository must never cite the undated Joint Board minutes.
MINUTES_MISDATED = re.compile(
    r"minutes,? \(?December 2018|invested,? \(?December 2018|Joint Board, December 2018"
    r"|By December 2018|agreed December 2018|by December 2018\)|Outcome \(December 2018\)"
    r"|In December 2018 the Joint Board",
    re.IGNORECASE,
)


def test_the_undated_minutes_are_never_cited_as_december_2018():
    # The minutes carry no meeting date: they report deep dives of 23 November and
    # 11 December 2018, so the meeting was after 11 December 2018.
    root = Path(settings.BASE_DIR)
    files = [root / "README.md", *root.glob("fixtures/*.json"), *root.glob("docs/**/*.md")]
    for folder in ("templates", "localities", "dashboard", "risks"):
        files += [
            path
            for path in (root / folder).rglob("*")
            if path.suffix in {".py", ".html"} and "migrations" not in path.parts
        ]
    wrong = {
        str(path.relative_to(root)): match.group(0)
        for path in files
        for match in [MINUTES_MISDATED.search(path.read_text(encoding="utf-8"))]
        if match
    }
    assert wrong == {}


@pytest.mark.django_db
def test_every_citation_of_the_minutes_says_they_are_undated(programme_data):
    citations = [
        value
        for row in fixture_rows("reference")
        for value in row["fields"].values()
        if isinstance(value, str) and "Wellbeing Board minutes" in value
    ]
    assert len(citations) >= 15
    for value in citations:
        assert "minutes (undated; meeting after 11 December 2018)" in value, value


@pytest.mark.django_db
def test_care_model_elements_have_the_papers_groups_and_descriptions(programme_data):
    elements = list(CareModelElement.objects.order_by("number"))
    Group = CareModelElement.Group
    assert [e.group for e in elements] == [Group.HEALTHY_AND_INDEPENDENT] * 3 + [
        Group.COORDINATED_CARE
    ] * 4 + [Group.SUPPORTING_SERVICES]
    assert elements[4].description == (
        "A number called by the patient, the GP, community services and acute staff to support "
        "people with their care by gaining more efficient, coordinated access to services."
    )
    for element in elements:
        assert element.description.endswith(".")
        assert element.source.startswith(HASC_2017)


@pytest.mark.django_db
def test_infrastructure_tiers_with_the_populations_they_serve(programme_data):
    tiers = list(InfrastructureTier.objects.order_by("id"))
    assert [(t.tier, t.population_served) for t in tiers] == [
        (MDT.Tier.GP_PRACTICE, "Various"),
        (MDT.Tier.TIER_1, "20 – 60k"),
        (MDT.Tier.TIER_2, "50 – 200k"),
    ]
    assert "Seven day integrated health and social care" in tiers[2].description.replace(
        "seven", "Seven"
    )
    assert all(t.source.startswith(HASC_2017) for t in tiers)


@pytest.mark.django_db
def test_case_for_change_and_kcc_figures_with_their_sources(programme_data):
    figures = {f.code: f for f in ProgrammeFigure.objects.all()}
    expected = {
        "early-deaths-amenable": (Decimal("1600"), ProgrammeFigure.Unit.COUNT, HASC_2017),
        "life-expectancy-gap": (Decimal("22"), ProgrammeFigure.Unit.YEARS, HASC_2017),
        "prevention-budget-share": (Decimal("2"), ProgrammeFigure.Unit.PERCENT, HASC_2017),
        "prevention-budget-decline": (Decimal("9"), ProgrammeFigure.Unit.PERCENT, HASC_2017),
        "thrombolysis-worst-trust": (Decimal("16"), ProgrammeFigure.Unit.PERCENT, HASC_2017),
        "kcc-savings-target-2018-19": (
            Decimal("48000000"),
            ProgrammeFigure.Unit.POUNDS,
            KCC_MARCH_2018,
        ),
        "asc-savings-plans": (Decimal("15000000"), ProgrammeFigure.Unit.POUNDS, KCC_MARCH_2018),
        "asc-reserves-drawdown": (Decimal("3100000"), ProgrammeFigure.Unit.POUNDS, KCC_MARCH_2018),
    }
    for code, (value, unit, paper) in expected.items():
        figure = figures[code]
        assert (figure.value, figure.unit) == (value, unit), code
        assert figure.source.startswith(paper), code
        assert re.search(r"\(\d", figure.source), f"{code} cites no section"
    assert figures["thrombolysis-worst-trust"].as_at == "2015/16"


@pytest.mark.django_db
def test_stp_submission_publication_and_local_care_workshop_milestones(programme_data):
    expected = {
        "Kent and Medway STP submitted to NHS England and NHS Improvement": (
            dt.date(2016, 10, 21),
            HASC_2017,
        ),
        "Kent and Medway STP published": (dt.date(2016, 11, 23), HASC_2017),
    }
    for title, (day, paper) in expected.items():
        milestone = Milestone.objects.get(title=title)
        assert milestone.planned_end == milestone.actual_date == day
        assert milestone.status == Milestone.Status.COMPLETE
        assert milestone.source.startswith(paper)
        assert not milestone.is_illustrative
    # Announced for 20 March 2018; no paper reports it held, so nothing is reported.
    workshop = Milestone.objects.get(title="STP Local Care workshop on flagship Local Care pilots")
    assert workshop.planned_end == dt.date(2018, 3, 20)
    assert workshop.status == Milestone.Status.NOT_REPORTED
    assert workshop.actual_date is None
    assert workshop.source.startswith(KCC_MARCH_2018)
    assert not workshop.is_illustrative


@pytest.mark.django_db
def test_illustrative_risks_flag_their_owner_and_dates(programme_data):
    invented = Risk.objects.filter(is_illustrative=True)
    assert invented.count() == 6
    assert not invented.filter(owner_and_dates_are_illustrative=False).exists()


@pytest.mark.django_db
def test_every_objective_status_passes_the_lead_forms_rag_rule(programme_data):
    # The lead's form refuses a RAG that differs from the suggested one without a
    # reason; the fixtures must not hold what the app would refuse.
    from updates.forms import ObjectiveStatusForm
    from updates.services import suggested_rags

    updates = QuarterlyUpdate.objects.select_related("locality", "quarter").prefetch_related(
        "objective_statuses__objective"
    )
    checked = overrides = 0
    for update in updates:
        suggestions = suggested_rags(update)
        for status in update.objective_statuses.all():
            suggestion = suggestions[status.objective_id]
            form = ObjectiveStatusForm(
                data={
                    "rag": status.rag,
                    "narrative": status.narrative,
                    "percent_complete": status.percent_complete,
                    "rag_reason": status.rag_reason,
                },
                subject=status.objective,
                suggestion=suggestion,
            )
            assert form.is_valid(), (str(update), status.objective.number, form.errors)
            assert status.suggested_rag == suggestion.rag
            checked += 1
            overrides += status.rag != suggestion.rag
    assert checked == 128
    assert overrides > 0  # the rule is exercised, not vacuous


# The programme-wide milestones whose outcome or progress the papers report (DOMAIN.md,
# "What the papers report as done"), each citing the paper that reports it.
REPORTED_PROGRAMME_MILESTONES = {
    "Local Care Investment Case agreed by all Kent and Medway organisations": "2.2",
    "Maturity matrix baseline completed by all 8 CCG areas": "",
    "Locality planning exercise started with all 8 localities": "",
    "Joint Board agrees the four Local Care objectives for 2018/19": "28 June 2018",
    "All 8 locality plans refreshed": "",
    "Deep dive: East Kent": "",
    "Deep dive: Medway": "",
    "Deep dive: North Kent": "",
    "Deep dive: West Kent": "",
    "Workforce workshop": "",
    "Local Care update to the Joint Board": "9 October 2018",
    "Outcomes framework progress to the Joint Board": "minutes",
    "Co-design model for social prescribing": "(5.4)",
    "Co-design model for care navigation": "(5.4)",
    "Co-design model for carers app": "NHS Expo",
    "Co-design models of care for the rest of Dorothy's family": "“In progress”",
    "Kent and Medway STP submitted to NHS England and NHS Improvement": "STP update (2)",
    "Kent and Medway STP published": "STP update (2)",
}


def test_no_programme_milestone_has_an_invented_status(programme_data):
    programme = Milestone.objects.programme_wide()
    reported = {m.title: m for m in programme.exclude(status=Milestone.Status.NOT_REPORTED)}

    assert set(reported) == set(REPORTED_PROGRAMME_MILESTONES)
    for title, cited in REPORTED_PROGRAMME_MILESTONES.items():
        assert cited in reported[title].source, title
    # The rest: nothing reported, so nothing to call late.
    assert programme.filter(status=Milestone.Status.NOT_REPORTED).count() == 36 - len(reported)
    assert not programme.unreported().exclude(forecast_date=None).exists()


def test_completions_the_papers_give_by_month_keep_the_papers_words(programme_data):
    done = {
        milestone.title: (milestone.actual_as_written, milestone.actual_text())
        for milestone in Milestone.objects.programme_wide().filter(status="complete")
    }
    month_only = {title: shown for title, (words, shown) in done.items() if words}
    assert month_only == {
        "Local Care Investment Case agreed by all Kent and Medway organisations": "September 2017",
        "Maturity matrix baseline completed by all 8 CCG areas": "October 2017",
        "Locality planning exercise started with all 8 localities": "April 2018",
        "All 8 locality plans refreshed": "July 2018",
    }
    # The papers give these to the day: they stay exact.
    assert done["Joint Board agrees the four Local Care objectives for 2018/19"][1] == "28 Jun 2018"
    assert done["Deep dive: North Kent"][1] == "11 Dec 2018"
    assert done["Kent and Medway STP published"][1] == "23 Nov 2016"
