"""Rebuild, or check, what is derived from programme data: for writes that bypass Django."""

from django.core.management.base import BaseCommand, CommandError

from risks.review_dates import expected_stamps, restamp_superseded, stored_stamps


def _differences(stored: dict, expected: dict) -> list:
    return sorted(
        key for key in stored.keys() | expected.keys() if stored.get(key) != expected.get(key)
    )


class Command(BaseCommand):
    help = (
        "Recompute what is derived from programme data: each risk review's superseded_on "
        "(from the reviews' dates). Writes through Django keep it up to date themselves; "
        "run this after changing those rows outside Django (SQL, a partial restore). With "
        "--check, change nothing and fail if anything stored differs from what it derives "
        "from. (Kent and Medway's outcome totals are no longer stored: issue 18 sums the "
        "monthly figures.)"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Compare only; exit 1 if anything is stale."
        )

    def handle(self, *args, check=False, **options):
        if check:
            stale_reviews = _differences(stored_stamps(), expected_stamps())
            if stale_reviews:
                raise CommandError(
                    f"{len(stale_reviews)} reviews' superseded_on from the reviews' dates "
                    "are stale. Run manage.py refresh_derived_data."
                )
            self.stdout.write("Review dates match what they derive from.")
            return
        restamped = restamp_superseded()
        self.stdout.write(f"{restamped} reviews' superseded_on corrected.")
