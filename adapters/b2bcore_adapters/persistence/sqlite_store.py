"""The read-model store on SQLite: rows beside the event log in the same
file, positions in ``eventsourcing``'s tracking table, both written in one
transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator, Sequence
from itertools import islice
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

from b2bcore.readmodels.facts.tables import TABLES, Table
from b2bcore.readmodels.readmodel import Batch, PositionConflictError, ReadModelStore
from b2bcore_adapters.persistence.fact_sql import (
    FactSQL,
    InTransaction,
    SQLReportQueries,
)

ROWS_TABLE = "b2bcore_read_rows"
#: Keys per ``IN (…)`` query, well under SQLite's variable limit.
KEYS_PER_QUERY = 500


class SQLiteReadModelStore(SQLReportQueries, SQLiteTrackingRecorder):
    facts = FactSQL()

    def __init__(self, datastore: SQLiteDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {ROWS_TABLE} ("
            "projection TEXT NOT NULL, "
            "key TEXT NOT NULL, "
            "kind TEXT NOT NULL, "
            "account_id TEXT, "
            "data BLOB NOT NULL, "
            "PRIMARY KEY (projection, key))",
            f"CREATE INDEX IF NOT EXISTS {ROWS_TABLE}_by_account "
            f"ON {ROWS_TABLE} (projection, account_id)",
            *self.facts.create_statements(TABLES),
        ]

    def select(self, statement: str, parameters: dict[str, Any]) -> list[Any]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, parameters)
            return list(cursor.fetchall())

    def position(self, projection: str) -> int:
        return self.max_tracking_id(projection) or 0

    def positions(self) -> dict[str, int]:
        with self.datastore.transaction(commit=False) as cursor:
            return self.positions_in(cursor)

    def positions_in(self, cursor: Any) -> dict[str, int]:
        cursor.execute(
            "SELECT application_name, MAX(notification_id) FROM tracking "
            "GROUP BY application_name"
        )
        return dict(cursor.fetchall())

    def rows(self, projection: str, keys: Collection[UUID]) -> dict[UUID, bytes]:
        with self.datastore.transaction(commit=False) as cursor:
            return self.rows_in(cursor, projection, keys)

    def rows_in(
        self, cursor: Any, projection: str, keys: Collection[UUID]
    ) -> dict[UUID, bytes]:
        found: dict[UUID, bytes] = {}
        remaining = iter(keys)
        while chunk := [key.hex for key in islice(remaining, KEYS_PER_QUERY)]:
            cursor.execute(
                f"SELECT key, data FROM {ROWS_TABLE} WHERE projection = ? "
                f"AND key IN ({','.join('?' * len(chunk))})",
                [projection, *chunk],
            )
            found.update((UUID(k), data) for k, data in cursor.fetchall())
        return found

    def scan(
        self, projection: str, *, kind: str, account_id: UUID | None = None
    ) -> Iterator[bytes]:
        statement = f"SELECT data FROM {ROWS_TABLE} WHERE projection = ? AND kind = ?"
        params = [projection, kind]
        if account_id is not None:
            statement += " AND account_id = ?"
            params.append(account_id.hex)
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, params)
            rows = cursor.fetchall()
        return (data for (data,) in rows)

    def commit(self, batches: Sequence[Batch]) -> None:
        """Commit without waiting for the disk (``synchronous=NORMAL``; in
        WAL mode the file stays consistent): a power cut may lose the last
        read-model commits, never the events, and a projection catches up
        again from the position that committed with its rows."""
        with self.datastore.get_connection(commit=True) as connection:
            cursor = connection.cursor()
            cursor.execute("PRAGMA synchronous")
            (synchronous,) = cursor.fetchone()
            # Not within a transaction: SQLite refuses to change it there.
            cursor.execute("PRAGMA synchronous = NORMAL")
            try:
                with connection.transaction(commit=True) as cursor:
                    self.commit_in(cursor, batches)
            finally:
                connection.cursor().execute(f"PRAGMA synchronous = {synchronous}")

    def commit_in(self, cursor: Any, batches: Sequence[Batch]) -> None:
        try:
            for batch in batches:
                self._insert_tracking(
                    cursor, Tracking(batch.projection, batch.position)
                )
                cursor.executemany(
                    f"INSERT INTO {ROWS_TABLE} VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (projection, key) DO UPDATE SET "
                    "kind = excluded.kind, account_id = excluded.account_id, "
                    "data = excluded.data",
                    [
                        (
                            batch.projection,
                            key.hex,
                            row.kind,
                            row.account_id.hex if row.account_id else None,
                            row.data,
                        )
                        for key, row in batch.rows.items()
                    ],
                )
                self.facts.write(cursor, batch.facts)
        except (IntegrityError, sqlite3.IntegrityError) as error:
            # Another process committed these rows first (its page may end
            # elsewhere, so its position need not clash: the rows do).
            raise PositionConflictError(str(error)) from None

    def within(self, transaction: object) -> ReadModelStore:
        """This store inside an open transaction of the event log's
        recorder (the same file and connection): a save's events and its
        read rows then commit together."""
        return cast(ReadModelStore, InTransaction(self, transaction))

    def recreate(self, tables: Sequence[Table]) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            self.facts.recreate(cursor, tables)

    def reset(self, projection: str, tables: Sequence[Table] = ()) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            self.facts.reset(cursor, tables)
            cursor.execute(
                f"DELETE FROM {ROWS_TABLE} WHERE projection = ?", [projection]
            )
            cursor.execute(
                "DELETE FROM tracking WHERE application_name = ?", [projection]
            )

    def close(self) -> None:
        """The datastore is the event log's; closing it is the log's job."""
