"""Rag owns how severe each status is and what a missing one is called: its Python
rule (`Rag.severity`) and SQL twin (`Rag.severity_case`) agree on every row."""

from django.db.models import OuterRef, Subquery

from localities.models import NO_STATUS, Objective, Rag
from tests import factories
from updates.models import ObjectiveStatus


def test_severity_in_python_and_sql_agree_on_every_status_and_none(db):
    year = factories.financial_year()
    update = factories.quarterly_update(period=factories.quarter(year))
    for number, rag in enumerate(Rag, start=1):
        ObjectiveStatus.objects.create(
            update=update, objective=factories.objective(year, number), rag=rag
        )
    factories.objective(year, len(Rag) + 1)  # no status: the rag below is NULL
    rows = list(
        Objective.objects.annotate(
            rag=Subquery(ObjectiveStatus.objects.filter(objective=OuterRef("pk")).values("rag"))
        )
        .annotate(severity=Rag.severity_case("rag"))
        .values_list("rag", "severity")
    )

    assert {rag for rag, _ in rows} == {*Rag.values, None}
    assert all(severity == Rag.severity(rag) for rag, severity in rows), rows


def test_severity_puts_the_worst_news_first_and_no_status_last():
    ranked = sorted([*Rag, None], key=Rag.severity)

    assert ranked == [Rag.RED, Rag.AMBER, Rag.NOT_STARTED, Rag.GREEN, Rag.COMPLETE, None]


def test_a_board_reads_counts_worst_first_with_not_started_last():
    assert Rag.in_board_order() == (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE, Rag.NOT_STARTED)


def test_labels():
    assert [Rag.label_for(rag) for rag in [*Rag, None, ""]] == [
        "Red",
        "Amber",
        "Green",
        "Complete",
        "Not started",
        NO_STATUS,
        NO_STATUS,
    ]
    assert NO_STATUS == "No status"
