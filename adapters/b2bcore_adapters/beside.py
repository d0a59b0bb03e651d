"""Stores that live beside the event log, in its own database: the class is
chosen by the log's persistence module (a topic per module, so an optional
driver is imported only when its store is used)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eventsourcing.utils import resolve_topic

from b2bcore import B2BCore, ConfigurationError

__all__ = ["store_beside"]


def store_beside(core: B2BCore, stores: Mapping[str, str]) -> Any:
    """An instance of the class ``stores`` names for ``core``'s persistence
    module (``eventsourcing.popo``, ``.sqlite``, ``.postgres``), given the
    log's datastore; the in-memory one takes none."""
    module = type(core.event_log.factory).__module__
    if module not in stores:
        raise ConfigurationError(f"{module}: no store beside this event log")
    store_class = resolve_topic(stores[module])
    datastore = getattr(core.event_log.recorder, "datastore", None)
    return store_class() if datastore is None else store_class(datastore)
