"""The quarterly update, section by section: what a lead entered, checked and worded.

Each section is a group of small row forms (one per objective, milestone,
MDT, measure or element) built from the server's own list of rows, so a
forged id in a POST has nothing to attach to. The spreadsheet import fills
the very same forms from the sheet's cells, so a rule and its message live
once, here. Saving is the services' job (updates.services).

A draft is never refused for being unfinished (issue 16). The forms here refuse
only input that cannot be stored as typed, so that saving it would lose or
misstate something: a date that is no date, a number out of range, text over
its limit, an actual or go-live date after the quarter ends, a go-live date on
a planned MDT, a complete milestone with no actual date (or an actual date on
one that is not complete), and answers with nothing to hang them on (a
narrative with no RAG, dates with no milestone status, a risk with no title or
no category). What only submission needs waits for Check and submit
(updates.services.submission_problems, each problem linked to its field): a
reason for a RAG other than the suggested one, a reason for a forecast moved
later, and completeness (every objective, milestone, MDT, figure and score).

A section saves as a whole: when one row is refused, nothing in the section is
saved, and the page shows every problem with all that was typed (in every
row) still in the form, so nothing is lost and "Saved" always means all of it.
"""

import datetime
from decimal import Decimal

from django import forms
from django.utils.formats import number_format

from common.forms import UKDateField
from localities.models import (
    COMMENTS_MAX_LENGTH,
    MDT,
    NARRATIVE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    CareModelElement,
    Milestone,
    Objective,
    OutcomeMeasure,
    Rag,
)
from localities.rag import SuggestedRag
from risks.models import RiskCategory
from updates.carry import latest_approved_scores, previous_forecast
from updates.models import MaturityScore, QuarterlyUpdate

SPEND_MAX = Decimal("999999999999.99")
OUTCOME_MAX = Decimal("99999999999.9")
EXTRA_RISK_ROWS = 2


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def too_long(what: str, limit: int) -> str:
    return (
        f"{what} must be {number_format(limit, force_grouping=True)} characters or fewer: "
        "shorten it, or attach detail to the locality plan."
    )


class PoundsField(forms.DecimalField):
    """Pounds, accepting "£12,500" as well as "12500"."""

    def __init__(self, *, what: str, **kwargs):
        super().__init__(
            required=False,
            min_value=Decimal("0"),
            max_value=SPEND_MAX,
            max_digits=14,
            decimal_places=2,
            error_messages={
                "invalid": f"Enter the {what} in pounds, like 12500 or 12,500.50.",
                "min_value": f"The {what} cannot be negative.",
                "max_value": f"The {what} is too large: enter it in pounds, not pence.",
                "max_decimal_places": f"Give the {what} to the penny at most (2 decimal places).",
                "max_digits": f"The {what} is too large: enter it in pounds, not pence.",
                "max_whole_digits": f"The {what} is too large: enter it in pounds, not pence.",
            },
            widget=forms.TextInput(
                attrs={"class": "nhsuk-input--width-10", "inputmode": "decimal"}
            ),
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(",", "").replace("£", "").strip()
        return super().to_python(value)

    def prepare_value(self, value):
        # The saved sum in the box as the lead would type it: "1,200,000", not
        # "1200000.00". The label already says "£"; pence only when there are some.
        if isinstance(value, Decimal):
            places = 0 if value == value.to_integral_value() else 2
            return f"{value:,.{places}f}"
        return super().prepare_value(value)


class RowForm(forms.Form):
    """A form about one thing (`subject`): an objective, milestone, MDT, measure or element."""

    def __init__(self, *args, subject, **kwargs):
        self.subject = subject
        super().__init__(*args, **kwargs)

    def has_any_answer(self) -> bool:
        return any(self.cleaned_data.get(name) not in (None, "") for name in self.fields)


class ObjectiveStatusForm(RowForm):
    rag = forms.ChoiceField(
        label="RAG status", choices=Rag.choices, required=False, widget=forms.RadioSelect
    )
    narrative = forms.CharField(
        label="Progress this quarter",
        required=False,
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": too_long("The progress narrative", NARRATIVE_MAX_LENGTH)},
    )
    percent_complete = forms.IntegerField(
        label="Percent complete (optional)",
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter percent complete as a whole number from 0 to 100.",
            "min_value": "Percent complete must be between 0 and 100.",
            "max_value": "Percent complete must be between 0 and 100.",
        },
        help_text="Where the objective has a measurable end, how far along it is.",
    )
    rag_reason = forms.CharField(
        label="Why a different RAG from the suggested one?",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": too_long("The reason", REASON_MAX_LENGTH)},
        help_text="Needed only when your RAG differs from the suggestion. The board sees it.",
    )

    def __init__(self, *args, suggestion: SuggestedRag, **kwargs):
        self.suggestion = suggestion
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("rag")
        # A reason for a RAG other than the suggested one is needed only to submit.
        if not chosen and self.has_any_answer():
            self.add_error("rag", "Choose a RAG status, or clear this objective's answers.")
        return cleaned


