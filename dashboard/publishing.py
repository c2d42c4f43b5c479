"""Publishing the board pack: the PDF the board read, made once and kept unchanged.

The programme office asks (`request_publication`); the request saves a
PublishedPack in status "publishing" and, once that commits, starts
`manage.py publish_board_pack <id>` in a detached subprocess (`launch`), so no
web request waits for Chromium. The command (`publish`) renders the pack with
Django as the office user would see it (approved updates only, the pack's
quarter), hands the HTML to headless Chromium through Playwright with
/static/ served from disk (no HTTP round trip, no signed link: decision 0017),
prints a tagged A4 PDF with an outline, and stores the bytes, their size,
sha256 and page count and the dashboard data version in one write. Any
failure marks the pack "failed" with a message for the office and stores no
PDF. Published packs never change: a correction is a new version with its reason.
"""

import datetime
import hashlib
import logging
import mimetypes
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.staticfiles import finders
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest, QueryDict
from django.urls import resolve, reverse
from django.utils import timezone

from dashboard.caching import data_version
from dashboard.periods import QUARTER_PARAMETER
from governance.models import BoardReport, PublishedPack
from localities import access
from localities.models import GovernanceBody, Quarter

logger = logging.getLogger(__name__)

# The pack is served to Chromium from this address, which never leaves the
# process: every request to it is answered by a Playwright route handler.
PUBLISH_ORIGIN = "http://board-pack.publish.invalid"
# A "publishing" pack older than this is taken to have died with its process
# (killed, out of memory): it is marked failed, and the office may try again.
STALE_AFTER = datetime.timedelta(minutes=10)
# How long the page may wait for its charts to say they have drawn.
CHARTS_READY_TIMEOUT_MS = 5_000
# Failure messages are kept to the model's note length.
FAILURE_MAX = 900

DEFAULT_CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


class PublishingRefused(Exception):
    """The office asked for something that cannot be done now; the message says why."""


class PublishingFailed(Exception):
    """Making the PDF failed; the message is for the office."""


def chromium_path() -> str:
    return settings.BOARD_PACK_CHROMIUM


def publish_timeout_seconds() -> int:
    return settings.BOARD_PACK_PUBLISH_TIMEOUT


def can_publish_packs(user) -> bool:
    """Only the programme office publishes (a superuser too, as everywhere)."""
    return access.is_programme_office(user)


def pdf_filename(pack: PublishedPack) -> str:
    """e.g. local-care-board-pack-2018-19-q2-lcib-v1.pdf"""
    body = re.sub(r"[^a-z0-9]+", "-", str(pack.body).lower()).strip("-") or "board"
    return f"local-care-board-pack-{pack.quarter.slug}-{body}-v{pack.number}.pdf"


# --- asking to publish (the web request) ------------------------------------------


def _mark_stale_as_failed(*, quarter: Quarter, body: GovernanceBody) -> None:
    cutoff = timezone.now() - STALE_AFTER
    for stale in PublishedPack.objects.without_pdf().filter(
        quarter=quarter,
        body=body,
        status=PublishedPack.Status.PUBLISHING,
        requested_at__lt=cutoff,
    ):
        stale.status = PublishedPack.Status.FAILED
        stale.failure = "Publishing did not finish (the process stopped). Nothing was published."
        stale._change_reason = "Publishing did not finish"
        stale.save(update_fields=["status", "failure"])


@transaction.atomic
def request_publication(
    *, user, quarter: Quarter, body: GovernanceBody, reason: str = "", start=None
) -> PublishedPack:
    """Save the next version in status "publishing" and start making its PDF.

    Refuses (PublishingRefused) while another version of the same quarter's
    pack for the same board is still publishing, and a version after the
    first without a reason. `start(pack_id)` runs after the commit
    (default: `launch`, a detached subprocess).
    """
    if not can_publish_packs(user):
        raise access.refuse(
            "publishing the board pack",
            quarter,
            message="Only the programme office publishes the board pack.",
        )
    # One publish at a time per quarter and board: the quarter's row is the lock
    # (two offices pressing at once queue here; the second sees the first's row).
    Quarter.objects.select_for_update().filter(pk=quarter.pk).first()
    _mark_stale_as_failed(quarter=quarter, body=body)
    versions = PublishedPack.objects.without_pdf().filter(quarter=quarter, body=body)
    if versions.filter(status=PublishedPack.Status.PUBLISHING).exists():
        raise PublishingRefused(
            f"The {quarter.label} pack for {body} is being published already. "
            "Wait for it to finish, then publish a correction if one is needed."
        )
    reason = (reason or "").strip()
    if not reason and versions.filter(status=PublishedPack.Status.PUBLISHED).exists():
        raise PublishingRefused(
            "This quarter's pack for this board is published already: "
            "say why the new version corrects it."
        )
    # A failed attempt keeps its row and its number; the next attempt takes the next one.
    number = (versions.aggregate(n=Max("number"))["n"] or 0) + 1
    if number > 1 and not reason:
        # Nothing is published yet, only failed attempts: say so (a version after 1 has a reason).
        reason = "Earlier attempts to publish failed."
    pack = PublishedPack(
        quarter=quarter,
        body=body,
        board_report=BoardReport.objects.filter(
            quarter=quarter, body=body, status=BoardReport.Status.APPROVED
        ).first(),
        number=number,
        correction_reason=reason,
        requested_by=user,
    )
    pack.full_clean()
    pack._change_reason = f"Publishing requested (version {number})"
    pack.save()
    launcher = start or launch
    transaction.on_commit(lambda: launcher(pack.pk))
    return pack


