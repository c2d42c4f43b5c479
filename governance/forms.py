"""The programme office's forms for meetings, decisions and actions: what is wrong, said clearly.

Saving is governance.services' job (it applies the rules that span fields and
refuses a stale edit); these forms check what a person typed and word it.
Dates are typed (15/3/2019), usable by keyboard alone.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS

from common.forms import UKDateField
from governance import services
from governance.models import Action, Decision, Meeting
from localities.models import CriticalArea, GovernanceBody, Locality, Milestone, Objective
from risks.models import Risk


def _too_long(what: str, field: forms.Field) -> None:
    if getattr(field, "max_length", None):
        field.error_messages["max_length"] = (
            f"{what} must be {field.max_length:,} characters or fewer."
        )


class StaleAwareForm(forms.ModelForm):
    """Carries the version it was loaded at, and after a refusal the version now saved,
    so that saving again replaces the other person's version on purpose, never by accident."""

    version_field = "loaded_version"
    # The service's rules for the record as entered (governance.services.*_problems).
    problems = staticmethod(lambda instance: {})

    def _post_clean(self):
        super()._post_clean()
        problems = self.problems(self.instance)
        if problems:
            # The rules' words, each on its field; the database constraint behind the
            # same rule would only repeat it, unlinked.
            self._errors.pop(NON_FIELD_ERRORS, None)
            for name, messages in problems.items():
                if name in self._errors:
                    continue  # what is typed there is wrong already: one message at a time
                self.add_error(name if name in self.fields else None, messages)

    def now_at(self, version) -> None:
        self.data = self.data.copy()
        self.data[self.add_prefix(self.version_field)] = version


class MeetingForm(StaleAwareForm):
    problems = staticmethod(services.meeting_problems)
    loaded_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    held_on = UKDateField(what="meeting's date", label="Date of the meeting")
    held_after = UKDateField(
        what="day the meeting followed",
        label="Or, for a meeting the papers leave undated: the last day it is known to follow",
    )

    class Meta:
        model = Meeting
        fields = ["body", "held_on", "held_after", "date_as_written", "papers", "source"]
        labels = {
            "body": "Board or committee",
            "date_as_written": "The date as the papers give it (for an undated meeting)",
            "papers": "Papers presented",
            "source": "Source: the paper that records the meeting",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = GovernanceBody.objects.order_by("name")
        self.fields["body"].error_messages["required"] = "Choose the board that met."
        self.fields["papers"].widget.attrs["rows"] = 4
        _too_long("The papers", self.fields["papers"])


class DecisionForm(StaleAwareForm):
    problems = staticmethod(services.decision_problems)
    loaded_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Decision
        fields = ["meeting", "reference", "kind", "text", "paper", "section", "note", "source"]
        labels = {
            "reference": "Reference, as the paper numbers it",
            "kind": "What the meeting did",
            "text": "The decision, as the paper words it",
            "section": "Section of the paper or minutes",
            "note": "Note for readers",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        meeting = self.fields["meeting"]
        meeting.queryset = Meeting.objects.select_related("body").in_date_order()
        meeting.error_messages["required"] = "Choose the meeting that made the decision."
        self.fields["reference"].error_messages["required"] = (
            "Give the decision's reference, as the paper numbers it: “11.1.2”, “(b)”."
        )
        self.fields["kind"].error_messages["required"] = "Say what the meeting did."
        self.fields["text"].error_messages["required"] = "Give the decision as the paper words it."
        self.fields["paper"].error_messages["required"] = "Name the paper it was made on."
        self.fields["text"].widget.attrs["rows"] = 4
        self.fields["note"].widget.attrs["rows"] = 2
        _too_long("The decision", self.fields["text"])
        _too_long("The note", self.fields["note"])


class ActionForm(StaleAwareForm):
    problems = staticmethod(services.action_problems)
    loaded_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    due_date = UKDateField(
        what="due date",
        label="Due by",
        help_text="The last day it is due: overdue after it. For example, 31/3/2019",
    )
    closed_on = UKDateField(
        what="day it closed",
        label="Done or dropped on",
        help_text="Only for a done or dropped action. For example, 31/3/2019",
    )

    class Meta:
        model = Action
        fields = [
            "meeting",
            "decision",
            "text",
            "owner_role",
            "owner_user",
            "due_date",
            "due_as_written",
            "status",
            "closed_on",
            "status_reason",
            "owner_and_status_are_illustrative",
            "locality",
            "objective",
            "milestone",
            "risk",
            "critical_area",
            "source",
        ]
        labels = {
            "meeting": "Agreed at",
            "decision": "On the decision (optional)",
            "text": "Action",
            "owner_role": "Owner: a role",
            "owner_user": "Or a person with an account",
            "due_as_written": "Due as the papers give it (optional)",
            "status_reason": "Why it was dropped, or how it was done",
            "owner_and_status_are_illustrative": "Owner and status are illustrative",
            "locality": "Locality (optional)",
            "objective": "Objective (optional)",
            "milestone": "Milestone (optional)",
            "risk": "Risk (optional)",
            "critical_area": "Critical area (optional)",
            "source": "Source: the paper that records it",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["meeting"].queryset = Meeting.objects.select_related("body").in_date_order()
        fields["meeting"].error_messages["required"] = "Choose the meeting that agreed the action."
        fields["decision"].queryset = Decision.objects.select_related("meeting__body")
        fields["decision"].label_from_instance = lambda d: f"{d.meeting}: {d}"
        fields["text"].error_messages["required"] = "Say what is to be done."
        fields["text"].widget.attrs["rows"] = 3
        _too_long("The action", fields["text"])
        _too_long("The reason", fields["status_reason"])
        fields["status_reason"].widget.attrs["rows"] = 2
        fields["owner_user"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("username")
        )
        fields["owner_user"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        fields["locality"].queryset = Locality.objects.order_by("name")
        fields["objective"].queryset = Objective.objects.select_related("financial_year")
        fields["objective"].label_from_instance = lambda o: f"{o.financial_year}: {o}"
        fields["milestone"].queryset = Milestone.objects.select_related("locality").order_by(
            "title", "pk"
        )
        fields["milestone"].label_from_instance = lambda m: (
            f"{m.title} ({m.locality.name if m.locality_id else 'programme-wide'})"
        )
        fields["risk"].queryset = Risk.objects.exclude(reference="").order_by("reference")
        fields["risk"].label_from_instance = lambda r: f"{r.reference}: {r.title}"
        fields["critical_area"].queryset = CriticalArea.objects.order_by("number")
