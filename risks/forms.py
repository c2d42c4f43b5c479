"""Forms for the risk register's admin pages: what is wrong, said clearly.

Saving is the services' job (risks.services); these forms check what a person
entered and word the problems. Rules that forms and services both apply live
once, in risks.scoring.

A target score worse than the current one is a warning, not an error: the form
shows a "Save anyway" tick box next to the warning and saves once it is ticked.
"""

import re

from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.utils import timezone

from localities.models import NOTE_MAX_LENGTH
from risks import scoring
from risks.models import Risk, RiskReview, ScoreBand
from risks.services import REOPEN_REASON_MAX_LENGTH, STALE_EDIT_MESSAGE

TARGET_WORSE_MESSAGE = (
    "The target score ({target}) is worse than the current score ({current}). A target is "
    "where mitigation should bring the risk, so check the scores, or tick “Save anyway” "
    "to keep them."
)
NOTE_REQUIRED = "Add a note: what the review found or decided."


def too_long(what: str, limit: int) -> str:
    return f"Keep {what} to {limit:,} characters or fewer: it is kept with the risk."


def score_field(name: str, *, label: str, initial: int | None = None) -> forms.TypedChoiceField:
    """A required 1–5 choice whose labels carry the NPSA descriptors."""
    part = "likelihood" if name.endswith("likelihood") else "consequence"
    return forms.TypedChoiceField(
        label=label,
        choices=[("", "---------"), *scoring.score_choices(name)],
        coerce=int,
        empty_value=None,
        initial=initial,
        error_messages={
            "required": f"Score the {part} from 1 to 5.",
            "invalid_choice": scoring.out_of_range_message(name),
        },
    )


def save_anyway_field() -> forms.BooleanField:
    return forms.BooleanField(
        required=False,
        label="Save anyway",
        help_text="Keep a target score that is worse than the current score.",
    )


def _raw_score(form: forms.BaseForm, stage: str, fallback=None) -> int | None:
    """A stage's score from the submitted data, before cleaning (None if unreadable)."""
    values = []
    for part in ("likelihood", "consequence"):
        name = f"{stage}_{part}"
        if name not in form.fields:
            values.append(getattr(fallback, name, None))
            continue
        try:
            values.append(int(form.data.get(form.add_prefix(name))))
        except (TypeError, ValueError):
            return None
    return Risk.score(*values)


def _offer_save_anyway_if_needed(form: forms.BaseForm, fallback=None) -> None:
    # The tick box appears only beside the warning: hidden until the
    # submitted scores put the target above the current score.
    needed = form.is_bound and scoring.target_is_worse(
        current=_raw_score(form, "current", fallback), target=_raw_score(form, "target", fallback)
    )
    if not needed:
        form.fields["save_anyway"].widget = forms.HiddenInput()


def _warn_if_target_worse(form: forms.BaseForm, *, current, target) -> None:
    if scoring.target_is_worse(current=current, target=target) and not form.cleaned_data.get(
        "save_anyway"
    ):
        form.add_error("save_anyway", TARGET_WORSE_MESSAGE.format(current=current, target=target))


