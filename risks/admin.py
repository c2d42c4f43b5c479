"""Django admin for the risk register, which the programme office keeps here."""

from django.contrib import admin
from django.db.models import Count, F

from localities.admin import PROGRAMME_WIDE, HistoryAdmin, LocalityOrProgrammeFilter
from risks.models import MitigatingAction, Risk, RiskCategory, RiskReview, ScoreBand
from risks.selectors import band_for


@admin.register(ScoreBand)
class ScoreBandAdmin(HistoryAdmin):
    list_display = ["name", "min_score", "max_score", "colour", "review_every_days"]
    search_fields = ["name"]
    ordering = ["min_score"]


@admin.register(RiskCategory)
class RiskCategoryAdmin(HistoryAdmin):
    list_display = ["name", "risk_count"]
    search_fields = ["name"]
    ordering = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(risk_count=Count("risks"))

    @admin.display(description="Risks", ordering="risk_count")
    def risk_count(self, obj):
        return obj.risk_count


class MitigatingActionInline(admin.TabularInline):
    model = MitigatingAction
    extra = 0
    fields = ["description", "owner_role", "due_date", "status", "is_illustrative"]


class RiskReviewInline(admin.TabularInline):
    model = RiskReview
    extra = 0
    fields = [
        "reviewed_on",
        "reviewer",
        "reviewer_role",
        "likelihood",
        "consequence",
        "note",
        "is_illustrative",
    ]
    autocomplete_fields = ["reviewer"]

    def get_queryset(self, request):
        # Each row prints the review's name, which includes its risk's.
        return super().get_queryset(request).select_related("risk")


@admin.register(Risk)
class RiskAdmin(HistoryAdmin):
    list_display = [
        "reference",
        "title",
        "category",
        "locality_or_programme",
        "objective",
        "owner_role",
        "current_score_and_band",
        "status",
        "next_review_date",
        "is_illustrative",
        "scores_are_illustrative",
    ]
    list_display_links = ["reference", "title"]
    list_filter = [
        "category",
        "status",
        ("locality", LocalityOrProgrammeFilter),
        "objective",
        "is_illustrative",
        "scores_are_illustrative",
    ]
    list_select_related = ["category", "locality", "objective"]
    search_fields = ["reference", "title", "description"]
    ordering = ["reference", "id"]
    autocomplete_fields = ["raised_by"]
    readonly_fields = ["version"]
    inlines = [MitigatingActionInline, RiskReviewInline]
    fieldsets = [
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
                ]
            },
        ),
        (
            "Scores (likelihood × consequence)",
            {
                "fields": [
                    ("inherent_likelihood", "inherent_consequence"),
                    ("current_likelihood", "current_consequence"),
                    ("target_likelihood", "target_consequence"),
                    "scores_are_illustrative",
                ]
            },
        ),
        (
            "Status and review",
            {
                "fields": [
                    "status",
                    ("date_raised", "raised_by"),
                    ("review_every_days", "next_review_date"),
                    "closing_note",
                    "rejection_reason",
                    "version",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_current_score()

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # Bands are a handful of rows: load them once for the page and band
        # each risk in memory rather than asking the database per row.
        bands = list(ScoreBand.objects.order_by("min_score"))
        for risk in changelist.result_list:
            risk.score_band = band_for(risk.current_score, bands)
        return changelist

    @admin.display(description="Locality", ordering="locality__name", empty_value=PROGRAMME_WIDE)
    def locality_or_programme(self, obj):
        return obj.locality

    @admin.display(description="Current score", ordering="current_score")
    def current_score_and_band(self, obj):
        if obj.current_score is None:
            return None
        band = getattr(obj, "score_band", None)
        return f"{obj.current_score} ({band.name})" if band else str(obj.current_score)


@admin.register(MitigatingAction)
class MitigatingActionAdmin(HistoryAdmin):
    list_display = ["__str__", "risk", "owner_role", "due_date", "status", "is_illustrative"]
    list_filter = ["status", "risk__category", "is_illustrative"]
    list_select_related = ["risk"]
    search_fields = ["description", "owner_role", "risk__reference", "risk__title"]
    ordering = [F("due_date").asc(nulls_last=True), "id"]
    autocomplete_fields = ["risk"]


@admin.register(RiskReview)
class RiskReviewAdmin(HistoryAdmin):
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
    autocomplete_fields = ["risk", "reviewer"]

    def get_queryset(self, request):
        # A review's name includes its risk's (page titles).
        return super().get_queryset(request).select_related("risk")

    @admin.display(description="Score")
    def score(self, obj):
        return obj.score
