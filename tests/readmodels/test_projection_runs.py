"""How projections run: a runner process killed mid-way loses nothing and
counts nothing twice; a poison event stops its projection at that event;
followers keep each projection current at its own position."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from b2bcore import B2BCore, Consistency, FixedClock, Grade
from b2bcore.application.tenants import Tenants
from b2bcore.domain.account import Account
from b2bcore.domain.asset import Asset
from b2bcore.domain.errors import ProjectionError
from b2bcore.domain.views import AssetView
from b2bcore.readmodels.facts.tables import TABLES
from b2bcore.readmodels.projection import StateProjection
from b2bcore.readmodels.readmodel import PositionConflictError
from b2bcore_adapters.persistence.fact_sql import SQLReportQueries
from tests.helpers import bulk_history, register_account

ROOT = Path(__file__).parents[2]


def asset_views(core: B2BCore) -> list[AssetView]:
    return sorted(
        (AssetView.of(s) for s in core.projector.states(Asset)), key=lambda v: v.id
    )


def report_rows(core: B2BCore) -> dict[str, list[tuple[Any, ...]]]:
    """Every version of every row of the report tables."""
    store = core.projector.store
    assert isinstance(store, SQLReportQueries)
    return {
        table.name: sorted(
            tuple(row)
            for row in store.select(
                store.facts.statement(f"SELECT * FROM {{{table.name}}}"), {}
            )
        )
        for table in TABLES
    }


def test_a_runner_killed_mid_way_resumes_to_a_fresh_rebuild(durable_url: str) -> None:
    with B2BCore.open(durable_url) as core:
        head = bulk_history(core, accounts=600)
    runner = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "b2bcore_adapters.entrypoints.runner",
            "--db",
            durable_url,
            "--page-size",
            "7",
            "--poll",
            "0.05",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        with B2BCore.open(durable_url) as observer:
            deadline = time.monotonic() + 60
            while observer.projector.store.position("asset_states") < head // 4:
                assert runner.poll() is None, "the runner ended before it was killed"
                assert time.monotonic() < deadline
                time.sleep(0.01)
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait(timeout=10)

    with B2BCore.open(durable_url) as core:
        killed_at = core.projector.store.position("asset_states")
        core.projector.catch_up()
        resumed = asset_views(core), report_rows(core)
        core.projector.rebuild()
        rebuilt = asset_views(core), report_rows(core)

    assert 0 < killed_at < head
    assert len(resumed[0]) == 600
    assert len(resumed[1]["b2bcore_fact_payments"]) > 600
    assert resumed == rebuilt


def test_a_poison_event_stops_its_projection_at_that_event(core: B2BCore) -> None:
    account = register_account(core, on=date(2024, 1, 2))
    core.change_account_grade(account, grade=Grade.MAJOR, on=date(2024, 2, 1))
    core.change_account_grade(account, grade=Grade.STANDARD, on=date(2024, 3, 1))
    projection = core.projector.projections["account_states"]
    healthy = StateProjection.apply

    def poisoned(self: StateProjection, state: Any, event: Any) -> Any:
        if event.originator_version == 2:
            raise RuntimeError("cannot apply this one")
        return healthy(self, state, event)

    projection.apply = poisoned.__get__(projection)  # type: ignore[method-assign]
    with pytest.raises(ProjectionError) as stopped:
        core.projector.rebuild(["account_states"])

    assert stopped.value.position == 2
    assert stopped.value.topic == "b2bcore:account:GradeChanged"
    assert stopped.value.aggregate_id == account
    assert "cannot apply this one" in str(stopped.value)
    assert core.projector.store.position("account_states") == 1

    projection.apply = healthy.__get__(projection)  # type: ignore[method-assign]
    core.projector.catch_up()
    assert core.projector.store.position("account_states") == 3
    (state,) = core.projector.states(Account)
    assert state.grade is Grade.STANDARD


def test_followers_keep_every_projection_current(store_url: str) -> None:
    with B2BCore.open(
        store_url,
        clock=FixedClock(date(2024, 6, 1)),
        consistency=Consistency.AVAILABLE,  # saves only record: followers apply
    ) as core:
        stop = threading.Event()
        threads = core.projector.follow_in_threads(stop, poll_seconds=0.01)
        try:
            account = register_account(core)
            deadline = time.monotonic() + 10
            while min(s.position for s in core.projector.status()) < 1:
                assert time.monotonic() < deadline
                time.sleep(0.01)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=5)

        (state,) = core.projector.states(Account)
        assert state.id == account
        # Every projection reads every event, so each stands at the head.
        assert {s.position for s in core.projector.status()} == {1}


def test_a_runner_whose_projection_stops_exits_1(sqlite_url: str) -> None:
    with B2BCore.open(sqlite_url) as core:
        register_account(core)
        core.event_log.recorder.insert_events(
            [
                StoredEvent(
                    originator_id=UUID(int=1),
                    originator_version=1,
                    topic="b2bcore:account:Registered",
                    state=b"not the JSON of any event",
                )
            ]
        )
    runner = subprocess.run(
        [
            sys.executable,
            "-m",
            "b2bcore_adapters.entrypoints.runner",
            "--db",
            sqlite_url,
            "--projection",
            "account_states",
            "--poll",
            "0.05",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )

    assert runner.returncode == 1
    assert "projection 'account_states' stopped at log position 2" in runner.stderr
    assert "Traceback" not in runner.stderr
    assert 'pass over this event with `b2b projections skip 2 --reason "…"`' in (
        runner.stderr
    )


def test_a_runner_links_new_events_into_the_hash_chain(durable_url: str) -> None:
    with B2BCore.open(durable_url) as core:
        head = bulk_history(core, accounts=20)
    runner = subprocess.Popen(
        [
            *(sys.executable, "-m", "b2bcore_adapters.entrypoints.runner"),
            *("--db", durable_url, "--poll", "0.05"),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        with B2BCore.open(durable_url) as observer:
            deadline = time.monotonic() + 60
            while (link := observer.hash_chain.store.head()) is None or (
                link.position < head
            ):
                assert runner.poll() is None, "the runner ended"
                assert time.monotonic() < deadline
                time.sleep(0.01)
            register_account(observer, name="recorded while the runner runs")
            grown = observer.log_position()
            while (link := observer.hash_chain.store.head()) is None or (
                link.position < grown
            ):
                assert time.monotonic() < deadline
                time.sleep(0.01)
            status = observer.verify_log()
    finally:
        runner.send_signal(signal.SIGTERM)
        runner.wait(timeout=10)

    assert runner.returncode == 0
    assert (status.ok, status.count) == (True, grown)


def test_a_catch_up_that_another_overtook_goes_on_to_the_head(store_url: str) -> None:
    """Another catch-up (a thread's, after its own save) commits the first
    events while this one reads them, and one more event is recorded: this
    one's page clashes with the rows committed, so it reads the positions
    again and applies the rest. Before, it gave up, and the last event
    waited for the next save (the memory store let the clash escape as a
    raw IntegrityError)."""
    with B2BCore.open(store_url, consistency=Consistency.AVAILABLE) as core:
        bulk_history(core, 5)  # recorded, not projected
        recorder: Any = core.event_log.recorder
        select = recorder.select_notifications
        overtaken: list[bool] = []

        def overtaking(*args: Any, **kwargs: Any) -> Any:
            if not overtaken:
                overtaken.append(True)
                core.projector.catch_up()
                register_account(core, name="recorded meanwhile")
            return select(*args, **kwargs)

        recorder.select_notifications = overtaking
        core.projector.catch_up()

        assert overtaken
        assert core.read_status().behind == 0
        assert "recorded meanwhile" in {a.name for a in core.accounts()}


def test_a_clash_while_no_position_moved_is_not_retried(memory_core: B2BCore) -> None:
    """A conflict no other catch-up explains (an integrity error of the
    store's own) ends the catch-up at once, its positions kept, rather than
    re-applying the log ten times."""
    core = memory_core
    bulk_history(core, 2)
    store: Any = core.projector.store
    commits: list[int] = []

    def clashing(batches: Any) -> None:
        commits.append(len(batches))
        raise PositionConflictError("a fact row the store already holds")

    store.commit = clashing

    assert core.projector.catch_up() == 0
    assert len(commits) == 1
    assert core.read_status().behind > 0


@pytest.mark.parametrize("change", ["move", "remove"])
def test_a_tenant_s_runner_ends_when_its_tenant_moves_or_goes(
    durable_url: str, move_target: str, change: str
) -> None:
    """It ended with the erased store's error ("no such table", a thread's
    traceback), which said nothing of the move."""
    with Tenants.open(durable_url) as tenants:
        tenants.create("acme")
    runner = subprocess.Popen(
        [
            *(sys.executable, "-m", "b2bcore_adapters.entrypoints.runner"),
            *("--db", durable_url, "--tenant", "acme", "--poll", "0.05"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert runner.stdout is not None
        assert runner.stdout.readline().startswith("following")
        with Tenants.open(durable_url) as other:
            if change == "move":
                other.move("acme", to=move_target)
            else:
                other.remove("acme", reason="contract over")
        _, err = runner.communicate(timeout=60)
    finally:
        runner.kill()

    assert runner.returncode == 1
    assert err == (
        "error: tenant acme moved or was removed: start the runner again to follow it\n"
    )
