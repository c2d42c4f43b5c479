"""Exceptions worst first: what the board must look at, each linked to its detail.

The illustrative 2018/19 Q4 as a board member sees it, "today" after the
return deadline: no objective at Red, four Extreme risks, milestones past
their planned window, Medway and Swale's returns overdue.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse

from dashboard.periods import DashboardPage
from dashboard.selectors.exceptions import EXCEPTIONS_PER_GROUP, programme_exceptions
from governance.models import Action, Meeting
from localities.models import Locality, Quarter
from tests.helpers import query_count
from tools.scale import generate_scale_data
from updates.models import ObjectiveStatus, QuarterlyUpdate

pytestmark = pytest.mark.django_db

AFTER_DEADLINE = datetime.datetime(2019, 6, 1, 12, tzinfo=datetime.UTC)
OVERVIEW_Q4 = reverse("dashboard:home") + "?quarter=2018-19-q4"


@pytest.fixture(autouse=True)
def after_the_deadline():
    with time_machine.travel(AFTER_DEADLINE, tick=False):
        yield


def q4_page() -> DashboardPage:
    quarter = Quarter.objects.select_related("financial_year").get(
        financial_year__start_year=2018, number=4
    )
    return DashboardPage(
        quarter=quarter,
        quarter_options=list(Quarter.objects.select_related("financial_year")),
        statuses=(QuarterlyUpdate.Status.APPROVED,),
        is_preview=False,
        today=AFTER_DEADLINE.date(),
    )


def groups(exceptions) -> dict:
    return {group.key: group for group in exceptions.groups}


def test_groups_come_worst_first_in_a_fixed_order(programme_data):
    found = programme_exceptions(page=q4_page())
    assert [group.key for group in found.groups] == [
        "off-track",
        "red-objectives",
        "milestones",
        "risks",
        "returns",
        "actions",
    ]
    assert found.groups[0].title == "Localities off track"


def test_extreme_risks_highest_score_first_each_linked(programme_data):
    risks = groups(programme_exceptions(page=q4_page()))["risks"]
    assert [item.text.split(" ")[0] for item in risks.items] == [
        "LC-R03",
        "LC-R07",
        "LC-R10",
        "LC-R04",
    ]
    assert "score 16 (Extreme)" in risks.items[0].text
    assert risks.items[0].url.startswith(reverse("dashboard:risk-detail", args=["LC-R03"]))


def test_milestones_slipped_largest_slip_first_without_illustrative_in_names(programme_data):
    milestones = groups(programme_exceptions(page=q4_page()))["milestones"]
    assert 0 < len(milestones.items) <= EXCEPTIONS_PER_GROUP
    assert milestones.total >= len(milestones.items)
    slips = [item.sort_days for item in milestones.items]
    assert slips == sorted(slips, reverse=True)
    assert milestones.is_illustrative
    for group in programme_exceptions(page=q4_page()).groups:
        for item in group.items:
            assert "(illustrative)" not in item.text
            assert "(illustrative)" not in item.reason


def test_overdue_returns_are_judged_today(programme_data):
    returns = groups(programme_exceptions(page=q4_page()))["returns"]
    assert [item.text for item in returns.items] == [
        "Medway: no 2018/19 Q4 return (due 21 April 2019)",
        "Swale: no 2018/19 Q4 return (due 21 April 2019)",
    ]
    assert returns.items[0].url.startswith(reverse("dashboard:locality", args=["medway"]))


def test_a_red_objective_puts_its_locality_off_track_with_its_one_line_reason(programme_data):
    status = ObjectiveStatus.objects.filter(
        update__locality__slug="ashford",
        update__quarter__financial_year__start_year=2018,
        update__quarter__number=4,
        objective__number=2,
    ).get()
    status.rag = "red"
    status.rag_reason = "Two MDTs have no GP cover.\nSecond line not shown."
    status.save()
    found = groups(programme_exceptions(page=q4_page()))
    (ashford,) = found["off-track"].items
    assert ashford.text == "Ashford"
    assert ashford.reason == f"Red: {status.objective.short_title}. Two MDTs have no GP cover."
    assert ashford.url.startswith(reverse("dashboard:locality", args=["ashford"]))
    (objective,) = found["red-objectives"].items
    assert objective.text == f"Objective 2, {status.objective.short_title}: Red in 1 locality"


def test_actions_overdue_as_at_the_quarter_end(programme_data):
    meeting = Meeting.objects.get(pk=2)
    thanet = Locality.objects.get(slug="thanet")
    Action.objects.create(
        meeting=meeting,
        text="Report the deep dives",
        owner_role="STP Local Care Lead",
        created_on=datetime.date(2018, 10, 9),
        due_date=datetime.date(2019, 2, 28),
        locality=thanet,
    )
    Action.objects.create(
        meeting=meeting,
        text="Due after the quarter",
        owner_role="STP Local Care Lead",
        created_on=datetime.date(2018, 10, 9),
        due_date=datetime.date(2019, 5, 31),
    )
    actions = groups(programme_exceptions(page=q4_page()))["actions"]
    texts = [item.text for item in actions.items]
    assert "Report the deep dives" in texts
    assert "Due after the quarter" not in texts
    item = actions.items[texts.index("Report the deep dives")]
    assert item.reason.startswith("STP Local Care Lead; due 28 February 2019")
    assert item.url


def test_at_most_five_a_group_and_the_rest_counted(programme_data):
    generate_scale_data(factor=4)
    for group in programme_exceptions(page=q4_page()).groups:
        assert len(group.items) <= EXCEPTIONS_PER_GROUP
        assert group.more == group.total - len(group.items)
    returns = groups(programme_exceptions(page=q4_page()))["returns"]
    assert returns.total > EXCEPTIONS_PER_GROUP


def test_the_include_marks_illustrative_groups_once_and_links_each_item(
    client, programme_data, board_user
):
    client.force_login(board_user)
    html = client.get(OVERVIEW_Q4).content.decode()
    section = html[html.index('id="exceptions"') : html.index(">Headline figures<")]
    assert 'href="/risks/LC-R03/?quarter=2018-19-q4"' in section
    assert "(illustrative)" not in section
    assert section.count('data-testid="illustrative-tag"') <= 6


def test_the_overview_costs_the_same_queries_at_factor_1_and_10(client, programme_data, board_user):
    client.force_login(board_user)
    Action.objects.create(
        meeting=Meeting.objects.get(pk=2),
        text="Overdue",
        owner_role="Lead",
        created_on=datetime.date(2018, 10, 9),
        due_date=datetime.date(2019, 1, 31),
    )
    before = query_count(client, OVERVIEW_Q4)
    generate_scale_data(factor=10)  # make bench weighs factor 100
    assert query_count(client, OVERVIEW_Q4) == before


def test_each_overdue_action_links_to_what_it_concerns(programme_data):
    from localities.models import CriticalArea, Milestone, Objective
    from risks.models import Risk

    meeting = Meeting.objects.get(pk=2)
    links = {
        "risk": {"risk": Risk.objects.get(reference="LC-R03")},
        "milestone": {"milestone": Milestone.objects.first()},
        "objective": {"objective": Objective.objects.first()},
        "critical area": {"critical_area": CriticalArea.objects.first()},
        "nothing": {},
    }
    for name, link in links.items():
        Action.objects.create(
            meeting=meeting,
            text=f"About the {name}. " + "x" * 200,
            owner_role="Lead",
            created_on=datetime.date(2018, 10, 9),
            due_date=datetime.date(2018, 11, 30),
            **link,
        )
    actions = groups(programme_exceptions(page=q4_page()))["actions"]
    urls = {item.text.split(".")[0]: item.url for item in actions.items}
    assert urls["About the risk"].startswith(reverse("dashboard:risk-detail", args=["LC-R03"]))
    assert urls["About the milestone"].startswith(reverse("dashboard:milestones"))
    assert urls["About the objective"].startswith(reverse("dashboard:objectives"))
    assert urls["About the critical area"].startswith(reverse("dashboard:critical-areas"))
    assert urls["About the nothing"] is None
    assert all(len(item.text) <= 140 and item.text.endswith("…") for item in actions.items)


def test_the_first_quarter_has_no_rising_risks_only_extreme_ones(programme_data):
    first = Quarter.objects.select_related("financial_year").order_by("start_date").first()
    page = DashboardPage(
        quarter=first,
        quarter_options=list(Quarter.objects.select_related("financial_year")),
        statuses=(QuarterlyUpdate.Status.APPROVED,),
        is_preview=False,
        today=AFTER_DEADLINE.date(),
    )
    risks = groups(programme_exceptions(page=page))["risks"]
    assert all("up from" not in item.text for item in risks.items)
