"""Pages of a list that is not a django-tables2 table (the overview's matrix)."""

from collections.abc import Callable
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


def _paged(request, page: Page, *, parameter: str, label: str, anchor: str) -> Paged:
    """Links to the page's neighbours keep the rest of the query string (the quarter)."""

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


def paged(request, items: list, *, per_page: int, parameter: str, label: str, anchor: str) -> Paged:
    """The page of `items` that `?<parameter>=N` asks for, with links to its neighbours."""
    page = Paginator(items, per_page).get_page(request.GET.get(parameter))
    return _paged(request, page, parameter=parameter, label=label, anchor=anchor)


def paged_in_sql(
    request,
    *,
    total: int,
    fetch: Callable[[int, int], list],
    per_page: int,
    parameter: str,
    label: str,
    anchor: str,
) -> Paged:
    """Like paged(), for a list of `total` items that the database pages.

    `fetch(offset, limit)` returns one page's items (a LIMIT/OFFSET query), so
    only that page is ever read. Out-of-range and malformed page numbers fall
    back as Paginator.get_page() does.
    """
    numbers = Paginator(range(total), per_page).get_page(request.GET.get(parameter))
    offset = (numbers.number - 1) * per_page
    page = Page(fetch(offset, per_page), numbers.number, numbers.paginator)
    return _paged(request, page, parameter=parameter, label=label, anchor=anchor)
