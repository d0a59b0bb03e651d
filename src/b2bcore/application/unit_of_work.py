"""One command run's writes, held and recorded together
(``B2BCore.unit_of_work``): the versions the run is conditioned on, the
aggregates it saves, and what else commits in their transaction."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any
from uuid import UUID

import attrs
from eventsourcing.persistence import StoredEvent

from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.errors import ConcurrencyError

#: Run by the log's recorder inside the transaction that inserts a save's
#: events, before it commits: the transaction's cursor, the stored events and
#: their positions in the log. An exception it raises undoes the save.
Then = Callable[[Any, Sequence[StoredEvent], Sequence[int]], None]


@attrs.define
class UnitOfWork:
    """What one ``B2BCore.unit_of_work`` block expects, holds and runs."""

    #: The versions each of these aggregates may be at when the run loads it
    #: (an HTTP If-Match): its save is conditioned on the version loaded.
    expected: dict[UUID, Collection[int]]
    #: Runs inside the transaction that records the held events, if any.
    then: Then | None = None
    held: list[DomainAggregate] = attrs.field(factory=list)
    checked: set[UUID] = attrs.field(factory=set)

    def check(self, aggregate: DomainAggregate, version: int) -> None:
        """Refuse ``aggregate`` found at ``version`` when the unit expects
        another (ConcurrencyError)."""
        self.checked.add(aggregate.id)
        allowed = self.expected.get(aggregate.id)
        if allowed is not None and version not in allowed:
            named = ", ".join(str(v) for v in sorted(allowed)) or "none"
            raise ConcurrencyError(
                aggregate.KIND,
                aggregate.id,
                f"is at version {version}, not the one expected ({named})",
            )

    def expect(self, aggregate_id: UUID, version: int) -> None:
        """From now on in the run, the aggregate must be at ``version``: now,
        if the unit holds it already, else when a command loads it."""
        self.expected[aggregate_id] = (version,)
        if (held := self.get(aggregate_id)) is not None:
            self.check(held, held.version)

    def hold(self, aggregates: Sequence[DomainAggregate]) -> None:
        """Keep ``aggregates`` to record when the unit ends; one created in
        the run is checked against what the unit expects of its id."""
        for aggregate in aggregates:
            if aggregate.id not in self.checked:
                self.check(aggregate, aggregate.version - len(aggregate.pending_events))
            if not any(aggregate is h for h in self.held):
                self.held.append(aggregate)

    def get(self, aggregate_id: UUID) -> DomainAggregate | None:
        """The held aggregate with this id, with the run's changes so far."""
        return next((a for a in self.held if a.id == aggregate_id), None)

    def version(self, aggregate_id: UUID) -> int | None:
        """The version a held aggregate will be at once recorded."""
        held = self.get(aggregate_id)
        return None if held is None else held.version
