"""The review page's read side: an update beside the locality's previous approved one.

`compare_updates` is pure (plain values in, rows out), so what counts as a
change is tested without a database. `review_comparison` loads both updates
with a fixed number of queries, turns each into `UpdateFigures` and feeds it.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, prefetch_related_objects

from common.money import count, pounds
from localities.models import CareModelElement, Objective
from updates.models import MDTUpdate, MilestoneUpdate, ObjectiveStatus, QuarterlyUpdate, RaisedRisk
from updates.outcome_selectors import QuarterOutcomes, quarter_outcomes
from updates.services import SECTION_HEADINGS

NOT_REPORTED = "Not reported"
NOTHING_TO_COMPARE = "—"


@dataclass(frozen=True)
class ComparisonRow:
    """One figure or text, as the previous update and this one give it."""

    label: str
    previous: str
    current: str
    changed: bool
    # RAG codes (localities.models.Rag) when the row is a RAG status, for the coloured tag.
    previous_rag: str = ""
    current_rag: str = ""


@dataclass(frozen=True)
class ComparisonSection:
    slug: str
    heading: str
    rows: list[ComparisonRow]

    @property
    def changed_count(self) -> int:
        return sum(1 for row in self.rows if row.changed)


@dataclass(frozen=True)
class ObjectiveReport:
    rag: str
    rag_label: str
    narrative: str = ""
    percent_complete: int | None = None
    rag_reason: str = ""


@dataclass(frozen=True)
class MilestoneReport:
    title: str
    status: str
    forecast_date: datetime.date | None = None
    actual_date: datetime.date | None = None
    forecast_change_reason: str = ""


@dataclass(frozen=True)
class MDTReport:
    name: str
    status: str
    actual_go_live: datetime.date | None = None
    population_covered: int | None = None


@dataclass(frozen=True)
class RaisedRiskReport:
    title: str
    category: str
    description: str = ""


@dataclass
class UpdateFigures:
    """What one quarterly update reported, keyed so that two quarters line up.

    Objectives and maturity scores are keyed by the objective or element id
    (outcomes are not on the return: decision 0019); milestones and MDTs by theirs. Statuses are the
    words a reader sees ("In progress"), so that comparing them compares what
    is shown.
    """

    summary: str = ""
    spend_planned: Decimal | None = None
    spend_actual: Decimal | None = None
    partners_signed_up: int | None = None
    locality_plan_refreshed: bool | None = None
    objectives: dict[int, ObjectiveReport] = field(default_factory=dict)
    maturity: dict[int, int] = field(default_factory=dict)
    milestones: dict[int, MilestoneReport] = field(default_factory=dict)
    mdts: dict[int, MDTReport] = field(default_factory=dict)
    raised_risks: list[RaisedRiskReport] = field(default_factory=list)


# --- Formatting: what a reader sees in each column ----------------------------------


def _text(value) -> str:
    if value is None or value == "":
        return NOT_REPORTED
    return str(value)


def _number(value) -> str:
    # common.money.count: 12,060 rather than 12,060.0, as every page writes a count.
    return NOT_REPORTED if value is None else count(value)


def _money(value) -> str:
    return NOT_REPORTED if value is None else pounds(value)


def _date(value: datetime.date | None) -> str:
    return NOT_REPORTED if value is None else f"{value.day} {value:%b %Y}"


def _percent(value) -> str:
    return NOT_REPORTED if value is None else f"{value}%"


def _yes_no(value: bool | None) -> str:
    return NOT_REPORTED if value is None else ("Yes" if value else "No")


class _Rows:
    """Collects the rows of one section; a row is changed when the values differ."""

    def __init__(self, *, has_previous: bool):
        self.has_previous = has_previous
        self.rows: list[ComparisonRow] = []

    def add(self, label: str, before, after, show=_text, **extra) -> None:
        self.rows.append(
            ComparisonRow(
                label=label,
                previous=show(before) if self.has_previous else NOTHING_TO_COMPARE,
                current=show(after),
                changed=self.has_previous and _normalised(before) != _normalised(after),
                **extra,
            )
        )


def _normalised(value):
    # A blank text and a missing one read the same ("Not reported"), and so are no change.
    if isinstance(value, str):
        value = value.strip()
    return None if value == "" else value


def _keys_in_order(current: dict, previous: dict) -> list:
    """This update's rows in its order, then rows only the previous update had."""
    return list(current) + [key for key in previous if key not in current]


# --- The comparison -----------------------------------------------------------------


