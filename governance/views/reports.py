"""The quarter's report to each board: the office writes and approves it; the board reads it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance import report_selectors, report_services
from governance.models import BoardReport
from governance.report_forms import ApproveForm, BoardReportForm
from localities import access


def _require_reader(request) -> None:
    if not access.can_view_dashboards(request.user):
        raise access.refuse(
            "board reports (no programme role)",
            message="Your account has no role in the Local Care programme yet.",
        )


def _require_office(request, report=None) -> None:
    if not access.can_write_board_reports(request.user):
        raise access.refuse(
            "writing board reports",
            report,
            message="Only the programme office writes and approves board reports.",
        )


def _report(request, pk: int) -> BoardReport:
    report = get_object_or_404(
        BoardReport.objects.select_related(
            "quarter__financial_year", "body", "meeting__body", "approved_by"
        ),
        pk=pk,
    )
    if not access.can_read_board_report(request.user, report):
        raise access.refuse(
            "reading a draft board report",
            report,
            message="Board members and leads read a board report once the programme office "
            "has approved it.",
        )
    return report


@require_GET
def report_list(request):
    _require_reader(request)
    is_office = access.can_write_board_reports(request.user)
    return render(
        request,
        "governance/reports/list.html",
        {
            "reports": list(report_selectors.board_reports(approved_only=not is_office)),
            "is_office": is_office,
        },
    )


@require_GET
def report_detail(request, report):
    report = _report(request, report)
    is_office = access.can_write_board_reports(request.user)
    return render(
        request,
        "governance/reports/detail.html",
        {
            "report": report,
            "is_office": is_office,
            "history": report_selectors.report_history(report=report) if is_office else [],
            "approve_form": ApproveForm(initial={"loaded_version": report.version}),
        },
    )


def _form_page(request, form, *, report=None, status=200):
    return render(
        request,
        "governance/reports/form.html",
        {"form": form, "report": report},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def report_create(request):
    _require_office(request)
    if request.method != "POST":
        return _form_page(request, BoardReportForm())
    form = BoardReportForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    try:
        report = report_services.create_board_report(by=request.user, **form.service_fields())
    except ValidationError as error:
        form.add_error(None, error)
        return _form_page(request, form, status=400)
    messages.success(request, "Board report saved as a draft.")
    return redirect("reports:detail", report=report.pk)


@require_http_methods(["GET", "HEAD", "POST"])
def report_edit(request, report):
    _require_office(request)
    report = _report(request, report)
    if request.method != "POST":
        return _form_page(request, BoardReportForm(instance=report), report=report)
    was_approved = report.status == BoardReport.Status.APPROVED
    form = BoardReportForm(request.POST, instance=report)
    if not form.is_valid():
        return _form_page(request, form, report=report, status=400)
    try:
        report_services.update_board_report(
            report=report,
            expected_version=form.cleaned_data["loaded_version"],
            by=request.user,
            **form.service_fields(),
        )
    except report_services.StaleEdit as stale:
        form.add_error(None, stale.messages[0])
        # The form now carries the saved version: saving again is then on purpose.
        form.data = form.data.copy()
        form.data["loaded_version"] = BoardReport.objects.values_list("version", flat=True).get(
            pk=report.pk
        )
        return _form_page(request, form, report=report, status=409)
    except ValidationError as error:
        form.add_error(None, error)
        return _form_page(request, form, report=report, status=400)
    if was_approved:
        messages.warning(
            request,
            "Board report saved. It was approved, so it is a draft again: the board will not "
            "see it until it is approved again.",
        )
    else:
        messages.success(request, "Board report saved.")
    return redirect("reports:detail", report=report.pk)


@require_POST
def report_approve(request, report):
    _require_office(request)
    report = _report(request, report)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _refused(request, report, form.errors["loaded_version"][0], status=400)
    try:
        report_services.approve_board_report(
            report=report, expected_version=form.cleaned_data["loaded_version"], by=request.user
        )
    except report_services.StaleEdit as stale:
        return _refused(request, report, stale.messages[0], status=409)
    except ValidationError as error:
        return _refused(request, report, error.messages[0], status=400)
    messages.success(request, "Board report approved: the board now reads it.")
    return redirect("reports:detail", report=report.pk)


def _refused(request, report, message: str, *, status: int):
    report.refresh_from_db()
    return render(
        request,
        "governance/reports/detail.html",
        {
            "report": report,
            "is_office": True,
            "history": report_selectors.report_history(report=report),
            "approve_form": ApproveForm(initial={"loaded_version": report.version}),
            "problem": message,
        },
        status=status,
    )
