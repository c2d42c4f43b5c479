"""Which localities a financial year is planned for.

One function, so that opening a year (updates.year_services) asks one place: today
every locality; once localities are dated (decision 0023), the localities in force
on the year's first day.
"""

from django.db.models import QuerySet

from localities.models import Locality, Objective


def localities_for_year(start_year: int) -> QuerySet:
    """The localities the year starting on 1 April `start_year` plans investment for."""
    return Locality.objects.order_by("name")


def objective_lineages(objectives) -> dict[int, list[tuple[int, int]]]:
    """Each objective with the ones it carries forward, newest first, as
    (objective id, start year of the year it was agreed for) pairs (decision 0024).

    One query, whatever the number of years; none when no objective continues one.
    """
    objectives = list(objectives)
    if not any(objective.continues_id for objective in objectives):
        return {
            objective.id: [(objective.id, objective.financial_year.start_year)]
            for objective in objectives
        }
    rows = {
        pk: (continues_id, start_year)
        for pk, continues_id, start_year in Objective.objects.values_list(
            "id", "continues_id", "financial_year__start_year"
        )
    }
    lineages = {}
    for objective in objectives:
        lineage, pk = [], objective.id
        while pk is not None and pk in rows and len(lineage) <= len(rows):
            continues_id, start_year = rows[pk]
            lineage.append((pk, start_year))
            pk = continues_id
        lineages[objective.id] = lineage
    return lineages
