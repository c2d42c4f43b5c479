"""The form that names a new API token and says how long it lasts."""

from django import forms

from api.models import DEFAULT_LIFETIME, LONGEST_LIFETIME, ApiToken


class NewTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What it is for, so you can tell your tokens apart, e.g. 'Power BI: objectives'.",
        error_messages={"required": "Enter a name for the token"},
    )
    days = forms.IntegerField(
        label="Days until it expires",
        initial=DEFAULT_LIFETIME.days,
        min_value=1,
        max_value=LONGEST_LIFETIME.days,
        help_text=f"{DEFAULT_LIFETIME.days} unless you need longer; a year ({LONGEST_LIFETIME.days} days) at most.",
        error_messages={
            "required": "Enter how many days the token lasts",
            "invalid": "Enter the number of days as a whole number, like 90",
            "min_value": "A token must last at least 1 day",
            "max_value": f"A token may last {LONGEST_LIFETIME.days} days (a year) at most",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-4"}),
    )
