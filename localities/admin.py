"""Django admin for the programme's reference data and quarterly updates.

The programme office keeps reference data here. Every ModelAdmin builds on
SimpleHistoryAdmin (through HistoryAdmin below) so that each object's change
history is one click away. Anything a changelist shows from a related row is fetched with the page's
query (list_select_related or an annotation), never once per row.
"""

from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Count, F, prefetch_related_objects
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

from localities.models import (
    MDT,
    PROGRAMME_WIDE,
    CareModelElement,
    CriticalArea,
    CriticalAreaAction,
    FinancialYear,
    GovernanceBody,
    GovernanceBodyRole,
    InfrastructureTier,
    InvestmentCommitment,
    Locality,
    Milestone,
    MonthlyOutcome,
    Objective,
    OutcomeBaseline,
    OutcomeChangePoint,
    OutcomeExtract,
    OutcomeMeasure,
    OutcomeTrajectory,
    OutcomeUnitCost,
    PartnerOrganisation,
    PlannedInvestment,
    ProgrammeFigure,
    Quarter,
    SavingsRamp,
    SubSystem,
)

admin.site.site_header = "Kent and Medway Local Care – administration"
admin.site.site_title = "Kent and Medway Local Care – administration"
admin.site.index_title = "Programme data"
# Admin's navigation sidebar takes 300 px of a 1280 px screen beside the
# changelists' filters, and the risk register's list then scrolls sideways;
# the home page and the breadcrumbs lead to every list instead.
admin.site.enable_nav_sidebar = False


class HistoryAdmin(SimpleHistoryAdmin):
    """The base of every ModelAdmin here: history view, without a query per version,
    and a 4xx for a refused form.

    Each row of the history page prints its version's name, and simple-history
    builds a fresh instance for every row. When that name walks relations
    (an MDT's includes its locality's), list them in `history_object_related`
    so that they are fetched with one query each rather than one per row.
    """

    history_object_related: tuple[str, ...] = ()

    def render_change_form(self, request, context, *args, **kwargs):
        response = super().render_change_form(request, context, *args, **kwargs)
        if request.method == "POST" and context.get("errors"):
            # A refused edit (too long a text, a missing field) is a 400, and
            # one refused as stale (risks.forms.RiskAdminForm) a 409, not a 200
            # that looks like success to a script; what was entered is still
            # in the form.
            form = context["adminform"].form
            stale = form.has_error(NON_FIELD_ERRORS, code="stale")
            response.status_code = 409 if stale else 400
        return response

    def render_history_view(self, request, template, context, **kwargs):
        page_obj = context.get("page_obj")
        if self.history_object_related and page_obj is not None:
            versions = []
            for record in page_obj:
                # Pin one instance per record (the descriptor makes a new one
                # on every access) so that the relations loaded below stick.
                record.history_object = record.history_object
                versions.append(record.history_object)
            prefetch_related_objects(versions, *self.history_object_related)
        return super().render_history_view(request, template, context, **kwargs)


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose fields are named for screen readers.

    Django's tabular inline prints each field's label once, as a column
    heading, and gives the inputs below it no <label>: each input carries its
    column's name as aria-label instead (WCAG 1.3.1 and 4.1.2).
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            # A related-field wrapper shares its widget's attrs.
            formfield.widget.attrs["aria-label"] = capfirst(formfield.label)
        return formfield

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                if "DELETE" in form.fields:
                    form.fields["DELETE"].widget.attrs["aria-label"] = "Delete"

        return LabelledFormSet


class SharedChoicesTabularInline(LabelledTabularInline):
    """A tabular inline whose select lists cost one query each, not one per row.

    Django gives every row its own copy of a foreign key's queryset; fixing
    the choices when the formset's form is built evaluates it once a request.
    """

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        uses_select = db_field.name not in (
            *self.get_autocomplete_fields(request),
            *self.raw_id_fields,
        )
        if formfield is not None and uses_select:
            formfield.choices = list(formfield.choices)
        return formfield


