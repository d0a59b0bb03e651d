"""The contract of the read-model store port, kept by every store (memory,
SQLite, PostgreSQL): rows and positions are committed together or not at
all, and positions only move forward."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest

from b2bcore import B2BCore
from b2bcore.readmodels.projection import VERSION_MARK
from b2bcore.readmodels.readmodel import (
    Batch,
    PositionConflictError,
    ReadModelStore,
    Row,
)

#: The most a step of the concurrent upgrade test waits.
WAIT_SECONDS = 30


@pytest.fixture
def store(store_url: str) -> Iterator[ReadModelStore]:
    with B2BCore.open(store_url) as core:
        yield core.projector.store


def row(data: bytes, kind: str = "asset", account_id: UUID | None = None) -> Row:
    return Row(kind=kind, account_id=account_id, data=data)


def test_a_new_projection_is_at_position_zero_with_no_rows(
    store: ReadModelStore,
) -> None:
    assert store.position("assets") == 0
    assert store.rows("assets", [uuid4()]) == {}
    assert list(store.scan("assets", kind="asset")) == []


def test_committed_rows_and_position_read_back(store: ReadModelStore) -> None:
    first, second = uuid4(), uuid4()

    store.commit([Batch("assets", {first: row(b"1"), second: row(b"2")}, 7)])

    assert store.position("assets") == 7
    assert store.rows("assets", [first, second, uuid4()]) == {
        first: b"1",
        second: b"2",
    }


def test_a_later_commit_replaces_a_row(store: ReadModelStore) -> None:
    key = uuid4()
    store.commit([Batch("assets", {key: row(b"old")}, 1)])

    store.commit([Batch("assets", {key: row(b"new")}, 2)])

    assert store.rows("assets", [key]) == {key: b"new"}
    assert list(store.scan("assets", kind="asset")) == [b"new"]


def test_scan_filters_by_kind_and_account(store: ReadModelStore) -> None:
    account, other = uuid4(), uuid4()
    store.commit(
        [
            Batch(
                "states",
                {
                    uuid4(): row(b"a1", account_id=account),
                    uuid4(): row(b"a2", account_id=other),
                    uuid4(): row(b"d1", kind="opportunity", account_id=account),
                },
                3,
            )
        ]
    )

    assert sorted(store.scan("states", kind="asset")) == [b"a1", b"a2"]
    assert list(store.scan("states", kind="asset", account_id=account)) == [b"a1"]
    assert list(store.scan("states", kind="opportunity")) == [b"d1"]


def test_a_position_that_does_not_advance_is_refused_and_writes_nothing(
    store: ReadModelStore,
) -> None:
    key = uuid4()
    store.commit([Batch("assets", {key: row(b"kept")}, 5)])

    with pytest.raises(PositionConflictError):
        store.commit([Batch("assets", {key: row(b"lost"), uuid4(): row(b"x")}, 5)])

    assert store.position("assets") == 5
    assert list(store.scan("assets", kind="asset")) == [b"kept"]


def test_batches_commit_all_or_nothing(store: ReadModelStore) -> None:
    store.commit([Batch("deals", {}, 9)])

    with pytest.raises(PositionConflictError):
        store.commit(
            [
                Batch("assets", {uuid4(): row(b"a")}, 10),
                Batch("deals", {uuid4(): row(b"d", kind="opportunity")}, 8),
            ]
        )

    assert store.position("assets") == 0
    assert list(store.scan("assets", kind="asset")) == []
    assert store.position("deals") == 9


def test_projections_keep_separate_rows_and_positions(store: ReadModelStore) -> None:
    key = uuid4()
    store.commit([Batch("assets", {key: row(b"a")}, 4), Batch("leads", {}, 2)])

    assert store.position("assets") == 4
    assert store.position("leads") == 2
    assert store.rows("leads", [key]) == {}


def test_reset_drops_one_projections_rows_and_position(store: ReadModelStore) -> None:
    key = uuid4()
    store.commit(
        [Batch("assets", {key: row(b"a")}, 4), Batch("leads", {key: row(b"l")}, 2)]
    )

    store.reset("assets")

    assert store.position("assets") == 0
    assert store.rows("assets", [key]) == {}
    assert store.rows("leads", [key]) == {key: b"l"}
    store.commit([Batch("assets", {key: row(b"again")}, 1)])
    assert store.rows("assets", [key]) == {key: b"again"}


def test_many_keys_are_read_in_one_call(store: ReadModelStore) -> None:
    keys = [uuid4() for _ in range(1200)]
    store.commit([Batch("assets", {k: row(k.bytes) for k in keys}, 1)])

    found = store.rows("assets", keys)

    assert found == {k: k.bytes for k in keys}


def test_positions_reads_every_projections_position_at_once(
    store: ReadModelStore,
) -> None:
    store.commit([Batch("assets", {}, 7), Batch("deals", {}, 3)])
    store.commit([Batch("assets", {}, 9)])

    at = store.positions()

    assert (at["assets"], at["deals"]) == (9, 3)
    assert "leads" not in at


# -- reshaping: an upgrade's drops and resets, whole and one at a time ---------


def test_what_a_reshaping_block_does_is_read_back_after_it(
    store: ReadModelStore,
) -> None:
    key = uuid4()
    store.commit([Batch("assets", {key: row(b"old")}, 3)])

    with store.reshaping() as reshaping:
        reshaping.reset("assets")
        reshaping.commit([Batch("mark", {}, 2)])
        assert reshaping.position("assets") == 0

    assert (store.position("assets"), store.position("mark")) == (0, 2)
    assert store.rows("assets", [key]) == {}


def test_a_reshaping_block_that_fails_changes_nothing(durable_url: str) -> None:
    with B2BCore.open(durable_url) as core:
        store, key = core.projector.store, uuid4()
        store.commit([Batch("assets", {key: row(b"kept")}, 3)])

        def failing_half_way() -> None:
            with store.reshaping() as reshaping:
                reshaping.reset("assets")
                raise RuntimeError("the upgrade failed half-way")

        with pytest.raises(RuntimeError):
            failing_half_way()

        assert store.position("assets") == 3
        assert store.rows("assets", [key]) == {key: b"kept"}


def test_of_two_cores_upgrading_one_store_at_once_one_upgrades(
    durable_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second waits for the first's transaction, then finds the read
    models current: it never resets what the first is rebuilding (before,
    both read the old mark and both reset)."""
    with B2BCore.open(durable_url) as first, B2BCore.open(durable_url) as second:
        first.projector.store.reset(VERSION_MARK)  # as an older b2bcore left it
        inside, go_on, waiting = (threading.Event() for _ in range(3))
        kind: Any = type(first.projector.store)
        recreate = kind.recreate_in

        def pausing(store: Any, cursor: Any, tables: Any) -> None:
            if threading.current_thread().name == "first":
                inside.set()
                go_on.wait(WAIT_SECONDS)
            recreate(store, cursor, tables)

        monkeypatch.setattr(kind, "recreate_in", pausing)
        reshaping = second.projector.store.reshaping

        def entering() -> Any:
            waiting.set()  # past its own look at the mark
            return reshaping()

        monkeypatch.setattr(second.projector.store, "reshaping", entering)
        upgraded: dict[str, bool | Exception] = {}

        def upgrade(core: B2BCore) -> None:
            name = threading.current_thread().name
            try:
                upgraded[name] = core.projector.upgrade()
            except Exception as error:  # shown by the assertion below
                upgraded[name] = error

        threads = [
            threading.Thread(name=name, target=upgrade, args=(core,))
            for name, core in (("first", first), ("second", second))
        ]
        threads[0].start()
        assert inside.wait(WAIT_SECONDS)
        threads[1].start()
        assert waiting.wait(WAIT_SECONDS)
        go_on.set()
        for thread in threads:
            thread.join(WAIT_SECONDS)

        assert upgraded == {"first": True, "second": False}
