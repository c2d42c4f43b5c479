"""Pages of a list: read a page at a time in SQL (`sql_page`, `paged_in_sql`), or cut
from a list in Python (`paged`)."""

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


def paged(request, items: list, *, per_page: int, parameter: str, label: str, anchor: str) -> Paged:
    """The page of `items` that `?<parameter>=N` asks for, with links to its neighbours.

    Links keep the rest of the query string (the quarter, the other list's page).
    """
    page = Paginator(items, per_page).get_page(request.GET.get(parameter))
    return _with_links(request, page, parameter=parameter, label=label, anchor=anchor)


def _with_links(request, page: Page, *, parameter: str, label: str, anchor: str) -> Paged:
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


@dataclass(frozen=True)
class SqlPage:
    """One page of a list read with LIMIT/OFFSET, and how many items the whole list has.

    Plain values, so that a page's data can be cached (dashboard.caching).
    """

    rows: list
    number: int
    per_page: int
    total: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def page_count(self) -> int:
        return max(-(-self.total // self.per_page), 1)


def resolve_page_number(requested, *, total: int, per_page: int) -> int:
    """The page `?page=<requested>` shows of `total` items.

    Resolved as Paginator.get_page and django-tables2's RequestConfig resolve
    it (not a number: the first page; out of range: the last), so the rows read
    in SQL are the rows the table's pagination says it shows.
    """
    return Paginator(range(total), per_page).get_page(requested).number


def sql_page(
    queryset, *, requested, per_page: int | None, total: int | None = None, row=None
) -> SqlPage:
    """The page of an ordered `queryset` that `requested` asks for: a count, then LIMIT/OFFSET.

    `total` saves the count when the caller already has it (from an aggregate);
    `row` turns each item read into the row the page shows. `per_page=None`
    reads every item as one page (a download).
    """
    if total is None:
        total = queryset.count()
    if per_page is None:
        per_page = max(total, 1)
    number = resolve_page_number(requested, total=total, per_page=per_page)
    offset = (number - 1) * per_page
    items = list(queryset[offset : offset + per_page])
    return SqlPage(
        rows=[row(item) for item in items] if row else items,
        number=number,
        per_page=per_page,
        total=total,
    )


def whole_list(rows: list) -> SqlPage:
    """Every row as one page: for a download, which has all of them by design."""
    return SqlPage(rows=rows, number=1, per_page=max(len(rows), 1), total=len(rows))


def paged_sql(request, sql: SqlPage, *, parameter: str, label: str, anchor: str) -> Paged:
    """Previous/next links, as `paged` gives, for a page whose rows were read in SQL."""
    page = Page(sql.rows, sql.number, Paginator(range(sql.total), sql.per_page))
    return _with_links(request, page, parameter=parameter, label=label, anchor=anchor)


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
    """Like `paged_sql`, when the caller reads (and caches) each page itself.

    `fetch(offset, limit)` returns one page's items (a LIMIT/OFFSET query), so
    only that page is ever read; page numbers resolve as `sql_page` resolves them.
    """
    number = resolve_page_number(request.GET.get(parameter), total=total, per_page=per_page)
    page = Page(fetch((number - 1) * per_page, per_page), number, Paginator(range(total), per_page))
    return _with_links(request, page, parameter=parameter, label=label, anchor=anchor)
