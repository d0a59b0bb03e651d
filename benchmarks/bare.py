"""The bare ``eventsourcing`` baseline: the library used as its
documentation shows, with no b2bcore code.

``Company`` is a plain ``Aggregate`` whose events (``@event`` methods) carry
one text; the benchmarks pad that text so each stored event is exactly as
long as the b2bcore event it stands for (``padded``: a whole history of
given sizes). ``BareLog`` is a plain ``Application`` (default mapper,
``repository.get`` with the library's default projector) on its own SQLite
file or PostgreSQL schema; ``SnapshottingBareLog`` also snapshots as often
as b2bcore does by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from b2bcore import B2BCore
from b2bcore.application.core import DEFAULT_SNAPSHOT_INTERVAL
from b2bcore.application.storage import environment_for


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


def open_bare_at(url: str) -> BareLog:
    """A bare application at a b2bcore database URL (``sqlite:///…`` or
    ``postgresql://…?schema=…``), beside b2bcore's tables (its own are
    named after ``BareLog.name``)."""
    env = {
        key: value
        for key, value in environment_for(url).items()
        if key != "TRACKING_RECORDER_TOPIC"
    }
    return BareLog(env=env)


def stored_sizes(core: B2BCore, aggregate_id: UUID) -> list[int]:
    """Bytes of the stored state of each of the aggregate's events."""
    return [
        len(stored.state)
        for stored in core.event_log.recorder.select_events(aggregate_id)
    ]


def padded(app: Application[UUID], sizes: Sequence[int]) -> Company:
    """A new ``Company`` whose events (pending) store ``sizes`` bytes each:
    the registration, then renames."""
    company = Company(profile=registration_text(app, sizes[0]))
    for size in sizes[1:]:
        company.rename(rename_text(app, size))
    return company


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
