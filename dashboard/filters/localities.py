"""The locality choice the dashboard filters offer, narrowed by sub-system when there are many.

Up to LOCALITY_CHOICES_LIMIT localities the list offers them all. Beyond it (a
region, all of England) a list of every locality would be most of a page's
HTML budget (about 50 kB for 800), so it offers the localities of the chosen
sub-system: choose a sub-system, apply, then choose one of its localities.
"""

import datetime
from collections.abc import Iterable, Sequence

import django_filters

from localities.models import Locality

LOCALITY_CHOICES_LIMIT = 50

# (slug, name, sub-system slug, sub-system name)
LocalityChoice = tuple[str, str, str, str]


def locality_choice_rows(*, day: datetime.date) -> list[LocalityChoice]:
    """Every locality in force on `day` (a page's quarter's end) with its sub-system, in
    name order (one query): a page as at a quarter offers the structure then in force
    (decision 0023)."""
    return list(
        Locality.objects.in_force_on(day)
        .order_by("name")
        .values_list("slug", "name", "sub_system__slug", "sub_system__name")
    )


def sub_system_filter(field_name: str) -> django_filters.ChoiceFilter:
    """Declare it before the locality filter, which it narrows."""
    return django_filters.ChoiceFilter(
        label="Sub-system", empty_label="All sub-systems", field_name=field_name
    )


def offer_localities(
    filterset: django_filters.FilterSet,
    localities: Sequence[LocalityChoice],
    *,
    before: Iterable[tuple[str, str]] = (),
) -> None:
    """Give the filterset's `sub_system` and `locality` filters their choices.

    `before`: choices the locality list always starts with ("Programme-wide").
    """
    data = filterset.data or {}
    sub_systems = {slug: name for _, _, slug, name in localities}
    filterset.filters["sub_system"].extra["choices"] = sorted(
        sub_systems.items(), key=lambda item: item[1]
    )
    locality = filterset.filters["locality"]
    if len(localities) <= LOCALITY_CHOICES_LIMIT:
        offered = localities
    else:
        chosen_sub_system, chosen_locality = data.get("sub_system"), data.get("locality")
        if not chosen_sub_system:
            locality.label = f"{locality.label} (choose a sub-system first)"
        # The chosen locality stays a choice (a link may name it without its
        # sub-system); a slug that is no locality is still refused.
        offered = [
            row for row in localities if row[2] == chosen_sub_system or row[0] == chosen_locality
        ]
    locality.extra["choices"] = [*before, *((slug, name) for slug, name, _, _ in offered)]
