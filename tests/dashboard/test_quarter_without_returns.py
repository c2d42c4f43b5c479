"""A quarter with no approved return is a page like any other (issue 19): the
selector offers it, every board page renders it, and says so."""

import pytest
from django.urls import reverse

from tests.helpers import visible_text

BOARD_PAGES = [
    "dashboard:home",
    "dashboard:objectives",
    "dashboard:milestones",
    "dashboard:mdts",
    "dashboard:money",
    "dashboard:outcomes",
    "dashboard:outcomes-summary",
    "dashboard:critical-areas",
    "dashboard:maturity",
    "dashboard:risks",
    "dashboard:actions",
    "dashboard:governance",
    "dashboard:board-pack",
]


@pytest.mark.parametrize("name", BOARD_PAGES)
def test_a_new_years_first_quarter_renders_and_says_no_return_is_approved(
    client, programme_data, board_user, name
):
    client.force_login(board_user)

    response = client.get(reverse(name) + "?quarter=2019-20-q1")

    assert response.status_code == 200
    assert response.context["page"].quarter.slug == "2019-20-q1"
    assert "No locality's return for 2019/20 Q1 has been approved yet" in visible_text(
        response.text
    )


def test_the_locality_page_renders_a_quarter_without_returns(client, programme_data, board_user):
    client.force_login(board_user)

    response = client.get(reverse("dashboard:locality", args=["thanet"]) + "?quarter=2019-20-q4")

    assert response.status_code == 200
    assert 'data-testid="no-returns"' in response.text


def test_the_selector_offers_every_quarter_from_the_baseline_to_the_last_set_up(
    client, programme_data, board_user
):
    client.force_login(board_user)

    page = client.get(reverse("dashboard:home")).context["page"]

    slugs = [slug for slug, _ in page.quarter_choices]
    assert slugs[0] == "2019-20-q4"
    assert slugs[-1] == "2017-18-q3"
    assert "2017-18-q4" in slugs  # between the baseline and 2018/19: no returns, still a page
    assert "2017-18-q2" not in slugs  # before anything was reported
    # The default is still the latest quarter with approved returns, which says nothing more.
    assert page.quarter.slug == "2018-19-q4"
    assert page.has_returns


def test_comparisons_still_run_between_quarters_with_returns(client, programme_data, board_user):
    client.force_login(board_user)

    q1 = client.get(reverse("dashboard:home") + "?quarter=2018-19-q1").context["page"]
    new_year = client.get(reverse("dashboard:home") + "?quarter=2019-20-q1").context["page"]

    # 2017/18 Q4 has no returns: 2018/19 Q1 is still compared with the October 2017 baseline.
    assert q1.previous_quarter.slug == "2017-18-q3"
    assert new_year.previous_quarter.slug == "2018-19-q4"
    assert not new_year.has_returns


def test_a_quarter_that_does_not_exist_is_still_not_found(client, programme_data, board_user):
    client.force_login(board_user)

    assert client.get(reverse("dashboard:home") + "?quarter=2031-32-q1").status_code == 404
    assert client.get(reverse("dashboard:home") + "?quarter=2017-18-q1").status_code == 404
