"""Shared pieces of the dashboard's django-tables2 tables."""

import django_tables2 as tables
from django.template.loader import render_to_string

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


def rag_tag(rag: str | None, *, label: str | None = None) -> str:
    """A RAG tag: the word, coloured; never colour alone. `label` words a missing status."""
    return render_to_string(
        "includes/rag_tag.html",
        {"rag": rag, "label": label if label is not None else (Rag(rag).label if rag else "")},
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
