"""Forms of the dashboard's few writes: publishing the board pack."""

from django import forms

from localities.models import REASON_MAX_LENGTH, GovernanceBody


class BoardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name  # in full: "LCIB" is the papers' shorthand


class PublishPackForm(forms.Form):
    body = BoardChoiceField(
        queryset=GovernanceBody.objects.order_by("name"),
        label="Which board is the pack for?",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select the board the pack is for",
            "invalid_choice": "Select the board the pack is for",
        },
    )
    reason = forms.CharField(
        label="Reason for a corrected version",
        help_text="Needed when the pack has been published for this board already: what the new version corrects.",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": f"The reason must be {REASON_MAX_LENGTH} characters or fewer",
        },
    )
