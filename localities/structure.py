"""The structure in force on a day (decision 0023).

Which commissioners, sub-systems and localities were in force on a day, and
which locality in force each earlier one became part of: pages as at a quarter
show the structure at its end, and add up an earlier locality's figures under
the one it became part of, once. Rows are never re-pointed, so the same
reading of the same day gives the same answer before and after a later
reorganisation is recorded.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from localities.models import Commissioner, Locality, Succession


@dataclass(frozen=True)
class Structure:
    """The structure in force on `day`, read in a fixed number of queries."""

    day: datetime.date
    commissioners: tuple[Commissioner, ...]
    localities: tuple[Locality, ...]
    # Every locality ever (id) -> the id of the locality in force on `day` that it
    # is, or became part of. Absent: not yet in force, or ended with no successor.
    successor_ids: dict[int, int] = field(default_factory=dict)
    # Locality in force (id) -> the ids of every earlier locality that became part
    # of it by `day` (by id); itself not included.
    predecessor_ids: dict[int, tuple[int, ...]] = field(default_factory=dict)
    localities_by_id: dict[int, Locality] = field(default_factory=dict)

    @property
    def sub_systems(self) -> tuple:
        """The sub-systems of the localities in force, by name."""
        seen = {locality.sub_system_id: locality.sub_system for locality in self.localities}
        return tuple(sorted(seen.values(), key=lambda sub_system: sub_system.name))

    def locality_for(self, locality_id: int) -> Locality | None:
        """The locality in force on `day` that `locality_id` is or became part of."""
        successor = self.successor_ids.get(locality_id)
        return self.localities_by_id.get(successor) if successor is not None else None

    def lineage_ids(self, locality_id: int) -> tuple[int, ...]:
        """A locality in force and every earlier one that became part of it."""
        return (locality_id, *self.predecessor_ids.get(locality_id, ()))

    def predecessors_of(self, locality_id: int) -> list[Locality]:
        return [self.localities_by_id[i] for i in self.predecessor_ids.get(locality_id, ())]

    @property
    def area_words(self) -> tuple[str, str]:
        """What the areas were called on `day` (singular, plural).

        CCG localities until the CCGs merged on 1 April 2020; the merged CCG's
        places after; Health and Care Partnerships under the ICB from July 2022.
        """
        if self.localities and all(
            locality.kind == Locality.Kind.HEALTH_AND_CARE_PARTNERSHIP
            for locality in self.localities
        ):
            return "Health and Care Partnership", "Health and Care Partnerships"
        if any(len(commissioner.localities_in_force) > 1 for commissioner in self.commissioners):
            return "place", "places"
        return "locality", "localities"


def structure_as_at(day: datetime.date) -> Structure:
    """The structure in force on `day`: three queries whatever the data."""
    every_locality = {
        locality.id: locality for locality in Locality.objects.select_related("sub_system")
    }
    in_force = tuple(
        locality for locality in every_locality.values() if locality.is_in_force_on(day)
    )
    in_force_ids = {locality.id for locality in in_force}
    commissioners = tuple(
        Commissioner.objects.in_force_on(day).prefetch_related(
            Prefetch(
                "localities",
                queryset=Locality.objects.in_force_on(day).order_by("name"),
                to_attr="localities_in_force",
            )
        )
    )
    successions = Succession.objects.filter(
        predecessor_locality__isnull=False, reorganisation__effective_date__lte=day
    ).order_by("reorganisation__effective_date", "id")
    became: dict[int, int] = {}
    for predecessor_id, successor_id in successions.values_list(
        "predecessor_locality_id", "successor_locality_id"
    ):
        # A locality split between several successors adds up under the first
        # (the reorganisation says how it was split; its figures count once).
        became.setdefault(predecessor_id, successor_id)

    successor_ids: dict[int, int] = {}
    predecessor_ids: dict[int, list[int]] = defaultdict(list)
    for locality_id in every_locality:
        current, seen = locality_id, set()
        while current not in in_force_ids and current in became and current not in seen:
            seen.add(current)
            current = became[current]
        if current in in_force_ids:
            successor_ids[locality_id] = current
            if current != locality_id:
                predecessor_ids[current].append(locality_id)
    return Structure(
        day=day,
        commissioners=commissioners,
        localities=tuple(sorted(in_force, key=lambda locality: locality.name)),
        successor_ids=successor_ids,
        predecessor_ids={key: tuple(value) for key, value in predecessor_ids.items()},
        localities_by_id=every_locality,
    )
