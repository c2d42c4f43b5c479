"""Pages of a list that is not a django-tables2 table (the overview's matrix and changes)."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator


@dataclass(frozen=True)
class Paged:
    page: Page
    label: str  # what the pages are of, for the navigation's accessible name
    previous_url: str | None
    next_url: str | None

    @property
    def rows(self) -> list:
        return list(self.page.object_list)

    @property
    def is_paginated(self) -> bool:
        return self.page.paginator.num_pages > 1


def paged(request, items: list, *, per_page: int, parameter: str, label: str, anchor: str) -> Paged:
    """The page of `items` that `?<parameter>=N` asks for, with links to its neighbours.

    Links keep the rest of the query string (the quarter, the other list's page).
    """
    page = Paginator(items, per_page).get_page(request.GET.get(parameter))

    def url(number: int) -> str:
        query = request.GET.copy()
        query[parameter] = str(number)
        return f"?{query.urlencode()}#{anchor}"

    return Paged(
        page=page,
        label=label,
        previous_url=url(page.previous_page_number()) if page.has_previous() else None,
        next_url=url(page.next_page_number()) if page.has_next() else None,
    )
