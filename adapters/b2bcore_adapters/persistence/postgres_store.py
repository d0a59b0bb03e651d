"""The read-model store on PostgreSQL (``sql_store``): rows in
``b2bcore_read_rows`` beside the event log, positions in ``eventsourcing``'s
tracking table, both written in one transaction; and the check that the
server is reachable."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.postgres import PostgresDatastore

from b2bcore.domain.errors import ConfigurationError
from b2bcore.readmodels.readmodel import Batch
from b2bcore_adapters.persistence.fact_sql import FactSQL
from b2bcore_adapters.persistence.postgres_tables import PostgresTracked
from b2bcore_adapters.persistence.sql_store import SQLReadModelStore

#: Seconds ``reach`` waits for the server unless the URL says
#: ``?connect_timeout=N``.
CONNECT_TIMEOUT = 5


class PostgresReadModelStore(SQLReadModelStore, PostgresTracked):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.facts = FactSQL(
            qualify=self.sql.qualify, integer="bigint", pyformat=True, lateral=True
        )

    def rows_in(
        self, cursor: Any, projection: str, keys: Collection[UUID]
    ) -> dict[UUID, bytes]:
        rows = self.fetch_in(
            cursor,
            "SELECT key, data FROM {b2bcore_read_rows} "
            "WHERE projection = ? AND key = ANY(?)",
            projection,
            list(keys),
        )
        return {key: bytes(data) for key, data in rows}

    def commit(self, batches: Sequence[Batch]) -> None:
        """Commit without waiting for the WAL flush (``synchronous_commit``
        off for this transaction): a server crash may lose the last
        read-model commits, never the events, and a projection catches up
        again from the position that committed with its rows."""
        with self.writing() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            self.commit_in(cursor, batches)


def reach(env: Mapping[str, str]) -> None:
    """Connect once, directly, before the pool opens: an unreachable server or
    a missing database is a ``ConfigurationError`` naming host, port and
    database within the connect timeout (the pool would retry for minutes)."""
    where = (
        f"PostgreSQL at {env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}, "
        f"database {env['POSTGRES_DBNAME']!r}, user {env['POSTGRES_USER']!r}"
    )
    given = env.get("POSTGRES_CONNECT_TIMEOUT", str(CONNECT_TIMEOUT))
    try:
        timeout = max(1, int(given))
    except ValueError:
        raise ConfigurationError(
            f"connect_timeout: must be a whole number of seconds, got {given!r}"
        ) from None
    try:
        psycopg.connect(
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            dbname=env["POSTGRES_DBNAME"],
            user=env["POSTGRES_USER"],
            password=env.get("POSTGRES_PASSWORD", ""),
            connect_timeout=timeout,
        ).close()
    except psycopg.OperationalError as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise ConfigurationError(f"cannot connect to {where}: {reason}") from None
