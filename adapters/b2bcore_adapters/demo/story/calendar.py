"""Business dates of a generated story: drawing them, and taking one
aggregate's planned steps in date order.

An aggregate's events must be dated in order and never after the story's
last day. An ``Agenda`` keeps steps that run side by side (an asset's
payments, monthly usage and inspections); a ``Cursor`` walks a story that is
one step after another (a deal's tiers); both stop at the last day.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from datetime import date, timedelta

#: A planned step: called with the business date it happens on.
Step = Callable[[date], None]


def later(day: date, rng: random.Random, low: int, high: int) -> date:
    """``day`` moved by between ``low`` and ``high`` days (both included)."""
    return day + timedelta(days=rng.randint(low, high))


def first_of_next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


class Agenda:
    """The planned steps of one aggregate, taken in date order (steps of one
    day in the order they were planned). A step planned before the current
    day happens on it; a step after ``until`` never happens."""

    def __init__(self, today: date, until: date) -> None:
        self.today = today
        self.until = until
        self._steps: list[tuple[date, int, Step]] = []
        self._planned = 0

    def plan(self, on: date, step: Step) -> None:
        on = max(on, self.today)
        if on <= self.until:
            heapq.heappush(self._steps, (on, self._planned, step))
            self._planned += 1

    def run(self) -> None:
        while self._steps:
            self.today, _, step = heapq.heappop(self._steps)
            step(self.today)

    def stop(self) -> None:
        """Nothing planned happens any more (the aggregate's story ended)."""
        self._steps.clear()


class PastTheEnd(Exception):  # noqa: N818 - a signal, not an error
    """The story's next step would fall after its last day."""


class Cursor:
    """The date of a story told one step after another."""

    def __init__(self, today: date, until: date, rng: random.Random) -> None:
        self.today = today
        self.until = until
        self._rng = rng

    def wait(self, low: int, high: int) -> date:
        """Move on by ``low`` to ``high`` days; raises PastTheEnd beyond the
        last day."""
        self.today = later(self.today, self._rng, low, high)
        if self.today > self.until:
            raise PastTheEnd
        return self.today
