"""Filters for the objectives page: which localities' rows to show."""

import django_filters

from localities.models import Locality


class ObjectiveLocalityFilter(django_filters.FilterSet):
    """Choices are passed in from localities already read, so the form costs no query."""

    sub_system = django_filters.ChoiceFilter(
        label="Sub-system", empty_label="All sub-systems", field_name="sub_system__slug"
    )
    locality = django_filters.ChoiceFilter(
        label="Locality", empty_label="All localities", field_name="slug"
    )

    class Meta:
        model = Locality
        fields = []

    def __init__(self, data=None, *, queryset, localities: list[Locality]):
        super().__init__(data, queryset=queryset)
        sub_systems = {
            locality.sub_system.slug: locality.sub_system.name for locality in localities
        }
        self.filters["sub_system"].extra["choices"] = sorted(
            sub_systems.items(), key=lambda item: item[1]
        )
        self.filters["locality"].extra["choices"] = [
            (locality.slug, locality.name) for locality in localities
        ]
