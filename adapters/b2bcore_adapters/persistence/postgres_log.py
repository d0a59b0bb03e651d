"""The event log's recorder on PostgreSQL: ``eventsourcing``'s, plus

- a save in one round trip: the table lock, the insert and the commit run
  in one database function (``b2bcore_insert_events``) called in autocommit,
  so the lock that orders the log is held for the server's work only, not
  across the network (the library's pipeline holds it over the commit's
  round trip; docs/deployment.md, "What limits writing");
- a hook run inside the transaction that inserts a save's events, once they
  have their log positions (``B2BCore`` passes it as ``save(..., then=…)``:
  idempotency keys); such a save takes the library's path;
- which of many aggregates have events, in one query.

A module of its own: psycopg is the ``postgres`` extra."""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Sequence
from typing import Any, cast
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    InterfaceError,
    OperationalError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.pq import TransactionStatus
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from b2bcore.application.unit_of_work import Then

#: Fails the transaction it runs in.
ABORT = "DO $$ BEGIN RAISE EXCEPTION 'b2bcore: the save is undone'; END $$"


#: The function that saves in one round trip.
INSERT_FUNCTION = "b2bcore_insert_events"


class PostgresLogRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        names = {
            "schema": Identifier(self.datastore.schema),
            "table": Identifier(self.events_table_name),
            "event": Identifier(self.stored_event_type_name),
            "channel": Identifier(self.channel_name),
            "function": Identifier(INSERT_FUNCTION),
        }
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE FUNCTION {schema}.{function}"
                "(events {schema}.{event}[], lock_timeout text) "
                "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ "
                "BEGIN "
                "PERFORM set_config('lock_timeout', lock_timeout, true); "
                "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
                "NOTIFY {channel}; "
                "RETURN QUERY INSERT INTO {schema}.{table} "
                "(originator_id, originator_version, topic, state) "
                "SELECT originator_id, originator_version, topic, state "
                "FROM unnest(events) RETURNING notification_id; "
                "END $BODY$"
            ).format(**names)
        )
        self._call = SQL("SELECT * FROM {schema}.{function}(%s, %s)").format(**names)
        #: False once the function is found missing (tables made by an older
        #: b2bcore and opened without creating tables): the library's path.
        self.one_round_trip = True

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """As the library's (its retries on a lost connection included), in
        one round trip when nothing runs inside the transaction."""
        if not stored_events or kwargs.get("then") or not self.one_round_trip:
            return cast(
                Sequence[int] | None, super().insert_events(stored_events, **kwargs)
            )
        rows = [
            self.construct_pg_stored_event(
                e.originator_id, e.originator_version, e.topic, e.state
            )
            for e in stored_events
        ]
        try:
            with self.datastore.get_connection() as conn, conn.cursor() as curs:
                curs.execute(
                    self._call,
                    (rows, f"{self.datastore.lock_timeout}s"),
                    prepare=True,
                )
                return [int(row[INSERT_FUNCTION]) for row in curs.fetchall()]
        except ProgrammingError as error:
            if INSERT_FUNCTION not in str(error):
                raise
            self.one_round_trip = False
            return cast(
                Sequence[int] | None, super().insert_events(stored_events, **kwargs)
            )

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
