"""Projections: read models that follow the event log.

A ``StateProjection`` keeps the latest state of every aggregate of one class,
applying each event with the aggregate's own ``apply`` — the same code that
built the state on the write side, so a read model can never disagree with
the log. Reports are pure functions over these states (``b2bcore.reports``).

``Projector`` moves projections along the log: on demand before a query
(``catch_up``), from scratch (``rebuild``), or forever (``follow``). Each
page of events is committed with the projections' new positions in one
transaction.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar, cast
from uuid import UUID

import attrs
from eventsourcing.persistence import Mapper, Notification

from b2bcore.aggregate import DomainAggregate
from b2bcore.readmodel import Batch, PositionConflictError, ReadModelStore, Row

A = TypeVar("A", bound=DomainAggregate)

#: Events read and committed per transaction.
PAGE_SIZE = 1000
#: States kept decoded between pages of one catch-up (bounds memory).
CACHE_SIZE = 5_000


class ProjectionError(Exception):
    """A projection cannot apply an event (a poison event): it stops there.

    The projection's position stays just before the event, so nothing is
    skipped; once the cause is fixed, the next catch-up resumes from it."""

    def __init__(self, projection: str, notification: Notification, cause: str) -> None:
        self.projection = projection
        self.position = notification.id
        self.topic = notification.topic
        self.aggregate_id = notification.originator_id
        self.version = notification.originator_version
        super().__init__(
            f"projection {projection!r} stopped at log position {notification.id} "
            f"({notification.topic}, {notification.originator_id} version "
            f"{notification.originator_version}): {cause}"
        )


class StateProjection:
    """The latest state of every aggregate of one class."""

    def __init__(self, aggregate: type[DomainAggregate]) -> None:
        self.aggregate = aggregate
        self.name = f"{aggregate.KIND}_states"
        self.topics = tuple(
            sorted(
                value.TOPIC
                for name, value in vars(aggregate).items()
                if name != "Event"
                and isinstance(value, type)
                and issubclass(value, DomainAggregate.Event)
            )
        )
        if not self.topics:
            raise ValueError(f"{aggregate.__name__} defines no event topics")

    def apply(self, state: DomainAggregate | None, event: Any) -> DomainAggregate:
        """``state`` with ``event`` applied (the aggregate's own rules)."""
        new_state: DomainAggregate = event.mutate(state)
        return new_state


@attrs.frozen
class ProjectionStatus:
    name: str
    position: int
    head: int

    @property
    def behind(self) -> int:
        """Log positions not yet looked at (not all concern this projection)."""
        return self.head - self.position


Progress = Callable[[int, int], None]
"""Called with (position reached, head of the log) after each page."""


class Projector:
    """Moves projections along one event log into one read-model store."""

    def __init__(
        self,
        mapper: Mapper[UUID],
        recorder: Any,
        store: ReadModelStore,
        projections: Sequence[StateProjection],
        *,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self._mapper = mapper
        self._recorder = recorder
        self.store = store
        self.projections = {p.name: p for p in projections}
        self._by_kind = {p.aggregate.KIND: p for p in projections}
        self.page_size = page_size
        #: Errors that stopped followers started by ``follow_in_threads``.
        self.failures: list[Exception] = []

    def head(self) -> int:
        return self._recorder.max_notification_id() or 0

    def status(self) -> list[ProjectionStatus]:
        head = self.head()
        return [
            ProjectionStatus(name, self.store.position(name), head)
            for name in self.projections
        ]

    def states(self, kind: type[A], *, account_id: UUID | None = None) -> Iterator[A]:
        """Every recorded state of ``kind`` (of one account, if given)."""
        projection = self._by_kind[kind.KIND]
        for data in self.store.scan(
            projection.name, kind=kind.KIND, account_id=account_id
        ):
            state = self._decode(data)
            assert isinstance(state, kind)
            yield state

    def catch_up(
        self, names: Iterable[str] | None = None, progress: Progress | None = None
    ) -> int:
        """Apply every event recorded since each projection's position; returns
        the number of events applied. Safe to run from several processes: a
        page another one committed first is left to it."""
        selected = [self.projections[n] for n in (names or self.projections)]
        try:
            return self._catch_up(selected, progress)
        except PositionConflictError:
            return 0

    def rebuild(
        self, names: Iterable[str] | None = None, progress: Progress | None = None
    ) -> int:
        """Drop the projections' rows and positions and replay the whole log."""
        selected = list(names or self.projections)
        for name in selected:
            self.store.reset(name)
        return self.catch_up(selected, progress)

    def follow(
        self,
        stop: threading.Event,
        names: Iterable[str] | None = None,
        poll_seconds: float = 0.5,
    ) -> None:
        """Catch up, then keep catching up every ``poll_seconds`` until
        ``stop`` is set. A poison event stops it with a ProjectionError."""
        selected = list(names or self.projections)
        while not stop.is_set():
            self.catch_up(selected)
            stop.wait(poll_seconds)

    def follow_in_threads(
        self,
        stop: threading.Event,
        poll_seconds: float = 0.5,
        names: Iterable[str] | None = None,
    ) -> list[threading.Thread]:
        """Follow the log with one thread per projection (every one, or the
        named ones), each at its own position (one failing does not hold the
        others back). A follower that fails records its error in
        ``self.failures``."""

        def follow_one(name: str) -> None:
            try:
                self.follow(stop, [name], poll_seconds)
            except Exception as error:  # kept for the caller, never hidden
                self.failures.append(error)
                raise

        threads = [
            threading.Thread(
                target=follow_one, args=(name,), name=f"projection {name}", daemon=True
            )
            for name in (names or self.projections)
        ]
        for thread in threads:
            thread.start()
        return threads

    # -- the engine -----------------------------------------------------------

    def _catch_up(
        self, projections: list[StateProjection], progress: Progress | None
    ) -> int:
        positions = {p.name: self.store.position(p.name) for p in projections}
        committed = dict(positions)
        by_topic = {topic: p for p in projections for topic in p.topics}
        cache: OrderedDict[tuple[str, UUID], DomainAggregate] = OrderedDict()
        start = min(positions.values(), default=0)
        head = self.head() if progress else 0
        applied = 0
        while True:
            notifications = self._recorder.select_notifications(
                start=start,
                limit=self.page_size,
                topics=tuple(by_topic),
                inclusive_of_start=False,
            )
            if not notifications:
                return applied
            page = [
                (by_topic[n.topic], n)
                for n in notifications
                if n.id > positions[by_topic[n.topic].name]
            ]
            self._load_missing(page, cache)
            dirty: dict[str, dict[UUID, DomainAggregate]] = {}
            failure: ProjectionError | None = None
            for projection, notification in page:
                key = (projection.name, cast(UUID, notification.originator_id))
                try:
                    event = self._mapper.to_domain_event(notification)
                    state = projection.apply(cache.get(key), event)
                except (
                    Exception
                ) as error:  # reported as a ProjectionError, never hidden
                    failure = ProjectionError(
                        projection.name,
                        notification,
                        f"{type(error).__name__}: {error}",
                    )
                    break
                cache[key] = state
                cache.move_to_end(key)
                dirty.setdefault(projection.name, {})[state.id] = state
                positions[projection.name] = notification.id
                applied += 1
            if failure is None:
                start = notifications[-1].id
                positions = {name: max(p, start) for name, p in positions.items()}
            self._commit(dirty, positions, committed)
            if failure is not None:
                raise failure
            while len(cache) > CACHE_SIZE:
                cache.popitem(last=False)
            if progress:
                progress(start, max(head, start))

    def _load_missing(
        self,
        page: list[tuple[StateProjection, Notification]],
        cache: OrderedDict[tuple[str, UUID], DomainAggregate],
    ) -> None:
        wanted: dict[str, set[UUID]] = {}
        for projection, notification in page:
            key = cast(UUID, notification.originator_id)
            if (projection.name, key) not in cache:
                wanted.setdefault(projection.name, set()).add(key)
        for name, keys in wanted.items():
            for key, data in self.store.rows(name, keys).items():
                cache[(name, key)] = self._decode(data)

    def _commit(
        self,
        dirty: dict[str, dict[UUID, DomainAggregate]],
        positions: dict[str, int],
        committed: dict[str, int],
    ) -> None:
        """Commit the changed states and every position that moved."""
        batches = [
            Batch(
                projection=name,
                rows={
                    key: self._encode(state)
                    for key, state in dirty.get(name, {}).items()
                },
                position=position,
            )
            for name, position in positions.items()
            if position > committed[name]
        ]
        if batches:
            self.store.commit(batches)
            committed.update(positions)

    def _encode(self, state: DomainAggregate) -> Row:
        fields = {k: v for k, v in vars(state).items() if k != "_pending_events"}
        fields["_kind"] = state.KIND
        return Row(
            kind=state.KIND,
            account_id=getattr(state, "account_id", None),
            data=self._mapper.transcoder.encode(fields),
        )

    def _decode(self, data: bytes) -> DomainAggregate:
        fields = self._mapper.transcoder.decode(data)
        kind = self._by_kind[fields.pop("_kind")].aggregate
        state = object.__new__(kind)
        state.__dict__.update(fields, _pending_events=[])
        return state
