"""Tenant: one client company of a service that embeds b2bcore, with a log of
its own (a schema on PostgreSQL, a file on SQLite) at a database URL.

Tenants are recorded in the tenant directory, itself a b2bcore log: who
created, moved and removed each one, when and why, is part of the audit
trail like any other fact. A tenant is named once for good; its id is made
from its name, so a name is never given to a second tenant, even after the
first was removed.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit
from uuid import UUID

from eventsourcing.domain import AggregateCreated

from b2bcore.domain.aggregate import DomainAggregate, Provenance
from b2bcore.domain.errors import ValidationError
from b2bcore.domain.ids import deterministic_id

#: A tenant's name: it becomes part of a schema's or a file's name.
NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


def tenant_id(name: str) -> UUID:
    return deterministic_id("tenant", check_name(name))


def check_name(name: object) -> str:
    if not isinstance(name, str) or NAME.fullmatch(name) is None:
        raise ValidationError(
            f"tenant {name!r}",
            "name",
            "must be 1 to 40 lowercase letters, digits or _, starting with a letter",
        )
    return name


def check_url(subject: str, url: object) -> str:
    """A database URL that may be kept in the log: one with a password in it
    is refused (the log keeps it for good)."""
    if not isinstance(url, str) or "://" not in url:
        raise ValidationError(subject, "url", f"must be a database URL, got {url!r}")
    if urlsplit(url).password is not None:
        raise ValidationError(
            subject,
            "url",
            "must not hold a password (the directory keeps URLs for good): "
            "give it in PGPASSWORD or ~/.pgpass",
        )
    return url


class Tenant(DomainAggregate):
    TOPIC = "b2bcore:tenant"
    KIND = "tenant"

    class Created(DomainAggregate.Event, AggregateCreated):
        TOPIC = "b2bcore:tenant:Created"
        name: str
        url: str

    class Moved(DomainAggregate.Event):
        TOPIC = "b2bcore:tenant:Moved"
        url: str

        def apply(self, tenant: Tenant) -> None:
            tenant.url = self.url

    class Removed(DomainAggregate.Event):
        TOPIC = "b2bcore:tenant:Removed"

        def apply(self, tenant: Tenant) -> None:
            tenant.removed_on = self.effective_on

    TOPICS = (Created.TOPIC, Moved.TOPIC, Removed.TOPIC)

    def __init__(self, name: str, url: str, effective_on: date) -> None:
        self.name = name
        self.url = url
        self.since = effective_on
        self.removed_on: date | None = None

    @classmethod
    def create(cls, name: str, *, url: str, on: date, meta: Provenance) -> Tenant:
        return cls._begin(
            cls.Created,
            tenant_id(name),
            on,
            meta,
            name=name,
            url=check_url(f"tenant {name}", url),
        )

    def move(self, *, url: str, on: date, meta: Provenance) -> None:
        """Switch the tenant to the copy of its log at ``url``."""
        self._check_present(on)
        if check_url(self.subject, url) == self.url:
            self._refuse("url", f"the tenant is already at {url}")
        self._record(self.Moved, on, meta, url=url)

    def remove(self, *, on: date, meta: Provenance) -> None:
        """Mark the tenant removed: its log is erased, its name kept."""
        self._check_present(on)
        self._require_reason(meta, "removing a tenant")
        self._record(self.Removed, on, meta)

    @property
    def subject(self) -> str:
        return f"tenant {self.name}"

    def _check_present(self, on: date) -> None:
        if self.removed_on is not None:
            self._refuse("name", f"the tenant was removed on {self.removed_on}")
        self._check_after_last_fact(on)
