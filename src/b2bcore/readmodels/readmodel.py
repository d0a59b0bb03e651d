"""The read-model store port.

A read model is a set of rows per projection plus the projection's position
in the event log. A store commits rows and positions in one transaction, so
after a crash a projection has either applied an event (rows and position)
or not at all: nothing is counted twice or missed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from enum import Enum
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from uuid import UUID

import attrs

from b2bcore.readmodels.facts.queries import ReportQueries
from b2bcore.readmodels.facts.tables import Table

if TYPE_CHECKING:
    from b2bcore.readmodels.facts.versions import RowVersions


class Consistency(Enum):
    """What a query waits for before it reads the read models (reads never
    write: docs/architecture.md)."""

    #: Every event recorded before the query started is in the answer. The
    #: embedded default: ``B2BCore`` catches its read models up right after
    #: each save it makes; a query whose store is behind (another process
    #: wrote and nothing caught up) waits for a runner, then raises
    #: ``ReadModelBehindError``.
    LOG_HEAD = "log-head"
    #: The read models as they stand: saves only record, a runner catches up,
    #: and ``B2BCore.read_status()`` says how far behind the answer may be.
    #: For servers.
    AVAILABLE = "available"


@attrs.frozen
class Row:
    """One aggregate's latest state: ``data`` is its encoded state; ``kind``
    and ``account_id`` are indexed for queries."""

    kind: str
    account_id: UUID | None
    data: bytes


@attrs.frozen
class Batch:
    """Rows to upsert for one projection, the report-row versions to open
    and close, and the log position they bring it to."""

    projection: str
    rows: Mapping[UUID, Row]
    position: int
    facts: RowVersions | None = None


@runtime_checkable
class InTransactionStore(Protocol):
    """A store that can also work inside a transaction of the event log's
    recorder, so a save's read rows commit with its events."""

    def within(self, transaction: object) -> ReadModelStore:
        """This store, reading and writing through ``transaction``."""
        ...


class PositionConflictError(Exception):
    """Another process already moved the projection to or past this position."""


class ReadModelStore(ReportQueries, Protocol):
    """Where projections keep their rows and positions, and answer the
    report queries from their report tables."""

    def position(self, projection: str) -> int:
        """The last log position applied to ``projection`` (0 when none)."""
        ...

    def positions(self) -> dict[str, int]:
        """Every projection's position, read at once (absent: none yet)."""
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

    def reset(self, projection: str, tables: Sequence[Table] = ()) -> None:
        """Drop the projection's rows, its report ``tables`` and its position
        (before a rebuild)."""
        ...

    def recreate(self, tables: Sequence[Table]) -> None:
        """Drop ``tables`` and create them as declared now (an upgrade)."""
        ...

    def reshaping(self) -> AbstractContextManager[ReadModelStore]:
        """This store inside one transaction that holds the lock on changing
        the read models' shape from its start: what the block does commits
        together, and another process reshaping at the same moment waits
        for it to end, then sees what it did."""
        ...

    def close(self) -> None: ...
