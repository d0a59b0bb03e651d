"""Fixtures shared by every kind of test.

``store_url`` runs a test once per store: memory, a SQLite file and a fresh
PostgreSQL schema. PostgreSQL is taken from ``$B2BCORE_TEST_POSTGRES_URL``
(default: the local server, user postgres, database test). Without it the
PostgreSQL runs skip with the reason; under ``CI=true`` they fail instead.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit
from uuid import uuid4

import pytest

from b2bcore import B2BCore, FixedClock

# The test kit's fixtures (b2b_core, b2b_memory_core, b2b_sqlite_core,
# b2b_scenario) come from the installed package's pytest11 entry point, as
# for an embedder.

POSTGRES_URL = os.environ.get(
    "B2BCORE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
#: A second PostgreSQL server, for tenants on two servers (``make test``
#: starts one on port 5433: tests/services/second_postgres.sh).
SECOND_POSTGRES_URL = os.environ.get(
    "B2BCORE_TEST_POSTGRES2_URL", "postgresql://postgres@127.0.0.1:5433/test"
)
TODAY = date(2024, 6, 1)


def _postgres_problem(server: str) -> str | None:
    try:
        import psycopg  # noqa: PLC0415 - an optional extra
    except ImportError:
        return "psycopg is not installed (pip install b2bcore[postgres])"
    try:
        psycopg.connect(server, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        return f"PostgreSQL at {server} is not reachable: {error}".strip()
    return None


def require_postgres(server: str = POSTGRES_URL) -> None:
    """Skip (or, under CI, fail) when PostgreSQL is not there."""
    problem = _postgres_problem(server)
    if problem is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true needs PostgreSQL: {problem}")
    pytest.skip(problem)


@contextmanager
def postgres_schema(server: str = POSTGRES_URL) -> Iterator[str]:
    """A database URL on a fresh PostgreSQL schema of ``server``, dropped
    afterwards with every schema named after it (a tenant's)."""
    require_postgres(server)
    import psycopg  # noqa: PLC0415

    schema = f"b2b_test_{uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{server}?schema={schema}"
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            for (name,) in connection.execute(
                "SELECT schema_name FROM information_schema.schemata"
                " WHERE schema_name LIKE %s",
                (f"{schema}%",),
            ).fetchall():
                connection.execute(f"DROP SCHEMA {name} CASCADE")


@contextmanager
def fresh_store(kind: str) -> Iterator[str]:
    """The URL of a new, empty store of ``kind`` (memory, sqlite, postgres),
    for tests that need one per hypothesis example."""
    if kind == "memory":
        yield "memory://"
    elif kind == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{Path(directory) / 'b2bcore.db'}"
    else:
        with postgres_schema() as url:
            yield url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with postgres_schema() as url:
        yield url


@pytest.fixture
def second_postgres_url() -> Iterator[str]:
    """A fresh schema on the second PostgreSQL server."""
    with postgres_schema(SECOND_POSTGRES_URL) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'b2bcore.db'}"


@pytest.fixture(params=["sqlite_url", "postgres_url"])
def durable_url(request: pytest.FixtureRequest) -> str:
    """Each store that outlives its process in turn: SQLite, PostgreSQL."""
    url: str = request.getfixturevalue(request.param)
    return url


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest) -> str:
    """Each store in turn: the contract every store must keep."""
    if request.param == "memory":
        return "memory://"
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
def move_target(durable_url: str, tmp_path: Path) -> str:
    """An empty place of ``durable_url``'s kind for a tenant to move to (a
    file beside the test's, a schema named after the test's)."""
    if durable_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'elsewhere.db'}"
    return f"{durable_url}_elsewhere"  # the URL ends with ?schema=NAME


def store_left(url: str) -> bool:
    """Whether anything is stored at a SQLite or PostgreSQL ``url``: its
    file, or its schema."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return Path(parts.path[1:]).exists()
    import psycopg  # noqa: PLC0415 (an optional extra)

    with psycopg.connect(parts._replace(query="").geturl()) as connection:
        found = connection.execute(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s",
            (dict(parse_qsl(parts.query))["schema"],),
        ).fetchone()
    return found != (0,)


@pytest.fixture
def core(store_url: str) -> Iterator[B2BCore]:
    with B2BCore.open(store_url, actor="tester", clock=FixedClock(TODAY)) as opened:
        yield opened


@pytest.fixture
def memory_core() -> Iterator[B2BCore]:
    """An in-memory application for unit tests."""
    with B2BCore.open("memory://", actor="tester", clock=FixedClock(TODAY)) as opened:
        yield opened
