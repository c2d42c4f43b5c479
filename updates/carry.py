"""Carried forward, not re-typed: what each section of an update said in the
locality's last approved return, and where each section of this update stands
against it — changed, confirmed unchanged, or still to do.

Milestones and MDTs carry the register's values, which are the approved
returns' word (approval copies each report onto them, decision 0009); the
other sections carry the last approved update's own rows.

Reads only: updates.services.confirm_unchanged writes the carried values.
"""

import datetime
from dataclasses import dataclass, field

from localities.models import Milestone
from updates.models import MaturityScore, QuarterlyUpdate, UpdateSection

CHANGED = "changed"
CONFIRMED = "confirmed"
TO_DO = "to_do"
# Shown on the return, never entered: the outcomes, from the monthly extract (0019).
READ_ONLY = "read_only"

# The words on the tag, and its colour; the words alone say it (colour is never alone).
STATE_LABELS = {
    CHANGED: "Changed",
    CONFIRMED: "Confirmed unchanged",
    TO_DO: "To do",
    READ_ONLY: "Nothing to enter",
}
STATE_TAG_CLASSES = {
    CHANGED: "nhsuk-tag--blue",
    CONFIRMED: "nhsuk-tag--green",
    TO_DO: "nhsuk-tag--grey",
    READ_ONLY: "nhsuk-tag--white",
}

# The sections whose answers are rows, one per subject (objective, milestone …),
# and the fields of a row that say what the lead reported.
ROW_FIELDS = {
    UpdateSection.OBJECTIVES: ("rag", "narrative", "percent_complete", "rag_reason"),
    UpdateSection.MILESTONES: (
        "status",
        "forecast_date",
        "actual_date",
        "forecast_change_reason",
    ),
    UpdateSection.MDTS: ("status", "actual_go_live", "population_covered"),
    UpdateSection.MATURITY: ("score",),
}
MONEY_FIELDS = ("spend_planned", "spend_actual")


def previous_forecast(milestone: Milestone) -> datetime.date | None:
    """The forecast a return's forecast is compared with: what the board last saw, or the plan."""
    return milestone.forecast_date or milestone.planned_end


def previous_approved(locality, quarter) -> QuarterlyUpdate | None:
    """The locality's latest approved update before this quarter: what "last quarter" said."""
    return (
        QuarterlyUpdate.objects.approved()
        .for_locality(locality)
        .latest_first_before(quarter)
        .first()
    )


# The sections whose rows each get their own tag and "No change" button on the
# update page: the objectives (each with its RAG and narrative) and the rows that
# are the register's (a milestone, an MDT). A maturity score is one number in a
# short list: its section's button is enough.
ROWS_CONFIRMED_ONE_BY_ONE = (UpdateSection.OBJECTIVES, UpdateSection.MILESTONES, UpdateSection.MDTS)


def latest_approved_scores(locality, quarter) -> dict:
    """Element id → the locality's latest approved maturity score before this quarter.

    Maturity is scored every other quarter or so, so "last quarter's" scores are
    those of the latest approved return that scored it, not of the latest return.
    """
    previous = (
        QuarterlyUpdate.objects.approved()
        .for_locality(locality)
        .latest_first_before(quarter)
        .filter(pk__in=MaturityScore.objects.values("update_id"))
        .first()
    )
    if previous is None:
        return {}
    return {s.element_id: s for s in previous.maturity_scores.all()}


@dataclass(frozen=True)
class RowStanding:
    """Where one row of a section stands, for its tag."""

    state: str

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def tag_class(self) -> str:
        return STATE_TAG_CLASSES[self.state]


