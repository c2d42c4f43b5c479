"""Finding the threads of a return's conversation in a template, by section and row."""

from django import template

register = template.Library()


@register.filter
def section_threads(threads, section: str) -> list:
    """The threads on a whole section (not on its rows); none where a page has no threads."""
    return threads.at(section) if threads else []


@register.filter
def row_threads(threads, subject) -> list:
    """The threads on one row: `subject` is the objective, milestone or MDT it reports on."""
    return threads.on_row(subject) if threads and subject is not None else []


@register.filter
def all_section_threads(threads, section: str) -> list:
    """Every thread in a section, on the section and on each of its rows."""
    return threads.in_section(section) if threads else []


@register.filter
def rows_of(rows: dict, section: str) -> dict:
    """The rows of a section the office may comment on (updates.comment_selectors.comment_rows)."""
    return rows.get(section, {}) if rows else {}
