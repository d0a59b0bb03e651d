"""The domain package imports only the standard library, eventsourcing and
attrs (import-linter checks the same in `make lint`)."""

from __future__ import annotations

import ast
import sys
from importlib.metadata import entry_points
from pathlib import Path

import b2bcore
from b2bcore.application.storage import BACKENDS

ALLOWED = {"eventsourcing", "attrs", "b2bcore"}
#: Store modules are chosen by configuration (a URL), never imported.
STORE_MODULES = {"eventsourcing.sqlite", "eventsourcing.postgres", "sqlite3"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


PACKAGE = Path(b2bcore.__file__).parent
#: The test kit for embedders: it alone may import pytest and hypothesis.
TEST_KIT = PACKAGE / "testing"


def domain_imports() -> dict[str, set[str]]:
    return {
        str(path.relative_to(PACKAGE)): imported_modules(path)
        for path in sorted(PACKAGE.rglob("*.py"))
        if TEST_KIT not in path.parents
    }


def test_the_domain_imports_only_stdlib_eventsourcing_and_attrs() -> None:
    offending = {
        module: sorted(
            name
            for name in names
            if name.split(".")[0] not in ALLOWED | sys.stdlib_module_names
        )
        for module, names in domain_imports().items()
    }

    assert {module: names for module, names in offending.items() if names} == {}


def test_the_domain_names_no_store_module_in_its_imports() -> None:
    offending = {
        module: sorted(names & STORE_MODULES)
        for module, names in domain_imports().items()
        if names & STORE_MODULES
    }

    assert offending == {}


def test_no_domain_module_imports_the_test_kit() -> None:
    offending = {
        module: sorted(n for n in names if n.startswith("b2bcore.testing"))
        for module, names in domain_imports().items()
    }

    assert {module: names for module, names in offending.items() if names} == {}


def test_the_test_kit_imports_only_the_domain_pytest_and_hypothesis() -> None:
    allowed = ALLOWED | {"pytest", "hypothesis"} | sys.stdlib_module_names
    offending = {
        str(path.relative_to(PACKAGE)): sorted(
            n for n in imported_modules(path) if n.split(".")[0] not in allowed
        )
        for path in sorted(TEST_KIT.glob("*.py"))
    }

    assert {module: names for module, names in offending.items() if names} == {}


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("import psycopg\nfrom rich.table import Table\n")

    assert imported_modules(module) == {"psycopg", "rich.table"}


def test_the_domain_names_no_adapter_even_as_a_topic() -> None:
    """The domain finds its stores through the ``b2bcore.backends`` entry
    points: no module of it names an adapter module in a string either (a
    topic import-linter could not see)."""
    topic = "b2bcore_adapters."
    naming = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and topic in node.value
    )

    assert naming == []


def test_every_url_scheme_is_registered_by_the_adapters() -> None:
    registered = {e.name: e.value for e in entry_points(group=BACKENDS)}

    assert set(registered) == {"memory", "sqlite", "postgresql", "postgres"}
    assert all(
        v.startswith("b2bcore_adapters.persistence.backends:")
        for v in registered.values()
    )
