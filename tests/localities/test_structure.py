"""The structure in force on a day (decision 0023): dated rows, successions, lineage."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from localities.models import (
    MDT,
    Commissioner,
    Locality,
    PrimaryCareNetwork,
    Reorganisation,
    SubSystem,
    Succession,
)
from localities.structure import structure_as_at

END_OF_2018_19 = dt.date(2019, 3, 31)
MERGER = dt.date(2020, 4, 1)
ICB = dt.date(2022, 7, 1)


def record_the_ccg_merger() -> Commissioner:
    """As the programme office would: the eight CCGs end, one starts, nothing re-pointed."""
    merged = Commissioner.objects.create(
        name="NHS Kent and Medway CCG", kind=Commissioner.Kind.CCG, in_force_from=MERGER
    )
    merged.localities.set(Locality.objects.all())
    event = Reorganisation.objects.create(effective_date=MERGER, title="The eight CCGs merge")
    for ccg in Commissioner.objects.exclude(pk=merged.pk):
        ccg.in_force_until = MERGER - dt.timedelta(days=1)
        ccg.save()
        Succession.objects.create(
            reorganisation=event,
            kind=Succession.Kind.MERGED_INTO,
            predecessor_commissioner=ccg,
            successor_commissioner=merged,
        )
    return merged


def merge_medway_and_swale() -> Locality:
    """The July 2022 change for two of the areas: a new row, the old ones ended."""
    system = SubSystem.objects.create(
        name="Kent and Medway Integrated Care System", slug="kent-and-medway", in_force_from=ICB
    )
    partnership = Locality.objects.create(
        name="Medway and Swale Health and Care Partnership",
        slug="medway-and-swale",
        sub_system=system,
        kind=Locality.Kind.HEALTH_AND_CARE_PARTNERSHIP,
        in_force_from=ICB,
    )
    event = Reorganisation.objects.create(effective_date=ICB, title="Health and Care Partnerships")
    for slug in ("medway", "swale"):
        area = Locality.objects.get(slug=slug)
        area.in_force_until = ICB - dt.timedelta(days=1)
        area.save()
        Succession.objects.create(
            reorganisation=event,
            kind=Succession.Kind.MERGED_INTO,
            predecessor_locality=area,
            successor_locality=partnership,
        )
    return partnership


@pytest.mark.django_db
def test_2018_19_has_the_eight_ccg_localities_each_with_its_own_ccg(programme_data):
    structure = structure_as_at(END_OF_2018_19)
    assert len(structure.localities) == 8
    assert len(structure.commissioners) == 8
    assert structure.area_words == ("locality", "localities")
    assert [s.name for s in structure.sub_systems] == [
        "East Kent",
        "Medway",
        "North Kent",
        "West Kent",
    ]
    thanet = Locality.objects.get(slug="thanet")
    assert structure.locality_for(thanet.id) == thanet
    assert structure.lineage_ids(thanet.id) == (thanet.id,)


@pytest.mark.django_db
def test_after_the_merger_the_same_eight_rows_are_the_merged_ccgs_places(
    programme_data_before_reorganisations,
):
    merged = record_the_ccg_merger()
    after = structure_as_at(dt.date(2020, 6, 30))
    assert after.commissioners == (merged,)
    assert len(after.localities) == 8
    assert after.area_words == ("place", "places")
    # The day before, nothing has changed.
    before = structure_as_at(MERGER - dt.timedelta(days=1))
    assert len(before.commissioners) == 8
    assert before.area_words == ("locality", "localities")


@pytest.mark.django_db
def test_a_merged_partnership_carries_its_predecessors_once(
    programme_data_before_reorganisations,
):
    partnership = merge_medway_and_swale()
    medway, swale = Locality.objects.get(slug="medway"), Locality.objects.get(slug="swale")

    on_the_eve = structure_as_at(ICB - dt.timedelta(days=1))
    assert partnership not in on_the_eve.localities
    assert on_the_eve.locality_for(medway.id) == medway
    assert on_the_eve.locality_for(partnership.id) is None

    after = structure_as_at(dt.date(2022, 9, 30))
    assert medway not in after.localities
    assert partnership in after.localities
    assert len(after.localities) == 7
    assert after.locality_for(medway.id) == partnership
    assert after.locality_for(swale.id) == partnership
    assert sorted(after.lineage_ids(partnership.id)) == sorted(
        [partnership.id, medway.id, swale.id]
    )
    assert {p.slug for p in after.predecessors_of(partnership.id)} == {"medway", "swale"}
    # Every earlier locality is counted under exactly one locality in force.
    counted = [i for loc in after.localities for i in after.lineage_ids(loc.id)]
    assert sorted(counted) == sorted(Locality.objects.values_list("id", flat=True))


@pytest.mark.django_db
def test_the_structure_is_read_in_a_fixed_number_of_queries(
    programme_data_before_reorganisations, django_assert_num_queries
):
    with django_assert_num_queries(4):
        structure_as_at(END_OF_2018_19)
    merge_medway_and_swale()
    record_the_ccg_merger()
    with django_assert_num_queries(4):
        structure_as_at(dt.date(2022, 9, 30))


@pytest.mark.django_db
def test_in_force_on_includes_both_ends_and_open_dates(programme_data):
    pcn = PrimaryCareNetwork.objects.first()
    assert pcn.in_force_from == dt.date(2019, 7, 1)
    assert not pcn.is_in_force_on(dt.date(2019, 6, 30))
    assert pcn.is_in_force_on(dt.date(2019, 7, 1))
    assert pcn in PrimaryCareNetwork.objects.in_force_on(dt.date(2019, 7, 1))
    assert pcn not in PrimaryCareNetwork.objects.in_force_on(dt.date(2019, 6, 30))
    assert pcn in PrimaryCareNetwork.objects.in_force_during(
        dt.date(2019, 4, 1), dt.date(2019, 7, 1)
    )
    pcn.in_force_until = dt.date(2021, 3, 31)
    pcn.save()
    assert pcn.is_in_force_on(dt.date(2021, 3, 31))
    assert pcn not in PrimaryCareNetwork.objects.in_force_on(dt.date(2021, 4, 1))


@pytest.mark.django_db
def test_nothing_ends_before_it_starts(programme_data):
    area = Locality.objects.get(slug="thanet")
    area.in_force_from, area.in_force_until = dt.date(2020, 4, 1), dt.date(2020, 3, 31)
    with pytest.raises(IntegrityError), transaction.atomic():
        area.save()


@pytest.mark.django_db
def test_a_succession_links_one_level_only(programme_data):
    event = Reorganisation.objects.create(effective_date=ICB, title="x")
    medway = Locality.objects.get(slug="medway")
    ccg = Commissioner.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Succession.objects.create(
            reorganisation=event,
            kind=Succession.Kind.BECAME,
            predecessor_locality=medway,
            successor_commissioner=ccg,
        )


@pytest.mark.django_db
def test_the_papers_name_no_pcns_so_the_fixtures_mark_theirs_illustrative(programme_data):
    assert PrimaryCareNetwork.objects.count() == 24
    assert not PrimaryCareNetwork.objects.filter(is_illustrative=False).exists()
    # Every MDT is in one placeholder network of its own locality, and every network
    # holds at least one: the MDT register names a network from 2019/20 Q2.
    for mdt in MDT.objects.prefetch_related("primary_care_networks"):
        (network,) = mdt.primary_care_networks.all()
        assert network.locality_id == mdt.locality_id, mdt
    assert not PrimaryCareNetwork.objects.filter(mdts=None).exists()
    assert not Commissioner.objects.filter(is_illustrative=True).exists()
