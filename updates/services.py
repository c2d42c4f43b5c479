"""Writes to programme data. Keyword-only functions, one transaction each.

The quarterly-update workflow (README "Quarterly updates"):

    (not started) → draft ⇄ (save sections) → submitted → approved
                                   ↑              │          │
                                   └── returned ←─┘          │
                                          ↑                  │
                                          └──── reopened ────┘

Every function here checks who is acting (localities.access), reloads the
update under a row lock, checks the caller's `expected_version` so that a
second editor working from a stale page is told rather than overwriting the
first (`StaleEdit`), full_clean()s every row, and records who did it and why
in the history.
"""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Model, Q
from django.utils import timezone
from django.utils.text import Truncator

from localities import access, rag
from localities.models import (
    MDT,
    CareModelElement,
    Locality,
    Milestone,
    Objective,
    Quarter,
)
from risks.services import propose_risk
from updates import carry, outbox
from updates.derived_milestones import refresh_derived_milestones
from updates.forms import SECTION_CLASSES, SectionContext, long_date
from updates.models import (
    MaturityScore,
    MDTUpdate,
    MilestoneUpdate,
    ObjectiveStatus,
    QuarterlyUpdate,
    RaisedRisk,
    ReturnComment,
    SectionConfirmation,
)

# simple-history keeps the reason for a change in a 100-character column.
HISTORY_REASON_LENGTH = 100

STALE_EDIT_MESSAGE = (
    "Someone else saved this update while you were editing it, so your changes have not "
    "been saved. What you entered is still in the form below: check the update's history "
    "to see what they changed, then save again."
)


# --- Quarterly updates ----------------------------------------------------------


class StaleEdit(ValidationError):
    """The update was saved by someone else after this edit began."""


EDITABLE_STATUSES = (QuarterlyUpdate.Status.DRAFT, QuarterlyUpdate.Status.RETURNED)

# True while a draft is being saved: its rows are seen by the lead alone, not
# by any dashboard, so dashboard.signals leaves the cached dashboards alone.
_saving_draft: ContextVar[bool] = ContextVar("saving_draft", default=False)


def is_saving_draft() -> bool:
    """Is this thread saving a draft (writes no dashboard shows)?"""
    return _saving_draft.get()


@contextmanager
def _draft_writes() -> Iterator[None]:
    token = _saving_draft.set(True)
    try:
        yield
    finally:
        _saving_draft.reset(token)


# The sections of the update form, in order: (slug, heading).
SECTIONS = (
    ("objectives", "Objectives"),
    ("milestones", "Milestones"),
    ("mdts", "MDTs"),
    ("money", "Money"),
    ("outcomes", "Outcomes"),
    ("maturity", "Care-model maturity"),
    ("risks", "New risks or issues"),
    ("summary", "Summary"),
)
SECTION_HEADINGS = dict(SECTIONS)


@dataclass(frozen=True)
class Problem:
    """Something that stops an update being submitted, and where to fix it.

    `field` is the id of the input on the section's page that puts it right
    (updates.forms names them: id_<row prefix>-<field>), so that Check and
    submit links straight to it.
    """

    section: str
    message: str
    field: str = ""

    @property
    def section_heading(self) -> str:
        return SECTION_HEADINGS[self.section]


def _reason(text: str) -> str:
    return Truncator(text).chars(HISTORY_REASON_LENGTH)


def _save_row(row: Model, *, by: AbstractBaseUser, reason: str = "") -> None:
    row.full_clean()
    row._history_user = by
    row._change_reason = _reason(reason) if reason else None
    row.save()


def _delete_row(row: Model, *, by: AbstractBaseUser) -> None:
    row._history_user = by
    row.delete()


def _require_lead(update_locality: Locality, by: AbstractBaseUser) -> None:
    if not access.can_edit_locality(by, update_locality):
        raise access.refuse(
            "changing this locality's update",
            update_locality,
            message=f"Only a lead for {update_locality} can change its update.",
        )