# The commands this process started: held so each is reaped when it ends
# (a Popen dropped while its child runs would leave a zombie behind).
_launched: list[subprocess.Popen] = []


def launch(pack_id: int) -> None:
    """Start `manage.py publish_board_pack <id>` detached: the request never waits for it."""
    _launched[:] = [process for process in _launched if process.poll() is None]
    manage = Path(settings.BASE_DIR) / "manage.py"
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and script, an integer argument)
        [sys.executable, str(manage), "publish_board_pack", str(int(pack_id))],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,  # its failures are on the pack and in the log (stderr)
        start_new_session=True,  # not killed with the web worker
        close_fds=True,
        env=os.environ.copy(),
    )
    _launched.append(process)


# --- making and storing the PDF (the management command) --------------------------


@dataclass(frozen=True)
class MadePdf:
    content: bytes
    sha256: str
    page_count: int


def publish(pack_id: int, *, make_pdf=None) -> PublishedPack:
    """Make the pack's PDF and store it; on any failure mark it failed, storing nothing.

    Returns the pack as it ends (published or failed).
    """
    pack = (
        PublishedPack.objects.without_pdf()
        .select_related("quarter__financial_year", "body", "requested_by")
        .get(pk=pack_id)
    )
    if pack.status != PublishedPack.Status.PUBLISHING:
        raise PublishingRefused(f"{pack} is {pack.get_status_display().lower()}, not publishing.")
    version = data_version()
    try:
        html = render_pack_html(pack)
        made = (make_pdf or pdf_from_html)(html, title=pack_title(pack))
    except Exception as error:  # noqa: BLE001 (every failure is the office's message)
        logger.exception("Publishing %s failed", pack)
        return _fail(pack, _failure_message(error))
    return _store(pack, made, data_version=version)


def pack_title(pack: PublishedPack) -> str:
    return f"Local Care board pack, {pack.quarter.label}, {pack.body} (version {pack.number})"


@transaction.atomic
def _store(pack: PublishedPack, made: MadePdf, *, data_version) -> PublishedPack:
    locked = PublishedPack.objects.without_pdf().select_for_update().get(pk=pack.pk)
    if (
        locked.status != PublishedPack.Status.PUBLISHING
    ):  # pragma: no cover (marked stale meanwhile)
        return locked
    pack.pdf = made.content
    pack.pdf_bytes = len(made.content)
    pack.sha256 = made.sha256
    pack.page_count = made.page_count
    pack.data_version = str(data_version)
    pack.status = PublishedPack.Status.PUBLISHED
    pack.published_at = timezone.now()
    pack.full_clean()
    pack._change_reason = f"Published version {pack.number}"
    pack.save()
    return pack


@transaction.atomic
def _fail(pack: PublishedPack, message: str) -> PublishedPack:
    pack.status = PublishedPack.Status.FAILED
    pack.failure = message[:FAILURE_MAX]
    pack.pdf = None
    pack._change_reason = "Publishing failed"
    pack.save(update_fields=["status", "failure", "pdf"])
    return pack


def _failure_message(error: Exception) -> str:
    if isinstance(error, PublishingFailed):
        return str(error)
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return f"The PDF could not be made: {text}. Nothing was published; try again, or tell the system's administrators."


class _PackRenderSession(SessionBase):
    """No session store: the pack is rendered for a user, not for a browser."""

    def exists(self, session_key):  # pragma: no cover
        return False

    def load(self):
        return {}


