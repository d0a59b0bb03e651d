"""The read-model store on PostgreSQL: rows in ``b2bcore_read_rows`` beside
the event log, positions in ``eventsourcing``'s tracking table, both written
in one transaction."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any, cast
from uuid import UUID

import psycopg
from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg.sql import SQL, Identifier

from b2bcore.domain.errors import ConfigurationError
from b2bcore.readmodels.facts.tables import TABLES, Table
from b2bcore.readmodels.readmodel import Batch, PositionConflictError, ReadModelStore
from b2bcore_adapters.persistence.fact_sql import (
    FactSQL,
    InTransaction,
    SQLReportQueries,
)

ROWS_TABLE = "b2bcore_read_rows"
#: Seconds ``reach`` waits for the server unless the URL says
#: ``?connect_timeout=N``.
CONNECT_TIMEOUT = 5


class PostgresReadModelStore(SQLReportQueries, PostgresTrackingRecorder):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        schema = Identifier(self.datastore.schema)
        rows = Identifier(ROWS_TABLE)
        self._rows = SQL("{0}.{1}").format(schema, rows)
        self._tracking = SQL("{0}.{1}").format(
            schema, Identifier(self.tracking_table_name)
        )
        quoted = '"' + self.datastore.schema.replace('"', '""') + '"'
        self.facts = FactSQL(
            qualify=lambda name: f"{quoted}.{name}",
            integer="bigint",
            pyformat=True,
            lateral=True,
        )
        self.sql_create_statements.extend(
            [
                SQL(
                    "CREATE TABLE IF NOT EXISTS {0} ("
                    "projection text NOT NULL, "
                    "key uuid NOT NULL, "
                    "kind text NOT NULL, "
                    "account_id uuid, "
                    "data bytea NOT NULL, "
                    "PRIMARY KEY (projection, key))"
                ).format(self._rows),
                SQL(
                    "CREATE INDEX IF NOT EXISTS {0} ON {1} (projection, account_id)"
                ).format(Identifier(f"{ROWS_TABLE}_by_account"), self._rows),
                *(SQL(s).format() for s in self.facts.create_statements(TABLES)),
            ]
        )

    def select(self, statement: str, parameters: dict[str, Any]) -> list[Any]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement.encode(), parameters)
            return [tuple(row.values()) for row in cursor.fetchall()]

    def position(self, projection: str) -> int:
        return self.max_tracking_id(projection) or 0

    def positions(self) -> dict[str, int]:
        with self.datastore.transaction(commit=False) as cursor:
            return self.positions_in(cursor)

    def positions_in(self, cursor: Any) -> dict[str, int]:
        cursor.execute(
            SQL(
                "SELECT application_name, MAX(notification_id) AS position "
                "FROM {0} GROUP BY application_name"
            ).format(self._tracking)
        )
        return {row["application_name"]: row["position"] for row in cursor.fetchall()}

    def rows(self, projection: str, keys: Collection[UUID]) -> dict[UUID, bytes]:
        with self.datastore.transaction(commit=False) as cursor:
            return self.rows_in(cursor, projection, keys)

    def rows_in(
        self, cursor: Any, projection: str, keys: Collection[UUID]
    ) -> dict[UUID, bytes]:
        cursor.execute(
            SQL(
                "SELECT key, data FROM {0} WHERE projection = %s AND key = ANY(%s)"
            ).format(self._rows),
            (projection, list(keys)),
        )
        return {row["key"]: bytes(row["data"]) for row in cursor.fetchall()}

    def scan(
        self, projection: str, *, kind: str, account_id: UUID | None = None
    ) -> Iterator[bytes]:
        condition = "" if account_id is None else " AND account_id = %s"
        params: list[object] = [projection, kind]
        if account_id is not None:
            params.append(account_id)
        statement = SQL(
            "SELECT data FROM {0} WHERE projection = %s AND kind = %s" + condition
        ).format(self._rows)
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, params)
            rows = cursor.fetchall()
        return (bytes(row["data"]) for row in rows)

    def commit(self, batches: Sequence[Batch]) -> None:
        """Commit without waiting for the WAL flush (``synchronous_commit``
        off for this transaction): a server crash may lose the last
        read-model commits, never the events, and a projection catches up
        again from the position that committed with its rows."""
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            self.commit_in(cursor, batches)

    def commit_in(self, cursor: Any, batches: Sequence[Batch]) -> None:
        try:
            for batch in batches:
                self._insert_tracking(
                    cursor, Tracking(batch.projection, batch.position)
                )
                cursor.executemany(
                    SQL(
                        "INSERT INTO {0} VALUES (%s, %s, %s, %s, %s) "
                        "ON CONFLICT (projection, key) DO UPDATE SET "
                        "kind = excluded.kind, account_id = excluded.account_id, "
                        "data = excluded.data"
                    ).format(self._rows),
                    [
                        (batch.projection, key, row.kind, row.account_id, row.data)
                        for key, row in batch.rows.items()
                    ],
                )
                self.facts.write(cursor, batch.facts)
        except (IntegrityError, psycopg.IntegrityError) as error:
            raise PositionConflictError(str(error)) from None

    def within(self, transaction: object) -> ReadModelStore:
        """This store inside an open transaction of the event log's
        recorder (the same connection): a save's events and its read rows
        then commit together."""
        return cast(ReadModelStore, InTransaction(self, transaction))

    def recreate(self, tables: Sequence[Table]) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            self.facts.recreate(cursor, tables)

    def reset(self, projection: str, tables: Sequence[Table] = ()) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            self.facts.reset(cursor, tables)
            cursor.execute(
                SQL("DELETE FROM {0} WHERE projection = %s").format(self._rows),
                (projection,),
            )
            cursor.execute(
                SQL("DELETE FROM {0} WHERE application_name = %s").format(
                    self._tracking
                ),
                (projection,),
            )

    def close(self) -> None:
        """The datastore is the event log's; closing it is the log's job."""


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
