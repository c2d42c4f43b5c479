"""Publishing the board pack: the PDF the board read, stored and never changed (issue 17)."""

import io
import re
from html import unescape
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from dashboard import publishing
from governance.models import PublishedPack
from localities.models import GovernanceBody, Quarter

pytestmark = pytest.mark.django_db


def latest_quarter():
    from dashboard.periods import quarters_with_updates

    return quarters_with_updates(("approved",))[-1]


@pytest.fixture
def lcib(programme_data):
    return GovernanceBody.objects.order_by("name").first()


def fake_pdf(html, *, title):
    content = b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n%%EOF"
    return publishing.MadePdf(content=content, sha256="a" * 64, page_count=1)


def requested(office_user, lcib, *, reason=""):
    return publishing.request_publication(
        user=office_user, quarter=latest_quarter(), body=lcib, reason=reason, start=lambda pk: None
    )


# --- asking to publish -------------------------------------------------------------


def test_publishing_saves_a_version_and_starts_the_command_after_commit(
    office_user, lcib, django_capture_on_commit_callbacks
):
    started = []
    with django_capture_on_commit_callbacks(execute=True):
        pack = publishing.request_publication(
            user=office_user, quarter=latest_quarter(), body=lcib, start=started.append
        )
    assert started == [pack.pk]
    assert pack.status == PublishedPack.Status.PUBLISHING
    assert pack.number == 1
    assert pack.history.first().history_change_reason == "Publishing requested (version 1)"


def test_launch_starts_the_command_detached(settings):
    with mock.patch("dashboard.publishing.subprocess.Popen") as popen:
        publishing.launch(7)
    arguments, options = popen.call_args
    assert arguments[0][-2:] == ["publish_board_pack", "7"]
    assert options["start_new_session"] is True


def test_a_second_publish_while_one_is_publishing_is_refused(office_user, lcib):
    requested(office_user, lcib)
    with pytest.raises(publishing.PublishingRefused, match="being published already"):
        requested(office_user, lcib, reason="Again")
    assert PublishedPack.objects.count() == 1


def test_a_publish_left_publishing_too_long_is_marked_failed(office_user, lcib):
    from django.utils import timezone

    first = requested(office_user, lcib)
    PublishedPack.objects.filter(pk=first.pk).update(
        requested_at=timezone.now() - publishing.STALE_AFTER * 2
    )
    second = requested(office_user, lcib)
    first.refresh_from_db()
    assert first.status == PublishedPack.Status.FAILED
    assert "did not finish" in first.failure
    assert second.number == 2
    assert second.correction_reason == "Earlier attempts to publish failed."


def test_a_correction_needs_its_reason_and_the_old_version_stays(office_user, lcib):
    first = requested(office_user, lcib)
    publishing.publish(first.pk, make_pdf=fake_pdf)
    with pytest.raises(publishing.PublishingRefused, match="say why"):
        requested(office_user, lcib)
    second = requested(office_user, lcib, reason="Thanet's spend was corrected")
    assert second.number == 2
    assert second.correction_reason == "Thanet's spend was corrected"
    first.refresh_from_db()
    assert first.status == PublishedPack.Status.PUBLISHED


def test_only_the_programme_office_publishes(board_user, lcib):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        requested(board_user, lcib)
    assert not PublishedPack.objects.exists()


# --- making and storing the PDF ----------------------------------------------------


def test_a_published_pack_never_changes(office_user, lcib):
    pack = publishing.publish(requested(office_user, lcib).pk, make_pdf=fake_pdf)
    assert pack.status == PublishedPack.Status.PUBLISHED
    pack.correction_reason = "Quietly changed"
    with pytest.raises(ValidationError, match="never changes"):
        pack.save()
    with pytest.raises(ValidationError, match="never changes"):
        pack.delete()
    with pytest.raises(publishing.PublishingRefused):
        publishing.publish(pack.pk, make_pdf=fake_pdf)


def test_missing_chromium_fails_with_a_message_and_stores_nothing(office_user, lcib, settings):
    settings.BOARD_PACK_CHROMIUM = "/nonexistent/chromium"
    pack = publishing.publish(requested(office_user, lcib).pk)
    pack.refresh_from_db()
    assert pack.status == PublishedPack.Status.FAILED
    assert "Chromium is not installed" in pack.failure
    assert "Nothing was published" in pack.failure
    assert pack.pdf is None
    assert pack.sha256 == ""
    assert pack.published_at is None
    assert not PublishedPack.objects.published().exists()


def test_a_chromium_that_fails_to_start_fails_the_pack(office_user, lcib, settings, tmp_path):
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    settings.BOARD_PACK_CHROMIUM = str(broken)
    settings.BOARD_PACK_PUBLISH_TIMEOUT = 10
    pack = publishing.publish(requested(office_user, lcib).pk)
    assert pack.status == PublishedPack.Status.FAILED
    assert "Chromium could not print the pack" in pack.failure
    assert PublishedPack.objects.get(pk=pack.pk).pdf is None


