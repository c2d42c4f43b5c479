"""The suggested-RAG rule, objective by objective (localities.rag; README "Suggested RAG")."""

import datetime
from decimal import Decimal

import pytest

from localities.models import MDT, Locality, Milestone, Objective, Rag
from localities.rag import (
    Evidence,
    MdtState,
    MilestoneState,
    days_late,
    spend_variance,
    suggest_rag,
)
from updates import services
from updates.models import MDTUpdate, QuarterlyUpdate

QUARTER_END = datetime.date(2018, 12, 31)
YEAR_END = datetime.date(2019, 3, 31)
BEFORE = QUARTER_END - datetime.timedelta(days=1)
KINDS_JUDGED_BY_MILESTONES = [
    Objective.Kind.LOCALITY_PLANS,
    Objective.Kind.EXPANSION,
    Objective.Kind.OTHER,
]


def milestone(status=Milestone.Status.IN_PROGRESS, planned_end=QUARTER_END, **fields):
    return MilestoneState(title="A milestone", planned_end=planned_end, status=status, **fields)


def done(on=BEFORE):
    return milestone(Milestone.Status.COMPLETE, planned_end=on, actual_date=on)


def mdt(name, planned, live_on=None, population=40_000):
    return MdtState(
        name=name,
        planned_go_live=planned,
        status=MDT.Status.LIVE if live_on else MDT.Status.SHADOW,
        actual_go_live=live_on,
        population_covered=population if live_on else None,
    )


def suggest(kind, **evidence):
    return suggest_rag(
        kind=kind, evidence=Evidence(quarter_end=QUARTER_END, year_end=YEAR_END, **evidence)
    )


def days_before(days):
    return QUARTER_END - datetime.timedelta(days=days)


# --- Objectives judged by their milestones (1 plans, 4 expansion, any other) ---------


@pytest.mark.parametrize("kind", KINDS_JUDGED_BY_MILESTONES)
@pytest.mark.parametrize(
    ("milestones", "expected", "evidence"),
    [
        ([], Rag.GREEN, "no milestones linked to this objective"),
        ([done(), done()], Rag.COMPLETE, "all 2 milestones complete"),
        ([done(), milestone(Milestone.Status.CANCELLED)], Rag.COMPLETE, "all 1 milestone"),
        ([milestone(Milestone.Status.CANCELLED)], Rag.GREEN, "no milestones linked"),
        ([done(), milestone()], Rag.GREEN, "1 of 2 milestones complete"),  # due today
        ([milestone(planned_end=days_before(1))], Rag.AMBER, "“A milestone” is 1 days late"),
        ([milestone(planned_end=days_before(90))], Rag.AMBER, "is 90 days late"),  # the edge
        ([milestone(planned_end=days_before(91))], Rag.RED, "is 91 days late"),
        (
            [milestone(forecast_date=QUARTER_END + datetime.timedelta(days=30))],
            Rag.AMBER,
            "is 30 days late",  # late by its forecast
        ),
        ([milestone(planned_end=None)], Rag.GREEN, "0 of 1 milestone complete"),
        # Nobody has reported on it: no evidence of lateness, however old its plan.
        (
            [milestone("not_reported", planned_end=days_before(200))],
            Rag.GREEN,
            "0 of 1 milestone complete; 1 not reported",
        ),
        # Finished after the quarter's end: not complete in it, and late by the calendar.
        (
            [
                milestone(
                    Milestone.Status.COMPLETE,
                    planned_end=days_before(10),
                    actual_date=QUARTER_END + datetime.timedelta(days=20),
                )
            ],
            Rag.AMBER,
            "“A milestone” is 10 days late; 0 of 1 milestone complete",
        ),
    ],
)
def test_objectives_judged_by_their_milestones(kind, milestones, expected, evidence):
    result = suggest(kind, milestones=milestones)
    assert (result.rag, evidence in result.explanation) == (expected, True), result.explanation


def test_the_line_names_the_latest_milestones_and_counts_the_rest():
    late = [
        MilestoneState(title=f"Step {days}", planned_end=days_before(days), status="in_progress")
        for days in (10, 200, 50, 120)
    ]
    result = suggest(Objective.Kind.LOCALITY_PLANS, milestones=late)
    assert result.rag == Rag.RED
    assert result.explanation == (
        "“Step 200” is 200 days late; “Step 120” is 120 days late; 2 more late; "
        "0 of 4 milestones complete"
    )


def test_a_late_but_complete_milestone_is_not_late():
    assert days_late(done(on=datetime.date(2018, 1, 1)), as_at=QUARTER_END) == 0


def test_a_milestone_nobody_reported_on_is_never_late():
    assert (
        days_late(milestone("not_reported", planned_end=days_before(365)), as_at=QUARTER_END) == 0
    )


# --- Objective 2: MDTs live against plan, and population covered ----------------------

