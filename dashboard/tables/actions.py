"""The board's action log on Actions and decisions. Rows are governance.selectors.ActionRow,
already read, so the table never queries; downloads hold words, not tags."""

import django_tables2 as tables
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from dashboard.tables.base import DashboardTable, illustrative_tag

OWNER_AND_STATUS = "Illustrative owner and status"


class ActionLogTable(DashboardTable):
    text = tables.Column(verbose_name="Action", orderable=False)
    meeting = tables.Column(verbose_name="Agreed at", orderable=False)
    owner = tables.Column(verbose_name="Owner")
    due_text = tables.Column(verbose_name="Due", order_by=("due_sort",))
    status = tables.Column(verbose_name="Status")
    linked_text = tables.Column(verbose_name="Linked to", orderable=False)
    # Downloads only.
    overdue = tables.Column(verbose_name="Overdue", accessor="is_overdue", visible=False)
    closed_on = tables.DateColumn(verbose_name="Closed on", visible=False, default="")
    status_reason = tables.Column(verbose_name="Reason", visible=False, default="")
    decision = tables.Column(verbose_name="Decision", visible=False, default="")
    illustrative = tables.Column(
        verbose_name="Owner and status illustrative",
        accessor="owner_and_status_are_illustrative",
        visible=False,
    )
    source = tables.Column(verbose_name="Source", visible=False, default="")

    class Meta(DashboardTable.Meta):
        empty_text = "No actions match these filters as at this quarter."

    def __init__(self, *args, query_string: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Links to linked items keep the page's quarter.
        self.query_string = query_string

    def render_text(self, record):
        if record.is_illustrative:
            return format_html("{} {}", record.text, illustrative_tag())
        return record.text

    def render_status(self, record):
        # The template's output, escaped by the template.
        status = mark_safe(
            render_to_string("governance/includes/action_status.html", {"action": record}).strip()
        )
        if record.owner_and_status_are_illustrative:
            return format_html("{} {}", status, illustrative_tag(OWNER_AND_STATUS))
        return status

    def render_owner(self, record):
        return record.owner

    def render_linked_text(self, record):
        if not record.linked:
            return "—"
        return format_html_join(
            "; ",
            "{}",
            (
                (
                    format_html(
                        '{}: <a class="nhsuk-link" href="{}">{}</a>',
                        item.kind,
                        reverse(item.url_name, kwargs=item.url_kwargs) + self.query_string,
                        item.label,
                    )
                    if item.url_name
                    else f"{item.kind}: {item.label}",
                )
                for item in record.linked
            ),
        )

    def value_overdue(self, value):
        return "Yes" if value else "No"

    def value_illustrative(self, value):
        return "Yes" if value else "No"

    def value_text(self, record):
        return record.text

    def value_status(self, record):
        return record.status

    def value_linked_text(self, record):
        return record.linked_text
