"""The HTTP API's idempotency keys: the first response to each key, kept
beside the event log (a table in the same SQLite file or PostgreSQL schema; memory for
``memory://``), so a retried command returns it and records nothing. A
command's key is written in the transaction that records its events, under
the key's primary key: they commit together or not at all."""

from __future__ import annotations

import json
import threading
from typing import Any, ClassVar, Protocol

import attrs

from b2bcore_adapters.persistence.sql_tables import SQLStore
from b2bcore_adapters.render.plain import JSON

TABLE = "b2bcore_idempotency_keys"
INSERT = f"INSERT INTO {{{TABLE}}} VALUES (?, ?, ?, ?, ?)"


@attrs.frozen
class Outcome:
    """What the first request with a key was answered."""

    fingerprint: str
    status: int
    body: JSON
    etag: str | None


class KeyTakenError(Exception):
    """Another request recorded an outcome under the key first."""


class IdempotencyStore(Protocol):
    def find(self, key: str) -> Outcome | None:
        """The outcome recorded under ``key``, if any."""

    def record(self, key: str, outcome: Outcome) -> None:
        """Keep ``outcome`` under ``key`` (the first one recorded wins)."""

    def record_within(self, cursor: Any, key: str, outcome: Outcome) -> None:
        """Keep ``outcome`` under ``key`` in the transaction of ``cursor`` (the
        one recording the command's events); KeyTakenError if the key has one."""


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

    def record_within(self, cursor: Any, key: str, outcome: Outcome) -> None:
        with self._lock:
            if key in self._outcomes:
                raise KeyTakenError(key)
            self._outcomes[key] = outcome


def row(key: str, outcome: Outcome) -> tuple[str, str, int, str, str | None]:
    """The columns that keep ``outcome`` under ``key``."""
    return (
        key,
        outcome.fingerprint,
        outcome.status,
        json.dumps(outcome.body),
        outcome.etag,
    )


def stored_outcome(
    fingerprint: str, status: int, body: str, etag: str | None
) -> Outcome:
    """An outcome from its stored columns (the body as JSON text)."""
    return Outcome(fingerprint, status, json.loads(body), etag)


class SQLIdempotencyStore(SQLStore):
    TABLES: ClassVar = {
        TABLE: "key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, "
        "status INTEGER NOT NULL, body TEXT NOT NULL, etag TEXT"
    }

    def find(self, key: str) -> Outcome | None:
        found = self.fetch(
            f"SELECT fingerprint, status, body, etag FROM {{{TABLE}}} WHERE key = ?",
            key,
        )
        return stored_outcome(*found[0]) if found else None

    def record(self, key: str, outcome: Outcome) -> None:
        self.write(f"{INSERT} ON CONFLICT (key) DO NOTHING", *row(key, outcome))

    def record_within(self, cursor: Any, key: str, outcome: Outcome) -> None:
        # The failed insert fails the transaction: the events roll back too.
        # Its result is fetched: in a pipeline, that waits for the insert.
        try:
            self.fetch_in(cursor, f"{INSERT} RETURNING key", *row(key, outcome))
        except self.sql.integrity:
            raise KeyTakenError(key) from None


#: Its names before one class served both databases (for one release).
SQLiteIdempotencyStore = PostgresIdempotencyStore = SQLIdempotencyStore
