"""Filters for the programme office's returns page: status and sub-system."""

import datetime

import django_filters
from django.db.models import QuerySet

from localities.models import Locality, Quarter
from updates.selectors import OVERDUE, RETURN_STATUS_CHOICES, overdue_statuses


class ReturnsFilter(django_filters.FilterSet):
    """Filters `localities_with_return_status()`; its `return_status` annotation is filtered here.

    The sub-system (slug, name) choices are passed in, already read, so that
    building and checking the form costs no query of its own.
    """

    status = django_filters.ChoiceFilter(
        label="Status",
        empty_label="All statuses",
        choices=RETURN_STATUS_CHOICES,
        method="filter_status",
    )
    sub_system = django_filters.ChoiceFilter(
        label="Sub-system", empty_label="All sub-systems", field_name="sub_system__slug"
    )

    class Meta:
        model = Locality
        fields = []

    def __init__(
        self,
        data=None,
        *,
        queryset: QuerySet[Locality],
        quarter: Quarter,
        today: datetime.date,
        sub_systems: list[tuple[str, str]],
    ):
        super().__init__(data, queryset=queryset)
        self.filters["sub_system"].extra["choices"] = sub_systems
        self.quarter, self.today = quarter, today

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == OVERDUE:
            # Before the deadline nothing is overdue: the empty list matches no locality.
            statuses = overdue_statuses(quarter=self.quarter, today=self.today)
            return queryset.filter(return_status__in=statuses)
        return queryset.filter(return_status=value)

    @property
    def active(self) -> dict[str, str]:
        """The filters in force (valid and chosen), for the quarter selector to keep."""
        self.form.is_valid()  # cleans the form; an invalid choice is left out, not kept
        return {name: value for name, value in self.form.cleaned_data.items() if value}
