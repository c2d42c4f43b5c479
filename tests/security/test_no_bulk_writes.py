"""No write may bypass django-simple-history without saying why.

History is recorded by each model's save() and delete() signals. These write
without them, so leave no history row: `QuerySet.update()`, `bulk_update()`,
`bulk_create()`, and raw SQL. (`QuerySet.delete()` does send the signals, so
it is recorded, but it is easy to mistake for the others; it is held to the
same rule.) This test reads the source of the apps that hold programme data
and fails on any of them unless the line, or the line above it, says
`# history: <why this is safe>` — for example the optimistic-lock version
claim in updates.services, which is followed by a save that records the
change with who and why.

`bulk_create_with_history()` (django-simple-history's own) records history and
needs no comment.
"""

import ast
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SCANNED_APPS = ("localities", "risks", "governance", "updates", "dashboard", "common", "tools")
# The benchmark creates and drops its own databases over a separate server connection
# (CREATE/DROP DATABASE): no rows of the app's, so nothing for history to record.
NOT_SCANNED = {"tools/bench.py"}

# Methods that return a queryset from a queryset or manager.
QUERYSET_METHODS = {
    "all",
    "alias",
    "annotate",
    "defer",
    "distinct",
    "exclude",
    "filter",
    "none",
    "only",
    "order_by",
    "prefetch_related",
    "reverse",
    "select_for_update",
    "select_related",
    "using",
}
MANAGERS = {"objects", "_base_manager", "_default_manager", "history"}
ALWAYS_BULK = {"bulk_update", "bulk_create", "raw"}
SQL_WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE|TRUNCATE|MERGE|COPY|ALTER|DROP)\b", re.I)
EXPLANATION = re.compile(r"#\s*history:\s*\S")


@dataclass(frozen=True)
class Write:
    path: str
    line: int
    what: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.what}"


def _is_queryset(node: ast.AST, querysets: set[str]) -> bool:
    """Whether an expression is (very likely) a queryset or a manager."""
    if isinstance(node, ast.Attribute):
        return node.attr in MANAGERS or node.attr.endswith("_set")
    if isinstance(node, ast.Name):
        return node.id in querysets
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in QUERYSET_METHODS or _is_queryset(node.func.value, querysets)
    return False


def _queryset_names(tree: ast.AST) -> set[str]:
    """Names assigned a queryset anywhere in the module (`risks = Risk.objects.filter(...)`)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _is_queryset(node.value, set()):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    return names


def unrecorded_writes(source: str, path: str = "<source>") -> list[Write]:
    """Writes in `source` that bypass history and do not say why that is safe."""
    tree = ast.parse(source)
    lines = source.splitlines()
    querysets = _queryset_names(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        method, receiver = node.func.attr, node.func.value
        what = None
        if method in ALWAYS_BULK:
            what = f".{method}()"
        elif method in ("update", "delete") and _is_queryset(receiver, querysets):
            what = f"queryset .{method}()"
        elif method in ("execute", "executemany"):
            sql = node.args[0] if node.args else None
            literal = isinstance(sql, ast.Constant) and isinstance(sql.value, str)
            if not literal or SQL_WRITE.search(sql.value):
                what = "raw SQL that may write"
        if what is None:
            continue
        nearby = lines[max(node.lineno - 2, 0) : node.end_lineno]
        if not any(EXPLANATION.search(line) for line in nearby):
            found.append(Write(path, node.lineno, what))
    return found


def app_sources() -> list[Path]:
    return sorted(
        path
        for app in SCANNED_APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and str(path.relative_to(ROOT)) not in NOT_SCANNED
    )


def test_no_write_bypasses_history_without_saying_why():
    writes = [
        write
        for path in app_sources()
        for write in unrecorded_writes(
            path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))
        )
    ]

    assert not writes, "Writes that leave no history row (add `# history: <why>` if safe):\n" + (
        "\n".join(map(str, writes))
    )


def test_the_allowed_writes_are_the_known_ones():
    """Each `# history:` exception is reviewed: a new one must be added here on purpose."""
    explained = {
        str(path.relative_to(ROOT)): len(EXPLANATION.findall(path.read_text(encoding="utf-8")))
        for path in app_sources()
    }

    assert {path: count for path, count in explained.items() if count} == {
        "localities/management/commands/load_programme_data.py": 1,
        "updates/services.py": 1,
        "risks/review_dates.py": 1,
        "risks/services.py": 1,
        "governance/services.py": 1,  # the action version claim (issue 17)
        "governance/report_services.py": 1,  # the board report version claim (issue 17)
        "updates/outcome_services.py": 1,  # the change point version claim (issue 18)
        "tools/scale.py": 1,
    }


# --- The check itself -------------------------------------------------------------------

CAUGHT = {
    "filter update": "Risk.objects.filter(pk=1).update(title='x')",
    "related manager update": "update.raised_risks.filter(proposed_risk=None).update(title='x')",
    "reverse manager update": "locality.milestone_set.update(status='complete')",
    "manager update": "Milestone.objects.update(status='complete')",
    "named queryset update": "risks = Risk.objects.filter(status='open')\nrisks.update(status='x')",
    "queryset delete": "Risk.objects.filter(pk=1).delete()",
    "bulk_update": "Risk.objects.bulk_update(risks, ['title'])",
    "bulk_create": "Milestone._base_manager.bulk_create(rows)",
    "raw": "Risk.objects.raw('SELECT * FROM risks_risk')",
    "SQL update": "cursor.execute('UPDATE risks_risk SET title = %s', ['x'])",
    "SQL from a variable": "cursor.execute(statement)",
    "comment elsewhere": "# history: about something else\n\nRisk.objects.filter(pk=1).update(x=1)",
    "empty explanation": "Risk.objects.filter(pk=1).update(x=1)  # history:",
}
LEFT_ALONE = {
    "dict update": "context.update(section=section, errors=[])",
    "dict update from a mapping": "layout.update(overrides)",
    "instance delete": "row.delete()",
    "instance save": "risk.save()",
    "history-recording bulk create": "bulk_create_with_history(objs, Risk, batch_size=100)",
    "SQL read": "cursor.execute('SELECT 1')",
    "explained on the line": "Risk.objects.filter(pk=1).update(v=2)  # history: the save records it",
    "explained above": "# history: the save below records it\nRisk.objects.filter(pk=1).update(v=2)",
    "explained in a long call": (
        "# history: the save below records it\n"
        "claimed = Risk.objects.filter(\n    pk=1, version=1\n).update(version=2)"
    ),
}


@pytest.mark.parametrize("source", CAUGHT.values(), ids=CAUGHT.keys())
def test_the_check_catches(source):
    assert len(unrecorded_writes(textwrap.dedent(source))) == 1


@pytest.mark.parametrize("source", LEFT_ALONE.values(), ids=LEFT_ALONE.keys())
def test_the_check_leaves_alone(source):
    assert unrecorded_writes(textwrap.dedent(source)) == []
