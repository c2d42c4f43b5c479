"""Add synthetic data at N times the real programme (see tools.scale)."""

from django.core.management.base import BaseCommand, CommandError

from tools.scale import ScaleDataError, generate_scale_data


class Command(BaseCommand):
    help = (
        "Add synthetic, illustrative localities with MDTs, updates and risks so the database "
        "holds about FACTOR times the real programme. Adds on top of what is loaded; running "
        "it again adds another batch."
    )

    def add_arguments(self, parser):
        parser.add_argument("--factor", type=int, required=True, help="1 adds nothing.")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **options):
        if options["factor"] < 1:
            raise CommandError("--factor must be at least 1.")
        try:
            report = generate_scale_data(factor=options["factor"], seed=options["seed"])
        except ScaleDataError as error:
            raise CommandError(str(error)) from error

        width = max([len("Total"), *map(len, report.created)])
        self.stdout.write(f"{'Model':<{width}}  {'Rows':>9}")
        for label, count in report.created.items():
            self.stdout.write(f"{label:<{width}}  {count:>9,}")
        self.stdout.write(f"{'Total':<{width}}  {report.total_rows:>9,}")
        self.stdout.write(
            f"Factor {report.factor}, seed {report.seed}: {report.total_rows:,} rows and "
            f"{report.history_rows:,} history rows in {report.seconds:.1f} s."
        )
