"""Catch-up latency: from a command's commit to a read model that holds it,
against one bare read of the log's new page.

The store is opened with ``Consistency.AVAILABLE`` (a server's: saves only
record, and catching up is a runner's job), so the catch-up is timed on its
own. A store of ``POOL`` accounts is caught up; then each sample commits one
``change_account_attributes`` and times ``core.catch_up()`` (what a runner
does: every projection reads the page after its position, applies it and
commits its rows, report-table versions and position), and
``recorder.select_notifications`` of that same page alone. The two are timed
in alternating order so neither always reads a warm page.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from b2bcore import B2BCore, Consistency
from b2bcore.readmodels.projection import PAGE_SIZE
from benchmarks import accounts
from benchmarks.history import sqlite_url
from benchmarks.sizes import Size
from benchmarks.table import Row

POOL = 1_000


def measure(size: Size, cache: Path, scratch: Path) -> list[Row]:
    with B2BCore.open(
        sqlite_url(scratch / "catch-up.db"), consistency=Consistency.AVAILABLE
    ) as core:
        pool = [accounts.registered(number) for number in range(POOL)]
        core.save(*pool)
        core.catch_up()
        latencies, reads = [], []
        for sample in range(size.latency_samples):
            before = core.log_position()
            core.change_account_attributes(
                pool[sample % POOL].id,
                name=accounts.name(POOL + sample),
                on=accounts.DAY,
            )
            if sample % 2:
                latencies.append(_catch_up(core))
                reads.append(_read(core, before))
            else:
                reads.append(_read(core, before))
                latencies.append(_catch_up(core))
    return [
        Row(
            "catch-up latency (AVAILABLE, a runner's catch_up): commit → "
            "every projection holds it (vs one bare read of the new page)",
            statistics.median(latencies) * 1000,
            statistics.median(reads) * 1000,
            "ms",
        )
    ]


def _catch_up(core: B2BCore) -> float:
    started = time.perf_counter()
    applied = core.catch_up()
    seconds = time.perf_counter() - started
    if applied != 1:
        raise RuntimeError(f"the catch-up applied {applied} events, not 1")
    return seconds


def _read(core: B2BCore, after: int) -> float:
    started = time.perf_counter()
    page = core.event_log.recorder.select_notifications(
        start=after, limit=PAGE_SIZE, inclusive_of_start=False
    )
    seconds = time.perf_counter() - started
    if len(page) != 1:
        raise RuntimeError(f"the read found {len(page)} events, not 1")
    return seconds