class RiskAdminForm(forms.ModelForm):
    """The risk's change page. Refuses a save when the risk changed since it was loaded."""

    loaded_version = forms.IntegerField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "required": "Reload the page: the form did not say which version of the risk it edits."
        },
    )
    save_anyway = save_anyway_field()

    class Meta:
        model = Risk
        # The admin's fieldsets choose among these, less its read-only fields.
        fields = [
            "reference",
            "title",
            "description",
            "category",
            "locality",
            "objective",
            "owner_role",
            "source",
            "is_illustrative",
            "inherent_likelihood",
            "inherent_consequence",
            "current_likelihood",
            "current_consequence",
            "target_likelihood",
            "target_consequence",
            "scores_are_illustrative",
            "status",
            "date_raised",
            "raised_by",
            "review_every_days",
            "next_review_date",
            "closing_note",
            "rejection_reason",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.version
            self.fields["loaded_version"].required = True
        _offer_save_anyway_if_needed(self, fallback=self.instance)

    def _score(self, stage: str) -> int | None:
        values = [
            self.cleaned_data.get(name) if name in self.fields else getattr(self.instance, name)
            for name in (f"{stage}_likelihood", f"{stage}_consequence")
        ]
        return Risk.score(*values)

    def clean(self):
        cleaned = super().clean()
        _warn_if_target_worse(self, current=self._score("current"), target=self._score("target"))

        status = cleaned.get("status", self.instance.status)
        if status == Risk.Status.OPEN:
            if "reference" in self.fields and not cleaned.get("reference"):
                self.add_error("reference", "An open risk needs a reference, such as LC-R14.")
            for name in ("current_likelihood", "current_consequence"):
                if name in self.fields and name not in self.errors and not cleaned.get(name):
                    self.add_error(
                        name, "An open risk needs a current score: its likelihood and consequence."
                    )
        if (
            status == Risk.Status.CLOSED
            and "closing_note" in self.fields
            and not cleaned.get("closing_note", "").strip()
        ):
            self.add_error("closing_note", "Say why the risk is closed.")
        if (
            status == Risk.Status.REJECTED
            and "rejection_reason" in self.fields
            and not cleaned.get("rejection_reason", "").strip()
        ):
            self.add_error("rejection_reason", "Say why the proposed risk is rejected.")

        self._check_dates(cleaned)
        self._refuse_stale_edit()
        return cleaned

    def _check_dates(self, cleaned) -> None:
        date_raised = cleaned.get("date_raised")
        if not date_raised:
            return
        if date_raised > timezone.localdate():
            self.add_error("date_raised", "The date raised cannot be in the future.")
        elif self.instance.pk is not None:
            first_review = (
                self.instance.reviews.order_by("reviewed_on")
                .values_list("reviewed_on", flat=True)
                .first()
            )
            if first_review and date_raised > first_review:
                self.add_error(
                    "date_raised",
                    "The risk cannot be raised after its first review "
                    f"({first_review.day} {first_review:%b %Y}).",
                )
        next_review = cleaned.get("next_review_date")
        if next_review and next_review < date_raised:
            self.add_error(
                "next_review_date", "The next review cannot be before the risk was raised."
            )

    def _refuse_stale_edit(self) -> None:
        loaded = self.cleaned_data.get("loaded_version")
        if self.instance.pk is None or loaded is None:
            return
        saved = Risk.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
        if saved is not None and loaded != saved:
            # The form now carries the saved version: having compared, the
            # person can save again and replace it on purpose, never by accident.
            self.data = self.data.copy()
            self.data[self.add_prefix("loaded_version")] = saved
            self.add_error(None, forms.ValidationError(STALE_EDIT_MESSAGE, code="stale"))


class RecordReviewForm(forms.Form):
    """One review date for the selected risks, and a score and note for each."""

    reviewed_on = forms.DateField(
        label="Date of the review",
        widget=admin_widgets.AdminDateWidget,
        error_messages={"required": "Give the date of the review.", "invalid": "Enter a date."},
    )

    def __init__(self, *args, risks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].initial = timezone.localdate()
        self.risks = list(risks)
        for risk in self.risks:
            likelihood = score_field(
                "likelihood", label="Likelihood", initial=risk.current_likelihood
            )
            consequence = score_field(
                "consequence", label="Consequence", initial=risk.current_consequence
            )
            note = forms.CharField(
                label="Note",
                max_length=NOTE_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2, "cols": 30}),
                error_messages={
                    "required": NOTE_REQUIRED,
                    "max_length": too_long("the note", NOTE_MAX_LENGTH),
                },
            )
            # The table's column headings are not <label>s: name each control.
            for field, what in [(likelihood, "Likelihood"), (consequence, "Consequence")]:
                field.widget.attrs["aria-label"] = f"{what} of {risk.reference}"
            note.widget.attrs["aria-label"] = f"Note on {risk.reference}"
            self.fields[f"likelihood_{risk.pk}"] = likelihood
            self.fields[f"consequence_{risk.pk}"] = consequence
            self.fields[f"note_{risk.pk}"] = note
            # The version the form was opened at: one form, one review per risk.
            self.fields[f"version_{risk.pk}"] = forms.IntegerField(
                initial=risk.version,
                widget=forms.HiddenInput,
                error_messages={
                    "required": "Reload the page: the form did not say which version of "
                    f"{risk.reference} it reviews.",
                    "invalid": "Reload the page: the form did not say which version of "
                    f"{risk.reference} it reviews.",
                },
            )

    def rows(self):
        return [
            {
                "risk": risk,
                "likelihood": self[f"likelihood_{risk.pk}"],
                "consequence": self[f"consequence_{risk.pk}"],
                "note": self[f"note_{risk.pk}"],
                "version": self[f"version_{risk.pk}"],
            }
            for risk in self.risks
        ]

    def now_at(self, risk: Risk, version: int) -> None:
        """After a refusal, carry the version now saved: recording again is then on purpose."""
        self.data = self.data.copy()
        self.data[self.add_prefix(f"version_{risk.pk}")] = version

    def clean(self):
        cleaned = super().clean()
        reviewed_on = cleaned.get("reviewed_on")
        if reviewed_on is None:
            return cleaned
        today = timezone.localdate()
        if reviewed_on > today:
            self.add_error("reviewed_on", "A review cannot be dated in the future.")
            return cleaned
        for risk in self.risks:
            problem = scoring.review_date_error(
                reviewed_on=reviewed_on, date_raised=risk.date_raised, today=today
            )
            if problem:
                self.add_error("reviewed_on", f"{risk.reference}: {problem}")
        return cleaned

    def reviews(self):
        """Keyword arguments for services.record_review, one set per risk."""
        for risk in self.risks:
            yield {
                "risk": risk,
                "reviewed_on": self.cleaned_data["reviewed_on"],
                "likelihood": self.cleaned_data[f"likelihood_{risk.pk}"],
                "consequence": self.cleaned_data[f"consequence_{risk.pk}"],
                "note": self.cleaned_data[f"note_{risk.pk}"],
                "expected_version": self.cleaned_data[f"version_{risk.pk}"],
            }