def render_pack_html(pack: PublishedPack) -> str:
    """The board pack's HTML as the office user who asked would see it (no preview)."""
    from dashboard.views.board_pack import BOARD_PARAMETER, board_pack  # the page, as served

    path = reverse("dashboard:board-pack")
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.GET = QueryDict(mutable=True)
    request.GET[QUARTER_PARAMETER] = pack.quarter.slug
    # The cover sheet is the report to this pack's board, not the page's default board.
    request.GET[BOARD_PARAMETER] = str(pack.body_id)
    request.META = {"SERVER_NAME": "board-pack.publish.invalid", "SERVER_PORT": "80"}
    request.user = pack.requested_by
    request.session = _PackRenderSession()
    request.resolver_match = resolve(path)
    request.publishing_pdf = True  # the published-packs block stays off the PDF
    response = board_pack(request)
    if response.status_code != 200:
        raise PublishingFailed(
            f"The board pack for {pack.quarter.label} could not be shown "
            f"(status {response.status_code}). Nothing was published."
        )
    return response.content.decode(response.charset or "utf-8")


def _static_file(url_path: str) -> Path | None:
    """The file behind a /static/ URL: collectstatic's copy, else the app folders."""
    relative = url_path[len(settings.STATIC_URL) :].split("?")[0]
    if ".." in Path(relative).parts:
        return None
    root = Path(settings.STATIC_ROOT) / relative
    if root.is_file():
        return root
    found = finders.find(relative)
    return Path(found) if found else None


A4_VIEWPORT = {"width": 794, "height": 1123}
PAGE_MARKER = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def count_pages(content: bytes) -> int:
    """Pages in a Chromium (Skia) PDF: its page objects are never in compressed streams."""
    return len(PAGE_MARKER.findall(content))


def pdf_from_html(html: str, *, title: str) -> MadePdf:
    """Print `html` to a tagged A4 PDF with an outline in headless Chromium."""
    executable = chromium_path()
    if not Path(executable).exists():
        raise PublishingFailed(
            f"Chromium is not installed on the server ({executable} is missing), so the PDF "
            "could not be made. Nothing was published. Ask the system's administrators to "
            "install Debian's chromium package (docs/deploy.md)."
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover (a requirement)
        raise PublishingFailed("Playwright is not installed; nothing was published.") from error

    timeout_ms = publish_timeout_seconds() * 1000
    page_url = f"{PUBLISH_ORIGIN}{reverse('dashboard:board-pack')}"
    body = html.encode("utf-8")

    def answer(route):
        url = route.request.url
        if url.split("#")[0] == page_url:
            return route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)
        if url.startswith(PUBLISH_ORIGIN + settings.STATIC_URL):
            found = _static_file(url[len(PUBLISH_ORIGIN) :])
            if found is not None:
                kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
                return route.fulfill(status=200, content_type=kind, body=found.read_bytes())
            return route.fulfill(status=404, body=b"")
        return route.abort()  # nothing leaves the machine

    def print_pdf() -> bytes:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable,
                args=list(DEFAULT_CHROMIUM_ARGS),
                timeout=timeout_ms,
            )
            try:
                # A4's width at 96 dpi: the charts draw at the width they print at, so
                # that nothing is wider than the page and Chromium never shrinks it.
                context = browser.new_context(
                    java_script_enabled=True, locale="en-GB", viewport=A4_VIEWPORT
                )
                context.set_default_timeout(timeout_ms)
                context.route("**/*", answer)
                page = context.new_page()
                page.goto(page_url, wait_until="networkidle")
                page.evaluate("document.fonts.ready.then(() => true)")
                _wait_for_charts(page)
                # The PDF's title names the board and the version, not only the page.
                page.evaluate("title => { document.title = title; }", title)
                page.emulate_media(media="print")
                return page.pdf(
                    format="A4",
                    prefer_css_page_size=True,
                    print_background=True,
                    tagged=True,
                    outline=True,
                )
            finally:
                browser.close()

    try:
        # In a thread of its own: Playwright's sync API refuses a thread that runs an
        # asyncio loop (an ASGI server's, or a test process whose browser tests hold
        # Playwright open), and this thread may.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="publish-pdf") as pool:
            content = pool.submit(print_pdf).result()
    except PublishingFailed:  # pragma: no cover
        raise
    except Exception as error:
        first = (str(error).splitlines() or [type(error).__name__])[0]
        raise PublishingFailed(
            f"Chromium could not print the pack ({first}). Nothing was published; "
            "try again, or tell the system's administrators."
        ) from error
    return MadePdf(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        page_count=count_pages(content),
    )


def _wait_for_charts(page) -> None:
    """Charts say so on <body data-charts-ready> once drawn; a page without charts never does."""
    if page.evaluate("() => !!document.querySelector('[data-chart], canvas, svg.app-chart')"):
        try:
            page.wait_for_selector("body[data-charts-ready]", timeout=CHARTS_READY_TIMEOUT_MS)
        except Exception:  # noqa: BLE001 (print what has drawn rather than fail)
            logger.warning("Charts did not say they were ready; printing what has drawn")
