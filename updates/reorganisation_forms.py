"""The programme office's form for recording a reorganisation: what is wrong, said clearly.

One form, with a block of fields for each change (`c0-…`, `c1-…`): what ended
(commissioners, sub-systems or localities in force), how (merged into, split
into, renamed, became), and what it became (an existing locality or sub-system,
or new ones named one a line). Checking the reorganisation itself is
localities.reorganisation_services' job (plan_reorganisation); this form turns
what a person typed into its Changes, and their problems into form errors.
"""

from django import forms
from django.core.exceptions import ValidationError

from common.forms import UKDateField
from localities.models import (
    DESCRIPTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Commissioner,
    Locality,
    Reorganisation,
    SubSystem,
    Succession,
)
from localities.reorganisation_services import SINGULAR, Change, Level, NewSuccessor

MAX_CHANGES = 12
NEW = ""
NEW_KINDS = [
    (NEW, "Choose"),
    (Locality.Kind.CCG_AREA.value, "A locality or place (CCG area)"),
    (Locality.Kind.HEALTH_AND_CARE_PARTNERSHIP.value, "A Health and Care Partnership"),
    (Commissioner.Kind.CCG.value, "A clinical commissioning group"),
    (Commissioner.Kind.ICB.value, "An integrated care board"),
]
SOURCE_MAX_LENGTH = Reorganisation._meta.get_field("source").max_length
MODELS_WORD = dict(SINGULAR)


def _value(level: str, pk: int) -> str:
    return f"{level}:{pk}"


def open_rows() -> dict[str, list]:
    """Everything in force with no end recorded, by level: what a reorganisation may end.
    Three queries."""
    return {
        Level.COMMISSIONER: list(Commissioner.objects.filter(in_force_until__isnull=True)),
        Level.SUB_SYSTEM: list(
            SubSystem.objects.filter(in_force_until__isnull=True).order_by("name")
        ),
        Level.LOCALITY: list(Locality.objects.filter(in_force_until__isnull=True).order_by("name")),
    }