def compare_updates(
    *,
    previous: UpdateFigures | None,
    current: UpdateFigures,
    objectives: Sequence[tuple[int, str]],
    elements: Sequence[tuple[int, str]],
) -> list[ComparisonSection]:
    """Rows for each section of the update form, marked where this update differs.

    `objectives` and `elements` are (id, label) pairs in page
    order: each gets its rows whether or not either update reported it. With
    no previous update nothing is marked changed.
    """
    has_previous = previous is not None
    before = previous or UpdateFigures()

    def rows() -> _Rows:
        return _Rows(has_previous=has_previous)

    sections: list[tuple[str, _Rows]] = []

    objective_rows = rows()
    for pk, label in objectives:
        old, new = before.objectives.get(pk), current.objectives.get(pk)
        rag_labels = {report.rag: report.rag_label for report in (old, new) if report}
        objective_rows.add(
            f"{label}: RAG status",
            old.rag if old else None,
            new.rag if new else None,
            show=lambda rag, rag_labels=rag_labels: rag_labels.get(rag, NOT_REPORTED),
            previous_rag=old.rag if old and has_previous else "",
            current_rag=new.rag if new else "",
        )
        objective_rows.add(
            f"{label}: progress",
            old.narrative if old else None,
            new.narrative if new else None,
        )
        objective_rows.add(
            f"{label}: percent complete",
            old.percent_complete if old else None,
            new.percent_complete if new else None,
            show=_percent,
        )
        old_reason, new_reason = (old.rag_reason if old else ""), (new.rag_reason if new else "")
        if old_reason or new_reason:
            objective_rows.add(f"{label}: reason for this RAG", old_reason, new_reason)
    objective_rows.add(
        "Partners signed up", before.partners_signed_up, current.partners_signed_up, _number
    )
    objective_rows.add(
        "Locality plan refreshed",
        before.locality_plan_refreshed,
        current.locality_plan_refreshed,
        _yes_no,
    )
    sections.append(("objectives", objective_rows))

    milestone_rows = rows()
    for pk in _keys_in_order(current.milestones, before.milestones):
        old, new = before.milestones.get(pk), current.milestones.get(pk)
        title = (new or old).title
        for label, name, show in (
            ("status", "status", _text),
            ("forecast date", "forecast_date", _date),
            ("actual date", "actual_date", _date),
            ("reason the forecast moved", "forecast_change_reason", _text),
        ):
            old_value = getattr(old, name) if old else None
            new_value = getattr(new, name) if new else None
            if name == "forecast_change_reason" and not (old_value or new_value):
                continue
            milestone_rows.add(f"{title}: {label}", old_value, new_value, show)
    sections.append(("milestones", milestone_rows))

    mdt_rows = rows()
    for pk in _keys_in_order(current.mdts, before.mdts):
        old, new = before.mdts.get(pk), current.mdts.get(pk)
        name = (new or old).name
        for label, attribute, show in (
            ("status", "status", _text),
            ("go-live date", "actual_go_live", _date),
            ("population covered", "population_covered", _number),
        ):
            mdt_rows.add(
                f"{name}: {label}",
                getattr(old, attribute) if old else None,
                getattr(new, attribute) if new else None,
                show,
            )
    sections.append(("mdts", mdt_rows))

    money_rows = rows()
    money_rows.add("Planned spend", before.spend_planned, current.spend_planned, _money)
    money_rows.add("Actual spend", before.spend_actual, current.spend_actual, _money)
    sections.append(("money", money_rows))

    maturity_rows = rows()
    for pk, label in elements:
        maturity_rows.add(
            label, before.maturity.get(pk), current.maturity.get(pk), _score_out_of_five
        )
    sections.append(("maturity", maturity_rows))

    # A risk raised is new in the update that raises it: each one is a change.
    risk_rows = rows()
    risk_rows.rows.extend(
        ComparisonRow(
            label=f"{risk.title} ({risk.category})",
            previous=NOTHING_TO_COMPARE,
            current=risk.description or risk.title,
            changed=True,
        )
        for risk in current.raised_risks
    )
    sections.append(("risks", risk_rows))

    summary_rows = rows()
    summary_rows.add("Overall narrative", before.summary, current.summary)
    sections.append(("summary", summary_rows))

    return [
        ComparisonSection(slug=slug, heading=SECTION_HEADINGS[slug], rows=collected.rows)
        for slug, collected in sections
    ]


