"""Django admin for governance records: the programme office's everyday work is
on the app's own pages (governance.views); admin is for corrections."""

from django.contrib import admin

from governance.models import Action, BoardReport, Decision, Meeting, PublishedPack
from localities.admin import HistoryAdmin


@admin.register(Meeting)
class MeetingAdmin(HistoryAdmin):
    history_object_related = ("body",)
    list_display = ["body", "held_on", "held_after", "date_as_written", "is_illustrative"]
    list_select_related = ["body"]
    list_filter = ["body", "is_illustrative"]
    search_fields = ["papers", "date_as_written"]


@admin.register(Decision)
class DecisionAdmin(HistoryAdmin):
    list_display = ["reference", "kind", "meeting", "paper"]
    list_select_related = ["meeting__body"]
    list_filter = ["kind", "meeting__body"]
    search_fields = ["text", "paper", "section"]


@admin.register(Action)
class ActionAdmin(HistoryAdmin):
    list_display = ["text", "owner_role", "due_date", "status", "meeting", "is_illustrative"]
    list_select_related = ["meeting__body"]
    list_filter = ["status", "meeting__body", "is_illustrative"]
    search_fields = ["text", "owner_role", "status_reason"]
    autocomplete_fields = ["owner_user", "locality", "milestone", "risk"]
    readonly_fields = ["version"]


@admin.register(BoardReport)
class BoardReportAdmin(HistoryAdmin):
    history_object_related = ("quarter__financial_year", "body")
    list_display = ["title", "quarter", "body", "status", "assessment_rag", "is_illustrative"]
    list_select_related = ["quarter__financial_year", "body"]
    list_filter = ["status", "body", "is_illustrative"]
    readonly_fields = ["approved_by", "approved_at", "version"]


@admin.register(PublishedPack)
class PublishedPackAdmin(HistoryAdmin):
    """Read only: a published pack never changes (a correction is a new version)."""

    list_display = ["quarter", "body", "number", "status", "published_at", "pdf_bytes"]
    list_select_related = ["quarter__financial_year", "body"]
    list_filter = ["status", "body"]

    def get_queryset(self, request):
        return super().get_queryset(request).without_pdf()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
