"""A test kit for code built on b2bcore: given some facts, when a command
runs, then these events were recorded — or this error refused it and
nothing was recorded.

    scenario = Scenario(core).given(register_hyowon).when(install_fleet)
    scenario.then(Asset.Installed)

This module needs neither pytest nor hypothesis; ``b2bcore.testing.fixtures``
(pytest) and ``b2bcore.testing.strategies`` (hypothesis) do. See
docs/testing.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Self, TypeVar, cast

from b2bcore.application.core import B2BCore
from b2bcore.application.paging import notifications
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.errors import DomainError

__all__ = ["Fact", "Outcome", "Scenario"]

R = TypeVar("R")
#: A fact to start from: a command run on the application, or an aggregate
#: built with the domain classes (``Asset.purchase``…) whose pending events
#: are saved as they are.
Fact = Callable[[B2BCore], object] | DomainAggregate
Event = DomainAggregate.Event


class Scenario:
    """Given/when/then on one application: ``given`` facts, ``when`` one
    command, then check what the command recorded."""

    def __init__(self, core: B2BCore) -> None:
        self.core = core

    def given(self, *facts: Fact) -> Self:
        """Record ``facts`` in order: commands are run, aggregates saved."""
        for fact in facts:
            if isinstance(fact, DomainAggregate):
                self.core.save(fact)
            else:
                fact(self.core)
        return self

    def when(self, command: Callable[[B2BCore], R]) -> Outcome[R]:
        """Run ``command``; a ``DomainError`` it raises is kept for ``then``
        to check, any other exception propagates."""
        position = self.core.log_position()
        try:
            result = command(self.core)
        except DomainError as error:
            return Outcome(self.core, position, None, error)
        return Outcome(self.core, position, result, None)


class Outcome(Generic[R]):
    """What one command did: its result or the error that refused it, and
    the events it recorded."""

    def __init__(
        self, core: B2BCore, position: int, result: R | None, error: DomainError | None
    ) -> None:
        self._core = core
        self._position = position
        self._result = result
        self.error = error

    @property
    def result(self) -> R:
        """What the command returned; an AssertionError if it was refused."""
        if self.error is not None:
            raise AssertionError(f"the command was refused: {self.error}")
        return cast(R, self._result)

    @property
    def events(self) -> tuple[Event, ...]:
        """The events recorded since the command started, in log order."""
        log = self._core.event_log
        return tuple(
            cast(Event, log.mapper.to_domain_event(n))
            for n in notifications(log.recorder, after=self._position)
        )

    def then(self, *expected: type[Event]) -> tuple[Event, ...]:
        """The command succeeded and recorded exactly events of the
        ``expected`` classes, in this order; returns those events."""
        if self.error is not None:
            raise AssertionError(f"expected {_names(expected)}, refused: {self.error}")
        events = self.events
        recorded = tuple(type(e) for e in events)
        if recorded != expected:
            raise AssertionError(
                f"expected {_names(expected)}, recorded {_names(recorded)}"
            )
        return events

    def then_refused(self, error: type[DomainError], field: str) -> DomainError:
        """The command raised exactly ``error`` naming ``field`` and recorded
        nothing; returns the error."""
        if self.error is None:
            raise AssertionError(
                f"expected {error.__name__} on {field!r}, "
                f"recorded {_names(tuple(type(e) for e in self.events))}"
            )
        if type(self.error) is not error or self.error.field != field:
            raise AssertionError(
                f"expected {error.__name__} on {field!r}, got "
                f"{type(self.error).__name__} on {self.error.field!r}: {self.error}"
            )
        if self._core.log_position() != self._position:
            raise AssertionError(f"refused with {self.error}, yet events were recorded")
        return self.error


def _names(classes: tuple[type[Event], ...]) -> str:
    if not classes:
        return "no event"
    return ", ".join(c.__qualname__ for c in classes)
