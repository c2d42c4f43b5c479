"""The programme office's outcome data pages: load the monthly extract, record change points.

Thin: check access, read the file (updates.outcome_extract), save through
updates.outcome_services. The upload is read into memory only and no more
than the quarterly spreadsheet's limit of it, the same way (see
updates.views.spreadsheet: the handler is set before the body is parsed, so
the view is CSRF-exempt outside and CSRF-protected inside).
"""

import contextlib

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from common.exports import CONTENT_TYPES, EXPORT_FORMATS, download_filename
from common.pagination import paged
from governance.selectors import record_history
from localities.models import OutcomeChangePoint, OutcomeExtract
from updates import outcome_extract, outcome_services, spreadsheet
from updates.outcome_forms import ChangePointForm, WithdrawForm
from updates.views.common import require_reviewer
from updates.views.spreadsheet import MemoryOnlyUploadHandler

EXTRACTS_PER_PAGE = 20
CHANGE_POINTS_PER_PAGE = 50
# The error summary lists this many problems; the table under the form has them all.
PROBLEMS_SUMMARISED = 100


def _extract_page(request, *, form, problems=(), sheet="", status=200):
    extracts = paged(
        request,
        OutcomeExtract.objects.select_related("loaded_by").order_by("-loaded_at", "-id"),
        per_page=EXTRACTS_PER_PAGE,
        parameter="page",
        label="the extracts loaded",
        anchor="extracts",
    )
    return render(
        request,
        "updates/outcome_extract.html",
        {
            "form": form,
            "problems": list(problems),
            "problems_summarised": list(problems)[:PROBLEMS_SUMMARISED],
            "sheet": sheet,
            "extracts": extracts,
            "max_upload_bytes": spreadsheet.max_upload_bytes(),
            "max_rows": outcome_extract.MAX_ROWS,
        },
        status=status,
    )


@csrf_exempt  # checked by csrf_protect in _extracts, once the upload handler is set
@require_http_methods(["GET", "HEAD", "POST"])
def extracts(request):
    require_reviewer(request)
    handler = MemoryOnlyUploadHandler(request, max_bytes=spreadsheet.max_upload_bytes())
    with contextlib.suppress(AttributeError):
        request.upload_handlers = [handler]
    return _extracts(request, handler)


@csrf_protect
def _extracts(request, handler):
    if request.method != "POST":
        return _extract_page(request, form=outcome_extract.ExtractForm())
    form = outcome_extract.ExtractForm(request.POST, request.FILES)
    if handler.too_large:
        form.is_valid()
        form.errors["extract"] = form.error_class([_too_large()])
        return _extract_page(request, form=form, status=413)
    if not form.is_valid():
        return _extract_page(request, form=form, status=400)
    uploaded = form.cleaned_data["extract"]
    if uploaded.size > spreadsheet.max_upload_bytes():
        form.add_error("extract", _too_large())
        return _extract_page(request, form=form, status=413)
    try:
        reading = outcome_extract.read_extract(
            uploaded.read(), file_name=uploaded.name, today=timezone.localdate()
        )
    except spreadsheet.Rejected as rejected:
        form.add_error("extract", rejected.message)
        return _extract_page(request, form=form, status=rejected.status)
    if reading.problems:
        return _extract_page(
            request, form=form, problems=reading.problems, sheet=reading.sheet, status=400
        )
    try:
        result = outcome_services.load_extract(
            rows=reading.rows,
            file_name=uploaded.name,
            source=form.cleaned_data["source"],
            by=request.user,
        )
    except ValidationError as error:
        for message in error.messages:
            form.add_error("extract", f"Nothing has been saved: {message}")
        return _extract_page(request, form=form, status=400)
    extract = result.extract
    months = (
        f"for {extract.first_month:%B %Y}"
        if extract.first_month == extract.last_month
        else f"from {extract.first_month:%B %Y} to {extract.last_month:%B %Y}"
    )
    messages.success(
        request,
        f"Extract loaded: {extract.rows:,} monthly figure{pluralize(extract.rows)} {months} "
        f"({result.new:,} new, {result.restated:,} restated, {result.unchanged:,} unchanged).",
    )
    return redirect("updates:outcome-extracts")


def _too_large() -> str:
    return (
        f"The file is larger than {spreadsheet.max_upload_bytes() // (1024 * 1024)} MB, so it "
        "was not read. Split the extract by month and load each file."
    )


