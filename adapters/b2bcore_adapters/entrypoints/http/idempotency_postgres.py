"""Idempotency keys in the PostgreSQL schema of the event log (a module of
its own: psycopg is the ``postgres`` extra)."""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import PostgresDatastore
from psycopg.errors import UniqueViolation
from psycopg.sql import SQL, Composed, Identifier

from b2bcore_adapters.entrypoints.http.idempotency import (
    TABLE,
    KeyTakenError,
    Outcome,
    row,
    stored_outcome,
)


class PostgresIdempotencyStore:
    def __init__(self, datastore: PostgresDatastore) -> None:
        self._datastore = datastore
        self._table = Identifier(datastore.schema or "public", TABLE)
        with datastore.transaction(commit=True) as cursor:
            cursor.execute(
                SQL(
                    "CREATE TABLE IF NOT EXISTS {} (key TEXT PRIMARY KEY, "
                    "fingerprint TEXT NOT NULL, status INTEGER NOT NULL, "
                    "body TEXT NOT NULL, etag TEXT)"
                ).format(self._table)
            )

    def find(self, key: str) -> Outcome | None:
        with self._datastore.transaction(commit=False) as cursor:
            cursor.execute(
                SQL(
                    "SELECT fingerprint, status, body, etag FROM {} WHERE key = %s"
                ).format(self._table),
                (key,),
            )
            found = cursor.fetchone()
        if found is None:
            return None
        return stored_outcome(
            found["fingerprint"], found["status"], found["body"], found["etag"]
        )

    def record(self, key: str, outcome: Outcome) -> None:
        with self._datastore.transaction(commit=True) as cursor:
            cursor.execute(
                self._insert() + SQL(" ON CONFLICT (key) DO NOTHING"),
                row(key, outcome),
            )

    def record_within(self, cursor: Any, key: str, outcome: Outcome) -> None:
        # The failed insert aborts the transaction: the events roll back too.
        try:
            cursor.execute(self._insert() + SQL(" RETURNING key"), row(key, outcome))
            cursor.fetchone()  # in a pipeline, waits for the insert's result
        except UniqueViolation:
            raise KeyTakenError(key) from None

    def _insert(self) -> Composed:
        return SQL("INSERT INTO {} VALUES (%s, %s, %s, %s, %s)").format(self._table)
