"""The application API: ``B2BCore``, one entry point over one event log.

Command methods take keyword arguments, record events and return ids; query
methods return immutable views. Every command follows get → change → save;
a refused command raises a ``b2bcore.domain.errors`` error and records nothing.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import time
from collections.abc import (
    Callable,
    Collection,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Self, TypedDict, TypeVar, Unpack, cast
from uuid import UUID

import attrs
from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
)
from eventsourcing.domain import DomainEventProtocol, MutableOrImmutableAggregate
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    Mapper,
    Notification,
    OperationalError,
    PersistenceError,
    Recording,
    StoredEvent,
)
from eventsourcing.utils import EnvType, TopicError, resolve_topic

from b2bcore.application import commands as c
from b2bcore.application import handlers
from b2bcore.application.event_history import HistoryEntry, history_entry
from b2bcore.application.group_commit import GroupCommit
from b2bcore.application.handlers import handles
from b2bcore.application.paging import notifications
from b2bcore.application.queries import query
from b2bcore.application.settings import Settings
from b2bcore.application.storage import (
    CHAIN_VARIABLE,
    DEFAULT_URL,
    REACH_VARIABLE,
    URL_VARIABLE,
    VAULT_VARIABLE,
    FindsExisting,
    InDatabase,
    backend_of,
    created,
    environment_for,
    opened_beside,
    shown,
)
from b2bcore.application.transcodings import EventMapper, register_transcodings
from b2bcore.application.unit_of_work import Then, UnitOfWork
from b2bcore.audit.chainstore import ChainLinkStore
from b2bcore.audit.hashchain import HashChain
from b2bcore.audit.verification import ChainStatus, Checkpoint, Problem, check_signature
from b2bcore.domain.account import Account
from b2bcore.domain.acknowledgement import Acknowledgement
from b2bcore.domain.aggregate import (
    MAX_NOTE_LENGTH,
    MAX_WHOLE_NUMBER,
    DomainAggregate,
    Provenance,
    check_date,
    check_text,
    check_type,
)
from b2bcore.domain.asset import Asset
from b2bcore.domain.clock import Clock, SystemClock
from b2bcore.domain.erasure import Erasure
from b2bcore.domain.errors import (
    AlreadyExistsError,
    BusinessRuleError,
    ConcurrencyError,
    ConfigurationError,
    NotFoundError,
    ProjectionError,
    ReadModelBehindError,
    ValidationError,
)
from b2bcore.domain.feedback import Feedback
from b2bcore.domain.lead import Lead
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.personal_data import (
    KeyErasure,
    PersonalDataVault,
    SealedContact,
)
from b2bcore.domain.projection_skip import ProjectionSkip
from b2bcore.domain.sales_rep import SalesRep
from b2bcore.domain.values import Grade, shifted
from b2bcore.domain.views import (
    AccountView,
    AssetView,
    FeedbackView,
    LeadView,
    OpportunityView,
)
from b2bcore.readmodels.derived_audit import check_read_models, check_snapshots
from b2bcore.readmodels.facts.queries import Reading, ReportQueries
from b2bcore.readmodels.facts.records import (
    AccountFacts,
    AssetFacts,
    DealFacts,
    FeedbackFacts,
    account_records,
    asset_records,
    deal_records,
    feedback_records,
    lead_records,
    linked_deals,
    postmortem_records,
)
from b2bcore.readmodels.facts.tables import (
    ASSET_DETAILS,
    COMPETITOR_CONTACTS,
    INSTALLMENTS,
    PAYMENTS,
    RENEWALS,
    SATISFACTION,
    UPGRADES,
    USAGE,
    Table,
)
from b2bcore.readmodels.facts.versions import known_bound
from b2bcore.readmodels.projection import (
    Progress,
    Projector,
    ReadStatus,
    StateProjection,
)
from b2bcore.readmodels.readmodel import Consistency, InTransactionStore, ReadModelStore
from b2bcore.reports import (
    alerts,
    asset_kpis,
    dashboard,
    funnel,
    grades,
    health,
    history,
    lead_score,
    monthly,
    pipeline,
    postmortems,
    segmentation,
    suggestions,
    tier_movement,
    tiers,
    winloss,
)
from b2bcore.reports.dimensions import NO_ACCOUNTS, NO_MANAGERS, Dimension
from b2bcore.reports.records import Named
from b2bcore.reports.renewals import RenewalItem, renewal_queue

A = TypeVar("A", bound=DomainAggregate)
V = TypeVar("V")
R = TypeVar("R")

AGGREGATES: tuple[type[DomainAggregate], ...] = (
    Account,
    Asset,
    Lead,
    Opportunity,
    SalesRep,
    Acknowledgement,
    Feedback,
)
PROJECTIONS = tuple(StateProjection(aggregate) for aggregate in AGGREGATES)
DEFAULT_SNAPSHOT_INTERVAL = 100
#: Aggregates known to have a snapshot, remembered per process.
LONG_AGGREGATES = 100_000
#: How long a ``Consistency.LOG_HEAD`` query waits for the read models.
DEFAULT_WAIT_SECONDS = 5.0
#: Seconds between looks at the read models' positions while waiting.
WAIT_POLL_SECONDS = 0.02


class DimensionKeys(TypedDict):
    """What resolves a deal's MANAGER and ACCOUNT keys in a cut report."""

    managers: Mapping[str, str]
    accounts: Mapping[UUID, Named]


class Attribution(TypedDict, total=False):
    """Who records a change and in answer to what (see ``Provenance``)."""

    actor: str
    correlation_id: UUID
    causation_id: UUID


def project(aggregate: Any, events: Iterable[Any]) -> Any:
    """Apply ``events`` in order: the plain projector the repository uses
    (it skips the library's per-event runtime protocol check)."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def replay(
    events: Iterable[Any], keep: Callable[[Any], bool]
) -> DomainAggregate | None:
    """The aggregate built from only the events ``keep`` accepts, in version
    order; None when its creation is not among them."""
    aggregate: DomainAggregate | None = None
    for event in events:
        if not keep(event):
            continue
        if aggregate is None:
            aggregate = event.mutate(None)
        else:
            event.replay_onto(aggregate)
    return aggregate


def check_moment(subject: str, field: str, value: datetime) -> datetime:
    """A recorded time: a timezone-aware ``datetime``."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationError(subject, field, "must be a timezone-aware datetime")
    return value


