"""Filters for the milestone register: locality (or programme-wide), objective, status, workstream."""

import django_filters
from django.db.models import QuerySet

from dashboard.filters.localities import offer_localities, sub_system_filter
from localities.models import PROGRAMME_WIDE

PROGRAMME_WIDE_CHOICE = "programme-wide"


class MilestoneFilter(django_filters.FilterSet):
    """Choices are passed in, already read, so that building the form costs no queries of its own.

    `status` filters on `status_then`, the status as at the quarter (see
    localities.milestone_status.status_as_at_expression), which the queryset must carry.
    """

    sub_system = sub_system_filter("locality__sub_system__slug")
    locality = django_filters.ChoiceFilter(
        label="Locality", empty_label="All localities", method="filter_locality"
    )
    objective = django_filters.ChoiceFilter(
        label="Objective", empty_label="All objectives", field_name="objective_id"
    )
    status = django_filters.ChoiceFilter(
        label="Status at quarter end", empty_label="All statuses", field_name="status_then"
    )
    workstream = django_filters.ChoiceFilter(
        label="Workstream", empty_label="All workstreams", field_name="workstream"
    )

    def __init__(self, data=None, *, queryset, localities, objectives, workstreams, status_choices):
        super().__init__(data, queryset=queryset)
        offer_localities(self, localities, before=[(PROGRAMME_WIDE_CHOICE, PROGRAMME_WIDE)])
        self.filters["objective"].extra["choices"] = [
            (str(value), label) for value, label in objectives
        ]
        self.filters["status"].extra["choices"] = status_choices
        self.filters["workstream"].extra["choices"] = [(name, name) for name in workstreams]

    def filter_locality(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == PROGRAMME_WIDE_CHOICE:
            return queryset.filter(locality__isnull=True)
        return queryset.filter(locality__slug=value)
