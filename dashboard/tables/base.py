"""Shared pieces of the dashboard's django-tables2 tables."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.text import capfirst

from dashboard.money_format import percent_signed, pounds, pounds_signed
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
_RAG_TAG_WORD = {
    "red": "Red",
    "amber": "Amber",
    "green": "Green",
    "complete": "Complete",
    "not_started": "Not started",
}


def rag_tag(rag: str | None, *, label: str | None = None) -> str:
    """A RAG tag: the word, coloured; never colour alone. `label` words a missing status."""
    if label is None:
        label = Rag(rag).label if rag else ""
    status = str(rag or "").lower()
    word = label or _RAG_TAG_WORD.get(status) or (capfirst(str(rag)) if status else "Not known")
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


class NumberColumn(tables.Column):
    """Right-aligned, with thousands separators."""

    def __init__(self, *args, decimals: int = 0, **kwargs):
        kwargs.setdefault("attrs", NUMERIC_ATTRS)
        self.decimals = decimals
        super().__init__(*args, **kwargs)

    def render(self, value):
        return f"{value:,.{self.decimals}f}"

    def value(self, value):
        return value


class PoundsColumn(tables.Column):
    """Whole pounds, right-aligned ("−£1,234" when negative; "+£1,234" when `signed`).

    Exported as the number, not the text.
    """

    def __init__(self, *args, signed: bool = False, **kwargs):
        kwargs.setdefault("attrs", NUMERIC_ATTRS)
        self.signed = signed
        super().__init__(*args, **kwargs)

    def render(self, value):
        return pounds_signed(value) if self.signed else pounds(value)

    def value(self, value):
        return value


class PercentColumn(tables.Column):
    """A signed percentage, right-aligned; exported as the number."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUMERIC_ATTRS)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return percent_signed(value)

    def value(self, value):
        return value
