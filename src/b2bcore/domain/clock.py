"""The clock port: where "today" comes from.

Aggregates never read a clock; the application asks one for the business
date a command defaults to. Tests pass a ``FixedClock``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import Protocol

import attrs


class Clock(Protocol):
    def today(self) -> date:
        """Today's business date."""
        ...


@attrs.frozen
class SystemClock:
    """Today in ``tz`` (UTC unless the business runs on another calendar)."""

    tz: tzinfo = UTC

    def today(self) -> date:
        return datetime.now(self.tz).date()


@attrs.frozen
class FixedClock:
    """Always the same day."""

    day: date

    def today(self) -> date:
        return self.day
