"""Move the dashboards' data version on: for writes that bypass Django (a restore)."""

from django.core.management.base import BaseCommand

from dashboard.caching import bump_data_version, data_version


class Command(BaseCommand):
    help = (
        "Mark every cached dashboard page out of date. Run after changing programme data "
        "outside Django, such as restoring a database backup; writes through Django do it "
        "themselves."
    )

    def handle(self, *args, **options):
        bump_data_version()
        self.stdout.write(f"Dashboard data version is now {data_version()}.")
