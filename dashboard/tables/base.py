"""Shared pieces of the dashboard's django-tables2 tables."""

import django_tables2 as tables
from django.template.loader import render_to_string

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


def rag_tag(rag: str | None) -> str:
    """A RAG tag: the word, coloured; never colour alone."""
    return render_to_string(
        "includes/rag_tag.html", {"rag": rag, "label": Rag(rag).label if rag else ""}
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


class PoundsColumn(NumberColumn):
    def render(self, value):
        return f"£{value:,.0f}"
