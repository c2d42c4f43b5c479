"""The suggested RAG: what an objective's own evidence says about it this quarter.

Leads choose the RAG status the board sees. Beside each choice the form
shows the status the data suggests, with the evidence it rests on in one
line; choosing another needs a short reason, which the board sees too.

Each objective is judged on its own evidence, chosen by its kind
(`Objective.kind`, set in the reference fixture) from `EVIDENCE_BY_KIND`:

- **locality plans**, **expanding the model** (and any other kind): the
  objective's milestones, the locality's own and the programme-wide ones
  linked to it;
- **MDTs**: MDTs live by the quarter's end against those planned to be live
  by then, and the population the live ones cover against the 30,000–50,000
  standard;
- **partnerships**: its milestones, with the partners signed up (the papers
  set no target for them, so they inform but do not judge).

Spend this quarter counts only for the one objective a year that carries the
locality's Local Care spend (`Objective.carries_spend`): one figure judged on
four objectives made every objective of an overspending locality Amber.

Each piece of evidence is a `Finding` with the RAG it alone would give. The
suggestion is **Complete** when the objective's own evidence says so (every
milestone complete; every MDT planned for the year live), otherwise the worst
finding: **Red** (a milestone more than 90 days late; under 60% of the MDTs
due live; spend more than 25% off plan), **Amber** (a milestone late at all;
an MDT due and not live; a live MDT outside 30,000–50,000; spend more than
10% off plan), else **Green**. README "Suggested RAG" has the table.

Milestones without a planned date, and milestones nobody has reported on,
cannot be late. Spend counts only when both the plan and the actual are
given and the plan is above zero.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from localities.models import MDT, Milestone, Objective, Rag

RED_DAYS_LATE = 90
RED_SPEND_VARIANCE = Decimal("0.25")
AMBER_SPEND_VARIANCE = Decimal("0.10")
# Below this share of the MDTs due by the quarter's end live, the objective is Red.
RED_MDT_SHARE = Decimal("0.6")
# The standard MDT footprint (objective 2 for 2018/19: "populations of 30-50,000").
MDT_POPULATION_RANGE = (30_000, 50_000)
# Late milestones named in the evidence line; the rest are counted.
SHOW_LATE = 2


@dataclass(frozen=True)
class MilestoneState:
    """A milestone as the lead (or, for a programme-wide one, the office) reports it."""

    title: str
    planned_end: datetime.date | None
    status: str
    forecast_date: datetime.date | None = None
    actual_date: datetime.date | None = None


@dataclass(frozen=True)
class MdtState:
    """An MDT as the return reports it."""

    name: str
    planned_go_live: datetime.date | None
    status: str
    actual_go_live: datetime.date | None = None
    population_covered: int | None = None


@dataclass(frozen=True)
class Evidence:
    """Everything an objective's suggestion may rest on, as at the quarter's end.

    `spend_planned` and `spend_actual` are given only for the objective that
    carries the spend.
    """

    quarter_end: datetime.date
    year_end: datetime.date
    milestones: Sequence[MilestoneState] = ()
    mdts: Sequence[MdtState] = ()
    partners_signed_up: int | None = None
    spend_planned: Decimal | None = None
    spend_actual: Decimal | None = None


@dataclass(frozen=True)
class Finding:
    """One piece of evidence and the RAG it alone would give (Green for context)."""

    text: str
    rag: Rag = Rag.GREEN


@dataclass(frozen=True)
class Judgement:
    findings: list[Finding]
    complete: bool = False


@dataclass(frozen=True)
class SuggestedRag:
    rag: Rag
    reasons: list[str] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        """The evidence in one line, what drives the RAG first."""
        return "; ".join(self.reasons) if self.reasons else "no evidence in the figures"


def _day(date: datetime.date) -> str:
    return f"{date:%-d %b %Y}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def is_complete(milestone: MilestoneState, *, as_at: datetime.date) -> bool:
    """Complete by `as_at`: a milestone finished after the quarter's end was not done in it."""
    return milestone.status == Milestone.Status.COMPLETE and (
        milestone.actual_date is None or milestone.actual_date <= as_at
    )


def days_late(milestone: MilestoneState, *, as_at: datetime.date) -> int:
    """How late an unfinished milestone is at `as_at`: by the calendar or by its forecast.

    A milestone nobody has reported on is never late: nothing says it was missed.
    """
    if milestone.status in (Milestone.Status.CANCELLED, Milestone.Status.NOT_REPORTED):
        return 0
    if milestone.planned_end is None or is_complete(milestone, as_at=as_at):
        return 0
    # A milestone finished after `as_at` counts as unfinished then, late by the calendar (or
    # its forecast): its actual date is hindsight the lead did not have at the quarter's end.
    latest_expected = max(as_at, milestone.forecast_date or as_at)
    return max(0, (latest_expected - milestone.planned_end).days)


def spend_variance(*, planned: Decimal | None, actual: Decimal | None) -> Decimal | None:
    """(actual − planned) ÷ planned, or None when it cannot be worked out."""
    if planned is None or actual is None or planned <= 0:
        return None
    return (actual - planned) / planned


# --- Evidence, one function per kind of objective -----------------------------


