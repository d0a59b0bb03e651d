"""The read-model store on a SQL database: projection states in
``b2bcore_read_rows`` and the report tables beside the event log, positions
in ``eventsourcing``'s tracking table, all written in one transaction. Each
backend's store extends it with that backend's tracking recorder, its report
tables' SQL (``facts``), how it reads many rows by key and how it commits
without waiting for the disk (``sqlite_store``, ``postgres_store``)."""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterator, Sequence
from typing import Any, ClassVar, cast
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from b2bcore.readmodels.facts.tables import TABLES, Table
from b2bcore.readmodels.readmodel import Batch, PositionConflictError, ReadModelStore
from b2bcore_adapters.persistence.fact_sql import InTransaction, SQLReportQueries
from b2bcore_adapters.persistence.sql_tables import Tracked

ROWS_TABLE = "b2bcore_read_rows"


class SQLReadModelStore(SQLReportQueries, Tracked):
    TABLES: ClassVar = {
        ROWS_TABLE: "projection TEXT NOT NULL, key {uuid} NOT NULL, "
        "kind TEXT NOT NULL, account_id {uuid}, data {bytes} NOT NULL, "
        "PRIMARY KEY (projection, key)"
    }
    INDEXES: ClassVar = (
        f"CREATE INDEX IF NOT EXISTS {ROWS_TABLE}_by_account "
        f"ON {{{ROWS_TABLE}}} (projection, account_id)",
    )

    def table_statements(self) -> list[str]:
        return [*super().table_statements(), *self.facts.create_statements(TABLES)]

    def select(self, statement: str, parameters: dict[str, Any]) -> list[Any]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, parameters)
            return self.sql.rows(cursor)

    def position(self, projection: str) -> int:
        return self.max_tracking_id(projection) or 0

    def positions(self) -> dict[str, int]:
        with self.datastore.transaction(commit=False) as cursor:
            return self.positions_in(cursor)

    def positions_in(self, cursor: Any) -> dict[str, int]:
        return dict(
            self.fetch_in(
                cursor,
                "SELECT application_name, MAX(notification_id) "
                f"FROM {self.positions_table} GROUP BY application_name",
            )
        )

    def rows(self, projection: str, keys: Collection[UUID]) -> dict[UUID, bytes]:
        with self.datastore.transaction(commit=False) as cursor:
            return self.rows_in(cursor, projection, keys)

    def rows_in(
        self, cursor: Any, projection: str, keys: Collection[UUID]
    ) -> dict[UUID, bytes]:
        raise NotImplementedError

    def scan(
        self, projection: str, *, kind: str, account_id: UUID | None = None
    ) -> Iterator[bytes]:
        text = "SELECT data FROM {b2bcore_read_rows} WHERE projection = ? AND kind = ?"
        parameters = [projection, kind]
        if account_id is not None:
            text += " AND account_id = ?"
            parameters.append(account_id.hex)
        return (bytes(data) for (data,) in self.fetch(text, *parameters))

    def commit_in(self, cursor: Any, batches: Sequence[Batch]) -> None:
        try:
            for batch in batches:
                self.track(cursor, batch.projection, batch.position)
                self.executemany_in(
                    cursor,
                    "INSERT INTO {b2bcore_read_rows} VALUES (?, ?, ?, ?, ?) "
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
        except (IntegrityError, self.sql.integrity) as error:
            # Another process committed these rows first (its page may end
            # elsewhere, so its position need not clash: the rows do).
            raise PositionConflictError(str(error)) from None

    def within(self, transaction: object) -> ReadModelStore:
        """This store inside an open transaction of the event log's
        recorder (the same connection): a save's events and its read rows
        then commit together."""
        return cast(ReadModelStore, InTransaction(self, transaction))

    @contextlib.contextmanager
    def reshaping(self) -> Iterator[ReadModelStore]:
        with self.writing() as cursor:
            self.reshape_in(cursor)
            # A write first: on SQLite it takes the write lock, so another
            # process waits here rather than act on what it read before.
            self.execute_in(cursor, f"DELETE FROM {self.positions_table} WHERE 1 = 0")
            yield self.within(cursor)

    def recreate(self, tables: Sequence[Table]) -> None:
        with self.reshaping() as store:
            store.recreate(tables)

    def recreate_in(self, cursor: Any, tables: Sequence[Table]) -> None:
        self.facts.recreate(cursor, tables)

    def reset(self, projection: str, tables: Sequence[Table] = ()) -> None:
        with self.reshaping() as store:
            store.reset(projection, tables)

    def reset_in(self, cursor: Any, projection: str, tables: Sequence[Table]) -> None:
        self.facts.reset(cursor, tables)
        self.execute_in(
            cursor, "DELETE FROM {b2bcore_read_rows} WHERE projection = ?", projection
        )
        self.execute_in(
            cursor,
            f"DELETE FROM {self.positions_table} WHERE application_name = ?",
            projection,
        )
