"""asof.usage_ends: the usage ends an asset had by a date, renewals included."""

from __future__ import annotations

from datetime import date

from b2bcore import B2BCore
from b2bcore.reports import asof
from tests.helpers import purchase_asset, register_account
from tests.reports.installed_base import installed_asset


def test_a_purchased_asset_has_no_usage_end(memory_core: B2BCore) -> None:
    asset_id = purchase_asset(memory_core, register_account(memory_core))

    assert asof.usage_ends(memory_core.asset(asset_id), date(2024, 6, 1)) == ()


def test_an_open_ended_asset_has_no_usage_end(memory_core: B2BCore) -> None:
    asset_id = installed_asset(
        memory_core,
        register_account(memory_core),
        installed_on=date(2024, 1, 15),
        usage_end_on=None,
    )

    assert asof.usage_ends(memory_core.asset(asset_id), date(2024, 6, 1)) == ()


def test_before_the_install_there_is_no_usage_end(memory_core: B2BCore) -> None:
    asset_id = installed_asset(
        memory_core,
        register_account(memory_core),
        installed_on=date(2024, 1, 15),
        usage_end_on=date(2024, 12, 31),
    )

    assert asof.usage_ends(memory_core.asset(asset_id), date(2024, 1, 14)) == ()


def test_the_install_sets_the_first_usage_end(memory_core: B2BCore) -> None:
    asset_id = installed_asset(
        memory_core,
        register_account(memory_core),
        installed_on=date(2024, 1, 15),
        usage_end_on=date(2024, 12, 31),
    )

    assert asof.usage_ends(memory_core.asset(asset_id), date(2024, 1, 15)) == (
        date(2024, 12, 31),
    )


def test_each_renewal_adds_its_usage_end_from_its_day_on(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(
        memory_core,
        register_account(memory_core),
        installed_on=date(2024, 1, 15),
        usage_end_on=date(2024, 3, 31),
    )
    memory_core.renew_asset(
        asset_id, usage_end_on=date(2024, 6, 30), on=date(2024, 3, 20)
    )
    memory_core.renew_asset(
        asset_id, usage_end_on=date(2024, 9, 30), on=date(2024, 6, 25)
    )
    asset = memory_core.asset(asset_id)

    assert asof.usage_ends(asset, date(2024, 3, 19)) == (date(2024, 3, 31),)
    assert asof.usage_ends(asset, date(2024, 3, 20)) == (
        date(2024, 3, 31),
        date(2024, 6, 30),
    )
    assert asof.usage_ends(asset, date(2024, 7, 1)) == (
        date(2024, 3, 31),
        date(2024, 6, 30),
        date(2024, 9, 30),
    )
