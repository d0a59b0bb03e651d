"""The PostgreSQL server the benchmarks' PostgreSQL rows run on:
``$B2BCORE_BENCH_POSTGRES_URL`` (default: the local server, user postgres,
database test). Each benchmark works in a schema of its own, dropped
afterwards; without a reachable server those rows are left out (said on
stderr)."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import uuid4

URL = os.environ.get(
    "B2BCORE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


@functools.cache
def problem() -> str | None:
    """Why PostgreSQL rows cannot run here; None when they can."""
    try:
        import psycopg  # noqa: PLC0415 - an optional extra
    except ImportError:
        return "psycopg is not installed (pip install b2bcore[postgres])"
    try:
        psycopg.connect(URL, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        return f"PostgreSQL at {URL} is not reachable: {error}".strip()
    return None


def available() -> bool:
    """Whether PostgreSQL rows run (when not, says why on stderr, once)."""
    reason = problem()
    if reason is not None:
        _say_once(reason)
    return reason is None


@functools.cache
def _say_once(reason: str) -> None:
    print(f"  PostgreSQL rows left out: {reason}", file=sys.stderr)


@contextmanager
def schema() -> Iterator[str]:
    """A database URL on a fresh schema, dropped afterwards."""
    import psycopg  # noqa: PLC0415

    name = f"b2b_bench_{uuid4().hex[:12]}"
    with psycopg.connect(URL, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {name}")
    try:
        yield f"{URL}?schema={name}"
    finally:
        with psycopg.connect(URL, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {name} CASCADE")
