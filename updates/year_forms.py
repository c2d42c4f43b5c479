"""The page that opens a new year (updates.views.years): one form, so one error summary.

Its fields are built from the proposal (updates.year_services.proposal): a deadline
per quarter, a checkbox per objective of last year, a few slots for new objectives,
an amount per locality and a checkbox per milestone that can roll forward. What
makes a year half-made is decided by the service; `put_problems` puts its words on
the fields they are about.
"""

from django import forms

from common.forms import UKDateField
from localities.models import TITLE_MAX_LENGTH, Objective
from updates.forms import PoundsField
from updates.year_services import NewObjective, Problem, YearPlan, YearProposal

# Slots for objectives agreed new for the year; the page can be sent again for more.
NEW_OBJECTIVE_SLOTS = 3
_NEW_FIELDS = ("title", "short_title", "measure", "source", "kind")


def _limit(name: str) -> int:
    return Objective._meta.get_field(name).max_length


class OpenYearForm(forms.Form):
    start_year = forms.IntegerField(widget=forms.HiddenInput)
    based_on = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, proposed: YearProposal, **kwargs):
        self.proposed = proposed
        super().__init__(*args, **kwargs)
        self.fields["start_year"].initial = proposed.start_year
        self.fields["based_on"].initial = proposed.fingerprint
        for quarter in proposed.quarters:
            self.fields[f"deadline_{quarter.number}"] = UKDateField(
                what=f"deadline for Q{quarter.number}",
                label=f"Q{quarter.number} ({quarter.months}): returns due by",
                initial=quarter.deadline,
            )
        for objective in proposed.objectives:
            self.fields[f"carry_{objective.id}"] = forms.BooleanField(
                required=False,
                initial=True,
                label=f"{objective.number}. {objective.title}",
                help_text=f"Agreed for {objective.financial_year.label}"
                + (f"; measured by {objective.measure}" if objective.measure else ""),
            )
        for slot in range(1, NEW_OBJECTIVE_SLOTS + 1):
            self.fields[f"new_{slot}_title"] = forms.CharField(
                required=False,
                max_length=TITLE_MAX_LENGTH,
                label=f"New objective {slot}: title",
            )
            self.fields[f"new_{slot}_short_title"] = forms.CharField(
                required=False,
                max_length=_limit("short_title"),
                label="Short title",
                help_text="For table headings.",
            )
            self.fields[f"new_{slot}_measure"] = forms.CharField(
                required=False,
                max_length=_limit("measure"),
                label="How progress is measured (optional)",
            )
            self.fields[f"new_{slot}_source"] = forms.CharField(
                required=False,
                max_length=_limit("source"),
                label="Paper that agrees it (optional)",
            )
            self.fields[f"new_{slot}_kind"] = forms.ChoiceField(
                choices=Objective.Kind.choices,
                initial=Objective.Kind.OTHER,
                label="Its suggested RAG is judged on",
            )
        for locality in proposed.localities:
            last = proposed.last_investments.get(locality.id)
            self.fields[f"investment_{locality.id}"] = PoundsField(
                what=f"planned investment for {locality.name}",
                label=f"{locality.name} (£)",
                help_text=(
                    f"{proposed.previous.label}: £{last:,.0f}"
                    if last is not None and proposed.previous
                    else ""
                ),
            )
        for milestone in proposed.milestones:
            self.fields[f"milestone_{milestone.id}"] = forms.BooleanField(
                required=False,
                label=milestone.title,
                help_text=(
                    f"{milestone.locality.name if milestone.locality else 'Kent and Medway'}; "
                    f"planned {milestone.planned_window_text()}; "
                    f"{milestone.get_status_display().lower()}"
                ),
            )

    # Groups of fields, in the page's order, for the template.
    def _bound(self, prefix: str) -> list:
        return [self[name] for name in self.fields if name.startswith(prefix)]

    def deadline_fields(self):
        return self._bound("deadline_")

    def carry_fields(self):
        return self._bound("carry_")

    def new_slots(self):
        return [
            [self[f"new_{slot}_{name}"] for name in _NEW_FIELDS]
            for slot in range(1, NEW_OBJECTIVE_SLOTS + 1)
        ]

    def investment_fields(self):
        return self._bound("investment_")

    def milestone_rows(self):
        """(checkbox, milestone) pairs, for the page to mark the illustrative ones."""
        return [
            (self[f"milestone_{milestone.id}"], milestone) for milestone in self.proposed.milestones
        ]

    def plan(self) -> YearPlan:
        """The plan the valid form asks for (blank slots for new objectives left out)."""
        data = self.cleaned_data
        new = []
        for slot in range(1, NEW_OBJECTIVE_SLOTS + 1):
            texts = [data[f"new_{slot}_{name}"].strip() for name in _NEW_FIELDS[:4]]
            if any(texts):
                new.append(NewObjective(*texts, kind=data[f"new_{slot}_kind"]))
        return YearPlan(
            start_year=data["start_year"],
            based_on=data["based_on"],
            deadlines={
                quarter.number: data[f"deadline_{quarter.number}"]
                for quarter in self.proposed.quarters
            },
            carried=tuple(
                objective.id
                for objective in self.proposed.objectives
                if data[f"carry_{objective.id}"]
            ),
            new_objectives=tuple(new),
            investments={
                locality.id: data[f"investment_{locality.id}"]
                for locality in self.proposed.localities
            },
            milestones=tuple(
                milestone.id
                for milestone in self.proposed.milestones
                if data[f"milestone_{milestone.id}"]
            ),
        )

    def now_from_proposal(self) -> None:
        """After a 409: what was typed stays, and the form now stands on the year as it
        is, so that sending it again (once checked) is not refused once more."""
        self.data = self.data.copy()
        self.data["start_year"] = str(self.proposed.start_year)
        self.data["based_on"] = self.proposed.fingerprint

    def put_problems(self, problems: list[Problem]) -> None:
        """The service's problems on the fields they are about (the year's on the form)."""
        for problem in problems:
            self.add_error(self._field_for(problem.key), problem.message)

    def _field_for(self, key: str) -> str | None:
        if key == "objectives":
            carry = [name for name in self.fields if name.startswith("carry_")]
            return carry[0] if carry else "new_1_title"
        if key.startswith("new_"):
            return f"{key}_title"
        return key if key in self.fields else None
