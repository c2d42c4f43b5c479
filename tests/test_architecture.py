"""Where shared code lives, checked by reading each module's imports.

The order the apps import in (docs/architecture.md) is import-linter's job:
the contracts in pyproject.toml, run by `make lint` and CI. These AST scans
hold what the shared helpers need: one home each for exports, money and the
"Programme-wide" label (docs/security.md, "Formula injection").
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("localcare", "dashboard", "updates", "risks", "localities", "accounts", "tools")


def imported_modules(source: str) -> set[str]:
    """Every module the source imports, and every `module.name` it imports from one."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def python_files(package: str) -> list[Path]:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, package
    return files


def imports_of(module: str, imported: set[str]) -> set[str]:
    return {name for name in imported if name == module or name.startswith(f"{module}.")}


@pytest.mark.parametrize("path", python_files("risks"), ids=lambda path: path.name)
def test_the_risks_app_does_not_import_the_dashboard(path):
    assert not imports_of("dashboard", imported_modules(path.read_text()))


@pytest.mark.parametrize("path", python_files("common"), ids=lambda path: path.name)
def test_common_imports_no_app(path):
    imported = imported_modules(path.read_text())
    assert not {name for app in APPS for name in imports_of(app, imported)}


def test_the_export_helpers_have_one_home():
    """No module imports them from the dashboard, where they used to be."""
    moved = {
        f"dashboard.exports.{name}"
        for name in ("neutralise_formula", "SafeTableExport", "EXPORT_FORMATS")
    }
    for package in ("dashboard", "risks", "localities", "accounts", "localcare", "tests"):
        for path in python_files(package):
            assert not moved & imported_modules(path.read_text()), path


def test_the_scan_sees_every_form_of_import():
    source = (
        "import dashboard\n"
        "import dashboard.exports as exports\n"
        "from dashboard.exports import neutralise_formula\n"
        "def later():\n"
        "    from dashboard import tables\n"
    )

    imported = imported_modules(source)

    assert imports_of("dashboard", imported) == {
        "dashboard",
        "dashboard.exports",
        "dashboard.exports.neutralise_formula",
        "dashboard.tables",
    }
    assert not imports_of("dash", imported)


def test_money_is_written_in_one_place():
    """common.money is the only pounds(): no module imports the dashboard's old copy,
    and no other module defines one (the locality chart had its own, half-to-even)."""
    assert not (ROOT / "dashboard" / "money_format.py").exists()
    for package in ("dashboard", "risks", "localities", "accounts", "localcare", "common", "tests"):
        for path in python_files(package):
            source = path.read_text()
            assert "dashboard.money_format" not in imported_modules(source), path
            defined = {
                node.name
                for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.FunctionDef)
            }
            if path != ROOT / "common" / "money.py":
                assert "pounds" not in defined, path


def test_programme_wide_is_named_in_one_place():
    """What a risk or milestone with no locality is called: localities.models.PROGRAMME_WIDE.
    (Admin, risk pages, milestone register and the risk download each once wrote it.)"""
    for package in ("dashboard", "risks", "localities", "accounts", "localcare", "common"):
        for path in python_files(package):
            if path == ROOT / "localities" / "models.py" or "migrations" in path.parts:
                continue
            literals = {
                node.value
                for node in ast.walk(ast.parse(path.read_text()))
                if isinstance(node, ast.Constant)
            }
            assert "Programme-wide" not in literals, path
