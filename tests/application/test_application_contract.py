"""The contract every store keeps (memory, SQLite, PostgreSQL): what is
recorded comes back the same, by version, by business date, after reopening
and across snapshots; duplicates and stale writes are refused."""

from __future__ import annotations

from datetime import date

import pytest

from b2bcore import (
    AlreadyExistsError,
    AssetStatus,
    B2BCore,
    ConcurrencyError,
    FixedClock,
    Grade,
    NotFoundError,
)
from b2bcore.domain.account import Account
from b2bcore.domain.aggregate import Provenance
from b2bcore.domain.ids import deterministic_id
from tests.conftest import TODAY
from tests.helpers import purchase_asset, register_account


def test_a_recorded_asset_reads_back_with_its_derived_facts(core: B2BCore) -> None:
    account = register_account(core)
    asset = purchase_asset(core, account)
    core.install_asset(asset, usage_end_on=date(2025, 1, 31), on=date(2024, 1, 20))
    for installment in core.asset(asset).installments:
        core.pay_installment(
            asset,
            number=installment.number,
            amount=installment.amount,
            on=installment.due_on,
        )

    view = core.asset(asset)

    assert view.status is AssetStatus.INSTALLED
    assert view.fully_paid
    assert view.late_payments == 0
    assert view.payment_compliance == 1.0
    assert view.days_left(date(2024, 6, 1)) == 244
    assert view.version == 6
    assert core.log_position() == 7


def test_versions_and_business_dates_give_past_states(core: B2BCore) -> None:
    account = register_account(core, on=date(2024, 1, 2))
    core.change_account_grade(account, grade=Grade.MAJOR, on=date(2024, 3, 1))
    core.change_account_grade(account, grade=Grade.STANDARD, on=date(2024, 5, 1))

    assert core.account(account, version=1).grade is Grade.KEY
    assert core.account(account, version=2).grade is Grade.MAJOR
    assert core.account(account, as_of=date(2024, 4, 30)).grade is Grade.MAJOR
    assert core.account(account, as_of=date(2024, 5, 1)).grade is Grade.STANDARD
    with pytest.raises(NotFoundError, match="as of 2024-01-01"):
        core.account(account, as_of=date(2024, 1, 1))


def test_a_long_history_reads_the_same_through_snapshots(store_url: str) -> None:
    with B2BCore.open(store_url, clock=FixedClock(TODAY), snapshot_interval=3) as core:
        account = register_account(core)
        asset = purchase_asset(core, account, installments=12)
        core.install_asset(asset, usage_end_on=None, on=date(2024, 1, 20))
        for installment in core.asset(asset).installments[:10]:
            core.pay_installment(
                asset,
                number=installment.number,
                amount=installment.amount,
                on=installment.due_on,
            )
        assert core.event_log.snapshots is not None
        snapshots = list(core.event_log.snapshots.get(asset))
        replayed = core.asset(asset, as_of=date(2030, 1, 1))

        assert [s.originator_version for s in snapshots] == [3, 6, 9, 12]
        assert core.asset(asset) == replayed
        assert len(replayed.payments) == 10


def test_an_aggregate_shorter_than_the_snapshot_interval_loads_in_one_read(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with B2BCore.open(store_url, clock=FixedClock(TODAY), snapshot_interval=5) as core:
        account = register_account(core)
        core.change_account_grade(account, grade=Grade.MAJOR, on=date(2024, 2, 1))

        def no_snapshot_read(*args: object, **kwargs: object) -> None:
            raise AssertionError("the snapshot store was read")

        monkeypatch.setattr(core.event_log.snapshots, "get", no_snapshot_read)

        assert core.account(account).grade is Grade.MAJOR
        core.change_account_grade(account, grade=Grade.STANDARD, on=date(2024, 3, 1))
        assert core.account(account).version == 3


def test_creating_an_existing_id_is_refused(core: B2BCore) -> None:
    account_id = deterministic_id("account", "ACME-001")
    register_account(core, account_id=account_id)
    position = core.log_position()

    with pytest.raises(AlreadyExistsError, match=str(account_id)):
        register_account(core, account_id=account_id, name="Other")

    assert core.log_position() == position
    assert core.account(account_id).name == "(주)효원"


def test_existing_names_the_ids_with_events_in_one_answer(core: B2BCore) -> None:
    first, second = register_account(core), register_account(core, name="Other")
    asset = purchase_asset(core, first)
    absent = [deterministic_id("account", f"absent-{n}") for n in range(1_200)]

    found = core.existing([first, *absent, asset, second, first])

    assert found == {first, second, asset}
    assert core.existing(absent) == frozenset()
    assert core.existing([]) == frozenset()


def test_a_stale_aggregate_is_refused_and_nothing_is_written(core: B2BCore) -> None:
    account = register_account(core)
    stale: Account = core.event_log.repository.get(account)
    core.change_account_grade(account, grade=Grade.MAJOR, on=date(2024, 2, 1))
    stale.change_grade(
        on=date(2024, 2, 2), grade=Grade.STANDARD, meta=Provenance("stale writer")
    )
    position = core.log_position()

    with pytest.raises(ConcurrencyError, match="reload and retry"):
        core._save(stale)

    assert core.log_position() == position
    assert core.account(account).grade is Grade.MAJOR
