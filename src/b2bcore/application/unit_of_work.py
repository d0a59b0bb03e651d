"""One command run's writes, held and recorded together
(``B2BCore.unit_of_work``): the versions the run is conditioned on, the
aggregates it saves, and what else commits in their transaction.

A unit opened inside another is a *scope* of it: its commands find the
aggregates the outer units hold, and change copies of them; when the scope
ends its aggregates join the outer unit, to be recorded with it, and when it
raises the outer unit is left as it was. An importer runs each row's
commands in a scope of its batch's unit, so a row breaking a rule is
rejected alone."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any
from uuid import UUID

import attrs
from eventsourcing.persistence import StoredEvent

from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.errors import AlreadyExistsError, ConcurrencyError

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
    #: The unit this one is a scope of, if any.
    outer: UnitOfWork | None = None
    #: Ids known to be recorded (one ``B2BCore.existing`` look-up for many
    #: commands): a command naming one takes it as there, unloaded, and of
    #: the kind it names (give ids of one kind per name, as the importers'
    #: deterministic ids are).
    existing: frozenset[UUID] = frozenset()
    held: dict[UUID, DomainAggregate] = attrs.field(factory=dict)
    checked: set[UUID] = attrs.field(factory=set)

    def scope(self, expected: dict[UUID, Collection[int]]) -> UnitOfWork:
        """A unit run inside this one (see the module's docs)."""
        return UnitOfWork(expected, outer=self, existing=self.existing)

    def check(self, aggregate: DomainAggregate, version: int) -> None:
        """Refuse ``aggregate`` found at ``version`` when the unit expects
        another (ConcurrencyError)."""
        self.checked.add(aggregate.id)
        allowed = next(
            (
                u.expected[aggregate.id]
                for u in self._chain()
                if aggregate.id in u.expected
            ),
            None,
        )
        if allowed is not None:
            _refuse_unless(aggregate, version, allowed)

    def expect(self, aggregate_id: UUID, version: int) -> None:
        """From now on in the run, the aggregate must be at ``version``: now,
        if the unit holds it already, else when a command loads it."""
        self.expected[aggregate_id] = (version,)
        if (held := self.find(aggregate_id)) is not None:
            self.check(held, held.version)

    def hold(self, aggregates: Sequence[DomainAggregate]) -> None:
        """Keep ``aggregates`` (changed in the run, or read for it to start
        from) to record when the unit ends; one created in the run is
        checked against what the unit expects of its id, and refused
        (AlreadyExistsError) when the unit holds another of it."""
        for aggregate in aggregates:
            if not any(aggregate.id in u.checked for u in self._chain()):
                self.check(aggregate, aggregate.version - len(aggregate.pending_events))
            known = self.find(aggregate.id)
            if known is not None and known is not aggregate:
                raise AlreadyExistsError(aggregate.KIND, aggregate.id, "already exists")
            self.held[aggregate.id] = aggregate

    def find(self, aggregate_id: UUID) -> DomainAggregate | None:
        """The aggregate with this id held here or by an outer unit, with the
        run's changes so far: to read, not to change."""
        return next(
            (u.held[aggregate_id] for u in self._chain() if aggregate_id in u.held),
            None,
        )

    def _chain(self) -> Iterator[UnitOfWork]:
        """This unit, then each unit it is a scope of, outwards."""
        unit: UnitOfWork | None = self
        while unit is not None:
            yield unit
            unit = unit.outer

    def get(self, aggregate_id: UUID) -> DomainAggregate | None:
        """The aggregate with this id to change: held here, or a copy of an
        outer unit's, held here from now on."""
        held = self.held.get(aggregate_id)
        found = (
            None
            if held is not None or self.outer is None
            else self.outer.find(aggregate_id)
        )
        if found is not None:
            held = self.held[aggregate_id] = _copy(found)
            self.checked.add(aggregate_id)
            # The scope's own expectation, of the version the outer run left
            # it at (the outer units' were checked when they loaded it).
            if aggregate_id in self.expected:
                _refuse_unless(held, held.version, self.expected[aggregate_id])
        return held

    def has(self, kind: type[DomainAggregate], aggregate_id: UUID) -> bool:
        """Whether the unit knows a ``kind`` aggregate with this id is there
        (held, or known to be recorded), without loading it."""
        found = self.find(aggregate_id)
        if found is None:
            return aggregate_id in self.existing
        return isinstance(found, kind)

    def join(self) -> None:
        """Hand a scope's aggregates, with their changes, to its outer unit,
        and its ``then``, to run after the outer unit's own."""
        outer = self.outer
        assert outer is not None
        outer.held.update(self.held)
        outer.checked.update(self.checked)
        if (then := self.then) is not None:
            before = outer.then

            def both(
                cursor: Any, stored: Sequence[StoredEvent], at: Sequence[int]
            ) -> None:
                if before is not None:
                    before(cursor, stored, at)
                then(cursor, stored, at)

            outer.then = both

    def version(self, aggregate_id: UUID) -> int | None:
        """The version a held aggregate will be at once recorded."""
        held = self.find(aggregate_id)
        return None if held is None else held.version


def _refuse_unless(
    aggregate: DomainAggregate, version: int, allowed: Collection[int]
) -> None:
    """ConcurrencyError unless ``aggregate``, found at ``version``, is at a
    version ``allowed``."""
    if version not in allowed:
        named = ", ".join(str(v) for v in sorted(allowed)) or "none"
        raise ConcurrencyError(
            aggregate.KIND,
            aggregate.id,
            f"is at version {version}, not the one expected ({named})",
        )


def _copy(aggregate: DomainAggregate) -> DomainAggregate:
    """A copy of ``aggregate`` to change, leaving it as it is. An aggregate's
    state is immutable values and lists of them, which its events' ``apply``
    appends to or replaces an item of, never changing one: copying the lists
    is enough (a deep copy is fifty times slower)."""
    clone = object.__new__(type(aggregate))
    vars(clone).update(
        (name, list(value) if isinstance(value, list) else value)
        for name, value in vars(aggregate).items()
    )
    return clone
