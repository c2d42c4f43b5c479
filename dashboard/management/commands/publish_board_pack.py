"""Make and store a published board pack's PDF (started by the publish view, detached)."""

from django.core.management.base import BaseCommand, CommandError

from dashboard.publishing import PublishingRefused, publish
from governance.models import PublishedPack


class Command(BaseCommand):
    help = (
        "Print the board pack of a PublishedPack in status 'publishing' to a tagged PDF "
        "with headless Chromium and store it; on failure mark it failed (nothing stored)."
    )

    def add_arguments(self, parser):
        parser.add_argument("pack_id", type=int)

    def handle(self, *args, pack_id, **options):
        try:
            pack = publish(pack_id)
        except PublishedPack.DoesNotExist as error:
            raise CommandError(f"There is no published pack {pack_id}.") from error
        except PublishingRefused as error:
            raise CommandError(str(error)) from error
        if pack.status == PublishedPack.Status.FAILED:
            raise CommandError(f"{pack}: {pack.failure}")
        self.stdout.write(
            f"{pack}: {pack.page_count} pages, {pack.pdf_bytes} bytes, sha256 {pack.sha256}"
        )
