"""A locality's RAG history follows a carried objective back across years (decision 0024).

Opening a year carries last year's objectives forward as new rows that `continue`
them; the locality page's history then runs from the year they were first agreed
to the page's quarter. Pages of earlier years are unchanged by opening one.
"""

import dataclasses
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.selectors.milestones import milestones_as_at
from localities.models import Milestone, Rag
from tests.dashboard.test_locality import LOCALITY_PAGE_QUERIES
from tests.helpers import assert_queries_do_not_grow, query_count
from updates import year_services
from updates.forms import SectionContext
from updates.models import ObjectiveStatus, QuarterlyUpdate

pytestmark = pytest.mark.django_db
ASHFORD = reverse("dashboard:locality", args=["ashford"])


def open_next_year(by):
    proposal = year_services.proposal(today=timezone.localdate())
    plan = year_services.YearPlan(
        start_year=proposal.start_year,
        based_on=proposal.fingerprint,
        deadlines={quarter.number: quarter.deadline for quarter in proposal.quarters},
        carried=tuple(objective.id for objective in proposal.objectives),
        investments={locality.id: Decimal(100000) for locality in proposal.localities},
        milestones=tuple(milestone.id for milestone in proposal.milestones),
    )
    return year_services.open_year(plan=plan, by=by, today=timezone.localdate())


def approve_first_quarter(year, slug, rag=Rag.GREEN):
    quarter = year.quarters.get(number=1)
    now = timezone.now()
    update = QuarterlyUpdate.objects.create(
        locality_id=year.planned_investments.get(locality__slug=slug).locality_id,
        quarter=quarter,
        status=QuarterlyUpdate.Status.APPROVED,
        submitted_at=now,
        reviewed_at=now,
    )
    for objective in year.objectives.all():
        ObjectiveStatus.objects.create(update=update, objective=objective, rag=rag)
    return quarter


def rows(data):
    return [(row.objective.id, [cell.rag for cell in row.cells]) for row in data.history]


def test_the_history_runs_back_through_the_objectives_carried_forward(
    client, programme_data, office_user, board_user
):
    year = open_next_year(office_user)
    quarter = approve_first_quarter(year, "ashford")
    client.force_login(board_user)

    response = client.get(f"{ASHFORD}?quarter={quarter.slug}")

    data = response.context["data"]
    first_agreed = min(
        objective.continues.financial_year.start_year for objective in year.objectives.all()
    )
    labels = [history_quarter.label for history_quarter in data.history_quarters]
    assert labels[0] == f"{first_agreed}/{(first_agreed + 1) % 100:02d} Q1"
    assert labels[-1] == quarter.label
    # Spend and the year's own columns stay the year's.
    assert [q.label for q in data.year_quarters] == [quarter.label]
    statuses = {
        (status.update.quarter_id, status.objective_id): status.rag
        for status in ObjectiveStatus.objects.filter(
            update__locality__slug="ashford", update__status="approved"
        ).select_related("update")
    }
    for row in data.history:
        old = row.objective.continues
        assert row.carried_from == old
        expected = [
            statuses.get((history_quarter.id, row.objective.id))
            or statuses.get((history_quarter.id, old.id))
            for history_quarter in data.history_quarters
        ]
        assert [cell.rag for cell in row.cells] == expected
        assert row.cells[-1].rag == Rag.GREEN
        # Last year's returns reported on the objective carried forward: they show.
        assert any(rag is not None for rag in expected[:-1])
    html = response.content.decode()
    assert f"RAG status from {labels[0]} to {quarter.label}" in html
    assert f"Carried forward from {first_agreed}/" in html


def test_the_locality_page_of_an_earlier_year_is_unchanged_by_opening_one(
    client, programme_data, office_user, board_user
):
    client.force_login(board_user)
    url = f"{ASHFORD}?quarter=2018-19-q4"
    before = client.get(url).context["data"]

    open_next_year(office_user)
    after = client.get(url).context["data"]

    assert rows(after) == rows(before)
    assert [q.label for q in after.history_quarters] == [q.label for q in before.history_quarters]
    assert [dataclasses.astuple(m) for m in after.milestones] == [
        dataclasses.astuple(m) for m in before.milestones
    ]


def test_a_rolled_forward_milestone_is_listed_once_in_the_new_year(
    client, programme_data, office_user, board_user
):
    year = open_next_year(office_user)
    quarter = approve_first_quarter(year, "ashford")
    client.force_login(board_user)

    new_page = client.get(f"{ASHFORD}?quarter={quarter.slug}").context["data"]
    old_page = client.get(f"{ASHFORD}?quarter=2018-19-q4").context["data"]

    # Each milestone rolled forward replaces the row it continues: none twice.
    ashford = Milestone.objects.filter(locality__slug="ashford")
    assert ashford.filter(in_plan_from__isnull=False).exists()
    assert len(new_page.milestones) == len(old_page.milestones)
    assert len(old_page.milestones) == ashford.filter(in_plan_from__isnull=True).count()
    assert sorted(m.title for m in new_page.milestones) == sorted(
        m.title for m in old_page.milestones
    )


def test_the_history_across_years_takes_one_more_query_whatever_the_data(
    client, programme_data, office_user, board_user
):
    year = open_next_year(office_user)
    quarter = approve_first_quarter(year, "ashford")
    client.force_login(board_user)

    # One more than a page whose objectives continue nothing (the lineage), and the
    # same at ten times the data (the scale data's years come before the real ones).
    url = f"{ASHFORD}?quarter={quarter.slug}"
    assert query_count(client, url) <= LOCALITY_PAGE_QUERIES + 1
    assert_queries_do_not_grow(client, url, factor=10)


def test_the_milestone_register_lists_a_rolled_milestone_once_either_side_of_the_year(
    programme_data, office_user
):
    proposal = year_services.proposal(today=timezone.localdate())
    last_day = proposal.previous.end_date
    before = sorted(milestones_as_at(last_day).values_list("title", flat=True))

    year = open_next_year(office_user)

    rolled = Milestone.objects.filter(in_plan_from=year.start_date)
    assert rolled.count() == len(proposal.milestones)
    assert sorted(milestones_as_at(last_day).values_list("title", flat=True)) == before
    assert sorted(milestones_as_at(year.start_date).values_list("title", flat=True)) == before
    assert set(milestones_as_at(year.start_date).filter(continues__isnull=False)) == set(rolled)


def test_a_return_in_the_new_year_reports_on_the_rolled_milestones(programme_data, office_user):
    year = open_next_year(office_user)
    quarter = year.quarters.get(number=1)
    ashford = year.planned_investments.get(locality__slug="ashford").locality
    update = QuarterlyUpdate(locality=ashford, quarter=quarter)

    context = SectionContext(locality=ashford, quarter=quarter, update=update)

    rolled = set(Milestone.objects.filter(locality=ashford, in_plan_from=year.start_date))
    assert rolled
    assert rolled <= set(context.milestones)
    assert not {milestone.continues for milestone in rolled} & set(context.milestones)
