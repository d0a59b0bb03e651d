"""Moving a tenant's store whole to another place of the same kind, for
``Tenants.move``: every table — the log with its positions, snapshots, read
models, hash chain, vault keys, idempotency keys, delivery log — so the
copy's hash chain and signed checkpoints verify as the original's did.

``with moved(source, target):`` copies the store and holds the source
against writers while the caller verifies the copy and switches to it: on
PostgreSQL one repeatable-read transaction holds a SHARE lock on every table
of the source (writers and runners wait for it) and copies them from one
snapshot; on SQLite a write transaction. Leaving the block
normally erases the source inside that same transaction, so a writer that
waited, or that writes later through a store opened before the move, fails
instead of recording where nobody reads; leaving it with an error drops
what was written at the target and leaves the source as it was. If erasing
the source fails after the switch, the copy stays (it is the tenant's now)
and the error says so: remove the original by hand."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from b2bcore import B2BCore, ConfigurationError
from b2bcore.application.storage import backend_of
from b2bcore_adapters.persistence.backends import sqlite_path
from b2bcore_adapters.persistence.beside import store_beside

#: The log table of a b2bcore store (``eventsourcing``'s, named by b2bcore).
LOG_TABLE = "b2bcore_events"


def prepare(target: str) -> None:
    """Every table of a store at ``target``, made by the stores that keep
    them; refused unless the log there is empty."""
    backend = backend_of(target)
    backend.create(target)
    with B2BCore.open(target) as core:
        if core.log_position():
            raise ConfigurationError(
                f"{target!r} already holds a log: move to an empty store"
            )
        core.hash_chain.catch_up()  # its tables
        for keeps in getattr(backend, "beside", {}):
            store_beside(core, keeps)


@contextlib.contextmanager
def moved_postgres(source: str, target: str) -> Iterator[None]:
    import psycopg  # noqa: PLC0415 (an optional extra)
    from psycopg.sql import SQL, Identifier  # noqa: PLC0415

    prepare(target)
    here, there = _schema(source), _schema(target)
    switched = False
    try:
        with (
            psycopg.connect(_conninfo(source)) as reading,
            psycopg.connect(_conninfo(target)) as writing,
        ):
            # One snapshot of every table, none written until the switch:
            # the locks come before the first query, which takes the
            # snapshot (so the tables are listed on a connection of their own).
            with psycopg.connect(_conninfo(source), autocommit=True) as listing:
                tables = _tables(listing, here)
            reading.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            reading.execute(
                SQL("LOCK TABLE {0} IN SHARE MODE").format(
                    SQL(", ").join(
                        SQL("{0}.{1}").format(Identifier(here), Identifier(t))
                        for t in tables
                    )
                )
            )
            missing = sorted(set(tables) - set(_tables(writing, there)))
            if missing:
                raise ConfigurationError(
                    f"cannot move: the target has no table {', '.join(missing)}"
                )
            for table in tables:
                named = (Identifier(here), Identifier(table))
                into = (Identifier(there), Identifier(table))
                writing.execute(SQL("DELETE FROM {0}.{1}").format(*into))
                with (
                    reading.cursor().copy(
                        SQL("COPY {0}.{1} TO STDOUT (FORMAT BINARY)").format(*named)
                    ) as out,
                    writing.cursor().copy(
                        SQL("COPY {0}.{1} FROM STDIN (FORMAT BINARY)").format(*into)
                    ) as copy,
                ):
                    for block in out:
                        copy.write(block)
            last = SQL("(SELECT max(notification_id) FROM {0}.{1})").format(
                Identifier(there), Identifier(LOG_TABLE)
            )
            writing.execute(
                SQL(
                    "SELECT setval(pg_get_serial_sequence({0}, 'notification_id'),"
                    " COALESCE({1}, 1), {1} IS NOT NULL)"
                ).format(f"{_quoted(there)}.{LOG_TABLE}", last)
            )
            writing.commit()
            yield
            # Switched: from here the copy is the tenant's; a failure to
            # erase the original leaves it for removal by hand.
            switched = True
            reading.execute(SQL("DROP SCHEMA {0} CASCADE").format(Identifier(here)))
    except BaseException:
        if not switched:
            backend_of(target).drop(target)
        raise


@contextlib.contextmanager
def moved_sqlite(source: str, target: str) -> Iterator[None]:
    prepare(target)
    path = sqlite_path(source)
    switched = False
    try:
        with (
            contextlib.closing(sqlite3.connect(path, isolation_level=None)) as lock,
            contextlib.closing(sqlite3.connect(path)) as reading,
            contextlib.closing(sqlite3.connect(sqlite_path(target))) as writing,
        ):
            lock.execute("PRAGMA secure_delete = ON")
            lock.execute("BEGIN IMMEDIATE")  # no writer until the switch
            try:
                reading.backup(writing)  # a reader beside the lock (WAL)
                yield
                switched = True
                for (table,) in lock.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite_%'"
                ).fetchall():
                    lock.execute(f"DELETE FROM {_quoted(table)}")
                    lock.execute(f"DROP TABLE {_quoted(table)}")
                lock.execute("COMMIT")
            except BaseException:
                lock.execute("ROLLBACK")
                raise
    except BaseException:
        if not switched:
            backend_of(target).drop(target)
        raise
    backend_of(source).drop(source)


def cannot_move(source: str, target: str) -> contextlib.AbstractContextManager[None]:
    raise ConfigurationError(f"{source!r}: a store in memory cannot be moved")


def _conninfo(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(query="").geturl()


def _schema(url: str) -> str:
    return dict(parse_qsl(urlsplit(url).query)).get("schema") or "public"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(connection: Any, schema: str) -> list[str]:
    rows = connection.execute(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY table_name",
        (schema,),
    ).fetchall()
    return [name for (name,) in rows]