JUNE, SEPT, NOV = datetime.date(2018, 6, 4), datetime.date(2018, 9, 3), datetime.date(2018, 11, 5)
FEB = datetime.date(2019, 2, 4)
APRIL_NEXT_YEAR = datetime.date(2019, 4, 1)


@pytest.mark.parametrize(
    ("mdts", "expected", "evidence"),
    [
        (
            [],
            Rag.GREEN,
            "0 MDTs live; none was planned to be live by 31 Dec 2018 (plan for the year 0)",
        ),
        (
            [mdt("A", JUNE, JUNE), mdt("B", SEPT, SEPT)],
            Rag.COMPLETE,
            "all 2 MDTs planned for the year live by 31 Dec 2018; live MDTs cover 80,000 people",
        ),
        # On plan so far, but one is still to go live this year: Green, not Complete.
        (
            [mdt("A", JUNE, JUNE), mdt("B", FEB), mdt("C", APRIL_NEXT_YEAR)],
            Rag.GREEN,
            "1 of 1 MDT due by 31 Dec 2018 live (plan for the year 2)",
        ),
        # Two thirds of those due are live (4 of 6): Amber.
        (
            [mdt(n, JUNE, JUNE) for n in "ABCD"] + [mdt("E", SEPT), mdt("F", NOV)],
            Rag.AMBER,
            "4 of 6 MDTs due by 31 Dec 2018 live (plan for the year 6)",
        ),
        ([mdt("A", JUNE, JUNE), mdt("B", SEPT), mdt("C", NOV)], Rag.RED, "1 of 3 MDTs due"),
        # Live by the quarter's end only: a go-live after it does not count.
        (
            [mdt("A", JUNE, QUARTER_END + datetime.timedelta(days=3))],
            Rag.RED,
            "0 of 1 MDT due by 31 Dec 2018 live",
        ),
        # Early go-lives count as live.
        ([mdt("A", FEB, NOV)], Rag.COMPLETE, "all 1 MDT planned for the year live"),
        # Outside the 30,000–50,000 standard.
        (
            [mdt("A", JUNE, JUNE, population=65_000), mdt("B", FEB)],
            Rag.AMBER,
            "1 of 1 live MDTs outside 30,000–50,000",
        ),
        (
            [mdt("A", JUNE, JUNE, population=None), mdt("B", FEB)],
            Rag.GREEN,
            "no population figures for the live MDTs",
        ),
        (
            [mdt("A", JUNE, JUNE), mdt("B", JUNE, JUNE, population=None), mdt("C", FEB)],
            Rag.GREEN,
            "live MDTs cover 40,000 people (population not given for 1)",
        ),
    ],
)
def test_the_mdt_objective_is_judged_by_mdts_live_against_plan(mdts, expected, evidence):
    result = suggest(Objective.Kind.MDTS, mdts=mdts, milestones=[milestone(planned_end=JUNE)])
    assert (result.rag, evidence in result.explanation) == (expected, True), result.explanation
    assert "milestone" not in result.explanation  # its own evidence only


# --- Objective 3: partnerships ---------------------------------------------------------


@pytest.mark.parametrize(
    ("partners", "milestones", "expected", "evidence"),
    [
        (None, [milestone()], Rag.GREEN, "0 of 1 milestone complete; no partner data"),
        (7, [milestone()], Rag.GREEN, "0 of 1 milestone complete; 7 partners signed up"),
        (1, [done()], Rag.COMPLETE, "all 1 milestone complete; 1 partner signed up"),
        (9, [milestone(planned_end=days_before(120))], Rag.RED, "is 120 days late"),
    ],
)
def test_partnerships_are_judged_by_their_milestones_with_the_partners_beside(
    partners, milestones, expected, evidence
):
    result = suggest(
        Objective.Kind.PARTNERSHIPS, partners_signed_up=partners, milestones=milestones
    )
    assert (result.rag, evidence in result.explanation) == (expected, True), result.explanation


# --- Spend, only for the objective that carries it --------------------------------------


@pytest.mark.parametrize(
    ("planned", "actual", "expected"),
    [
        ("100", "110", Rag.GREEN),  # exactly 10% is within tolerance
        ("100", "111", Rag.AMBER),
        ("100", "89", Rag.AMBER),  # under plan counts too
        ("100", "125", Rag.AMBER),
        ("100", "126", Rag.RED),
        ("100", "0", Rag.RED),
        ("0", "50", Rag.GREEN),  # no plan: no variance to judge
    ],
)
def test_spend_off_plan(planned, actual, expected):
    result = suggest(
        Objective.Kind.MDTS,
        mdts=[mdt("A", JUNE, JUNE), mdt("B", FEB)],
        spend_planned=Decimal(planned),
        spend_actual=Decimal(actual),
    )
    assert result.rag == expected


