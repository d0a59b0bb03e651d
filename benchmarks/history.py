"""The logs benchmarks run on: generated books of business
(``b2bcore_adapters.demo.generator``), so they measure realistic shapes: assets
with a few dozen events, deals through the tiers and the VRB, leads.

A book takes minutes to record at full size, so each is recorded once into a
SQLite file in the cache folder (``benchmarks/``, where ``*.db`` is ignored
by git) and reused by later runs; delete the file to record it again. It is
recorded with ``Consistency.AVAILABLE`` (saves only record): the benchmarks
that read its read models catch them up themselves.
"""

from __future__ import annotations

import functools
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

from b2bcore import B2BCore, Consistency
from b2bcore_adapters.demo.generator import generate

SEED = 7
#: Accounts of the dry run that estimates how many events an account brings.
SAMPLE_ACCOUNTS = 200
#: Extra accounts beyond the estimate, so the log surely reaches its size
#: (the events per account of a seed vary by a few percent with the size).
MARGIN = 1.1
SPARE_ACCOUNTS = 10
#: Files that make up one SQLite database besides the main file.
SIDE_FILES = ("-wal", "-shm")


@functools.cache
def events_per_account(seed: int) -> float:
    with B2BCore.open("memory://") as sample:
        story = generate(sample, accounts=SAMPLE_ACCOUNTS, seed=seed)
    return story.events / story.accounts


def accounts_for(events: int, seed: int = SEED) -> int:
    """Enough accounts of the ``seed``'s book for ``events`` events."""
    return math.ceil(events / events_per_account(seed) * MARGIN) + SPARE_ACCOUNTS


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def book(cache: Path, accounts: int, seed: int = SEED) -> Path:
    """The SQLite file holding the ``seed``'s book of ``accounts`` accounts,
    recorded on first use. It is recorded under another name and renamed
    when complete, so an interrupted recording is never taken for a book."""
    path = cache / f"book-{seed}-{accounts}.db"
    if path.exists():
        return path
    partial = cache / f"book-{seed}-{accounts}.partial.db"
    for file in (partial, *(Path(f"{partial}{side}") for side in SIDE_FILES)):
        file.unlink(missing_ok=True)
    started = time.perf_counter()
    with B2BCore.open(sqlite_url(partial), consistency=Consistency.AVAILABLE) as core:
        story = generate(core, accounts=accounts, seed=seed, progress=_progress(path))
    for side in SIDE_FILES:
        if Path(f"{partial}{side}").exists():
            Path(f"{partial}{side}").rename(f"{path}{side}")
    partial.rename(path)
    print(
        f"  recorded {path.name}: {story.events:,} events, {story.assets:,} assets, "
        f"{story.deals:,} deals in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return path


def log_of(cache: Path, events: int, seed: int = SEED) -> Path:
    """A book of at least ``events`` events (see ``book``)."""
    path = book(cache, accounts_for(events, seed), seed)
    with B2BCore.open(sqlite_url(path), consistency=Consistency.AVAILABLE) as core:
        reached = core.log_position()
    if reached < events:
        raise RuntimeError(
            f"the book of seed {seed} in {path} reached {reached:,} events, "
            f"not {events:,}: raise benchmarks.history.MARGIN"
        )
    return path


def _progress(path: Path) -> Callable[[int, int], None]:
    """Say every tenth of the way, on stderr."""
    shown = [0]

    def show(done: int, total: int) -> None:
        tenth = done * 10 // total
        if tenth > shown[0]:
            shown[0] = tenth
            print(f"  recording {path.name}: {tenth * 10} %", file=sys.stderr)

    return show
