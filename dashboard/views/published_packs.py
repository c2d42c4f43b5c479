"""Publishing the board pack (programme office) and downloading a published PDF (board).

The publish page starts the PDF (dashboard.publishing) and returns at once;
the pack page lists every version and polls the one still publishing. A
download is the stored bytes, never a new render.
"""

from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from dashboard import publishing
from dashboard.forms import PublishPackForm
from dashboard.periods import dashboard_page
from dashboard.selectors.published_packs import downloadable_pack, published_packs_of
from dashboard.views.base import BOARD, board_view, require_dashboard_access
from governance.models import PublishedPack
from localities import access


def published_packs_context(request, page) -> dict:
    """What templates/governance/includes/published_packs.html needs (nothing on the PDF)."""
    if getattr(request, "publishing_pdf", False):
        return {"published_packs": None}
    return {
        "published_packs": published_packs_of(page.quarter),
        "can_publish_packs": publishing.can_publish_packs(request.user),
    }


@require_http_methods(["GET", "HEAD", "POST"])
def publish_pack(request):
    """The programme office publishes the quarter's pack for a board (GET: the form)."""
    require_dashboard_access(request.user)
    if not publishing.can_publish_packs(request.user):
        raise access.refuse(
            "publishing the board pack",
            message="Only the programme office publishes the board pack.",
        )
    page = dashboard_page(request)
    status = 200
    if request.method == "POST":
        form = PublishPackForm(request.POST)
        if form.is_valid():
            try:
                pack = publishing.request_publication(
                    user=request.user,
                    quarter=page.quarter,
                    body=form.cleaned_data["body"],
                    reason=form.cleaned_data["reason"],
                )
            except publishing.PublishingRefused as refused:
                busy = "being published already" in str(refused)
                form.add_error(None if busy else "reason", str(refused))
                status = 409 if busy else 400
            else:
                return HttpResponseRedirect(
                    reverse("dashboard:board-pack")
                    + page.query_string
                    + f"#published-pack-{pack.pk}"
                )
        else:
            status = 400
    else:
        form = PublishPackForm()
    return render(
        request,
        "dashboard/publish_pack.html",
        {"page": page, "form": form, "published_packs": published_packs_of(page.quarter)},
        status=status,
    )


publish_pack.access = BOARD  # and the programme office only, checked inside


@never_cache
@board_view
def published_pack_status(request, page, pk: int):
    """A version's status, for the pack page's poll (JSON; no PDF read)."""
    pack = (
        PublishedPack.objects.without_pdf()
        .select_related("quarter__financial_year", "body")
        .filter(pk=pk)
        .first()
    )
    if pack is None:
        return JsonResponse({"status": "missing"}, status=404)
    answer = {"status": pack.status, "label": pack.get_status_display()}
    if pack.status == PublishedPack.Status.PUBLISHED:
        answer["message"] = (
            f"Published: version {pack.number} for {pack.body} is ready to download."
        )
        answer["download_url"] = reverse("dashboard:published-pack-pdf", args=[pack.pk])
        answer["published_at"] = date_format(timezone.localtime(pack.published_at), "j F Y, H:i")
        answer["download_label"] = f"Download version {pack.number} (PDF, {pack.page_count} pages)"
    elif pack.status == PublishedPack.Status.FAILED:
        answer["message"] = f"Publishing failed: {pack.failure}"
    else:
        answer["message"] = f"Publishing version {pack.number} for {pack.body}…"
    return JsonResponse(answer)


@board_view
def download_published_pack(request, page, pk: int):
    """The PDF as published: the stored bytes, one query, never cached by the browser."""
    try:
        pack = downloadable_pack(pk)
    except PublishedPack.DoesNotExist:
        raise Http404("There is no published pack with that number.") from None
    response = HttpResponse(bytes(pack.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{publishing.pdf_filename(pack)}"'
    response["Content-Length"] = str(pack.pdf_bytes or len(pack.pdf))
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
