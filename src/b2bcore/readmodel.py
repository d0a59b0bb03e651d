"""The read-model store port, and its in-memory implementation.

A read model is a set of rows per projection plus the projection's position
in the event log. A store commits rows and positions in one transaction, so
after a crash a projection has either applied an event (rows and position)
or not at all: nothing is counted twice or missed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Protocol
from uuid import UUID

import attrs
from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.popo import POPOTrackingRecorder


@attrs.frozen
class Row:
    """One aggregate's latest state: ``data`` is its encoded state; ``kind``
    and ``account_id`` are indexed for queries."""

    kind: str
    account_id: UUID | None
    data: bytes


@attrs.frozen
class Batch:
    """Rows to upsert for one projection, and the log position they bring it to."""

    projection: str
    rows: Mapping[UUID, Row]
    position: int


class PositionConflictError(Exception):
    """Another process already moved the projection to or past this position."""


class ReadModelStore(Protocol):
    """Where projections keep their rows and positions."""

    def position(self, projection: str) -> int:
        """The last log position applied to ``projection`` (0 when none)."""
        ...

    def rows(self, projection: str, keys: Collection[UUID]) -> dict[UUID, bytes]:
        """The data of the rows among ``keys`` that exist."""
        ...

    def scan(
        self, projection: str, *, kind: str, account_id: UUID | None = None
    ) -> Iterator[bytes]:
        """The data of every row of ``kind`` (of one account, if given)."""
        ...

    def commit(self, batches: Sequence[Batch]) -> None:
        """Upsert every batch's rows and set its position, all or nothing.
        Raises PositionConflictError if a position does not advance."""
        ...

    def reset(self, projection: str) -> None:
        """Drop the projection's rows and position (before a rebuild)."""
        ...

    def close(self) -> None: ...


class MemoryReadModelStore(POPOTrackingRecorder):
    """Rows in dictionaries, for ``memory://`` and tests; positions are the
    library's in-memory tracking records."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, dict[UUID, Row]] = {}

    def position(self, projection: str) -> int:
        return self.max_tracking_id(projection) or 0

    def rows(self, projection: str, keys: Collection[UUID]) -> dict[UUID, bytes]:
        with self._database_lock:
            table = self._rows.get(projection, {})
            return {key: table[key].data for key in keys if key in table}

    def scan(
        self, projection: str, *, kind: str, account_id: UUID | None = None
    ) -> Iterator[bytes]:
        with self._database_lock:
            rows = list(self._rows.get(projection, {}).values())
        return (
            row.data
            for row in rows
            if row.kind == kind and (account_id is None or row.account_id == account_id)
        )

    def commit(self, batches: Sequence[Batch]) -> None:
        with self._database_lock:
            try:
                for batch in batches:
                    self._assert_tracking_uniqueness(
                        Tracking(batch.projection, batch.position)
                    )
            except IntegrityError as error:
                raise PositionConflictError(str(error)) from None
            for batch in batches:
                self._rows.setdefault(batch.projection, {}).update(batch.rows)
                self._insert_tracking(Tracking(batch.projection, batch.position))

    def reset(self, projection: str) -> None:
        with self._database_lock:
            self._rows.pop(projection, None)
            self._max_tracking_ids.pop(projection, None)

    def close(self) -> None:
        pass
