"""Segmentation: accounts ranked by the value of their installed base on a
date, the Pareto set (the top 20 %) and the counts by sector and channel."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from b2bcore import (
    AccountView,
    AssetView,
    B2BCore,
    ContactChannel,
    Grade,
    Money,
    ObsoleteReason,
)
from b2bcore.application.settings import Settings
from b2bcore.reports.segmentation import segmentation
from tests.helpers import purchase_asset, register_account
from tests.reports.deals import krw

AS_OF = date(2024, 6, 1)
SETTINGS = Settings()
Accounts = tuple[list[AccountView], list[AssetView]]


def installed(
    core: B2BCore, account_id: UUID, value: Money, on: date = date(2024, 2, 1)
) -> UUID:
    asset_id = purchase_asset(core, account_id, value=value)
    core.install_asset(asset_id, usage_end_on=date(2024, 12, 31), on=on)
    return asset_id


def customers(core: B2BCore) -> Accounts:
    """Five accounts registered by the date, one after it:

    효원   manufacturing, visit: 100M active; 50M obsolete on 05-01
    Beta   logistics, email: 80M active, renewed at 120M after the date
    Gamma  manufacturing, phone: USD 10,000 active; 30M never installed
    Delta  retail, email: 20M active
    Zeta   logistics, phone: nothing
    Epsilon retail, visit: registered after the date with 500M
    """
    hyowon = register_account(core)
    beta = register_account(
        core,
        name="Beta",
        grade=Grade.MAJOR,
        sector="logistics",
        preferred_channel=ContactChannel.EMAIL,
    )
    gamma = register_account(
        core,
        name="Gamma",
        grade=Grade.STANDARD,
        preferred_channel=ContactChannel.PHONE,
    )
    delta = register_account(
        core, name="Delta", sector="retail", preferred_channel=ContactChannel.EMAIL
    )
    zeta = register_account(
        core,
        name="Zeta",
        sector="logistics",
        preferred_channel=ContactChannel.PHONE,
    )
    epsilon = register_account(
        core, name="Epsilon", sector="retail", on=date(2024, 7, 1)
    )
    assets = [
        installed(core, hyowon, krw(100_000_000)),
        installed(core, hyowon, krw(50_000_000)),
        installed(core, beta, krw(80_000_000)),
        installed(core, gamma, Money.of(10_000, "USD")),
        purchase_asset(core, gamma, value=krw(30_000_000)),
        installed(core, delta, krw(20_000_000)),
        installed(core, epsilon, krw(500_000_000), on=date(2024, 7, 2)),
    ]
    core.make_asset_obsolete(
        assets[1], reason_code=ObsoleteReason.BUDGET, on=date(2024, 5, 1)
    )
    core.renew_asset(
        assets[2],
        usage_end_on=date(2025, 12, 31),
        value=krw(120_000_000),
        on=date(2024, 7, 1),
    )
    ids = [hyowon, beta, gamma, delta, zeta, epsilon]
    return [core.account(i) for i in ids], [core.asset(i) for i in assets]


@pytest.fixture
def book(memory_core: B2BCore) -> Accounts:
    return customers(memory_core)


def test_accounts_are_ranked_by_the_value_in_force_of_their_active_assets(
    book: Accounts,
) -> None:
    result = segmentation(*book, as_of=AS_OF, settings=SETTINGS)

    assert [(v.name, v.ranked_value) for v in result.ranking] == [
        ("(주)효원", krw(100_000_000)),  # the obsolete 50M no longer counts
        ("Beta", krw(80_000_000)),  # the 120M renewal comes later
        ("Delta", krw(20_000_000)),
        ("Gamma", krw(0)),  # USD only; the uninstalled 30M is not active
        ("Zeta", krw(0)),
    ]


def test_accounts_registered_after_the_date_are_left_out(book: Accounts) -> None:
    result = segmentation(*book, as_of=AS_OF, settings=SETTINGS)

    assert "Epsilon" not in [v.name for v in result.ranking]


def test_the_ranking_currency_is_the_one_most_accounts_hold(book: Accounts) -> None:
    result = segmentation(*book, as_of=AS_OF, settings=SETTINGS)

    assert result.currency == "KRW"  # three accounts against one in USD


def test_values_in_other_currencies_are_kept_apart(book: Accounts) -> None:
    result = segmentation(*book, as_of=AS_OF, settings=SETTINGS)

    gamma = next(v for v in result.ranking if v.name == "Gamma")
    assert dict(gamma.value) == {"USD": Decimal(10_000)}
    assert dict(result.total_value) == {
        "KRW": Decimal(200_000_000),
        "USD": Decimal(10_000),
    }


def test_each_account_s_share_is_of_the_total_in_the_ranking_currency(
    book: Accounts,
) -> None:
    result = segmentation(*book, as_of=AS_OF, settings=SETTINGS)

    assert [v.share for v in result.ranking] == [0.5, 0.4, 0.1, 0.0, 0.0]


def test_the_pareto_set_is_the_top_fifth_of_the_accounts(book: Accounts) -> None:
    result = segmentation(*book, as_of=AS_OF, settings=SETTINGS)

    assert [v.name for v in result.pareto] == ["(주)효원"]  # 5 accounts → 1
    assert dict(result.pareto_value) == {"KRW": Decimal(100_000_000)}
    assert result.pareto_share == 0.5  # 100M of 200M


def test_the_pareto_set_rounds_the_fifth_up(memory_core: B2BCore) -> None:
    accounts, assets = customers(memory_core)
    sixth = register_account(memory_core, name="Eta")
    accounts.append(memory_core.account(sixth))

    result = segmentation(accounts, assets, as_of=AS_OF, settings=SETTINGS)

    assert [v.name for v in result.pareto] == ["(주)효원", "Beta"]  # 6 → 2
    assert result.pareto_share == 0.9  # 180M of 200M


def test_a_single_account_is_its_own_pareto_set(memory_core: B2BCore) -> None:
    account = register_account(memory_core)
    asset = installed(memory_core, account, krw(1_000_000))

    result = segmentation(
        [memory_core.account(account)],
        [memory_core.asset(asset)],
        as_of=AS_OF,
        settings=SETTINGS,
    )

    assert [v.account_id for v in result.pareto] == [account]
    assert result.pareto_share == 1.0


def test_a_ranking_currency_can_be_chosen(book: Accounts) -> None:
    result = segmentation(*book, as_of=AS_OF, settings=SETTINGS, currency="USD")

    assert [v.name for v in result.ranking] == [
        "Gamma",
        "(주)효원",  # no USD: by name
        "Beta",
        "Delta",
        "Zeta",
    ]
    assert result.pareto_share == 1.0


def test_accounts_are_counted_by_sector_and_by_channel(book: Accounts) -> None:
    result = segmentation(*book, as_of=AS_OF, settings=SETTINGS)

    assert list(result.by_sector.items()) == [
        ("logistics", 2),
        ("manufacturing", 2),
        ("retail", 1),
    ]
    assert list(result.by_channel.items()) == [
        (ContactChannel.EMAIL, 2),
        (ContactChannel.PHONE, 2),
        (ContactChannel.VISIT, 1),
    ]


def test_without_accounts_there_is_nothing_to_rank() -> None:
    result = segmentation([], [], as_of=AS_OF, settings=SETTINGS)

    assert result.ranking == ()
    assert result.pareto == ()
    assert result.currency is None
    assert result.pareto_share is None
    assert dict(result.total_value) == {}
    assert result.by_sector == {}
    assert result.by_channel == {}


def test_without_active_assets_shares_are_no_data(memory_core: B2BCore) -> None:
    account = register_account(memory_core)
    asset = purchase_asset(memory_core, account)  # never installed

    result = segmentation(
        [memory_core.account(account)],
        [memory_core.asset(asset)],
        as_of=AS_OF,
        settings=SETTINGS,
    )

    assert result.currency is None
    assert [(v.ranked_value, v.share) for v in result.ranking] == [(None, None)]
    assert [v.account_id for v in result.pareto] == [account]
    assert result.pareto_share is None


def test_a_lapsed_asset_adds_nothing_to_its_accounts_value(
    memory_core: B2BCore,
) -> None:
    account = register_account(memory_core)
    lapsed = purchase_asset(memory_core, account, value=krw(40_000_000))
    memory_core.install_asset(
        lapsed, usage_end_on=date(2024, 4, 30), on=date(2024, 2, 1)
    )
    overdue = purchase_asset(memory_core, account, value=krw(10_000_000))
    memory_core.install_asset(
        overdue, usage_end_on=date(2024, 5, 15), on=date(2024, 2, 1)
    )

    result = segmentation(
        [memory_core.account(account)],
        [memory_core.asset(lapsed), memory_core.asset(overdue)],
        as_of=AS_OF,
        settings=SETTINGS,
    )

    # Apr 30 is 32 days before Jun 1 (lapsed); May 15 is 17 (within grace).
    assert [v.ranked_value for v in result.ranking] == [krw(10_000_000)]
