"""Django admin for the risk register, which the programme office keeps here.

Only the programme office and superusers reach these pages: board members and
locality leads read risks on the dashboard, never here, even if someone gives
them staff status. Every write goes through risks.services, so edits, the
list's actions and the accept/reject pages follow one set of rules and record
who did what in the history. Score fields list the NPSA descriptors wherever a
score is entered; bands are read from the ScoreBand rows, once per request.
"""

import datetime

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.http import Http404, HttpResponseRedirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.template_utils import HistoricalRecordContextHelper

from localities import access
from localities.access import is_programme_office
from localities.admin import (
    HistoryAdmin,
    LabelledTabularInline,
    LocalityOrProgrammeFilter,
)
from localities.models import PROGRAMME_WIDE
from risks import exports, scoring, services
from risks import forms as risk_forms
from risks.models import MitigatingAction, Risk, RiskCategory, RiskReview, ScoreBand
from risks.scoring import band_expression, band_for

ADMIN_CSS = {"all": ["admin/risks.css"]}


def score_bands(request) -> list[ScoreBand]:
    """The score bands, read once per request: the band filter and every row share them."""
    if not hasattr(request, "_risk_score_bands"):
        request._risk_score_bands = list(ScoreBand.objects.order_by("min_score"))
    return request._risk_score_bands


def band_tag(score: int | None, bands: list[ScoreBand]):
    """A score with its band as a word in the band's colour (never colour alone)."""
    if score is None:
        return None
    band = band_for(score, bands)
    if band is None:
        return format_html('{} <strong class="risk-band">No band</strong>', score)
    return format_html(
        '{} <strong class="risk-band risk-band-{}">{}</strong>', score, band.colour, band.name
    )


OVERDUE_TAG = format_html('<strong class="risk-overdue">{}</strong>', "Overdue")


# --- Shared behaviour --------------------------------------------------------