class CloseRisksForm(forms.Form):
    note = forms.CharField(
        label="Closing note",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Why the risk is closed: kept with each risk and shown on the register.",
        error_messages={
            "required": "Say why the risk is closed.",
            "max_length": too_long("the closing note", NOTE_MAX_LENGTH),
        },
    )


class ReopenRisksForm(forms.Form):
    reason = forms.CharField(
        label="Why reopen",
        max_length=REOPEN_REASON_MAX_LENGTH,
        help_text=(
            f"Up to {REOPEN_REASON_MAX_LENGTH} characters, kept in each risk's history. "
            "The closing note is cleared; the history keeps it."
        ),
        error_messages={
            "required": "Say why the risk is reopened.",
            "max_length": f"Keep the reason to {REOPEN_REASON_MAX_LENGTH} characters: "
            "it is kept in the risk's history.",
        },
    )


def suggested_reference() -> str:
    """The next free LC-Rnn reference, as a starting point for the admin."""
    numbers = [
        int(match.group(1))
        for reference in Risk.objects.filter(reference__startswith="LC-R").values_list(
            "reference", flat=True
        )
        if (match := re.fullmatch(r"LC-R(\d+)", reference))
    ]
    return f"LC-R{max(numbers, default=0) + 1:02d}"


class AcceptProposedRiskForm(forms.Form):
    reference = forms.CharField(
        max_length=20,
        help_text="Unique on the register.",
        error_messages={"required": "Give the risk a reference, such as LC-R14."},
    )
    owner_role = forms.CharField(
        label="Owner",
        max_length=200,
        help_text="A role, not a name.",
        error_messages={"required": "Name the role that owns the risk."},
    )
    inherent_likelihood = score_field("likelihood", label="Inherent likelihood")
    inherent_consequence = score_field("consequence", label="Inherent consequence")
    current_likelihood = score_field("likelihood", label="Current likelihood")
    current_consequence = score_field("consequence", label="Current consequence")
    target_likelihood = score_field("likelihood", label="Target likelihood")
    target_consequence = score_field("consequence", label="Target consequence")
    save_anyway = save_anyway_field()

    def __init__(self, *args, risk: Risk, **kwargs):
        super().__init__(*args, **kwargs)
        self.risk = risk
        self.fields["reference"].initial = suggested_reference()
        self.fields["owner_role"].initial = risk.owner_role
        _offer_save_anyway_if_needed(self)

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        if Risk.objects.filter(reference=reference).exclude(pk=self.risk.pk).exists():
            raise forms.ValidationError(
                f"{reference} is already another risk's reference: choose another."
            )
        return reference

    def clean(self):
        cleaned = super().clean()
        scores = {
            stage: Risk.score(
                cleaned.get(f"{stage}_likelihood"), cleaned.get(f"{stage}_consequence")
            )
            for stage in ("current", "target")
        }
        _warn_if_target_worse(self, current=scores["current"], target=scores["target"])
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data

        def pair(stage):
            return (data[f"{stage}_likelihood"], data[f"{stage}_consequence"])

        return {
            "reference": data["reference"],
            "owner_role": data["owner_role"],
            "inherent": pair("inherent"),
            "current": pair("current"),
            "target": pair("target"),
        }


