"""Every page as at a quarter shows the structure in force at the quarter's end, and
totals over a merge add up (issue 19, decision 0023).

The merge is written in data as the programme office would record it: Medway and
Swale end on 31 December 2018 and a new partnership starts on 1 January 2019, their
successor. Nothing is re-pointed: 2018/19 Q4's returns stay on Medway and Swale.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboard.selectors.areas import structure_words
from dashboard.selectors.overview import locality_health
from localities.models import (
    Commissioner,
    Locality,
    PrimaryCareNetwork,
    Rag,
    Reorganisation,
    SubSystem,
    Succession,
)
from localities.structure import structure_as_at
from tests.dashboard.test_as_at import dashboard_urls, render_all
from tests.helpers import visible_text

MERGER = dt.date(2019, 1, 1)
Q2, Q3, Q4 = "2018-19-q2", "2018-19-q3", "2018-19-q4"

EXTRA_PAGES = ["outcomes-summary", "benefits", "maturity", "actions"]


def merge_medway_and_swale(effective: dt.date = MERGER) -> Locality:
    north_kent = SubSystem.objects.get(name="North Kent")
    partnership = Locality.objects.create(
        name="Medway and Swale Partnership",
        slug="medway-and-swale",
        sub_system=north_kent,
        kind=Locality.Kind.HEALTH_AND_CARE_PARTNERSHIP,
        in_force_from=effective,
        is_illustrative=True,
    )
    event = Reorganisation.objects.create(
        effective_date=effective, title="Medway and Swale merge", is_illustrative=True
    )
    for slug in ("medway", "swale"):
        area = Locality.objects.get(slug=slug)
        area.in_force_until = effective - dt.timedelta(days=1)
        area.save()
        Succession.objects.create(
            reorganisation=event,
            kind=Succession.Kind.MERGED_INTO,
            predecessor_locality=area,
            successor_locality=partnership,
        )
    return partnership


def urls() -> list[str]:
    return [*dashboard_urls(), *[reverse(f"dashboard:{name}") for name in EXTRA_PAGES]]


def get(client, name: str, quarter: str, *args):
    response = client.get(reverse(f"dashboard:{name}", args=args) + f"?quarter={quarter}")
    assert response.status_code == 200
    return response


def totals(client, quarter: str) -> dict:
    """The Kent and Medway totals the pages state as at `quarter`."""
    figures = get(client, "home", quarter).context["overview"].headline.figures
    money = get(client, "money", quarter).context["money"]
    mdts = get(client, "mdts", quarter).context["data"]
    return {
        "mdts": (figures.mdts_live, figures.mdts_planned, figures.population_covered),
        "spend": (figures.spend.spent_to_date, figures.spend.planned_to_date),
        "spend returns": figures.spend.returns,
        "money total": (money.total.spent_to_date, money.total.planned_to_date),
        "money plan": money.total.annual_plan,
        "money by quarter": [(row.spent_to_date, row.returns) for row in money.quarters],
        "money rows": sum((row.spent_to_date for row in money.localities.rows), Decimal("0")),
        "mdt totals": mdts.totals,
    }


@pytest.mark.django_db
def test_2018_19_q2_pages_are_byte_for_byte_the_same_after_a_later_merger(
    client, programme_data, board_user
):
    client.force_login(board_user)
    before = render_all(client, urls(), Q2)

    merge_medway_and_swale()
    after = render_all(client, list(before), Q2)

    for url in before:
        assert after[url] == before[url], url


@pytest.mark.django_db
@pytest.mark.parametrize("quarter", [Q3, Q4])
def test_kent_and_medway_totals_are_the_same_either_side_of_the_merger(
    client, programme_data, board_user, quarter
):
    client.force_login(board_user)
    before = totals(client, quarter)

    merge_medway_and_swale()

    assert totals(client, quarter) == before


@pytest.mark.django_db
def test_as_at_the_quarter_before_the_merger_the_eight_localities_stand(
    client, programme_data, board_user
):
    client.force_login(board_user)
    merge_medway_and_swale()

    response = get(client, "home", Q3)

    rows = [row.locality.slug for row in response.context["matrix"].rows]
    assert len(rows) == 8
    assert "medway" in rows
    assert "medway-and-swale" not in rows
    assert response.context["overview"].headline.localities_total == 8


@pytest.mark.django_db
def test_after_the_merger_the_partnership_adds_up_its_predecessors(
    client, programme_data, board_user
):
    client.force_login(board_user)
    before = {row.slug: row for row in get(client, "money", Q4).context["money"].localities.rows}
    merge_medway_and_swale()

    overview = get(client, "home", Q4)
    rows = {row.locality.slug: row for row in overview.context["matrix"].rows}
    assert "medway" not in rows
    assert "swale" not in rows
    assert overview.context["overview"].headline.localities_total == 7
    assert "medway-and-swale" in rows

    money = {row.slug: row for row in get(client, "money", Q4).context["money"].localities.rows}
    merged = money["medway-and-swale"]
    assert merged.spent_to_date == before["medway"].spent_to_date + before["swale"].spent_to_date
    assert (
        merged.planned_to_date == before["medway"].planned_to_date + before["swale"].planned_to_date
    )
    assert merged.returns == before["medway"].returns + before["swale"].returns
    assert merged.annual_plan == before["medway"].annual_plan + before["swale"].annual_plan
    assert set(money) == set(before) - {"medway", "swale"} | {"medway-and-swale"}


@pytest.mark.django_db
def test_filters_offer_the_localities_in_force_at_the_quarter(client, programme_data, board_user):
    client.force_login(board_user)
    merge_medway_and_swale()

    for name in ("objectives", "milestones", "mdts", "risks"):
        q3 = get(client, name, Q3).text
        q4 = get(client, name, Q4).text
        assert 'value="medway"' in q3, name
        assert 'value="medway-and-swale"' not in q3, name
        assert 'value="medway"' not in q4, name
        assert 'value="medway-and-swale"' in q4, name


@pytest.mark.django_db
def test_a_locality_no_longer_in_force_says_what_it_became(client, programme_data, board_user):
    client.force_login(board_user)
    merge_medway_and_swale()

    medway = get(client, "locality", Q4, "medway")
    text = visible_text(medway.text)
    assert "Medway was not in force at the end of 2018/19 Q4" in text
    assert "merged into Medway and Swale Partnership on 1 January 2019" in text
    assert f'href="{reverse("dashboard:locality", args=["medway-and-swale"])}?quarter={Q4}"' in (
        medway.text
    )
    # Before the merger it is a locality like any other.
    assert "was not in force" not in visible_text(get(client, "locality", Q3, "medway").text)

    partnership = visible_text(get(client, "locality", Q4, "medway-and-swale").text)
    assert "Formed on 1 January 2019 from Medway and Swale" in partnership


@pytest.mark.django_db
def test_the_partnerships_rag_is_the_worst_of_its_predecessors(client, programme_data, board_user):
    """Merged from 1 October 2018, so that 2018/19 Q3's approved returns are Medway's and
    Swale's: the partnership's cell for each objective is the worse of the two."""
    client.force_login(board_user)
    before = {row.locality.slug: row for row in get(client, "home", Q3).context["matrix"].rows}
    merge_medway_and_swale(dt.date(2018, 10, 1))

    rows = {row.locality.slug: row for row in get(client, "home", Q3).context["matrix"].rows}

    merged = rows["medway-and-swale"]
    for cell, medway, swale in zip(
        merged.cells, before["medway"].cells, before["swale"].cells, strict=True
    ):
        worse = min(medway.rag, swale.rag, key=Rag.severity)
        assert cell.rag == worse
    assert merged.health == locality_health(
        [cell.rag for cell in merged.cells if cell.rag is not None]
    )
    assert set(rows) == set(before) - {"medway", "swale"} | {"medway-and-swale"}


@pytest.mark.django_db
def test_the_words_that_count_areas_come_from_the_structure(client, programme_data, board_user):
    client.force_login(board_user)

    overview = visible_text(get(client, "home", Q2).text)

    assert (
        "In force on 30 September 2018: 8 localities in 4 sub-systems, each with its own CCG"
        in (overview)
    )
    # The fixtures record the 2020 merger through the office's service.
    merged = Commissioner.objects.get(name="NHS Kent and Medway CCG")
    after_2020 = structure_as_at(dt.date(2020, 6, 30))
    assert structure_words(after_2020) == (f"{merged.name}: 8 places (8 places in 4 sub-systems)")
    assert after_2020.area_words == ("place", "places")


@pytest.mark.django_db
def test_data_completeness_counts_the_areas_in_force(client, programme_data, board_user):
    client.force_login(board_user)
    merge_medway_and_swale(dt.date(2018, 10, 1))

    completeness = get(client, "home", Q3).context["overview"].headline.figures.completeness

    # Medway's and Swale's approved Q3 returns count once, for the partnership.
    assert completeness.localities_total == 7
    assert completeness.approved + completeness.awaiting_approval <= 7


@pytest.mark.django_db
def test_the_mdt_register_shows_the_pcn_in_force_at_the_quarters_end(
    client, programme_data, board_user
):
    client.force_login(board_user)
    # The fixtures' placeholder networks hold their locality's MDTs from July 2019.
    network = PrimaryCareNetwork.objects.filter(locality__slug="thanet").order_by("name").first()
    mdt = network.mdts.order_by("name").first()

    def register(quarter: str):
        url = reverse("dashboard:mdts") + f"?quarter={quarter}&locality=thanet"
        response = client.get(url)
        assert response.status_code == 200
        return response

    def pcn_of_the_mdt(quarter: str) -> str:
        rows = register(quarter).context["data"].register.rows
        return next(row.pcn for row in rows if row.pk == mdt.pk) or ""

    assert network.in_force_from == dt.date(2019, 7, 1)
    assert pcn_of_the_mdt("2019-20-q1") == ""  # the networks start in July 2019
    assert pcn_of_the_mdt("2019-20-q2") == network.name
    assert network.name in register("2019-20-q2").text
