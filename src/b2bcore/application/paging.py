"""Reading the event log in pages, in log order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from eventsourcing.persistence import Notification

PAGE_SIZE = 1000


def notifications(
    recorder: Any,
    *,
    after: int = 0,
    stop: int | None = None,
    topics: Sequence[str] = (),
    page_size: int = PAGE_SIZE,
) -> Iterator[Notification]:
    """Every notification of ``recorder`` after position ``after`` (up to
    ``stop`` when given, of ``topics`` when given), in log order, read
    ``page_size`` at a time."""
    while stop is None or after < stop:
        page = recorder.select_notifications(
            after,
            limit=page_size,
            stop=stop,
            topics=topics,
            inclusive_of_start=False,
        )
        if not page:
            return
        yield from page
        after = page[-1].id
