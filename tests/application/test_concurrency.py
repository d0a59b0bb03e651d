"""Concurrent writers to one aggregate: exactly one wins, the other gets a
ConcurrencyError; under sustained contention nothing is lost or duplicated.

Real threads and real processes on real databases (SQLite file, PostgreSQL).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from multiprocessing import get_context
from typing import Any
from uuid import UUID

from b2bcore import B2BCore, ConcurrencyError, FixedClock
from tests.conftest import TODAY
from tests.helpers import purchase_asset, register_account


def installed_asset(url: str) -> UUID:
    with B2BCore.open(url, clock=FixedClock(TODAY)) as core:
        asset = purchase_asset(core, register_account(core))
        core.install_asset(asset, usage_end_on=date(2025, 1, 31), on=date(2024, 2, 1))
        return asset


def save_after_both_loaded(core: B2BCore, barrier: threading.Barrier) -> None:
    """Make ``core`` wait at ``barrier`` between loading and saving, so two
    writers both load the same version before either saves."""
    save: Callable[..., Any] = core.event_log.save

    def gated_save(*aggregates: Any, **kwargs: Any) -> Any:
        barrier.wait(timeout=10)
        return save(*aggregates, **kwargs)

    core.event_log.save = gated_save  # type: ignore[method-assign]


def test_two_writers_on_one_asset_exactly_one_wins(durable_url: str) -> None:
    asset = installed_asset(durable_url)
    barrier = threading.Barrier(2)
    outcomes: dict[int, object] = {}

    def write(score: int) -> None:
        with B2BCore.open(durable_url, actor=f"writer {score}") as core:
            save_after_both_loaded(core, barrier)
            try:
                core.record_satisfaction(asset, score=score, on=date(2024, 3, 1))
                outcomes[score] = "saved"
            except ConcurrencyError as error:
                outcomes[score] = error

    threads = [threading.Thread(target=write, args=(score,)) for score in (3, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    winners = [score for score, outcome in outcomes.items() if outcome == "saved"]
    losers = [o for o in outcomes.values() if isinstance(o, ConcurrencyError)]
    assert len(winners) == 1
    assert len(losers) == 1
    assert "reload and retry" in str(losers[0])
    with B2BCore.open(durable_url) as core:
        view = core.asset(asset)
    assert [s.score for s in view.satisfaction] == winners
    assert view.version == 3


def record_scores(url: str, asset: UUID, writer: int, count: int) -> None:
    """Record ``count`` scores, retrying on conflict."""
    with B2BCore.open(url, actor=f"process {writer}") as core:
        recorded = 0
        while recorded < count:
            try:
                core.record_satisfaction(
                    asset, score=writer, comment=str(recorded), on=date(2024, 3, 1)
                )
                recorded += 1
            except ConcurrencyError:
                continue


def test_contending_processes_lose_and_duplicate_nothing(durable_url: str) -> None:
    asset = installed_asset(durable_url)
    writers, per_writer = 4, 15

    with ProcessPoolExecutor(writers, mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(record_scores, durable_url, asset, writer, per_writer)
            for writer in range(writers)
        ]
        for future in futures:
            future.result(timeout=120)

    with B2BCore.open(durable_url) as core:
        view = core.asset(asset)
        versions = [e.originator_version for e in core.event_log.events.get(asset)]
    recorded = sorted((s.score, int(s.comment)) for s in view.satisfaction)
    assert recorded == [(w, n) for w in range(writers) for n in range(per_writer)]
    assert versions == list(range(1, 3 + writers * per_writer))
