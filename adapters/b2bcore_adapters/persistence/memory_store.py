"""The read-model store in memory, for ``memory://`` and tests."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.popo import POPOTrackingRecorder

from b2bcore.readmodels.facts.tables import TABLES, Table
from b2bcore.readmodels.readmodel import (
    Batch,
    PositionConflictError,
    ReadModelStore,
    Row,
)
from b2bcore_adapters.persistence.fact_sql import FactSQL, SQLReportQueries


class MemoryReadModelStore(SQLReportQueries, POPOTrackingRecorder):
    facts = FactSQL()

    """States in dictionaries and report tables in an in-memory SQLite
    database, for ``memory://`` and tests; positions are the library's
    in-memory tracking records."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, dict[UUID, Row]] = {}
        self.database = sqlite3.connect(":memory:", check_same_thread=False)
        self.database.isolation_level = None
        for statement in self.facts.create_statements(TABLES):
            self.database.execute(statement)

    def select(self, statement: str, parameters: dict[str, Any]) -> list[Any]:
        with self._database_lock:
            return self.database.execute(statement, parameters).fetchall()

    def position(self, projection: str) -> int:
        return self.max_tracking_id(projection) or 0

    def positions(self) -> dict[str, int]:
        with self._database_lock:
            return {k: v for k, v in self._max_tracking_ids.items() if v is not None}

    def rows(self, projection: str, keys: Collection[UUID]) -> dict[UUID, bytes]:
        with self._database_lock:
            table = self._rows.get(projection, {})
            return {key: table[key].data for key in keys if key in table}

    def scan(
        self, projection: str, *, kind: str, account_id: UUID | None = None
    ) -> Iterator[bytes]:
        with self._database_lock:
            rows = list(self._rows.get(projection, {}).values())
        return (
            row.data
            for row in rows
            if row.kind == kind and (account_id is None or row.account_id == account_id)
        )

    def commit(self, batches: Sequence[Batch]) -> None:
        with self._database_lock:
            try:
                for batch in batches:
                    self._assert_tracking_uniqueness(
                        Tracking(batch.projection, batch.position)
                    )
            except IntegrityError as error:
                raise PositionConflictError(str(error)) from None
            try:
                with self.transaction() as cursor:
                    for batch in batches:
                        self.facts.write(cursor, batch.facts)
            except sqlite3.IntegrityError as error:
                # Another catch-up committed these rows first (its page may
                # end elsewhere, so its position need not clash: the rows do).
                raise PositionConflictError(str(error)) from None
            for batch in batches:
                self._rows.setdefault(batch.projection, {}).update(batch.rows)
                self._insert_tracking(Tracking(batch.projection, batch.position))

    def recreate(self, tables: Sequence[Table]) -> None:
        with self._database_lock, self.transaction() as cursor:
            self.facts.recreate(cursor, tables)

    def reset(self, projection: str, tables: Sequence[Table] = ()) -> None:
        with self._database_lock, self.transaction() as cursor:
            self.facts.reset(cursor, tables)
            self._rows.pop(projection, None)
            self._max_tracking_ids.pop(projection, None)

    @contextmanager
    def reshaping(self) -> Iterator[ReadModelStore]:
        """Itself: a store in memory belongs to one process."""
        yield self

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Cursor]:
        """A transaction on the report tables (callers hold the lock)."""
        cursor = self.database.cursor()
        cursor.execute("BEGIN")
        try:
            yield cursor
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")

    def close(self) -> None:
        self.database.close()
