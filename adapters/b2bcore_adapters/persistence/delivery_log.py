"""Which alerts each sink has acknowledged, kept beside the event log (a
table in the same SQLite file or PostgreSQL schema; memory for
``memory://``): ``b2bcore_adapters.alerts.delivery`` sends them."""

from __future__ import annotations

import threading
from typing import ClassVar, Protocol
from uuid import UUID

from b2bcore_adapters.persistence.sql_tables import SQLStore

TABLE = "b2bcore_alert_deliveries"


class DeliveryLog(Protocol):
    def delivered(self, sink: str) -> frozenset[UUID]:
        """The ids of the alerts ``sink`` has acknowledged."""

    def record(self, sink: str, alert_id: UUID) -> None:
        """Remember that ``sink`` acknowledged ``alert_id`` (again is a no-op)."""


class MemoryDeliveryLog:
    def __init__(self) -> None:
        self._delivered: dict[str, set[UUID]] = {}
        self._lock = threading.Lock()

    def delivered(self, sink: str) -> frozenset[UUID]:
        with self._lock:
            return frozenset(self._delivered.get(sink, ()))

    def record(self, sink: str, alert_id: UUID) -> None:
        with self._lock:
            self._delivered.setdefault(sink, set()).add(alert_id)


class SQLDeliveryLog(SQLStore):
    TABLES: ClassVar = {
        TABLE: "sink TEXT NOT NULL, alert_id TEXT NOT NULL, "
        "PRIMARY KEY (sink, alert_id)"
    }

    def delivered(self, sink: str) -> frozenset[UUID]:
        found = self.fetch(f"SELECT alert_id FROM {{{TABLE}}} WHERE sink = ?", sink)
        return frozenset(UUID(alert_id) for (alert_id,) in found)

    def record(self, sink: str, alert_id: UUID) -> None:
        self.write(
            f"INSERT INTO {{{TABLE}}} VALUES (?, ?) ON CONFLICT DO NOTHING",
            sink,
            str(alert_id),
        )


#: Its names before one class served both databases (for one release).
SQLiteDeliveryLog = PostgresDeliveryLog = SQLDeliveryLog