@require_safe
def extract_template(request, export_format):
    require_reviewer(request)
    if export_format not in EXPORT_FORMATS:
        raise Http404("No such format")
    today = timezone.localdate()
    response = HttpResponse(
        outcome_extract.template_file(export_format, today=today),
        content_type=CONTENT_TYPES[export_format],
    )
    name = download_filename("outcome-extract-template", today=today, export_format=export_format)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- Change points ------------------------------------------------------------------


@require_safe
def change_points(request):
    require_reviewer(request)
    return render(
        request,
        "updates/change_points.html",
        {
            "change_points": paged(
                request,
                OutcomeChangePoint.objects.select_related(
                    "measure", "locality", "recorded_by"
                ).order_by("-month", "measure__name", "locality__name"),
                per_page=CHANGE_POINTS_PER_PAGE,
                parameter="page",
                label="the change points",
                anchor="change-points",
            ),
            "withdrawn": OutcomeChangePoint.history.filter(history_type="-")
            .select_related("history_user", "measure", "locality")
            .order_by("-history_date")[:CHANGE_POINTS_PER_PAGE],
        },
    )


def _put_on_form(form: forms.Form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        for each in errors:
            form.add_error(name if name in form.fields else None, each)


def _change_point_page(request, *, form, instance, withdraw_form=None, status=200, stale=False):
    return render(
        request,
        "updates/change_point_edit.html",
        {
            "form": form,
            "instance": instance,
            "adding": instance.pk is None,
            "stale": stale,
            "withdraw_form": withdraw_form or WithdrawForm(),
            "history": record_history(instance) if instance.pk else [],
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def change_point_add(request):
    require_reviewer(request)
    instance = OutcomeChangePoint()
    if request.method != "POST":
        return _change_point_page(
            request, form=ChangePointForm(instance=instance), instance=instance
        )
    form = ChangePointForm(request.POST, instance=instance)
    if not form.is_valid():
        return _change_point_page(request, form=form, instance=instance, status=400)
    try:
        outcome_services.record_change_point(change_point=form.save(commit=False), by=request.user)
    except ValidationError as error:
        _put_on_form(form, error)
        return _change_point_page(request, form=form, instance=instance, status=400)
    messages.success(request, "The change point is recorded.")
    return redirect("updates:change-points")


@require_http_methods(["GET", "HEAD", "POST"])
def change_point_edit(request, change_point):
    require_reviewer(request)
    instance = get_object_or_404(OutcomeChangePoint, pk=change_point)
    if request.method != "POST":
        form = ChangePointForm(instance=instance, initial={"loaded_version": instance.version})
        return _change_point_page(request, form=form, instance=instance)
    form = ChangePointForm(request.POST, instance=instance)
    if not form.is_valid():
        return _change_point_page(request, form=form, instance=instance, status=400)
    try:
        outcome_services.edit_change_point(
            change_point=form.save(commit=False),
            expected_version=form.cleaned_data["loaded_version"],
            by=request.user,
        )
    except outcome_services.StaleEdit as error:
        saved = OutcomeChangePoint.objects.get(pk=instance.pk)
        form.now_at(saved.version)
        form.add_error(None, error)
        return _change_point_page(request, form=form, instance=saved, status=409, stale=True)
    except ValidationError as error:
        _put_on_form(form, error)
        return _change_point_page(request, form=form, instance=instance, status=400)
    messages.success(request, "The change point is saved.")
    return redirect("updates:change-points")


@require_POST
def change_point_withdraw(request, change_point):
    require_reviewer(request)
    instance = get_object_or_404(OutcomeChangePoint, pk=change_point)
    withdraw_form = WithdrawForm(request.POST)
    form = ChangePointForm(instance=instance, initial={"loaded_version": instance.version})
    if not withdraw_form.is_valid():
        return _change_point_page(
            request, form=form, instance=instance, withdraw_form=withdraw_form, status=400
        )
    try:
        outcome_services.withdraw_change_point(
            change_point=instance,
            expected_version=withdraw_form.cleaned_data["version"],
            reason=withdraw_form.cleaned_data["withdraw_reason"],
            by=request.user,
        )
    except outcome_services.StaleEdit as error:
        withdraw_form.add_error(None, error)
        return _change_point_page(
            request, form=form, instance=instance, withdraw_form=withdraw_form, status=409
        )
    messages.success(request, "The change point is withdrawn; its history keeps it.")
    return redirect("updates:change-points")
