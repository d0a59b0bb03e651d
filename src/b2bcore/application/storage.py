"""Database URLs: which kind of database stores the log, found by the URL's
scheme among the ``b2bcore.backends`` entry points (``memory``, ``sqlite``,
``postgresql``; the adapters package registers them, and the domain names
none of them). A backend turns the URL into ``eventsourcing``'s settings,
including the classes kept beside the log, each named by topic under the
variables below; ``opened_beside`` opens such a store in the log's database.
"""

from __future__ import annotations

import functools
import random
import threading
import time
from collections.abc import Callable, Collection, Mapping
from contextlib import AbstractContextManager
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Protocol, TypeVar, runtime_checkable
from urllib.parse import urlsplit
from uuid import UUID

from eventsourcing.persistence import (
    IntegrityError,
    InternalError,
    OperationalError,
    ProgrammingError,
)
from eventsourcing.utils import resolve_topic

from b2bcore.domain.errors import ConfigurationError

R = TypeVar("R")

DEFAULT_URL = "sqlite:///b2bcore.db"
URL_VARIABLE = "B2BCORE_DATABASE_URL"
#: The tenant of the directory at the URL that the command line works on.
TENANT_VARIABLE = "B2BCORE_TENANT"
#: The entry point group of the backends, each named by its URL scheme.
BACKENDS = "b2bcore.backends"
#: The settings that name the classes kept beside the log, by topic.
VAULT_VARIABLE = "B2BCORE_VAULT_TOPIC"
CHAIN_VARIABLE = "B2BCORE_CHAIN_TOPIC"
#: Called with the settings before anything is opened (when set).
REACH_VARIABLE = "B2BCORE_REACH_TOPIC"
#: Tries at creating tables that processes starting together race to create.
OPEN_ATTEMPTS = 8


class Backend(Protocol):
    """A kind of database that can store the log."""

    def environment(self, url: str) -> dict[str, str]:
        """The ``eventsourcing`` settings that open the store at ``url``."""
        ...

    @property
    def tenant_url(self) -> Callable[[str, str], str]:
        """The URL of tenant ``name`` of the directory at a URL."""
        ...

    @property
    def create(self) -> Callable[[str], None]:
        """Makes room for a new tenant's log at its URL."""
        ...

    @property
    def drop(self) -> Callable[[str], None]:
        """Erases everything stored at a tenant's URL."""
        ...

    @property
    def beside(self) -> Mapping[str, str]:
        """The stores the adapters keep beside the log (idempotency keys, a
        delivery log), by what they keep, as topics: the first open makes
        their tables with the log's."""
        ...

    @property
    def moved(self) -> Callable[[str, str], AbstractContextManager[None]]:
        """Copies the store at a URL whole to another of the same kind; the
        source takes no writes inside the block and is erased when it ends
        normally; an error drops the copy instead."""
        ...


@runtime_checkable
class FindsExisting(Protocol):
    """A log recorder that tells in one query which aggregates have events
    (the SQLite and PostgreSQL ones)."""

    def existing(self, aggregate_ids: Collection[UUID]) -> frozenset[UUID]:
        """The ones of ``aggregate_ids`` with at least one event recorded."""
        ...


def shown(url: str) -> str:
    """``url`` as an error may show it: its password, if any, as ``***``
    (errors end up in logs)."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.netloc.rpartition("@")[2]
        return parts._replace(netloc=f"{parts.username or ''}:***@{host}").geturl()
    except ValueError:  # not even a URL: it may be all password
        return "(a database URL that cannot be read)"


def environment_for(url: str) -> dict[str, str]:
    """The ``eventsourcing`` settings that open the store at ``url``."""
    return backend_of(url).environment(url)


def backend_of(url: str) -> Backend:
    """The backend that stores the log at ``url``."""
    return _backend(url, urlsplit(url).scheme)


@functools.cache
def _backends() -> dict[str, EntryPoint]:
    """The registered backends by scheme, read once per process (reading
    the installed packages' metadata costs milliseconds)."""
    return {e.name: e for e in entry_points(group=BACKENDS)}


def _backend(url: str, scheme: str) -> Backend:
    found = _backends().get(scheme)
    if found is None:
        known = sorted(_backends())
        raise ConfigurationError(
            f"database URL {shown(url)!r}: unknown scheme {scheme!r} (use "
            + (
                ", ".join(f"{name}://" for name in known)
                or "a scheme a backend registers: is b2bcore installed?"
            )
            + ")"
        )
    backend: Backend = found.load()
    return backend


@runtime_checkable
class InDatabase(Protocol):
    """The ``eventsourcing`` factory of a log kept in a database (SQLite,
    PostgreSQL; not memory)."""

    @property
    def datastore(self) -> object: ...

    def env_create_table(self) -> bool: ...


def opened_beside(factory: object, topic: str, *, create: bool | None = None) -> Any:
    """The store of class ``topic`` kept beside the log that ``factory``
    opened, in the same database: given the log's datastore (a store in
    memory takes none), its tables created unless ``create``, or when not
    given the log's ``CREATE_TABLE`` setting, says no."""
    store_class = resolve_topic(topic)
    if not isinstance(factory, InDatabase):
        return store_class()
    store = store_class(factory.datastore)
    if factory.env_create_table() if create is None else create:
        created(store.create_table)
    return store


def created(make: Callable[[], R]) -> R:
    """What ``make`` opens, its tables created: processes creating the same
    tables at once on PostgreSQL race (a duplicate key in ``pg_type``, a
    type that already exists, a tuple concurrently updated, a deadlock
    between two creations of an index); the creation is idempotent, so it
    is retried a few times. Inside another ``created``, ``make`` runs once:
    the outer one retries it."""
    if getattr(_creating, "active", False):
        return make()
    _creating.active = True
    try:
        return _retried(make)
    finally:
        _creating.active = False


#: Whether this thread is inside ``created``.
_creating = threading.local()


def _retried(make: Callable[[], R]) -> R:
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return make()
        except (
            InternalError,
            IntegrityError,
            ProgrammingError,
            OperationalError,
        ) as error:
            raced = isinstance(error, InternalError | IntegrityError) or any(
                face in str(error) for face in ("already exists", "deadlock detected")
            )
            if not raced or attempt == OPEN_ATTEMPTS - 1:
                raise
            # Jittered, so processes that collided do not collide again.
            time.sleep(random.uniform(0.5, 1.5) * 0.05 * 2**attempt)
    raise AssertionError("unreachable")
