"""Download a quarterly update as an XLSX template, and upload it back.

The upload is read into memory only (never a temporary file on disk), and
no more than UPDATE_UPLOAD_MAX_BYTES of it: the upload handler is set before
Django parses the request body, which is why the view is CSRF-exempt on the
outside and CSRF-protected on the inside (Django's documented pattern for
changing upload handlers).
"""

import contextlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import MemoryFileUploadHandler, StopUpload
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from updates import services, spreadsheet
from updates.views.common import find_update, require_can_edit

STALE_UPLOAD_MESSAGE = (
    "Someone saved this update after your spreadsheet was downloaded, so nothing from it "
    "has been saved. Download the spreadsheet again, copy your changes into it and upload "
    "that."
)


@require_safe
def download(request, locality, quarter):
    target = find_update(locality, quarter)
    require_can_edit(request, target)
    content = spreadsheet.build_workbook(target.update)
    response = HttpResponse(content, content_type=spreadsheet.CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="{spreadsheet.file_name(target.update)}"'
    )
    # Unpublished programme data: no shared or browser cache keeps a copy.
    patch_cache_control(response, private=True, no_store=True)
    return response


class MemoryOnlyUploadHandler(MemoryFileUploadHandler):
    """Keep uploaded files in memory whatever their size, and stop reading past a limit."""

    def __init__(self, request=None, *, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0
        self.too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # The parent only keeps small files in memory; here every file is kept in
        # memory, and the limit below is what bounds it.
        self.activated = True

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.too_large = True
            # Drop the file and read past the rest of the body (connection_reset=False),
            # so that the page can say what went wrong.
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)


@csrf_exempt  # checked by csrf_protect in _upload, once the upload handler is set
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request, locality, quarter):
    target = find_update(locality, quarter)
    require_can_edit(request, target)
    handler = MemoryOnlyUploadHandler(request, max_bytes=spreadsheet.max_upload_bytes())
    # If a middleware has already read the body, this cannot be set (AttributeError);
    # the file's size is still checked before it is read.
    with contextlib.suppress(AttributeError):
        request.upload_handlers = [handler]
    return _upload(request, target, handler)


@csrf_protect
def _upload(request, target, handler):
    form = spreadsheet.UploadForm()
    problems = []
    status = 200
    locked = None
    try:
        spreadsheet.check_editable(target.update)
    except spreadsheet.Rejected as rejected:
        locked = rejected.message

    if request.method == "POST":
        form = spreadsheet.UploadForm(request.POST, request.FILES)
        if locked:
            status = 400
        elif handler.too_large:
            # The file was dropped unread: say why, rather than that none was chosen.
            status = 413
            form.is_valid()
            form.errors["spreadsheet"] = form.error_class([spreadsheet.too_large_message()])
        elif not form.is_valid():
            status = 400
        else:
            status, problems = _apply(request, target, form)
            if status is None:
                messages.success(
                    request,
                    f"Spreadsheet uploaded: the {target.locality} {target.quarter} update "
                    "has been saved as a draft.",
                )
                return redirect(target.url("detail"))

    return render(
        request,
        "updates/upload.html",
        {
            "target": target,
            "form": form,
            "problems": problems,
            "locked": locked,
            "locked_error": bool(locked) and request.method == "POST",
            "max_upload_bytes": spreadsheet.max_upload_bytes(),
        },
        status=status,
    )


def _apply(request, target, form) -> tuple[int | None, list]:
    """Read, check and save the uploaded file: (HTTP status, problems); None once saved."""
    uploaded = form.cleaned_data["spreadsheet"]
    if uploaded.size > spreadsheet.max_upload_bytes():
        form.add_error("spreadsheet", spreadsheet.too_large_message())
        return 413, []
    try:
        reading = spreadsheet.read_workbook(uploaded.read(), update=target.update)
    except spreadsheet.Rejected as rejected:
        form.add_error("spreadsheet", rejected.message)
        return rejected.status, []
    if reading.problems:
        return 400, reading.problems
    try:
        services.save_draft(
            locality=target.locality,
            quarter=target.quarter,
            sections=reading.cleaned(),
            expected_version=reading.version,
            by=request.user,
            how="Imported spreadsheet",
        )
    except services.StaleEdit:
        form.add_error("spreadsheet", STALE_UPLOAD_MESSAGE)
        return 409, []
    except ValidationError as error:
        # Locked since the page was loaded, or a rule only the database checks.
        for message in error.messages:
            form.add_error("spreadsheet", f"Nothing has been saved: {message}")
        return 400, []
    return None, []
