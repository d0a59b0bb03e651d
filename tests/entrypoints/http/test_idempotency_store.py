"""The contract of the idempotency-key store, kept beside every store
(memory, SQLite, PostgreSQL): the first outcome under a key wins and reads
back whole; on a database, a key recorded within a save's transaction
commits with the save's events or not at all (``memory://`` has no
transaction: the HTTP API records its keys after the events)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from b2bcore import B2BCore, BusinessLine, ContactChannel, FixedClock, Grade
from b2bcore_adapters.entrypoints.http.idempotency import (
    IdempotencyStore,
    KeyTakenError,
    Outcome,
    idempotency_store_for,
)

FIRST = Outcome("sha-1", 201, {"id": "a", "version": 1, "money": [1, "KRW"]}, '"1"')
SECOND = Outcome("sha-2", 200, {"id": "b"}, None)


def open_with_store(url: str) -> Iterator[tuple[B2BCore, IdempotencyStore]]:
    with B2BCore.open(url, clock=FixedClock(date(2024, 1, 2))) as core:
        yield core, idempotency_store_for(core)


@pytest.fixture
def opened(store_url: str) -> Iterator[tuple[B2BCore, IdempotencyStore]]:
    yield from open_with_store(store_url)


@pytest.fixture
def durable(durable_url: str) -> Iterator[tuple[B2BCore, IdempotencyStore]]:
    yield from open_with_store(durable_url)


def register(core: B2BCore, name: str) -> None:
    core.register_account(
        name=name,
        grade=Grade.KEY,
        sector="logistics",
        region="Seoul",
        country="KR",
        business_line=BusinessLine.DOMESTIC,
        preferred_channel=ContactChannel.EMAIL,
    )


def test_a_key_never_used_has_no_outcome(
    opened: tuple[B2BCore, IdempotencyStore],
) -> None:
    _, store = opened
    assert store.find("never") is None


def test_the_first_outcome_under_a_key_wins_and_reads_back_whole(
    opened: tuple[B2BCore, IdempotencyStore],
) -> None:
    _, store = opened
    store.record("k", FIRST)
    store.record("k", SECOND)

    assert store.find("k") == FIRST


def save_keeping(
    core: B2BCore, store: IdempotencyStore, name: str, outcome: Outcome
) -> None:
    """Register account ``name`` keeping ``outcome`` under "k" in the save's
    transaction."""

    def keep(cursor: Any, *_: object) -> None:
        store.record_within(cursor, "k", outcome)

    with core.unit_of_work() as unit:
        register(core, name)
        unit.then = keep


def test_a_key_recorded_within_a_save_commits_with_its_events(
    durable: tuple[B2BCore, IdempotencyStore],
) -> None:
    core, store = durable
    save_keeping(core, store, "(주)효원", FIRST)

    assert store.find("k") == FIRST
    assert [a.name for a in core.accounts()] == ["(주)효원"]


def test_a_key_taken_refuses_the_save_and_its_events(
    durable: tuple[B2BCore, IdempotencyStore],
) -> None:
    core, store = durable
    store.record("k", FIRST)
    before = core.log_position()

    with pytest.raises(KeyTakenError):
        save_keeping(core, store, "Beta", SECOND)

    assert store.find("k") == FIRST
    assert core.log_position() == before
