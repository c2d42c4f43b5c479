"""The programme office's change-point forms: what is wrong, said clearly.

Saving is updates.outcome_services' job (it refuses a stale edit and applies
the rules); these check what a person typed and word it.
"""

import datetime
import re

from django import forms

from governance.forms import StaleAwareForm
from localities.models import Locality, OutcomeChangePoint, OutcomeMeasure
from updates import outcome_services

WITHDRAW_REASON_MAX_LENGTH = 88  # "Withdrawn: " + this fits history's 100 characters
KENT_AND_MEDWAY = "Kent and Medway (the total)"


class MonthField(forms.CharField):
    """A calendar month typed as 2018-10 (or 10/2018), given as the date of its first day."""

    default_error_messages = {
        "invalid": "Enter the month as a year and month, such as 2018-10.",
    }

    def prepare_value(self, value):
        if isinstance(value, datetime.date):
            return f"{value:%Y-%m}"
        return value

    def to_python(self, value):
        text = super().to_python(value).strip()
        if not text:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", text) or re.fullmatch(r"(\d{1,2})/(\d{4})", text)
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        year, month = (
            (int(match[1]), int(match[2])) if len(match[1]) == 4 else (int(match[2]), int(match[1]))
        )
        if not 1 <= month <= 12:
            raise forms.ValidationError(
                f"{text} is not a month: the month is 1 to 12.", code="invalid"
            )
        return datetime.date(year, month, 1)


class ChangePointForm(StaleAwareForm):
    problems = staticmethod(outcome_services.change_point_problems)
    loaded_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    month = MonthField(
        label="The first month of the changed process",
        help_text="For example 2018-10. After March 2018: the baseline's limits are frozen.",
        error_messages={"required": "Give the first month of the changed process."},
    )

    class Meta:
        model = OutcomeChangePoint
        fields = ["measure", "locality", "month", "reason"]
        labels = {
            "measure": "Outcome measure",
            "locality": "Locality",
            "reason": "Why the process changed",
        }
        help_texts = {
            "reason": "Kept with the chart: the limits are recalculated from this month.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = OutcomeMeasure.objects.order_by("pk")
        self.fields["measure"].error_messages["required"] = "Choose the outcome measure."
        self.fields["locality"].queryset = Locality.objects.order_by("name")
        self.fields["locality"].empty_label = KENT_AND_MEDWAY
        self.fields["reason"].error_messages["required"] = (
            "Say why the process changed: the reason is kept with the limits."
        )
        self.fields["reason"].widget.attrs["rows"] = 3
        if self.fields["reason"].max_length:
            self.fields["reason"].error_messages["max_length"] = (
                f"Keep the reason to {self.fields['reason'].max_length:,} characters or fewer."
            )


class WithdrawForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    withdraw_reason = forms.CharField(
        label="Why withdraw it",
        max_length=WITHDRAW_REASON_MAX_LENGTH,
        help_text="Kept in the change point's history.",
        error_messages={
            "required": "Say why the change point is withdrawn.",
            "max_length": f"Keep the reason to {WITHDRAW_REASON_MAX_LENGTH} characters or fewer.",
        },
    )
