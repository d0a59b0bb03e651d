"""A unit of work: the commands run inside it record in one transaction when
it ends, conditioned on the versions it expects, with what else belongs in
that transaction (an idempotency key)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from b2bcore import (
    AlreadyExistsError,
    B2BCore,
    BusinessRuleError,
    ConcurrencyError,
    FixedClock,
    NotFoundError,
)
from b2bcore.domain.account import Account
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.asset import Asset
from b2bcore.domain.feedback import Feedback
from b2bcore.domain.lead import Lead
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.sales_rep import SalesRep
from b2bcore_adapters.demo.generator import generate
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


# -- scopes and the existence cache: how an importer records a batch ---------


def test_a_command_naming_an_aggregate_known_to_exist_does_not_load_it(
    core: B2BCore, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = register_account(core)
    loaded: list[UUID] = []
    latest = core.event_log.latest

    def loading(aggregate_id: UUID) -> Any:
        loaded.append(aggregate_id)
        return latest(aggregate_id)

    monkeypatch.setattr(core.event_log, "latest", loading)

    with core.unit_of_work(existing=core.existing([account])):
        assets = [purchase_asset(core, account) for _ in range(3)]

    assert loaded == []
    assert core.asset(assets[2]).account_id == account


def test_a_command_naming_an_aggregate_not_known_to_exist_still_checks_it(
    core: B2BCore,
) -> None:
    before = core.log_position()

    with pytest.raises(NotFoundError, match="account"), core.unit_of_work():
        purchase_asset(core, uuid4())

    assert core.log_position() == before


def test_a_failing_scope_leaves_nothing_of_itself_and_the_others_are_recorded(
    core: B2BCore,
) -> None:
    account = register_account(core)
    asset = installed(core)
    failed = uuid4()

    def refused() -> None:
        """A new asset, and a change to one the unit holds, then a refusal."""
        with core.unit_of_work():
            purchase_asset(core, account, asset_id=failed)
            core.record_satisfaction(asset, score=9, on=MARCH)
            core.install_asset(asset, usage_end_on=None, on=MARCH)

    with core.unit_of_work(existing=[account]) as unit:
        with core.unit_of_work():
            core.record_satisfaction(asset, score=4, on=MARCH)
        with pytest.raises(BusinessRuleError):
            refused()
        with core.unit_of_work():
            core.record_satisfaction(asset, score=5, on=MARCH)

        assert unit.find(failed) is None
        assert unit.version(asset) == 4

    assert not core.exists(failed)
    assert [s.score for s in core.asset(asset).satisfaction] == [4, 5]


def test_a_scope_finds_what_the_unit_made_before_it(core: B2BCore) -> None:
    with core.unit_of_work():
        with core.unit_of_work():
            account = register_account(core)
        with core.unit_of_work():
            asset = purchase_asset(core, account)
        with core.unit_of_work():
            core.install_asset(asset, usage_end_on=None, on=MARCH)

    assert core.asset(asset).installed_on == MARCH


def test_a_scope_expecting_a_version_is_refused_at_another_the_unit_left(
    core: B2BCore,
) -> None:
    asset = installed(core)
    before = core.log_position()

    def nested() -> None:
        with core.unit_of_work():
            core.record_satisfaction(asset, score=4, on=MARCH)  # now at 3
            with core.unit_of_work({asset: {2}}):
                core.record_satisfaction(asset, score=5, on=MARCH)

    with pytest.raises(ConcurrencyError, match="is at version 3, not the one"):
        nested()

    assert core.log_position() == before


def test_a_scope_at_the_version_it_expects_joins_the_unit(core: B2BCore) -> None:
    asset = installed(core)

    with core.unit_of_work():
        core.record_satisfaction(asset, score=4, on=MARCH)
        with core.unit_of_work({asset: {3}}):
            core.record_satisfaction(asset, score=5, on=MARCH)

    assert [s.score for s in core.asset(asset).satisfaction] == [4, 5]


def test_a_scopes_hook_runs_in_the_units_transaction(durable_url: str) -> None:
    asset = bought(durable_url)
    seen: list[str] = []

    def hook(name: str) -> Any:
        def run(cursor: Any, stored: Sequence[StoredEvent], at: Sequence[int]) -> None:
            seen.append(f"{name}: {len(stored)} events")

        return run

    with (
        B2BCore.open(durable_url, clock=FixedClock(TODAY)) as core,
        core.unit_of_work() as unit,
    ):
        unit.then = hook("unit")
        core.record_satisfaction(asset, score=4, on=MARCH)
        with core.unit_of_work() as scope:
            scope.then = hook("scope")
            core.record_satisfaction(asset, score=5, on=MARCH)

    assert seen == ["unit: 2 events", "scope: 2 events"]


def test_an_aggregate_made_twice_in_a_unit_is_refused(core: B2BCore) -> None:
    account = uuid4()
    before = core.log_position()

    def twice() -> None:
        with core.unit_of_work():
            register_account(core, account_id=account)
            register_account(core, name="Other", account_id=account)

    with pytest.raises(AlreadyExistsError):
        twice()

    assert core.log_position() == before


def test_every_aggregate_is_immutable_values_and_lists_of_them(
    memory_core: B2BCore,
) -> None:
    # What a scope's copy relies on: copying the lists leaves nothing shared
    # that a change could reach (b2bcore.application.unit_of_work._copy).
    generate(memory_core, accounts=12)
    recorder = memory_core.event_log.recorder
    kinds: set[type[DomainAggregate]] = set()
    for notification in recorder.select_notifications(start=1, limit=100_000):
        assert isinstance(notification.originator_id, UUID)
        aggregate = memory_core.event_log.latest(notification.originator_id)
        kinds.add(type(aggregate))
        for name, value in vars(aggregate).items():
            for item in value if isinstance(value, list) else [value]:
                assert hash(item) is not None, (type(aggregate).__name__, name)

    assert {Account, Asset, Opportunity, Lead, Feedback, SalesRep} <= kinds
