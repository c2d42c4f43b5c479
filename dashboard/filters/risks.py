"""Filters for the risks page: where the risk is, which objective and category it
belongs to, and (from a heatmap cell) its likelihood and consequence at quarter end."""

import django_filters
from django.db.models import QuerySet

from dashboard.filters.localities import offer_localities, sub_system_filter
from localities.models import PROGRAMME_WIDE
from risks.models import Consequence, Likelihood

PROGRAMME_WIDE_CHOICE = "programme-wide"
# A heatmap cell narrows the register only; these narrow the whole page.
SCOPE_FILTERS = ("sub_system", "locality", "objective", "category")
CELL_FILTERS = ("likelihood", "consequence")
# Parameters a heatmap cell's link must not carry over from the page it is on.
_NOT_KEPT_BY_CELL_LINKS = (*CELL_FILTERS, "page", "sort", "_export", "table")


class RiskFilter(django_filters.FilterSet):
    """Choices are passed in, already read, so building the form costs no queries of its own.

    `likelihood` and `consequence` filter on `likelihood_then` and
    `consequence_then` (risks.selectors.risks_as_at), which the queryset must carry.
    """

    sub_system = sub_system_filter("locality__sub_system__slug")
    locality = django_filters.ChoiceFilter(
        label="Locality", empty_label="All localities", method="filter_locality"
    )
    objective = django_filters.ChoiceFilter(
        label="Objective", empty_label="All objectives", field_name="objective_id"
    )
    category = django_filters.ChoiceFilter(
        label="Category", empty_label="All categories", field_name="category_id"
    )
    likelihood = django_filters.ChoiceFilter(
        label="Likelihood at quarter end",
        empty_label="Any likelihood",
        field_name="likelihood_then",
        choices=Likelihood.choices,
    )
    consequence = django_filters.ChoiceFilter(
        label="Consequence at quarter end",
        empty_label="Any consequence",
        field_name="consequence_then",
        choices=Consequence.choices,
    )

    def __init__(self, data=None, *, queryset, localities, objectives, categories):
        super().__init__(data, queryset=queryset)
        offer_localities(self, localities, before=[(PROGRAMME_WIDE_CHOICE, PROGRAMME_WIDE)])
        self.filters["objective"].extra["choices"] = [
            (str(value), label) for value, label in objectives
        ]
        self.filters["category"].extra["choices"] = [
            (str(value), label) for value, label in categories
        ]

    def filter_locality(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == PROGRAMME_WIDE_CHOICE:
            return queryset.filter(locality__isnull=True)
        return queryset.filter(locality__slug=value)

    def _cleaned(self) -> dict:
        if not self.is_bound:
            return {}
        self.form.is_valid()
        # Django leaves an invalid choice out of cleaned_data, so it filters nothing.
        return self.form.cleaned_data

    @property
    def scope_qs(self) -> QuerySet:
        """The queryset narrowed by locality, objective and category only."""
        queryset = self.queryset.all()
        cleaned = self._cleaned()
        for name in SCOPE_FILTERS:
            if name in cleaned:
                queryset = self.filters[name].filter(queryset, cleaned[name])
        return queryset

    @property
    def is_scoped(self) -> bool:
        cleaned = self._cleaned()
        return any(cleaned.get(name) for name in SCOPE_FILTERS)

    @property
    def selected_cell(self) -> tuple[int | None, int | None]:
        cleaned = self._cleaned()
        return tuple(int(cleaned[name]) if cleaned.get(name) else None for name in CELL_FILTERS)


def heatmap_link_query(query, *, quarter_slug: str) -> str:
    """The page's query string for a heatmap cell's link, before its own likelihood and consequence.

    Keeps the quarter, preview and the locality/objective/category filters;
    drops the previous cell, the table's page and sorting.
    """
    kept = query.copy()
    for name in _NOT_KEPT_BY_CELL_LINKS:
        kept.pop(name, None)
    kept["quarter"] = quarter_slug
    return kept.urlencode()
