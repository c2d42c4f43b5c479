"""Filters for the objectives page: which localities' rows to show."""

import django_filters

from localities.models import Locality

# Up to this many localities the locality list offers them all. Beyond it (a
# region, all of England) a list of every locality would be most of the page's
# HTML budget (about 50 kB for 800), so it offers the localities of the chosen
# sub-system: choose a sub-system, apply, then choose one of its localities.
LOCALITY_CHOICES_LIMIT = 50


class ObjectiveLocalityFilter(django_filters.FilterSet):
    """Choices are passed in, read as plain values, so the form costs no query of its own."""

    sub_system = django_filters.ChoiceFilter(
        label="Sub-system", empty_label="All sub-systems", field_name="sub_system__slug"
    )
    locality = django_filters.ChoiceFilter(
        label="Locality", empty_label="All localities", field_name="slug"
    )

    class Meta:
        model = Locality
        fields = []

    def __init__(self, data=None, *, queryset, localities: list[tuple[str, str, str, str]]):
        """`localities`: (slug, name, sub-system slug, sub-system name), in name order."""
        super().__init__(data, queryset=queryset)
        sub_systems = {slug: name for _, _, slug, name in localities}
        self.filters["sub_system"].extra["choices"] = sorted(
            sub_systems.items(), key=lambda item: item[1]
        )
        self.filters["locality"].extra["choices"] = self._locality_choices(data, localities)

    def _locality_choices(self, data, localities) -> list[tuple[str, str]]:
        if len(localities) <= LOCALITY_CHOICES_LIMIT:
            return [(slug, name) for slug, name, _, _ in localities]
        chosen_sub_system = (data or {}).get("sub_system")
        chosen_locality = (data or {}).get("locality")
        if not chosen_sub_system:
            self.filters["locality"].label = "Locality (choose a sub-system first)"
        # The chosen locality stays a choice (a link may name it without its
        # sub-system); a slug that is no locality is still refused.
        return [
            (slug, name)
            for slug, name, sub_system, _ in localities
            if sub_system == chosen_sub_system or slug == chosen_locality
        ]
