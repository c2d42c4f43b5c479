"""Showing a quarterly-update form's values as read-only text."""

import datetime
from decimal import Decimal

from django import forms, template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

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
    if isinstance(field, forms.DecimalField):
        number = Decimal(str(value).replace(",", "").replace("£", ""))
        places = 2 if isinstance(field, _pounds_field_class()) else None
        return ("£" if places else "") + number_format(
            number, decimal_pos=places, force_grouping=True
        )
    if isinstance(field, forms.IntegerField):
        return number_format(int(value), force_grouping=True)
    return str(value)


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
