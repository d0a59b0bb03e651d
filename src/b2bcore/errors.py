"""Every error b2bcore raises on purpose.

Messages name the thing, the field and the rule broken, e.g.
``asset 3f2a…: status: cannot renew an asset in status obsolete``.
A command that raises one of these has recorded nothing.
"""

from __future__ import annotations

from uuid import UUID


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


def subject(kind: str, aggregate_id: UUID) -> str:
    """How messages name an aggregate: its kind and full id."""
    return f"{kind} {aggregate_id}"
