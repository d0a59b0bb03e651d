"""b2bcore's ``eventsourcing`` persistence module for SQLite: the library's
own factory case, and closing a store while threads use it: the process
never crashes (the library's pool closed connections under the threads
using them: a segmentation fault). What closing refuses on every durable
store: test_closing."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    ProcessRecorder,
    TrackingRecorder,
)
from eventsourcing.sqlite import (
    SQLiteAggregateRecorder,
    SQLiteApplicationRecorder,
    SQLiteProcessRecorder,
    SQLiteTrackingRecorder,
)
from eventsourcing.tests.persistence import InfrastructureFactoryTestCase
from eventsourcing.utils import Environment

from b2bcore import B2BCore, FixedClock
from b2bcore_adapters.persistence.backends import SQLITE, sqlite_path
from b2bcore_adapters.persistence.sqlite_datastore import SQLiteFactory
from tests.conftest import TODAY
from tests.helpers import purchase_asset, register_account

ROOT = Path(__file__).resolve().parents[2]
#: Rounds of the race each process runs, and processes: on the library's
#: pool two rounds in three crashed, every process of ten rounds.
ROUNDS = 10
PROCESSES = 3
READERS = 3


class TrackingSubclass(SQLiteTrackingRecorder):
    pass


class TestSQLiteFactory(InfrastructureFactoryTestCase[SQLiteFactory]):
    def setUp(self) -> None:
        self.directory = tempfile.TemporaryDirectory()
        self.env = Environment(
            "TestCase",
            {
                "PERSISTENCE_MODULE": SQLITE.module,
                "SQLITE_DBNAME": str(Path(self.directory.name) / "factory.db"),
            },
        )
        super().setUp()

    def tearDown(self) -> None:
        super().tearDown()
        self.directory.cleanup()

    def expected_factory_class(self) -> type[SQLiteFactory]:
        return SQLiteFactory

    def expected_aggregate_recorder_class(self) -> type[AggregateRecorder]:
        return SQLiteAggregateRecorder

    def expected_application_recorder_class(self) -> type[ApplicationRecorder]:
        return SQLiteApplicationRecorder

    def expected_tracking_recorder_class(self) -> type[TrackingRecorder]:
        return SQLiteTrackingRecorder

    def tracking_recorder_subclass(self) -> type[TrackingRecorder]:
        return TrackingSubclass

    def expected_process_recorder_class(self) -> type[ProcessRecorder]:
        return SQLiteProcessRecorder


def race(url: str, rounds: int) -> None:
    """``rounds`` rounds of ``closing_under_use`` on ``url``, printing how
    each thread's last call ended, one line each."""
    for _ in range(rounds):
        print("\n".join(closing_under_use(url)), flush=True)


def closing_under_use(url: str) -> list[str]:
    """Open ``url``, run reports on ``READERS`` threads and commands on one
    more, and close the store once each has finished a call, with their
    next ones under way; how each thread's last call ended."""
    core = B2BCore.open(url, clock=FixedClock(TODAY))
    calls: list[Callable[[], Any]] = [
        functools.partial(core.renewal_queue, within=3650),
        core.tier_matrix,
        core.accounts,
        functools.partial(register_account, core, name="written while closing"),
    ]
    busy = threading.Barrier(len(calls) + 1)
    endings: list[str] = []

    def repeat(call: Callable[[], Any]) -> None:
        call()
        busy.wait()
        try:
            while True:
                call()
        except Exception as error:  # what the test reads
            endings.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=repeat, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    busy.wait()
    core.close()
    for thread in threads:
        thread.join()
    return endings


@pytest.fixture
def stocked_url(sqlite_url: str) -> str:
    with B2BCore.open(sqlite_url, clock=FixedClock(TODAY)) as core:
        for number in range(10):
            purchase_asset(core, register_account(core, name=f"account {number}"))
    return sqlite_url


def test_closing_a_store_threads_are_using_refuses_them_and_never_crashes(
    stocked_url: str,
) -> None:
    racing = [
        subprocess.Popen(
            [
                *(sys.executable, "-X", "faulthandler", "-c"),
                "from tests.persistence.test_sqlite_datastore import race; "
                f"race({stocked_url!r}, {ROUNDS})",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for _ in range(PROCESSES)
    ]
    for process in racing:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-3000:]
        closed = (
            f"StoreClosedError: store {sqlite_path(stocked_url)}: connection: "
            "the store is closed; open it again (B2BCore.open) to use it"
        )
        assert out.splitlines() == [closed] * (ROUNDS * (READERS + 1))
