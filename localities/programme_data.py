"""Loading the programme data: the fixtures, then the reorganisations they lived through.

One function for `load_programme_data` and the tests' session fixture, so both
load the same. The reorganisations (fixtures/reorganisations.json) are not
rows to load but events to record: each goes through
localities.reorganisation_services.record_reorganisation, which ends and
starts rows and writes the successions, exactly as the programme office's page
would.

The spec's format: {"reorganisations": [{"effective_date": "YYYY-MM-DD",
"title", "description", "source", "is_illustrative", "changes": [{"level":
"commissioner" | "sub_system" | "locality", "kind": "merged_into" |
"split_into" | "renamed" | "became", "predecessors": [names of rows in force],
"successors": [{"name", "slug"?, "kind"?, "short_name"?, "sub_system"?} for a
new row, or {"existing": name}]}]}]}, recorded in the order given.
"""

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from localities.reorganisation_services import (
    LOADER,
    MODELS,
    Change,
    NewSuccessor,
    record_reorganisation,
)

FIXTURES = ("reference", "structure", "governance", "illustrative")
REORGANISATIONS = Path(settings.BASE_DIR) / "fixtures" / "reorganisations.json"


def load_programme_fixtures(*, verbosity: int = 0, before_reorganisations=None) -> None:
    """Load every fixture, then record the reorganisations of the spec.

    `before_reorganisations`: called in between (the tests keep the rows as they
    were before the reorganisations, to show that recording them changes no page
    of an earlier quarter).
    """
    call_command("loaddata", *FIXTURES, verbosity=verbosity)
    if before_reorganisations is not None:
        before_reorganisations()
    record_reorganisations(read_reorganisations())


def read_reorganisations(path: Path = REORGANISATIONS) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["reorganisations"]


def changes_from_spec(entries: list[dict]) -> list[Change]:
    """The spec's changes, with every named row read from the database."""
    changes = []
    for entry in entries:
        model = MODELS[entry["level"]]
        successors = tuple(
            model.objects.get(name=successor["existing"])
            if "existing" in successor
            else NewSuccessor(**successor)
            for successor in entry["successors"]
        )
        changes.append(
            Change(
                level=entry["level"],
                kind=entry["kind"],
                predecessors=tuple(model.objects.get(name=name) for name in entry["predecessors"]),
                successors=successors,
            )
        )
    return changes


def record_reorganisations(specs: list[dict]) -> None:
    for spec in specs:
        record_reorganisation(
            by=LOADER,
            effective_date=datetime.date.fromisoformat(spec["effective_date"]),
            title=spec["title"],
            description=spec.get("description", ""),
            source=spec.get("source", ""),
            is_illustrative=spec.get("is_illustrative", False),
            changes=changes_from_spec(spec["changes"]),
            carry_leads=True,
        )