def milestone_evidence(evidence: Evidence) -> Judgement:
    """Its milestones: complete when every one is; late ones Amber, or Red past 90 days."""
    as_at = evidence.quarter_end
    milestones = [m for m in evidence.milestones if m.status != Milestone.Status.CANCELLED]
    if not milestones:
        return Judgement([Finding("no milestones linked to this objective")])
    done = sum(is_complete(m, as_at=as_at) for m in milestones)
    if done == len(milestones):
        return Judgement([Finding(f"all {_plural(done, 'milestone')} complete")], complete=True)
    late = sorted(
        ((days_late(m, as_at=as_at), m.title) for m in milestones if days_late(m, as_at=as_at)),
        key=lambda pair: -pair[0],
    )
    findings = [
        Finding(f"“{title}” is {days} days late", Rag.RED if days > RED_DAYS_LATE else Rag.AMBER)
        for days, title in late[:SHOW_LATE]
    ]
    if len(late) > SHOW_LATE:
        # One line beside the choice: name the latest, count the rest.
        days = late[SHOW_LATE][0]
        findings.append(
            Finding(
                f"{len(late) - SHOW_LATE} more late",
                Rag.RED if days > RED_DAYS_LATE else Rag.AMBER,
            )
        )
    findings.append(Finding(f"{done} of {_plural(len(milestones), 'milestone')} complete"))
    unreported = sum(m.status == Milestone.Status.NOT_REPORTED for m in milestones)
    if unreported:
        findings.append(Finding(f"{unreported} not reported"))
    return Judgement(findings)


def mdt_evidence(evidence: Evidence) -> Judgement:
    """MDTs live by the quarter's end against plan, and the population the live ones cover."""
    as_at, year_end = evidence.quarter_end, evidence.year_end
    live = [
        m
        for m in evidence.mdts
        if m.status == MDT.Status.LIVE and (m.actual_go_live is None or m.actual_go_live <= as_at)
    ]
    due = [m for m in evidence.mdts if m.planned_go_live and m.planned_go_live <= as_at]
    year_plan = [m for m in evidence.mdts if m.planned_go_live and m.planned_go_live <= year_end]
    live_now = set(live)
    findings = []
    complete = bool(year_plan) and all(m in live_now for m in year_plan)
    if complete:
        findings.append(
            Finding(
                f"all {_plural(len(year_plan), 'MDT')} planned for the year live by {_day(as_at)}"
            )
        )
    elif not due:
        findings.append(
            Finding(
                f"{len(live)} MDTs live; none was planned to be live by {_day(as_at)} "
                f"(plan for the year {len(year_plan)})"
            )
        )
    else:
        due_live = sum(m in live_now for m in due)
        if due_live == len(due):
            rag = Rag.GREEN
        elif Decimal(due_live) / len(due) >= RED_MDT_SHARE:
            rag = Rag.AMBER
        else:
            rag = Rag.RED
        findings.append(
            Finding(
                f"{due_live} of {_plural(len(due), 'MDT')} due by {_day(as_at)} live "
                f"(plan for the year {len(year_plan)})",
                rag,
            )
        )
    findings.extend(_population_findings(live))
    return Judgement(findings, complete=complete)


def _population_findings(live: list[MdtState]) -> list[Finding]:
    if not live:
        return []
    given = [m.population_covered for m in live if m.population_covered is not None]
    if not given:
        return [Finding("no population figures for the live MDTs")]
    low, high = MDT_POPULATION_RANGE
    findings = []
    outside = sum(not low <= population <= high for population in given)
    if outside:
        findings.append(
            Finding(f"{outside} of {len(given)} live MDTs outside {low:,}–{high:,}", Rag.AMBER)
        )
    covered = f"live MDTs cover {sum(given):,} people"
    if len(given) < len(live):
        covered += f" (population not given for {len(live) - len(given)})"
    findings.append(Finding(covered))
    return findings


def partnership_evidence(evidence: Evidence) -> Judgement:
    """Its milestones judge it; partners signed up inform (the papers set no target)."""
    judgement = milestone_evidence(evidence)
    partners = evidence.partners_signed_up
    text = "no partner data" if partners is None else f"{_plural(partners, 'partner')} signed up"
    return Judgement([*judgement.findings, Finding(text)], complete=judgement.complete)


EVIDENCE_BY_KIND: dict[str, Callable[[Evidence], Judgement]] = {
    Objective.Kind.LOCALITY_PLANS: milestone_evidence,
    Objective.Kind.MDTS: mdt_evidence,
    Objective.Kind.PARTNERSHIPS: partnership_evidence,
    Objective.Kind.EXPANSION: milestone_evidence,
    Objective.Kind.OTHER: milestone_evidence,
}


def spend_findings(*, planned: Decimal | None, actual: Decimal | None) -> list[Finding]:
    variance = spend_variance(planned=planned, actual=actual)
    if variance is None:
        return []
    words = f"spend is {abs(variance):.0%} {'over' if variance > 0 else 'under'} plan"
    if abs(variance) > RED_SPEND_VARIANCE:
        return [Finding(words, Rag.RED)]
    if abs(variance) > AMBER_SPEND_VARIANCE:
        return [Finding(words, Rag.AMBER)]
    return [Finding(words)]


def suggest_rag(*, kind: str, evidence: Evidence) -> SuggestedRag:
    """The RAG an objective of `kind` suggests from its own `evidence`."""
    judgement = EVIDENCE_BY_KIND.get(kind, milestone_evidence)(evidence)
    findings = judgement.findings + spend_findings(
        planned=evidence.spend_planned, actual=evidence.spend_actual
    )
    if judgement.complete:
        # Delivered is delivered: spend off plan is said, but is the money section's matter.
        return SuggestedRag(Rag.COMPLETE, [f.text for f in findings])
    # The worst first, so the one line beside the choice opens with why.
    findings.sort(key=lambda f: Rag.severity(f.rag))
    worst = findings[0].rag if findings else Rag.GREEN
    return SuggestedRag(worst, [f.text for f in findings])
