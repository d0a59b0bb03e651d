"""Scale-out on PostgreSQL: several writer processes on one log, and one
projection runner process per projection, lose and duplicate nothing.

Correctness only; benchmarks/scale_out.py measures the throughput
(docs/deployment.md).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from itertools import pairwise
from multiprocessing import get_context
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import Notification

from b2bcore import AccountView, AssetView, B2BCore, Grade, Money
from b2bcore.domain.account import Account
from b2bcore.domain.asset import Asset
from b2bcore.domain.ids import deterministic_id
from b2bcore_adapters.persistence.backends import DELIVERY_LOG, IDEMPOTENCY_KEYS
from b2bcore_adapters.persistence.beside import store_beside
from tests.helpers import purchase_asset, register_account

ROOT = Path(__file__).parents[2]
SPAWN = get_context("spawn")
#: Accounts each writer records; each brings five commands of one event each.
ACCOUNTS_PER_WRITER = 40
PAYMENT = Money.of(1_000_000, "KRW")
WAIT_SECONDS = 60


def write_accounts(
    url: str,
    writer: int,
    start: Barrier,
    results: Queue[Any],
    halfway: Queue[Any] | None = None,
    resume: Event | None = None,
) -> None:
    """Record ``ACCOUNTS_PER_WRITER`` accounts of this writer's own, each as
    five commands: register, purchase an asset, install it, pay its first
    installment, change the account's grade. Reports the version each of
    its aggregates reached. With ``halfway``/``resume`` it reports halfway
    and waits to be resumed."""
    versions: dict[UUID, int] = {}
    with B2BCore.open(url, actor=f"writer {writer}") as core:
        start.wait(timeout=WAIT_SECONDS)
        for n in range(ACCOUNTS_PER_WRITER):
            if n == ACCOUNTS_PER_WRITER // 2 and halfway and resume:
                halfway.put(writer)
                resume.wait(timeout=WAIT_SECONDS)
            account = register_account(
                core,
                name=f"writer {writer} account {n}",
                account_id=deterministic_id("account", f"{writer}/{n}"),
            )
            asset = purchase_asset(
                core,
                account,
                value=Money.of(4_000_000, "KRW"),
                asset_id=deterministic_id("asset", f"{writer}/{n}"),
                order_reference=f"{writer}/{n}",
            )
            core.install_asset(
                asset, usage_end_on=date(2025, 1, 31), on=date(2024, 2, 1)
            )
            core.pay_installment(asset, number=1, amount=PAYMENT, on=date(2024, 2, 15))
            core.change_account_grade(account, grade=Grade.MAJOR, on=date(2024, 3, 1))
            versions[account], versions[asset] = 2, 3
    results.put((writer, versions))


class Writers:
    """``count`` writer processes that start writing together; with
    ``pause_halfway`` each waits halfway until :meth:`resume`."""

    def __init__(self, url: str, count: int, *, pause_halfway: bool = False) -> None:
        # The caller keeps every synchronisation object alive: a spawned child
        # unpickles them after start() has dropped the process's own reference.
        self._start = SPAWN.Barrier(count)
        self._results: Queue[Any] = SPAWN.Queue()
        self._halfway: Queue[Any] | None = SPAWN.Queue() if pause_halfway else None
        self._resume = SPAWN.Event() if pause_halfway else None
        self._processes = [
            SPAWN.Process(
                target=write_accounts,
                args=(url, n, self._start, self._results, self._halfway, self._resume),
                daemon=True,
            )
            for n in range(count)
        ]
        for process in self._processes:
            process.start()

    def wait_halfway(self) -> None:
        assert self._halfway is not None
        for _ in self._processes:
            self._halfway.get(timeout=WAIT_SECONDS)

    def resume(self) -> None:
        assert self._resume is not None
        self._resume.set()

    def finish(self) -> dict[int, dict[UUID, int]]:
        """Each writer's aggregates, with the version each reached."""
        recorded = dict(
            self._results.get(timeout=WAIT_SECONDS) for _ in self._processes
        )
        for process in self._processes:
            process.join(timeout=WAIT_SECONDS)
            assert process.exitcode == 0
        return recorded


def create_tables(url: str) -> None:
    """Open the store once so its tables exist before the processes start:
    processes creating them at the same moment can collide
    (docs/deployment.md)."""
    B2BCore.open(url).close()


def log_of(core: B2BCore) -> list[Notification]:
    """Every notification in the log, in order."""
    recorder = core.event_log.recorder
    notifications: list[Notification] = []
    while page := recorder.select_notifications(
        start=notifications[-1].id if notifications else 0,
        limit=1000,
        inclusive_of_start=False,
    ):
        notifications += page
    return notifications


def versions_of(recorded: dict[int, dict[UUID, int]]) -> dict[UUID, int]:
    return {k: v for versions in recorded.values() for k, v in versions.items()}


@pytest.mark.parametrize("writers", [1, 2, 4])
def test_writer_processes_on_their_own_aggregates_lose_and_duplicate_nothing(
    postgres_url: str, writers: int
) -> None:
    create_tables(postgres_url)

    recorded = Writers(postgres_url, writers).finish()

    with B2BCore.open(postgres_url) as core:
        log = log_of(core)
        head = core.log_position()
    expected = versions_of(recorded)
    events = sum(expected.values())
    assert len(expected) == 2 * ACCOUNTS_PER_WRITER * writers
    # Every event once, each aggregate's versions 1..n without a hole.
    assert len(log) == head == events
    assert Counter((n.originator_id, n.originator_version) for n in log) == {
        (aggregate, version): 1
        for aggregate, last in expected.items()
        for version in range(1, last + 1)
    }
    # Positions are unique and contiguous once every writer has committed.
    assert [n.id for n in log] == list(range(1, events + 1))
    # The writers really wrote at once: their events interleave in the log.
    writer_of: dict[UUID | str, int] = {
        a: w for w, versions in recorded.items() for a in versions
    }
    runs = 1 + sum(
        writer_of[a.originator_id] != writer_of[b.originator_id]
        for a, b in pairwise(log)
    )
    assert runs > writers or writers == 1


