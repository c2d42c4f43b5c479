"""Recording a reorganisation (localities.reorganisation_services): each kind of
change, the refusals, one transaction, history, nothing deleted or re-pointed."""

import datetime as dt
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from localities import access
from localities.models import (
    Commissioner,
    LeadAssignment,
    Locality,
    Reorganisation,
    SubSystem,
    Succession,
)
from localities.programme_data import read_reorganisations, record_reorganisations
from localities.reorganisation_services import (
    LOADER,
    Change,
    Level,
    NewSuccessor,
    StalePreview,
    plan_reorganisation,
    record_reorganisation,
)
from localities.structure import structure_as_at
from tests.reorganisations import ICB_2022

MERGER = dt.date(2020, 4, 1)
ICB = dt.date(2022, 7, 1)
DAY = dt.date(2019, 10, 1)
MERGED = Succession.Kind.MERGED_INTO


def area(slug: str) -> Locality:
    return Locality.objects.get(slug=slug)


def record(by, *changes, effective_date=DAY, **kwargs):
    return record_reorganisation(
        by=by,
        effective_date=effective_date,
        title=kwargs.pop("title", "A test reorganisation"),
        source="Test",
        changes=changes,
        **kwargs,
    )


def partnership(name="Medway and Swale Test Partnership", sub_system="Medway", **kwargs):
    return NewSuccessor(
        name=name, kind=Locality.Kind.HEALTH_AND_CARE_PARTNERSHIP, sub_system=sub_system, **kwargs
    )


@pytest.fixture
def lead_user(programme_data_before_reorganisations, django_user_model):
    """A lead of Medway (an open assignment)."""
    user = django_user_model.objects.create_user(username="medway-lead")
    user.groups.add(Group.objects.get(name=access.LOCALITY_LEAD))
    LeadAssignment.objects.create(user=user, locality=area("medway"))
    return user