class RejectProposedRiskForm(forms.Form):
    reason = forms.CharField(
        label="Why reject",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="The locality lead who proposed the risk will read this.",
        error_messages={
            "required": "Say why the proposed risk is rejected.",
            "max_length": too_long("the reason", NOTE_MAX_LENGTH),
        },
    )


class RiskReviewAdminForm(forms.ModelForm):
    """Adding a review from the reviews' own admin page: the same rules as the action."""

    class Meta:
        model = RiskReview
        fields = ["risk", "reviewed_on", "reviewer_role", "likelihood", "consequence", "note"]

    def clean(self):
        cleaned = super().clean()
        risk = cleaned.get("risk")
        reviewed_on = cleaned.get("reviewed_on")
        if risk is not None and risk.status != Risk.Status.OPEN:
            self.add_error("risk", "Only open risks are reviewed: accept or reopen it first.")
        if risk is not None and reviewed_on is not None:
            problem = scoring.review_date_error(
                reviewed_on=reviewed_on, date_raised=risk.date_raised, today=timezone.localdate()
            )
            if problem:
                self.add_error("reviewed_on", problem)
        if "note" in self.fields and not cleaned.get("note", "").strip():
            self.add_error("note", NOTE_REQUIRED)
        return cleaned


class ScoreBandAdminForm(forms.ModelForm):
    """Bands may leave gaps while being edited one at a time, but never overlap."""

    class Meta:
        model = ScoreBand
        fields = ["name", "min_score", "max_score", "colour", "review_every_days"]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_score"), cleaned.get("max_score")
        if low is None or high is None or low > high:
            return cleaned
        overlapping = ScoreBand.objects.exclude(pk=self.instance.pk).filter(
            min_score__lte=high, max_score__gte=low
        )
        for band in overlapping:
            self.add_error(
                None,
                f"Scores {low}–{high} overlap the {band.name} band "
                f"({band.min_score}–{band.max_score}): each score falls in one band only. "
                f"Narrow the {band.name} band first.",
            )
        return cleaned
