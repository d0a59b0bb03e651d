"""Stores that live beside the event log, in its own database: the class is
the one the log's backend names for what the store keeps
(``backends.Backend.beside``), given as a topic so an optional driver is
imported only when its store is used."""

from __future__ import annotations

from typing import Any

from eventsourcing.utils import resolve_topic

from b2bcore import B2BCore, ConfigurationError
from b2bcore_adapters.persistence.backends import BY_MODULE

__all__ = ["store_beside"]


def store_beside(core: B2BCore, keeps: str) -> Any:
    """The store of ``core``'s backend that ``keeps`` (``IDEMPOTENCY_KEYS``,
    ``DELIVERY_LOG``), given the log's datastore; the in-memory one takes
    none."""
    module = type(core.event_log.factory).__module__
    backend = BY_MODULE.get(module)
    if backend is None or keeps not in backend.beside:
        raise ConfigurationError(f"{module}: no store of {keeps} beside this event log")
    store_class = resolve_topic(backend.beside[keeps])
    datastore = getattr(core.event_log.recorder, "datastore", None)
    return store_class() if datastore is None else store_class(datastore)