def _require_reviewer(by: AbstractBaseUser) -> None:
    if not access.can_review_updates(by):
        raise access.refuse(
            "reviewing quarterly updates",
            message="Only the programme office reviews quarterly updates.",
        )
    # accounts' middleware sends such a user to give a code before any page;
    # this holds even if a view were ever reached some other way.
    if access.owes_second_factor(by):
        raise access.refuse(
            "reviewing quarterly updates without two-factor authentication",
            message="Give a code from your authenticator app before you review quarterly updates.",
        )


def _lock(update: QuarterlyUpdate) -> None:
    # No-op on SQLite, which serialises writers anyway; a row lock on PostgreSQL.
    update.refresh_from_db(from_queryset=QuarterlyUpdate.objects.select_for_update())


def _require_status(update: QuarterlyUpdate, statuses: Iterable[str], doing: str) -> None:
    statuses = tuple(statuses)
    if update.status not in statuses:
        raise ValidationError(
            f"The {update} update is {update.get_status_display().lower()}, so it cannot be "
            f"{doing}.",
            code="wrong_status",
        )


def _claim_version(update: QuarterlyUpdate, expected_version: int) -> None:
    # One conditional UPDATE both checks and claims the version, so two
    # concurrent saves cannot both pass the check.
    # history: every caller then saves the update, which records the new version with who and why
    claimed = QuarterlyUpdate.objects.filter(pk=update.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise StaleEdit(STALE_EDIT_MESSAGE, code="stale")
    update.version = expected_version + 1


def _save_update(update: QuarterlyUpdate, *, by: AbstractBaseUser, reason: str) -> None:
    _save_row(update, by=by, reason=reason)


def _open_for_editing(
    *, locality: Locality, quarter: Quarter, expected_version: int, by: AbstractBaseUser
) -> QuarterlyUpdate:
    """The update, locked and claimed for one more saved version, or a new draft.

    `expected_version` is the version the editor's page showed; 0 means the
    page showed no update yet.
    """
    _require_lead(locality, by)
    update = QuarterlyUpdate.objects.filter(locality=locality, quarter=quarter).first()
    if update is None:
        if expected_version != 0:
            raise StaleEdit(STALE_EDIT_MESSAGE, code="stale")
        update = QuarterlyUpdate(locality=locality, quarter=quarter)
        _save_row(update, by=by, reason="Started")
        return update
    _lock(update)
    _require_status(update, EDITABLE_STATUSES, "changed")
    _claim_version(update, expected_version)
    return update


# Each section writer takes the update and the section's cleaned data (plain
# values, as a form's cleaned_data or a spreadsheet row gives them) and
# returns how many rows it changed.


def _sync_rows(
    *,
    existing: Mapping[int, Model],
    wanted: Mapping[int, dict | None],
    make,
    by: AbstractBaseUser,
) -> int:
    """Create, change or delete child rows so that they match `wanted` (key → fields or None)."""
    changed = 0
    for key, fields in wanted.items():
        row = existing.get(key)
        if fields is None:
            if row is not None:
                _delete_row(row, by=by)
                changed += 1
            continue
        if row is None:
            row = make(key)
        elif all(getattr(row, name) == value for name, value in fields.items()):
            continue
        for name, value in fields.items():
            setattr(row, name, value)
        _save_row(row, by=by)
        changed += 1
    return changed


def mdt_states(update: QuarterlyUpdate) -> list[rag.MdtState]:
    """The locality's MDTs as this return reports them: its MDT reports, else the MDT rows.

    The one place the suggested RAG reads MDT status from, so that it can be
    pointed at another source of MDT status as at a quarter.
    """
    reported = {row.mdt_id: row for row in update.mdt_updates.all()} if update.pk else {}
    states = []
    for mdt in MDT.objects.for_locality(update.locality):
        source = reported.get(mdt.pk, mdt)
        states.append(
            rag.MdtState(
                name=mdt.name,
                planned_go_live=mdt.planned_go_live,
                status=source.status,
                actual_go_live=source.actual_go_live,
                population_covered=source.population_covered,
            )
        )
    return states


def milestone_states(update: QuarterlyUpdate) -> dict[int, list[rag.MilestoneState]]:
    """Objective id → its milestones: the locality's (as reported) and the programme-wide ones."""
    reported = (
        {row.milestone_id: row for row in update.milestone_updates.all()} if update.pk else {}
    )
    milestones = Milestone.objects.filter(
        Q(locality=update.locality) | Q(locality=None), objective__isnull=False
    ).in_plan_on(update.quarter.end_date)
    states: dict[int, list[rag.MilestoneState]] = {}
    for milestone in milestones:
        source = reported.get(milestone.pk, milestone)
        states.setdefault(milestone.objective_id, []).append(
            rag.MilestoneState(
                title=milestone.title,
                planned_end=milestone.planned_end,
                status=source.status,
                forecast_date=source.forecast_date,
                actual_date=source.actual_date,
            )
        )
    return states


def suggested_rags(update: QuarterlyUpdate) -> dict[int, rag.SuggestedRag]:
    """Objective id → the RAG the objective's own evidence suggests (localities.rag)."""
    quarter = update.quarter
    milestones = milestone_states(update)
    mdts = mdt_states(update)
    suggestions = {}
    for objective in Objective.objects.reported_in(quarter):
        evidence = rag.Evidence(
            quarter_end=quarter.end_date,
            year_end=quarter.financial_year.end_date,
            milestones=milestones.get(objective.pk, []),
            mdts=mdts,
            partners_signed_up=update.partners_signed_up,
            spend_planned=update.spend_planned if objective.carries_spend else None,
            spend_actual=update.spend_actual if objective.carries_spend else None,
        )
        suggestions[objective.pk] = rag.suggest_rag(kind=objective.kind, evidence=evidence)
    return suggestions


def _write_objectives(update: QuarterlyUpdate, rows: Iterable[dict], by) -> int:
    suggestions = suggested_rags(update)
    wanted = {}
    for row in rows:
        objective = row["objective"]
        if not row.get("rag"):
            wanted[objective.pk] = None
            continue
        wanted[objective.pk] = {
            "rag": row["rag"],
            "narrative": row.get("narrative", ""),
            "percent_complete": row.get("percent_complete"),
            "rag_reason": row.get("rag_reason", ""),
            "suggested_rag": suggestions[objective.pk].rag,
        }
    return _sync_rows(
        existing={s.objective_id: s for s in update.objective_statuses.all()},
        wanted=wanted,
        make=lambda pk: ObjectiveStatus(update=update, objective_id=pk),
        by=by,
    )


def _write_milestones(update: QuarterlyUpdate, rows: Iterable[dict], by) -> int:
    # A row with no status is a milestone not reported yet: a draft may hold that.
    wanted = {
        row["milestone"].pk: {
            "status": row["status"],
            "forecast_date": row.get("forecast_date"),
            "actual_date": row.get("actual_date"),
            "forecast_change_reason": row.get("forecast_change_reason", ""),
        }
        if row.get("status")
        else None
        for row in rows
    }
    return _sync_rows(
        existing={m.milestone_id: m for m in update.milestone_updates.all()},
        wanted=wanted,
        make=lambda pk: MilestoneUpdate(update=update, milestone_id=pk),
        by=by,
    )


def _write_mdts(update: QuarterlyUpdate, rows: Iterable[dict], by) -> int:
    rows = list(rows)
    wanted = {
        row["mdt"].pk: {
            "status": row["status"],
            "actual_go_live": row.get("actual_go_live"),
            "population_covered": row.get("population_covered"),
        }
        for row in rows
    }
    changed = _sync_rows(
        existing={m.mdt_id: m for m in update.mdt_updates.all()},
        wanted=wanted,
        make=lambda pk: MDTUpdate(update=update, mdt_id=pk),
        by=by,
    )
    # No counts are kept on the update: the dashboards count the MDT register,
    # which approval updates from these rows (decision 0009).
    return changed


def _write_money(update: QuarterlyUpdate, data: dict, by) -> int:
    before = (update.spend_planned, update.spend_actual)
    update.spend_planned = data.get("spend_planned")
    update.spend_actual = data.get("spend_actual")
    return int(before != (update.spend_planned, update.spend_actual))


def _write_maturity(update: QuarterlyUpdate, rows: Iterable[dict], by) -> int:
    wanted = {
        row["element"].pk: None if row.get("score") is None else {"score": row["score"]}
        for row in rows
    }
    return _sync_rows(
        existing={s.element_id: s for s in update.maturity_scores.all()},
        wanted=wanted,
        make=lambda pk: MaturityScore(update=update, element_id=pk),
        by=by,
    )


def _write_risks(update: QuarterlyUpdate, rows: Iterable[dict], by) -> int:
    """Replace the risks raised in this update that have not yet reached the register."""
    rows = [row for row in rows if row.get("title")]
    pending = list(update.raised_risks.filter(proposed_risk=None))
    fields = [(r.title, r.description, r.category_id) for r in pending]
    if fields == [(r["title"], r.get("description", ""), r["category"].pk) for r in rows]:
        return 0  # the same risks as saved: no rows deleted and written again, no history
    changed = 0
    for raised in pending:
        _delete_row(raised, by=by)
        changed += 1
    for row in rows:
        _save_row(
            RaisedRisk(
                update=update,
                title=row["title"],
                description=row.get("description", ""),
                category=row["category"],
            ),
            by=by,
        )
        changed += 1
    return changed


def _write_summary(update: QuarterlyUpdate, data: dict, by) -> int:
    before = update.summary
    update.summary = data.get("summary", "")
    return int(before != update.summary)


_SECTION_WRITERS = {
    "objectives": _write_objectives,
    "milestones": _write_milestones,
    "mdts": _write_mdts,
    "money": _write_money,
    "maturity": _write_maturity,
    "risks": _write_risks,
    "summary": _write_summary,
}


@transaction.atomic
def save_draft(
    *,
    locality: Locality,
    quarter: Quarter,
    sections: Mapping[str, object],
    expected_version: int,
    by: AbstractBaseUser,
    how: str = "",
) -> QuarterlyUpdate:
    """Save one or more sections of a locality's update as a draft.

    `sections` maps a section slug to its cleaned data (a list of row dicts,
    or one dict for money and summary). All or nothing: a problem in any row
    leaves the update as it was.
    """
    unknown = set(sections) - set(_SECTION_WRITERS)
    if unknown:
        raise ValueError(f"Unknown sections: {sorted(unknown)}")
    with _draft_writes():
        update = _open_for_editing(
            locality=locality, quarter=quarter, expected_version=expected_version, by=by
        )
        # Money first: the suggested RAG of the objectives depends on it, and on milestones.
        order = [slug for slug, _ in SECTIONS if slug != "objectives"] + ["objectives"]
        changed = 0
        for slug in order:
            if slug in sections:
                section_changed = _SECTION_WRITERS[slug](update, sections[slug], by)
                changed += section_changed
                if not section_changed and _confirmed_only_by_record(slug, sections[slug]):
                    # Saved as it was: the lead's word that nothing changed (issue 16).
                    _record_confirmation(update, slug, by=by)
        headings = ", ".join(SECTION_HEADINGS[slug] for slug, _ in SECTIONS if slug in sections)
        _save_update(
            update, by=by, reason=f"{how or 'Saved draft'}: {headings} ({changed} changed)"
        )
    return update


NO_CHANGE_REASON = "No change since last quarter"


def _record_confirmation(update: QuarterlyUpdate, section: str, *, by: AbstractBaseUser) -> bool:
    """Record that the lead confirmed this section unchanged, once (later words change nothing)."""
    if update.confirmations.filter(section=section).exists():
        return False
    _save_row(
        SectionConfirmation(
            update=update, section=section, confirmed_by=by, confirmed_at=timezone.now()
        ),
        by=by,
        reason=NO_CHANGE_REASON,
    )
    return True


def _confirmed_only_by_record(slug: str, data) -> bool:
    """Does this section need a confirmation record to count as confirmed? Rows that
    match last quarter's say so themselves (updates.carry); no new risks, a summary
    left as it was or a section with no rows leave nothing else to show it."""
    return slug in carry.CARRIES_WITHOUT_ROWS or (isinstance(data, list) and not data)


_CARRIED_ROW_MODELS = {
    "objectives": (ObjectiveStatus, "objective_id"),
    "milestones": (MilestoneUpdate, "milestone_id"),
    "mdts": (MDTUpdate, "mdt_id"),
    "maturity": (MaturityScore, "element_id"),
}


def _carry_forward(update: QuarterlyUpdate, slug: str, values: Mapping[int, dict], by) -> int:
    """Write the carried values of one section's unanswered rows into the update."""
    if slug == "money":
        update.spend_planned, update.spend_actual = (
            values[0]["spend_planned"],
            values[0]["spend_actual"],
        )
        return 1
    if slug == "summary":
        update.summary = values[0]["summary"]
        return int(bool(update.summary))
    model, key_name = _CARRIED_ROW_MODELS[slug]
    suggestions = suggested_rags(update) if slug == "objectives" else {}
    for key, fields in values.items():
        row = model(update=update, **{key_name: key}, **fields)
        if slug == "objectives":
            row.suggested_rag = suggestions[key].rag
        _save_row(row, by=by, reason=NO_CHANGE_REASON)
    return len(values)


@dataclass(frozen=True)
class Confirmed:
    """What "No change since last quarter" did: the update, how many answers it carried
    forward, and what it could not carry (the lead answers those)."""

    update: QuarterlyUpdate
    carried: int
    still_to_answer: list[str]


@transaction.atomic
def confirm_unchanged(
    *,
    locality: Locality,
    quarter: Quarter,
    sections: Iterable[str],
    expected_version: int,
    by: AbstractBaseUser,
    row: int | None = None,
) -> Confirmed:
    """ "No change since last quarter": carry the last approved return's values into the
    sections (or one row of one section) that this update has not yet answered.

    Answers already saved in the update stay as they are; a section the lead has
    changed is not confirmed. Refused, with nothing saved, when there is nothing
    to confirm: an unknown section or row, a row already answered or with no
    earlier value.
    """
    wanted = set(sections)
    if not wanted or wanted - set(SECTION_HEADINGS):
        raise ValidationError("There is no such section of the update.", code="unknown_section")
    if all(SECTION_CLASSES[slug].read_only for slug in wanted):
        raise ValidationError(
            "Nothing to confirm: the outcome figures come from the monthly data warehouse "
            "extract, not the return.",
            code="nothing_to_confirm",
        )
    if row is not None and (len(wanted) != 1 or not wanted <= set(_CARRIED_ROW_MODELS)):
        raise ValidationError("That row is not part of this section.", code="unknown_row")
    with _draft_writes():
        update = _open_for_editing(
            locality=locality, quarter=quarter, expected_version=expected_version, by=by
        )
        standings = carry.standings(
            update=update, context=SectionContext(locality=locality, quarter=quarter, update=update)
        )
        # Objectives last: their suggested RAG reads the milestones, MDTs and money carried.
        order = [slug for slug, _ in SECTIONS if slug in wanted and slug != "objectives"]
        order += ["objectives"] if "objectives" in wanted else []
        carried, recorded, still_to_answer = 0, 0, []
        for slug in order:
            standing = standings[slug]
            if row is not None:
                if row not in standing.rows:
                    raise ValidationError(
                        "That row is not part of this section.", code="unknown_row"
                    )
                if row in standing.cannot_carry:
                    raise ValidationError(standing.cannot_carry[row], code="nothing_to_carry")
                if row not in standing.to_carry:
                    raise ValidationError(
                        "That row is already answered in this update: change it on the "
                        "section's page.",
                        code="answered",
                    )
                carried += _carry_forward(update, slug, {row: standing.to_carry[row]}, by)
                continue
            if standing.state in (carry.CHANGED, carry.READ_ONLY):
                continue
            carried += (
                _carry_forward(update, slug, standing.to_carry, by) if standing.to_carry else 0
            )
            still_to_answer += standing.cannot_carry.values()
            if not standing.cannot_carry:
                recorded += _record_confirmation(update, slug, by=by)
        if not carried and not recorded:
            raise ValidationError(
                still_to_answer
                or ["Nothing to confirm: every section asked about is already answered."],
                code="nothing_to_confirm",
            )
        headings = ", ".join(SECTION_HEADINGS[slug] for slug, _ in SECTIONS if slug in wanted)
        _save_update(
            update, by=by, reason=f"{NO_CHANGE_REASON}: {headings} ({carried} carried forward)"
        )
    return Confirmed(update=update, carried=carried, still_to_answer=still_to_answer)


def submission_problems(update: QuarterlyUpdate) -> list[Problem]:
    """Everything that must be put right before the update can be submitted or approved.

    Only here, never in the forms: a draft may lack any of it (updates.forms
    says which rules refuse a save instead). Each problem names the input that
    puts it right. A fixed number of queries, however many problems there are.
    """
    problems = []
    statuses = {s.objective_id: s for s in update.objective_statuses.all()}
    suggestions = suggested_rags(update)
    for objective in Objective.objects.reported_in(update.quarter):
        status = statuses.get(objective.pk)
        label = f"Objective {objective.number}"
        prefix = f"id_objective-{objective.number}"
        if status is None:
            problems.append(
                Problem("objectives", f"{label}: choose a RAG status.", f"{prefix}-rag_0")
            )
            continue
        if not status.narrative.strip():
            problems.append(
                Problem(
                    "objectives",
                    f"{label}: describe progress this quarter.",
                    f"{prefix}-narrative",
                )
            )
        suggestion = suggestions[objective.pk]
        if status.rag != suggestion.rag and not status.rag_reason.strip():
            problems.append(
                Problem(
                    "objectives",
                    f"{label}: say why you chose {status.get_rag_display()} when the figures "
                    f"suggest {suggestion.rag.label} ({suggestion.explanation}).",
                    f"{prefix}-rag_reason",
                )
            )
    reports = {report.milestone_id: report for report in update.milestone_updates.all()}
    unreported, later_forecasts = [], []
    for milestone in Milestone.objects.for_locality(update.locality).in_plan_on(
        update.quarter.end_date
    ):
        prefix = f"id_milestone-{milestone.pk}"
        report = reports.get(milestone.pk)
        if report is None:
            unreported.append(milestone)
            continue
        before = carry.previous_forecast(milestone)
        if (
            report.forecast_date
            and before
            and report.forecast_date > before
            and not report.forecast_change_reason.strip()
        ):
            later_forecasts.append(
                Problem(
                    "milestones",
                    f"“{milestone.title}”: say why the forecast moved later than "
                    f"{long_date(before)}.",
                    f"{prefix}-forecast_change_reason",
                )
            )
    if unreported:
        problems.append(
            Problem(
                "milestones",
                f"Report on all milestones: {len(unreported)} not yet saved.",
                f"id_milestone-{unreported[0].pk}-status",
            )
        )
    problems += later_forecasts
    reported = set(update.mdt_updates.values_list("mdt_id", flat=True))
    missing = list(
        MDT.objects.for_locality(update.locality)
        .exclude(pk__in=reported)
        .values_list("pk", flat=True)
    )
    if missing:
        problems.append(
            Problem(
                "mdts",
                f"Report on all MDTs: {len(missing)} not yet saved.",
                f"id_mdt-{missing[0]}-status",
            )
        )
    if update.spend_planned is None or update.spend_actual is None:
        first = "spend_planned" if update.spend_planned is None else "spend_actual"
        problems.append(
            Problem("money", "Give the planned and actual spend this quarter.", f"id_money-{first}")
        )
    given = set(update.maturity_scores.values_list("element_id", flat=True))
    missing = list(CareModelElement.objects.exclude(pk__in=given).values_list("number", flat=True))
    if missing:
        problems.append(
            Problem(
                "maturity",
                f"Score every care-model element: {len(missing)} missing.",
                f"id_element-{missing[0]}-score_0",
            )
        )
    return problems


def _propose_raised_risks(update: QuarterlyUpdate, by: AbstractBaseUser) -> None:
    for raised in update.raised_risks.filter(proposed_risk=None).select_related("category"):
        raised.proposed_risk = propose_risk(
            title=raised.title,
            description=raised.description,
            category=raised.category,
            locality=update.locality,
            source=f"Raised in the {update} quarterly update",
            by=by,
            reason=_reason(f"Proposed in the {update} update"),
        )
        _save_row(raised, by=by)


@transaction.atomic
def submit_update(
    *, update: QuarterlyUpdate, expected_version: int, by: AbstractBaseUser
) -> QuarterlyUpdate:
    """Submit a complete update to the programme office; the lead can no longer edit it."""
    _require_lead(update.locality, by)
    _lock(update)
    _require_status(update, EDITABLE_STATUSES, "submitted")
    problems = submission_problems(update)
    if problems:
        raise ValidationError([p.message for p in problems], code="incomplete")
    _claim_version(update, expected_version)
    _propose_raised_risks(update, by)
    update.status = QuarterlyUpdate.Status.SUBMITTED
    update.submitted_at = timezone.now()
    update.submitted_by = by
    _save_update(update, by=by, reason="Submitted")
    outbox.notify(outbox.Event.SUBMITTED, update=update, by=by)
    return update


def _require_text(text: str, field_name: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field_name: message}, code="required")
    return text


