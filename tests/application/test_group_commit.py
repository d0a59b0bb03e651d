"""Group commit: the saves that threads make at once are recorded in one
transaction, each command keeping its own outcome — a clash is the one
command's ConcurrencyError, the others stand — on every store."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import ProcessingEvent

from b2bcore import B2BCore, ConcurrencyError, FixedClock, Grade
from b2bcore.application.group_commit import GroupCommit
from tests.helpers import register_account

THREADS = 12


@pytest.fixture
def grouped(store_url: str) -> Iterator[B2BCore]:
    with B2BCore.open(
        store_url, clock=FixedClock(date(2024, 6, 1)), group_commit=True
    ) as core:
        yield core


def slowed(core: B2BCore) -> GroupCommit:
    """The core's group commit, its transactions made slow enough that the
    threads' saves queue behind each other."""
    group = core.event_log.group
    assert group is not None
    record = group._record

    def slow(processing: ProcessingEvent[UUID]) -> Any:
        time.sleep(0.05)
        return record(processing)

    group._record = slow
    return group


def at_once(work: Callable[[int], object], threads: int = THREADS) -> list[object]:
    """``work(n)`` in ``threads`` threads started together; each one's
    result or error."""
    start = threading.Barrier(threads)
    results: list[object] = [None] * threads

    def run(n: int) -> None:
        start.wait()
        try:
            results[n] = work(n)
        except Exception as error:
            results[n] = error

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def test_saves_made_at_once_share_transactions_and_each_gets_its_id(
    grouped: B2BCore,
) -> None:
    group = slowed(grouped)

    made = at_once(lambda n: register_account(grouped, name=f"account {n}"))

    assert all(isinstance(m, UUID) for m in made)
    assert sorted(a.id for a in grouped.accounts()) == sorted(made)  # type: ignore[type-var]
    assert sum(group.sizes) == THREADS
    assert max(group.sizes) > 1
    assert len(group.sizes) < THREADS
    positions = [n.id for n in grouped.event_log.recorder.select_notifications(1, 1000)]
    assert positions == sorted(positions)
    assert grouped.verify_log(deep=True).ok


def test_a_clash_in_a_group_is_that_commands_error_alone(grouped: B2BCore) -> None:
    group = slowed(grouped)
    shared = register_account(grouped, name="shared")
    own = [register_account(grouped, name=f"a{n}") for n in range(THREADS)]

    def change(n: int) -> object:
        # Odd threads change one account, loaded at the same version: one
        # of each group wins; even threads change accounts of their own.
        target = shared if n % 2 else own[n]
        grade = Grade.MAJOR if n % 4 == 1 else Grade.STANDARD
        return grouped.change_account_grade(target, grade=grade)

    results = at_once(change)

    clashes = [r for r in results[1::2] if isinstance(r, ConcurrencyError)]
    assert all(r is None for r in results[0::2])
    assert all(r is None or isinstance(r, ConcurrencyError) for r in results)
    assert 1 <= len(clashes) < THREADS // 2
    assert all(grouped.account(own[n]).version == 2 for n in range(0, THREADS, 2))
    applied = THREADS // 2 - len(clashes)
    assert grouped.account(shared).version == 1 + applied
    assert max(group.sizes) > 1
    assert grouped.verify_log(deep=True).ok  # read models equal a rebuild


def test_a_group_moves_the_read_models_once_inside_its_transaction(
    durable_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under LOG_HEAD the read rows of a whole group commit with its events,
    projected once for the group, not once per save."""
    with B2BCore.open(durable_url, group_commit=True) as core:
        group = slowed(core)
        applied: list[int] = []
        apply_saved = core.projector.apply_saved

        def counted(recordings: Any, store: Any = None) -> bool:
            applied.append(len(recordings))
            return apply_saved(recordings, store)

        monkeypatch.setattr(core.projector, "apply_saved", counted)

        made = at_once(lambda n: register_account(core, name=f"account {n}"))

        assert len(applied) == len(group.sizes) < THREADS
        assert sorted(applied) == sorted(group.sizes)
        assert core.read_status().behind == 0
        assert {a.id for a in core.accounts()} == set(made)
        assert core.verify_log(deep=True).ok


class Interrupted(BaseException):
    """Like KeyboardInterrupt: not an Exception."""


def test_an_interrupted_group_fails_its_commands_instead_of_hanging(
    grouped: B2BCore,
) -> None:
    group = slowed(grouped)
    record = group._record
    calls: list[int] = []

    def interrupted(processing: ProcessingEvent[UUID]) -> Any:
        calls.append(len(processing.events))
        if len(calls) == 2:  # the second transaction: a group of several
            raise Interrupted
        return record(processing)

    group._record = interrupted
    outcomes: list[object] = []

    def run(n: int) -> None:
        try:
            outcomes.append(register_account(grouped, name=f"account {n}"))
        except Interrupted as error:
            outcomes.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads)
    assert len(outcomes) == 6
    assert any(isinstance(o, Interrupted) for o in outcomes)
    made = [o for o in outcomes if isinstance(o, UUID)]
    assert sorted(a.id for a in grouped.accounts()) == sorted(made)
    assert register_account(grouped, name="after") in {a.id for a in grouped.accounts()}