class EventLog(Application[UUID]):
    """The one ``eventsourcing`` application behind ``B2BCore``: one ordered
    log for every aggregate."""

    name = "B2BCore"
    snapshotting_intervals = dict.fromkeys(AGGREGATES, DEFAULT_SNAPSHOT_INTERVAL)
    snapshotting_projectors = dict.fromkeys(AGGREGATES, project)

    def __init__(self, env: EnvType | None = None) -> None:
        super().__init__(env)
        interval = int(self.env.get("SNAPSHOT_INTERVAL", DEFAULT_SNAPSHOT_INTERVAL))
        if interval < 1:
            raise ConfigurationError(
                f"snapshot interval must be at least 1, got {interval}"
            )
        # The library reads the intervals through the instance.
        self.snapshotting_intervals = dict.fromkeys(AGGREGATES, interval)  # type: ignore[misc]
        self.snapshot_interval = interval
        self._long: set[UUID] = set()
        #: Set by ``B2BCore.open(group_commit=True)``: concurrent saves of
        #: this process recorded together (``group_commit``).
        self.group: GroupCommit | None = None

    def latest(self, aggregate_id: UUID) -> Any:
        """The aggregate at its last version. One read when it has fewer
        events than the snapshot interval (it can have no snapshot yet);
        the repository's snapshot-then-events read otherwise, and from then
        on for that aggregate (remembered, up to ``LONG_AGGREGATES`` ids)."""
        if aggregate_id not in self._long:
            stored = self.recorder.select_events(
                aggregate_id, limit=self.snapshot_interval
            )
            if not stored:
                raise AggregateNotFoundError(aggregate_id)
            if len(stored) < self.snapshot_interval:
                return project(None, map(self.mapper.to_domain_event, stored))
            if len(self._long) < LONG_AGGREGATES:
                self._long.add(aggregate_id)
        return self.repository.get(aggregate_id, projector_func=project)

    def save(
        self,
        *objs: MutableOrImmutableAggregate[UUID] | DomainEventProtocol[UUID] | None,
        **kwargs: Any,
    ) -> list[Recording[UUID]]:
        """The library's save, with the aggregates' pending events collected
        here: the library tells aggregates from events by two runtime-
        ``Protocol`` ``isinstance`` checks per object, a tenth of a bulk
        import. Anything but aggregates is left to the library."""
        if not all(isinstance(obj, DomainAggregate) for obj in objs):
            return super().save(*objs, **kwargs)
        processing: ProcessingEvent[UUID] = ProcessingEvent()
        for aggregate in cast(tuple[DomainAggregate, ...], objs):
            processing.events.extend(aggregate.collect_events())
            processing.aggregates[aggregate.id] = aggregate
        processing.saved_kwargs.update(kwargs)
        group = self.group
        recordings = (group or self).record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)
        self.notify(processing.events)
        return recordings

    def record(self, processing: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """Record one save's events (the library's ``_record``), running its
        hooks inside the transaction: ``then`` (the caller's), then
        ``project`` (the read models')."""
        given = processing.saved_kwargs
        hooks = [given[k] for k in ("then", "project") if given.get(k) is not None]
        kwargs = {k: v for k, v in given.items() if k not in ("then", "project")}
        if hooks:

            def then(
                cursor: Any, stored: Sequence[StoredEvent], at: Sequence[int]
            ) -> None:
                for hook in hooks:
                    hook(cursor, stored, at)

            kwargs["then"] = then
        processing.saved_kwargs = kwargs
        try:
            return self._record(processing)
        finally:
            processing.saved_kwargs = given

    def construct_mapper(self) -> Mapper[UUID]:
        #: Each person's key, beside the log but outside it (docs/audit.md).
        self.vault: PersonalDataVault = opened_beside(
            self.factory, self.env[VAULT_VARIABLE]
        )
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=EventMapper
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_transcodings(transcoder)
        transcoder.register(SealedContact(self.vault))


def _consistency(value: Consistency | str) -> Consistency:
    """``value`` as a ``Consistency`` (its name in text is accepted)."""
    try:
        return Consistency(value)
    except ValueError:
        choices = ", ".join(c.value for c in Consistency)
        raise ConfigurationError(
            f"consistency: {value!r} is not one of {choices}"
        ) from None


def _wait(seconds: float) -> float:
    if not seconds >= 0:  # NaN too
        raise ConfigurationError(
            f"wait_seconds: must be a number of seconds ≥ 0, got {seconds!r}"
        )
    return seconds


def _contains(text: str, part: str | None) -> bool:
    return part is None or part.casefold() in text.casefold()


def _kind_note(aggregate: DomainAggregate) -> str:
    article = "an" if aggregate.KIND[0] in "aeiou" else "a"
    return f" (that id is {article} {aggregate.KIND.replace('_', ' ')})"


def _open_log(url: str, env: dict[str, str]) -> tuple[EventLog, ReadModelStore]:
    """The event log at ``url`` and its read-model store, their tables
    created unless ``CREATE_TABLE`` says no, with those of every store kept
    beside the log: the hash chain's and the adapters' (``Backend.beside``),
    so that one open creates every table a process started with
    ``B2BCORE_CREATE_TABLE=no`` uses (``created``: processes starting at
    once on one PostgreSQL database race to create them; the creation is
    retried)."""

    def opened() -> tuple[EventLog, ReadModelStore]:
        if REACH_VARIABLE in env:
            resolve_topic(env[REACH_VARIABLE])(env)
        log = EventLog(env=env)
        factory = log.factory
        if isinstance(factory, InDatabase) and factory.env_create_table():
            if CHAIN_VARIABLE in env:
                factory.tracking_recorder(resolve_topic(env[CHAIN_VARIABLE]))
            for topic in getattr(backend_of(url), "beside", {}).values():
                opened_beside(factory, topic)
        return log, cast(ReadModelStore, factory.tracking_recorder())

    try:
        return created(opened)
    except OperationalError:
        raise  # busy, or went away: nothing to configure, retry later
    except (PersistenceError, OSError) as error:
        # No such folder or schema, not a database, a setting it refuses.
        first_line = (str(error).splitlines() or [type(error).__name__])[0]
        if "permission denied" in first_line:
            raise ConfigurationError(
                f"the database refused to create b2bcore's tables ({first_line}): "
                "open the store once as a role that may, then start every process "
                "with B2BCORE_CREATE_TABLE=no (docs/deployment.md)"
            ) from error
        raise ConfigurationError(
            f"cannot open the store at {shown(url)!r}: {first_line}"
        ) from error
    except (ModuleNotFoundError, TopicError) as error:
        # The library wraps a failed import of a named adapter.
        missing = error if isinstance(error, ModuleNotFoundError) else error.__cause__
        if not isinstance(missing, ModuleNotFoundError):
            raise
        raise ConfigurationError(
            f"database URL {shown(url)!r} needs {missing.name}: "
            "pip install 'b2bcore[postgres]'"
        ) from error


@attrs.define
class InSave:
    """The read models moved past a save inside its own transaction (under
    ``LOG_HEAD``): its events and read rows commit together. A savepoint
    keeps a failure there from touching the save, which then catches up
    after it commits; each of ``projected`` records success. The saves a
    group commit records together are projected once (``merged``)."""

    projector: Projector
    store: InTransactionStore
    events: Sequence[Any]
    projected: list[list[bool]]

    def __call__(
        self, cursor: Any, stored: Sequence[StoredEvent], at: Sequence[int]
    ) -> None:
        recordings = [
            Recording(
                domain_event=event,
                notification=Notification(
                    id=position,
                    originator_id=s.originator_id,
                    originator_version=s.originator_version,
                    topic=s.topic,
                    state=s.state,
                ),
            )
            for event, s, position in zip(self.events, stored, at, strict=True)
        ]
        cursor.execute("SAVEPOINT b2bcore_read_models")
        try:
            if self.projector.apply_saved(recordings, self.store.within(cursor)):
                for flags in self.projected:
                    flags.append(True)
        except Exception:  # the catch-up after the save reports it
            cursor.execute("ROLLBACK TO b2bcore_read_models")
        cursor.execute("RELEASE b2bcore_read_models")

    def merged(self, others: Sequence[InSave]) -> InSave:
        """One projection of this save's events and ``others``', in order."""
        parts = [self, *others]
        return InSave(
            self.projector,
            self.store,
            [e for part in parts for e in part.events],
            [flags for part in parts for flags in part.projected],
        )


class Closing:
    """What closes when its ``with`` block ends."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *raised: object) -> None:
        self.close()


class B2BCore(Closing):
    """Accounts, assets, leads and opportunities over one event log.

    Open it with :meth:`open`; use it as a context manager or call
    :meth:`close`.
    """

    def __init__(
        self,
        log: EventLog,
        *,
        store: ReadModelStore | None = None,
        actor: str = "system",
        clock: Clock | None = None,
        settings: Settings | None = None,
        consistency: Consistency = Consistency.LOG_HEAD,
        wait_seconds: float = DEFAULT_WAIT_SECONDS,
    ) -> None:
        self._log = log
        self._actor = actor
        self._clock = clock or SystemClock()
        self.settings = settings or Settings()
        self.consistency = _consistency(consistency)
        self.wait_seconds = _wait(wait_seconds)
        #: Why the last catch-up after a save stopped (a poison event, or the
        #: store failing): the save stands; the next query that needs the
        #: read models reports it.
        self._stopped: Exception | None = None
        #: The unit of work each thread runs commands in, if any.
        self._units = threading.local()
        self.projector = Projector(
            log.mapper,
            log.recorder,
            store or cast(ReadModelStore, log.factory.tracking_recorder()),
            PROJECTIONS,
        )
        # Read models an older b2bcore wrote are rebuilt: by this writer
        # under LOG_HEAD (once, on open), else by the runner.
        if self.projector.upgrade() and consistency is Consistency.LOG_HEAD:
            try:
                self.projector.catch_up()
            except ProjectionError as error:
                self._stopped = error

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        actor: str = "system",
        clock: Clock | None = None,
        settings: Settings | None = None,
        snapshot_interval: int | None = None,
        consistency: Consistency = Consistency.LOG_HEAD,
        wait_seconds: float = DEFAULT_WAIT_SECONDS,
        tenant: str | None = None,
        group_commit: bool = False,
    ) -> B2BCore:
        """Open the store at ``url`` (else ``$B2BCORE_DATABASE_URL``, else
        ``sqlite:///b2bcore.db``), or ``tenant``'s when the store at ``url``
        is a tenant directory (``b2bcore.application.tenants``). ``actor`` is
        recorded on events whose command names no actor; ``clock`` gives the
        default business date; ``settings`` holds the reports' thresholds. A
        snapshot is taken every ``snapshot_interval`` events of an aggregate
        (default 100, or ``$B2BCORE_SNAPSHOT_INTERVAL``). ``consistency`` says
        what a query waits for (``LOG_HEAD``: every event recorded before it,
        for at most ``wait_seconds``; ``AVAILABLE``: nothing, for servers
        beside a runner). With ``group_commit`` the saves this process's
        threads make at once are recorded in one transaction, each with its
        own outcome (``b2bcore.application.group_commit``)."""
        url = url or os.environ.get(URL_VARIABLE) or DEFAULT_URL
        if tenant is not None:
            from b2bcore.application.tenants import Tenants  # noqa: PLC0415

            with Tenants.open(url, actor=actor) as directory:
                url = directory.entry(tenant).url
        env = environment_for(url)
        if snapshot_interval is not None:
            env["SNAPSHOT_INTERVAL"] = str(snapshot_interval)
        consistency, wait_seconds = _consistency(consistency), _wait(wait_seconds)
        log, store = _open_log(url, env)
        if group_commit:
            log.group = GroupCommit(log.record)
        return cls(
            log,
            store=store,
            actor=actor,
            clock=clock,
            settings=settings,
            consistency=consistency,
            wait_seconds=wait_seconds,
        )

    def close(self) -> None:
        self._log.close()

    def save(self, *aggregates: DomainAggregate) -> None:
        """Record aggregates built with the domain classes (``Account.register``,
        ``Asset.purchase``…) in one atomic save, no command's rules checked:
        the fast path for generated data (the demo book).
        Raises AlreadyExistsError or ConcurrencyError like any command; the
        aggregates' pending events are collected even when the save fails, so
        rebuild them before retrying."""
        self._save(*aggregates)

    def handle(
        self, command: c.Command[R], *, expected_version: int | None = None
    ) -> R:
        """Carry out ``command`` (``b2bcore.application.commands``: every
        command the typed methods below run) and return its result. With
        ``expected_version``, only if the aggregate it acts on is at that
        version when loaded and when saved: else ConcurrencyError. Inside a
        ``unit_of_work`` the command joins it (the unit's save is then
        conditioned on that version)."""
        if expected_version is None:
            return handlers.run(self, command)
        target = command.target()
        if target is None:
            raise ValidationError(
                command.label(),
                "expected_version",
                "a command creating an aggregate has no version to expect",
            )
        if (unit := getattr(self._units, "unit", None)) is not None:
            unit.expect(target, expected_version)
            return handlers.run(self, command)
        with self.unit_of_work({target: (expected_version,)}):
            return handlers.run(self, command)

    @property
    def actor(self) -> str:
        """Who the changes are recorded as made by, unless a command says."""
        return self._actor

    @contextlib.contextmanager
    def unit_of_work(
        self,
        expected: Mapping[UUID, Collection[int]] | None = None,
        *,
        existing: Iterable[UUID] = (),
    ) -> Iterator[UnitOfWork]:
        """Run commands whose saves are held and recorded in one transaction
        when the block ends (nothing when it raises), running the unit's
        ``then`` inside it. An aggregate of ``expected`` that a command loads
        at a version not listed there is refused with ConcurrencyError, and
        its save is conditioned on the version loaded: a save that another
        writer, in any process, got ahead of is refused the same way. A
        command naming an aggregate of ``existing`` (ids ``existing`` found)
        does not load it to check it is there. Inside another unit, the
        block is a scope of it (``b2bcore.application.unit_of_work``): its
        changes join that unit when it ends, and are dropped when it
        raises."""
        outer = getattr(self._units, "unit", None)
        unit = (
            UnitOfWork(dict(expected or {}))
            if outer is None
            else outer.scope(dict(expected or {}))
        )
        if existing:
            unit.existing |= frozenset(existing)
        self._units.unit = unit
        try:
            yield unit
        finally:
            self._units.unit = outer
        if outer is not None:
            unit.join()
        elif changed := [a for a in unit.held.values() if a.pending_events]:
            self._record(changed, unit.then)

    @query()
    def exists(self, aggregate_id: UUID) -> bool:
        """Whether any event was recorded for ``aggregate_id``."""
        return bool(self._log.recorder.select_events(aggregate_id, limit=1))

    @query()
    def existing(self, aggregate_ids: Iterable[UUID]) -> frozenset[UUID]:
        """The ones of ``aggregate_ids`` with any event recorded: one query
        on SQLite and PostgreSQL (an importer asks once per batch), a
        look-up each in memory."""
        ids = frozenset(aggregate_ids)
        recorder = self._log.recorder
        if isinstance(recorder, FindsExisting):
            return recorder.existing(ids)
        return frozenset(i for i in ids if recorder.select_events(i, limit=1))

    @query()
    def log_position(self) -> int:
        """The position of the last event recorded in the log (0 when empty)."""
        return self._log.recorder.max_notification_id() or 0

    # -- the read models: reads never write (docs/architecture.md) ------------

    def catch_up(self, progress: Progress | None = None) -> int:
        """Apply every event recorded since the read models' positions (the
        one explicit call that writes them outside a runner); returns the
        number applied. Raises ProjectionError at a poison event."""
        applied = self.projector.catch_up(progress=progress)
        self._stopped = None
        return applied

    @query()
    def read_status(self) -> ReadStatus:
        """How far the read models are behind the log, right now."""
        return ReadStatus(self._read_position(), self.log_position())

    @property
    def catch_up_failure(self) -> Exception | None:
        """Why the read models did not follow this core's last save (a
        poison event, the store failing), or None: the save stands, the
        next query that needs them reports it, ``catch_up`` tries again."""
        return self._stopped

    def _read_position(self) -> int:
        """The position every projection has reached (one read)."""
        at = self.projector.store.positions()
        return min(at.get(name, 0) for name in self.projector.projections)

    def _fresh(self) -> None:
        """Under ``LOG_HEAD``, wait until the read models hold the log head
        read now; a read never catches up itself."""
        if self.consistency is Consistency.AVAILABLE:
            return
        head = self.log_position()
        deadline = time.monotonic() + self.wait_seconds
        while (position := self._read_position()) < head:
            if isinstance(self._stopped, ProjectionError):
                raise self._stopped
            if time.monotonic() >= deadline:
                raise ReadModelBehindError(
                    position, head, self.wait_seconds, because=self._stopped
                )
            time.sleep(WAIT_POLL_SECONDS)

    def _projected_within(
        self, aggregates: Sequence[DomainAggregate], projected: list[bool]
    ) -> InSave | None:
        """Under ``LOG_HEAD``, on a store that allows it, what the log's
        recorder runs inside a save's transaction: the read models move past
        the save there, so its events and read rows commit together
        (``InSave``); ``projected`` records success."""
        store = self.projector.store
        if self.consistency is Consistency.AVAILABLE or not isinstance(
            store, InTransactionStore
        ):
            return None
        events = [e for a in aggregates for e in a.pending_events]
        return InSave(self.projector, store, events, [projected])

    def _caught_up_after_save(self, recordings: Sequence[Recording[UUID]]) -> None:
        """Under ``LOG_HEAD`` the writer keeps its own read models current:
        from the saved events in memory when nothing else was recorded since
        the read models' positions, else by a catch-up. A poison event, or
        the store failing, does not undo the save, nor make the command
        look refused (a retry would record it again): the next query reports
        it."""
        if self.consistency is Consistency.AVAILABLE:
            return
        try:
            if not self.projector.apply_saved(recordings):
                self.projector.catch_up()
        except Exception as error:  # reported by the next query, never hidden
            self._stopped = error
        else:
            self._stopped = None

    @property
    def event_log(self) -> EventLog:
        """The underlying ``eventsourcing`` application (for projections)."""
        return self._log

    # -- personal data that can be forgotten (docs/audit.md) ------------------

    def forget_contact(
        self,
        contact_id: UUID,
        *,
        reason: str,
        on: date | None = None,
        **attribution: Unpack[Attribution],
    ) -> KeyErasure:
        """Forget a person: delete their key, so their name, email and phone
        read ``[erased]`` in every event, view and report from now on, and
        record who forgot them, when and why (no personal data) in the log.
        Returns what overwriting the key's bytes in the store's files left
        pending (``KeyErasure``: a reader blocked it; retry with
        ``overwrite_forgotten_keys``). Raises BusinessRuleError if the
        person is already forgotten or no reason is given, NotFoundError if
        no data was ever sealed for them."""
        erasure = Erasure.forget(
            contact_id, on=self._on(on), meta=self._meta(reason, attribution)
        )
        if self.exists(erasure.id):
            raise BusinessRuleError(
                f"contact {contact_id}", "forgotten", "the contact is already forgotten"
            )
        # The key goes first: if recording the fact fails, the person is
        # still forgotten (the safe way round).
        erased = self._log.vault.forget(contact_id)
        self._save(erasure)
        return erased

    def overwrite_forgotten_keys(self) -> KeyErasure:
        """Overwrite what forgotten people's deleted keys left in the
        store's files, if a reader blocked it when they were forgotten;
        what is still pending (docs/audit.md)."""
        return self._log.vault.overwrite_deleted()

    # -- the tamper-evident log (docs/audit.md) -------------------------------

    @functools.cached_property
    def hash_chain(self) -> HashChain:
        """The hash chain over the log, stored beside it (created on first use)."""
        topic = self._log.env.get(CHAIN_VARIABLE)
        if topic is None:
            raise ConfigurationError(
                f"{self._log.factory.__module__}: no hash-chain store beside this "
                f"event log ({CHAIN_VARIABLE})"
            )
        store_class = resolve_topic(topic)
        store = created(lambda: self._log.factory.tracking_recorder(store_class))
        return HashChain(self._log.recorder, cast(ChainLinkStore, store))

    def verify_log(
        self,
        checkpoint: Checkpoint | None = None,
        *,
        key: str | None = None,
        deep: bool = False,
    ) -> ChainStatus:
        """Link new events, then recompute the chain over the whole log: the
        first altered, deleted, inserted or reordered position, if any. With a
        ``checkpoint``, its signature is checked with the audit key (``key``,
        else ``$B2BCORE_AUDIT_KEY``) and the log up to it must be the one it
        tagged. Then every snapshot must equal the replay of its events, and,
        if ``deep``, the read models a rebuild from the log (docs/audit.md)."""
        audit_key = b""
        if checkpoint is not None:
            audit_key = self._audit_key(key)
            check_signature(audit_key, checkpoint)
        aggregates: set[UUID] = set()
        status = self.hash_chain.verify(checkpoint, audit_key, aggregates)
        if not status.ok:
            return status
        snapshots, found = check_snapshots(self._log, sorted(aggregates))
        status = attrs.evolve(status, snapshots=snapshots)
        if found is None and deep:
            rows, found = check_read_models(
                self._log.mapper,
                self._log.recorder,
                self.projector,
                list(self.projector.projections.values()),
            )
            status = attrs.evolve(status, read_model_rows=rows)
            problem = Problem.READ_MODEL
        else:
            problem = Problem.SNAPSHOT
        if found is None:
            return status
        return attrs.evolve(
            status,
            ok=False,
            first_bad_position=found[0],
            problem=problem,
            detail=found[1],
        )

    def checkpoint(self, *, key: str | None = None) -> Checkpoint:
        """Verify the log and sign its head with the audit key (``key``, else
        ``$B2BCORE_AUDIT_KEY``); without a key, refuses (ConfigurationError)."""
        return self.hash_chain.checkpoint(self._audit_key(key))

    def _audit_key(self, key: str | None) -> bytes:
        key = key or self._log.env.get("AUDIT_KEY")
        if not key:
            raise ConfigurationError(
                "audit key: not set: set B2BCORE_AUDIT_KEY (or pass key=) "
                "to sign or check a checkpoint"
            )
        return key.encode()

    def skip_event(
        self,
        position: int,
        *,
        reason: str,
        projection: str | None = None,
        **attribution: Unpack[Attribution],
    ) -> tuple[str, ...]:
        """Let ``projection`` (else every projection that stops there) pass
        over the poison event at log ``position``, and record who decided it
        and why: a ``ProjectionSkip`` in the log, so rebuilds pass over it
        again (docs/projections.md). Catches the projections up to see where
        they stop; returns the names of those that will pass over it. Refuses,
        recording nothing, a blank reason, an unknown projection or position
        (ValidationError) and an event no projection stops at
        (BusinessRuleError)."""
        subject = f"log position {position}"
        check_text(subject, "reason", reason, limit=MAX_NOTE_LENGTH)
        names = tuple(self.projector.projections)
        if projection is not None:
            if projection not in names:
                raise ValidationError(
                    subject,
                    "projection",
                    f"no projection {projection!r} (known: {', '.join(names)})",
                )
            names = (projection,)
        check_type(subject, "position", position, int)
        found = self._log.recorder.select_notifications(max(position, 1), limit=1)
        if not found or found[0].id != position:
            raise ValidationError(
                subject,
                "position",
                f"no event there (the log ends at {self.log_position()})",
            )
        stopped, elsewhere = self._stopped_at(position, names)
        if not stopped:
            raise BusinessRuleError(
                subject,
                "projection",
                "only an event a projection stops at can be skipped: "
                + "; ".join(elsewhere),
            )
        on, meta = self._on(None), self._meta(reason, attribution)
        self._save(
            *(ProjectionSkip.record(poison, on=on, meta=meta) for poison in stopped)
        )
        return tuple(poison.projection for poison in stopped)

    def _stopped_at(
        self, position: int, names: Sequence[str]
    ) -> tuple[list[ProjectionError], list[str]]:
        """Catch each projection up: the errors of those that stop at
        ``position``, and where each other one stands."""
        stopped: list[ProjectionError] = []
        elsewhere: list[str] = []
        for name in names:
            if self.exists(ProjectionSkip.id_for(name, position)):
                elsewhere.append(f"{name} already skips it")
                continue
            try:
                self.projector.catch_up([name])
            except ProjectionError as poison:
                if poison.position == position:
                    stopped.append(poison)
                else:
                    elsewhere.append(f"{name} stops at log position {poison.position}")
            else:
                elsewhere.append(f"{name} places it")
        return stopped, elsewhere

    @query()
    def projection_skips(self) -> tuple[HistoryEntry, ...]:
        """Every recorded projection skip in log order, each with who recorded
        it, when and why (docs/audit.md). Reads the whole log once."""
        return tuple(
            history_entry(
                n.id,
                ProjectionSkip.KIND,
                cast(DomainAggregate.Event, self._log.mapper.to_domain_event(n)),
            )
            for n in notifications(
                self._log.recorder, topics=(ProjectionSkip.Skipped.TOPIC,)
            )
        )

    # -- accounts -------------------------------------------------------------

    register_account = handles(c.RegisterAccount)
    change_account_grade = handles(c.ChangeAccountGrade)
    change_account_attributes = handles(c.ChangeAccountAttributes)
    open_renewal_deals = handles(c.OpenRenewalDeals)

    @query("accounts/{account_id}")
    def account(
        self,
        account_id: UUID,
        *,
        version: int | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> AccountView:
        """The account now, at ``version``, as of business date ``as_of``,
        and/or as known at recorded time ``known_at``."""
        return AccountView.of(self._load(Account, account_id, version, as_of, known_at))

    # -- assets ---------------------------------------------------------------

    purchase_asset = handles(c.PurchaseAsset)
    install_asset = handles(c.InstallAsset)
    renew_asset = handles(c.RenewAsset)
    open_renewal_deal = handles(c.OpenRenewalDeal)
    correct_usage_end = handles(c.CorrectUsageEnd)
    upgrade_asset = handles(c.UpgradeAsset)
    replace_asset = handles(c.ReplaceAsset)
    make_asset_obsolete = handles(c.MakeAssetObsolete)
    schedule_inspection = handles(c.ScheduleInspection)
    complete_inspection = handles(c.CompleteInspection)
    correct_inspection = handles(c.CorrectInspection)
    record_satisfaction = handles(c.RecordSatisfaction)
    correct_satisfaction = handles(c.CorrectSatisfaction)
    record_usage = handles(c.RecordUsage)
    correct_usage = handles(c.CorrectUsage)
    report_competitor_contact = handles(c.ReportCompetitorContact)
    pay_installment = handles(c.PayInstallment)
    correct_payment = handles(c.CorrectPayment)
    reverse_payment = handles(c.ReversePayment)

    @query("assets/{asset_id}")
    def asset(
        self,
        asset_id: UUID,
        *,
        version: int | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> AssetView:
        """The asset now, at ``version``, as of business date ``as_of``,
        and/or as known at recorded time ``known_at``."""
        return AssetView.of(self._load(Asset, asset_id, version, as_of, known_at))

    # -- leads ----------------------------------------------------------------

    capture_lead = handles(c.CaptureLead)
    change_lead_temperature = handles(c.ChangeLeadTemperature)
    qualify_lead = handles(c.QualifyLead)
    disqualify_lead = handles(c.DisqualifyLead)
    convert_lead = handles(c.ConvertLead)

    @query("leads/{lead_id}")
    def lead(
        self,
        lead_id: UUID,
        *,
        version: int | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> LeadView:
        return LeadView.of(self._load(Lead, lead_id, version, as_of, known_at))

    # -- opportunities --------------------------------------------------------

    open_opportunity = handles(c.OpenOpportunity)
    change_tier = handles(c.ChangeTier)
    review_gate = handles(c.ReviewGate)
    resolve_finding = handles(c.ResolveFinding)
    pass_gate = handles(c.PassGate)
    fail_gate = handles(c.FailGate)
    change_opportunity_amount = handles(c.ChangeOpportunityAmount)
    reassign_opportunity = handles(c.ReassignOpportunity)
    move_expected_close = handles(c.MoveExpectedClose)
    win_opportunity = handles(c.WinOpportunity)
    lose_opportunity = handles(c.LoseOpportunity)
    drop_opportunity = handles(c.DropOpportunity)
    correct_tier_move = handles(c.CorrectTierMove)
    correct_outcome_date = handles(c.CorrectOutcomeDate)
    record_postmortem = handles(c.RecordPostmortem)

    @query("opportunities/{opportunity_id}")
    def opportunity(
        self,
        opportunity_id: UUID,
        *,
        version: int | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> OpportunityView:
        return OpportunityView.of(
            self._load(Opportunity, opportunity_id, version, as_of, known_at)
        )

    # -- the voice of the customer ---------------------------------------------

    record_feedback = handles(c.RecordFeedback)
    resolve_complaint = handles(c.ResolveComplaint)

    @query("feedback/{feedback_id}")
    def feedback(
        self,
        feedback_id: UUID,
        *,
        version: int | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> FeedbackView:
        """The survey, complaint or interview now, at ``version``, as of
        business date ``as_of``, and/or as known at recorded time
        ``known_at``."""
        return FeedbackView.of(
            self._load(Feedback, feedback_id, version, as_of, known_at)
        )

    # -- sales reps -----------------------------------------------------------

    register_sales_rep = handles(c.RegisterSalesRep)
    reassign_sales_rep = handles(c.ReassignSalesRep)

    # -- reports --------------------------------------------------------------

    @query("reports/renewals")
    def renewal_queue(
        self,
        *,
        as_of: date | None = None,
        within: int = 90,
        owner: str | None = None,
        grade: Grade | None = None,
        known_at: datetime | None = None,
    ) -> tuple[RenewalItem, ...]:
        """Installed assets whose usage ends within ``within`` days of
        ``as_of`` (default today), soonest first, with their risk flags.
        Every report takes ``known_at``: computed from only the events
        recorded by then."""
        day, store, bound = self._reading(as_of, known_at)
        return renewal_queue(
            self._asset_records(
                store,
                day,
                bound,
                due_by=shifted(day, within),
                owner=owner,
                reading=Reading.RISKS,
            ),
            account_records(store.account_rows(known=bound)),
            as_of=day,
            within=within,
            settings=self.settings,
            owner=owner,
            grade=grade,
            deals=linked_deals(store.renewal_deal_rows(day=day, known=bound)),
            feedback=self._open_complaints(store, day, bound),
        )

    @query("alerts")
    def alerts(
        self,
        *,
        as_of: date | None = None,
        unacknowledged: bool = False,
        known_at: datetime | None = None,
    ) -> tuple[alerts.Alert, ...]:
        """Alerts dated on or before ``as_of`` (default today): renewal
        thresholds, dissatisfaction, usage anomalies, competitor contacts and
        stagnant deals; ``unacknowledged`` leaves out the acknowledged ones."""
        day, store, bound = self._reading(as_of, known_at)
        found = alerts.alerts(
            self._asset_records(
                store,
                day,
                bound,
                reads=(RENEWALS, SATISFACTION, USAGE, COMPETITOR_CONTACTS),
                reading=Reading.ALERTS,
                anomaly=self.settings.usage_anomaly,
            ),
            self._deal_records(store, day, bound),
            as_of=day,
            settings=self.settings,
            acknowledged={UUID(key) for (key,) in store.acknowledged_rows(known=bound)},
            feedback=self._feedback_records(store, day, bound),
        )
        return tuple(a for a in found if not (unacknowledged and a.acknowledged))

    acknowledge_alert = handles(c.AcknowledgeAlert)

    @query("reports/asset-kpis")
    def asset_kpis(
        self, *, start: date, end: date, known_at: datetime | None = None
    ) -> asset_kpis.AssetKpis:
        """Retention, renewal, revenue retention, upsell, churn, time to
        renewal, lifetime value, payment compliance and receivables over the
        period [start, end] (docs/kpis.md)."""
        store, bound = self._store(known_at), known_bound(known_at)
        return asset_kpis.asset_kpis(
            self._asset_records(
                store,
                end,
                bound,
                reads=(INSTALLMENTS, PAYMENTS, RENEWALS, UPGRADES),
                reading=Reading.KPIS,
                since=start,
            ),
            start=start,
            end=end,
            settings=self.settings,
        )

    @query("reports/pipeline-kpis")
    def pipeline_kpis(
        self,
        *,
        as_of: date | None = None,
        by: Dimension | None = None,
        known_at: datetime | None = None,
    ) -> pipeline.PipelineKpis:
        """Counts, values, win rate, cycle, conversions, time in tier,
        weighted pipeline, velocity and stagnant deals as of a date, cut by
        ``by`` when given."""
        day, store, bound = self._reading(as_of, known_at)
        return pipeline.pipeline_kpis(
            self._deal_records(store, day, bound),
            as_of=day,
            settings=self.settings,
            by=by,
            **self._dimension_keys(store, by, bound),
        )

    @query("reports/tiers")
    def tier_matrix(
        self,
        *,
        by: Dimension = Dimension.OWNER,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> tiers.TierMatrix:
        """The one-page tier report: tiers × one dimension as of a date."""
        day = self._on(as_of)
        return tiers.tier_matrix_of_cells(
            self._store(known_at).tier_cells(
                day=day, dimension=by, known=known_bound(known_at)
            ),
            as_of=day,
            dimension=by,
        )

    @query("reports/dashboard")
    def rep_dashboard(
        self,
        *,
        owner: str | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> dashboard.RepDashboard:
        """A rep's dashboard on ``as_of`` (default today): assets by status,
        renewals due in each window, top assets by value, risks and health;
        without ``owner``, every owner's."""
        day, store, bound = self._reading(as_of, known_at)
        return dashboard.rep_dashboard(
            self._asset_records(store, day, bound, owner=owner, reading=Reading.RISKS),
            account_records(store.account_rows(known=bound)),
            owner=owner,
            as_of=day,
            settings=self.settings,
            feedback=self._open_complaints(store, day, bound),
        )

    @query("reports/health")
    def health(
        self,
        *,
        as_of: date | None = None,
        account_id: UUID | None = None,
        owner: str | None = None,
        known_at: datetime | None = None,
    ) -> health.HealthReport:
        """The health score (0–100) and renewal likelihood of every asset
        installed on ``as_of`` (default today), with the points of each input
        and the facts behind them, and of their accounts (the mean);
        ``account_id``, ``owner``: only theirs (docs/kpis.md)."""
        day, store, bound = self._reading(as_of, known_at)
        return health.health_report(
            self._asset_records(store, day, bound, owner=owner, reading=Reading.RISKS),
            account_records(store.account_rows(known=bound)),
            as_of=day,
            settings=self.settings,
            feedback=self._open_complaints(store, day, bound),
            account_id=account_id,
            owner=owner,
        )

    @query("opportunities/{opportunity_id}/timeline")
    def timeline(
        self,
        opportunity_id: UUID,
        *,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> winloss.WinLossTimeline:
        """One deal's path through the tiers, reviews and outcome."""
        return winloss.timeline(
            self.opportunity(opportunity_id, known_at=known_at),
            as_of=self._on(as_of),
        )

    @query("reports/win-loss")
    def win_loss(
        self,
        *,
        as_of: date | None = None,
        by: Dimension | None = None,
        known_at: datetime | None = None,
    ) -> winloss.WinLossAnalysis:
        """The deals closed by ``as_of`` (default today) by outcome, loss
        reason, competitor and ``by`` a dimension, with win rates and cycle
        lengths."""
        day, store, bound = self._reading(as_of, known_at)
        return winloss.win_loss_analysis(
            self._deal_records(store, day, bound),
            as_of=day,
            by=by,
            **self._dimension_keys(store, by, bound),
        )

    @query("accounts/{account_id}/history")
    def account_history(
        self,
        account_id: UUID,
        *,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> history.AccountHistory:
        """Every asset and deal of the account with its state on ``as_of``
        (as known at ``known_at``, if given)."""
        day = self._on(as_of)
        return history.account_history(
            self.account(account_id, as_of=day, known_at=known_at),
            self._of_account(Asset, AssetView.of, account_id, known_at),
            self._of_account(Opportunity, OpportunityView.of, account_id, known_at),
            as_of=day,
        )

    @query("accounts/{account_id}/monthly-report")
    def monthly_report(
        self, account_id: UUID, *, month: date, known_at: datetime | None = None
    ) -> monthly.MonthlyReport:
        """The monthly asset report of the account for ``month`` (its first
        day): usage and trend, inspections and recommendations, renewal date
        and payment status of each asset, as of the month's last day."""
        end = monthly.month_end(check_date("monthly report", "month", month))
        return monthly.monthly_report(
            self.account(account_id, as_of=end, known_at=known_at),
            self._of_account(Asset, AssetView.of, account_id, known_at),
            month=month,
            settings=self.settings,
            feedback=self._of_account(Feedback, FeedbackView.of, account_id, known_at),
            suggestions=self.suggestions(
                as_of=end, account_id=account_id, known_at=known_at
            ).suggestions,
        )

    @query("accounts/{account_id}/events")
    def account_events(self, account_id: UUID) -> tuple[HistoryEntry, ...]:
        """Every event of the account, its assets, deals, leads and feedback, in
        log order, each with its provenance and a one-line description. Reads
        the whole log once (the log is ordered by position, not by account)."""
        head = self.log_position()
        self._get(Account, account_id)
        self._fresh()
        kinds = {account_id: Account.KIND}
        for kind in (Asset, Opportunity, Lead, Feedback):
            for state in self.projector.states(kind, account_id=account_id):
                kinds[state.id] = kind.KIND
        for deal in self.projector.states(Opportunity, account_id=account_id):
            if deal.lead_id is not None:
                kinds[deal.lead_id] = Lead.KIND
        return tuple(
            history_entry(
                n.id,
                kinds[cast(UUID, n.originator_id)],
                cast(DomainAggregate.Event, self._log.mapper.to_domain_event(n)),
            )
            for n in notifications(self._log.recorder, stop=head)
            if n.originator_id in kinds
        )

    @query("accounts")
    def accounts(
        self, *, name: str | None = None, known_at: datetime | None = None
    ) -> tuple[AccountFacts, ...]:
        """Every account by name, to find an id; ``name``: only those whose
        name contains it, ignoring case."""
        store, bound = self._store(known_at), known_bound(known_at)
        found = account_records(store.account_rows(known=bound)).values()
        return tuple(
            sorted(
                (a for a in found if _contains(a.name, name)),
                key=lambda a: (a.name, str(a.id)),
            )
        )

    @query("opportunities")
    def opportunities(
        self,
        *,
        account_id: UUID | None = None,
        name: str | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> tuple[DealFacts, ...]:
        """The deals opened by ``as_of`` (default today), newest first, to
        find an id; ``account_id`` and ``name`` (contained, ignoring case)
        narrow them."""
        day, store, bound = self._reading(as_of, known_at)
        return tuple(
            sorted(
                (
                    d
                    for d in self._deal_records(store, day, bound)
                    if _contains(d.name, name)
                    and (account_id is None or d.account_id == account_id)
                ),
                key=lambda d: (d.opened_on, d.name, str(d.id)),
                reverse=True,
            )
        )

    @query("reports/segmentation")
    def segmentation(
        self,
        *,
        as_of: date | None = None,
        currency: str | None = None,
        known_at: datetime | None = None,
    ) -> segmentation.Segmentation:
        """Accounts ranked by value, the Pareto top 20 %, by sector, by
        preferred channel and by the needs their feedback named."""
        day, store, bound = self._reading(as_of, known_at)
        return segmentation.segmentation(
            account_records(store.account_rows(known=bound)).values(),
            self._asset_records(store, day, bound, reads=(RENEWALS, UPGRADES)),
            as_of=day,
            settings=self.settings,
            currency=currency,
            feedback=self._feedback_records(store, day, bound),
        )

    @query("reports/grade-suggestions")
    def grade_suggestions(
        self,
        *,
        as_of: date | None = None,
        currency: str | None = None,
        changes: bool = False,
        known_at: datetime | None = None,
    ) -> grades.GradeSuggestions:
        """The grade proposed for each account from its rank by value (the
        top 20 %: key, the top half: major) and its renewals (docs/kpis.md);
        ``changes``: only the accounts whose grade would change. Changing
        one stays ``change_account_grade``."""
        day, store, bound = self._reading(as_of, known_at)
        found = grades.grade_suggestions(
            account_records(store.account_rows(known=bound)).values(),
            self._asset_records(store, day, bound, reads=(RENEWALS, UPGRADES)),
            as_of=day,
            settings=self.settings,
            currency=currency,
        )
        if not changes:
            return found
        kept = tuple(s for s in found.suggestions if s.changes)
        return attrs.evolve(found, suggestions=kept)

    @query("reports/suggestions")
    def suggestions(
        self,
        *,
        as_of: date | None = None,
        account_id: UUID | None = None,
        known_at: datetime | None = None,
    ) -> suggestions.Suggestions:
        """Cross-sell and upgrade suggestions over the installed base on
        ``as_of`` (only ``account_id``'s, when given), each naming its rule
        and the facts behind it (docs/kpis.md)."""
        day, store, bound = self._reading(as_of, known_at)
        return suggestions.suggestions(
            account_records(store.account_rows(known=bound)),
            self._asset_records(store, day, bound, reads=(RENEWALS, UPGRADES, USAGE)),
            as_of=day,
            settings=self.settings,
            account_id=account_id,
        )

    @query("reports/lead-funnel")
    def lead_funnel(
        self,
        *,
        as_of: date | None = None,
        since: date | None = None,
        known_at: datetime | None = None,
    ) -> funnel.LeadFunnel:
        """The MQL → SQL → deal → won funnel of the leads captured by
        ``as_of`` (from ``since``, when given), with the conversion and the
        mean days of each step."""
        day, store, bound = self._reading(as_of, known_at)
        return funnel.lead_funnel(
            lead_records(store.lead_rows(day=day, known=bound)),
            self._deal_records(store, day, bound),
            as_of=day,
            since=since,
        )

    @query("reports/lead-scores")
    def lead_scores(
        self, *, as_of: date | None = None, known_at: datetime | None = None
    ) -> lead_score.LeadScores:
        """Every lead open on ``as_of`` scored 0–100, with the points of
        each of its facts (``Settings.lead_scoring``)."""
        day, store, bound = self._reading(as_of, known_at)
        return lead_score.lead_scores(
            lead_records(store.lead_rows(day=day, known=bound)),
            as_of=day,
            scoring=self.settings.lead_scoring,
        )

    @query("reports/tier-movement")
    def tier_movement(
        self,
        *,
        start: date,
        end: date | None = None,
        known_at: datetime | None = None,
    ) -> tier_movement.TierMovement:
        """The deals open on ``start`` or opened after it, up to ``end``
        (default today): which moved up, down, stayed, opened or closed."""
        day, store, bound = self._reading(end, known_at)
        return tier_movement.tier_movement(
            self._deal_records(store, day, bound), start=start, end=day
        )

    @query("reports/postmortems")
    def postmortem_rollup(
        self, *, as_of: date | None = None, known_at: datetime | None = None
    ) -> postmortems.PostmortemRollup:
        """The root causes and lessons of the postmortems recorded by
        ``as_of``, overall and by category, competitor and owner."""
        day, store, bound = self._reading(as_of, known_at)
        return postmortems.postmortem_rollup(
            postmortem_records(store.postmortem_rows(day=day, known=bound)).values(),
            {d.id: d for d in self._deal_records(store, day, bound)},
            as_of=day,
        )

    def _of_account(
        self,
        kind: type[A],
        view: Callable[[A], V],
        account_id: UUID,
        known_at: datetime | None,
    ) -> list[V]:
        """The account's aggregates of ``kind``, as views: as the read models
        hold them, or as known at ``known_at`` (each replayed from its own
        events; one not yet recorded then is left out)."""
        self._fresh()
        states = list(self.projector.states(kind, account_id=account_id))
        if known_at is None:
            return [view(state) for state in states]
        found = []
        for state in states:
            with contextlib.suppress(NotFoundError):
                found.append(view(self._load(kind, state.id, None, None, known_at)))
        return found

    def _reading(
        self, as_of: date | None, known_at: datetime | None
    ) -> tuple[date, ReportQueries, int]:
        """The business date a report is as of (default today), the report
        tables (``_store``) and the row version ``known_at`` bounds them to."""
        return self._on(as_of), self._store(known_at), known_bound(known_at)

    def _store(self, known_at: datetime | None) -> ReportQueries:
        """The report tables, as fresh as the consistency asks: their row
        versions answer ``known_at`` too."""
        if known_at is not None:
            check_moment("report", "known_at", known_at)
        self._fresh()
        return self.projector.store

    @staticmethod
    def _deal_records(store: ReportQueries, day: date, known: int) -> list[DealFacts]:
        """The deals opened by ``day`` as the report tables hold them."""
        return deal_records(
            store.deal_rows(day=day, known=known),
            store.tier_move_rows(day=day, known=known),
        )

    @staticmethod
    def _feedback_records(
        store: ReportQueries, day: date, known: int
    ) -> list[FeedbackFacts]:
        """The feedback recorded by ``day`` as the report tables hold it."""
        return feedback_records(
            store.feedback_rows(day=day, known=known),
            store.feedback_need_rows(day=day, known=known),
        )

    @staticmethod
    def _open_complaints(
        store: ReportQueries, day: date, known: int
    ) -> list[FeedbackFacts]:
        """The complaints open on ``day`` (the health scores' only feedback)."""
        return feedback_records(store.open_complaint_rows(day=day, known=known), ())

    @staticmethod
    def _dimension_keys(
        store: ReportQueries, by: Dimension | None, known: int
    ) -> DimensionKeys:
        """What resolves the MANAGER and ACCOUNT keys of a cut by ``by``."""
        return {
            "managers": {str(n): str(m) for n, m in store.manager_rows(known=known)}
            if by is Dimension.MANAGER
            else NO_MANAGERS,
            "accounts": account_records(store.account_rows(known=known))
            if by is Dimension.ACCOUNT
            else NO_ACCOUNTS,
        }

    @staticmethod
    def _asset_records(
        store: ReportQueries,
        day: date,
        known: int,
        *,
        due_by: date | None = None,
        owner: str | None = None,
        reads: Collection[Table] = ASSET_DETAILS,
        reading: Reading = Reading.EVERY_ROW,
        since: date | None = None,
        anomaly: Decimal | None = None,
    ) -> list[AssetFacts]:
        """The assets purchased by ``day`` as the report tables hold them
        (``ReportQueries.asset_rows`` says which), with only the histories
        the report ``reads`` (the others left empty), of those only the
        rows of its ``reading``."""
        return asset_records(
            store.asset_rows(day=day, known=known, due_by=due_by, owner=owner),
            store.asset_detail_rows(
                day=day,
                known=known,
                due_by=due_by,
                owner=owner,
                tables=reads,
                reading=reading,
                since=since,
                anomaly=anomaly,
            ),
        )

    # -- plumbing -------------------------------------------------------------

    def _on(self, on: date | None) -> date:
        return self._clock.today() if on is None else check_date("command", "on", on)

    def _meta(self, reason: str | None, attribution: Attribution) -> Provenance:
        return Provenance(
            actor=attribution.get("actor", self._actor),
            reason=reason,
            correlation_id=attribution.get("correlation_id"),
            causation_id=attribution.get("causation_id"),
        )

    def _check_named(self, kind: type[DomainAggregate], aggregate_id: UUID) -> None:
        """Refuse (NotFoundError) a command naming a ``kind`` aggregate that
        is not there; one the unit of work knows of is not loaded."""
        unit: UnitOfWork | None = getattr(self._units, "unit", None)
        if unit is None or not unit.has(kind, aggregate_id):
            self._get(kind, aggregate_id)

    def _get(self, kind: type[A], aggregate_id: UUID) -> A:
        """The current state of a ``kind`` aggregate, for a command (in a
        unit of work, as the unit's earlier commands left it)."""
        unit = getattr(self._units, "unit", None)
        aggregate = None if unit is None else unit.get(aggregate_id)
        if aggregate is None:
            try:
                aggregate = self._log.latest(aggregate_id)
            except AggregateNotFoundError:
                raise NotFoundError(kind.KIND, aggregate_id) from None
            if unit is not None:
                unit.check(aggregate, aggregate.version)
        if not isinstance(aggregate, kind):
            raise NotFoundError(kind.KIND, aggregate_id, _kind_note(aggregate))
        return aggregate

    def _load(
        self,
        kind: type[A],
        aggregate_id: UUID,
        version: int | None,
        as_of: date | None,
        known_at: datetime | None,
    ) -> A:
        """A ``kind`` aggregate at a version, or built from the events effective
        by ``as_of`` and recorded by ``known_at``."""
        if as_of is None and known_at is None:
            if version is None:
                return self._get(kind, aggregate_id)
            aggregate = None
            # A version past what a store's integers hold is none either.
            with contextlib.suppress(AggregateNotFoundError):
                if 1 <= version <= MAX_WHOLE_NUMBER:
                    aggregate = self._log.repository.get(
                        aggregate_id, version=version, projector_func=project
                    )
            if aggregate is None or aggregate.version != version:
                raise NotFoundError(kind.KIND, aggregate_id, f" at version {version}")
        else:
            subject = f"{kind.KIND} {aggregate_id}"
            if version is not None:
                raise ValidationError(
                    subject, "version", "give a version or as_of/known_at, not both"
                )
            if as_of is not None:
                check_date(subject, "as_of", as_of)
            if known_at is not None:
                check_moment(subject, "known_at", known_at)
            aggregate = replay(
                self._log.events.get(aggregate_id),
                lambda e: (
                    (as_of is None or e.effective_on <= as_of)
                    and (known_at is None or e.timestamp <= known_at)
                ),
            )
            if aggregate is None:
                raise NotFoundError(
                    kind.KIND,
                    aggregate_id,
                    f" as of {as_of}"
                    if known_at is None
                    else f" as known at {known_at}",
                )
        if not isinstance(aggregate, kind):
            raise NotFoundError(kind.KIND, aggregate_id, _kind_note(aggregate))
        return aggregate

    def _save(self, *aggregates: DomainAggregate) -> None:
        """Save atomically, or hold the aggregates for the unit of work the
        command runs in."""
        if (unit := getattr(self._units, "unit", None)) is not None:
            unit.hold(aggregates)
        else:
            self._record(aggregates)

    def _record(
        self, aggregates: Sequence[DomainAggregate], then: Then | None = None
    ) -> None:
        """Save atomically, running ``then`` inside the transaction; a
        version clash becomes a b2bcore conflict error."""
        first_versions = [
            (a, a.version - len(a.pending_events) + 1) for a in aggregates
        ]
        projected: list[bool] = []
        project = self._projected_within(aggregates, projected)
        hooks = {"then": then, "project": project}
        try:
            recordings = self._log.save(
                *aggregates, **{k: v for k, v in hooks.items() if v is not None}
            )
        except IntegrityError:
            for aggregate, first in first_versions:
                clash = self._log.recorder.select_events(
                    aggregate.id, gt=first - 1, limit=1
                )
                if not clash:
                    continue
                if first == 1:
                    there: DomainAggregate = self._log.repository.get(aggregate.id)
                    other = "" if type(there) is type(aggregate) else _kind_note(there)
                    raise AlreadyExistsError(
                        aggregate.KIND, aggregate.id, f"already exists{other}"
                    ) from None
                raise ConcurrencyError(
                    aggregate.KIND,
                    aggregate.id,
                    f"version {first} was recorded by another writer since it "
                    "was loaded; reload and retry",
                ) from None
            raise
        if not projected:
            self._caught_up_after_save(recordings)
