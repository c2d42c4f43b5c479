"""Narrow the money page to one sub-system (east Kent, west Kent, …)."""

import django_filters

from dashboard.selectors.money import PROGRAMME_NAME


class LocalityMoneyFilter(django_filters.FilterSet):
    """Filters the localities whose money the page shows, by sub-system slug.

    The (slug, name) choices are passed in, already read, so that building
    and checking the form costs no queries of its own.
    """

    sub_system = django_filters.ChoiceFilter(
        label="Sub-system", empty_label="All sub-systems", field_name="sub_system__slug"
    )

    def __init__(self, data=None, *, queryset, sub_systems: list[tuple[str, str]]):
        super().__init__(data, queryset=queryset)
        self.filters["sub_system"].extra["choices"] = sub_systems
        self.sub_system_names = dict(sub_systems)

    @property
    def area_name(self) -> str:
        """What the filtered localities add up to: a sub-system's name, or the programme."""
        chosen = self.form.cleaned_data.get("sub_system") if self.form.is_valid() else None
        return self.sub_system_names.get(chosen, PROGRAMME_NAME)
