"""The "(주)효원" key-account story, end to end, on every store and through
the demo command."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from b2bcore import AssetStatus, B2BCore, Grade, Outcome
from b2bcore_adapters.demo.book import AS_OF, record_hyowon
from b2bcore_adapters.entrypoints.cli.main import main


def test_the_key_account_pays_all_four_installments_on_time(core: B2BCore) -> None:
    account, asset, _ = record_hyowon(core)

    view = core.asset(asset)

    assert core.account(account).grade is Grade.KEY
    assert view.value.amount == Decimal(23_800_000)
    assert view.value.currency == "KRW"
    assert len(view.installments) == 4
    assert all(
        p.paid_on <= i.due_on
        for p, i in zip(view.payments, view.installments, strict=True)
    )
    assert view.fully_paid
    assert view.late_payments == 0
    assert view.payment_compliance == 1.0
    assert view.status is AssetStatus.INSTALLED
    assert view.usage_end_on == date(2025, 1, 19)
    assert view.days_left(AS_OF) == 79


def test_the_won_expansion_deal_created_its_asset(core: B2BCore) -> None:
    account, _, deal = record_hyowon(core)

    view = core.opportunity(deal)
    (new_asset,) = view.asset_ids

    assert view.outcome is Outcome.WON
    assert [stint.tier for stint in view.stints()] == [4, 3, 2, 1]
    assert core.asset(new_asset).opportunity_id == deal
    assert core.asset(new_asset).account_id == account


def test_the_demo_prints_the_story_from_a_fresh_sqlite_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "demo.db"

    assert main(["demo", "--db", f"sqlite:///{database}"]) == 0
    first = capsys.readouterr().out
    assert main(["demo", "--db", f"sqlite:///{database}"]) == 0

    assert capsys.readouterr().out == first
    assert "paid 4/4 (fully paid)" in first
    assert "late payments 0, payment compliance 100%" in first
    assert "status installed" in first
    assert f"days left until usage end as of {AS_OF}: 79" in first