def test_spend_is_said_first_when_it_drives_the_rag():
    result = suggest(
        Objective.Kind.MDTS,
        mdts=[mdt("A", JUNE, JUNE), mdt("B", FEB)],
        spend_planned=Decimal("100"),
        spend_actual=Decimal("115"),
    )
    assert result.explanation.startswith("spend is 15% over plan; 1 of 1 MDT due")


def test_a_delivered_objective_stays_complete_whatever_the_spend():
    result = suggest(
        Objective.Kind.MDTS,
        mdts=[mdt("A", JUNE, JUNE)],
        spend_planned=Decimal("100"),
        spend_actual=Decimal("140"),
    )
    assert result.rag == Rag.COMPLETE
    assert result.explanation.endswith("spend is 40% over plan")


def test_spend_variance_needs_both_figures():
    assert spend_variance(planned=None, actual=Decimal("1")) is None
    assert spend_variance(planned=Decimal("1"), actual=None) is None


# --- The rule applied to a return (updates.services.suggested_rags) ---------------------


def q4_update(slug):
    return QuarterlyUpdate.objects.get(
        locality__slug=slug, quarter__financial_year__start_year=2018, quarter__number=4
    )


def by_number(update):
    numbers = dict(Objective.objects.values_list("pk", "number"))
    return {numbers[pk]: s for pk, s in services.suggested_rags(update).items()}


def test_the_reference_objectives_say_what_judges_them(programme_data):
    objectives = Objective.objects.filter(financial_year__start_year=2018)
    assert [(o.number, o.kind, o.carries_spend) for o in objectives] == [
        (1, "locality_plans", False),
        (2, "mdts", True),
        (3, "partnerships", False),
        (4, "expansion", False),
    ]


def test_thanets_completed_objectives_are_not_amber_for_its_spend(programme_data):
    # Thanet's Q4 spend is 14% over plan; it once made every objective Amber.
    update = q4_update("thanet")
    suggestions = by_number(update)
    completed = update.objective_statuses.filter(rag=Rag.COMPLETE, percent_complete=100)
    assert sorted(s.objective.number for s in completed) == [1, 2]
    assert suggestions[2].rag == Rag.COMPLETE
    assert suggestions[2].explanation.startswith("all 4 MDTs planned for the year live")
    for number in (1, 3, 4):
        assert "spend" not in suggestions[number].explanation


def test_medways_mdt_objective_is_not_complete_with_4_of_6_mdts_live(programme_data):
    suggestion = by_number(q4_update("medway"))[2]
    assert suggestion.rag == Rag.AMBER
    assert suggestion.explanation.startswith(
        "4 of 6 MDTs due by 31 Mar 2019 live (plan for the year 6)"
    )


def test_spend_counts_only_on_the_objective_that_carries_it(programme_data):
    update = q4_update("medway")
    update.spend_planned, update.spend_actual = Decimal("100000"), Decimal("140000")
    suggestions = by_number(update)
    assert suggestions[2].rag == Rag.RED
    assert suggestions[2].explanation.startswith("spend is 40% over plan")
    assert [n for n, s in suggestions.items() if "spend" in s.explanation] == [2]

    Objective.objects.filter(number=2).update(carries_spend=False)
    Objective.objects.filter(number=4).update(carries_spend=True)
    suggestions = by_number(update)
    assert [n for n, s in suggestions.items() if "spend" in s.explanation] == [4]
    assert suggestions[4].rag == Rag.RED


def test_the_returns_own_mdt_reports_count_before_the_mdt_rows(programme_data):
    update = q4_update("medway")
    waiting = [m for m in MDT.objects.for_locality(update.locality) if m.status != "live"]
    for team in waiting:
        MDTUpdate.objects.create(
            update=update,
            mdt=team,
            status="live",
            actual_go_live=datetime.date(2019, 3, 1),
            population_covered=40_000,
        )
    suggestion = by_number(update)[2]
    assert suggestion.rag == Rag.COMPLETE, suggestion.explanation


def test_programme_wide_milestones_count_for_their_objective(programme_data):
    medway = Locality.objects.get(slug="medway")
    update = q4_update("medway")
    objective_4 = Objective.objects.get(financial_year__start_year=2018, number=4)
    before = by_number(update)[4]
    Milestone.objects.create(
        title="Programme-wide step",
        objective=objective_4,
        planned_end=datetime.date(2018, 10, 31),
        status="in_progress",
    )
    Milestone.objects.create(
        title="Another locality's step",
        locality=Locality.objects.exclude(pk=medway.pk).first(),
        objective=objective_4,
        planned_end=datetime.date(2018, 10, 31),
        status="in_progress",
    )
    after = by_number(update)[4]
    assert before.rag == Rag.GREEN
    assert after.rag == Rag.RED
    assert "“Programme-wide step” is 151 days late" in after.explanation
    assert "Another locality" not in after.explanation