# A return reports progress: "Not reported" is what a milestone is until it does.
# The empty first choice makes the lead choose, rather than accept "Not started".
REPORTABLE_MILESTONE_STATUSES = [("", "Choose a status")] + [
    choice for choice in Milestone.Status.choices if choice[0] != Milestone.Status.NOT_REPORTED
]


class MilestoneReportForm(RowForm):
    # Not required: a milestone with no status chosen is not reported yet, which
    # a draft may say (Check and submit lists it).
    status = forms.ChoiceField(
        label="Status", choices=REPORTABLE_MILESTONE_STATUSES, required=False
    )
    forecast_date = UKDateField(label="Forecast date", what="forecast date")
    actual_date = UKDateField(label="Actual date", what="actual date")
    forecast_change_reason = forms.CharField(
        label="Why has the forecast moved later?",
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": too_long("The reason", REASON_MAX_LENGTH)},
        help_text="Needed only when the forecast is later than last reported.",
    )

    def __init__(self, *args, previous_forecast: datetime.date | None, quarter, **kwargs):
        self.previous_forecast = previous_forecast
        self.quarter = quarter
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        actual = cleaned.get("actual_date")
        if not status and "status" in cleaned and self.has_any_answer():
            self.add_error("status", "Choose the milestone's status, or clear its other answers.")
        if status == Milestone.Status.COMPLETE and actual is None and "actual_date" in cleaned:
            self.add_error("actual_date", "Give the date the milestone was completed.")
        if actual and status and status != Milestone.Status.COMPLETE:
            self.add_error(
                "actual_date",
                "Only a complete milestone has an actual date: clear it or mark it complete.",
            )
        if actual and actual > self.quarter.end_date:
            self.add_error(
                "actual_date",
                f"The actual date cannot be after the quarter ends "
                f"({long_date(self.quarter.end_date)}).",
            )
        # A reason for a forecast moved later is needed only to submit.
        return cleaned


class MDTReportForm(RowForm):
    status = forms.ChoiceField(label="Status", choices=MDT.Status.choices)
    actual_go_live = UKDateField(label="Go-live date", what="go-live date")
    population_covered = forms.IntegerField(
        label="Population covered",
        required=False,
        min_value=0,
        max_value=2_000_000,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10", "inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter the population covered as a whole number, like 38000.",
            "min_value": "Population covered cannot be negative.",
            "max_value": "Population covered must be at most 2,000,000.",
        },
    )

    def __init__(self, *args, quarter, **kwargs):
        self.quarter = quarter
        super().__init__(*args, **kwargs)
        self.fields["status"].error_messages["required"] = "Choose the MDT's status."

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        go_live = cleaned.get("actual_go_live")
        if status == MDT.Status.LIVE and go_live is None and "actual_go_live" in cleaned:
            self.add_error("actual_go_live", "Give the date the MDT went live.")
        if status == MDT.Status.PLANNED and go_live:
            self.add_error(
                "actual_go_live",
                "A planned MDT has not gone live: clear the go-live date or change its status.",
            )
        if go_live and go_live > self.quarter.end_date:
            self.add_error(
                "actual_go_live",
                f"The go-live date cannot be after the quarter ends "
                f"({long_date(self.quarter.end_date)}).",
            )
        return cleaned


class MoneyForm(forms.Form):
    spend_planned = PoundsField(label="Planned spend this quarter (£)", what="planned spend")
    spend_actual = PoundsField(label="Actual spend this quarter (£)", what="actual spend")


