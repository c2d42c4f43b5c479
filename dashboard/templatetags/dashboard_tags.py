"""Template helpers for the dashboards."""

from django import template

from dashboard.tables.base import rag_tag as build_rag_tag

register = template.Library()


@register.filter
def rag_tag(rag: str | None, label: str = ""):
    """`includes/rag_tag.html` built in Python: a matrix page has a hundred of them and
    each include costs about a millisecond to render."""
    return build_rag_tag(rag or "", label=label or None)
