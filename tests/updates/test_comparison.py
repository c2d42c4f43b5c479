"""The review page's comparison: what counts as a change, and reading it in few queries."""

import datetime
from decimal import Decimal

import pytest

from updates.comparison import (
    NOT_REPORTED,
    NOTHING_TO_COMPARE,
    MDTReport,
    MilestoneReport,
    ObjectiveReport,
    RaisedRiskReport,
    UpdateFigures,
    compare_updates,
    previous_approved_update,
    review_comparison,
)
from updates.models import QuarterlyUpdate

OBJECTIVES = [(1, "Objective 1 (Plans)"), (2, "Objective 2 (MDTs)")]
ELEMENTS = [(20, "1. Care planning"), (21, "2. Self-care")]


def green(narrative="On track", percent=50, reason=""):
    return ObjectiveReport(
        rag="green",
        rag_label="Green",
        narrative=narrative,
        percent_complete=percent,
        rag_reason=reason,
    )


def amber(narrative="On track", percent=50, reason=""):
    return ObjectiveReport(
        rag="amber",
        rag_label="Amber",
        narrative=narrative,
        percent_complete=percent,
        rag_reason=reason,
    )


def figures(**overrides) -> UpdateFigures:
    values = {
        "summary": "A steady quarter.",
        "spend_planned": Decimal("100000.00"),
        "spend_actual": Decimal("95000.00"),
        "partners_signed_up": 6,
        "locality_plan_refreshed": True,
        "objectives": {1: green(), 2: green()},
        "maturity": {20: 3, 21: 2},
    }
    values.update(overrides)
    return UpdateFigures(**values)


def compare(previous, current):
    sections = compare_updates(
        previous=previous,
        current=current,
        objectives=OBJECTIVES,
        elements=ELEMENTS,
    )
    return {section.slug: section for section in sections}


def rows(sections, slug):
    return {row.label: row for row in sections[slug].rows}


def changed_labels(sections):
    return [row.label for section in sections.values() for row in section.rows if row.changed]


# --- compare_updates: pure -----------------------------------------------------------


def test_identical_updates_have_no_changes_and_every_section_in_form_order():
    sections = compare(figures(), figures())

    assert list(sections) == [
        "objectives",
        "milestones",
        "mdts",
        "money",
        "maturity",
        "risks",
        "summary",
    ]
    assert sections["maturity"].heading == "Care-model maturity"
    assert changed_labels(sections) == []
    assert all(section.changed_count == 0 for section in sections.values())


def test_a_rag_change_is_marked_and_carries_both_rag_codes_for_the_tags():
    sections = compare(figures(), figures(objectives={1: amber(), 2: green()}))

    row = rows(sections, "objectives")["Objective 1 (Plans): RAG status"]
    assert (row.previous, row.current, row.changed) == ("Green", "Amber", True)
    assert (row.previous_rag, row.current_rag) == ("green", "amber")
    assert changed_labels(sections) == ["Objective 1 (Plans): RAG status"]
    assert sections["objectives"].changed_count == 1


def test_narrative_and_percent_changes_are_marked_per_objective():
    current = figures(objectives={1: green(narrative="Plan refreshed", percent=75), 2: green()})

    sections = compare(figures(), current)

    assert changed_labels(sections) == [
        "Objective 1 (Plans): progress",
        "Objective 1 (Plans): percent complete",
    ]
    percent = rows(sections, "objectives")["Objective 1 (Plans): percent complete"]
    assert (percent.previous, percent.current) == ("50%", "75%")


def test_whitespace_only_edits_and_blank_versus_missing_are_not_changes():
    previous = figures(summary="", objectives={1: green(narrative="Done"), 2: green()})
    current = figures(summary="   ", objectives={1: green(narrative="Done  "), 2: green()})

    assert changed_labels(compare(previous, current)) == []


