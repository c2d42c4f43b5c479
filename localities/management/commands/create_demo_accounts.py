from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from localities.demo import DEMO_PASSWORD, create_demo_accounts


class Command(BaseCommand):
    help = "Create the demo accounts (development only: refuses when DEBUG is off)."

    def handle(self, *args, **options):
        try:
            usernames = create_demo_accounts()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Demo accounts ready (password {DEMO_PASSWORD!r}): {', '.join(usernames)}"
        )
