"""The board report form: its rules and their messages (saving is governance.report_services)."""

from django import forms

from common.forms import DATE_INPUT_FORMATS
from governance.models import BoardReport, Meeting
from governance.report_services import REPORT_FIELDS
from localities.models import GovernanceBody, Quarter

KEY_MESSAGES_MIN = 3
KEY_MESSAGES_MAX = 5
# What a board is asked to do: each recommendation starts with one of these.
RECOMMENDATION_VERBS = (
    "note",
    "discuss",
    "approve",
    "support",
    "agree",
    "consider",
    "endorse",
    "receive",
    "ratify",
    "comment",
    "review",
    "accept",
    "confirm",
)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class BoardReportForm(forms.ModelForm):
    loaded_version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        error_messages={
            "invalid": "Reload the page: the form did not say which version of the report it edits."
        },
    )
    meeting_date = forms.DateField(
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        label="Meeting date",
        help_text="For example, 9/10/2018. Leave blank if the meeting is chosen above.",
        error_messages={"invalid": "Enter the meeting date as a date, for example 9/10/2018."},
    )

    class Meta:
        model = BoardReport
        fields = list(REPORT_FIELDS)  # what the service writes, and no more
        labels = {
            "body": "Board",
            "report_from": "Report from (a role)",
            "author": "Author (a role)",
            "assessment_rag": "Overall programme assessment",
            "assessment_reason": "Reason for the assessment",
            "key_messages": "Key messages",
            "recommendations": "The Board is asked to:",
        }
        help_texts = {
            "key_messages": "3 to 5 key messages, one per line.",
            "recommendations": "One recommendation per line, each starting with what the board "
            "is asked to do: note, discuss, approve, support, agree, consider …",
        }
        widgets = {
            "key_messages": forms.Textarea(attrs={"rows": 6}),
            "recommendations": forms.Textarea(attrs={"rows": 4}),
            "assessment_reason": forms.Textarea(attrs={"rows": 3}),
            "purpose": forms.RadioSelect,
            "assessment_rag": forms.RadioSelect,
        }
        error_messages = {
            "quarter": {"required": "Choose the quarter the report is for."},
            "body": {"required": "Choose the board the report is for."},
            "report_from": {"required": "Say who the report is from, as a role."},
            "author": {"required": "Say who wrote the report, as a role."},
            "assessment_rag": {"required": "Choose the overall programme assessment."},
            "assessment_reason": {"required": "Give the reason for the assessment."},
            "key_messages": {"required": "Enter 3 to 5 key messages, one per line."},
            "recommendations": {
                "required": "Say what the board is asked to do, one recommendation per line."
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].queryset = Quarter.objects.chronological().select_related(
            "financial_year"
        )
        self.fields["quarter"].label_from_instance = lambda quarter: quarter.label
        self.fields["body"].queryset = GovernanceBody.objects.order_by("name")
        self.fields["meeting"].queryset = Meeting.objects.in_date_order().select_related("body")
        self.fields["meeting"].required = False
        self.fields["assessment_rag"].choices = [
            (value, label)
            for value, label in self.fields["assessment_rag"].choices
            if value in ("red", "amber", "green")
        ]
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version
            self.fields["loaded_version"].required = True
            self.fields["loaded_version"].error_messages["required"] = (
                "Reload the page: the form did not say which version of the report it edits."
            )

    def clean_key_messages(self) -> str:
        text = self.cleaned_data["key_messages"]
        count = len(_lines(text))
        if count < KEY_MESSAGES_MIN:
            raise forms.ValidationError(
                f"Enter at least {KEY_MESSAGES_MIN} key messages, one per line "
                f"(you entered {count})."
            )
        if count > KEY_MESSAGES_MAX:
            raise forms.ValidationError(
                f"Enter at most {KEY_MESSAGES_MAX} key messages, one per line "
                f"(you entered {count}): keep the ones the board most needs."
            )
        return "\n".join(_lines(text))

    def clean_recommendations(self) -> str:
        lines = _lines(self.cleaned_data["recommendations"])
        for number, line in enumerate(lines, start=1):
            first = line.split()[0].strip(",.;:").lower()
            if first not in RECOMMENDATION_VERBS:
                raise forms.ValidationError(
                    f"Start recommendation {number} with what the board is asked to do "
                    f"(note, discuss, approve, support, agree, consider …): it starts "
                    f"with “{line.split()[0]}”."
                )
        return "\n".join(lines)

    def clean(self):
        cleaned = super().clean()
        meeting, body = cleaned.get("meeting"), cleaned.get("body")
        if meeting and body and meeting.body_id != body.pk:
            self.add_error("meeting", f"That meeting is not one of the {body}'s: choose another.")
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ApproveForm(forms.Form):
    loaded_version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "Reload the page: the form did not say which version it approves.",
            "invalid": "Reload the page: the form did not say which version it approves.",
        },
    )
