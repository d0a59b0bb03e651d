"""Durable stores keep everything across reopening, and two applications on
one database see each other's writes."""

from __future__ import annotations

from datetime import date

from b2bcore import B2BCore, FixedClock, Grade
from tests.conftest import TODAY
from tests.helpers import purchase_asset, register_account


def test_reopening_a_store_gives_back_the_same_views(durable_url: str) -> None:
    with B2BCore.open(durable_url, clock=FixedClock(TODAY)) as core:
        account = register_account(core)
        asset = purchase_asset(core, account)
        core.install_asset(asset, usage_end_on=date(2025, 1, 31), on=date(2024, 2, 1))
        before = (core.account(account), core.asset(asset), core.log_position())

    with B2BCore.open(durable_url, clock=FixedClock(TODAY)) as reopened:
        after = (
            reopened.account(account),
            reopened.asset(asset),
            reopened.log_position(),
        )

    assert after == before


def test_two_applications_on_one_database_share_one_log(durable_url: str) -> None:
    with (
        B2BCore.open(durable_url, clock=FixedClock(TODAY)) as first,
        B2BCore.open(durable_url, clock=FixedClock(TODAY)) as second,
    ):
        account = register_account(first)
        second.change_account_grade(account, grade=Grade.MAJOR, on=date(2024, 2, 1))

        assert first.account(account).grade is Grade.MAJOR
        assert first.log_position() == second.log_position() == 2