@transaction.atomic
def return_update(
    *, update: QuarterlyUpdate, comments: str, expected_version: int, by: AbstractBaseUser
) -> QuarterlyUpdate:
    """Send a submitted update back to the lead with comments; they can edit it again."""
    _require_reviewer(by)
    comments = _require_text(
        comments, "comments", "Tell the lead what to change before returning the update."
    )
    _lock(update)
    _require_status(update, [QuarterlyUpdate.Status.SUBMITTED], "returned")
    _claim_version(update, expected_version)
    update.status = QuarterlyUpdate.Status.RETURNED
    update.review_comments = comments
    update.reviewed_at = timezone.now()
    update.reviewed_by = by
    _save_update(update, by=by, reason=f"Returned: {comments}")
    _close_open_comments(update, decision=CLOSED_ON_RETURN, by=by)
    outbox.notify(outbox.Event.RETURNED, update=update, by=by)
    return update


def _apply_reports(update: QuarterlyUpdate, by: AbstractBaseUser) -> None:
    """Copy the approved milestone and MDT reports onto the milestones and MDTs the board sees."""
    reason = f"Approved in the {update} update"
    reported_on = timezone.localdate()
    for report in update.milestone_updates.select_related("milestone"):
        milestone = report.milestone
        if (milestone.status, milestone.forecast_date, milestone.actual_date) == (
            report.status,
            report.forecast_date,
            report.actual_date,
        ):
            # Nothing new: the board keeps who reported this state first, and when
            # (so a past quarter's page still says what it said then).
            continue
        milestone.status = report.status
        milestone.forecast_date = report.forecast_date
        if milestone.actual_date != report.actual_date:
            # The lead reports a day: the paper's month-only words no longer describe it.
            milestone.actual_as_written = ""
        milestone.actual_date = report.actual_date
        if milestone.is_reported:
            milestone.reported_by = f"{update.locality.name}'s {update.quarter.label} return"
            milestone.reported_on = reported_on
        _save_row(milestone, by=by, reason=reason)
    for report in update.mdt_updates.select_related("mdt"):
        mdt = report.mdt
        before = _field_values(mdt)
        mdt.status = report.status
        mdt.actual_go_live = report.actual_go_live
        if report.population_covered is not None:
            mdt.population_covered = report.population_covered
        # A report that says what the register says changes nothing: no save, no history.
        if _field_values(mdt) != before:
            _save_row(mdt, by=by, reason=reason)


