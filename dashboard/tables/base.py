"""Shared pieces of the dashboard's django-tables2 tables."""

import contextlib
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import django_tables2 as tables
from django.db.models import F, OrderBy
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django_tables2 import RequestConfig
from django_tables2.data import TableData
from django_tables2.utils import OrderBy as Alias

from common.money import (
    percent_number,
    percent_signed,
    pounds,
    pounds_number,
    pounds_signed,
    spreadsheet_number,
)
from common.pagination import SqlPage
from localities.models import Rag

# The NHS.UK cell classes are added by the table template; columns add modifiers.
NUMERIC_ATTRS = {
    "th": {"class": "nhsuk-table__header--numeric"},
    "td": {"class": "nhsuk-table__cell--numeric"},
    "tf": {"class": "nhsuk-table__cell--numeric"},
}


class DashboardTable(tables.Table):
    """NHS.UK markup, a caption, and CSV/XLSX export of the same rows."""

    caption = ""

    class Meta:
        template_name = "django_tables2/nhsuk.html"
        attrs = {"class": "nhsuk-table"}
        empty_text = "Nothing to show for this quarter."

    def __init__(self, *args, caption=None, **kwargs):
        super().__init__(*args, **kwargs)
        if caption is not None:
            self.caption = caption

    def body_rows(self) -> Iterator[list[tuple[str, object]]]:
        """The page's rows for the table template: a (td class, cell) pair per column.

        What `{% for column, cell in row.items %}` gave the template, with each
        column's class read once per table rather than in every cell:
        `BoundColumn.attrs` merges and copies the table's and column's attributes
        on each access, and with a column's `localize` that was most of the time
        a row took to render. No column here computes its attributes per cell.
        """
        columns = list(self.columns)
        formats = [(column.attrs["td"].get("class") or "", column.localize) for column in columns]
        for row in self.paginated_rows:
            yield [
                (css_class, _localized(row.get_cell(column.name), localize))
                for column, (css_class, localize) in zip(columns, formats, strict=True)
            ]

    @classmethod
    def page_request(cls, request, *, per_page: int, prefix: str = "") -> "PageRequest":
        """The sort, page and page size the request asks of this table (see SqlPageRows)."""
        with contextlib.suppress(KeyError, ValueError):
            per_page = min(max(int(request.GET[f"{prefix}per_page"]), 1), MAX_PER_PAGE)
        sort = tuple(request.GET.getlist(f"{prefix}sort"))
        number = request.GET.get(f"{prefix}page", "")
        return PageRequest(
            ordering=cls.sql_ordering(request, prefix=prefix),
            number=number,
            per_page=per_page,
            cache_key=(prefix, sort, number, per_page),
        )

    @classmethod
    def sql_ordering(cls, request, *, prefix: str = "") -> list[OrderBy]:
        """ORDER BY for the request's `?sort=`, from the columns' own `order_by`.

        For a table whose rows are read a page at a time (`SqlPageRows`): the
        selector sorts in SQL what django-tables2 would have sorted in Python.
        Unknown or unorderable columns are ignored, as django-tables2 ignores
        them, and so are hidden ones (in the downloads only): a reader sorts by
        what they can see.
        """
        ordering = []
        for alias in request.GET.getlist(f"{prefix}sort"):
            for part in alias.split(","):
                name = Alias(part).bare
                column = cls.base_columns.get(name)
                if column is None or column.orderable is False or column.visible is False:
                    continue
                accessors = column.order_by or (str(column.accessor or name),)
                for accessor in accessors:
                    field = accessor.lstrip("-")
                    descending = accessor.startswith("-") != part.startswith("-")
                    expression = F(field.replace(".", "__"))
                    # Nulls last either way, on PostgreSQL and SQLite alike.
                    ordering.append(
                        expression.desc(nulls_last=True)
                        if descending
                        else expression.asc(nulls_last=True)
                    )
        return ordering


def _localized(value, localize: bool | None):
    """As the `localize` and `unlocalize` filters, for a column that asks (None: as shown)."""
    return value if localize is None else str(formats.localize(value, use_l10n=localize))


# A reader may ask for a bigger page (`?per_page=`), not for every row: that is
# what the CSV and XLSX downloads are for.
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class PageRequest:
    """What a request asks of a table read a page at a time."""

    ordering: list[OrderBy]  # for the selector's queryset.order_by()
    number: str  # as asked; common.pagination.sql_page resolves it against the count
    per_page: int
    cache_key: tuple  # plain values, for dashboard.caching


