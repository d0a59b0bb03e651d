"""Row versions by recorded time: when an event changes an aggregate's rows,
the rows it removes stop being known at the event's recorded time and the
rows it adds start being known then. A report "as known at T" reads the
versions whose interval holds T; a report now reads those still known."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from hashlib import blake2b
from uuid import UUID

import attrs

from b2bcore.facts.rows import FactRow, Facts
from b2bcore.facts.tables import STILL_KNOWN, Table

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """A recorded time as microseconds since the epoch (exact)."""
    return (moment - EPOCH) // MICROSECOND


def known_bound(at: datetime | None) -> int:
    """The recorded-time bound of a query: ``at`` in microseconds, or, for
    the rows known now, the last moment before ``STILL_KNOWN``."""
    return STILL_KNOWN - 1 if at is None else micros(at)


def row_hash(row: FactRow) -> int:
    """A row's identity among its aggregate's rows: stable across processes
    (unlike ``hash``), a signed 64-bit integer."""
    digest = blake2b(repr(row).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@attrs.frozen
class FactChange:
    """What one event did to one table's rows of one aggregate: the rows
    (by hash) no longer known from ``at``, and the rows known from then."""

    table: Table
    key: UUID
    at: int
    closed: tuple[int, ...]
    opened: tuple[tuple[int, FactRow], ...]


def changes(
    key: UUID, before: Facts, after: Facts, recorded: datetime
) -> list[FactChange]:
    """The row versions an event recorded at ``recorded`` opens and closes
    when it takes the aggregate ``key`` from ``before`` to ``after``."""
    if before is after:
        return []
    at = micros(recorded)
    found = []
    for table in before.keys() | after.keys():
        old = before.get(table, frozenset())
        new = after.get(table, frozenset())
        if old is new or old == new:
            continue
        found.append(
            FactChange(
                table,
                key,
                at,
                closed=tuple(row_hash(row) for row in old - new),
                opened=tuple((row_hash(row), row) for row in new - old),
            )
        )
    return found


@attrs.frozen
class Closing:
    """A row version already stored that stops being known ``at``."""

    table: Table
    key: UUID
    row_hash: int
    at: int


@attrs.frozen
class Version:
    """A row version to store, known over ``[known_from, known_until)``."""

    table: Table
    key: UUID
    row_hash: int
    known_from: int
    known_until: int
    row: FactRow


def collapse(found: Sequence[FactChange]) -> tuple[list[Closing], list[Version]]:
    """The writes that record ``found`` (in log order) in one transaction:
    the stored versions to close (run first: they are never the new ones),
    and the new versions with their final interval (a row opened and closed
    within ``found`` is written once, already closed)."""
    closings: list[Closing] = []
    #: Where each version opened in ``found`` and still open sits in ``written``.
    opened: dict[tuple[Table, UUID, int], int] = {}
    written: list[Version] = []
    for change in found:
        for digest in change.closed:
            at = opened.pop((change.table, change.key, digest), None)
            if at is None:
                closings.append(Closing(change.table, change.key, digest, change.at))
            else:
                written[at] = attrs.evolve(written[at], known_until=change.at)
        for digest, row in change.opened:
            opened[(change.table, change.key, digest)] = len(written)
            written.append(
                Version(change.table, change.key, digest, change.at, STILL_KNOWN, row)
            )
    return closings, written