def _score_out_of_five(score) -> str:
    return NOT_REPORTED if score is None else f"{score} out of 5"


# --- Reading the updates ------------------------------------------------------------


def _child_prefetches() -> list[Prefetch | str]:
    return [
        Prefetch("objective_statuses", queryset=ObjectiveStatus.objects.all()),
        "maturity_scores",
        Prefetch("milestone_updates", queryset=MilestoneUpdate.objects.select_related("milestone")),
        Prefetch("mdt_updates", queryset=MDTUpdate.objects.select_related("mdt")),
        Prefetch("raised_risks", queryset=RaisedRisk.objects.select_related("category")),
    ]


def figures_of(update: QuarterlyUpdate) -> UpdateFigures:
    """An update's reported values, read from its prefetched rows (see `review_comparison`)."""
    return UpdateFigures(
        summary=update.summary,
        spend_planned=update.spend_planned,
        spend_actual=update.spend_actual,
        partners_signed_up=update.partners_signed_up,
        locality_plan_refreshed=update.locality_plan_refreshed,
        objectives={
            status.objective_id: ObjectiveReport(
                rag=status.rag,
                rag_label=status.get_rag_display(),
                narrative=status.narrative,
                percent_complete=status.percent_complete,
                rag_reason=status.rag_reason,
            )
            for status in update.objective_statuses.all()
        },
        maturity={score.element_id: score.score for score in update.maturity_scores.all()},
        milestones={
            report.milestone_id: MilestoneReport(
                title=report.milestone.title,
                status=report.get_status_display(),
                forecast_date=report.forecast_date,
                actual_date=report.actual_date,
                forecast_change_reason=report.forecast_change_reason,
            )
            for report in update.milestone_updates.all()
        },
        mdts={
            report.mdt_id: MDTReport(
                name=report.mdt.name,
                status=report.get_status_display(),
                actual_go_live=report.actual_go_live,
                population_covered=report.population_covered,
            )
            for report in update.mdt_updates.all()
        },
        raised_risks=[
            RaisedRiskReport(
                title=risk.title, category=risk.category.name, description=risk.description
            )
            for risk in update.raised_risks.all()
        ],
    )


@dataclass(frozen=True)
class ReviewComparison:
    """An update beside the locality's latest approved update from an earlier quarter."""

    update: QuarterlyUpdate
    previous: QuarterlyUpdate | None
    sections: list[ComparisonSection]
    # Shown read-only: the monthly extract's figures for the quarter (decision 0019).
    outcomes: QuarterOutcomes | None = None

    @property
    def changed_count(self) -> int:
        return sum(section.changed_count for section in self.sections)

    # The services hold the rules (updates.services); these say which forms to offer.
    @property
    def can_approve(self) -> bool:
        return self.update.status == QuarterlyUpdate.Status.SUBMITTED

    @property
    def can_return(self) -> bool:
        return self.update.status == QuarterlyUpdate.Status.SUBMITTED

    @property
    def can_reopen(self) -> bool:
        return self.update.status == QuarterlyUpdate.Status.APPROVED


def previous_approved_update(update: QuarterlyUpdate) -> QuarterlyUpdate | None:
    """The locality's latest approved update for a quarter before this one's."""
    return (
        QuarterlyUpdate.objects.approved()
        .for_locality(update.locality)
        .latest_first_before(update.quarter)
        .select_related("quarter__financial_year")
        .first()
    )


def _labels(items: Iterable) -> list[tuple[int, str]]:
    return [(item.pk, str(item)) for item in items]


def review_comparison(*, update: QuarterlyUpdate) -> ReviewComparison:
    """The review page's comparison: ten queries, however much either update holds."""
    previous = previous_approved_update(update)
    both = [update] + ([previous] if previous else [])
    prefetch_related_objects(both, *_child_prefetches())
    reported = {s.objective_id for u in both for s in u.objective_statuses.all()}
    objectives = Objective.objects.filter(
        Q(financial_year_id=update.quarter.financial_year_id) | Q(pk__in=reported)
    ).order_by("financial_year__start_year", "number")
    sections = compare_updates(
        previous=figures_of(previous) if previous else None,
        current=figures_of(update),
        objectives=[(o.pk, f"Objective {o.number} ({o.short_title})") for o in objectives],
        elements=_labels(CareModelElement.objects.all()),
    )
    return ReviewComparison(
        update=update,
        previous=previous,
        sections=sections,
        outcomes=quarter_outcomes(locality=update.locality, quarter=update.quarter),
    )
