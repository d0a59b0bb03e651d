"""The alert delivery log in the PostgreSQL schema of the event log (a
module of its own: psycopg is the ``postgres`` extra)."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg.sql import SQL, Identifier

from b2bcore_adapters.alerts.delivery import COLUMNS, TABLE


class PostgresDeliveryLog:
    def __init__(self, datastore: PostgresDatastore) -> None:
        self._datastore = datastore
        self._table = Identifier(datastore.schema or "public", TABLE)
        with datastore.transaction(commit=True) as cursor:
            cursor.execute(
                SQL("CREATE TABLE IF NOT EXISTS {} " + COLUMNS).format(self._table)
            )

    def delivered(self, sink: str) -> frozenset[UUID]:
        with self._datastore.transaction(commit=False) as cursor:
            cursor.execute(
                SQL("SELECT alert_id FROM {} WHERE sink = %s").format(self._table),
                (sink,),
            )
            return frozenset(UUID(found["alert_id"]) for found in cursor.fetchall())

    def record(self, sink: str, alert_id: UUID) -> None:
        with self._datastore.transaction(commit=True) as cursor:
            cursor.execute(
                SQL("INSERT INTO {} VALUES (%s, %s) ON CONFLICT DO NOTHING").format(
                    self._table
                ),
                (sink, str(alert_id)),
            )