class QuarterListFilter(admin.RelatedFieldListFilter):
    """Quarter choices in one query: a quarter's name needs its financial year."""

    def field_choices(self, field, request, model_admin):
        return [(quarter.pk, str(quarter)) for quarter in Quarter.objects.chronological()]


class LocalityOrProgrammeFilter(admin.RelatedFieldListFilter):
    """Locality choices, with rows that have none labelled as programme-wide."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_value_display = PROGRAMME_WIDE


# Sub-systems and localities -------------------------------------------------


@admin.register(SubSystem)
class SubSystemAdmin(HistoryAdmin):
    list_display = ["name", "slug", "locality_count"]
    search_fields = ["name"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(locality_count=Count("localities"))

    @admin.display(description="Localities", ordering="locality_count")
    def locality_count(self, obj):
        return obj.locality_count


class MDTInline(LabelledTabularInline):
    model = MDT
    extra = 0
    fields = [
        "name",
        "tier",
        "population_covered",
        "status",
        "planned_go_live",
        "actual_go_live",
        "is_illustrative",
    ]
    show_change_link = True

    def get_queryset(self, request):
        # Each row prints the MDT's name, which includes its locality's.
        return super().get_queryset(request).select_related("locality")


@admin.register(Locality)
class LocalityAdmin(HistoryAdmin):
    list_display = ["name", "sub_system", "registered_population", "mdt_count", "is_illustrative"]
    list_filter = ["sub_system", "is_illustrative"]
    list_select_related = ["sub_system"]
    search_fields = ["name", "sub_system__name"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["leads"]
    inlines = [MDTInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(mdt_count=Count("mdts"))

    @admin.display(description="MDTs", ordering="mdt_count")
    def mdt_count(self, obj):
        return obj.mdt_count


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(HistoryAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind", "localities"]
    search_fields = ["name"]
    ordering = ["name"]
    autocomplete_fields = ["localities"]


class GovernanceBodyRoleInline(LabelledTabularInline):
    model = GovernanceBodyRole
    extra = 0
    fields = [
        "role",
        "held_from",
        "changed_after",
        "held_from_as_written",
        "source",
        "is_illustrative",
    ]


@admin.register(GovernanceBody)
class GovernanceBodyAdmin(HistoryAdmin):
    # When the papers date a start or an end only roughly: the words as written, and the
    # bounds they allow (decision 0027); the Boards page judges "in force" from those.
    list_display = ["name", "short_name", "started_text", "ended_text", "succeeded_by"]
    list_select_related = ["succeeded_by"]
    search_fields = ["name", "short_name", "purpose"]
    ordering = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "purpose"]}),
        (
            "When it was in force",
            {
                "fields": [
                    "active_from",
                    "formed_after",
                    "active_from_as_written",
                    "active_until",
                    "ended_by",
                    "active_until_as_written",
                    "succeeded_by",
                    "source",
                ]
            },
        ),
    ]
    inlines = [GovernanceBodyRoleInline]

    @admin.display(description="Started")
    def started_text(self, obj):
        return obj.started_text

    @admin.display(description="Ended")
    def ended_text(self, obj):
        return obj.ended_text


@admin.register(GovernanceBodyRole)
class GovernanceBodyRoleAdmin(HistoryAdmin):
    history_object_related = ("body",)
    list_display = ["body", "from_text", "role", "is_illustrative"]
    list_filter = ["body", "is_illustrative"]
    list_select_related = ["body"]
    search_fields = ["role", "body__name"]
    ordering = ["body__name", "held_from"]

    @admin.display(description="From")
    def from_text(self, obj):
        return obj.from_text or "Its start"


@admin.register(MDT)
class MDTAdmin(HistoryAdmin):
    history_object_related = ("locality",)
    list_display = [
        "name",
        "locality",
        "tier",
        "status",
        "population_covered",
        "planned_go_live",
        "actual_go_live",
        "is_illustrative",
    ]
    list_filter = ["status", "tier", "locality", "is_illustrative"]
    list_select_related = ["locality"]
    search_fields = ["name", "locality__name", "notes"]
    ordering = ["locality__name", "name"]
    autocomplete_fields = ["locality", "partners"]

    def get_queryset(self, request):
        # An MDT's name includes its locality's (page titles, autocomplete).
        return super().get_queryset(request).select_related("locality")


# Years, quarters and objectives --------------------------------------------


class QuarterInline(LabelledTabularInline):
    model = Quarter
    extra = 0
    fields = ["number", "start_date", "end_date", "submission_deadline"]
    ordering = ["number"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("financial_year")


@admin.register(FinancialYear)
class FinancialYearAdmin(HistoryAdmin):
    list_display = ["label", "start_year"]
    search_fields = ["start_year"]
    ordering = ["start_year"]
    inlines = [QuarterInline]

    @admin.display(description="Financial year", ordering="start_year")
    def label(self, obj):
        return obj.label


@admin.register(Quarter)
class QuarterAdmin(HistoryAdmin):
    history_object_related = ("financial_year",)
    list_display = [
        "label",
        "financial_year",
        "number",
        "start_date",
        "end_date",
        "submission_deadline",
    ]
    list_filter = ["financial_year"]
    list_select_related = ["financial_year"]
    search_fields = ["financial_year__start_year"]
    ordering = ["start_date"]

    def get_queryset(self, request):
        # A quarter's name ("2018/19 Q1") needs its financial year.
        return super().get_queryset(request).select_related("financial_year")

    @admin.display(description="Quarter", ordering="start_date")
    def label(self, obj):
        return obj.label


@admin.register(Objective)
class ObjectiveAdmin(HistoryAdmin):
    list_display = ["number", "short_title", "financial_year", "measure", "kind", "carries_spend"]
    list_display_links = ["number", "short_title"]
    list_filter = ["financial_year"]
    list_select_related = ["financial_year"]
    search_fields = ["title", "short_title", "measure"]
    ordering = ["financial_year__start_year", "number"]
    # Set when a year is opened (decision 0024): a select of every objective would invite
    # re-pointing one year's objective at another's.
    readonly_fields = ["continues"]


class CriticalAreaActionInline(admin.StackedInline):
    model = CriticalAreaAction
    extra = 0
    fields = ["title", "status", "owner_role", "progress_to_date", "next_steps", "source"]


@admin.register(CriticalArea)
class CriticalAreaAdmin(HistoryAdmin):
    list_display = ["number", "name", "action_count"]
    list_display_links = ["number", "name"]
    search_fields = ["name", "description"]
    ordering = ["number"]
    inlines = [CriticalAreaActionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(action_count=Count("actions"))

    @admin.display(description="Actions", ordering="action_count")
    def action_count(self, obj):
        return obj.action_count


@admin.register(CriticalAreaAction)
class CriticalAreaActionAdmin(HistoryAdmin):
    list_display = ["title", "critical_area", "owner_role", "status"]
    list_filter = ["critical_area", "status"]
    list_select_related = ["critical_area"]
    search_fields = ["title", "progress_to_date", "next_steps", "owner_role"]
    ordering = ["critical_area__number", "id"]


@admin.register(Milestone)
class MilestoneAdmin(HistoryAdmin):
    list_display = [
        "title",
        "locality_or_programme",
        "workstream",
        "planned_window",
        "is_date_uncertain",
        "forecast_date",
        "actual",
        "status",
        "slippage",
        "is_illustrative",
    ]
    list_filter = [
        "status",
        "is_date_uncertain",
        "is_illustrative",
        "workstream",
        ("locality", LocalityOrProgrammeFilter),
        "objective",
        "critical_area",
    ]
    list_select_related = ["locality"]
    search_fields = ["title", "description", "workstream", "timing_as_written", "source"]
    ordering = [F("planned_end").asc(nulls_last=True), "title"]
    fieldsets = [
        (None, {"fields": ["title", "description", "workstream", "source", "is_illustrative"]}),
        ("Belongs to", {"fields": ["locality", "objective", "critical_area"]}),
        (
            "Timing",
            {
                "description": (
                    "Give the planned window as dates where the paper allows; keep the "
                    "paper's own words in “timing as written” and tick “uncertain” for "
                    "tentative timings."
                ),
                "fields": [
                    ("planned_start", "planned_end"),
                    "timing_as_written",
                    "is_date_uncertain",
                    "forecast_date",
                ],
            },
        ),
        (
            "Progress",
            {
                "description": (
                    "Leave the status “Not reported” until someone reports on the "
                    "milestone: only a reported status can make it late."
                ),
                "fields": [
                    "status",
                    ("actual_date", "actual_as_written"),
                    ("reported_by", "reported_on"),
                ],
            },
        ),
        (
            "Rolled forward",
            {
                "description": (
                    "Set when the programme office opens a year and keeps this milestone in "
                    "its plan (decision 0024)."
                ),
                "fields": [("continues", "in_plan_from")],
            },
        ),
    ]
    readonly_fields = ["reported_by", "reported_on", "continues", "in_plan_from"]

    @admin.display(description="Locality", ordering="locality__name", empty_value=PROGRAMME_WIDE)
    def locality_or_programme(self, obj):
        return obj.locality

    @admin.display(description="Planned", ordering="planned_end")
    def planned_window(self, obj):
        # As written, as the board sees it; the window read from it (for sorting) beside it.
        shown = obj.planned_window_text()
        if obj.timing_as_written and obj.planned_end:
            return format_html(
                '{} <span class="help">(window for sorting: {})</span>', shown, obj.window_text()
            )
        return shown

    @admin.display(description="Actual date", ordering="actual_date")
    def actual(self, obj):
        # As the paper gives it: "September 2017", not the month's last day stored for sorting.
        return obj.actual_text() or None

    @admin.display(description="Slippage")
    def slippage(self, obj):
        found = obj.slippage()
        return found.phrase if found else None

    def save_model(self, request, obj, form, change):
        # A status, forecast or actual date entered here is the programme office's
        # report: record who and when, so that the board can weigh it.
        reported = {"status", "forecast_date", "actual_date", "actual_as_written"}
        if obj.is_reported and (not change or reported & set(form.changed_data)):
            obj.reported_by = "the programme office"
            obj.reported_on = timezone.localdate()
        super().save_model(request, obj, form, change)


# Care model, outcomes and money --------------------------------------------


@admin.register(CareModelElement)
class CareModelElementAdmin(HistoryAdmin):
    list_display = ["number", "name", "group"]
    list_display_links = ["number", "name"]
    search_fields = ["name"]
    ordering = ["number"]


@admin.register(InfrastructureTier)
class InfrastructureTierAdmin(HistoryAdmin):
    list_display = ["name", "tier", "population_served"]
    ordering = ["id"]


@admin.register(OutcomeMeasure)
class OutcomeMeasureAdmin(HistoryAdmin):
    list_display = ["name", "code", "unit", "lower_is_better"]
    list_filter = ["lower_is_better"]
    search_fields = ["name", "code", "description"]
    ordering = ["id"]
    prepopulated_fields = {"code": ["name"]}


class ReadOnlyHistoryAdmin(HistoryAdmin):
    """Rows that only an import writes: browsable with their history, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutcomeBaseline)
