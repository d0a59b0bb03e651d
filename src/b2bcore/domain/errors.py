"""Every error b2bcore raises on purpose.

Messages name the thing, the field and the rule broken, e.g.
``asset 3f2a…: status: cannot renew an asset in status obsolete``.
A command that raises one of these has recorded nothing.
"""

from __future__ import annotations

from uuid import UUID

#: The most characters of a refused value a message quotes.
QUOTED = 40


def shortened(value: object) -> str:
    """``value``'s text, stripped, and cut when long (a 1,000-digit amount or
    a megabyte-long cell is refused without being echoed whole)."""
    written = str(value).strip()
    if len(written) <= QUOTED:
        return written
    return f"{written[:QUOTED]}… ({len(written):,} characters)"


def quoted(value: object) -> str:
    """``value`` as a message quotes it: ``shortened``, in quotes."""
    written = str(value).strip()
    if len(written) <= QUOTED:
        return repr(written)
    return f"{written[:QUOTED]!r}… ({len(written):,} characters)"


class B2BCoreError(Exception):
    """Base of every error b2bcore raises on purpose."""


class DomainError(B2BCoreError):
    """A command was refused: ``subject`` broke ``rule`` on ``field``."""

    def __init__(self, subject: str, field: str, rule: str) -> None:
        self.subject = subject
        self.field = field
        self.rule = rule
        super().__init__(f"{subject}: {field}: {rule}")


class ValidationError(DomainError, ValueError):
    """A value is malformed or out of range, whatever the state."""


class BusinessRuleError(DomainError):
    """A command is not allowed in the aggregate's current state."""


class CurrencyMismatchError(ValidationError):
    """Two amounts in different currencies were combined or compared."""


class NotFoundError(B2BCoreError, LookupError):
    """No aggregate of that kind with that id (or not as of that date)."""

    def __init__(self, kind: str, aggregate_id: UUID, detail: str = "") -> None:
        self.kind = kind
        self.aggregate_id = aggregate_id
        super().__init__(f"{kind} {aggregate_id}: not found{detail}")


class ConflictError(B2BCoreError):
    """The log already holds what the command tried to record."""

    def __init__(self, kind: str, aggregate_id: UUID, message: str) -> None:
        self.kind = kind
        self.aggregate_id = aggregate_id
        super().__init__(f"{kind} {aggregate_id}: {message}")


class AlreadyExistsError(ConflictError):
    """An aggregate with this id was created before (e.g. a re-import)."""


class ConcurrencyError(ConflictError):
    """Another writer changed the aggregate since it was loaded; reload, retry."""


class ConfigurationError(B2BCoreError, ValueError):
    """A database URL or setting is malformed or names a missing extra."""


class UnverifiedLogError(B2BCoreError):
    """A log that had to verify (a tenant's before and after a move) does
    not: its hash chain says where and what (``b2b audit verify``)."""


class StoreClosedError(B2BCoreError):
    """The store was closed (``B2BCore.close``): a call that starts after
    that, or a transaction an operation under way starts after it, is
    refused. A transaction already under way finishes first."""

    def __init__(self, store: str) -> None:
        self.store = store
        super().__init__(
            f"store {store}: connection: the store is closed; "
            "open it again (B2BCore.open) to use it"
        )


class VaultClosedError(B2BCoreError):
    """A contact read from a store was first read after the store was closed:
    its fields are opened with the store's vault only when read."""

    def __init__(self, person_id: UUID) -> None:
        self.person_id = person_id
        super().__init__(
            f"contact {person_id}: name, email, phone: opened with the vault of "
            "a closed store; read a contact's fields while the B2BCore it came "
            "from is open"
        )


class ReadModelBehindError(B2BCoreError):
    """The read models did not reach the log position a query waited for:
    nothing keeps them current (no runner, and the writer did not catch up)."""

    def __init__(
        self,
        position: int,
        head: int,
        waited: float,
        *,
        because: Exception | None = None,
    ) -> None:
        self.position = position
        self.head = head
        why = "" if because is None else f"; the last catch-up failed: {because}"
        super().__init__(
            f"read models: position: at {position}, the log head is {head} "
            f"(waited {waited:g} s{why}); run `b2b projections catch-up`, a "
            "projection runner, or B2BCore.catch_up()"
        )


class ProjectionError(B2BCoreError):
    """A projection cannot place an event (a poison event: an unknown topic,
    an event that does not decode, or one its ``apply`` refuses): it stops
    there. Its position stays just before the event, so nothing is skipped
    silently; fix the cause and catch up again, or record a skip
    (``B2BCore.skip_event``, docs/projections.md)."""

    def __init__(
        self,
        projection: str,
        *,
        position: int,
        topic: str,
        aggregate_id: UUID,
        version: int,
        cause: str,
    ) -> None:
        self.projection = projection
        self.position = position
        self.topic = topic
        self.aggregate_id = aggregate_id
        self.version = version
        self.cause = cause
        super().__init__(
            f"projection {projection!r} stopped at log position {position} "
            f"({topic}, {aggregate_id} version {version}): {cause}; fix the cause "
            "and catch up again, or pass over this event with "
            f'`b2b projections skip {position} --reason "…"` (docs/projections.md)'
        )


def subject(kind: str, aggregate_id: UUID) -> str:
    """How messages name an aggregate: its kind and full id."""
    return f"{kind} {aggregate_id}"
