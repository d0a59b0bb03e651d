"""What the aggregates' state machines share: one aggregate on a memory core
(a snapshot every three events) driven through random valid and invalid
commands. A refused command must record nothing; the aggregate read through
the API must equal the aggregate replayed from all of its events; and as of
any business date it must be a state the aggregate could have been in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Generic, Protocol, TypeVar
from uuid import uuid4

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant

from b2bcore import B2BCore, B2BCoreError, FixedClock, NotFoundError
from b2bcore.application.core import replay
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.testing.strategies import blank_texts, texts
from tests.conftest import TODAY

SNAPSHOT_INTERVAL = 3
#: How long and how often each machine runs.
MACHINE_SETTINGS = settings(max_examples=100, stateful_step_count=30, deadline=None)

#: Rules that end a life go ahead only at 0, one call in four, so most
#: runs keep it going a while; shrinking brings it to 0.
hesitations = st.integers(min_value=0, max_value=3)
#: Mostly a text, one time in four a blank one (refused).
maybe_blank = st.one_of(texts, texts, texts, blank_texts)
#: A price in minor units of the aggregate's currency.
prices = st.integers(min_value=1, max_value=10**6)


class View(Protocol):
    @property
    def version(self) -> int: ...


V = TypeVar("V", bound=View)


class AggregateMachine(RuleBasedStateMachine, Generic[V]):
    """One aggregate, ``aggregate_id``, on a memory core. A subclass says how
    to read it, how to view it replayed, and what every state of it keeps;
    its rules run commands through ``_attempt``."""

    def __init__(self) -> None:
        super().__init__()
        self.core = B2BCore.open(
            "memory://",
            actor="tester",
            clock=FixedClock(TODAY),
            snapshot_interval=SNAPSHOT_INTERVAL,
        )
        self.aggregate_id = uuid4()
        self._read: tuple[int, V] | None = None
        self._ended_version: int | None = None

    def teardown(self) -> None:
        self.core.close()

    def read(self, *, as_of: date | None = None) -> V:
        """The aggregate through the API, now or as of business date ``as_of``."""
        raise NotImplementedError

    def view_of(self, replayed: DomainAggregate | None) -> V:
        """The view of the aggregate ``replay`` built from its events."""
        raise NotImplementedError

    def assert_invariants(self, view: V) -> None:
        """What every state of the aggregate keeps, now or as of any date."""
        raise NotImplementedError

    def _view(self, *, fresh: bool = False) -> V:
        """The aggregate read through the API, once per log position
        unless ``fresh``."""
        position = self.core.log_position()
        if fresh or self._read is None or self._read[0] != position:
            self._read = (position, self.read())
        return self._read[1]

    def _attempt(
        self, what: str, command: Callable[[], object], *, valid: bool, events: int = 1
    ) -> bool:
        """Run ``command``; True when it recorded ``events``. A refusal must
        record nothing and leave the aggregate as it was; the model says which
        should happen. (``--hypothesis-show-statistics`` shows how often each
        was which.)"""
        position = self.core.log_position()
        view = self._view()
        try:
            command()
        except B2BCoreError as error:
            assert self.core.log_position() == position, "a refusal recorded events"
            assert self._view(fresh=True) == view, "a refusal changed the aggregate"
            event(f"{what} refused")
            if valid:
                raise AssertionError(f"a valid {what} was refused: {error}") from error
            return False
        event(f"{what} recorded")
        assert valid, f"an invalid {what} was recorded"
        assert self.core.log_position() == position + events
        return True

    def _look_back(self, as_of: date, *, began_on: date) -> V | None:
        """The aggregate as an auditor sees it as of ``as_of``: it loads from
        ``began_on`` on, and keeps the invariants; None before."""
        try:
            view = self.read(as_of=as_of)
        except NotFoundError:
            assert as_of < began_on
            return None
        self.assert_invariants(view)
        return view

    def _assert_nothing_recorded_after_the_end(
        self, view: V, *, ended: bool, allowed: int = 0
    ) -> None:
        """Once ``ended`` the aggregate is terminal: its version stays where
        it ended but for the ``allowed`` events recorded after it."""
        if ended:
            self._ended_version = self._ended_version or view.version
            assert view.version == self._ended_version + allowed

    @invariant()
    def the_live_view_equals_a_replay_without_snapshots(self) -> None:
        """The API reads from the latest snapshot (one every three events);
        replaying every event, twice, must give the same aggregate."""
        view = self._view()
        snapshots = self.core.event_log.snapshots
        assert snapshots is not None
        latest = list(snapshots.get(self.aggregate_id, desc=True, limit=1))
        snapshot_version = latest[0].originator_version if latest else 0
        assert snapshot_version == view.version - view.version % SNAPSHOT_INTERVAL
        events = list(self.core.event_log.events.get(self.aggregate_id))
        first = self.view_of(replay(events, lambda e: True))
        second = self.view_of(replay(events, lambda e: True))
        assert second == first, "replay is not deterministic"
        assert view == first