class OutcomeBaselineAdmin(ReadOnlyHistoryAdmin):
    """Quarterly baselines from before the monthly extract: a page's baseline is now the
    mean of the baseline months (decision 0019). Kept, with their history, to read."""

    history_object_related = ("locality", "measure")
    list_display = ["locality", "measure", "baseline_period", "quarterly_value", "is_illustrative"]
    list_filter = ["measure", "locality", "is_illustrative"]
    list_select_related = ["locality", "measure"]
    search_fields = ["locality__name", "measure__name", "baseline_period"]
    ordering = ["locality__name", "measure_id"]


@admin.register(PlannedInvestment)
class PlannedInvestmentAdmin(HistoryAdmin):
    history_object_related = ("locality", "financial_year")
    list_display = ["locality", "financial_year", "amount", "is_illustrative"]
    list_filter = ["financial_year", "locality", "is_illustrative"]
    list_select_related = ["locality", "financial_year"]
    search_fields = ["locality__name"]
    ordering = ["financial_year__start_year", "locality__name"]


@admin.register(ProgrammeFigure)
class ProgrammeFigureAdmin(HistoryAdmin):
    list_display = ["label", "group", "value", "value_high", "unit", "as_at"]
    list_filter = ["group", "unit"]
    search_fields = ["label", "code", "group", "source"]
    ordering = ["group", "id"]
    prepopulated_fields = {"code": ["label"]}


