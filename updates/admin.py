"""Django admin for quarterly updates: read-only, since they change only through the workflow."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from localities import access
from localities.admin import HistoryAdmin, QuarterListFilter, SharedChoicesTabularInline
from localities.models import Quarter
from updates.models import (
    MaturityScore,
    MDTUpdate,
    MilestoneUpdate,
    ObjectiveStatus,
    OutboxMessage,
    OutcomeFigure,
    QuarterlyUpdate,
    RaisedRisk,
    ReturnComment,
    SectionConfirmation,
    TypedSection,
)

# Quarterly updates ----------------------------------------------------------

_UPDATE_RELATED = ["update__locality", "update__quarter__financial_year"]


class ObjectiveStatusInline(SharedChoicesTabularInline):
    model = ObjectiveStatus
    extra = 0
    fields = ["objective", "rag", "percent_complete", "narrative", "rag_reason"]

    def get_queryset(self, request):
        # Each row prints the status's name, which walks update and objective.
        return super().get_queryset(request).select_related(*_UPDATE_RELATED, "objective")


class MaturityScoreInline(SharedChoicesTabularInline):
    model = MaturityScore
    extra = 0
    fields = ["element", "score"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*_UPDATE_RELATED, "element")


class WorkflowOnlyAdmin:
    """Quarterly updates change only through the workflow (updates.services).

    Admin shows them, read-only: an approved update must stay as approved, and
    edits here would skip the lead's checks, the version and the review.
    Leads edit on their update page; the office reviews on the returns page.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MilestoneUpdateInline(SharedChoicesTabularInline):
    model = MilestoneUpdate
    extra = 0
    fields = ["milestone", "status", "forecast_date", "actual_date", "forecast_change_reason"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*_UPDATE_RELATED, "milestone")


class MDTUpdateInline(SharedChoicesTabularInline):
    model = MDTUpdate
    extra = 0
    fields = ["mdt", "status", "actual_go_live", "population_covered"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*_UPDATE_RELATED, "mdt__locality")


class RaisedRiskInline(SharedChoicesTabularInline):
    model = RaisedRisk
    extra = 0
    fields = ["title", "category", "description", "proposed_risk"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(*_UPDATE_RELATED, "category", "proposed_risk")
        )


