"""Alert delivery: each alert sent to a sink at least once, under its stable
id, retried with bounded exponential back-off, and remembered once the sink
acknowledged it.

Which alert ids each sink has delivered is kept beside the event log (a table
in the same SQLite file or PostgreSQL schema; memory for ``memory://``), the
way a projection keeps its position. An id is recorded only after the sink
acknowledged it, so a crash between the two resends that one alert, under
the same id, for the sink to de-duplicate; nothing is lost and nothing else
is sent twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Protocol, cast
from uuid import UUID

import attrs

from b2bcore import B2BCore, B2BCoreError
from b2bcore.reports.alerts import Alert
from b2bcore_adapters.persistence.backends import DELIVERY_LOG
from b2bcore_adapters.persistence.beside import store_beside
from b2bcore_adapters.persistence.delivery_log import (
    DeliveryLog,
    MemoryDeliveryLog,
    PostgresDeliveryLog,
    SQLDeliveryLog,
    SQLiteDeliveryLog,
)

# The stores live in persistence.delivery_log; their names stay here for
# one release.
__all__ = [
    "AlertDeliverer",
    "AlertSink",
    "Backoff",
    "DeliveryFailedError",
    "DeliveryLog",
    "DeliveryReport",
    "MemoryDeliveryLog",
    "PostgresDeliveryLog",
    "SQLDeliveryLog",
    "SQLiteDeliveryLog",
    "SinkUnavailableError",
    "delivery_log_for",
    "due",
]


class SinkUnavailableError(B2BCoreError):
    """A sink did not acknowledge an alert."""


class DeliveryFailedError(B2BCoreError):
    """A sink refused an alert on every attempt; what it acknowledged before
    stays recorded."""


class AlertSink(Protocol):
    #: Names the destination (``webhook:https://…``): deliveries are tracked per name.
    name: str

    def send(self, alert: Alert) -> None:
        """Hand ``alert`` over; return once the sink acknowledged it, else
        raise SinkUnavailableError."""


def delivery_log_for(core: B2BCore) -> DeliveryLog:
    """The delivery log beside ``core``'s event log, in the same database."""
    return cast(DeliveryLog, store_beside(core, DELIVERY_LOG))


def due(alerts: Iterable[Alert], delivered: frozenset[UUID]) -> tuple[Alert, ...]:
    """The alerts not yet delivered, in the order given."""
    return tuple(alert for alert in alerts if alert.id not in delivered)


@attrs.frozen
class Backoff:
    """Bounded exponential back-off: ``attempts`` tries per alert, waiting
    ``first`` seconds after the first failure, times ``factor`` after each
    further one, never more than ``longest``."""

    attempts: int = attrs.field(default=5, validator=attrs.validators.ge(1))
    first: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    factor: float = attrs.field(default=2.0, validator=attrs.validators.ge(1))
    longest: float = attrs.field(default=30.0, validator=attrs.validators.ge(0))

    def delays(self) -> tuple[float, ...]:
        """The waits between the attempts, in order."""
        return tuple(
            min(self.first * self.factor**n, self.longest)
            for n in range(self.attempts - 1)
        )


@attrs.frozen
class DeliveryReport:
    """What one run did: alerts acknowledged, already delivered before, and
    attempts that failed and were retried."""

    sink: str
    sent: tuple[UUID, ...]
    already_delivered: int
    retries: int


class AlertDeliverer:
    """Sends the due alerts to one sink and records each acknowledged one."""

    def __init__(
        self,
        sink: AlertSink,
        log: DeliveryLog,
        *,
        backoff: Backoff = Backoff(),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._sink = sink
        self._log = log
        self._backoff = backoff
        self._sleep = sleep

    def deliver(self, alerts: Iterable[Alert]) -> DeliveryReport:
        """Send every alert the sink has not acknowledged yet, in order; raise
        DeliveryFailedError when one is refused on every attempt (the ones
        before it stay delivered, it and the rest are due next time)."""
        found = tuple(alerts)
        pending = due(found, self._log.delivered(self._sink.name))
        sent: list[UUID] = []
        retries = 0
        for alert in pending:
            retries += self._send(alert)
            self._log.record(self._sink.name, alert.id)
            sent.append(alert.id)
        return DeliveryReport(
            self._sink.name, tuple(sent), len(found) - len(pending), retries
        )

    def _send(self, alert: Alert) -> int:
        """Send ``alert``, retrying; the number of retries it took."""
        delays = self._backoff.delays()
        retries = 0
        while True:
            try:
                self._sink.send(alert)
            except SinkUnavailableError as error:
                if retries == len(delays):
                    raise DeliveryFailedError(
                        f"alert {alert.id}: sink {self._sink.name}: not "
                        f"acknowledged after {self._backoff.attempts} attempts: "
                        f"{error}"
                    ) from error
                self._sleep(delays[retries])
                retries += 1
            else:
                return retries
