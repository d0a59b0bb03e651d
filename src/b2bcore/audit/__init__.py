"""The tamper-evident log: the hash chain over every event (``hashchain``),
the port that stores its links (``chainstore``), and verifying the log, its
snapshots and read models against it (``verification``).

``b2bcore.audit.ChainStatus`` and the other names of ``verification`` still
work (the module's path before the folders)."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    if importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")
    return getattr(importlib.import_module(f"{__name__}.verification"), name)
