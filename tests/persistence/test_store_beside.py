"""Stores beside the event log are the ones its backend names."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from eventsourcing.utils import resolve_topic

from b2bcore import B2BCore, ConfigurationError
from b2bcore.application import core as core_module
from b2bcore.application.storage import CHAIN_VARIABLE
from b2bcore_adapters.alerts.delivery import MemoryDeliveryLog, SQLDeliveryLog
from b2bcore_adapters.persistence.backends import (
    BY_MODULE,
    DELIVERY_LOG,
    IDEMPOTENCY_KEYS,
    SQLITE,
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


def test_a_backend_keeping_nothing_beside_the_log_opens_and_says_so(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backend of another package may name no adapters' stores
    (``beside``) and no hash-chain store: the store opens, and only asking
    for the chain is refused."""

    def environment(url: str) -> dict[str, str]:
        env = SQLITE.environment(url)
        del env[CHAIN_VARIABLE]
        return env

    bare = SimpleNamespace(environment=environment)
    monkeypatch.setattr(core_module, "backend_of", lambda url: bare)
    monkeypatch.setattr(core_module, "environment_for", environment)

    with B2BCore.open(sqlite_url) as core:
        assert core.log_position() == 0
        with pytest.raises(ConfigurationError, match="no hash-chain store"):
            core.verify_log()
