"""Stores beside the event log are chosen by its persistence module."""

from __future__ import annotations

import pytest

from b2bcore import B2BCore, ConfigurationError
from b2bcore_adapters.alert_delivery import (
    DELIVERY_LOGS,
    MemoryDeliveryLog,
    SQLiteDeliveryLog,
)
from b2bcore_adapters.beside import store_beside


def test_the_store_beside_follows_the_log_s_persistence_module(
    sqlite_url: str,
) -> None:
    with B2BCore.open("memory://") as memory, B2BCore.open(sqlite_url) as sqlite:
        assert isinstance(store_beside(memory, DELIVERY_LOGS), MemoryDeliveryLog)
        assert isinstance(store_beside(sqlite, DELIVERY_LOGS), SQLiteDeliveryLog)


def test_a_log_with_no_store_named_for_it_is_refused() -> None:
    with B2BCore.open("memory://") as core:
        sqlite_only = {"eventsourcing.sqlite": DELIVERY_LOGS["eventsourcing.sqlite"]}

        with pytest.raises(ConfigurationError, match=r"eventsourcing\.popo: no store"):
            store_beside(core, sqlite_only)
