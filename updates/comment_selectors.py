"""Reads for the conversation on a return (issue 16): its threads, where each belongs,
and what the programme office may comment on."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Model
from django.utils.text import Truncator

from localities.models import MDT, Milestone, Objective
from updates.models import QuarterlyUpdate, ReturnComment
from updates.selectors import TimelineEntry, _person
from updates.services import CLOSED_ON_APPROVAL, CLOSED_REASON, SECTION_HEADINGS

TIMELINE_TEXT_LENGTH = 80


def row_key_of(subject: Model) -> str:
    """The key a comment names its row by: "objective-12", "milestone-3", "mdt-7"."""
    return f"{subject._meta.model_name}-{subject.pk}"


def comment_rows(update: QuarterlyUpdate) -> dict[str, dict[str, str]]:
    """Section slug → {row key: label} of the rows the office may comment on: the rows
    the lead's update page shows (the quarter's objectives, the locality's milestones
    and MDTs), whether or not the update reports on them yet. Four queries."""
    return {
        "objectives": {
            row_key_of(o): f"Objective {o.number}"
            for o in Objective.objects.reported_in(update.quarter).order_by("number")
        },
        "milestones": {
            row_key_of(m): m.title
            for m in Milestone.objects.for_locality(update.locality)
            .in_plan_on(update.quarter.end_date)
            .only("pk", "title")
        },
        "mdts": {
            row_key_of(m): m.name
            for m in MDT.objects.for_locality(update.locality).order_by("name").only("pk", "name")
        },
    }


@dataclass
class CommentThread:
    """A comment and its replies, oldest first."""

    first: ReturnComment
    replies: list[ReturnComment] = field(default_factory=list)
    # Whether the person looking may reply now: set by comment_services.mark_replies.
    takes_reply: bool = False
    # Open, and a lead of the locality wrote its last word: the office's turn.
    lead_replied: bool = False

    @property
    def is_open(self) -> bool:
        return self.first.is_open

    @property
    def comments(self) -> list[ReturnComment]:
        return [self.first, *self.replies]


@dataclass
class CommentThreads:
    """Every thread on an update, found by section and row."""

    threads: list[CommentThread]

    def __post_init__(self):
        self._by_place = defaultdict(list)
        self._by_section = defaultdict(list)
        self._by_row = defaultdict(list)
        for thread in self.threads:
            self._by_place[(thread.first.section, thread.first.row_key)].append(thread)
            self._by_section[thread.first.section].append(thread)
            if thread.first.row_key:
                self._by_row[thread.first.row_key].append(thread)

    def at(self, section: str, row_key: str = "") -> list[CommentThread]:
        return self._by_place.get((section, row_key), [])

    def on_row(self, subject: Model) -> list[CommentThread]:
        """The threads on one row, given what it reports on (an objective, milestone or MDT)."""
        return self._by_row.get(row_key_of(subject), [])

    def in_section(self, section: str) -> list[CommentThread]:
        """The section's threads, on the section itself and on each of its rows."""
        return self._by_section.get(section, [])

    @property
    def open_count(self) -> int:
        return sum(thread.is_open for thread in self.threads)

    def __len__(self) -> int:
        return len(self.threads)


def comment_threads(update: QuarterlyUpdate) -> CommentThreads:
    """The update's threads, oldest first: one query however many comments there are."""
    if update.pk is None:
        return CommentThreads([])
    threads: dict[int, CommentThread] = {}
    replies = []
    for comment in ReturnComment.objects.for_update(update):
        if comment.parent_id is None:
            threads[comment.pk] = CommentThread(comment)
        else:
            replies.append(comment)
    for reply in replies:
        threads[reply.parent_id].replies.append(reply)
    if replies:
        # Who of the repliers leads the locality: one query, whatever the number.
        leads = set(
            update.locality.leads.filter(pk__in={reply.author_id for reply in replies}).values_list(
                "pk", flat=True
            )
        )
        for thread in threads.values():
            thread.lead_replied = thread.is_open and thread.comments[-1].author_id in leads
    return CommentThreads(list(threads.values()))


def _where(comment: ReturnComment) -> str:
    heading = SECTION_HEADINGS.get(comment.section, comment.section)
    return f"{heading}, {comment.row_label}" if comment.row_label else heading


def _closing(decision: str) -> tuple[str, str]:
    """What the history says of comments closed by a decision, and the status it left."""
    if decision.startswith(CLOSED_ON_APPROVAL):
        return "Closed on approval", QuarterlyUpdate.Status.APPROVED.label
    return "Closed on return", QuarterlyUpdate.Status.RETURNED.label


def _status_at(timeline: list[TimelineEntry], when) -> str:
    """The update's status at a moment, from its history (newest first)."""
    for entry in timeline:
        if entry.when <= when:
            return entry.status_label
    return QuarterlyUpdate.Status.SUBMITTED.label


def _closings(threads: CommentThreads) -> dict[tuple, list]:
    """The history rows of each closing, grouped by decision (when and who): from the
    history, since a lead's reply on a returned update re-opens, so clears, a closing
    that still happened. One query."""
    closings: dict[tuple, list] = defaultdict(list)
    rows = (
        ReturnComment.history.filter(
            update_id=threads.threads[0].first.update_id,
            history_change_reason__startswith=CLOSED_REASON,
        )
        .select_related("closed_by")
        .order_by("history_date", "history_id")
    )
    for row in rows:
        closings[(row.closed_at, row.closed_by_id)].append(row)
    return closings


def timeline_with_comments(
    timeline: list[TimelineEntry], threads: CommentThreads
) -> list[TimelineEntry]:
    """The update's history with its comments, replies and their closing, newest first.

    Each comment shows the status the update had when it was written (submitted,
    or returned for a lead's answer); each closing, the status its decision left.
    """
    if not threads.threads:
        return timeline
    added: list[TimelineEntry] = []
    for thread in threads.threads:
        for comment in thread.comments:
            kind = "Reply" if comment.parent_id else "Comment"
            text = Truncator(comment.text).chars(TIMELINE_TEXT_LENGTH)
            added.append(
                TimelineEntry(
                    when=comment.created,
                    who=_person(comment.author),
                    what=f"{kind} on {_where(comment)}: “{text}”",
                    status_label=_status_at(timeline, comment.created),
                    version=0,
                )
            )
    for closed in _closings(threads).values():
        first = closed[0]
        words, status_label = _closing(first.closed_by_decision)
        count = f"{len(closed)} comment{'s' if len(closed) != 1 else ''}"
        added.append(
            TimelineEntry(
                when=first.closed_at,
                who=_person(first.closed_by),
                what=f"{words}: {count} closed",
                status_label=status_label,
                version=0,
            )
        )
    # Sorted oldest first (stable, so equal times keep the order they happened in),
    # then turned newest first; a closing, saved just after its decision, comes above it.
    oldest_first = [(e.when, 0, e) for e in reversed(timeline)] + [(e.when, 1, e) for e in added]
    oldest_first.sort(key=lambda item: (item[0], item[1]))
    return [entry for _, _, entry in reversed(oldest_first)]
