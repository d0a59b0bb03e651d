"""``AsyncB2BCore``: every method awaited on a bounded thread pool, the event
loop free meanwhile; commands one at a time, queries at once."""

from __future__ import annotations

import asyncio
import gc
import inspect
import threading
from datetime import date

import pytest

from b2bcore import (
    AsyncB2BCore,
    B2BCore,
    ConfigurationError,
    FixedClock,
    NotFoundError,
    UsagePattern,
)
from b2bcore.application.queries import QUERIES
from tests.helpers import purchase_asset, register_account

TODAY = date(2024, 11, 1)


def test_every_query_named_is_a_method_of_b2bcore() -> None:
    methods = {n for n, _ in inspect.getmembers(B2BCore, inspect.isfunction)}

    assert methods >= set(QUERIES)


def test_two_hundred_tasks_record_and_read_what_one_would(durable_url: str) -> None:
    """Concurrent commands on one asset (one at a time, so none conflicts)
    and concurrent reads of it."""

    async def scenario() -> tuple[int, list[int]]:
        async with await AsyncB2BCore.open(
            durable_url, clock=FixedClock(TODAY), max_workers=4
        ) as core:
            account = await core.run(register_account, core.core)
            asset = await core.run(purchase_asset, core.core, account)
            await core.install_asset(
                asset, usage_end_on=date(2025, 1, 1), on=date(2024, 1, 20)
            )
            months = [date(2022 + m // 12, m % 12 + 1, 1) for m in range(100)]
            usage = [
                core.record_usage(
                    asset,
                    period=month,
                    count=1,
                    distance_km=10,
                    region="Seoul",
                    pattern=UsagePattern.BUSINESS,
                    on=date(2024, 2, 1),
                )
                for month in months
            ]
            reads = [core.asset(asset) for _ in range(100)]
            done = await asyncio.gather(*usage, *reads)
            views = done[len(usage) :]
            final = await core.asset(asset)
            return len(final.usage), [len(v.usage) for v in views]

    recorded, seen = asyncio.run(scenario())

    assert recorded == 100
    assert all(0 <= n <= 100 for n in seen)


def test_the_loop_runs_while_a_call_blocks() -> None:
    async def scenario() -> int:
        core = AsyncB2BCore(B2BCore.open("memory://"), max_workers=2)
        released = threading.Event()
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while not released.is_set():
                ticks += 1
                await asyncio.sleep(0)

        ticking = asyncio.create_task(tick())
        blocked = asyncio.ensure_future(core.run(released.wait))
        while ticks < 100:
            await asyncio.sleep(0)
        released.set()
        await asyncio.gather(blocked, ticking)
        await core.close()
        return ticks

    assert asyncio.run(scenario()) >= 100


def test_a_refusal_is_raised_where_the_call_is_awaited() -> None:
    async def scenario() -> None:
        async with AsyncB2BCore(B2BCore.open("memory://")) as core:
            missing = register_account(core.core)
            await core.account(missing)
            with pytest.raises(NotFoundError):
                await core.asset(missing)

    asyncio.run(scenario())


def test_a_pool_needs_a_thread_and_private_names_stay_private() -> None:
    core = B2BCore.open("memory://")
    with pytest.raises(ConfigurationError, match="max_workers"):
        AsyncB2BCore(core, max_workers=0)
    with pytest.raises(AttributeError):
        _ = AsyncB2BCore(core)._save
    core.close()


@pytest.mark.parametrize("freeze", [True, False])
def test_opening_freezes_the_startup_objects_unless_told(freeze: bool) -> None:
    """The collector's full passes skip what was alive at open (the loop's
    longest stalls were such passes, docs/asyncio.md)."""

    async def scenario() -> int:
        gc.unfreeze()
        async with await AsyncB2BCore.open("memory://", freeze_startup=freeze):
            return gc.get_freeze_count()

    try:
        frozen = asyncio.run(scenario())
    finally:
        gc.unfreeze()

    assert (frozen > 0) is freeze