class MaturityScoreForm(RowForm):
    score = forms.TypedChoiceField(
        choices=[(n, str(n)) for n in range(MaturityScore.MIN_SCORE, MaturityScore.MAX_SCORE + 1)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Score maturity from 1 (least) to 5 (most mature)."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score"].label = str(self.subject)


class RaisedRiskForm(RowForm):
    title = forms.CharField(
        label="Risk or issue",
        required=False,
        max_length=TITLE_MAX_LENGTH,
        error_messages={"max_length": too_long("The title", TITLE_MAX_LENGTH)},
    )
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": too_long("The description", NARRATIVE_MAX_LENGTH)},
    )
    category = forms.TypedChoiceField(
        label="Category",
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose a category from the list."},
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        # The section's one list of categories: no query per row to draw or check them.
        by_pk = {str(category.pk): category for category in categories}
        field = self.fields["category"]
        field.choices = [("", "Choose a category")] + [(c.pk, c.name) for c in categories]
        field.coerce = by_pk.__getitem__

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("title", "").strip():
            if cleaned.get("description") or cleaned.get("category"):
                self.add_error("title", "Give the risk or issue a short title, or clear this row.")
        elif not cleaned.get("category"):
            self.add_error("category", "Choose the risk's category.")
        return cleaned


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label="Summary of the quarter",
        required=False,
        max_length=SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"max_length": too_long("The summary", SUMMARY_MAX_LENGTH)},
        help_text="What the board should know first. Shown on the locality's dashboard.",
    )


# --- Sections -------------------------------------------------------------------


class Section:
    """One section of the update form: its row forms, built from the server's data.

    `data` is a POST (or the import's equivalent); without it the forms show
    the update's saved values, or the current values where nothing is saved.
    """

    slug: str
    heading: str
    intro: str = ""
    # Shown, never entered on the return (the outcomes: decision 0019).
    read_only = False

    def __init__(self, *, update: QuarterlyUpdate, data=None, context: "SectionContext"):
        self.update = update
        self.data = data
        self.context = context
        self.forms = self.build_forms()

    def build_forms(self) -> list[forms.Form]:
        raise NotImplementedError

    def form(self, form_class, *, prefix, initial, **kwargs):
        return form_class(self.data, prefix=prefix, initial=initial, **kwargs)

    def is_valid(self) -> bool:
        # Validate every form, so that every problem is shown at once.
        results = [form.is_valid() for form in self.forms]
        return all(results)

    def row_label(self, form) -> str:
        """What the error summary calls a row, so that its messages say which one."""
        return str(form.subject) if getattr(form, "subject", None) else ""

    def errors(self) -> list[tuple[str, str]]:
        """(input id, message) for the error summary, in page order."""
        found = []
        for form in self.forms:
            label = self.row_label(form)
            prefix = f"{label}: " if label else ""
            for bound in form:
                for message in bound.errors:
                    # Radios have no single labelled input: point at the first option.
                    found.append((bound.id_for_label or f"{bound.auto_id}_0", prefix + message))
            for message in form.non_field_errors():
                found.append(("", prefix + message))
        return found

    def cleaned(self):
        """The section's data for updates.services.save_draft."""
        raise NotImplementedError


class SectionContext:
    """What every section needs to know, fetched once per request."""

    def __init__(self, *, locality, quarter, update: QuarterlyUpdate):
        self.locality = locality
        self.quarter = quarter
        self.objectives = list(Objective.objects.reported_in(quarter))
        self.milestones = list(
            Milestone.objects.for_locality(locality).in_plan_on(quarter.end_date)
        )
        self.mdts = list(MDT.objects.for_locality(locality).select_related("locality"))
        self.measures = list(OutcomeMeasure.objects.all())
        self.elements = list(CareModelElement.objects.all())
        self.categories = list(RiskCategory.objects.all())
        saved = update.pk is not None
        self.statuses = (
            {s.objective_id: s for s in update.objective_statuses.all()} if saved else {}
        )
        self.milestone_reports = (
            {m.milestone_id: m for m in update.milestone_updates.all()} if saved else {}
        )
        self.mdt_reports = {m.mdt_id: m for m in update.mdt_updates.all()} if saved else {}
        self.scores = {s.element_id: s for s in update.maturity_scores.all()} if saved else {}
        self.saved_scores = self.scores
        self.raised_risks = list(update.raised_risks.all()) if saved else []
        if not self.scores:
            # Maturity moves slowly: start from the locality's latest approved scores
            # (updates.carry, which carries the same scores forward).
            self.scores = latest_approved_scores(locality, quarter)


