"""The areas a page as at a quarter counts under (decision 0023, "How pages use it").

A page shows the localities in force at its quarter's end (`DashboardPage.structure`)
and adds up every figure reported against an earlier locality under the one in
force that it became part of. Each figure belongs to one row and each row maps to
at most one area in force, so a total over a merge neither double-counts nor drops
an area. Rows are mapped in Python through `Structure.locality_for`, or in SQL by
`area_of`: an expression as long as the list of localities that were succeeded,
never as long as the data.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce

from localities.models import Locality, Succession
from localities.structure import Structure


def area_of(structure: Structure, field: str = "locality_id") -> Expression:
    """In SQL: the id of the locality in force that the locality in `field` counts under.

    A locality with no area in force (not yet in force, or ended with no successor)
    keeps its own id, which matches no area in force.
    """
    predecessors: dict[int, list[int]] = defaultdict(list)
    for locality_id, area_id in structure.successor_ids.items():
        if locality_id != area_id:
            predecessors[area_id].append(locality_id)
    if not predecessors:
        return F(field)
    return Case(
        *[
            When(**{f"{field}__in": sorted(ids)}, then=Value(area_id))
            for area_id, ids in sorted(predecessors.items())
        ],
        default=F(field),
        output_field=IntegerField(),
    )


def counted_locality_ids(structure: Structure) -> list[int]:
    """Every locality whose figures count on the page: those in force and their lineage."""
    return sorted(structure.successor_ids)


def localities_in_force(structure: Structure):
    """The localities in force at the page's day, as a queryset (for SQL paging and sorting)."""
    return Locality.objects.in_force_on(structure.day)


def succeeded(structure: Structure) -> bool:
    """Has any locality counted on the page become part of another by its day?"""
    return any(locality_id != area_id for locality_id, area_id in structure.successor_ids.items())


def inherited(
    structure: Structure,
    rows: Callable[[tuple[int, ...]], QuerySet],
    value,
    *,
    group_by: str,
    output_field=None,
) -> Expression:
    """For each locality in force, `value` aggregated over `rows(ids)` of the localities
    that became part of it; 0 for the rest (add it to the locality's own figure).

    One uncorrelated subquery per locality in force that has predecessors (a handful,
    however much data): PostgreSQL runs each once, not once a row. `group_by` is a
    column every row of `rows` shares, so that each subquery is one group.
    """
    output_field = output_field or IntegerField()
    zero = Value(0, output_field=output_field)
    wanted = {
        locality.id: structure.predecessor_ids[locality.id]
        for locality in structure.localities
        if structure.predecessor_ids.get(locality.id)
    }
    if not wanted:
        return zero
    return Case(
        *[
            When(
                pk=area,
                then=Coalesce(
                    Subquery(
                        rows(ids)
                        .order_by()
                        .values(group_by)
                        .annotate(total=value)
                        .values("total")[:1]
                    ),
                    zero,
                ),
            )
            for area, ids in sorted(wanted.items())
        ],
        default=zero,
        output_field=output_field,
    )


# How a succession reads after a locality's name ("Medway merged into …").
SUCCESSION_WORDS = {
    Succession.Kind.MERGED_INTO: "merged into",
    Succession.Kind.SPLIT_INTO: "was split, in part into",
    Succession.Kind.RENAMED: "was renamed",
    Succession.Kind.BECAME: "became",
}


@dataclass(frozen=True)
class Change:
    """One line of a reorganisation as a locality's page tells it."""

    locality: Locality  # what it became, or what it was formed from
    words: str
    effective_date: datetime.date
    is_illustrative: bool


@dataclass(frozen=True)
class Standing:
    """Where a locality stood in the structure at a page's day (decision 0023)."""

    in_force: bool
    not_yet: bool  # not yet in force: it started after the day
    became: Locality | None  # the locality in force it is part of, if not itself
    became_by: tuple[Change, ...]  # what it became, in order (successions out)
    formed_from: tuple[Change, ...]  # the localities that became it by the day

    @property
    def formed_on(self) -> datetime.date | None:
        return self.formed_from[0].effective_date if self.formed_from else None


def locality_standing(*, structure: Structure, locality: Locality) -> Standing:
    """Whether `locality` was in force at the structure's day, what it became, what it was
    formed from: one query, the reorganisations recorded by that day."""
    day = structure.day
    changes = list(
        Succession.objects.filter(reorganisation__effective_date__lte=day)
        .filter(Q(predecessor_locality=locality) | Q(successor_locality=locality))
        .select_related("reorganisation", "predecessor_locality", "successor_locality")
        .order_by("reorganisation__effective_date", "id")
    )
    became_by = tuple(
        Change(
            locality=change.successor_locality,
            words=SUCCESSION_WORDS[change.kind],
            effective_date=change.reorganisation.effective_date,
            is_illustrative=change.reorganisation.is_illustrative,
        )
        for change in changes
        if change.predecessor_locality_id == locality.id
    )
    formed_from = tuple(
        Change(
            locality=change.predecessor_locality,
            words=SUCCESSION_WORDS[change.kind],
            effective_date=change.reorganisation.effective_date,
            is_illustrative=change.reorganisation.is_illustrative,
        )
        for change in changes
        if change.successor_locality_id == locality.id
    )
    in_force = locality.is_in_force_on(day)
    return Standing(
        in_force=in_force,
        not_yet=locality.in_force_from is not None and day < locality.in_force_from,
        became=None if in_force else structure.locality_for(locality.id),
        became_by=became_by,
        formed_from=formed_from,
    )


def structure_words(structure: Structure) -> str:
    """The structure in force in a sentence, its words counting from the structure itself:
    "8 localities in 4 sub-systems, each with its own CCG" in 2018/19; "NHS Kent and
    Medway CCG: 8 places" after April 2020; "NHS Kent and Medway ICB: 4 Health and Care
    Partnerships" after July 2022."""
    singular, plural = structure.area_words
    count = len(structure.localities)
    sub_systems = len(structure.sub_systems)
    words = f"{count} {singular if count == 1 else plural} in {sub_systems} sub-system"
    words += "" if sub_systems == 1 else "s"
    shared = [c for c in structure.commissioners if len(c.localities_in_force) > 1]
    if shared:
        return (
            "; ".join(
                f"{commissioner.name}: {len(commissioner.localities_in_force)} {plural}"
                for commissioner in shared
            )
            + f" ({words})"
        )
    if structure.commissioners and all(
        len(c.localities_in_force) == 1 for c in structure.commissioners
    ):
        words += ", each with its own CCG"
    return words
