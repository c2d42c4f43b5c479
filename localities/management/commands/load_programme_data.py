import io

from django.core.management import call_command
from django.core.management.base import BaseCommand

from localities.models import Locality

FIXTURES = ("reference", "illustrative")


class Command(BaseCommand):
    help = (
        "Load the Kent and Medway reference data and the illustrative demo data, "
        "once: does nothing when localities already exist, so edits are never overwritten."
    )

    def handle(self, *args, **options):
        if Locality.objects.exists():
            self.stdout.write("Programme data already loaded; leaving it as it is.")
            return
        call_command("loaddata", *FIXTURES, verbosity=options["verbosity"])
        # loaddata saves raw rows, which django-simple-history does not record;
        # give every loaded row its initial history entry. (Models whose
        # many-to-many links already wrote history while loading are skipped,
        # and say so on stderr: expected, so kept out of the output.)
        call_command("populate_history", auto=True, verbosity=0, stderr=io.StringIO())
        self.stdout.write(f"Loaded fixtures: {', '.join(FIXTURES)}.")
