"""Tenants: the client companies of a service that embeds b2bcore, each with
a log of its own — its own read models, hash chain, vault and runner
position — kept apart from every other tenant's.

The tenant directory is a b2bcore log at a URL: each ``Tenant`` aggregate in
it says where a tenant's log is (by default beside the directory: a schema of
the same PostgreSQL database, a file next to the SQLite one; any URL may be
given, another server's included) and who created, moved and removed it, when
and why. ``B2BCore.open(url, tenant=name)`` opens a tenant of the directory at
``url``; ``Tenants`` creates, lists, opens, moves and removes them.

A ``Tenants`` that lives long (a server's) keeps the tenants' cores open, and
another process may move or remove a tenant meanwhile: each ``hold`` (and
``core``) first reads the directory's log position, and when it changed,
retires the cores of the tenants moved or removed since, so the next use
opens the tenant where it now is, or finds it gone.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from datetime import date
from typing import Any

import attrs

from b2bcore.application.core import B2BCore, Closing
from b2bcore.application.paging import notifications
from b2bcore.application.storage import backend_of, environment_for
from b2bcore.domain.aggregate import Provenance
from b2bcore.domain.errors import (
    AlreadyExistsError,
    ConfigurationError,
    NotFoundError,
    UnverifiedLogError,
    ValidationError,
)
from b2bcore.domain.tenant import Tenant, check_name, check_url, tenant_id

#: The directory's events after which a tenant's open core is stale.
STALE = (Tenant.Moved.TOPIC, Tenant.Removed.TOPIC)

#: The settings that say which store a URL opens (the others tune how).
STORE = ("PERSISTENCE_MODULE", "POPO_STORE", "SQLITE_DBNAME", "POSTGRES_HOST")
STORE_POSTGRES = ("POSTGRES_PORT", "POSTGRES_DBNAME", "POSTGRES_SCHEMA")


def store_of(url: str) -> tuple[str | None, ...]:
    """Which store ``url`` opens: its kind, and its file (made absolute),
    name, or server, database and schema (``public`` when none is named)."""
    env = environment_for(url)
    if "SQLITE_DBNAME" in env:
        env["SQLITE_DBNAME"] = os.path.abspath(env["SQLITE_DBNAME"])
    if "POSTGRES_DBNAME" in env:
        env.setdefault("POSTGRES_SCHEMA", "public")
    return tuple(env.get(name) for name in (*STORE, *STORE_POSTGRES))


@attrs.frozen
class TenantEntry:
    """One tenant as the directory has it."""

    name: str
    url: str
    created_on: date
    removed_on: date | None

    @classmethod
    def of(cls, tenant: Tenant) -> TenantEntry:
        return cls(tenant.name, tenant.url, tenant.since, tenant.removed_on)


@attrs.define(eq=False)
class Opened:
    """A tenant's core as a ``Tenants`` opened it: ``since`` the directory's
    log position read before its URL was, ``users`` the holds on it."""

    core: B2BCore
    since: int
    users: int = 0
    retired: bool = False


class Held(Closing):
    """A tenant's core held open for one piece of work (a request): if the
    tenant moves or is removed meanwhile, the core is not closed under the
    work, but by the first ``hold`` after the last hold on it is let go
    (letting go never waits on a database: an event loop may do it)."""

    def __init__(self, tenants: Tenants, opened: Opened) -> None:
        self.core = opened.core
        self._tenants = tenants
        self._opened = opened
        self._holding = True

    def stale(self) -> bool:
        """Whether the tenant has moved or been removed since the core was
        opened, as the directory says now (one query, more if it changed)."""
        self._tenants._retire_stale(self._tenants.directory.log_position())
        return self._opened.retired

    def close(self) -> None:
        if self._holding:
            self._holding = False
            self._tenants._let_go(self._opened)


class Tenants(Closing):
    """The tenant directory at ``url``. The cores it opens (``core``,
    ``hold``) stay open until it closes or their tenant moves or is removed,
    by this process or another; a tenant on ``memory://`` lives as long as
    it. Safe to use from many threads."""

    def __init__(self, directory: B2BCore, url: str, **options: Any) -> None:
        self.directory = directory
        self.url = url
        self._options = options
        self._open: dict[str, Opened] = {}
        #: The directory's log position when the open cores were last checked.
        self._seen = 0
        #: Retired cores whose last hold was let go, closed by the next hold.
        self._unheld: list[B2BCore] = []
        self._lock = threading.Lock()

    @classmethod
    def open(cls, url: str, **options: Any) -> Tenants:
        """The directory at ``url``; ``options`` (``actor``, ``clock``,
        ``consistency``…) are ``B2BCore.open``'s, for the directory and every
        tenant opened through it."""
        return cls(B2BCore.open(url, **options), url, **options)

    def close(self) -> None:
        with self._lock:
            unused = [self._retire(name) for name in list(self._open)]
            unused += self._unheld
            self._unheld = []
        _close_each(unused)
        self.directory.close()

    def create(
        self,
        name: str,
        *,
        url: str | None = None,
        reason: str | None = None,
        on: date | None = None,
        actor: str | None = None,
    ) -> TenantEntry:
        """Record tenant ``name`` with its log at ``url`` (default: beside the
        directory), after making room for it there and opening it once."""
        subject = f"tenant {check_name(name)}"
        if self.directory.exists(tenant_id(name)):
            raise AlreadyExistsError(
                "tenant", tenant_id(name), f"{name!r} is taken (names are not reused)"
            )
        url = check_url(subject, url or backend_of(self.url).tenant_url(self.url, name))
        self._check_free(subject, url)
        tenant = Tenant.create(
            name, url=url, on=self.directory._on(on), meta=self._meta(reason, actor)
        )
        backend_of(url).create(url)
        since = self.directory.log_position()
        with self._lock:
            self._opened_at(name, url, since)
        self.directory.save(tenant)
        return TenantEntry.of(tenant)

    def entries(self, *, removed: bool = False) -> tuple[TenantEntry, ...]:
        """Every tenant by name (and the removed ones, when ``removed``)."""
        recorder = self.directory.event_log.recorder
        created = notifications(recorder, topics=(Tenant.Created.TOPIC,))
        found = (TenantEntry.of(self._tenant(n.originator_id)) for n in created)
        return tuple(
            sorted(
                (e for e in found if removed or e.removed_on is None),
                key=lambda e: e.name,
            )
        )

    def entry(self, name: str) -> TenantEntry:
        """Tenant ``name``; NotFoundError if there is none or it was removed."""
        tenant = self._present(name)
        return TenantEntry.of(tenant)

    def core(self, name: str) -> B2BCore:
        """Tenant ``name``'s core, opened once and kept open by the directory
        until it closes or the tenant moves or is removed (see ``hold``)."""
        with self.hold(name) as held:
            return held.core

    def hold(self, name: str) -> Held:
        """Tenant ``name``'s core, held open until the ``Held`` closes.
        First the directory's log position is read (one query); when it
        changed since the last look, the cores of the tenants moved or
        removed since (by any process) are retired: dropped, and closed when
        no hold is left on them (see ``Held``). A retired tenant is opened
        again where the directory now says; NotFoundError if it is not, or
        no longer, in the directory."""
        position = self.directory.log_position()
        self._retire_stale(position)
        with self._lock:
            unheld, self._unheld = self._unheld, []
        _close_each(unheld)
        with self._lock:
            opened = self._open.get(name)
            if opened is None:
                opened = self._opened_at(name, self.entry(name).url, position)
            opened.users += 1
        return Held(self, opened)

    def _opened_at(self, name: str, url: str, since: int) -> Opened:
        """Tenant ``name``'s core, opened at ``url`` unless open (under the lock)."""
        if name not in self._open:
            self._open[name] = Opened(B2BCore.open(url, **self._options), since)
        return self._open[name]

    def _retire_stale(self, position: int) -> None:
        """Retire the open cores of tenants moved or removed in the
        directory's log since the last look, up to ``position``."""
        with self._lock:
            seen = self._seen
        if position <= seen:
            return
        recorder = self.directory.event_log.recorder
        changed = notifications(recorder, after=seen, stop=position, topics=STALE)
        last: dict[Any, int] = {}
        for notification in changed:
            last[notification.originator_id] = notification.id
        with self._lock:
            unused = [
                self._retire(name)
                for name, opened in list(self._open.items())
                if last.get(tenant_id(name), 0) > opened.since
            ]
            self._seen = max(self._seen, position)
        _close_each(unused)

    def _retire(self, name: str) -> B2BCore | None:
        """Drop tenant ``name``'s core (under the lock); it, if unheld."""
        opened = self._open.pop(name)
        opened.retired = True
        return opened.core if opened.users == 0 else None

    def _let_go(self, opened: Opened) -> None:
        with self._lock:
            opened.users -= 1
            if opened.retired and opened.users == 0:
                self._unheld.append(opened.core)

    def remove(
        self,
        name: str,
        *,
        reason: str,
        on: date | None = None,
        actor: str | None = None,
    ) -> TenantEntry:
        """Erase tenant ``name``: every table of its log dropped, every key of
        its vault with them; the directory keeps who removed it and why, and
        its name. The record goes first, so that every process serving the
        tenant sees it gone before its store is (``hold``); if erasing fails
        after it, run the removal again: for a removed tenant it erases what
        is left and records nothing, unless its store is now the
        directory's or another tenant's (ValidationError)."""
        tenant = self._named(name)
        if tenant.removed_on is None:
            tenant.remove(on=self.directory._on(on), meta=self._meta(reason, actor))
            self.directory.save(tenant)
        else:  # its URL was free to take since the removal
            self._check_free(
                f"tenant {name} (removed on {tenant.removed_on})", tenant.url
            )
        self._close(name)
        backend_of(tenant.url).drop(tenant.url)
        return TenantEntry.of(tenant)

    def move(
        self,
        name: str,
        *,
        to: str,
        reason: str | None = None,
        on: date | None = None,
        actor: str | None = None,
    ) -> TenantEntry:
        """Move tenant ``name``'s log, whole, to the empty store at ``to`` of
        the same kind (another PostgreSQL server, say): copied with every
        table beside it, its hash chain verified at ``to``, the directory
        switched, then the original erased. Writers wait while it runs; one
        that still has the old store open fails rather than record where
        nobody reads."""
        tenant = self._present(name)
        old = tenant.url
        self._check_free(tenant.subject, to, but=name)
        tenant.move(url=to, on=self.directory._on(on), meta=self._meta(reason, actor))
        source = backend_of(old)
        if backend_of(to) is not source:
            raise ConfigurationError(
                f"tenant {name}: url: a tenant moves to a store of the same kind"
            )
        self._close(name)
        with B2BCore.open(old) as original:
            before = original.verify_log()
        if not before.ok:
            raise UnverifiedLogError(
                f"tenant {name}: its log does not verify: {before.describe()}"
            )
        with source.moved(old, to):
            with B2BCore.open(to) as copy:
                after = copy.verify_log()
            if not after.ok or after.count < before.count:
                raise UnverifiedLogError(
                    f"tenant {name}: the copy at the target does not verify: "
                    + after.describe()
                )
            self.directory.save(tenant)
        return TenantEntry.of(tenant)

    def _check_free(self, subject: str, url: str, *, but: str = "") -> None:
        """Refuse ``url`` when it opens the directory's store or a present
        tenant's other than ``but`` (however the URL is written)."""
        taken = [self.url, *(e.url for e in self.entries() if e.name != but)]
        if store_of(url) in map(store_of, taken):
            raise ValidationError(
                subject, "url", "is the directory's or another tenant's store"
            )

    def _close(self, name: str) -> None:
        with self._lock:
            unused = [self._retire(name)] if name in self._open else []
        _close_each(unused)

    def _named(self, name: str) -> Tenant:
        """Tenant ``name``, removed or not."""
        found = tenant_id(name)
        if not self.directory.exists(found):
            raise NotFoundError("tenant", found, f" ({name!r} is not in the directory)")
        return self._tenant(found)

    def _present(self, name: str) -> Tenant:
        tenant = self._named(name)
        if tenant.removed_on is not None:
            raise NotFoundError(
                "tenant", tenant.id, f" ({name!r} was removed on {tenant.removed_on})"
            )
        return tenant

    def _tenant(self, aggregate_id: Any) -> Tenant:
        return self.directory._get(Tenant, aggregate_id)

    def _meta(self, reason: str | None, actor: str | None) -> Provenance:
        return Provenance(actor=actor or self.directory.actor, reason=reason)


def _close_each(cores: Sequence[B2BCore | None]) -> None:
    for core in cores:
        if core is not None:
            core.close()
