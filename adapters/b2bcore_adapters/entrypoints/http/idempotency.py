"""Idempotency keys (``b2bcore_adapters.persistence.idempotency_keys``): the
store beside a core's event log, for the API."""

from __future__ import annotations

from typing import cast

from b2bcore import B2BCore
from b2bcore_adapters.persistence.backends import IDEMPOTENCY_KEYS
from b2bcore_adapters.persistence.beside import store_beside
from b2bcore_adapters.persistence.idempotency_keys import (
    IdempotencyStore,
    KeyTakenError,
    MemoryIdempotencyStore,
    Outcome,
    PostgresIdempotencyStore,
    SQLIdempotencyStore,
    SQLiteIdempotencyStore,
)

__all__ = [
    "IdempotencyStore",
    "KeyTakenError",
    "MemoryIdempotencyStore",
    "Outcome",
    "PostgresIdempotencyStore",
    "SQLIdempotencyStore",
    "SQLiteIdempotencyStore",
    "idempotency_store_for",
]


def idempotency_store_for(core: B2BCore) -> IdempotencyStore:
    """The store beside ``core``'s event log, in the same database."""
    return cast(IdempotencyStore, store_beside(core, IDEMPOTENCY_KEYS))
