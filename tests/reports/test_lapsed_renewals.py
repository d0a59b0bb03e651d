"""Lapsed renewals: an installed asset whose usage end passes with no renewal
and no obsolete record stays in the renewal queue, overdue, and once the grace
period is over counts as lapsed in the KPIs, until a renewal or an obsolete
record says otherwise.

The fleet's usage ends on Dec 31, 2023; with the default 30 days of grace it
is overdue from Jan 1, 2024 and lapsed from Jan 31.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from b2bcore import B2BCore, ObsoleteReason, ValidationError
from b2bcore.application.settings import Settings
from b2bcore.reports.amounts import Amounts
from b2bcore.reports.asset_kpis import AssetKpis, ChurnReason, asset_kpis
from b2bcore.reports.renewals import LAPSED, OVERDUE, RenewalItem, renewal_queue
from tests.helpers import register_account
from tests.reports.installed_base import KRW_10M, installed_asset

SETTINGS = Settings()
INSTALLED_ON = date(2023, 7, 3)
USAGE_END_ON = date(2023, 12, 31)
FIRST_OVERDUE_DAY = date(2024, 1, 1)
LAST_DAY_OF_GRACE = date(2024, 1, 30)
FIRST_LAPSED_DAY = date(2024, 1, 31)
Q4 = (date(2023, 10, 1), date(2023, 12, 31))
Q1 = (date(2024, 1, 1), date(2024, 3, 31))


@pytest.fixture
def fleet(memory_core: B2BCore) -> UUID:
    """A fleet of (주)효원 installed on Jul 3, 2023 until Dec 31, 2023."""
    account_id = register_account(memory_core, on=date(2023, 1, 2))
    return installed_asset(
        memory_core,
        account_id,
        installed_on=INSTALLED_ON,
        usage_end_on=USAGE_END_ON,
    )


def queue(
    core: B2BCore,
    as_of: date,
    *asset_ids: UUID,
    within: int = 90,
    settings: Settings = SETTINGS,
) -> tuple[RenewalItem, ...]:
    assets = [core.asset(i) for i in asset_ids]
    accounts = {a.account_id: core.account(a.account_id) for a in assets}
    return renewal_queue(
        assets, accounts, as_of=as_of, within=within, settings=settings
    )


def kpis(core: B2BCore, period: tuple[date, date], asset_id: UUID) -> AssetKpis:
    start, end = period
    assets = [core.asset(asset_id)]
    return asset_kpis(assets, start=start, end=end, settings=SETTINGS)


# -- the grace setting --------------------------------------------------------


def test_the_grace_period_is_30_days_by_default() -> None:
    assert Settings().lapse_grace_days == 30


@pytest.mark.parametrize("days", [0, -1])
def test_a_grace_period_that_is_not_positive_is_refused(days: int) -> None:
    with pytest.raises(ValidationError, match="lapse_grace_days"):
        Settings(lapse_grace_days=days)


# -- the renewal queue --------------------------------------------------------


def test_the_day_after_its_usage_end_the_asset_stays_in_the_queue_overdue(
    memory_core: B2BCore, fleet: UUID
) -> None:
    (item,) = queue(memory_core, FIRST_OVERDUE_DAY, fleet)

    assert item.asset_id == fleet
    assert (item.usage_end_on, item.days_left, item.bucket) == (
        USAGE_END_ON,
        -1,
        OVERDUE,
    )


def test_on_its_usage_end_day_the_asset_is_still_in_its_window(
    memory_core: B2BCore, fleet: UUID
) -> None:
    (item,) = queue(memory_core, USAGE_END_ON, fleet)

    assert (item.days_left, item.bucket) == (0, 30)


def test_past_the_grace_the_asset_stays_in_the_queue_as_lapsed(
    memory_core: B2BCore, fleet: UUID
) -> None:
    (in_grace,) = queue(memory_core, LAST_DAY_OF_GRACE, fleet)
    (lapsed,) = queue(memory_core, FIRST_LAPSED_DAY, fleet)
    (long_after,) = queue(memory_core, date(2024, 6, 1), fleet)

    assert (in_grace.days_left, in_grace.bucket) == (-30, OVERDUE)
    assert (lapsed.days_left, lapsed.bucket) == (-31, LAPSED)
    assert (long_after.days_left, long_after.bucket) == (-153, LAPSED)


def test_the_grace_comes_from_the_settings(memory_core: B2BCore, fleet: UUID) -> None:
    (item,) = queue(
        memory_core, date(2024, 1, 11), fleet, settings=Settings(lapse_grace_days=10)
    )

    assert item.bucket == LAPSED


def test_overdue_assets_are_listed_whatever_the_window_and_first(
    memory_core: B2BCore, fleet: UUID
) -> None:
    account_id = register_account(memory_core, name="(주)대한", on=date(2023, 1, 2))
    soon = installed_asset(
        memory_core,
        account_id,
        installed_on=INSTALLED_ON,
        usage_end_on=date(2024, 1, 20),
    )

    listed = queue(memory_core, date(2024, 1, 10), soon, fleet, within=10)
    overdue_only = queue(memory_core, date(2024, 1, 10), soon, fleet, within=0)

    assert [(i.asset_id, i.bucket) for i in listed] == [(fleet, OVERDUE), (soon, 30)]
    assert [i.asset_id for i in overdue_only] == [fleet]


def test_a_late_renewal_takes_the_asset_out_of_the_overdue_buckets(
    memory_core: B2BCore, fleet: UUID
) -> None:
    memory_core.renew_asset(
        fleet, usage_end_on=date(2024, 12, 31), on=date(2024, 2, 20)
    )

    (before,) = queue(memory_core, date(2024, 2, 19), fleet)
    after = queue(memory_core, date(2024, 2, 20), fleet)

    assert before.bucket == LAPSED
    assert after == ()


def test_an_obsolete_record_takes_the_asset_out_of_the_queue(
    memory_core: B2BCore, fleet: UUID
) -> None:
    memory_core.make_asset_obsolete(
        fleet, reason_code=ObsoleteReason.PRICE, on=date(2024, 2, 15)
    )

    assert len(queue(memory_core, date(2024, 2, 14), fleet)) == 1
    assert queue(memory_core, date(2024, 2, 15), fleet) == ()


# -- the KPIs -----------------------------------------------------------------


def test_within_the_grace_an_unrenewed_asset_still_counts_as_retained(
    memory_core: B2BCore, fleet: UUID
) -> None:
    result = kpis(memory_core, (date(2023, 10, 1), LAST_DAY_OF_GRACE), fleet)

    assert (result.due, result.renewed) == (1, 0)
    assert (result.start_active, result.end_active, result.retained) == (1, 1, 1)
    assert result.churned == 0


def test_past_the_grace_it_is_lapsed_not_retained_and_churned(
    memory_core: B2BCore, fleet: UUID
) -> None:
    result = kpis(memory_core, (date(2023, 10, 1), FIRST_LAPSED_DAY), fleet)

    assert (result.due, result.renewed, result.renewal_rate) == (1, 0, 0.0)
    assert (result.start_active, result.end_active, result.retained) == (1, 0, 0)
    assert result.base_retention == 0.0
    assert result.gross_revenue_retention == {"KRW": 0.0}
    assert result.net_revenue_retention == {"KRW": 0.0}
    assert result.churned == 1
    assert result.churned_by_reason == dict.fromkeys(ChurnReason, 0) | {
        ChurnReason.LAPSED: 1
    }


def test_a_lapse_counts_once_in_the_period_its_grace_runs_out(
    memory_core: B2BCore, fleet: UUID
) -> None:
    q4, q1 = kpis(memory_core, Q4, fleet), kpis(memory_core, Q1, fleet)
    q2 = kpis(memory_core, (date(2024, 4, 1), date(2024, 6, 30)), fleet)

    assert (q4.retained, q4.churned) == (1, 0)
    assert (q1.start_active, q1.retained, q1.churned) == (1, 0, 1)
    assert q1.churned_by_reason[ChurnReason.LAPSED] == 1
    assert (q2.start_active, q2.end_active, q2.churned) == (0, 0, 0)


def test_a_period_starting_on_the_first_lapsed_day_counts_the_lapse(
    memory_core: B2BCore, fleet: UUID
) -> None:
    result = kpis(memory_core, (FIRST_LAPSED_DAY, Q1[1]), fleet)

    assert (result.start_active, result.churned) == (0, 1)
    assert result.churned_by_reason[ChurnReason.LAPSED] == 1


def test_a_late_renewal_makes_the_lapsed_asset_retained_again(
    memory_core: B2BCore, fleet: UUID
) -> None:
    memory_core.renew_asset(
        fleet, usage_end_on=date(2024, 12, 31), on=date(2024, 2, 20)
    )

    before_the_renewal = kpis(memory_core, (Q1[0], date(2024, 2, 19)), fleet)
    quarter = kpis(memory_core, Q1, fleet)

    assert before_the_renewal.churned_by_reason[ChurnReason.LAPSED] == 1
    assert before_the_renewal.retained == 0
    assert (quarter.retained, quarter.end_active, quarter.churned) == (1, 1, 0)
    assert quarter.time_to_renewal_days == 51.0  # renewed 51 days late


def test_the_lapse_is_read_as_of_the_period_end(
    memory_core: B2BCore, fleet: UUID
) -> None:
    memory_core.renew_asset(
        fleet, usage_end_on=date(2024, 12, 31), on=date(2024, 2, 20)
    )
    start, end = Q1[0], date(2024, 2, 19)

    as_of_the_end = asset_kpis(
        [memory_core.asset(fleet, as_of=end)], start=start, end=end, settings=SETTINGS
    )

    assert as_of_the_end == kpis(memory_core, (start, end), fleet)


def test_an_obsolete_record_after_the_lapse_says_why_it_churned(
    memory_core: B2BCore, fleet: UUID
) -> None:
    memory_core.make_asset_obsolete(
        fleet, reason_code=ObsoleteReason.PRICE, on=date(2024, 3, 15)
    )

    before_the_record = kpis(memory_core, (Q1[0], date(2024, 3, 14)), fleet)
    quarter = kpis(memory_core, Q1, fleet)

    assert before_the_record.churned_by_reason[ChurnReason.LAPSED] == 1
    assert quarter.churned == 1
    assert quarter.churned_by_reason == dict.fromkeys(ChurnReason, 0) | {
        ChurnReason.PRICE: 1
    }


def test_an_obsolete_record_after_a_period_that_counted_the_lapse_is_not_churn_again(
    memory_core: B2BCore, fleet: UUID
) -> None:
    memory_core.make_asset_obsolete(
        fleet, reason_code=ObsoleteReason.PRICE, on=date(2024, 5, 10)
    )
    q2 = (date(2024, 4, 1), date(2024, 6, 30))

    first_quarter = kpis(memory_core, Q1, fleet)
    second_quarter = kpis(memory_core, q2, fleet)
    half_year = kpis(memory_core, (Q1[0], q2[1]), fleet)

    assert first_quarter.churned_by_reason[ChurnReason.LAPSED] == 1
    assert (second_quarter.start_active, second_quarter.churned) == (0, 0)
    assert half_year.churned == 1
    assert half_year.churned_by_reason[ChurnReason.PRICE] == 1


def test_a_late_renewal_whose_new_term_lapses_is_churned_when_that_lapse_begins(
    memory_core: B2BCore, fleet: UUID
) -> None:
    memory_core.renew_asset(fleet, usage_end_on=date(2024, 3, 31), on=date(2024, 2, 20))
    q2 = (date(2024, 4, 1), date(2024, 6, 30))

    first_quarter = kpis(memory_core, Q1, fleet)
    second_quarter = kpis(memory_core, q2, fleet)

    assert (first_quarter.retained, first_quarter.churned) == (1, 0)
    assert (second_quarter.retained, second_quarter.churned) == (0, 1)
    assert second_quarter.churned_by_reason[ChurnReason.LAPSED] == 1


def test_the_lifetime_of_a_customer_whose_asset_lapsed_ends_at_its_usage_end(
    memory_core: B2BCore, fleet: UUID
) -> None:
    in_grace = kpis(memory_core, (Q1[0], LAST_DAY_OF_GRACE), fleet)
    lapsed = kpis(memory_core, Q1, fleet)

    assert in_grace.customer_lifetime_days == (LAST_DAY_OF_GRACE - INSTALLED_ON).days
    assert lapsed.customer_lifetime_days == (USAGE_END_ON - INSTALLED_ON).days


def test_a_lapsed_asset_still_owes_its_installments(
    memory_core: B2BCore, fleet: UUID
) -> None:
    result = kpis(memory_core, Q1, fleet)

    assert result.receivables_outstanding == Amounts.of([KRW_10M])


def test_every_obsolete_reason_is_a_churn_reason() -> None:
    assert [ChurnReason.of(r).value for r in ObsoleteReason] == [
        r.value for r in ObsoleteReason
    ]
    assert {r.value for r in ChurnReason} - {r.value for r in ObsoleteReason} == {
        "lapsed"
    }