@admin.register(OutcomeExtract)
class OutcomeExtractAdmin(ReadOnlyHistoryAdmin):
    list_display = ["file_name", "loaded_at", "loaded_by", "first_month", "last_month", "rows"]
    list_display = [*list_display, "is_illustrative"]
    list_select_related = ["loaded_by"]
    list_filter = ["is_illustrative"]
    search_fields = ["file_name", "source"]
    ordering = ["-loaded_at", "-id"]


@admin.register(MonthlyOutcome)
class MonthlyOutcomeAdmin(ReadOnlyHistoryAdmin):
    """The extract is the record (decision 0019): months change only by loading one."""

    history_object_related = ("locality", "measure")
    list_display = ["locality", "measure", "month", "value", "extract", "is_illustrative"]
    list_filter = ["measure", "locality", "is_illustrative"]
    list_select_related = ["locality", "measure", "extract"]
    date_hierarchy = "month"
    ordering = ["locality__name", "measure_id", "month"]
    show_full_result_count = False


@admin.register(OutcomeChangePoint)
class OutcomeChangePointAdmin(HistoryAdmin):
    history_object_related = ("measure",)
    list_display = ["measure", "locality", "month", "recorded_by", "recorded_at", "is_illustrative"]
    list_select_related = ["measure", "locality", "recorded_by"]
    list_filter = ["measure", "is_illustrative"]
    readonly_fields = ["recorded_by", "recorded_at", "version"]
    ordering = ["measure_id", "month"]


