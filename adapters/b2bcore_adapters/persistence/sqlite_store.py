"""The read-model store on SQLite (``sql_store``): rows beside the event log
in the same file, positions in ``eventsourcing``'s tracking table, both
written in one transaction."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from itertools import islice
from typing import Any
from uuid import UUID

from b2bcore.readmodels.readmodel import Batch
from b2bcore_adapters.persistence.fact_sql import FactSQL
from b2bcore_adapters.persistence.sql_store import SQLReadModelStore
from b2bcore_adapters.persistence.sqlite_tables import SQLiteTracked

#: Keys per ``IN (…)`` query, well under SQLite's variable limit.
KEYS_PER_QUERY = 500


class SQLiteReadModelStore(SQLReadModelStore, SQLiteTracked):
    facts = FactSQL()

    def rows_in(
        self, cursor: Any, projection: str, keys: Collection[UUID]
    ) -> dict[UUID, bytes]:
        found: dict[UUID, bytes] = {}
        remaining = iter(keys)
        while chunk := [key.hex for key in islice(remaining, KEYS_PER_QUERY)]:
            rows = self.fetch_in(
                cursor,
                "SELECT key, data FROM {b2bcore_read_rows} WHERE projection = ? "
                f"AND key IN ({','.join('?' * len(chunk))})",
                projection,
                *chunk,
            )
            found.update((UUID(k), data) for k, data in rows)
        return found

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