def _field_values(row: Model) -> list:
    return [getattr(row, field.attname) for field in row._meta.concrete_fields]


@transaction.atomic
def approve_update(
    *, update: QuarterlyUpdate, expected_version: int, by: AbstractBaseUser
) -> QuarterlyUpdate:
    """Approve a submitted update: it becomes the version the board sees, and is locked."""
    _require_reviewer(by)
    _lock(update)
    _require_status(update, [QuarterlyUpdate.Status.SUBMITTED], "approved")
    _claim_version(update, expected_version)
    # The board must never read a return that would fail submission: its rows may
    # have changed since it was submitted (in admin, say), so every rule is re-run.
    # After the version check, so that a stale page is told so first; refusing
    # rolls the claimed version back with the rest.
    problems = submission_problems(update)
    if problems:
        raise ValidationError([p.message for p in problems], code="incomplete")
    _apply_reports(update, by)
    update.status = QuarterlyUpdate.Status.APPROVED
    update.reviewed_at = timezone.now()
    update.reviewed_by = by
    update.review_comments = ""
    _save_update(update, by=by, reason="Approved")
    _close_open_comments(update, decision=CLOSED_ON_APPROVAL, by=by)
    outbox.notify(outbox.Event.APPROVED, update=update, by=by)
    _refresh_derived_milestones(update, by=by, reason=f"Derived on approving the {update} update")
    return update


