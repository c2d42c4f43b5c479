"""Send the e-mails waiting in the outbox (run every few minutes from cron)."""

from django.core.management.base import BaseCommand, CommandError

from updates import outbox
from updates.models import OutboxMessage


class Command(BaseCommand):
    help = (
        "Send every e-mail in the outbox not yet sent: those whose first try, right after "
        "the event, failed, and any queued while the mail server was down. Each is sent "
        "once (a second run at the same time skips the ones this run holds); a failure "
        "is recorded on the message and tried again next run. Exits 0 even when some "
        "fail: they stay queued, and the review page shows them as not sent yet."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit",
            type=int,
            default=None,
            help="Send at most this many, oldest first (default: all).",
        )

    def handle(self, *args, limit: int | None, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be 1 or more.")
        report = outbox.send_queued(limit=limit)
        for message in report.sent:
            self.stdout.write(f"Sent to {message.to_address}: {message.subject}")
        for message in report.failed:
            self.stderr.write(
                f"Not sent to {message.to_address} (attempt {message.attempts}): "
                f"{message.last_error}"
            )
        waiting = OutboxMessage.objects.unsent().count()
        self.stdout.write(
            f"{len(report.sent)} sent, {len(report.failed)} failed, "
            f"{report.skipped} being sent by another run; {waiting} waiting in the outbox."
        )