def every_foreign_key() -> dict:
    """Every row's foreign keys, for every model but history: (model, pk) -> values."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in ("localities", "risks", "governance", "updates"):
            continue
        if model.__name__.startswith("Historical"):
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.is_relation]
        if not fields:
            continue
        for row in model._base_manager.values("pk", *fields):
            found[(model._meta.label, row.pop("pk"))] = row
    return found


def row_counts() -> dict:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in ("localities", "risks", "governance", "updates")
    }


# --- The fixtures' reorganisations ------------------------------------------------


@pytest.mark.django_db
def test_the_fixtures_2020_merger_and_the_2022_icb_after_it(icb_2022):
    merger, icb = Reorganisation.objects.order_by("effective_date")
    assert (merger.effective_date, icb.effective_date) == (MERGER, ICB)
    assert not merger.is_illustrative
    assert not icb.is_illustrative
    assert merger.source.startswith("Public record")
    assert merger.successions.count() == 8

    in_2018_19 = structure_as_at(dt.date(2019, 3, 31))
    assert len(in_2018_19.commissioners) == 8
    assert len(in_2018_19.localities) == 8
    assert in_2018_19.area_words == ("locality", "localities")

    in_2020 = structure_as_at(dt.date(2020, 6, 30))
    (ccg,) = in_2020.commissioners
    assert ccg.name == "NHS Kent and Medway CCG"
    assert {loc.slug for loc in in_2020.localities} == set(
        Locality.objects.filter(kind=Locality.Kind.CCG_AREA).values_list("slug", flat=True)
    )
    assert in_2020.area_words == ("place", "places")

    in_2022 = structure_as_at(dt.date(2022, 9, 30))
    (board,) = in_2022.commissioners
    assert board.kind == Commissioner.Kind.ICB
    assert [loc.name for loc in board.localities_in_force] == [
        "Dartford, Gravesham and Swanley Health and Care Partnership",
        "East Kent Health and Care Partnership",
        "Medway and Swale Health and Care Partnership",
        "West Kent Health and Care Partnership",
    ]
    assert [s.name for s in in_2022.sub_systems] == ["Kent and Medway Integrated Care System"]
    assert in_2022.area_words == ("Health and Care Partnership", "Health and Care Partnerships")
    east = Locality.objects.get(slug="east-kent-hcp")
    assert {loc.slug for loc in in_2022.predecessors_of(east.id)} == {
        "ashford",
        "canterbury-and-coastal",
        "south-kent-coast",
        "thanet",
    }
    # Every earlier area counts under exactly one partnership.
    counted = [i for loc in in_2022.localities for i in in_2022.lineage_ids(loc.id)]
    assert sorted(counted) == sorted(Locality.objects.values_list("id", flat=True))
    # The old CCG rows are ended, not edited otherwise, and keep their areas.
    thanet_ccg = Commissioner.objects.get(name="NHS Thanet CCG")
    assert thanet_ccg.in_force_until == dt.date(2020, 3, 31)
    assert [loc.slug for loc in thanet_ccg.localities.all()] == ["thanet"]
    assert thanet_ccg.history.latest().history_change_reason == (
        "Reorganisation: The eight Kent and Medway CCGs merge into NHS Kent and Medway CCG"
    )


@pytest.mark.django_db
def test_recording_the_fixtures_reorganisations_deletes_and_re_points_nothing(
    programme_data_before_reorganisations,
):
    keys, counts = every_foreign_key(), row_counts()
    record_reorganisations(read_reorganisations())
    after = every_foreign_key()
    assert {key: after[key] for key in keys} == keys
    after_counts = row_counts()
    assert all(after_counts[label] >= count for label, count in counts.items())


# --- Each kind of change ----------------------------------------------------------


@pytest.mark.django_db
def test_a_merger_into_a_new_locality_ends_starts_and_carries_the_leads(office_user, lead_user):
    medway, swale = area("medway"), area("swale")
    led_before = list(LeadAssignment.objects.filter(locality=medway, user=lead_user))
    assert len(led_before) == 1
    event = record(
        office_user,
        Change(
            level=Level.LOCALITY,
            kind=MERGED,
            predecessors=(medway, swale),
            successors=(partnership(),),
        ),
    )
    new = Locality.objects.get(name="Medway and Swale Test Partnership")
    assert new.slug == "medway-and-swale-test-partnership"
    assert (new.in_force_from, new.in_force_until) == (DAY, None)
    assert new.sub_system.name == "Medway"
    medway.refresh_from_db()
    assert medway.in_force_until == dt.date(2019, 9, 30)
    assert [str(line) for line in event.successions.all()] == [
        "Medway merged into Medway and Swale Test Partnership",
        "Swale merged into Medway and Swale Test Partnership",
    ]
    assert event.recorded_by == office_user
    assert event.history.get().history_user == office_user
    # The lead's old assignment ends (same row, same locality), a new one starts.
    old = LeadAssignment.objects.get(pk=led_before[0].pk)
    assert (old.locality, old.in_force_until) == (medway, dt.date(2019, 9, 30))
    carried = LeadAssignment.objects.get(user=lead_user, locality=new)
    assert (carried.in_force_from, carried.in_force_until) == (DAY, None)
    assert carried.history.get().history_change_reason == "Reorganisation: A test reorganisation"
    # The CCGs carry on: the new area is commissioned by those of its predecessors.
    assert set(new.commissioners.values_list("name", flat=True)) == {
        "NHS Medway CCG",
        "NHS Swale CCG",
    }
    assert structure_as_at(DAY).locality_for(swale.id) == new
    assert structure_as_at(DAY - dt.timedelta(days=1)).locality_for(swale.id) == swale


@pytest.mark.django_db
def test_leads_can_be_left_behind(office_user, lead_user):
    medway = area("medway")
    record(
        office_user,
        Change(
            level=Level.LOCALITY,
            kind=Succession.Kind.BECAME,
            predecessors=(medway,),
            successors=(partnership(),),
        ),
        carry_leads=False,
    )
    assert LeadAssignment.objects.get(user=lead_user, locality=medway).in_force_until == dt.date(
        2019, 9, 30
    )
    assert not LeadAssignment.objects.filter(
        user=lead_user, locality__slug="medway-and-swale-test-partnership"
    ).exists()


@pytest.mark.django_db
def test_a_merger_into_an_existing_locality(programme_data_before_reorganisations, office_user):
    swale, medway = area("swale"), area("medway")
    record(
        office_user,
        Change(level=Level.LOCALITY, kind=MERGED, predecessors=(swale,), successors=(medway,)),
    )
    medway.refresh_from_db()
    assert medway.in_force_until is None
    assert structure_as_at(DAY).locality_for(swale.id) == medway


@pytest.mark.django_db
def test_a_split_and_a_renaming(programme_data_before_reorganisations, office_user):
    west, swale = area("west-kent"), area("swale")
    record(
        office_user,
        Change(
            level=Level.LOCALITY,
            kind=Succession.Kind.SPLIT_INTO,
            predecessors=(west,),
            successors=(
                NewSuccessor(name="West Kent North", kind="ccg_area", sub_system="West Kent"),
                NewSuccessor(name="West Kent South", kind="ccg_area", sub_system="West Kent"),
            ),
        ),
        Change(
            level=Level.LOCALITY,
            kind=Succession.Kind.RENAMED,
            predecessors=(swale,),
            successors=(
                NewSuccessor(
                    name="Swale Place", slug="swale-place", kind="ccg_area", sub_system="North Kent"
                ),
            ),
        ),
    )
    after = structure_as_at(DAY)
    assert {loc.name for loc in after.localities} >= {
        "West Kent North",
        "West Kent South",
        "Swale Place",
    }
    assert after.locality_for(west.id).name == "West Kent North"  # a split adds up under the first
    assert Succession.objects.filter(predecessor_locality=west).count() == 2


@pytest.mark.django_db
def test_sub_systems_and_commissioners_change_with_their_areas(
    programme_data_before_reorganisations, office_user
):
    medway_system = SubSystem.objects.get(name="Medway")
    medway = area("medway")
    record(
        office_user,
        Change(
            level=Level.SUB_SYSTEM,
            kind=Succession.Kind.RENAMED,
            predecessors=(medway_system,),
            successors=(NewSuccessor(name="Medway System"),),
        ),
        Change(
            level=Level.LOCALITY,
            kind=Succession.Kind.BECAME,
            predecessors=(medway,),
            successors=(
                NewSuccessor(name="Medway Place", kind="ccg_area", sub_system="Medway System"),
            ),
        ),
        Change(
            level=Level.COMMISSIONER,
            kind=Succession.Kind.RENAMED,
            predecessors=(Commissioner.objects.get(name="NHS Medway CCG"),),
            successors=(NewSuccessor(name="NHS Medway New CCG", kind="ccg"),),
        ),
    )
    new_ccg = Commissioner.objects.get(name="NHS Medway New CCG")
    assert [loc.name for loc in new_ccg.localities.all()] == ["Medway Place"]
    assert SubSystem.objects.get(name="Medway System").slug == "medway-system"
    assert [
        loc.slug for loc in Commissioner.objects.get(name="NHS Medway CCG").localities.all()
    ] == ["medway"]


# --- Refusals -----------------------------------------------------------------------


def refusal(**kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        plan_reorganisation(title=kwargs.pop("title", "T"), **kwargs)
    return " ".join(caught.value.messages)


@pytest.mark.django_db
def test_refusals_say_what_is_wrong(programme_data_before_reorganisations):
    medway, swale = area("medway"), area("swale")
    merge = Change(
        level=Level.LOCALITY, kind=MERGED, predecessors=(medway, swale), successors=(partnership(),)
    )
    assert "at least one change" in refusal(effective_date=DAY, changes=())
    assert "date the new structure began" in refusal(effective_date=None, changes=(merge,))
    assert "title" in refusal(effective_date=DAY, changes=(merge,), title=" ")
    into_itself = Change(
        level=Level.LOCALITY, kind=MERGED, predecessors=(medway, swale), successors=(medway,)
    )
    assert "Medway cannot merged into itself" in refusal(effective_date=DAY, changes=(into_itself,))
    taken = Change(
        level=Level.LOCALITY,
        kind=MERGED,
        predecessors=(medway, swale),
        successors=(partnership(name="thanet"),),
    )
    assert "The name thanet is already used by a locality" in refusal(
        effective_date=DAY, changes=(taken,)
    )
    slug_taken = Change(
        level=Level.LOCALITY,
        kind=MERGED,
        predecessors=(medway, swale),
        successors=(partnership(slug="thanet"),),
    )
    assert "web address thanet is already used" in refusal(
        effective_date=DAY, changes=(slug_taken,)
    )
    twice = (
        merge,
        Change(
            level=Level.LOCALITY,
            kind=Succession.Kind.BECAME,
            predecessors=(swale,),
            successors=(partnership(name="Other"),),
        ),
    )
    assert "Swale is in two changes" in refusal(effective_date=DAY, changes=twice)
    system = Change(
        level=Level.SUB_SYSTEM,
        kind=Succession.Kind.RENAMED,
        predecessors=(SubSystem.objects.get(name="Medway"),),
        successors=(NewSuccessor(name="Medway System"),),
    )
    assert "Medway is still in force in Medway after 30 September 2019" in refusal(
        effective_date=DAY, changes=(system,)
    )
    existing_ccg = Change(
        level=Level.COMMISSIONER,
        kind=MERGED,
        predecessors=(Commissioner.objects.get(name="NHS Swale CCG"),),
        successors=(Commissioner.objects.get(name="NHS Medway CCG"),),
    )
    assert "areas are not dated" in refusal(effective_date=DAY, changes=(existing_ccg,))
    split_of_two = Change(
        level=Level.LOCALITY,
        kind=Succession.Kind.SPLIT_INTO,
        predecessors=(medway, swale),
        successors=(partnership(),),
    )
    assert "a split is one locality into two or more" in refusal(
        effective_date=DAY, changes=(split_of_two,)
    )
    no_sub_system = Change(
        level=Level.LOCALITY,
        kind=MERGED,
        predecessors=(medway,),
        successors=(partnership(sub_system="Nowhere"),),
    )
    assert "no sub-system called Nowhere" in refusal(effective_date=DAY, changes=(no_sub_system,))
    nothing = Change(level=Level.LOCALITY, kind=MERGED, predecessors=(), successors=())
    assert "choose what ended" in refusal(effective_date=DAY, changes=(nothing,))

    # After the fixtures' 2020 merger and the 2022 ICB, Medway ends on 30 June 2022.
    record_reorganisations([*read_reorganisations(), ICB_2022])
    medway, swale = area("medway"), area("swale")
    merge = Change(
        level=Level.LOCALITY, kind=MERGED, predecessors=(medway, swale), successors=(partnership(),)
    )
    assert "Medway already ends on 30 June 2022" in refusal(effective_date=DAY, changes=(merge,))
    hcp = Locality.objects.get(slug="east-kent-hcp")
    late = Change(
        level=Level.LOCALITY,
        kind=Succession.Kind.BECAME,
        predecessors=(hcp,),
        successors=(partnership(),),
    )
    assert "only starts on 1 July 2022" in refusal(effective_date=ICB, changes=(late,))


@pytest.mark.django_db
def test_only_the_programme_office_records(board_user, lead_user):
    merge = Change(
        level=Level.LOCALITY,
        kind=MERGED,
        predecessors=(area("swale"),),
        successors=(area("medway"),),
    )
    for user in (board_user, lead_user):
        with pytest.raises(PermissionDenied):
            record(user, merge)
    assert not Reorganisation.objects.exists()


@pytest.mark.django_db
def test_a_plan_that_changed_since_its_preview_is_refused(office_user, lead_user):
    medway, swale = area("medway"), area("swale")
    changes = (
        Change(
            level=Level.LOCALITY,
            kind=MERGED,
            predecessors=(medway, swale),
            successors=(partnership(),),
        ),
    )
    plan = plan_reorganisation(effective_date=DAY, title="T", changes=changes)
    LeadAssignment.objects.create(user=lead_user, locality=swale)  # meanwhile
    with pytest.raises(StalePreview):
        record(office_user, *changes, expected_fingerprint=plan.fingerprint)
    assert not Reorganisation.objects.exists()
    fresh = plan_reorganisation(effective_date=DAY, title="T", changes=changes)
    record(office_user, *changes, title="T", expected_fingerprint=fresh.fingerprint)
    assert Reorganisation.objects.count() == 1


@pytest.mark.django_db
def test_one_transaction_nothing_half_saved(programme_data_before_reorganisations, office_user):
    counts = row_counts()
    merge = Change(
        level=Level.LOCALITY,
        kind=MERGED,
        predecessors=(area("medway"), area("swale")),
        successors=(partnership(),),
    )
    with (
        mock.patch.object(Succession, "save", side_effect=RuntimeError("the database went away")),
        pytest.raises(RuntimeError),
    ):
        record(office_user, merge)
    assert row_counts() == counts
    assert area("medway").in_force_until is None


@pytest.mark.django_db
def test_the_loader_records_with_no_person(programme_data):
    event = Reorganisation.objects.order_by("effective_date").first()
    assert event.recorded_by is None
    assert event.history.get().history_user is None
    assert LOADER is not None
