"""A unit of work: the commands run inside it record in one transaction when
it ends, conditioned on the versions it expects, with what else belongs in
that transaction (an idempotency key)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from b2bcore import B2BCore, ConcurrencyError, FixedClock
from b2bcore_adapters.entrypoints.http.idempotency import (
    KeyTakenError,
    Outcome,
    idempotency_store_for,
)
from tests.conftest import TODAY
from tests.helpers import purchase_asset, register_account

MARCH = date(2024, 3, 1)


def installed(core: B2BCore) -> UUID:
    """An asset at version 2."""
    asset = purchase_asset(core, register_account(core))
    core.install_asset(asset, usage_end_on=date(2025, 1, 31), on=date(2024, 2, 1))
    return asset


def bought(url: str) -> UUID:
    with B2BCore.open(url, clock=FixedClock(TODAY)) as core:
        return installed(core)


def test_a_command_finding_another_version_than_expected_records_nothing(
    core: B2BCore,
) -> None:
    asset = installed(core)
    before = core.log_position()

    with (
        pytest.raises(ConcurrencyError, match="is at version 2, not the one"),
        core.unit_of_work({asset: {1, 3}}),
    ):
        core.record_satisfaction(asset, score=4, on=MARCH)

    assert core.log_position() == before


def test_a_save_another_writer_got_ahead_of_is_refused(durable_url: str) -> None:
    asset = bought(durable_url)
    with (
        B2BCore.open(durable_url, clock=FixedClock(TODAY)) as core,
        B2BCore.open(durable_url, clock=FixedClock(TODAY)) as other,
    ):

        def overtaken() -> None:
            with core.unit_of_work({asset: {2}}):
                core.record_satisfaction(asset, score=4, on=MARCH)
                other.record_satisfaction(asset, score=2, on=MARCH)

        with pytest.raises(ConcurrencyError, match="another writer"):
            overtaken()

        [score] = core.asset(asset).satisfaction
        assert score.score == 2


def test_the_units_hook_runs_in_the_saves_transaction(durable_url: str) -> None:
    asset = bought(durable_url)
    seen: list[tuple[int, ...]] = []

    def fail(cursor: Any, stored: Sequence[StoredEvent], at: Sequence[int]) -> None:
        seen.append(tuple(s.originator_version for s in stored))
        raise RuntimeError("undo")

    with B2BCore.open(durable_url, clock=FixedClock(TODAY)) as core:
        before = core.log_position()

        def two_scores() -> None:
            with core.unit_of_work() as unit:
                core.record_satisfaction(asset, score=4, on=MARCH)
                core.record_satisfaction(asset, score=5, on=MARCH)
                unit.then = fail

        with pytest.raises(RuntimeError):
            two_scores()

        assert seen == [(3, 4)]
        assert core.log_position() == before


def test_a_key_kept_with_the_events_is_kept_once(durable_url: str) -> None:
    asset = bought(durable_url)
    first = Outcome("f", 200, {"id": str(asset), "version": 3}, '"3"')
    with B2BCore.open(durable_url, clock=FixedClock(TODAY)) as core:
        store = idempotency_store_for(core)

        def score_keeping_k(score: int) -> None:
            with core.unit_of_work() as unit:
                core.record_satisfaction(asset, score=score, on=MARCH)
                unit.then = lambda cursor, *_: store.record_within(cursor, "k", first)

        score_keeping_k(4)
        position = core.log_position()
        with pytest.raises(KeyTakenError):
            score_keeping_k(5)

        assert store.find("k") == first
        assert core.log_position() == position