CLOSED_ON_RETURN = "Returned with comments"
CLOSED_ON_APPROVAL = "Approved"
CLOSED_REASON = "Closed: "  # how the history records a comment closed by a decision


def _close_open_comments(update: QuarterlyUpdate, *, decision: str, by: AbstractBaseUser) -> None:
    """Close the update's open comments with the decision that settles them, dated
    ("Returned with comments on 25 Apr 2019"), in the decision's own transaction."""
    now = timezone.now()
    day = timezone.localtime(now)
    dated = f"{decision} on {day.day} {day:%b %Y}"
    for comment in ReturnComment.objects.filter(update=update).open():
        comment.state = ReturnComment.State.CLOSED
        comment.closed_at = now
        comment.closed_by = by
        comment.closed_by_decision = dated
        _save_row(comment, by=by, reason=f"{CLOSED_REASON}{dated}")


def _refresh_derived_milestones(update: QuarterlyUpdate, *, by, reason: str) -> None:
    """Re-derive the locality's milestones that its MDTs and returns decide (decision 0009)."""
    refresh_derived_milestones(
        locality_ids=[update.locality_id],
        save=lambda milestone: _save_row(milestone, by=by, reason=reason),
    )


REOPEN_PREFIX = "Reopened to correct: "


@transaction.atomic
def reopen_update(
    *, update: QuarterlyUpdate, reason: str, expected_version: int, by: AbstractBaseUser
) -> QuarterlyUpdate:
    """Reopen an approved update for correction; it leaves the dashboards until re-approved.

    The approved version stays in the history, with who approved it and when.
    """
    _require_reviewer(by)
    reason = _require_text(reason, "reason", "Say what needs correcting.")
    _lock(update)
    _require_status(update, [QuarterlyUpdate.Status.APPROVED], "reopened")
    _claim_version(update, expected_version)
    update.status = QuarterlyUpdate.Status.RETURNED
    update.review_comments = REOPEN_PREFIX + reason
    update.reviewed_at = timezone.now()
    update.reviewed_by = by
    _save_update(update, by=by, reason=REOPEN_PREFIX + reason)
    outbox.notify(outbox.Event.REOPENED, update=update, by=by)
    _refresh_derived_milestones(update, by=by, reason=f"Derived on reopening the {update} update")
    return update
