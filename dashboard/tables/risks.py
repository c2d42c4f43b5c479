"""Tables on the risks pages. Rows come from dashboard.selectors.risks as plain
values, so a table never queries per row. The register's rows arrive sorted and
paged by the database (dashboard.tables.base.SqlPageRows); a risk's reviews and actions are
short lists that django-tables2 sorts and pages itself."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from dashboard.tables.base import NUMERIC_ATTRS, DashboardTable, illustrative_tag
from risks.models import MitigatingAction, ScoreBand

PER_PAGE = 25
DATE_FORMAT = "j M Y"
NOWRAP = {"td": {"class": "app-register-table__nowrap"}}


def band_tag(band: ScoreBand | None):
    """A score band as an NHS.UK tag: the word is always there, the colour only repeats it."""
    if band is None:
        return "—"
    return format_html(
        '<strong class="nhsuk-tag nhsuk-tag--{} app-rag-tag">{}</strong>', band.colour, band.name
    )


def overdue_tag(word: str = "Overdue"):
    return format_html('<strong class="nhsuk-tag nhsuk-tag--red app-rag-tag">{}</strong>', word)


# The marker's words: a risk the papers do not list, and a score they do not give.
INVENTED_RISK = "Invented risk"
SCORE = "Illustrative score"


def score_with_band(score: int | None, band: ScoreBand | None):
    if score is None:
        return "—"
    return format_html(
        '<span class="app-risk-score"><span class="app-risk-score__number">{}</span> {}</span>',
        score,
        band_tag(band),
    )


class RegisterTable(DashboardTable):
    """The register as at a quarter's end. Hidden columns are in the downloads only."""

    reference = tables.Column(verbose_name="Reference", attrs=NOWRAP)
    title = tables.Column(verbose_name="Risk", attrs={"td": {"class": "app-risk-register__title"}})
    # `order_by` names what the database sorts by (dashboard.selectors.risks._register).
    category = tables.Column(verbose_name="Category", order_by=("category__name",))
    where = tables.Column(verbose_name="Locality", order_by=("where_order",))
    objective_label = tables.Column(
        verbose_name="Objective",
        default="",
        order_by=("objective__number", "objective__short_title"),
    )
    owner_role = tables.Column(verbose_name="Owner", default="")
    # The caption says these are as at the quarter end, so the headers stay short; the
    # downloads, which have no caption, carry the same values under longer names below.
    score = tables.Column(
        verbose_name="Score",
        attrs=NOWRAP,
        order_by=("score_then", "likelihood_then"),
        exclude_from_export=True,
    )
    trend_label = tables.Column(
        verbose_name="Trend", attrs=NOWRAP, order_by=("trend_order",), exclude_from_export=True
    )
    review_due = tables.DateColumn(
        verbose_name="Review due",
        format=DATE_FORMAT,
        attrs=NOWRAP,
        default="",
        order_by=("review_due_order",),
    )
    # Downloads only: the numbers and words a spreadsheet user would sort and count.
    score_at_quarter_end = tables.Column(
        verbose_name="Score at quarter end", accessor="score", visible=False
    )
    trend_at_quarter_end = tables.Column(
        verbose_name="Trend at quarter end", accessor="trend_label", visible=False
    )
    likelihood = tables.Column(verbose_name="Likelihood at quarter end", visible=False)
    consequence = tables.Column(verbose_name="Consequence at quarter end", visible=False)
    band_name = tables.Column(verbose_name="Band at quarter end", visible=False)
    inherent_score = tables.Column(verbose_name="Inherent score", visible=False, default="")
    target_score = tables.Column(verbose_name="Target score", visible=False, default="")
    last_reviewed_on = tables.DateColumn(
        verbose_name="Last reviewed by quarter end", visible=False, default=""
    )
    is_review_overdue = tables.Column(verbose_name="Review overdue at quarter end", visible=False)
    is_illustrative = tables.Column(verbose_name="Illustrative", visible=False)

    class Meta(DashboardTable.Meta):
        attrs = {"class": "nhsuk-table app-register-table app-risk-register"}
        empty_text = "No open risks match these filters."

    def __init__(self, *args, query_string: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Links to a risk keep the page's quarter.
        self.query_string = query_string

    def render_reference(self, value, record):
        link = format_html(
            '<a href="{}{}">{}</a>',
            reverse("dashboard:risk-detail", args=[value]),
            self.query_string,
            value,
        )
        if record.is_invented:
            return format_html("{} {}", link, illustrative_tag(INVENTED_RISK))
        return link

    def value_reference(self, value):
        return value

    def render_score(self, record):
        if record.score_is_illustrative:
            return format_html(
                "{} {}", score_with_band(record.score, record.band), illustrative_tag(SCORE)
            )
        return score_with_band(record.score, record.band)

    def render_review_due(self, record):
        if record.review_due is None:
            return "—"
        due = f"{record.review_due:%-d %b %Y}"
        if record.is_review_overdue:
            return format_html("{} {}", due, overdue_tag())
        return due

    def value_review_due(self, value):
        return value.isoformat() if value else ""

    def value_is_review_overdue(self, value):
        return "Yes" if value else "No"

    def value_is_illustrative(self, value):
        return "Yes" if value else "No"


class ReviewTable(DashboardTable):
    """A risk's review history, oldest first."""

    reviewed_on = tables.DateColumn(verbose_name="Reviewed", format=DATE_FORMAT, attrs=NOWRAP)
    reviewer_role = tables.Column(verbose_name="Reviewer", default="")
    likelihood = tables.Column(verbose_name="Likelihood", attrs=NUMERIC_ATTRS)
    consequence = tables.Column(verbose_name="Consequence", attrs=NUMERIC_ATTRS)
    score = tables.Column(verbose_name="Score", attrs=NOWRAP, order_by=("score",))
    note = tables.Column(verbose_name="Note", default="", orderable=False)

    class Meta(DashboardTable.Meta):
        empty_text = "This risk has not been reviewed yet."

    def render_score(self, record):
        return score_with_band(record.score, record.band)

    def value_score(self, record):
        return record.score


_ACTION_STATUS_COLOURS = {
    MitigatingAction.Status.NOT_STARTED: "grey",
    MitigatingAction.Status.IN_PROGRESS: "aqua-green",
    MitigatingAction.Status.COMPLETE: "blue",
}


class ActionTable(DashboardTable):
    description = tables.Column(verbose_name="Action", orderable=False)
    owner_role = tables.Column(verbose_name="Owner", default="")
    due_date = tables.DateColumn(verbose_name="Due", format=DATE_FORMAT, attrs=NOWRAP, default="")
    status_label = tables.Column(verbose_name="Status", attrs=NOWRAP, order_by=("status",))

    class Meta(DashboardTable.Meta):
        # Named by the page's "Mitigating actions" heading rather than a caption repeating it.
        attrs = {"class": "nhsuk-table", "aria-labelledby": "actions"}
        empty_text = "No mitigating actions are recorded for this risk."

    def render_status_label(self, record):
        tag = format_html(
            '<strong class="nhsuk-tag nhsuk-tag--{} app-rag-tag">{}</strong>',
            _ACTION_STATUS_COLOURS.get(record.status, "grey"),
            record.status_label,
        )
        if record.is_overdue:
            return format_html("{} {}", tag, overdue_tag())
        return tag
