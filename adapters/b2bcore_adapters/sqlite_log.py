"""The event log's recorder on SQLite: ``eventsourcing``'s, plus a hook
run inside the transaction that inserts a save's events, so what belongs
with them (read rows, an idempotency key) commits with them (``B2BCore``
passes it as ``save(..., then=…)``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from b2bcore.unit_of_work import Then


class SQLiteLogRecorder(SQLiteApplicationRecorder):
    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        then: Then | None = kwargs.get("then")
        if then is not None and positions:
            then(c, stored_events, positions)
        return positions