class ObjectivesSection(Section):
    slug = "objectives"
    heading = "Objectives"

    def row_label(self, form) -> str:
        return f"Objective {form.subject.number}"

    intro = (
        "For each objective, choose a RAG status and say what progress was made. Each "
        "objective's suggested RAG comes from its own evidence in this update, shown beside "
        "it: its milestones, or for MDTs those live against plan; spend counts only on the "
        "objective that carries it. If you choose a different status, say why."
    )

    def build_forms(self):
        from updates.services import suggested_rags

        suggestions = suggested_rags(self.update)
        forms_ = []
        for objective in self.context.objectives:
            status = self.context.statuses.get(objective.pk)
            initial = (
                {
                    "rag": status.rag,
                    "narrative": status.narrative,
                    "percent_complete": status.percent_complete,
                    "rag_reason": status.rag_reason,
                }
                if status
                else {}
            )
            forms_.append(
                self.form(
                    ObjectiveStatusForm,
                    prefix=f"objective-{objective.number}",
                    initial=initial,
                    subject=objective,
                    suggestion=suggestions[objective.pk],
                )
            )
        return forms_

    def cleaned(self):
        return [{"objective": f.subject, **f.cleaned_data} for f in self.forms]


class MilestonesSection(Section):
    slug = "milestones"
    heading = "Milestones"
    intro = (
        "Your locality's milestones. Give a forecast date for each unfinished one; if the "
        "forecast moves later than last reported, say why."
    )

    def build_forms(self):
        forms_ = []
        for milestone in self.context.milestones:
            report = self.context.milestone_reports.get(milestone.pk)
            source = report or milestone
            forms_.append(
                self.form(
                    MilestoneReportForm,
                    prefix=f"milestone-{milestone.pk}",
                    initial={
                        # Not reported yet: the lead chooses, nothing is pre-selected.
                        "status": ""
                        if source.status == Milestone.Status.NOT_REPORTED
                        else source.status,
                        "forecast_date": source.forecast_date,
                        "actual_date": source.actual_date,
                        "forecast_change_reason": getattr(report, "forecast_change_reason", ""),
                    },
                    subject=milestone,
                    # Later than what the board last saw (approved), or the plan.
                    previous_forecast=previous_forecast(milestone),
                    quarter=self.context.quarter,
                )
            )
        return forms_

    def cleaned(self):
        return [{"milestone": f.subject, **f.cleaned_data} for f in self.forms]


class MDTsSection(Section):
    slug = "mdts"
    heading = "MDTs"

    def row_label(self, form) -> str:
        return form.subject.name

    intro = "Each multi-disciplinary team's status, go-live date and the population it covers."

    def build_forms(self):
        forms_ = []
        for mdt in self.context.mdts:
            report = self.context.mdt_reports.get(mdt.pk)
            forms_.append(
                self.form(
                    MDTReportForm,
                    prefix=f"mdt-{mdt.pk}",
                    initial={
                        "status": (report or mdt).status,
                        "actual_go_live": (report or mdt).actual_go_live,
                        "population_covered": (report or mdt).population_covered,
                    },
                    subject=mdt,
                    quarter=self.context.quarter,
                )
            )
        return forms_

    def cleaned(self):
        return [{"mdt": f.subject, **f.cleaned_data} for f in self.forms]


class MoneySection(Section):
    slug = "money"
    heading = "Money"
    intro = "Spend on Local Care in this locality this quarter, against the plan."

    def build_forms(self):
        return [
            forms_with_subject(
                MoneyForm(
                    self.data,
                    prefix="money",
                    initial={
                        "spend_planned": self.update.spend_planned,
                        "spend_actual": self.update.spend_actual,
                    },
                ),
                None,
            )
        ]

    def cleaned(self):
        return self.forms[0].cleaned_data


