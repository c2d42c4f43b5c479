"""Filters for the objectives page: which localities' rows to show."""

import django_filters

from localities.models import Locality


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
        self.filters["locality"].extra["choices"] = [
            (slug, name) for slug, name, _, _ in localities
        ]