@dataclass
class SectionStanding:
    """Where one section of an update stands against last quarter."""

    slug: str
    state: str
    # Subject id → the values carried forward for a row not yet answered in this update.
    to_carry: dict[int, dict] = field(default_factory=dict)
    # Subject id → why it cannot be carried forward (the lead must answer it).
    cannot_carry: dict[int, str] = field(default_factory=dict)
    # Subject id → the row's own state (row sections only).
    rows: dict[int, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def tag_class(self) -> str:
        return STATE_TAG_CLASSES[self.state]

    @property
    def can_confirm(self) -> bool:
        """Would "No change since last quarter" do anything here?"""
        nothing_to_answer = self.slug in ROW_FIELDS and not self.rows  # no milestones, say
        return self.state == TO_DO and (
            bool(self.to_carry) or self.slug in CARRIES_WITHOUT_ROWS or nothing_to_answer
        )


# Sections that can be confirmed with nothing to copy: no new risks; the summary
# (last quarter's, or none).
CARRIES_WITHOUT_ROWS = (UpdateSection.RISKS, UpdateSection.SUMMARY)


def _values(row, names) -> dict:
    return {name: getattr(row, name) for name in names}


def _carried_rows(context, previous) -> dict[str, tuple[dict[int, dict], dict[int, str]]]:
    """Section → (subject id → carried values, subject id → why none can be carried)."""
    quarter_end: datetime.date = context.quarter.end_date
    carried = {}
    statuses = {}
    if previous is not None:
        statuses = {s.objective_id: s for s in previous.objective_statuses.all()}
    scores = latest_approved_scores(context.locality, context.quarter)
    no_answer = "no earlier approved answer to carry forward: fill it in"

    values, missing = {}, {}
    for objective in context.objectives:
        if objective.pk in statuses:
            values[objective.pk] = _values(statuses[objective.pk], ROW_FIELDS["objectives"])
        else:
            missing[objective.pk] = f"Objective {objective.number}: {no_answer}."
    carried[UpdateSection.OBJECTIVES] = (values, missing)

    values, missing = {}, {}
    for milestone in context.milestones:
        if milestone.status == Milestone.Status.NOT_REPORTED:
            missing[milestone.pk] = f"{milestone.title}: not reported before, so give its status."
        elif milestone.actual_date and milestone.actual_date > quarter_end:
            missing[milestone.pk] = (
                f"{milestone.title}: completed after this quarter, so give its status then."
            )
        else:
            values[milestone.pk] = {
                **_values(milestone, ("status", "forecast_date", "actual_date")),
                "forecast_change_reason": "",
            }
    carried[UpdateSection.MILESTONES] = (values, missing)

    values, missing = {}, {}
    for mdt in context.mdts:
        if mdt.actual_go_live and mdt.actual_go_live > quarter_end:
            missing[mdt.pk] = f"{mdt.name}: went live after this quarter, so give its status then."
        else:
            values[mdt.pk] = _values(mdt, ROW_FIELDS["mdts"])
    carried[UpdateSection.MDTS] = (values, missing)

    values, missing = {}, {}
    for element in context.elements:
        if element.pk in scores:
            values[element.pk] = {"score": scores[element.pk].score}
        else:
            missing[element.pk] = f"{element}: {no_answer}."
    carried[UpdateSection.MATURITY] = (values, missing)
    return carried


def _saved_rows(context) -> dict[str, dict]:
    return {
        UpdateSection.OBJECTIVES: context.statuses,
        UpdateSection.MILESTONES: context.milestone_reports,
        UpdateSection.MDTS: context.mdt_reports,
        UpdateSection.MATURITY: context.saved_scores,
    }


def standings(*, update: QuarterlyUpdate, context) -> dict[str, SectionStanding]:
    """Section slug → where it stands against the last approved return.

    `context` is the page's updates.forms.SectionContext (the update's saved
    rows and every section's subjects, fetched once); this adds the previous
    approved update and its rows: five queries, whatever the data.
    """
    previous = previous_approved(context.locality, context.quarter)
    confirmed = set(update.confirmations.values_list("section", flat=True)) if update.pk else set()
    result = {}
    saved_rows = _saved_rows(context)
    for slug, (carried, cannot) in _carried_rows(context, previous).items():
        names = ROW_FIELDS[slug]
        saved = saved_rows[slug]
        rows = {}
        for key in list(carried) + list(cannot):
            row = saved.get(key)
            if row is None:
                rows[key] = TO_DO
            elif key in carried and _values(row, names) == carried[key]:
                rows[key] = CONFIRMED
            else:
                rows[key] = CHANGED
        if CHANGED in rows.values():
            state = CHANGED
        elif TO_DO in rows.values() or (not rows and slug not in confirmed):
            state = TO_DO
        else:
            state = CONFIRMED
        result[slug] = SectionStanding(
            slug=slug,
            state=state,
            to_carry={k: v for k, v in carried.items() if rows[k] == TO_DO},
            cannot_carry={k: v for k, v in cannot.items() if rows[k] == TO_DO},
            rows=rows,
        )

    money = _values(update, MONEY_FIELDS)
    carried_money = _values(previous, MONEY_FIELDS) if previous else None
    if carried_money and None in carried_money.values():
        carried_money = None
    if all(value is None for value in money.values()):
        state = TO_DO
    else:
        state = CONFIRMED if money == carried_money else CHANGED
    result[UpdateSection.MONEY] = SectionStanding(
        slug=UpdateSection.MONEY,
        state=state,
        to_carry={0: carried_money} if state == TO_DO and carried_money else {},
        cannot_carry={0: "Money: no earlier approved spend to carry forward: fill it in."}
        if state == TO_DO and not carried_money
        else {},
    )

    if context.raised_risks:
        state = CHANGED
    else:
        state = CONFIRMED if UpdateSection.RISKS in confirmed else TO_DO
    result[UpdateSection.RISKS] = SectionStanding(slug=UpdateSection.RISKS, state=state)

    carried_summary = previous.summary if previous else ""
    said = UpdateSection.SUMMARY in confirmed
    if update.summary == carried_summary:
        state = CONFIRMED if update.summary or said else TO_DO
    else:
        # Cleared on purpose (saved empty) is a change; never saved is still to do.
        state = CHANGED if update.summary or said else TO_DO
    result[UpdateSection.SUMMARY] = SectionStanding(
        slug=UpdateSection.SUMMARY,
        state=state,
        to_carry={0: {"summary": carried_summary}} if state == TO_DO else {},
    )
    # The outcomes come from the monthly extract (decision 0019): nothing to carry.
    result[UpdateSection.OUTCOMES] = SectionStanding(slug=UpdateSection.OUTCOMES, state=READ_ONLY)
    return {slug: result[slug] for slug in UpdateSection.values}
