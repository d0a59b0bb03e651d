"""The key a deal falls under when a report is cut by a dimension."""

from __future__ import annotations

from datetime import date

import pytest

from b2bcore import B2BCore, BusinessLine
from b2bcore.reports.dimensions import Dimension, key
from tests.helpers import register_account
from tests.reports.deals import open_deal


@pytest.mark.parametrize(
    ("dimension", "expected"),
    [
        (Dimension.OWNER, "kim"),
        (Dimension.REGION, "Kanto"),
        (Dimension.BUSINESS_LINE, "overseas"),
        (Dimension.COUNTRY, "JP"),
        (Dimension.PRODUCT, "EV fleet"),
    ],
)
def test_a_deal_s_key_is_its_own_attribute(
    memory_core: B2BCore, dimension: Dimension, expected: str
) -> None:
    deal = memory_core.opportunity(
        open_deal(
            memory_core,
            on=date(2024, 1, 1),
            region="Kanto",
            country="JP",
            business_line=BusinessLine.OVERSEAS,
        )
    )

    assert key(deal, dimension, managers={}, accounts={}) == expected


def test_the_manager_key_is_the_owner_s_manager(memory_core: B2BCore) -> None:
    deal = memory_core.opportunity(open_deal(memory_core, on=date(2024, 1, 1)))

    assert key(deal, Dimension.MANAGER, managers={"kim": "park"}, accounts={}) == (
        "park"
    )


def test_an_owner_without_a_manager_is_unassigned(memory_core: B2BCore) -> None:
    deal = memory_core.opportunity(open_deal(memory_core, on=date(2024, 1, 1)))

    assert key(deal, Dimension.MANAGER, managers={}, accounts={}) == "unassigned"


def test_the_account_key_is_the_account_s_name(memory_core: B2BCore) -> None:
    account = memory_core.account(register_account(memory_core))
    deal = memory_core.opportunity(
        open_deal(memory_core, on=date(2024, 1, 3), account_id=account.id)
    )

    assert key(
        deal, Dimension.ACCOUNT, managers={}, accounts={account.id: account}
    ) == ("(주)효원")


def test_a_deal_without_an_account_has_the_unknown_account_key(
    memory_core: B2BCore,
) -> None:
    deal = memory_core.opportunity(open_deal(memory_core, on=date(2024, 1, 1)))

    assert key(deal, Dimension.ACCOUNT, managers={}, accounts={}) == "unknown"


@pytest.mark.parametrize(
    ("expected_close_on", "expected"),
    [
        (date(2024, 8, 31), "short"),
        (date(2024, 9, 1), "mid"),
        (date(2025, 4, 30), "mid"),
        (date(2025, 5, 1), "long"),
    ],
)
def test_the_horizon_key_is_the_expected_close_from_the_report_date(
    memory_core: B2BCore, expected_close_on: date, expected: str
) -> None:
    deal = memory_core.opportunity(
        open_deal(memory_core, on=date(2024, 1, 1), expected_close_on=expected_close_on)
    )

    assert (
        key(deal, Dimension.HORIZON, managers={}, accounts={}, as_of=date(2024, 4, 1))
        == expected
    )


def test_the_horizon_key_follows_the_expected_close_in_force_on_the_day(
    memory_core: B2BCore,
) -> None:
    deal = open_deal(memory_core, on=date(2024, 1, 1))  # expected 2024-12-31
    memory_core.move_expected_close(
        deal, expected_close_on=date(2024, 5, 31), reason="sooner", on=date(2024, 5, 1)
    )

    before = memory_core.tier_matrix(by=Dimension.HORIZON, as_of=date(2024, 4, 1))
    after = memory_core.tier_matrix(by=Dimension.HORIZON, as_of=date(2024, 5, 1))

    assert [row.key for row in before.rows] == ["mid"]
    assert [row.key for row in after.rows] == ["short"]