class OutcomesSection(Section):
    """Read-only: the monthly warehouse extract's figures for the quarter (decision 0019).

    The return asks for no outcome figures; it shows the extract's months, per
    measure, with their sum and where they come from.
    """

    slug = "outcomes"
    heading = "Outcomes"
    read_only = True
    intro = (
        "This quarter's activity on the four outcome measures, month by month, from the "
        "monthly data warehouse extract the programme office loads. Nothing to enter here."
    )

    def build_forms(self):
        from updates.outcome_selectors import quarter_outcomes

        self.monthly = quarter_outcomes(
            locality=self.context.locality,
            quarter=self.context.quarter,
            measures=self.context.measures,
        )
        return []

    def cleaned(self):
        return []


class MaturitySection(Section):
    slug = "maturity"
    heading = "Care-model maturity"
    intro = (
        "Score each element of the care model from 1 (not started) to 5 (fully embedded). "
        "Scores start from your last approved return."
    )

    def build_forms(self):
        return [
            self.form(
                MaturityScoreForm,
                prefix=f"element-{element.number}",
                initial={"score": getattr(self.context.scores.get(element.pk), "score", None)},
                subject=element,
            )
            for element in self.context.elements
        ]

    def cleaned(self):
        return [{"element": f.subject, "score": f.cleaned_data.get("score")} for f in self.forms]


class RisksSection(Section):
    slug = "risks"
    heading = "New risks or issues"

    def row_label(self, form) -> str:
        return f"New risk or issue {self.forms.index(form) + 1}"

    intro = (
        "Anything the programme office should add to the risk register. When you submit "
        "the update, each reaches them as a proposed risk."
    )

    def build_forms(self):
        pending = [r for r in self.context.raised_risks if r.proposed_risk_id is None]
        rows = len(pending) + EXTRA_RISK_ROWS
        if self.data is not None:
            # Keep every row the person sent, even rows added beyond the usual number.
            sent = {key.split("-")[1] for key in self.data if key.startswith("risk-")}
            rows = max(rows, len({s for s in sent if s.isdigit()}))
        forms_ = []
        for index in range(rows):
            raised = pending[index] if index < len(pending) else None
            forms_.append(
                self.form(
                    RaisedRiskForm,
                    prefix=f"risk-{index}",
                    initial={
                        "title": raised.title,
                        "description": raised.description,
                        "category": raised.category_id,
                    }
                    if raised
                    else {},
                    subject=raised,
                    categories=self.context.categories,
                )
            )
        return forms_

    @property
    def already_proposed(self):
        return [r for r in self.context.raised_risks if r.proposed_risk_id is not None]

    def cleaned(self):
        return [f.cleaned_data for f in self.forms if f.cleaned_data.get("title", "").strip()]


class SummarySection(Section):
    slug = "summary"
    heading = "Summary"
    intro = "An overall summary of the quarter for the board."

    def build_forms(self):
        return [
            forms_with_subject(
                SummaryForm(self.data, prefix="summary", initial={"summary": self.update.summary}),
                None,
            )
        ]

    def cleaned(self):
        return self.forms[0].cleaned_data


def forms_with_subject(form, subject):
    form.subject = subject
    return form


SECTION_CLASSES = {
    cls.slug: cls
    for cls in (
        ObjectivesSection,
        MilestonesSection,
        MDTsSection,
        MoneySection,
        OutcomesSection,
        MaturitySection,
        RisksSection,
        SummarySection,
    )
}


def build_section(slug, *, update, data=None, context=None) -> Section:
    context = context or SectionContext(
        locality=update.locality, quarter=update.quarter, update=update
    )
    return SECTION_CLASSES[slug](update=update, data=data, context=context)


class ReviewCommentsForm(forms.Form):
    """The programme office's comments when returning an update."""

    comments = forms.CharField(
        label="What should the lead change?",
        max_length=COMMENTS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Tell the lead what to change before returning the update.",
            "max_length": too_long("The comments", COMMENTS_MAX_LENGTH),
        },
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="What needs correcting?",
        max_length=70,
        error_messages={
            "required": "Say what needs correcting.",
            "max_length": "Keep the reason to 70 characters; it is kept in the update's history.",
        },
    )
