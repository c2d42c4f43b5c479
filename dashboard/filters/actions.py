"""Filters for Actions and decisions: board, status as at the quarter, owner, linked item.

Choices are passed in, already read, so building the form costs no queries.
"""

import datetime

import django_filters
from django.db.models import Q, QuerySet

from governance.models import Action

# Status as at the page's day: the three the office records, and "overdue" (open, past due).
OVERDUE = "overdue"
STATUS_CHOICES = [
    (Action.Status.OPEN.value, "Open"),
    (OVERDUE, "Overdue"),
    (Action.Status.DONE.value, "Done"),
    (Action.Status.DROPPED.value, "Dropped"),
]
LINK_FIELDS = ("locality", "objective", "milestone", "risk", "critical_area")


class ActionFilter(django_filters.FilterSet):
    body = django_filters.ChoiceFilter(
        label="Board", empty_label="All boards", field_name="meeting__body_id"
    )
    status = django_filters.ChoiceFilter(
        label="Status at quarter end",
        empty_label="All statuses",
        choices=STATUS_CHOICES,
        method="filter_status",
    )
    owner = django_filters.ChoiceFilter(
        label="Owner", empty_label="All owners", method="filter_owner"
    )
    linked = django_filters.ChoiceFilter(
        label="Linked to", empty_label="Any or none", method="filter_linked"
    )

    def __init__(self, data=None, *, queryset, day: datetime.date, bodies, owners, linked):
        super().__init__(data, queryset=queryset)
        self.day = day
        self.filters["body"].extra["choices"] = [(str(pk), name) for pk, name in bodies]
        self.filters["owner"].extra["choices"] = owners
        self.filters["linked"].extra["choices"] = linked

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        day = self.day
        if value == OVERDUE:
            return queryset.overdue_as_at(day)
        if value == Action.Status.OPEN:
            return queryset.open_as_at(day)
        return queryset.filter(status=value, closed_on__lte=day)

    def filter_owner(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        kind, _, key = value.partition(":")
        if kind == "user":
            return queryset.filter(owner_user_id=key)
        return queryset.filter(Q(owner_user__isnull=True), owner_role=key)

    def filter_linked(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        link, _, key = value.partition(":")
        return queryset.filter(**{f"{link}_id": key}) if link in LINK_FIELDS else queryset
