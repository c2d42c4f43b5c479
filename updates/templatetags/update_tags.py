"""Showing a quarterly-update form's values as read-only text."""

import datetime
from decimal import Decimal

from django import forms, template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from common.money import count, pounds_exact

register = template.Library()

NOT_GIVEN = "Not given"


@register.filter
def display_value(bound_field) -> str:
    """The field's current value as a person reads it: a choice's label, a date in words."""
    value = bound_field.value()
    field = bound_field.field
    if value in (None, ""):
        return NOT_GIVEN
    if isinstance(field, forms.DateField):
        try:
            value = field.clean(value) if not isinstance(value, datetime.date) else value
        except forms.ValidationError:
            return str(value)
        return f"{value.day} {value:%b %Y}"
    if hasattr(field, "choices"):
        for choice_value, label in field.choices:
            if str(choice_value) == str(value):
                return str(label)
        return str(value)
    if isinstance(field, forms.DecimalField | forms.IntegerField):
        # Money and counts as every page writes them (common.money): £1,200,000 with no
        # pence that are not there, 12,060 rather than 12,060.0.
        try:
            number = Decimal(str(value).replace(",", "").replace("£", "").strip())
        except ArithmeticError:
            return str(value)
        if isinstance(field, _pounds_field_class()):
            return pounds_exact(number)
        return count(number)
    return str(value)


@register.filter
def summary_label(bound_field) -> str:
    """The field's label beside its value: a sum's value says "£" itself, so its label
    does not say it again ("Planned spend this quarter", not "… (£)")."""
    label = str(bound_field.label)
    if isinstance(bound_field.field, _pounds_field_class()):
        return label.removesuffix(" (£)")
    return label


def _pounds_field_class():
    from updates.forms import PoundsField

    return PoundsField


@register.filter
def update_url(target, name: str) -> str:
    """A URL about the update `target` (an UpdateTarget); "edit-section" ends with "edit/"."""
    if name == "edit-section":
        return target.url("edit-section", section="objectives").removesuffix("objectives/")
    return target.url(name)


_STATUS_TAG_CLASS = {
    "approved": "nhsuk-tag--green",
    "submitted": "nhsuk-tag--blue",
    "returned": "nhsuk-tag--orange",
    "draft": "nhsuk-tag--white",
}


@register.simple_tag
def status_tag(status, label) -> SafeString:
    """includes/status_tag.html built in Python: the returns page shows one a row."""
    return format_html(
        '<strong class="nhsuk-tag app-rag-tag {}">{}</strong>',
        _STATUS_TAG_CLASS.get(status, "nhsuk-tag--grey"),
        label,
    )
