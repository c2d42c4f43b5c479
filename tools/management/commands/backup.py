from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tools import backups


class Command(BaseCommand):
    help = (
        "Back up the whole database into BACKUP_DIR (default backups/) with a timestamped "
        "name: pg_dump custom format on PostgreSQL, a consistent copy on SQLite. "
        "Prints the file's path."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory", type=Path, help="Where to write it (default: the BACKUP_DIR setting)."
        )

    def handle(self, *args, directory=None, **options):
        try:
            path = backups.backup(directory=directory or backups.default_directory())
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        # The path alone, so that scripts can use it: FILE=$(manage.py backup).
        self.stdout.write(str(path))
