"""One figure, one value, on every page (decision 0009).

Every page is rendered for every quarter that has approved data; each headline
figure is read from its `data-figure` element and must be the same wherever it
appears. The MDT figures have a fixed base, and the milestones the data decide
agree with the data.
"""

import datetime
import re
from collections import defaultdict

import pytest
from django.core.cache import cache
from django.urls import reverse

from localities.models import MDT, Locality, Milestone, Quarter
from updates.derived_milestones import refresh_derived_milestones
from updates.models import QuarterlyUpdate

FIGURE = re.compile(r'data-figure="([a-z-]+)"[^>]*>(?:<[^>]+>)*([^<]*)<')
PROGRAMME_PAGES = ("home", "mdts", "money", "objectives", "board-pack")
# Every programme page states these, and each must read the same on all of them.
SHARED = (
    "mdts-live",
    "mdts-planned",
    "population-covered",
    "spend-to-date",
    "spend-planned-to-date",
    "data-complete",
)
MDTS_MILESTONE = "All MDTs planned for 2018/19 live (illustrative)"


def figures_on(html: str) -> dict[str, set[str]]:
    found = defaultdict(set)
    for name, value in FIGURE.findall(html):
        found[name].add(value.strip())
    return found


def test_every_page_states_the_same_headline_figures_in_every_quarter(
    client, programme_data, board_user
):
    client.force_login(board_user)
    quarters = Quarter.objects.filter(updates__status="approved").distinct().chronological()
    assert len(quarters) >= 4
    slugs = list(Locality.objects.values_list("slug", flat=True))
    for quarter in quarters:
        query = f"?quarter={quarter.slug}"
        values: dict[str, dict[str, set[str]]] = defaultdict(dict)
        for name in PROGRAMME_PAGES:
            response = client.get(reverse(f"dashboard:{name}") + query)
            assert response.status_code == 200
            for figure, found in figures_on(response.text).items():
                values[figure][name] = found
        for figure in SHARED:
            pages = values[figure]
            assert set(pages) == set(PROGRAMME_PAGES), (quarter.label, figure, pages)
            assert len(set().union(*pages.values())) == 1, (quarter.label, figure, pages)
        # The localities' own pages add up to the programme's count.
        live_by_locality = 0
        for slug in slugs:
            html = client.get(reverse("dashboard:locality", args=[slug]) + query).text
            (value,) = figures_on(html)["locality-mdts-live"]
            live_by_locality += int(value)
        (programme,) = values["mdts-live"]["home"]
        assert live_by_locality == int(programme), quarter.label


def test_mdts_live_are_counted_out_of_every_mdt_planned_for_the_year(
    client, programme_data, board_user
):
    """The base is the register's plan, not the MDTs of whichever returns are approved."""
    client.force_login(board_user)
    q4, q4_end = "?quarter=2018-19-q4", datetime.date(2019, 3, 31)
    figures = client.get(reverse("dashboard:home") + q4).context["overview"].headline.figures

    assert figures.mdts_planned == MDT.objects.filter(planned_go_live__lte=q4_end).count() == 39
    assert figures.mdts_live == MDT.objects.filter(actual_go_live__lte=q4_end).count()
    assert figures.population_covered == sum(
        MDT.objects.filter(actual_go_live__lte=q4_end).values_list("population_covered", flat=True)
    )
    # Q4: five approved; Thanet submitted (awaiting approval, not overdue); Medway's
    # draft and Swale's returned update are overdue (the deadline has passed).
    completeness = figures.completeness
    assert (completeness.approved, completeness.localities_total) == (5, 8)
    assert completeness.awaiting_approval == 1
    assert completeness.overdue == 2

    # A return leaving the dashboards (reopened for correction) moves no MDT figure.
    QuarterlyUpdate.objects.filter(
        locality__slug="west-kent", quarter__number=4, quarter__financial_year__start_year=2018
    ).update(status=QuarterlyUpdate.Status.RETURNED)
    cache.clear()  # update() sends no signal, so the data version (decision 0007) stays
    again = client.get(reverse("dashboard:home") + q4).context["overview"].headline.figures
    assert (again.mdts_live, again.mdts_planned) == (figures.mdts_live, figures.mdts_planned)
    assert again.completeness.approved == 4


def test_the_overview_says_the_base_of_each_headline(client, programme_data, board_user):
    client.force_login(board_user)
    text = client.get(reverse("dashboard:home") + "?quarter=2018-19-q4").text
    assert "planned to go live in 2018/19" in text
    assert "localities' 2018/19 Q4 returns approved" in text
    assert "awaiting approval" in text
    assert "planned in the same" in text


@pytest.mark.parametrize(
    ("slug", "status", "on_page"),
    [
        # Ashford: all three MDTs live by February 2019.
        ("ashford", Milestone.Status.COMPLETE, "Complete"),
        # Medway: two MDTs planned for 2018/19 not live by its end.
        ("medway", Milestone.Status.IN_PROGRESS, "In progress"),
    ],
)
def test_the_mdts_milestone_follows_the_mdts(
    client, programme_data, board_user, slug, status, on_page
):
    milestone = Milestone.objects.get(locality__slug=slug, title=MDTS_MILESTONE)
    mdts = MDT.objects.filter(locality__slug=slug, planned_go_live__lte=milestone.planned_end)
    assert milestone.status == status
    if status == Milestone.Status.COMPLETE:
        assert not mdts.filter(actual_go_live=None).exists()
        assert milestone.actual_date == max(mdts.values_list("actual_go_live", flat=True))
    else:
        assert mdts.filter(actual_go_live=None).exists()

    client.force_login(board_user)
    rows = (
        client.get(reverse("dashboard:locality", args=[slug]) + "?quarter=2018-19-q4")
        .context["data"]
        .milestones
    )
    (row,) = [row for row in rows if row.title == MDTS_MILESTONE]
    assert row.status == on_page


def test_refreshing_the_loaded_fixture_changes_no_derived_milestone(programme_data):
    """The fixture builder and the app derive milestones by the same rules."""
    derived = Milestone.objects.exclude(derived_from="")
    assert derived.count() == 16
    saved = []
    refresh_derived_milestones(
        locality_ids=Locality.objects.values_list("id", flat=True), save=saved.append
    )
    assert saved == []


def test_a_go_live_after_the_milestone_completes_it_when_derived(programme_data):
    milestone = Milestone.objects.get(locality__slug="medway", title=MDTS_MILESTONE)
    late = MDT.objects.filter(
        locality__slug="medway", planned_go_live__lte=milestone.planned_end, actual_go_live=None
    )
    late.update(status=MDT.Status.LIVE, actual_go_live=datetime.date(2019, 5, 6))
    saved = []
    refresh_derived_milestones(locality_ids=[milestone.locality_id], save=saved.append)
    assert [(m.pk, m.status, m.actual_date) for m in saved] == [
        (milestone.pk, Milestone.Status.COMPLETE, datetime.date(2019, 5, 6))
    ]
