"""Projections: read models that follow the event log.

A ``StateProjection`` keeps the latest state of every aggregate of one class,
applying each event with the aggregate's own ``apply`` — the same code that
built the state on the write side, so a read model can never disagree with
the log. Reports are pure functions over these states (``b2bcore.reports``).

``Projector`` moves projections along the log: on demand before a query
(``catch_up``), from scratch (``rebuild``), or forever (``follow``). The
events of up to ``PAGES_PER_COMMIT`` pages are committed with the
projections' new positions in one transaction.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar, cast
from uuid import UUID

import attrs
from eventsourcing.persistence import Mapper, Notification, Recording

from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.errors import ProjectionError
from b2bcore.domain.projection_skip import ProjectionSkip
from b2bcore.readmodels.facts.rows import Delta, Facts, derive, facts
from b2bcore.readmodels.facts.tables import TABLES, TABLES_OF_KIND
from b2bcore.readmodels.facts.versions import RowVersions
from b2bcore.readmodels.readmodel import (
    Batch,
    PositionConflictError,
    ReadModelStore,
    Row,
)

A = TypeVar("A", bound=DomainAggregate)

#: What the projections write: bump it when that changes, and a store written
#: by an older b2bcore has its read models dropped and rebuilt.
READ_MODEL_VERSION = 7
#: The tracking name under which a store keeps its read models' version.
VERSION_MARK = "b2bcore_read_models"
#: How many times a catch-up goes on after another committed a page first.
CONFLICTS_PER_CATCH_UP = 10
#: Events read per page.
PAGE_SIZE = 1000
#: Pages applied per transaction: a catch-up killed mid-way resumes from its
#: last commit, so a longer transaction loses nothing but time, and commits
#: cost more than the rows they write.
PAGES_PER_COMMIT = 10
#: States kept decoded between commits of one catch-up (bounds memory).
CACHE_SIZE = 5_000


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
        self.projected = frozenset(self.topics)

    def apply(self, state: DomainAggregate | None, event: Any) -> DomainAggregate:
        """``state`` with ``event`` applied (the aggregate's own rules)."""
        new_state: DomainAggregate = event.mutate(state)
        return new_state


@attrs.frozen
class ReadStatus:
    """Where read models stand: applied up to log ``position``; the log's
    last event is at ``head``."""

    position: int
    head: int

    @property
    def behind(self) -> int:
        """Log positions not yet looked at (not all concern the read models)."""
        return self.head - self.position


@attrs.frozen
class ProjectionStatus(ReadStatus):
    """Where one projection stands."""

    name: str


Progress = Callable[[int, int], None]
"""Called with (position reached, head of the log) after each commit."""


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
        #: The states ``apply_saved`` made, kept for the writer's next saves.
        self._saved = _Work(list(self.projections.values()))
        self._saved_lock = threading.Lock()
        #: Errors that stopped followers started by ``follow_in_threads``.
        self.failures: list[Exception] = []

    def head(self) -> int:
        return self._recorder.max_notification_id() or 0

    def status(self) -> list[ProjectionStatus]:
        head = self.head()
        return [
            ProjectionStatus(self.store.position(name), head, name)
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
        the number of events applied. Safe to run from several processes and
        threads: when another one committed a page first, this one reads the
        positions again and goes on from there (a catch-up after a save
        leaves nothing of the save behind), a few times at most. A clash
        while no position moved is no race: it is left to the next
        catch-up, not retried."""
        selected = [self.projections[n] for n in (names or self.projections)]
        for _ in range(CONFLICTS_PER_CATCH_UP):
            positions = {p.name: self.store.position(p.name) for p in selected}
            try:
                return self._catch_up(selected, progress, dict(positions))
            except PositionConflictError:
                if all(self.store.position(n) == at for n, at in positions.items()):
                    break
        return 0

    def rebuild(
        self, names: Iterable[str] | None = None, progress: Progress | None = None
    ) -> int:
        """Drop the projections' rows and positions and replay the whole log."""
        selected = list(names or self.projections)
        self._reset(selected)
        with _collector_paused():
            return self.catch_up(selected, progress)

    def upgrade(self) -> bool:
        """Drop every read model a store holds from an older b2bcore
        (``READ_MODEL_VERSION``), so the next catch-up rebuilds them;
        whether it did."""
        if self.store.position(VERSION_MARK) >= READ_MODEL_VERSION:
            return False
        with self.store.reshaping() as store:
            # Processes opening the store at once: the first upgrades, the
            # others wait for it here and find the read models current.
            if store.position(VERSION_MARK) >= READ_MODEL_VERSION:
                return False
            store.recreate(TABLES)
            self._reset(list(self.projections), store)
            store.commit([Batch(VERSION_MARK, {}, READ_MODEL_VERSION)])
        return True

    def _reset(self, names: list[str], store: ReadModelStore | None = None) -> None:
        for name in names:
            (store or self.store).reset(
                name, TABLES_OF_KIND.get(self.projections[name].aggregate.KIND, ())
            )

    def apply_saved(
        self,
        recordings: Sequence[Recording[UUID]],
        store: ReadModelStore | None = None,
    ) -> bool:
        """Bring every projection past a save from the events in memory (the
        save's ``recordings``): the same engine as a catch-up, without
        reading the log back or decoding its events. Only when every
        projection stands just before the save (nothing else to apply
        first); returns False, having done nothing, otherwise. The save's
        events are contiguous in the log (one transaction under the log's
        lock), so this leaves what a catch-up would have left. ``store`` is
        the read-model store inside the save's own transaction, when the
        rows can commit with the events."""
        store = store or self.store
        if not recordings:
            return True
        first = min(r.notification.id for r in recordings)
        last = max(r.notification.id for r in recordings)
        at = store.positions()
        positions = {name: at.get(name, 0) for name in self.projections}
        if any(position != first - 1 for position in positions.values()):
            return False
        with self._saved_lock:
            work = self._saved
            work.forget_stale(r.notification for r in recordings)
            failure = self._apply_page(
                work,
                [(r.notification, r.domain_event) for r in recordings],
                positions,
                store,
            )
            if failure is None:
                positions = dict.fromkeys(positions, last)
            # A conflict: another process applied the save first, to the same
            # rows.
            with contextlib.suppress(PositionConflictError):
                self._commit(
                    work, positions, dict.fromkeys(positions, first - 1), store
                )
            work.evict()
        if failure is not None:
            raise failure
        return True

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
        others back). A follower that fails ends, its error kept in
        ``self.failures`` for the caller to report (not printed by the
        thread as a traceback)."""

        def follow_one(name: str) -> None:
            try:
                self.follow(stop, [name], poll_seconds)
            except Exception as error:  # kept for the caller, never hidden
                self.failures.append(error)

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
        self,
        projections: list[StateProjection],
        progress: Progress | None,
        positions: dict[str, int],
    ) -> int:
        committed = dict(positions)
        work = _Work(projections)
        start = min(positions.values(), default=0)
        head = self.head() if progress else 0
        pages = 0
        while True:
            # Every topic, not only the projected ones: an event no b2bcore
            # class declares may concern any projection, so it must be seen.
            notifications = self._recorder.select_notifications(
                start=start, limit=self.page_size, inclusive_of_start=False
            )
            failure = None
            if notifications:
                failure = self._apply_page(
                    work, [(n, None) for n in notifications], positions, self.store
                )
                if failure is None:
                    start = notifications[-1].id
                    positions = {name: max(p, start) for name, p in positions.items()}
                pages += 1
                if failure is None and pages % PAGES_PER_COMMIT:
                    # The states applied stay in the cache (evicted only
                    # after a commit): the store holds their older versions.
                    continue
            self._commit(work, positions, committed)
            if failure is not None:
                if (
                    self.store.position(failure.projection)
                    != committed[failure.projection]
                ):
                    # Another process moved the projection on while this page
                    # was read: the rows it loaded were newer than the page.
                    raise PositionConflictError(failure.projection)
                raise failure
            work.evict()
            if progress:
                progress(start, max(head, start))
            if not notifications:
                return work.applied

    def _apply_page(
        self,
        work: _Work,
        page: Sequence[tuple[Notification, Any]],
        positions: dict[str, int],
        store: ReadModelStore,
    ) -> ProjectionError | None:
        """Apply a page of the log (each notification with its event when
        already decoded) to ``work``, moving ``positions`` past each event
        applied; the poison event that stopped it, if any."""
        concerned = [
            (projection, notification, event)
            for notification, event in page
            for projection in _concerned(
                notification.topic, work.projections, work.by_topic, work.declared
            )
            if notification.id > positions[projection.name]
        ]
        self._load_missing(concerned, work.cache, store)
        for projection, notification, event in concerned:
            key = (projection.name, cast(UUID, notification.originator_id).int)
            state, before = work.cache.get(key, NOT_KEPT)
            if before is None:
                before = facts(state)
            placed = self._apply(projection, notification, state, event)
            if isinstance(placed, DomainAggregate):
                work.placed(key, placed, *derive(placed, notification.topic, before))
            elif self._skip_recorded(projection.name, notification.id):
                self._pass_over(projection, notification, state, work.dirty)
            else:
                return _poison(projection, notification, placed)
            positions[projection.name] = notification.id
        return None

    def _apply(
        self,
        projection: StateProjection,
        notification: Notification,
        state: DomainAggregate | None,
        event: Any,
    ) -> DomainAggregate | str:
        """``state`` with the event (decoded from ``notification`` unless
        given) applied, or why the projection cannot place the event (a
        poison event)."""
        if notification.topic not in projection.projected:
            return UNKNOWN_TOPIC
        try:
            if event is None:
                event = self._mapper.to_domain_event(notification)
            return projection.apply(state, event)
        except Exception as error:  # reported as a ProjectionError, never hidden
            return f"{type(error).__name__}: {error}"

    def _skip_recorded(self, projection: str, position: int) -> bool:
        """Whether an operator recorded that ``projection`` passes over the
        event at ``position``: one lookup by the skip's id, made only at a
        poison event (``B2BCore.skip_event``)."""
        skip = ProjectionSkip.id_for(projection, position)
        return bool(self._recorder.select_events(skip, limit=1))

    def _pass_over(
        self,
        projection: StateProjection,
        notification: Notification,
        state: DomainAggregate | None,
        dirty: dict[str, dict[int, DomainAggregate]],
    ) -> None:
        """Pass over a skipped event. The aggregate's state, if the projection
        holds one, counts the event as seen (its version moves on), so the
        aggregate's later events still apply in sequence."""
        if state is not None and state.version == notification.originator_version - 1:
            state.version = notification.originator_version
            dirty.setdefault(projection.name, {})[state.id.int] = state

    def _load_missing(
        self,
        page: list[tuple[StateProjection, Notification, Any]],
        cache: OrderedDict[Key, Kept],
        store: ReadModelStore,
    ) -> None:
        """Read the states the page's events apply to that are not cached:
        not those an aggregate's first event creates (nothing to read)."""
        wanted: dict[str, set[UUID]] = {}
        seen: set[Key] = set()
        for projection, notification, _ in page:
            aggregate_id = cast(UUID, notification.originator_id)
            key = (projection.name, aggregate_id.int)
            if key in seen or key in cache:
                continue
            seen.add(key)
            if notification.originator_version != 1:
                wanted.setdefault(projection.name, set()).add(aggregate_id)
        for name, ids in wanted.items():
            for aggregate_id, data in store.rows(name, ids).items():
                cache[(name, aggregate_id.int)] = (self._decode(data), None)

    def _commit(
        self,
        work: _Work,
        positions: dict[str, int],
        committed: dict[str, int],
        store: ReadModelStore | None = None,
    ) -> None:
        """Commit the changed states, their report rows and every position
        that moved, in one transaction; ``work`` starts a new page."""
        batches = [
            Batch(
                projection=name,
                rows={
                    state.id: self._encode(state)
                    for state in work.dirty.get(name, {}).values()
                },
                position=position,
                facts=work.changes.get(name),
            )
            for name, position in positions.items()
            if position > committed[name]
        ]
        work.dirty.clear()
        work.changes.clear()
        if batches:
            (store or self.store).commit(batches)
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


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a replay makes no reference
    cycles (what it drops is freed at once), while each full collection
    walks every state it keeps, which cost a rebuild 15-20 % of its time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def declared_topics() -> frozenset[str]:
    """Every topic a b2bcore event class declares: the projected ones and
    those recorded only for the log's sake (an erasure, a projection skip…),
    found from the classes themselves so the set cannot drift."""
    topics: set[str] = set()
    classes: list[type[DomainAggregate.Event]] = [DomainAggregate.Event]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        topic = getattr(cls, "TOPIC", None)
        if topic is not None:
            topics.add(topic)
    return frozenset(topics)


def _concerned(
    topic: str,
    projections: list[StateProjection],
    by_topic: dict[str, StateProjection],
    declared: frozenset[str],
) -> Sequence[StateProjection]:
    """The projections an event of ``topic`` concerns: the one projecting
    it; none when a b2bcore class declares it but none of these projects it;
    every one when no class declares it (it may concern any of them)."""
    projection = by_topic.get(topic)
    if projection is not None:
        return (projection,)
    return () if topic in declared else projections


UNKNOWN_TOPIC = "unknown topic: no b2bcore event class declares it"


def _poison(
    projection: StateProjection, notification: Notification, cause: str
) -> ProjectionError:
    return ProjectionError(
        projection.name,
        position=notification.id,
        topic=notification.topic,
        aggregate_id=cast(UUID, notification.originator_id),
        version=notification.originator_version,
        cause=cause,
    )


#: A state kept between pages, with its report rows once derived.
Kept = tuple[DomainAggregate, Facts | None]
#: A projection's name and an aggregate's id as an integer (a UUID hashes
#: and compares in Python, an integer in C: these keys are looked up a few
#: times per event).
Key = tuple[str, int]
NOT_KEPT: tuple[None, None] = (None, None)


class _Work:
    """What a catch-up carries from page to page: the projections and their
    topics, the states read or made (bounded), their report rows, and what
    the pages since the last commit changed."""

    def __init__(self, projections: list[StateProjection]) -> None:
        self.projections = projections
        self.by_topic = {topic: p for p in projections for topic in p.topics}
        self.declared = declared_topics()
        self.cache: OrderedDict[Key, Kept] = OrderedDict()
        self.dirty: dict[str, dict[int, DomainAggregate]] = {}
        self.changes: dict[str, RowVersions] = {}
        self.applied = 0

    def placed(
        self, key: Key, state: DomainAggregate, rows: Facts, delta: Delta
    ) -> None:
        """Keep ``state`` (with its report ``rows``) as applied, and the
        report rows' ``delta`` its event made."""
        name = key[0]
        self.cache[key] = (state, rows)
        self.cache.move_to_end(key)
        self.dirty.setdefault(name, {})[key[1]] = state
        if delta:
            if name not in self.changes:
                self.changes[name] = RowVersions()
            self.changes[name].record(str(state.id), delta, state.modified_on)
        self.applied += 1

    def forget_stale(self, notifications: Iterable[Notification]) -> None:
        """Forget a kept state that is not the one just before the first of
        its aggregate's ``notifications`` (another process moved it on): it
        is read from the store instead. A kept state at that version is the
        stored one, since a state is determined by its events."""
        seen: set[UUID] = set()
        for notification in notifications:
            aggregate_id = cast(UUID, notification.originator_id)
            projection = self.by_topic.get(notification.topic)
            if aggregate_id in seen or projection is None:
                continue
            seen.add(aggregate_id)
            key = (projection.name, aggregate_id.int)
            state, _ = self.cache.get(key, NOT_KEPT)
            if (
                state is not None
                and state.version != notification.originator_version - 1
            ):
                del self.cache[key]

    def evict(self) -> None:
        """Forget the oldest states beyond ``CACHE_SIZE`` (bounds memory)."""
        while len(self.cache) > CACHE_SIZE:
            self.cache.popitem(last=False)
