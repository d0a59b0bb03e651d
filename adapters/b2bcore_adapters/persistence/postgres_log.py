"""The event log's recorder on PostgreSQL: ``eventsourcing``'s, plus a hook
run inside the transaction that inserts a save's events, once they have
their log positions (``B2BCore`` passes it as ``save(..., then=…)``); and
which of many aggregates have events, in one query. A module of its own:
psycopg is the ``postgres`` extra."""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Sequence
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.pq import TransactionStatus
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from b2bcore.application.unit_of_work import Then

#: Fails the transaction it runs in.
ABORT = "DO $$ BEGIN RAISE EXCEPTION 'b2bcore: the save is undone'; END $$"


class PostgresLogRecorder(PostgresApplicationRecorder):
    def _fetch_ids_after_insert_events(
        self,
        curs: psycopg.Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> Sequence[int] | None:
        positions = super()._fetch_ids_after_insert_events(
            curs, stored_events, **kwargs
        )
        then: Then | None = kwargs.get("then")
        if then is not None and positions:
            try:
                then(curs, stored_events, positions)
            except Exception:
                # The library keeps the error for after the transaction,
                # which it commits unless a statement failed: fail one.
                if curs.connection.info.transaction_status != TransactionStatus.INERROR:
                    with contextlib.suppress(psycopg.Error):
                        curs.execute(ABORT)
                        curs.fetchone()  # in a pipeline, waits for the failure
                raise
        return positions

    def existing(self, aggregate_ids: Collection[UUID]) -> frozenset[UUID]:
        """The ones of ``aggregate_ids`` with any event recorded: one query."""
        if not aggregate_ids:
            return frozenset()
        statement = SQL(
            "SELECT DISTINCT originator_id FROM {schema}.{table} "
            "WHERE originator_id = ANY(%s)"
        ).format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
        )
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, [list(aggregate_ids)])
            return frozenset(row["originator_id"] for row in curs.fetchall())
