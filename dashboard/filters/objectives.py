"""Filters for the objectives page: which localities' rows to show."""

import django_filters

from dashboard.filters.localities import LocalityChoice, offer_localities, sub_system_filter
from localities.models import Locality


class ObjectiveLocalityFilter(django_filters.FilterSet):
    """Choices are passed in, read as plain values, so the form costs no query of its own."""

    sub_system = sub_system_filter("sub_system__slug")
    locality = django_filters.ChoiceFilter(
        label="Locality", empty_label="All localities", field_name="slug"
    )

    class Meta:
        model = Locality
        fields = []

    def __init__(self, data=None, *, queryset, localities: list[LocalityChoice]):
        super().__init__(data, queryset=queryset)
        offer_localities(self, localities)
