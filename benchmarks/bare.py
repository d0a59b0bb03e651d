"""The bare ``eventsourcing`` baseline: the library used as its
documentation shows, with no b2bcore code.

``Company`` is a plain ``Aggregate`` whose events (``@event`` methods) carry
one text; the benchmarks pad that text so each stored event is exactly as
long as the b2bcore event it stands for. ``BareLog`` is a plain
``Application`` (default mapper, ``repository.get`` with the library's
default projector); ``SnapshottingBareLog`` also snapshots as often as
b2bcore does by default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from b2bcore.application import DEFAULT_SNAPSHOT_INTERVAL


class Company(Aggregate):
    @event("Registered")
    def __init__(self, profile: str) -> None:
        self.profile = profile

    @event("Renamed")
    def rename(self, name: str) -> None:
        self.name = name


class BareLog(Application[UUID]):
    name = "Bare"


class SnapshottingBareLog(BareLog):
    snapshotting_intervals = {Company: DEFAULT_SNAPSHOT_INTERVAL}  # noqa: RUF012 - the library's API


def open_bare(path: Path, *, snapshots: bool = False) -> BareLog:
    """A bare application on its own SQLite file."""
    kind = SnapshottingBareLog if snapshots else BareLog
    return kind(
        env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
    )


def stored_size(app: Application[UUID], aggregate: Any) -> int:
    """Bytes of the stored state of ``aggregate``'s last pending event."""
    return len(app.mapper.to_stored_event(aggregate.pending_events[-1]).state)


def registration_text(app: Application[UUID], size: int) -> str:
    """A profile that makes a ``Company``'s registration store ``size`` bytes."""
    return "x" * max(0, size - stored_size(app, Company(profile="")))


def rename_text(app: Application[UUID], size: int) -> str:
    """A name that makes a ``Company``'s rename store ``size`` bytes."""
    probe = Company(profile="")
    probe.rename("")
    return "x" * max(0, size - stored_size(app, probe))
