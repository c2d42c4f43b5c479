import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tools import backups


class Command(BaseCommand):
    help = (
        "Replace everything in the database with a backup made by `manage.py backup`. "
        "Asks for confirmation unless --no-input is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The backup file.")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation (make restore FILE=... CONFIRM=yes).",
        )

    def handle(self, *args, file, interactive, **options):
        if interactive:
            self._confirm(file)
        try:
            backups.restore(path=file)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {backups.describe_database()} from {file}.")

    def _confirm(self, file: Path) -> None:
        question = (
            f"This replaces everything in the {backups.describe_database()} with {file}.\n"
            "Changes made since that backup will be lost. Type 'yes' to continue: "
        )
        if not sys.stdin.isatty():
            raise CommandError(
                "Not restoring without confirmation. Run it in a terminal, or pass "
                "--no-input (make restore FILE=... CONFIRM=yes)."
            )
        if input(question).strip().lower() != "yes":
            raise CommandError("Nothing restored.")
