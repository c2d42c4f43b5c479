"""Filters for the MDT register: locality, tier and status as at the quarter."""

import django_filters

from dashboard.filters.localities import LocalityChoice, offer_localities, sub_system_filter
from localities.models import MDT


class MdtFilter(django_filters.FilterSet):
    """Locality choices are passed in, already read, so the form costs no query of its own.

    `status` filters on `status_then`, the status as at the quarter (see
    dashboard.selectors.mdts.status_as_at), which the queryset must carry.
    """

    sub_system = sub_system_filter("locality__sub_system__slug")
    locality = django_filters.ChoiceFilter(
        label="Locality", empty_label="All localities", field_name="locality__slug"
    )
    tier = django_filters.ChoiceFilter(
        label="Tier", empty_label="All tiers", field_name="tier", choices=MDT.Tier.choices
    )
    status = django_filters.ChoiceFilter(
        label="Status at quarter end", empty_label="All statuses", field_name="status_then"
    )

    def __init__(self, data=None, *, queryset, localities: list[LocalityChoice], status_choices):
        super().__init__(data, queryset=queryset)
        offer_localities(self, localities)
        self.filters["status"].extra["choices"] = status_choices