def test_a_pack_that_cannot_be_shown_fails(office_user, lcib):
    pack = requested(office_user, lcib)
    with mock.patch("dashboard.views.board_pack.board_pack") as view:
        view.return_value = mock.Mock(status_code=404)
        failed = publishing.publish(pack.pk, make_pdf=fake_pdf)
    assert failed.status == PublishedPack.Status.FAILED
    assert "could not be shown" in failed.failure


def test_an_unexpected_error_is_a_failure_for_the_office(office_user, lcib):
    def broken(html, *, title):
        raise RuntimeError("disk full")

    pack = publishing.publish(requested(office_user, lcib).pk, make_pdf=broken)
    assert pack.status == PublishedPack.Status.FAILED
    assert pack.failure.startswith("The PDF could not be made: disk full.")


def test_the_command_reports_a_missing_or_failed_pack(office_user, lcib, settings):
    with pytest.raises(CommandError, match="no published pack 999999"):
        call_command("publish_board_pack", "999999")
    settings.BOARD_PACK_CHROMIUM = "/nonexistent/chromium"
    pack = requested(office_user, lcib)
    with pytest.raises(CommandError, match="Chromium is not installed"):
        call_command("publish_board_pack", str(pack.pk))
    with pytest.raises(CommandError, match="is failed, not publishing"):
        call_command("publish_board_pack", str(pack.pk))


def test_static_files_outside_static_are_not_served():
    assert publishing._static_file("/static/../manage.py") is None
    assert publishing._static_file("/static/js/print-button.js").name == "print-button.js"


@pytest.fixture
def published_with_chromium(office_user, lcib, chromium_available):
    pack = requested(office_user, lcib)
    out = io.StringIO()
    call_command("publish_board_pack", str(pack.pk), stdout=out)
    pack = PublishedPack.objects.get(pk=pack.pk)
    assert "pages" in out.getvalue()
    return pack


@pytest.fixture
def chromium_available():
    from pathlib import Path

    from tests.conftest import CHROMIUM, IN_CI

    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing")


def structure_types(reader: PdfReader) -> set[str]:
    """Every structure element type (/S) in the tagged PDF's structure tree."""
    seen: set[str] = set()

    def walk(node):
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for kid in node:
                walk(kid)
        elif hasattr(node, "get"):
            if "/S" in node:
                seen.add(str(node["/S"]))
            if "/K" in node:
                walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return seen


def tagged_text(reader: PdfReader) -> str:
    """The text drawn inside marked content with an MCID: what the structure tree reads."""
    found: list[str] = []
    for page in reader.pages:
        stack: list[bool] = []

        def before(operator, arguments, cm, tm, stack=stack):
            if operator == b"BDC":
                properties = arguments[1] if len(arguments) > 1 else {}
                stack.append(hasattr(properties, "get") and "/MCID" in properties)
            elif operator == b"BMC":
                stack.append(False)
            elif operator == b"EMC" and stack:
                stack.pop()

        def text(value, cm, tm, font, size, stack=stack):
            if any(stack):
                found.append(value)

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return " ".join(" ".join(found).split())


def flatten_titles(outline):
    for item in outline:
        if isinstance(item, list):
            yield from flatten_titles(item)
        else:
            yield item.title


def test_the_published_pdf_is_the_tagged_pack(published_with_chromium):
    pack = published_with_chromium
    quarter = Quarter.objects.select_related("financial_year").get(pk=pack.quarter_id)
    assert pack.status == PublishedPack.Status.PUBLISHED
    content = bytes(pack.pdf)
    import hashlib

    assert pack.sha256 == hashlib.sha256(content).hexdigest()
    assert pack.pdf_bytes == len(content)
    assert pack.data_version
    reader = PdfReader(io.BytesIO(content))
    assert pack.page_count == len(reader.pages) >= 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Local Care board pack" in text
    assert f"As at {quarter.label}" in text
    assert "Thanet" in text
    assert "Published versions" not in text  # the office's block is not in the paper
    root = reader.trailer["/Root"]
    assert str(root["/Lang"]).lower() == "en-gb"
    assert reader.metadata.title == (
        f"Local Care board pack, {quarter.label}, {pack.body} (version {pack.number})"
    )
    assert root["/MarkInfo"]["/Marked"]
    types = structure_types(reader)
    assert {"/H1", "/Table", "/TH"} <= types, types
    # A section's text summary is read in the tagged text (not only drawn on the page).
    html = publishing.render_pack_html(pack)
    summary = re.search(r'id="pack-milestones".*?<p>(.*?)</p>', html, re.DOTALL).group(1)
    summary = " ".join(unescape(summary).split())
    assert len(summary) > 20
    reading = tagged_text(reader)
    assert summary[:40] in reading, (summary, reading[:500])
    # And each chart's summary, once the pack has charts (templates/includes/chart.html).
    for caption in re.findall(
        r'<figcaption class="app-chart__summary[^"]*"[^>]*>(.*?)</figcaption>', html, re.DOTALL
    ):
        text = " ".join(unescape(re.sub(r"<[^>]+>", "", caption)).split())
        assert text[:40] in reading, text
    outline_titles = list(flatten_titles(reader.outline))
    assert "Local Care board pack" in outline_titles
    assert any("Milestones needing attention" in title for title in outline_titles), outline_titles
