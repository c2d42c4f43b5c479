"""Form fields every app's forms share: one way to type a date."""

import datetime

from django import forms

# 15/3/2019, 15/3/19, 2019-03-15, 15 Mar 2019, 15 March 2019.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d %b %Y", "%d %B %Y"]


class UKDateField(forms.DateField):
    """A date typed as 15/3/2019 (or 2019-03-15): a text box, usable by keyboard alone."""

    input_formats = DATE_INPUT_FORMATS
    widget = forms.TextInput(attrs={"class": "nhsuk-input--width-10", "autocomplete": "off"})

    def __init__(self, *, what: str, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "error_messages", {"invalid": f"Enter the {what} as a real date, like 15/3/2019."}
        )
        kwargs.setdefault("help_text", "For example, 15/3/2019")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, datetime.date):
            return f"{value.day}/{value.month}/{value.year}"
        return value