@admin.register(SavingsRamp)
class SavingsRampAdmin(HistoryAdmin):
    list_display = ["start_year", "share_percent", "is_illustrative", "source"]
    list_filter = ["is_illustrative"]
    ordering = ["start_year"]


@admin.register(OutcomeTrajectory)
class OutcomeTrajectoryAdmin(HistoryAdmin):
    history_object_related = ("locality", "measure")
    list_display = ["locality", "measure", "steady_state_reduction_percent", "is_illustrative"]
    list_filter = ["measure", "locality", "is_illustrative"]
    list_select_related = ["locality", "measure"]
    ordering = ["locality__name", "measure_id"]


@admin.register(OutcomeUnitCost)
class OutcomeUnitCostAdmin(HistoryAdmin):
    history_object_related = ("measure",)
    list_display = ["measure", "pounds", "as_at", "is_illustrative", "source"]
    list_filter = ["is_illustrative"]
    list_select_related = ["measure"]
    ordering = ["measure_id"]


@admin.register(InvestmentCommitment)
class InvestmentCommitmentAdmin(HistoryAdmin):
    history_object_related = ("locality",)
    list_display = ["title", "kind", "locality", "amount", "committed_on", "is_illustrative"]
    list_filter = ["kind", "locality", "is_illustrative"]
    list_select_related = ["locality"]
    search_fields = ["title", "source"]
    ordering = ["committed_on", "id"]
