"""What installing b2bcore gives: typed packages, one command line (also as
``python -m``), the test kit's pytest plugin, bounded dependencies and a
pinned development environment."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib.metadata import entry_points, requires
from pathlib import Path
from types import ModuleType

import pytest

import b2bcore
import b2bcore_adapters

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize(
    "package", [b2bcore, b2bcore_adapters], ids=lambda p: p.__name__
)
def test_both_packages_are_marked_typed(package: ModuleType) -> None:
    assert package.__file__ is not None
    assert (Path(package.__file__).parent / "py.typed").is_file()


def test_one_command_line_and_the_test_kit_plugin_are_installed() -> None:
    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    plugins = {e.name: e.value for e in entry_points(group="pytest11")}

    assert scripts["b2b"] == "b2bcore_adapters.__main__:main"
    assert "b2bcore-demo" not in scripts
    assert plugins["b2bcore"] == "b2bcore.testing.fixtures"


@pytest.mark.parametrize(
    ("module", "expected"),
    [("b2bcore_adapters", "Usage: b2b"), ("b2bcore", "b2b --help")],
)
def test_python_dash_m_runs(module: str, expected: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert expected in done.stdout


def test_every_dependency_a_user_installs_has_an_upper_bound() -> None:
    # The dev extra's tools are pinned by requirements-dev.lock instead.
    unbounded = [
        r
        for r in requires("b2bcore") or []
        if not r.startswith("b2bcore")
        and "extra == 'dev'" not in r
        and "<" not in r.split(";")[0]
    ]

    assert unbounded == []


def test_the_lock_pins_every_dependency_of_the_dev_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pinned = {
        re.split(r"==", line)[0].lower().replace("_", "-")
        for line in (ROOT / "requirements-dev.lock").read_text().splitlines()
        if line and not line.startswith("#")
    }
    wanted = [
        re.split(r"[\[<>=;]", r)[0].lower()
        for extra in project["project"]["optional-dependencies"].values()
        for r in extra
        if not r.startswith("b2bcore")
    ]

    assert set(wanted) <= pinned


def test_every_public_name_loads_from_the_package() -> None:
    """``b2bcore`` loads its modules on first use: every name it lists is
    there, and each is the one its module defines."""
    for name in b2bcore.__all__:
        value = getattr(b2bcore, name)
        assert getattr(sys.modules[value.__module__], name) is value, name