@admin.register(QuarterlyUpdate)
class QuarterlyUpdateAdmin(WorkflowOnlyAdmin, HistoryAdmin):
    history_object_related = ("locality", "quarter__financial_year")
    list_display = [
        "locality",
        "quarter",
        "status",
        "submitted_at",
        "reviewed_at",
        "is_illustrative",
    ]
    list_filter = [("quarter", QuarterListFilter), "status", "locality", "is_illustrative"]
    list_select_related = ["locality", "quarter__financial_year"]
    search_fields = ["locality__name", "summary", "review_comments"]
    ordering = ["-quarter__start_date", "locality__name"]
    autocomplete_fields = ["submitted_by", "reviewed_by"]
    readonly_fields = ["version", "review_link"]
    inlines = [
        ObjectiveStatusInline,
        MilestoneUpdateInline,
        MDTUpdateInline,
        MaturityScoreInline,
        RaisedRiskInline,
    ]
    fieldsets = [
        (None, {"fields": ["locality", "quarter", "status", "is_illustrative", "summary"]}),
        (
            "Measures",
            {
                "fields": [
                    ("spend_planned", "spend_actual"),
                    "partners_signed_up",
                    "locality_plan_refreshed",
                ]
            },
        ),
        (
            "Submission and review",
            {
                "fields": [
                    ("submitted_at", "submitted_by"),
                    ("reviewed_at", "reviewed_by"),
                    "review_comments",
                    "version",
                    "review_link",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        # An update's name ("Thanet 2018/19 Q2") walks locality and quarter:
        # page titles and the autocomplete of the child admins print it.
        return super().get_queryset(request).select_related("locality", "quarter__financial_year")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "quarter":
            kwargs["queryset"] = Quarter.objects.chronological()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Review")
    def review_link(self, update):
        url = reverse(
            "updates:review",
            kwargs={"locality": update.locality.slug, "quarter": update.quarter.slug},
        )
        return format_html('<a href="{}">Review, approve, return or reopen this update</a>', url)


class UpdateChildAdmin(WorkflowOnlyAdmin, HistoryAdmin):
    """Shared set-up for rows that belong to a quarterly update."""

    list_filter = [
        ("update__quarter", QuarterListFilter),
        "update__locality",
        "update__is_illustrative",
    ]
    list_select_related = _UPDATE_RELATED
    autocomplete_fields = ["update"]
    search_fields = ["update__locality__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*_UPDATE_RELATED)


@admin.register(ObjectiveStatus)
class ObjectiveStatusAdmin(UpdateChildAdmin):
    history_object_related = (*_UPDATE_RELATED, "objective")
    list_display = [
        "update__locality",
        "update__quarter",
        "objective",
        "rag",
        "percent_complete",
        "update__is_illustrative",
    ]
    list_filter = [*UpdateChildAdmin.list_filter, "rag", "objective"]
    list_select_related = [*_UPDATE_RELATED, "objective"]
    search_fields = ["update__locality__name", "narrative", "rag_reason"]
    ordering = ["-update__quarter__start_date", "update__locality__name", "objective__number"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("objective")


@admin.register(OutcomeFigure)
class OutcomeFigureAdmin(UpdateChildAdmin):
    """Quarterly figures from returns before the monthly extract became the record
    (decision 0019): kept, with their history, to read; never changed."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    history_object_related = (*_UPDATE_RELATED, "measure")
    list_display = [
        "update__locality",
        "update__quarter",
        "measure",
        "value",
        "update__is_illustrative",
    ]
    list_filter = [*UpdateChildAdmin.list_filter, "measure"]
    list_select_related = [*_UPDATE_RELATED, "measure"]
    search_fields = ["update__locality__name", "measure__name"]
    ordering = ["-update__quarter__start_date", "update__locality__name", "measure_id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("measure")


@admin.register(MaturityScore)
class MaturityScoreAdmin(UpdateChildAdmin):
    history_object_related = (*_UPDATE_RELATED, "element")
    list_display = [
        "update__locality",
        "update__quarter",
        "element",
        "score",
        "update__is_illustrative",
    ]
    list_filter = [*UpdateChildAdmin.list_filter, "element", "score"]
    list_select_related = [*_UPDATE_RELATED, "element"]
    search_fields = ["update__locality__name", "element__name"]
    ordering = ["-update__quarter__start_date", "update__locality__name", "element__number"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("element")


@admin.register(MilestoneUpdate)
class MilestoneUpdateAdmin(UpdateChildAdmin):
    history_object_related = (*_UPDATE_RELATED, "milestone")
    list_display = ["update__locality", "update__quarter", "milestone", "status", "forecast_date"]
    list_filter = [*UpdateChildAdmin.list_filter, "status"]
    list_select_related = [*_UPDATE_RELATED, "milestone"]
    search_fields = ["update__locality__name", "milestone__title", "forecast_change_reason"]
    ordering = ["-update__quarter__start_date", "update__locality__name", "milestone__title"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("milestone")


@admin.register(MDTUpdate)
class MDTUpdateAdmin(UpdateChildAdmin):
    history_object_related = (*_UPDATE_RELATED, "mdt__locality")
    list_display = ["update__locality", "update__quarter", "mdt", "status", "actual_go_live"]
    list_filter = [*UpdateChildAdmin.list_filter, "status"]
    list_select_related = [*_UPDATE_RELATED, "mdt__locality"]
    search_fields = ["update__locality__name", "mdt__name"]
    ordering = ["-update__quarter__start_date", "update__locality__name", "mdt__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("mdt__locality")


@admin.register(RaisedRisk)
class RaisedRiskAdmin(UpdateChildAdmin):
    history_object_related = (*_UPDATE_RELATED, "category")
    list_display = ["update__locality", "update__quarter", "title", "category", "proposed_risk"]
    list_select_related = [*_UPDATE_RELATED, "category", "proposed_risk"]
    search_fields = ["update__locality__name", "title", "description"]
    ordering = ["-update__quarter__start_date", "update__locality__name", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("category", "proposed_risk")


@admin.register(ReturnComment)
class ReturnCommentAdmin(UpdateChildAdmin):
    """The conversation on a return, read-only: it is written on the review and update pages."""

    history_object_related = (*_UPDATE_RELATED, "author")
    list_display = [
        "update__locality",
        "update__quarter",
        "section",
        "row_label",
        "author",
        "created",
        "state",
    ]
    list_filter = [*UpdateChildAdmin.list_filter, "state", "section"]
    list_select_related = [*_UPDATE_RELATED, "author"]
    search_fields = ["update__locality__name", "text", "row_label"]
    ordering = ["-update__quarter__start_date", "update__locality__name", "created"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author", "closed_by", "parent")


# E-mails -----------------------------------------------------------------------


class SentListFilter(admin.SimpleListFilter):
    title = "sent"
    parameter_name = "sent"

    def lookups(self, request, model_admin):
        return [("yes", "Sent"), ("no", "Not sent yet")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.sent()
        if self.value() == "no":
            return queryset.unsent()
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(WorkflowOnlyAdmin, admin.ModelAdmin):
    """Every e-mail the app has queued, read-only: the events write them (updates.outbox)
    and `send_outbox` sends them. Addresses are personal data: the programme office only."""

    list_display = [
        "created_at",
        "kind",
        "to_address",
        "subject",
        "locality",
        "quarter",
        "sent_at",
        "attempts",
    ]
    list_filter = [SentListFilter, "kind", ("quarter", QuarterListFilter), "locality"]
    list_select_related = ["locality", "quarter__financial_year"]
    search_fields = ["to_address", "subject", "key"]
    ordering = ["-created_at", "-id"]
    date_hierarchy = "created_at"
    fields = [
        "key",
        "kind",
        ("locality", "quarter"),
        "update",
        ("recipient", "to_address"),
        "subject",
        "body",
        "triggered_by",
        ("created_at", "sent_at"),
        ("attempts", "last_error"),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "update__locality", "update__quarter__financial_year", "recipient", "triggered_by"
            )
        )

    def has_view_permission(self, request, obj=None):
        return access.is_programme_office(request.user) and super().has_view_permission(
            request, obj
        )

    def has_module_permission(self, request):
        return access.is_programme_office(request.user) and super().has_module_permission(request)


@admin.register(SectionConfirmation)
class SectionConfirmationAdmin(UpdateChildAdmin):
    history_object_related = (*_UPDATE_RELATED, "confirmed_by")
    list_display = [
        "update__locality",
        "update__quarter",
        "section",
        "confirmed_by",
        "confirmed_at",
    ]
    list_filter = [*UpdateChildAdmin.list_filter, "section"]
    list_select_related = [*_UPDATE_RELATED, "confirmed_by"]
    ordering = ["-update__quarter__start_date", "update__locality__name", "section"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("confirmed_by")


@admin.register(TypedSection)
class TypedSectionAdmin(WorkflowOnlyAdmin, HistoryAdmin):
    """Read-only, for the history: kept and deleted by the lead's session and section page."""

    list_display = ["locality", "quarter", "section", "user", "kept_at"]
    list_select_related = ["locality", "quarter__financial_year", "user"]
    ordering = ["-kept_at"]
    history_object_related = ("locality", "quarter__financial_year", "user")