def configure_sql_table(request, table: tables.Table, page: SqlPage) -> tables.Table:
    """Sorting marks and pagination for a table built on `SqlPageRows(page)`.

    Not RequestConfig's pagination: that would read `?page=` and `?per_page=`
    again, unbounded; the page shown must be the page that was read.
    """
    RequestConfig(request, paginate=False).configure(table)
    table.paginate(per_page=page.per_page, page=page.number)
    return table


class SqlPageRows(TableData):
    """A page of rows already sorted and cut in SQL (common.pagination.sql_page).

    django-tables2 paginates and sorts the data it is given; this data says it
    has `total` rows, hands over the page it holds for that page's slice, and
    leaves sorting to the SQL that read it. The table's `order_by` still marks
    the sorted column in the header.
    """

    def __init__(self, page: SqlPage):
        super().__init__(page.rows)
        self.sql_page = page

    def __len__(self):
        return self.sql_page.total

    def __getitem__(self, key):
        offset = self.sql_page.offset
        if isinstance(key, slice):
            start = (key.start or 0) - offset
            stop = None if key.stop is None else key.stop - offset
            return self.sql_page.rows[max(start, 0) : stop]
        return self.sql_page.rows[key - offset]

    def order_by(self, aliases):
        """Sorted in SQL already (DashboardTable.sql_ordering)."""


# The same markup as templates/includes/rag_tag.html, built in Python: tables call
# this for every cell (400 a page on Objectives), where rendering the include
# each time cost about a millisecond a cell. tests/dashboard/test_tables.py
# checks the two give identical HTML.
_RAG_TAG_CLASS = {
    "red": "nhsuk-tag--red",
    "amber": "nhsuk-tag--orange",
    "green": "nhsuk-tag--green",
    "complete": "nhsuk-tag--blue",
}


def rag_tag(rag: str | None, *, label: str | None = None) -> str:
    """A RAG tag: the word, coloured; never colour alone. `label` words a missing status."""
    status = str(rag or "").lower()
    known = Rag(status).label if status in Rag.values else ""
    word = label or known or (capfirst(str(rag)) if status else "Not known")
    return format_html(
        '<strong class="nhsuk-tag app-rag-tag {}">{}</strong>',
        _RAG_TAG_CLASS.get(status, "nhsuk-tag--grey"),
        word,
    )


class RagColumn(tables.Column):
    """Shows a RAG status as a tag with its word; exports the word."""

    def render(self, value):
        return rag_tag(value) if value else "—"

    def value(self, value):
        return Rag(value).label if value else ""


def number_as_shown(value, *, decimals: int = 0) -> int | float:
    """`value` as `f"{value:,.{decimals}f}"` shows it, as a number for a download.

    The same format rounds it, so the download has the page's figure (161575,
    not 161575.33333333334) and no thousands separators to read as text.
    """
    return spreadsheet_number(Decimal(f"{value:.{decimals}f}"), decimals=decimals)


class NumberColumn(tables.Column):
    """Right-aligned, with thousands separators; exported as the number shown."""

    def __init__(self, *args, decimals: int = 0, **kwargs):
        kwargs.setdefault("attrs", NUMERIC_ATTRS)
        self.decimals = decimals
        super().__init__(*args, **kwargs)

    def render(self, value):
        return f"{value:,.{self.decimals}f}"

    def value(self, value):
        return number_as_shown(value, decimals=self.decimals)


class PoundsColumn(tables.Column):
    """Whole pounds, right-aligned ("−£1,234" when negative; "+£1,234" when `signed`).

    Exported as the number shown (whole pounds), not the text.
    """

    def __init__(self, *args, signed: bool = False, **kwargs):
        kwargs.setdefault("attrs", NUMERIC_ATTRS)
        self.signed = signed
        super().__init__(*args, **kwargs)

    def render(self, value):
        return pounds_signed(value) if self.signed else pounds(value)

    def value(self, value):
        return pounds_number(value)


class PercentColumn(tables.Column):
    """A signed percentage, right-aligned; exported as the number."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUMERIC_ATTRS)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return percent_signed(value)

    def value(self, value):
        return percent_number(value)


@functools.cache
def illustrative_tag(label: str = "Illustrative") -> SafeString:
    """The marker of templates/includes/illustrative_tag.html, for a table cell.

    Rendered once per label and reused: a register page marks many rows alike.
    """
    # The template's output, already escaped by the template.
    return mark_safe(
        render_to_string(
            "includes/illustrative_tag.html", {"illustrative": True, "label": label}
        ).strip()
    )
