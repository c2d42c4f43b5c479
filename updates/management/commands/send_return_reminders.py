"""E-mail locality leads whose quarterly update is due soon or overdue (run daily from cron)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from updates import reminders


class Command(BaseCommand):
    help = (
        "E-mail every lead of each locality whose current quarterly update is not yet "
        "submitted and is due within --days days or overdue."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=reminders.DEFAULT_DAYS,
            help=f"Remind about returns due within this many days (default {reminders.DEFAULT_DAYS}).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the e-mails that would be sent, and send nothing.",
        )

    def handle(self, *args, days: int, dry_run: bool, **options):
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        rows = reminders.returns_for_reminders(today=timezone.localdate())
        report = reminders.send_reminders(reminders.due_reminders(rows, days=days), dry_run=dry_run)

        verb = "Would e-mail" if dry_run else "E-mailed"
        for reminder in report.sent:
            self.stdout.write(
                f"{verb} {reminder.user.get_username()} <{reminder.user.email}>: "
                f"{reminders.reminder_subject(reminder)}"
            )
        for reminder in report.no_address:
            self.stderr.write(
                f"Skipped {reminder.user.get_username()}: no e-mail address "
                f"(lead for {reminder.locality.name}, {reminder.quarter.label} "
                f"{reminder.row.status_label.lower()}). Add one in the admin."
            )
        for reminder, error in report.failed:
            self.stderr.write(
                f"Could not e-mail {reminder.user.get_username()} <{reminder.user.email}>: {error}"
                " (kept in the outbox: send_outbox tries again)"
            )
        already = (
            f", {len(report.already_queued)} already sent or queued today"
            if report.already_queued
            else ""
        )
        self.stdout.write(
            f"{len(report.sent)} reminder{'' if len(report.sent) == 1 else 's'} "
            f"{'would be sent' if dry_run else 'sent'}, {len(report.no_address)} skipped "
            f"(no e-mail address), {len(report.failed)} failed{already}."
        )
        if report.failed:
            raise CommandError(f"{len(report.failed)} reminder(s) could not be sent.")