@contextmanager
def runner(url: str, projection: str) -> Iterator[subprocess.Popen[bytes]]:
    """A projection runner process following one projection; stopped with
    SIGTERM at the end (unless already ended)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "b2bcore_adapters.entrypoints.runner",
            "--db",
            url,
            "--projection",
            projection,
            "--page-size",
            "5",
            "--poll",
            "0.05",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        process.wait(timeout=WAIT_SECONDS)


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


def read_models(core: B2BCore) -> tuple[list[AccountView], list[AssetView]]:
    accounts = (AccountView.of(s) for s in core.projector.states(Account))
    assets = (AssetView.of(s) for s in core.projector.states(Asset))
    return (
        sorted(accounts, key=lambda v: v.id),
        sorted(assets, key=lambda v: v.id),
    )


def test_runner_processes_one_per_projection_survive_a_kill_while_writers_write(
    postgres_url: str,
) -> None:
    writers = 2
    create_tables(postgres_url)
    with B2BCore.open(postgres_url) as observer:
        store = observer.projector.store
        # The writers write their first halves while the runners start.
        writing = Writers(postgres_url, writers, pause_halfway=True)
        with (
            runner(postgres_url, "account_states") as accounts,
            runner(postgres_url, "asset_states") as first,
        ):
            writing.wait_halfway()
            wait_until(
                lambda: store.position("asset_states") > 0,
                "the asset runner commits a page",
            )
            # The second halves start; the asset runner dies mid-way.
            writing.resume()
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=WAIT_SECONDS)
            killed_at = store.position("asset_states")
            # Restarted while the writers write, it resumes where it stopped.
            with runner(postgres_url, "asset_states") as restarted:
                recorded = writing.finish()
                log = log_of(observer)
                # A projection reads every event, so once caught up it
                # stands at the log head, past the others' events too.
                caught_up = dict.fromkeys(
                    ("account_states", "asset_states"), log[-1].id
                )
                wait_until(
                    lambda: all(
                        store.position(name) == position
                        for name, position in caught_up.items()
                    ),
                    "both runners reach the log head",
                )
                assert restarted.poll() is None, "the restarted runner ended early"
            assert restarted.returncode == 0
        assert accounts.returncode == 0
        followed = read_models(observer)
        observer.projector.rebuild(list(caught_up))
        rebuilt = read_models(observer)

    assert 0 < killed_at < caught_up["asset_states"]
    expected = versions_of(recorded)
    assert len(log) == sum(expected.values())
    assert [len(models) for models in followed] == [writers * ACCOUNTS_PER_WRITER] * 2
    assert followed == rebuilt


def _link_chain(core: B2BCore) -> None:
    core.hash_chain.catch_up()


def _open_stores_beside(core: B2BCore) -> None:
    for keeps in (IDEMPOTENCY_KEYS, DELIVERY_LOG):
        store_beside(core, keeps)


def _first_use(
    url: str, use: Callable[[B2BCore], None], start: Any, failures: Any
) -> None:
    """A process that opens the store, waits for the others, then uses a
    store beside the log first (creating its tables): what each runner or
    HTTP server does on start."""
    core = B2BCore.open(url)
    start.wait()
    try:
        use(core)
        failures.put("")
    except Exception as error:  # the test reports it
        failures.put(repr(error))
    finally:
        core.close()


@pytest.mark.parametrize("use", [_link_chain, _open_stores_beside])
def test_processes_creating_tables_beside_the_log_of_a_fresh_schema_at_once_all_start(
    postgres_url: str, use: Callable[[B2BCore], None]
) -> None:
    """Runners (the hash chain) or servers (idempotency keys, delivery log)
    started together create the same tables at once: the race (a duplicate
    key in pg_type) is retried, not fatal. Without the retry, processes
    linking the chain failed on each of six fresh schemas, and 20 of 24
    opening the stores beside failed on four."""
    create_tables(postgres_url)
    context = multiprocessing.get_context("fork")
    start, failures = context.Barrier(6), context.Queue()
    processes = [
        context.Process(target=_first_use, args=(postgres_url, use, start, failures))
        for _ in range(6)
    ]
    for process in processes:
        process.start()
    found = [failures.get(timeout=WAIT_SECONDS) for _ in processes]
    for process in processes:
        process.join()

    assert [f for f in found if f] == []


def _open_at_once(url: str, start: Any, failures: Any) -> None:
    """A process that waits for the others, then opens the store first."""
    start.wait()
    try:
        B2BCore.open(url).close()
        failures.put("")
    except Exception as error:  # the test reports it
        failures.put(repr(error))


def test_processes_opening_a_fresh_schema_at_once_all_start(postgres_url: str) -> None:
    """Writers started together on a fresh schema create the log's tables
    and upgrade its read models at once: every face of the race (a duplicate
    key, a type that already exists, a deadlock between one's index and
    another's upgrade) is retried, not fatal. Before, one or more of the six
    failed in about one run in three."""
    context = multiprocessing.get_context("fork")
    start, failures = context.Barrier(6), context.Queue()
    processes = [
        context.Process(target=_open_at_once, args=(postgres_url, start, failures))
        for _ in range(6)
    ]
    for process in processes:
        process.start()
    found = [failures.get(timeout=WAIT_SECONDS) for _ in processes]
    for process in processes:
        process.join()

    assert [f for f in found if f] == []
