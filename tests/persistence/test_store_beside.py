"""Stores beside the event log are the ones its backend names."""

from __future__ import annotations

import pytest
from eventsourcing.utils import resolve_topic

from b2bcore import B2BCore, ConfigurationError
from b2bcore_adapters.alerts.delivery import MemoryDeliveryLog, SQLDeliveryLog
from b2bcore_adapters.persistence.backends import (
    BY_MODULE,
    DELIVERY_LOG,
    IDEMPOTENCY_KEYS,
)
from b2bcore_adapters.persistence.beside import store_beside


def test_the_store_beside_follows_the_log_s_persistence_module(
    sqlite_url: str,
) -> None:
    with B2BCore.open("memory://") as memory, B2BCore.open(sqlite_url) as sqlite:
        assert isinstance(store_beside(memory, DELIVERY_LOG), MemoryDeliveryLog)
        assert isinstance(store_beside(sqlite, DELIVERY_LOG), SQLDeliveryLog)


def test_every_backend_names_every_store_beside_its_log() -> None:
    for backend in BY_MODULE.values():
        assert set(backend.beside) == {IDEMPOTENCY_KEYS, DELIVERY_LOG}
        for topic in backend.beside.values():
            assert isinstance(resolve_topic(topic), type)


def test_a_store_no_backend_keeps_is_refused() -> None:
    with (
        B2BCore.open("memory://") as core,
        pytest.raises(ConfigurationError, match=r"eventsourcing\.popo: no store"),
    ):
        store_beside(core, "visits")
