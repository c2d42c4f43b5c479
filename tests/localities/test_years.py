"""What carries on from one year to the next (decision 0024): objectives and milestones
linked to the ones they continue, the milestones in the plan on a day, and the
localities a year plans for."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from localities.models import FinancialYear, Locality, Milestone, Objective, SubSystem
from localities.years import localities_for_year, objective_lineages

pytestmark = pytest.mark.django_db


@pytest.fixture
def years():
    return [FinancialYear.objects.create(start_year=start) for start in (2018, 2019, 2020)]


def objective(year, number=1, continues=None):
    return Objective.objects.create(
        financial_year=year, number=number, title="MDTs", short_title="MDTs", continues=continues
    )


def test_a_chain_of_carried_objectives_is_read_in_one_query(years, django_assert_num_queries):
    first = objective(years[0])
    second = objective(years[1], continues=first)
    third = objective(years[2], continues=second)
    new = objective(years[2], number=2)
    shown = list(Objective.objects.filter(financial_year=years[2]).select_related("financial_year"))

    with django_assert_num_queries(1):
        lineages = objective_lineages(shown)

    assert lineages == {
        third.id: [(third.id, 2020), (second.id, 2019), (first.id, 2018)],
        new.id: [(new.id, 2020)],
    }


def test_objectives_that_continue_nothing_cost_no_query(years, django_assert_num_queries):
    objective(years[0])
    shown = list(Objective.objects.select_related("financial_year"))

    with django_assert_num_queries(0):
        assert objective_lineages(shown) == {shown[0].id: [(shown[0].id, 2018)]}


def test_an_objective_is_carried_forward_once(years):
    first = objective(years[0])
    objective(years[1], continues=first)

    with pytest.raises(ValidationError, match="already been carried forward"):
        Objective(
            financial_year=years[2], number=1, title="x", short_title="x", continues=first
        ).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        objective(years[2], continues=first)


def test_a_rolled_milestone_says_both_what_it_continues_and_when_it_entered_the_plan(db):
    old = Milestone.objects.create(title="Launch the MDT")
    for fields in ({"continues": old}, {"in_plan_from": datetime.date(2020, 4, 1)}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Milestone.objects.create(title="Launch the MDT", **fields)


def test_a_milestone_is_in_the_plan_until_its_successor_enters_it(db):
    old = Milestone.objects.create(title="Launch the MDT")
    new = Milestone.objects.create(
        title="Launch the MDT", continues=old, in_plan_from=datetime.date(2020, 4, 1)
    )
    other = Milestone.objects.create(title="Refresh the plan")

    assert set(Milestone.objects.in_plan_on(datetime.date(2020, 3, 31))) == {old, other}
    assert set(Milestone.objects.in_plan_on(datetime.date(2020, 4, 1))) == {new, other}


def test_a_year_plans_for_every_locality_for_now(db):
    kent = SubSystem.objects.create(name="East Kent")
    for name in ("Thanet", "Ashford"):
        Locality.objects.create(name=name, slug=name.lower(), sub_system=kent)

    assert [locality.name for locality in localities_for_year(2020)] == ["Ashford", "Thanet"]


def test_the_admin_shows_what_a_milestone_continues_without_letting_it_be_re_pointed(
    client, office_user
):
    old = Milestone.objects.create(title="Launch the MDT in Thanet")
    new = Milestone.objects.create(
        title="Launch the MDT in Thanet", continues=old, in_plan_from=datetime.date(2020, 4, 1)
    )
    client.force_login(office_user)

    response = client.get(reverse("admin:localities_milestone_change", args=[new.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Rolled forward" in html
    assert "Launch the MDT in Thanet" in html
    assert 'name="continues"' not in html
    assert 'name="in_plan_from"' not in html