def test_an_objective_not_reported_reads_not_reported_and_counts_as_a_change():
    sections = compare(
        figures(objectives={1: green(), 2: green()}), figures(objectives={1: green()})
    )

    row = rows(sections, "objectives")["Objective 2 (MDTs): RAG status"]
    assert (row.previous, row.current, row.changed) == ("Green", NOT_REPORTED, True)
    assert row.current_rag == ""


def test_the_reason_for_a_rag_row_appears_only_when_either_update_gives_one():
    plain = compare(figures(), figures())
    with_reason = compare(
        figures(), figures(objectives={1: amber(reason="Slipped estates work"), 2: green()})
    )

    assert "Objective 1 (Plans): reason for this RAG" not in rows(plain, "objectives")
    reason = rows(with_reason, "objectives")["Objective 1 (Plans): reason for this RAG"]
    assert (reason.previous, reason.current, reason.changed) == (
        NOT_REPORTED,
        "Slipped estates work",
        True,
    )


def test_money_is_shown_in_whole_pounds_and_compared_exactly():
    sections = compare(figures(), figures(spend_actual=Decimal("95000.40")))

    money = rows(sections, "money")
    assert money["Actual spend"].previous == "£95,000"
    assert money["Actual spend"].changed is True  # pennies count even when the display rounds
    assert money["Planned spend"].changed is False


def test_maturity_scores_are_compared_and_outcomes_are_not_on_the_return():
    # MDTs are compared report by report; the update holds no MDT counts (decision 0009).
    # Outcomes are the monthly extract's, shown beside the comparison (decision 0019).
    current = figures(maturity={20: 4, 21: 2})

    sections = compare(figures(), current)

    assert changed_labels(sections) == ["1. Care planning"]
    assert "outcomes" not in sections
    assert rows(sections, "maturity")["1. Care planning"].current == "4 out of 5"


def test_milestone_reports_line_up_by_milestone_and_show_dates_in_words():
    before = MilestoneReport(
        title="Hub opens", status="In progress", forecast_date=datetime.date(2019, 3, 1)
    )
    after = MilestoneReport(
        title="Hub opens",
        status="In progress",
        forecast_date=datetime.date(2019, 6, 1),
        forecast_change_reason="Builder delayed",
    )
    only_now = MilestoneReport(title="Care navigation live", status="Not started")

    sections = compare(figures(milestones={5: before}), figures(milestones={5: after, 6: only_now}))

    milestone_rows = rows(sections, "milestones")
    assert milestone_rows["Hub opens: forecast date"].previous == "1 Mar 2019"
    assert milestone_rows["Hub opens: forecast date"].current == "1 Jun 2019"
    assert changed_labels(sections) == [
        "Hub opens: forecast date",
        "Hub opens: reason the forecast moved",
        "Care navigation live: status",
    ]
    assert milestone_rows["Care navigation live: status"].previous == NOT_REPORTED
    # No reason on either side: no reason row.
    assert "Care navigation live: reason the forecast moved" not in milestone_rows


def test_mdt_reports_in_this_updates_order_then_those_only_the_previous_had():
    sections = compare(
        figures(mdts={1: MDTReport(name="Margate", status="Planned")}),
        figures(
            mdts={
                2: MDTReport(
                    name="Ramsgate",
                    status="Live",
                    actual_go_live=datetime.date(2019, 2, 1),
                    population_covered=45000,
                )
            }
        ),
    )

    labels = [row.label for row in sections["mdts"].rows]
    assert labels == [
        "Ramsgate: status",
        "Ramsgate: go-live date",
        "Ramsgate: population covered",
        "Margate: status",
        "Margate: go-live date",
        "Margate: population covered",
    ]
    assert rows(sections, "mdts")["Ramsgate: go-live date"].current == "1 Feb 2019"
    assert rows(sections, "mdts")["Margate: status"].current == NOT_REPORTED


