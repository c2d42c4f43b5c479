"""Tooling lives in tools/ and the product never imports it; localcare/ is configuration only.

The benchmark, the load test, the scale-data generator, the illustrative-fixture
builder, page weights and backups may import the product; the product must run
without them. An AST scan, as in tests/test_architecture.py.
"""

from pathlib import Path

import pytest
from django.core.management import get_commands

from tests.test_architecture import imported_modules, imports_of

ROOT = Path(__file__).resolve().parent.parent
NOT_PRODUCT = {"tools", "tests"}


def product_packages() -> list[str]:
    """Every top-level package but tools and tests, so a new app is covered unasked."""
    return sorted(
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in NOT_PRODUCT
    )


def product_modules() -> list[Path]:
    return sorted(path for package in product_packages() for path in (ROOT / package).rglob("*.py"))


def test_the_product_packages_are_the_known_ones_at_least():
    assert {"localcare", "accounts", "common", "dashboard", "localities", "risks"} <= set(
        product_packages()
    )


@pytest.mark.parametrize("path", product_modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_product_module_imports_tools(path):
    assert not imports_of("tools", imported_modules(path.read_text(encoding="utf-8")))


def test_the_scan_would_see_an_import_of_tools():
    source = "def later():\n    from tools.scale import generate_scale_data\n"

    assert imports_of("tools", imported_modules(source)) == {
        "tools.scale",
        "tools.scale.generate_scale_data",
    }


def test_localcare_holds_configuration_only():
    """Settings, URLs, WSGI/ASGI and what settings wire in; no tooling, no commands."""
    modules = {
        str(path.relative_to(ROOT / "localcare")) for path in (ROOT / "localcare").rglob("*.py")
    }

    assert modules == {
        "__init__.py",
        "apps.py",
        "asgi.py",
        "database_deadline.py",
        "errors.py",
        "log_filters.py",
        "middleware.py",
        "settings.py",
        "storage.py",
        "urls.py",
        "wsgi.py",
    }


@pytest.mark.parametrize(
    "command", ["bench", "generate_scale_data", "build_illustrative_fixture", "backup", "restore"]
)
def test_the_tooling_commands_come_from_tools(command):
    assert get_commands()[command] == "tools"
