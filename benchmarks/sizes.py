"""How big each benchmark runs: ``quick`` (about a minute) and ``full``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    name: str
    #: Seconds one timing round runs for, and rounds per figure (median).
    seconds: float
    rounds: int
    #: Aggregates per batched save (the importers' batch).
    batch: int
    #: Events in the histories loaded whole (short, medium, long).
    histories: tuple[int, int, int]
    #: Events of the assets loaded (with a contact), on SQLite and PostgreSQL.
    asset_histories: tuple[int, ...]
    #: Events in the history read as of a date.
    as_of_history: int
    #: Imports of the real data sets per consistency (the median).
    import_rounds: int
    #: Commands whose commit-to-read-model latency is sampled.
    latency_samples: int
    #: Events of the log rebuilt, and of the smaller log whose rebuild's
    #: memory it is compared with (flat memory: the same peak).
    rebuild_events: int
    small_rebuild_events: int
    #: Read-then-rebuild rounds (the median rate; the highest peak).
    rebuild_rounds: int
    #: Accounts of the book the queries run on; None: the rebuilt log's.
    query_accounts: int | None
    #: Rounds of each query, one call each (a full-size one takes seconds).
    query_rounds: int


QUICK = Size(
    name="quick",
    seconds=0.15,
    rounds=5,
    batch=500,
    histories=(10, 1_000, 10_000),
    asset_histories=(5, 20),
    as_of_history=1_000,
    import_rounds=1,
    latency_samples=30,
    rebuild_events=100_000,
    small_rebuild_events=60_000,
    rebuild_rounds=3,
    query_accounts=None,
    query_rounds=3,
)
FULL = Size(
    name="full",
    seconds=0.5,
    rounds=3,
    batch=500,
    histories=(10, 1_000, 10_000),
    asset_histories=(5, 20),
    as_of_history=1_000,
    import_rounds=3,
    latency_samples=200,
    rebuild_events=1_000_000,
    small_rebuild_events=100_000,
    rebuild_rounds=1,
    # About 1.67 assets and 2.07 deals per account: over 100,000 of each.
    query_accounts=62_000,
    query_rounds=1,
)
SIZES = {size.name: size for size in (QUICK, FULL)}
