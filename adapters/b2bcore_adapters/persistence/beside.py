"""Stores that live beside the event log, in its own database: the class is
the one the log's backend names for what the store keeps
(``backends.Backend.beside``), given as a topic so an optional driver is
imported only when its store is used; its tables are made when it is opened
(``sql_tables``)."""

from __future__ import annotations

from typing import Any

from b2bcore import B2BCore, ConfigurationError
from b2bcore.application.storage import opened_beside
from b2bcore_adapters.persistence.backends import BY_MODULE

__all__ = ["store_beside"]


def store_beside(core: B2BCore, keeps: str) -> Any:
    """The store of ``core``'s backend that ``keeps`` (``IDEMPOTENCY_KEYS``,
    ``DELIVERY_LOG``), its tables created unless the log's ``CREATE_TABLE``
    says no (opening the log made them with its own)."""
    module = type(core.event_log.factory).__module__
    backend = BY_MODULE.get(module)
    if backend is None or keeps not in backend.beside:
        raise ConfigurationError(f"{module}: no store of {keeps} beside this event log")
    return opened_beside(core.event_log.factory, backend.beside[keeps])
