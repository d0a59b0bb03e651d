"""The event log's recorder on SQLite: ``eventsourcing``'s, plus a hook
run inside the transaction that inserts a save's events, so what belongs
with them (read rows, an idempotency key) commits with them (``B2BCore``
passes it as ``save(..., then=…)``); and which of many aggregates have
events, in one query."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from b2bcore.application.unit_of_work import Then


class SQLiteLogRecorder(SQLiteApplicationRecorder):
    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        then: Then | None = kwargs.get("then")
        if then is not None and positions:
            then(c, stored_events, positions)
        return positions

    def existing(self, aggregate_ids: Collection[UUID]) -> frozenset[UUID]:
        """The ones of ``aggregate_ids`` with any event recorded: one query
        (the ids go as one JSON array, so their number is not limited)."""
        if not aggregate_ids:
            return frozenset()
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT DISTINCT originator_id FROM {self.events_table_name} "
                "WHERE originator_id IN (SELECT value FROM json_each(?))",
                [json.dumps([i.hex for i in aggregate_ids])],
            )
            return frozenset(UUID(row[0]) for row in c.fetchall())
