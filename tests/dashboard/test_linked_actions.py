"""Each linked item's page lists the board's actions on it, as at the quarter, in a fixed
number of queries however many actions there are."""

import pytest
from django.urls import reverse

from governance.models import Action
from localities.models import CriticalArea, Locality, Milestone, Objective
from risks.models import Risk
from tests.helpers import query_count, visible_text

pytestmark = pytest.mark.django_db

Q4 = "?quarter=2018-19-q4"
TEXT = "Schedule the deep dives on support for carers"


@pytest.fixture
def linked(programme_data):
    """Action 3 (agreed December 2018, open, due September 2019) linked to one of each."""
    items = {
        "locality": Locality.objects.get(slug="thanet"),
        "risk": Risk.objects.get(reference="LC-R01"),
        "critical_area": CriticalArea.objects.order_by("number").first(),
        "milestone": Milestone.objects.order_by("pk").first(),
        "objective": Objective.objects.filter(financial_year__start_year=2018)
        .order_by("number")
        .first(),
    }
    Action.objects.filter(pk=3).update(**items)
    return items


def pages(items) -> dict[str, str]:
    return {
        "locality": reverse("dashboard:locality", args=["thanet"]) + Q4,
        "risk": reverse("dashboard:risk-detail", args=["LC-R01"]) + Q4,
        "critical_area": reverse("dashboard:critical-areas") + Q4,
        "milestone": reverse("dashboard:milestones") + Q4,
        "objective": reverse("dashboard:objectives") + Q4,
    }


def test_every_linked_page_lists_the_action_with_its_status_then(client, board_user, linked):
    client.force_login(board_user)
    for link, url in pages(linked).items():
        text = visible_text(client.get(url).content.decode())
        assert TEXT in text, link
        assert "Illustrative owner and status" in text, link


def test_an_action_agreed_after_the_quarter_is_not_listed(client, board_user, linked):
    client.force_login(board_user)
    url = reverse("dashboard:locality", args=["thanet"]) + "?quarter=2018-19-q2"
    response = client.get(url)
    if response.status_code == 404:  # no approved returns that quarter
        pytest.skip("2018/19 Q2 has no approved returns")
    text = visible_text(response.content.decode())
    assert TEXT not in text
    assert "No board actions concerning Thanet had been agreed by" in text


def test_the_pages_query_counts_do_not_grow_with_actions(client, board_user, linked):
    client.force_login(board_user)
    urls = pages(linked)
    before = {link: query_count(client, url) for link, url in urls.items()}
    action = Action.objects.get(pk=3)
    areas = list(CriticalArea.objects.all())
    objectives = list(Objective.objects.filter(financial_year__start_year=2018))
    milestones = list(Milestone.objects.order_by("pk")[:5])
    for number in range(20):
        action.pk = None
        action.text = f"Action {number}"
        action.critical_area = areas[number % len(areas)]
        action.objective = objectives[number % len(objectives)]
        action.milestone = milestones[number % len(milestones)]
        action.save()
    after = {link: query_count(client, url) for link, url in urls.items()}
    assert after == before
