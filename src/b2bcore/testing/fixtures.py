"""pytest fixtures for a fresh application, one per test; registered with
pytest by b2bcore's ``pytest11`` entry point (plugin ``b2bcore``).

``b2b_core`` runs a test once on memory and once on a SQLite file;
``b2b_memory_core`` and ``b2b_sqlite_core`` pick one. Every application's
clock is fixed on ``b2b_today`` (override that fixture to move it) and its
actor is ``"tester"``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from b2bcore.application.core import B2BCore
from b2bcore.domain.clock import FixedClock
from b2bcore.testing import Scenario

__all__ = [
    "b2b_core",
    "b2b_memory_core",
    "b2b_scenario",
    "b2b_sqlite_core",
    "b2b_today",
]


@pytest.fixture
def b2b_today() -> date:
    """The business date every fixture's clock stands on."""
    return date(2024, 6, 1)


@pytest.fixture
def b2b_memory_core(b2b_today: date) -> Iterator[B2BCore]:
    """A fresh application in memory."""
    with B2BCore.open("memory://", actor="tester", clock=FixedClock(b2b_today)) as core:
        yield core


@pytest.fixture
def b2b_sqlite_core(tmp_path: Path, b2b_today: date) -> Iterator[B2BCore]:
    """A fresh application on a SQLite file of the test's own directory."""
    url = f"sqlite:///{tmp_path / 'b2bcore.db'}"
    with B2BCore.open(url, actor="tester", clock=FixedClock(b2b_today)) as core:
        yield core


@pytest.fixture(params=["memory", "sqlite"])
def b2b_core(request: pytest.FixtureRequest) -> B2BCore:
    """Each fresh application in turn: memory, then SQLite."""
    core: B2BCore = request.getfixturevalue(f"b2b_{request.param}_core")
    return core


@pytest.fixture
def b2b_scenario(b2b_core: B2BCore) -> Scenario:
    """A given/when/then scenario on each fresh application in turn."""
    return Scenario(b2b_core)
