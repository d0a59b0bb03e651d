"""The module paths before the folders still import, for one release, with
a DeprecationWarning naming where each is now; they hold the very same
objects."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from b2bcore._moved import MOVED as DOMAIN_MOVED
from b2bcore_adapters._moved import MOVED as ADAPTERS_MOVED

MOVED = {**DOMAIN_MOVED, **ADAPTERS_MOVED}


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_path_imports_the_module_it_moved_to(old: str) -> None:
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=MOVED[old].replace(".", r"\.")):
        before = importlib.import_module(old)
    now = importlib.import_module(MOVED[old])

    shared = {n for n in vars(now) if not n.startswith("__")}
    assert shared
    assert all(getattr(before, n) is getattr(now, n) for n in shared)


def test_the_packages_that_were_modules_still_give_their_names() -> None:
    application = importlib.import_module("b2bcore.application")
    audit = importlib.import_module("b2bcore.audit")

    assert application.B2BCore is importlib.import_module("b2bcore").B2BCore
    assert audit.ChainStatus.__module__ == "b2bcore.audit.verification"


def test_python_m_runs_the_module_an_old_path_moved_to() -> None:
    """``python -m b2bcore_adapters.runner`` in a deployment still starts
    the runner (b2bcore_adapters.entrypoints.runner)."""
    done = subprocess.run(
        [sys.executable, "-m", "b2bcore_adapters.runner", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "usage: b2bcore-runner" in done.stdout