class ReorganisationForm(forms.Form):
    change_count = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=MAX_CHANGES, initial=1
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)
    effective_date = UKDateField(
        what="effective date",
        label="Effective date: the first day of the new structure",
        help_text=(
            "For example, 1/4/2020. What ends, ends the day before; pages as at a "
            "quarter ending before this date do not change."
        ),
        required=True,
        error_messages={
            "required": "Give the date the new structure began.",
            "invalid": "Enter the effective date as a real date, like 1/4/2020.",
        },
    )
    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX_LENGTH,
        error_messages={
            "required": "Give the reorganisation a title.",
            "max_length": f"Keep the title to {TITLE_MAX_LENGTH} characters or fewer.",
        },
    )
    description = forms.CharField(
        label="What happened (optional)",
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": f"Keep the description to {DESCRIPTION_MAX_LENGTH:,} characters or fewer."
        },
    )
    source = forms.CharField(
        label="Source",
        help_text="Where the dates come from: a board paper, or the public record.",
        max_length=SOURCE_MAX_LENGTH,
        error_messages={
            "required": "Say where the dates come from.",
            "max_length": f"Keep the source to {SOURCE_MAX_LENGTH} characters or fewer.",
        },
    )
    is_illustrative = forms.BooleanField(
        label="Illustrative: not from a source",
        required=False,
        help_text="Marked wherever the new rows are read.",
    )
    carry_leads = forms.BooleanField(
        label="Move the leads of what ends to what it became",
        required=False,
        initial=True,
        help_text="Their assignments end the day before; new ones start on the effective date.",
    )

    def __init__(self, *args, change_count: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = open_rows()
        self.by_value = {
            _value(level, row.pk): (level, row) for level, rows in self.rows.items() for row in rows
        }
        if change_count is None:
            change_count = self._count_from_data()
        self.change_count = change_count
        predecessor_choices = [
            (_value(level, row.pk), f"{row.name} ({MODELS_WORD[level]})")
            for level in (Level.LOCALITY, Level.SUB_SYSTEM, Level.COMMISSIONER)
            for row in self.rows[level]
        ]
        existing_choices = [(NEW, "New: name it below")] + [
            (_value(level, row.pk), f"{row.name} ({MODELS_WORD[level]})")
            for level in (Level.LOCALITY, Level.SUB_SYSTEM)
            for row in self.rows[level]
        ]
        for i in range(change_count):
            self.fields[f"c{i}-predecessors"] = forms.MultipleChoiceField(
                label="What ended",
                choices=predecessor_choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
                help_text="Commissioners, sub-systems or localities: one kind in each change.",
            )
            self.fields[f"c{i}-kind"] = forms.ChoiceField(
                label="How",
                choices=Succession.Kind.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"Change {i + 1}: say how it changed."},
            )
            self.fields[f"c{i}-existing"] = forms.ChoiceField(
                label="What it became",
                choices=existing_choices,
                required=False,
                help_text="An existing locality or sub-system, or new ones named below.",
            )
            self.fields[f"c{i}-new_names"] = forms.CharField(
                label="New: the name of what it became",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="One name a line (a split has several).",
            )
            self.fields[f"c{i}-new_kind"] = forms.ChoiceField(
                label="New: what it is", choices=NEW_KINDS, required=False
            )
            self.fields[f"c{i}-new_sub_system"] = forms.CharField(
                label="New locality: its sub-system",
                required=False,
                help_text="An existing sub-system, or a new one named in this reorganisation.",
            )
        self.changes: tuple[Change, ...] = ()

    def _count_from_data(self) -> int:
        try:
            count = int(self.data.get("change_count", 1))
        except (TypeError, ValueError):
            return 1
        return min(max(count, 1), MAX_CHANGES)

    def change_blocks(self) -> list[dict]:
        """Each change's bound fields, for the template."""
        return [
            {
                "number": i + 1,
                "predecessors": self[f"c{i}-predecessors"],
                "kind": self[f"c{i}-kind"],
                "existing": self[f"c{i}-existing"],
                "new_names": self[f"c{i}-new_names"],
                "new_kind": self[f"c{i}-new_kind"],
                "new_sub_system": self[f"c{i}-new_sub_system"],
            }
            for i in range(self.change_count)
        ]

    def clean(self):
        cleaned = super().clean()
        changes = []
        for i in range(self.change_count):
            change = self._change(i, cleaned)
            if change is not None:
                changes.append(change)
        self.changes = tuple(changes)
        return cleaned

    def _change(self, i: int, cleaned) -> Change | None:
        chosen = [self.by_value[value] for value in cleaned.get(f"c{i}-predecessors", [])]
        levels = {level for level, _ in chosen}
        if not chosen:
            self.add_error(f"c{i}-predecessors", f"Change {i + 1}: choose what ended.")
            return None
        if len(levels) > 1:
            self.add_error(
                f"c{i}-predecessors",
                f"Change {i + 1}: choose commissioners, sub-systems or localities, not a mix: "
                "record each level as a change of its own.",
            )
            return None
        (level,) = levels
        existing = cleaned.get(f"c{i}-existing") or NEW
        names = [
            line.strip()
            for line in (cleaned.get(f"c{i}-new_names") or "").splitlines()
            if line.strip()
        ]
        if existing != NEW:
            if names:
                self.add_error(
                    f"c{i}-new_names",
                    f"Change {i + 1}: choose an existing successor or name new ones, not both.",
                )
                return None
            successor_level, successor = self.by_value[existing]
            if successor_level != level:
                self.add_error(
                    f"c{i}-existing",
                    f"Change {i + 1}: {successor.name} is a {MODELS_WORD[successor_level]}; "
                    f"what ended are {MODELS_WORD[level]} rows.",
                )
                return None
            successors = (successor,)
        elif not names:
            self.add_error(
                f"c{i}-new_names",
                f"Change {i + 1}: name what it became, or choose an existing one.",
            )
            return None
        else:
            kind = cleaned.get(f"c{i}-new_kind") or ""
            if level != Level.SUB_SYSTEM and not kind:
                self.add_error(f"c{i}-new_kind", f"Change {i + 1}: say what the new one is.")
                return None
            successors = tuple(
                NewSuccessor(
                    name=name,
                    kind=kind if level != Level.SUB_SYSTEM else "",
                    sub_system=(cleaned.get(f"c{i}-new_sub_system") or "").strip(),
                )
                for name in names
            )
        return Change(
            level=level,
            kind=cleaned.get(f"c{i}-kind") or "",
            predecessors=tuple(row for _, row in chosen),
            successors=successors,
        )

    def reorganisation(self) -> dict:
        """The keyword arguments of plan_reorganisation / record_reorganisation."""
        data = self.cleaned_data
        return {
            "effective_date": data.get("effective_date"),
            "title": data.get("title", ""),
            "description": data.get("description", ""),
            "source": data.get("source", ""),
            "is_illustrative": data.get("is_illustrative", False),
            "carry_leads": data.get("carry_leads", False),
            "changes": self.changes,
        }

    def put(self, error: ValidationError) -> None:
        """The service's refusal on the form: on the field it names, else on the form."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                for each in errors:
                    self.add_error(name if name in self.fields else None, each)
        else:
            for message in error.messages:
                self.add_error(None, message)
