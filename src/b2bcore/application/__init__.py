"""The application: every command declared once (``commands``) and how it is
carried out (``handlers``), the catalogue of queries (``queries``), units of
work, the core (``core.B2BCore``: the log, the read models, the queries) and
its asyncio face (``aio``), settings, and how a URL picks its stores.

``b2bcore.application.B2BCore`` still names the core (the module's path
before the folders): any name is looked up in ``core``."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    if importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")
    return getattr(importlib.import_module(f"{__name__}.core"), name)