class ProgrammeOfficeOnly:
    """The register's admin pages are for the programme office and superusers only.

    Board members hold view permissions on risks for the dashboard; those
    permissions must not open the admin to them if they are ever made staff.
    """

    def has_module_permission(self, request):
        return is_programme_office(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_programme_office(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args, **kwargs):
        return is_programme_office(request.user) and super().has_add_permission(
            request, *args, **kwargs
        )

    def has_change_permission(self, request, obj=None):
        return is_programme_office(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_programme_office(request.user) and super().has_delete_permission(request, obj)


class ScoreDescriptors:
    """Every likelihood and consequence select lists the descriptors: "4 – Likely: …"."""

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        choices = scoring.score_choices(db_field.name)
        if choices is None:
            return super().formfield_for_choice_field(db_field, request, **kwargs)
        kwargs["choices"] = [("", "---------"), *choices]
        formfield = super().formfield_for_choice_field(db_field, request, **kwargs)
        formfield.error_messages["invalid_choice"] = scoring.out_of_range_message(db_field.name)
        return formfield


class ReadableChanges(HistoricalRecordContextHelper):
    """History diffs in words: a choice by its label, a date as "11 Apr 2019",
    an empty value as "(empty)"."""

    def prepare_delta_change_value(self, change, value):
        if value is None or value == "":
            return "(empty)"
        field = self.model._meta.get_field(change.field)
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, datetime.date):
            return f"{value.day} {value:%b %Y}"
        return super().prepare_delta_change_value(change, value)


class RegisterAdmin(ScoreDescriptors, ProgrammeOfficeOnly, HistoryAdmin):
    """Base of the register's ModelAdmins: office-only, descriptors, readable history."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)


class SuperuserDeletes:
    """The register keeps closed and rejected risks and every review: only a
    superuser deletes (to remove a mistake), never the day-to-day admin."""

    def has_delete_permission(self, request, obj=None):
        return access.can_delete_register_records(request.user) and super().has_delete_permission(
            request, obj
        )


# --- Bands and categories ------------------------------------------------------


@admin.register(ScoreBand)
class ScoreBandAdmin(RegisterAdmin):
    form = risk_forms.ScoreBandAdminForm
    list_display = ["name", "min_score", "max_score", "colour", "review_every_days"]
    search_fields = ["name"]
    ordering = ["min_score"]


@admin.register(RiskCategory)
class RiskCategoryAdmin(RegisterAdmin):
    list_display = ["name", "risk_count"]
    search_fields = ["name"]
    ordering = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(risk_count=Count("risks"))

    @admin.display(description="Risks", ordering="risk_count")
    def risk_count(self, obj):
        return obj.risk_count


# --- The risk list's filters ------------------------------------------------


class BandFilter(admin.SimpleListFilter):
    """Risks whose current score falls in a band, as the bands stand today."""

    title = "band"
    parameter_name = "band"

    def lookups(self, request, model_admin):
        return [(str(band.pk), band.name) for band in score_bands(request)]

    def queryset(self, request, queryset):
        bands = score_bands(request)
        band = next((b for b in bands if str(b.pk) == self.value()), None)
        if band is None:
            return queryset
        # The band each row shows (band_tag: band_for), in SQL.
        return queryset.alias(band_now=band_expression(bands, score="current_score")).filter(
            band_now=band.pk
        )


class ReviewOverdueFilter(admin.SimpleListFilter):
    title = "review overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.review_overdue(today)
        if self.value() == "no":
            return queryset.exclude(status=Risk.Status.OPEN, next_review_date__lt=today)
        return queryset


class OwnerFilter(admin.AllValuesFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "owner"


# --- Inlines ---------------------------------------------------------------------


class MitigatingActionInline(ProgrammeOfficeOnly, LabelledTabularInline):
    model = MitigatingAction
    extra = 0
    fields = ["description", "owner_role", "due_date", "status", "overdue", "is_illustrative"]
    readonly_fields = ["overdue"]

    @admin.display(description="Overdue")
    def overdue(self, obj):
        if obj.pk and scoring.is_action_overdue(obj, timezone.localdate()):
            return OVERDUE_TAG
        return ""


class RiskReviewInline(ProgrammeOfficeOnly, LabelledTabularInline):
    """Reviews are read here; a new one is recorded with "Record a review"
    so that the risk's current score and next review date follow it."""

    model = RiskReview
    extra = 0
    fields = [
        "reviewed_on",
        "reviewer",
        "reviewer_role",
        "likelihood",
        "consequence",
        "score",
        "note",
        "is_illustrative",
    ]
    readonly_fields = fields
    ordering = ["-reviewed_on", "-id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # Each row prints its reviewer, and the review's name includes its risk's.
        return super().get_queryset(request).select_related("risk", "reviewer")

    @admin.display(description="Score")
    def score(self, obj):
        return obj.score


# --- Risks -----------------------------------------------------------------------


@admin.register(Risk)
class RiskAdmin(SuperuserDeletes, RegisterAdmin):
    form = risk_forms.RiskAdminForm
    # What the weekly review needs, narrow enough to read at 1280 px beside
    # admin's navigation and the filters (tests/browser/test_admin_accessibility.py);
    # category, objective, owner and the scores' demo flag are filters and on
    # the change page.
    list_display = [
        "reference",
        "title",
        "locality_or_programme",
        "current_score_and_band",
        "trend",
        "next_review_date",
        "review_overdue",
        "status",
        "is_illustrative",
    ]
    list_display_links = ["reference", "title"]
    list_filter = [
        "category",
        BandFilter,
        ("locality", LocalityOrProgrammeFilter),
        "objective",
        ("owner_role", OwnerFilter),
        "status",
        ReviewOverdueFilter,
        "is_illustrative",
        "scores_are_illustrative",
    ]
    list_select_related = ["category", "locality", "objective"]
    search_fields = ["reference", "title", "description"]
    ordering = ["reference", "id"]
    autocomplete_fields = ["raised_by"]
    inlines = [MitigatingActionInline, RiskReviewInline]
    actions = ["record_review", "close_selected", "reopen_selected", "export_csv", "export_xlsx"]

    class Media:
        css = ADMIN_CSS

    # --- Pages ---------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).with_current_score().with_previous_score()

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        bands = score_bands(request)
        for risk in changelist.result_list:
            risk.score_bands = bands
        return changelist

    def get_object(self, request, object_id, from_field=None):
        risk = super().get_object(request, object_id, from_field)
        if risk is not None:
            risk.score_bands = score_bands(request)
        return risk

    def get_fieldsets(self, request, obj=None):
        how = "Score = likelihood × consequence, each scored 1–5."
        if obj is None:
            scores_help = f"{how} The current score given here is the risk's first review."
        elif obj.status == Risk.Status.PROPOSED:
            scores_help = f"{how} The current score is given when the risk is accepted."
        else:
            scores_help = (
                f"{how} The current score changes only by recording a review of an open "
                "risk, so that every change of score is dated and attributed."
            )
        return [
            (
                "The risk",
                {
                    "fields": [
                        "reference",
                        "title",
                        "description",
                        "category",
                        "locality",
                        "objective",
                        "owner_role",
                        "source",
                        "is_illustrative",
                        "owner_and_dates_are_illustrative",
                    ]
                },
            ),
            (
                "Scores (likelihood × consequence)",
                {
                    "description": scores_help,
                    "fields": [
                        ("inherent_likelihood", "inherent_consequence", "inherent_rating"),
                        ("current_likelihood", "current_consequence", "current_rating"),
                        ("target_likelihood", "target_consequence", "target_rating"),
                        "save_anyway",
                        "trend",
                        "scores_are_illustrative",
                    ],
                },
            ),
            (
                "Status and review",
                {
                    "fields": [
                        "status",
                        ("date_raised", "raised_by"),
                        ("review_every_days", "next_review_date"),
                        "review_overdue",
                        "closing_note",
                        "rejection_reason",
                        "version",
                        "loaded_version",
                    ]
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        computed = [
            "inherent_rating",
            "current_rating",
            "target_rating",
            "trend",
            "review_overdue",
            "version",
        ]
        if obj is None:
            return computed
        # Status moves only through the workflow (accept, reject, close,
        # reopen), and the current score only through a review.
        frozen = ["status", "current_likelihood", "current_consequence"]
        if obj.status != Risk.Status.CLOSED:
            frozen.append("closing_note")
        if obj.status != Risk.Status.REJECTED:
            frozen.append("rejection_reason")
        return computed + frozen

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            # A new risk starts proposed or open; the rest is the workflow's.
            kwargs["choices"] = [
                (status.value, status.label) for status in (Risk.Status.PROPOSED, Risk.Status.OPEN)
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["risk_workflow_links"] = self._workflow_links(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        if not change and obj.raised_by_id is None:
            obj.raised_by = request.user
        services.save_risk(
            risk=obj, expected_version=form.cleaned_data.get("loaded_version"), by=request.user
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not MitigatingAction:
            return super().save_formset(request, form, formset, change)
        # Through the service, so that completing an action dates it.
        for action in formset.save(commit=False):
            services.save_action(action=action)
        for action in formset.deleted_objects:
            action.delete()
        formset.save_m2m()

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A revert would skip the review and workflow rules (and restore an old
        # version number); old versions are for reading. To undo, edit the risk.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.StaleEdit as stale:
            # Only when another save lands between the form's check and this
            # one (milliseconds): the transaction is rolled back, nothing saved.
            self.message_user(request, stale.messages[0], messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # --- Columns ----------------------------------------------------------------

    @staticmethod
    def _bands(obj) -> list[ScoreBand]:
        bands = getattr(obj, "score_bands", None)
        return bands if bands is not None else list(ScoreBand.objects.order_by("min_score"))

    @admin.display(description="Locality", ordering="locality__name", empty_value=PROGRAMME_WIDE)
    def locality_or_programme(self, obj):
        return obj.locality

    @admin.display(description="Current score", ordering="current_score")
    def current_score_and_band(self, obj):
        return band_tag(obj.current_score_value, self._bands(obj))

    @admin.display(description="Trend")
    def trend(self, obj):
        if obj is None or obj.current_score_value is None:
            return None
        return scoring.trend(getattr(obj, "previous_score", None), obj.current_score_value).words

    @admin.display(description="Review overdue", ordering="next_review_date")
    def review_overdue(self, obj):
        if obj is not None and scoring.is_review_overdue(obj, timezone.localdate()):
            return OVERDUE_TAG
        return ""

    def _rating(self, obj, score):
        return None if obj is None or score is None else band_tag(score, self._bands(obj))

    @admin.display(description="Inherent score")
    def inherent_rating(self, obj):
        return self._rating(obj, obj.inherent_score if obj else None)

    @admin.display(description="Current score")
    def current_rating(self, obj):
        return self._rating(obj, obj.current_score_value if obj else None)

    @admin.display(description="Target score")
    def target_rating(self, obj):
        return self._rating(obj, obj.target_score if obj else None)

    # --- Workflow: review, close, reopen, accept, reject ------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        views = {
            "review": self.review_view,
            "close": self.close_view,
            "reopen": self.reopen_view,
            "accept": self.accept_view,
            "reject": self.reject_view,
        }
        return [
            path(
                f"<path:object_id>/{step}/",
                self.admin_site.admin_view(view),
                name=f"{info[0]}_{info[1]}_{step}",
            )
            for step, view in views.items()
        ] + super().get_urls()

    def _workflow_url(self, step: str, risk: Risk) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{step}",
            args=[risk.pk],
            current_app=self.admin_site.name,
        )

    def _change_url(self, risk: Risk) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[risk.pk],
            current_app=self.admin_site.name,
        )

    def _changelist_url(self, request) -> str:
        return request.get_full_path()

    def _workflow_links(self, request, risk: Risk | None) -> list[dict]:
        if risk is None or not self.has_change_permission(request, risk):
            return []
        steps = {
            Risk.Status.PROPOSED: [
                ("accept", "Accept proposed risk"),
                ("reject", "Reject proposed risk"),
            ],
            Risk.Status.OPEN: [("review", "Record a review"), ("close", "Close risk")],
            Risk.Status.CLOSED: [("reopen", "Reopen risk")],
        }.get(risk.status, [])
        return [{"url": self._workflow_url(step, risk), "label": label} for step, label in steps]

    def _risk_for_step(self, request, object_id) -> Risk:
        risk = self.get_object(request, object_id)
        if risk is None:
            raise Http404("There is no such risk.")
        if not self.has_change_permission(request, risk):
            raise PermissionDenied
        return risk

    def _render_step(self, request, template: str, *, status=None, **context) -> TemplateResponse:
        form = context["form"]
        if status is None:
            # A refused form is a 400, with what was entered still in it.
            status = 400 if form.is_bound and form.errors else 200
        return TemplateResponse(
            request,
            f"admin/risks/risk/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "media": self.media + form.media,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                **context,
            },
            status=status,
        )

    def _only_in_status(self, request, queryset, status: Risk.Status, doing: str) -> list[Risk]:
        """The selected risks an action applies to; says which it leaves alone, once."""
        risks = list(queryset.order_by("reference", "id"))
        wrong = [risk for risk in risks if risk.status != status]
        if wrong and "apply" not in request.POST:
            names = ", ".join(risk.reference or risk.title for risk in wrong)
            self.message_user(
                request,
                f"Left alone, as not {status.label.lower()}: {names}. "
                f"Only {status.label.lower()} risks can be {doing}.",
                messages.WARNING,
            )
        return [risk for risk in risks if risk.status == status]

    def _record_reviews(self, request, risks, *, done_url, action=None, single=None):
        bound = request.method == "POST" and "apply" in request.POST
        form = risk_forms.RecordReviewForm(request.POST if bound else None, risks=risks)
        status = 400 if bound else 200
        if bound and form.is_valid():
            try:
                with transaction.atomic():
                    for review in form.reviews():
                        current = review["risk"]
                        services.record_review(**review, by=request.user)
            except services.StaleEdit as stale:
                status = 409
                saved = Risk.objects.values_list("version", flat=True).get(pk=current.pk)
                form.now_at(current, saved)
                form.add_error(None, f"{current.reference}: {stale.messages[0]}")
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, f"{current.reference}: {message}")
            else:
                count = len(risks)
                self.message_user(
                    request,
                    f"Review recorded for {count} risk{pluralize(count)}.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(done_url)
        return self._render_step(
            request,
            "record_review.html",
            title="Record a review",
            form=form,
            risks=risks,
            risk=single,
            action=action,
            submit_label="Record the review",
            cancel_url=self._change_url(single) if single else done_url,
            status=status,
        )

    _STATUS_STEPS = {
        "close": (risk_forms.CloseRisksForm, services.close_risk, "note", "Close", "Closed"),
        "reopen": (
            risk_forms.ReopenRisksForm,
            services.reopen_risk,
            "reason",
            "Reopen",
            "Reopened",
        ),
    }

    def _change_status(self, request, risks, *, step: str, done_url, action=None, single=None):
        """Close or reopen risks, once the closing note or the reason is given."""
        form_class, service, argument, verb, done = self._STATUS_STEPS[step]
        bound = request.method == "POST" and "apply" in request.POST
        form = form_class(request.POST if bound else None)
        if bound and form.is_valid():
            try:
                with transaction.atomic():
                    for risk in risks:
                        current = risk
                        service(
                            risk=risk, **{argument: form.cleaned_data[argument]}, by=request.user
                        )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, f"{current.reference}: {message}")
            else:
                names = ", ".join(risk.reference for risk in risks)
                self.message_user(request, f"{done}: {names}.", messages.SUCCESS)
                return HttpResponseRedirect(done_url)
        return self._render_step(
            request,
            "workflow_form.html",
            title=f"{verb} {single}" if single else f"{verb} the selected risks",
            form=form,
            risks=risks,
            risk=single,
            action=action,
            submit_label=f"{verb} risk"
            if single
            else f"{verb} {len(risks)} risk{pluralize(risks)}",
            cancel_url=self._change_url(single) if single else done_url,
        )

    @admin.action(description="Record a review for the selected risks", permissions=["change"])
    def record_review(self, request, queryset):
        risks = self._only_in_status(request, queryset, Risk.Status.OPEN, "reviewed")
        if not risks:
            return None
        return self._record_reviews(
            request, risks, done_url=self._changelist_url(request), action="record_review"
        )

    @admin.action(description="Close selected risks", permissions=["change"])
    def close_selected(self, request, queryset):
        risks = self._only_in_status(request, queryset, Risk.Status.OPEN, "closed")
        if not risks:
            return None
        return self._change_status(
            request,
            risks,
            step="close",
            done_url=self._changelist_url(request),
            action="close_selected",
        )

    @admin.action(description="Reopen selected risks", permissions=["change"])
    def reopen_selected(self, request, queryset):
        risks = self._only_in_status(request, queryset, Risk.Status.CLOSED, "reopened")
        if not risks:
            return None
        return self._change_status(
            request,
            risks,
            step="reopen",
            done_url=self._changelist_url(request),
            action="reopen_selected",
        )

    def _export_rows(self, request, queryset):
        risks = queryset.select_related("category", "locality", "objective").order_by(
            "reference", "id"
        )
        return exports.register_rows(risks, bands=score_bands(request), today=timezone.localdate())

    @admin.action(description="Export selected to CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        return exports.register_response(
            self._export_rows(request, queryset),
            export_format="csv",
            today=timezone.localdate(),
        )

    @admin.action(description="Export selected to XLSX (Excel)", permissions=["view"])
    def export_xlsx(self, request, queryset):
        return exports.register_response(
            self._export_rows(request, queryset),
            export_format="xlsx",
            today=timezone.localdate(),
        )

    def review_view(self, request, object_id):
        risk = self._risk_for_step(request, object_id)
        if risk.status != Risk.Status.OPEN:
            return self._wrong_status(request, risk, "reviewed")
        return self._record_reviews(request, [risk], done_url=self._change_url(risk), single=risk)

    def close_view(self, request, object_id):
        risk = self._risk_for_step(request, object_id)
        if risk.status != Risk.Status.OPEN:
            return self._wrong_status(request, risk, "closed")
        return self._change_status(
            request, [risk], step="close", done_url=self._change_url(risk), single=risk
        )

    def reopen_view(self, request, object_id):
        risk = self._risk_for_step(request, object_id)
        if risk.status != Risk.Status.CLOSED:
            return self._wrong_status(request, risk, "reopened")
        return self._change_status(
            request, [risk], step="reopen", done_url=self._change_url(risk), single=risk
        )

    def accept_view(self, request, object_id):
        risk = self._risk_for_step(request, object_id)
        if risk.status != Risk.Status.PROPOSED:
            return self._wrong_status(request, risk, "accepted")
        bound = request.method == "POST"
        form = risk_forms.AcceptProposedRiskForm(request.POST if bound else None, risk=risk)
        if bound and form.is_valid():
            try:
                services.accept_proposed_risk(
                    risk=risk, **form.service_arguments(), by=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request, f"Accepted onto the register as {risk.reference}.", messages.SUCCESS
                )
                return HttpResponseRedirect(self._change_url(risk))
        return self._render_step(
            request,
            "accept.html",
            title=f"Accept proposed risk: {risk.title}",
            form=form,
            risks=[risk],
            risk=risk,
            submit_label="Accept onto the register",
            cancel_url=self._change_url(risk),
        )

    def reject_view(self, request, object_id):
        risk = self._risk_for_step(request, object_id)
        if risk.status != Risk.Status.PROPOSED:
            return self._wrong_status(request, risk, "rejected")
        bound = request.method == "POST"
        form = risk_forms.RejectProposedRiskForm(request.POST if bound else None)
        if bound and form.is_valid():
            try:
                services.reject_proposed_risk(
                    risk=risk, reason=form.cleaned_data["reason"], by=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, f"Rejected: {risk.title}.", messages.SUCCESS)
                return HttpResponseRedirect(self._change_url(risk))
        return self._render_step(
            request,
            "workflow_form.html",
            title=f"Reject proposed risk: {risk.title}",
            form=form,
            risks=[risk],
            risk=risk,
            submit_label="Reject the proposed risk",
            cancel_url=self._change_url(risk),
        )

    def _wrong_status(self, request, risk: Risk, doing: str) -> HttpResponseRedirect:
        self.message_user(
            request,
            f"{risk} is {risk.get_status_display().lower()}, so it cannot be {doing}.",
            messages.WARNING,
        )
        return HttpResponseRedirect(self._change_url(risk))


# --- Actions and reviews on their own pages -----------------------------------------


@admin.register(MitigatingAction)
class MitigatingActionAdmin(RegisterAdmin):
    history_object_related = ("risk",)
    list_display = [
        "__str__",
        "risk",
        "owner_role",
        "due_date",
        "status",
        "overdue",
        "is_illustrative",
    ]
    list_filter = ["status", "risk__category", "is_illustrative"]
    list_select_related = ["risk"]
    search_fields = ["description", "owner_role", "risk__reference", "risk__title"]
    ordering = [F("due_date").asc(nulls_last=True), "id"]
    autocomplete_fields = ["risk"]

    class Media:
        css = ADMIN_CSS

    def save_model(self, request, obj, form, change):
        services.save_action(action=obj)

    @admin.display(description="Overdue", ordering="due_date")
    def overdue(self, obj):
        return OVERDUE_TAG if scoring.is_action_overdue(obj, timezone.localdate()) else ""


@admin.register(RiskReview)
class RiskReviewAdmin(SuperuserDeletes, RegisterAdmin):
    """Reviews are added here or with "Record a review"; a recorded review is not
    edited (record a new one), so that the history of scores stays true."""

    form = risk_forms.RiskReviewAdminForm
    history_object_related = ("risk",)
    list_display = [
        "risk",
        "reviewed_on",
        "reviewer_role",
        "likelihood",
        "consequence",
        "score",
        "is_illustrative",
    ]
    list_filter = ["is_illustrative", "risk__category"]
    list_select_related = ["risk"]
    search_fields = ["risk__reference", "risk__title", "reviewer_role", "note"]
    ordering = ["-reviewed_on", "id"]
    date_hierarchy = "reviewed_on"
    autocomplete_fields = ["risk"]
    fields = ["risk", "reviewed_on", "reviewer_role", "likelihood", "consequence", "note"]

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # A review's name includes its risk's (page titles).
        return super().get_queryset(request).select_related("risk")

    def save_model(self, request, obj, form, change):
        review = services.record_review(
            risk=obj.risk,
            reviewed_on=obj.reviewed_on,
            likelihood=obj.likelihood,
            consequence=obj.consequence,
            note=obj.note,
            reviewer_role=obj.reviewer_role,
            by=request.user,
            # This page chooses the risk in the form, so no version came with it.
            expected_version=None,
        )
        # The admin logs and redirects to the object it was given.
        obj.pk = review.pk
        obj.reviewer = review.reviewer
        obj._state.adding = False

    @admin.display(description="Score")
    def score(self, obj):
        return obj.score
