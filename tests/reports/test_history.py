"""Account history: every asset and deal of an account as it stood on a
date; what did not exist yet is left out."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from b2bcore import (
    AccountView,
    AssetStatus,
    AssetView,
    B2BCore,
    LossReason,
    ObsoleteReason,
    OpportunityView,
    Outcome,
)
from b2bcore.reports import asof
from b2bcore.reports.history import AccountHistory, account_history
from tests.helpers import purchase_asset, register_account
from tests.reports.deals import krw, open_deal

AS_OF = date(2024, 6, 1)


def the_account(
    core: B2BCore,
) -> tuple[AccountView, list[AssetView], list[OpportunityView], dict[str, UUID]]:
    """효원's assets and deals, plus another account's and an account-less deal.

    fleet    bought 01-15, installed 02-01 until 2024-12-31 at 23.8M; renewed
             to 2025-12-31 at 30M on 07-01, upgraded to "Fleet premium" at
             35M on 08-01 (both after the date)
    chargers bought 03-01, installed only on 07-01
    vans     bought 01-10, installed 01-20, obsolete on price 05-01
    later    bought 07-01
    renewal  deal opened 01-01 at 4, tier 2 on 03-01, won 07-01
    lost     deal opened 02-01, lost on budget 04-01
    future   deal opened 07-01
    """
    hyowon = register_account(core)
    other = register_account(core, name="Other")
    fleet = purchase_asset(core, hyowon)
    core.install_asset(fleet, usage_end_on=date(2024, 12, 31), on=date(2024, 2, 1))
    core.renew_asset(
        fleet,
        usage_end_on=date(2025, 12, 31),
        value=krw(30_000_000),
        on=date(2024, 7, 1),
    )
    core.upgrade_asset(
        fleet, product="Fleet premium", value=krw(35_000_000), on=date(2024, 8, 1)
    )
    chargers = purchase_asset(core, hyowon, on=date(2024, 3, 1), product="Chargers")
    core.install_asset(chargers, usage_end_on=None, on=date(2024, 7, 1))
    vans = purchase_asset(core, hyowon, on=date(2024, 1, 10), product="Vans")
    core.install_asset(vans, usage_end_on=date(2025, 1, 19), on=date(2024, 1, 20))
    core.make_asset_obsolete(
        vans, reason_code=ObsoleteReason.PRICE, on=date(2024, 5, 1)
    )
    later = purchase_asset(core, hyowon, on=date(2024, 7, 1))
    elsewhere = purchase_asset(core, other)
    renewal = open_deal(core, on=date(2024, 1, 3), account_id=hyowon, name="Renewal")
    core.change_tier(renewal, tier=2, on=date(2024, 3, 1))
    core.win_opportunity(renewal, value=krw(30_000_000), on=date(2024, 7, 1))
    lost = open_deal(core, on=date(2024, 2, 1), account_id=hyowon, name="Lost")
    core.lose_opportunity(lost, reason_code=LossReason.BUDGET, on=date(2024, 4, 1))
    future = open_deal(core, on=date(2024, 7, 1), account_id=hyowon)
    others = open_deal(core, on=date(2024, 1, 3), account_id=other)
    nobody = open_deal(core, on=date(2024, 1, 3))
    ids = {"fleet": fleet, "chargers": chargers, "vans": vans}
    ids |= {"renewal": renewal, "lost": lost}
    return (
        core.account(hyowon),
        [core.asset(a) for a in (fleet, chargers, vans, later, elsewhere)],
        [core.opportunity(d) for d in (renewal, lost, future, others, nobody)],
        ids,
    )


@pytest.fixture
def history(memory_core: B2BCore) -> tuple[AccountHistory, dict[str, UUID]]:
    account, assets, deals, ids = the_account(memory_core)
    return account_history(account, assets, deals, as_of=AS_OF), ids


def test_the_history_holds_the_account_and_its_date(
    history: tuple[AccountHistory, dict[str, UUID]],
) -> None:
    assert history[0].account.name == "(주)효원"
    assert history[0].as_of == AS_OF


def test_only_the_account_s_assets_bought_by_the_date_appear(
    history: tuple[AccountHistory, dict[str, UUID]],
) -> None:
    result, ids = history

    assert [a.asset_id for a in result.assets] == [
        ids["vans"],  # by purchase date: 01-10, 01-15, 03-01
        ids["fleet"],
        ids["chargers"],
    ]


def test_each_asset_shows_its_status_usage_end_and_value_on_the_date(
    history: tuple[AccountHistory, dict[str, UUID]],
) -> None:
    result, ids = history
    assets = {a.asset_id: a for a in result.assets}

    fleet, chargers, vans = (assets[ids[k]] for k in ("fleet", "chargers", "vans"))
    assert (fleet.status, fleet.usage_end_on, fleet.value, fleet.product) == (
        AssetStatus.INSTALLED,
        date(2024, 12, 31),  # the renewal came after the date
        krw(23_800_000),
        "Fleet subscription",  # the upgrade too
    )
    assert (chargers.status, chargers.usage_end_on) == (AssetStatus.PURCHASED, None)
    assert (vans.status, vans.obsolete_reason) == (
        AssetStatus.OBSOLETE,
        ObsoleteReason.PRICE,
    )


def test_only_the_account_s_deals_opened_by_the_date_appear(
    history: tuple[AccountHistory, dict[str, UUID]],
) -> None:
    result, ids = history

    assert [d.deal_id for d in result.deals] == [ids["renewal"], ids["lost"]]


def test_each_deal_shows_its_tier_and_outcome_on_the_date(
    history: tuple[AccountHistory, dict[str, UUID]],
) -> None:
    renewal, lost = history[0].deals

    assert (renewal.tier, renewal.outcome, renewal.closed_on, renewal.won_value) == (
        2,  # won only on 07-01
        None,
        None,
        None,
    )
    assert (lost.tier, lost.outcome, lost.closed_on) == (
        0,
        Outcome.LOST,
        date(2024, 4, 1),
    )


def test_later_the_same_history_shows_the_win_and_the_renewal(
    memory_core: B2BCore,
) -> None:
    account, assets, deals, ids = the_account(memory_core)

    result = account_history(account, assets, deals, as_of=date(2024, 8, 1))

    renewal = next(d for d in result.deals if d.deal_id == ids["renewal"])
    assert (renewal.outcome, renewal.won_value) == (Outcome.WON, krw(30_000_000))
    fleet = next(a for a in result.assets if a.asset_id == ids["fleet"])
    assert (fleet.usage_end_on, fleet.value, fleet.product) == (
        date(2025, 12, 31),
        krw(35_000_000),
        "Fleet premium",
    )
    assert len(result.assets) == 4
    assert len(result.deals) == 3


def test_before_anything_existed_the_history_is_empty(memory_core: B2BCore) -> None:
    account, assets, deals, _ = the_account(memory_core)

    result = account_history(account, assets, deals, as_of=date(2024, 1, 2))

    assert (result.assets, result.deals) == ((), ())


def test_the_product_on_a_date_undoes_later_upgrades(memory_core: B2BCore) -> None:
    _, assets, _, ids = the_account(memory_core)
    fleet = next(a for a in assets if a.id == ids["fleet"])

    assert asof.product(fleet, date(2024, 7, 31)) == "Fleet subscription"
    assert asof.product(fleet, date(2024, 8, 1)) == "Fleet premium"