def test_each_risk_raised_is_new_in_this_update():
    raised = RaisedRiskReport(
        title="GP vacancies", category="Workforce", description="Two practices short"
    )

    sections = compare(figures(), figures(raised_risks=[raised]))

    [row] = sections["risks"].rows
    assert row.label == "GP vacancies (Workforce)"
    assert (row.previous, row.current, row.changed) == (
        NOTHING_TO_COMPARE,
        "Two practices short",
        True,
    )


def test_without_a_previous_update_nothing_is_marked_changed():
    sections = compare(None, figures(raised_risks=[RaisedRiskReport(title="X", category="Y")]))

    assert changed_labels(sections) == ["X (Y)"]  # only the risk, which is new whatever
    row = rows(sections, "money")["Actual spend"]
    assert (row.previous, row.current) == (NOTHING_TO_COMPARE, "£95,000")
    assert rows(sections, "objectives")["Objective 1 (Plans): RAG status"].previous_rag == ""


def test_locality_plan_and_partners_are_compared_with_objectives():
    sections = compare(
        figures(locality_plan_refreshed=None), figures(locality_plan_refreshed=False)
    )

    row = rows(sections, "objectives")["Locality plan refreshed"]
    assert (row.previous, row.current, row.changed) == (NOT_REPORTED, "No", True)


# --- Reading from the database -------------------------------------------------------


def update(locality_slug, quarter_number, start_year=2018):
    return QuarterlyUpdate.objects.select_related("locality", "quarter").get(
        locality__slug=locality_slug,
        quarter__financial_year__start_year=start_year,
        quarter__number=quarter_number,
    )


def test_thanet_q4_is_compared_with_its_approved_q3(programme_data):
    comparison = review_comparison(update=update("thanet", 4))

    assert comparison.previous == update("thanet", 3)
    sections = {section.slug: section for section in comparison.sections}
    rag = rows(sections, "objectives")["Objective 3 (Interagency partnerships): RAG status"]
    assert (rag.previous, rag.current, rag.changed) == ("Green", "Amber", True)
    assert (rag.previous_rag, rag.current_rag) == ("green", "amber")
    spend = rows(sections, "money")["Actual spend"]
    assert (spend.previous, spend.current, spend.changed) == ("£676,800", "£692,600", True)
    assert rows(sections, "objectives")["Partners signed up"].changed is True
    assert comparison.changed_count == sum(s.changed_count for s in comparison.sections)
    assert (comparison.can_approve, comparison.can_return, comparison.can_reopen) == (
        True,
        True,
        False,
    )


def test_the_previous_update_is_the_latest_approved_one_from_an_earlier_quarter(programme_data):
    thanet_q3 = update("thanet", 3)
    # Reopened, Q3 no longer counts: the comparison falls back to Q2, and says which.
    QuarterlyUpdate.objects.filter(pk=thanet_q3.pk).update(status=QuarterlyUpdate.Status.RETURNED)

    assert previous_approved_update(update("thanet", 4)) == update("thanet", 2)
    # Never a later quarter's, nor another locality's.
    assert previous_approved_update(update("thanet", 1)) == QuarterlyUpdate.objects.get(
        locality__slug="thanet", quarter__financial_year__start_year=2017, quarter__number=3
    )


def test_the_first_update_has_nothing_to_compare_with(programme_data):
    first = QuarterlyUpdate.objects.filter(locality__slug="thanet").order_by("quarter__start_date")[
        0
    ]

    comparison = review_comparison(update=first)

    assert comparison.previous is None
    assert comparison.changed_count == 0


def test_an_approved_update_offers_reopen_only(programme_data):
    comparison = review_comparison(update=update("thanet", 3))

    assert (comparison.can_approve, comparison.can_return, comparison.can_reopen) == (
        False,
        False,
        True,
    )


@pytest.mark.parametrize("slug", ["thanet", "medway"])
def test_reading_the_comparison_takes_a_fixed_number_of_queries(
    programme_data, django_assert_num_queries, slug
):
    current = update(slug, 4)

    # Previous update; six kinds of child rows for both; objectives, measures, elements.
    with django_assert_num_queries(10):
        review_comparison(update=current)
