"""Idempotency keys: the first response to each key, kept beside the event
log (a table in the same SQLite file or PostgreSQL schema; memory for
``memory://``), so a retried command returns it and records nothing."""

from __future__ import annotations

import json
import threading
from typing import Protocol, cast

import attrs
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from psycopg.sql import SQL, Identifier

from b2bcore import B2BCore
from b2bcore_adapters.beside import store_beside
from b2bcore_adapters.plain import JSON

TABLE = "b2bcore_idempotency_keys"


@attrs.frozen
class Outcome:
    """What the first request with a key was answered."""

    fingerprint: str
    status: int
    body: JSON
    etag: str | None


class IdempotencyStore(Protocol):
    def find(self, key: str) -> Outcome | None:
        """The outcome recorded under ``key``, if any."""

    def record(self, key: str, outcome: Outcome) -> None:
        """Keep ``outcome`` under ``key`` (the first one recorded wins)."""


class MemoryIdempotencyStore:
    def __init__(self) -> None:
        self._outcomes: dict[str, Outcome] = {}
        self._lock = threading.Lock()

    def find(self, key: str) -> Outcome | None:
        with self._lock:
            return self._outcomes.get(key)

    def record(self, key: str, outcome: Outcome) -> None:
        with self._lock:
            self._outcomes.setdefault(key, outcome)


def _row(fingerprint: str, status: int, body: str, etag: str | None) -> Outcome:
    return Outcome(fingerprint, status, json.loads(body), etag)


class SQLiteIdempotencyStore:
    def __init__(self, datastore: SQLiteDatastore) -> None:
        self._datastore = datastore
        with datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (key TEXT PRIMARY KEY, "
                "fingerprint TEXT NOT NULL, status INTEGER NOT NULL, "
                "body TEXT NOT NULL, etag TEXT)"
            )

    def find(self, key: str) -> Outcome | None:
        with self._datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT fingerprint, status, body, etag FROM {TABLE} WHERE key = ?",
                (key,),
            )
            found = cursor.fetchone()
        return None if found is None else _row(*found)

    def record(self, key: str, outcome: Outcome) -> None:
        with self._datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"INSERT OR IGNORE INTO {TABLE} VALUES (?, ?, ?, ?, ?)",
                (
                    key,
                    outcome.fingerprint,
                    outcome.status,
                    json.dumps(outcome.body),
                    outcome.etag,
                ),
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
        return _row(found["fingerprint"], found["status"], found["body"], found["etag"])

    def record(self, key: str, outcome: Outcome) -> None:
        with self._datastore.transaction(commit=True) as cursor:
            cursor.execute(
                SQL(
                    "INSERT INTO {} VALUES (%s, %s, %s, %s, %s) "
                    "ON CONFLICT (key) DO NOTHING"
                ).format(self._table),
                (
                    key,
                    outcome.fingerprint,
                    outcome.status,
                    json.dumps(outcome.body),
                    outcome.etag,
                ),
            )


IDEMPOTENCY_STORES = {
    "eventsourcing.popo": f"{__name__}:MemoryIdempotencyStore",
    "eventsourcing.sqlite": f"{__name__}:SQLiteIdempotencyStore",
    "eventsourcing.postgres": f"{__name__}:PostgresIdempotencyStore",
}


def idempotency_store_for(core: B2BCore) -> IdempotencyStore:
    """The store beside ``core``'s event log, in the same database."""
    return cast(IdempotencyStore, store_beside(core, IDEMPOTENCY_STORES))
