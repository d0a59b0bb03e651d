"""Installed-base KPIs over a period, each figure computed by hand.

The period is the second quarter of 2024: April 1 to June 30, both included.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from b2bcore import B2BCore, Money, ObsoleteReason, ValidationError
from b2bcore.application.settings import Settings
from b2bcore.reports.amounts import Amounts
from b2bcore.reports.asset_kpis import AssetKpis, ChurnReason, asset_kpis
from tests.helpers import purchase_asset, register_account
from tests.reports.installed_base import KRW_10M, installed_asset

START = date(2024, 4, 1)
END = date(2024, 6, 30)
SETTINGS = Settings()


def krw(amount: int) -> Money:
    return Money.of(amount, "KRW")


def kpis(core: B2BCore, *asset_ids: UUID) -> AssetKpis:
    return asset_kpis(
        [core.asset(i) for i in asset_ids], start=START, end=END, settings=SETTINGS
    )


def asset_until(
    core: B2BCore,
    account_id: UUID,
    usage_end_on: date | None,
    value: Money = KRW_10M,
) -> UUID:
    """An asset worth ``value`` (10M KRW), installed on Jan 15 until
    ``usage_end_on``."""
    return installed_asset(
        core,
        account_id,
        installed_on=date(2024, 1, 15),
        usage_end_on=usage_end_on,
        value=value,
    )


@pytest.fixture
def account_id(memory_core: B2BCore) -> UUID:
    return register_account(memory_core, on=date(2022, 12, 1))


def test_no_assets_give_zero_counts_and_no_rates() -> None:
    result = asset_kpis([], start=START, end=END, settings=SETTINGS)

    assert (result.start_active, result.end_active, result.retained) == (0, 0, 0)
    assert (result.due, result.renewed, result.churned) == (0, 0, 0)
    assert (result.value_changes, result.upsells, result.renewals) == (0, 0, 0)
    assert (result.customers, result.payments, result.payments_on_time) == (0, 0, 0)
    assert result.base_retention is None
    assert result.renewal_rate is None
    assert result.upsell_rate is None
    assert result.time_to_renewal_days is None
    assert result.customer_lifetime_days is None
    assert result.payment_compliance is None
    assert result.gross_revenue_retention == {}
    assert result.net_revenue_retention == {}
    assert result.churned_by_reason == dict.fromkeys(ChurnReason, 0)
    assert result.customer_lifetime_value == Amounts()
    assert result.receivables_outstanding == Amounts()
    assert result.receivables_overdue == Amounts()


def test_a_period_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValidationError, match="end"):
        asset_kpis([], start=END, end=START, settings=SETTINGS)


def test_a_one_day_period_is_allowed(memory_core: B2BCore, account_id: UUID) -> None:
    asset_id = asset_until(memory_core, account_id, END)

    result = asset_kpis(
        [memory_core.asset(asset_id)], start=END, end=END, settings=SETTINGS
    )

    assert (result.start_active, result.due, result.renewed) == (1, 1, 0)


# -- base retention -----------------------------------------------------------


def test_base_retention_counts_the_assets_active_on_both_days(
    memory_core: B2BCore, account_id: UUID
) -> None:
    kept = asset_until(memory_core, account_id, None)
    gone_on_start = asset_until(memory_core, account_id, None)
    memory_core.make_asset_obsolete(
        gone_on_start, reason_code=ObsoleteReason.PRICE, on=START
    )
    gone_on_end = asset_until(memory_core, account_id, None)
    memory_core.make_asset_obsolete(
        gone_on_end, reason_code=ObsoleteReason.BUDGET, on=END
    )
    installed_on_start = installed_asset(
        memory_core, account_id, installed_on=START, usage_end_on=None
    )
    installed_later = installed_asset(
        memory_core, account_id, installed_on=date(2024, 7, 1), usage_end_on=None
    )
    never_installed = purchase_asset(memory_core, account_id)

    result = kpis(
        memory_core,
        kept,
        gone_on_start,
        gone_on_end,
        installed_on_start,
        installed_later,
        never_installed,
    )

    # Active on Apr 1: kept, gone_on_end, installed_on_start (obsolete on a
    # day means not active that day). Active on Jun 30: kept, installed_on_start.
    assert result.start_active == 3
    assert result.end_active == 2
    assert result.retained == 2
    assert result.base_retention == pytest.approx(2 / 3)


# -- renewal rate -------------------------------------------------------------


def test_renewal_rate_is_the_share_of_assets_due_that_renewed(
    memory_core: B2BCore, account_id: UUID
) -> None:
    core = memory_core
    due_on_end = asset_until(core, account_id, END)
    renewed_early = asset_until(core, account_id, date(2024, 5, 31))
    core.renew_asset(renewed_early, usage_end_on=date(2025, 5, 31), on=date(2024, 5, 1))
    renewed_late = asset_until(core, account_id, date(2024, 5, 31))
    core.renew_asset(renewed_late, usage_end_on=date(2025, 5, 31), on=date(2024, 6, 10))
    renewed_after_end = asset_until(core, account_id, date(2024, 6, 15))
    core.renew_asset(
        renewed_after_end, usage_end_on=date(2025, 6, 15), on=date(2024, 7, 5)
    )
    renewed_before_start = asset_until(core, account_id, END)
    core.renew_asset(
        renewed_before_start, usage_end_on=date(2025, 6, 30), on=date(2024, 3, 20)
    )
    ended_before_start = asset_until(core, account_id, date(2024, 3, 31))
    core.renew_asset(
        ended_before_start, usage_end_on=date(2025, 3, 31), on=date(2024, 3, 1)
    )
    obsolete_before_its_end = asset_until(core, account_id, date(2024, 5, 31))
    core.make_asset_obsolete(
        obsolete_before_its_end, reason_code=ObsoleteReason.PRICE, on=date(2024, 5, 1)
    )
    obsolete_on_its_end = asset_until(core, account_id, date(2024, 5, 31))
    core.make_asset_obsolete(
        obsolete_on_its_end, reason_code=ObsoleteReason.PRICE, on=date(2024, 5, 31)
    )
    open_ended = asset_until(core, account_id, None)

    result = kpis(
        core,
        due_on_end,
        renewed_early,
        renewed_late,
        renewed_after_end,
        renewed_before_start,
        ended_before_start,
        obsolete_before_its_end,
        obsolete_on_its_end,
        open_ended,
    )

    # Due: due_on_end, renewed_early, renewed_late, renewed_after_end,
    # renewed_before_start, obsolete_on_its_end. Renewed by Jun 30:
    # renewed_early, renewed_late, renewed_before_start.
    assert result.due == 6
    assert result.renewed == 3
    assert result.renewal_rate == 0.5


def test_an_asset_due_twice_counts_once_renewed_only_if_its_last_end_was(
    memory_core: B2BCore, account_id: UUID
) -> None:
    core = memory_core
    lapsed = asset_until(core, account_id, date(2024, 4, 30))
    core.renew_asset(lapsed, usage_end_on=date(2024, 5, 31), on=date(2024, 4, 30))
    kept = asset_until(core, account_id, date(2024, 4, 30))
    core.renew_asset(kept, usage_end_on=date(2024, 5, 31), on=date(2024, 4, 20))
    core.renew_asset(kept, usage_end_on=date(2025, 5, 31), on=date(2024, 5, 25))

    result = kpis(core, lapsed, kept)

    assert (result.due, result.renewed) == (2, 1)


# -- revenue retention --------------------------------------------------------


def test_revenue_retention_compares_contract_values_per_currency(
    memory_core: B2BCore, account_id: UUID
) -> None:
    core = memory_core
    upgraded = asset_until(core, account_id, None, value=krw(10_000_000))
    core.upgrade_asset(
        upgraded, product="Fleet 30", value=krw(12_000_000), on=date(2024, 5, 1)
    )
    renewed_lower = asset_until(
        core, account_id, date(2024, 5, 31), value=krw(20_000_000)
    )
    core.renew_asset(
        renewed_lower,
        usage_end_on=date(2025, 5, 31),
        value=krw(15_000_000),
        on=date(2024, 5, 20),
    )
    churned = asset_until(core, account_id, None, value=krw(5_000_000))
    core.make_asset_obsolete(
        churned, reason_code=ObsoleteReason.COMPETITOR, on=date(2024, 6, 1)
    )
    new_in_period = installed_asset(
        core,
        account_id,
        installed_on=date(2024, 5, 1),
        usage_end_on=None,
        value=krw(100_000_000),
    )
    dollars = asset_until(core, account_id, None, value=Money.of(1000, "USD"))
    core.upgrade_asset(
        dollars, product="Fleet 30", value=Money.of(1500, "USD"), on=date(2024, 6, 1)
    )

    result = kpis(core, upgraded, renewed_lower, churned, new_in_period, dollars)

    # KRW on Apr 1: 10M + 20M + 5M = 35M; on Jun 30: 12M + 15M + 0.
    # Kept (each capped at its start value): 10M + 15M + 0 = 25M.
    assert result.gross_revenue_retention == pytest.approx({"KRW": 25 / 35, "USD": 1.0})
    assert result.net_revenue_retention == pytest.approx({"KRW": 27 / 35, "USD": 1.5})


def test_revenue_retention_starts_from_the_value_in_force_on_the_start(
    memory_core: B2BCore, account_id: UUID
) -> None:
    asset_id = asset_until(memory_core, account_id, None, value=krw(10_000_000))
    memory_core.upgrade_asset(
        asset_id, product="Fleet 30", value=krw(20_000_000), on=START
    )
    memory_core.upgrade_asset(
        asset_id, product="Fleet 40", value=krw(30_000_000), on=date(2024, 7, 1)
    )

    result = kpis(memory_core, asset_id)

    assert result.gross_revenue_retention == {"KRW": 1.0}
    assert result.net_revenue_retention == {"KRW": 1.0}


# -- upsell rate --------------------------------------------------------------


def test_upsell_rate_is_the_share_of_value_changes_that_raised_the_value(
    memory_core: B2BCore, account_id: UUID
) -> None:
    core = memory_core
    renewed_higher = asset_until(core, account_id, date(2024, 5, 31))
    core.renew_asset(
        renewed_higher,
        usage_end_on=date(2025, 5, 31),
        value=krw(11_000_000),
        on=date(2024, 5, 20),
    )
    renewed_same = asset_until(core, account_id, date(2024, 5, 31))
    core.renew_asset(renewed_same, usage_end_on=date(2025, 5, 31), on=END)
    upgraded = asset_until(core, account_id, None)
    core.upgrade_asset(upgraded, product="Fleet 30", value=krw(12_000_000), on=START)
    downgraded = asset_until(core, account_id, None)
    core.upgrade_asset(
        downgraded, product="Fleet 10", value=krw(8_000_000), on=date(2024, 6, 1)
    )
    upgraded_before = asset_until(core, account_id, None)
    core.upgrade_asset(
        upgraded_before, product="Fleet 30", value=krw(12_000_000), on=date(2024, 3, 31)
    )

    result = kpis(
        core, renewed_higher, renewed_same, upgraded, downgraded, upgraded_before
    )

    assert (result.value_changes, result.upsells) == (4, 2)
    assert result.upsell_rate == 0.5


# -- churn --------------------------------------------------------------------


def test_churn_counts_assets_made_obsolete_in_the_period_by_reason(
    memory_core: B2BCore, account_id: UUID
) -> None:
    core = memory_core
    on_start = asset_until(core, account_id, None)
    core.make_asset_obsolete(on_start, reason_code=ObsoleteReason.PRICE, on=START)
    on_end = asset_until(core, account_id, None)
    core.make_asset_obsolete(on_end, reason_code=ObsoleteReason.COMPETITOR, on=END)
    replaced = asset_until(core, account_id, None)
    successor = asset_until(core, account_id, None)
    core.replace_asset(replaced, successor_id=successor, on=date(2024, 5, 1))
    before = asset_until(core, account_id, None)
    core.make_asset_obsolete(
        before, reason_code=ObsoleteReason.PRICE, on=date(2024, 3, 31)
    )
    after = asset_until(core, account_id, None)
    core.make_asset_obsolete(
        after, reason_code=ObsoleteReason.PRICE, on=date(2024, 7, 1)
    )

    result = kpis(core, on_start, on_end, replaced, successor, before, after)

    assert result.churned == 3
    assert result.churned_by_reason == dict.fromkeys(ChurnReason, 0) | {
        ChurnReason.PRICE: 1,
        ChurnReason.COMPETITOR: 1,
        ChurnReason.REPLACED: 1,
    }


# -- time to renewal ----------------------------------------------------------


def test_time_to_renewal_averages_days_from_the_old_usage_end(
    memory_core: B2BCore, account_id: UUID
) -> None:
    core = memory_core
    early = asset_until(core, account_id, date(2024, 5, 31))
    core.renew_asset(early, usage_end_on=date(2025, 5, 31), on=date(2024, 5, 1))
    late = asset_until(core, account_id, date(2024, 5, 31))
    core.renew_asset(late, usage_end_on=date(2025, 5, 31), on=date(2024, 6, 10))
    before = asset_until(core, account_id, date(2024, 3, 31))
    core.renew_asset(before, usage_end_on=date(2025, 3, 31), on=date(2024, 3, 20))
    after = asset_until(core, account_id, date(2024, 6, 30))
    core.renew_asset(after, usage_end_on=date(2025, 6, 30), on=date(2024, 7, 1))

    result = kpis(core, early, late, before, after)

    # early: May 1 − May 31 = −30 days; late: Jun 10 − May 31 = +10 days.
    assert result.renewals == 2
    assert result.time_to_renewal_days == -10.0


def test_a_renewal_on_the_usage_end_day_takes_zero_days(
    memory_core: B2BCore, account_id: UUID
) -> None:
    asset_id = asset_until(memory_core, account_id, END)
    memory_core.renew_asset(asset_id, usage_end_on=date(2025, 6, 30), on=END)

    result = kpis(memory_core, asset_id)

    assert (result.renewals, result.time_to_renewal_days) == (1, 0.0)


# -- customer lifetime value --------------------------------------------------


def test_customer_lifetime_value_is_the_contract_value_booked_per_customer(
    memory_core: B2BCore,
) -> None:
    core = memory_core
    alpha = register_account(core, name="alpha", on=date(2022, 12, 1))
    renewed = installed_asset(
        core,
        alpha,
        installed_on=date(2023, 1, 1),
        usage_end_on=date(2023, 12, 31),
        value=krw(10_000_000),
    )
    core.renew_asset(
        renewed,
        usage_end_on=date(2024, 12, 31),
        value=krw(12_000_000),
        on=date(2023, 12, 1),
    )
    upgraded = installed_asset(
        core,
        alpha,
        installed_on=date(2023, 7, 1),
        usage_end_on=None,
        value=krw(6_000_000),
    )
    core.upgrade_asset(
        upgraded, product="Fleet 30", value=krw(8_000_000), on=date(2024, 2, 1)
    )
    dollars = installed_asset(
        core,
        alpha,
        installed_on=date(2024, 1, 10),
        usage_end_on=None,
        value=Money.of(1000, "USD"),
    )
    beta = register_account(core, name="beta", on=date(2022, 12, 1))
    churned = installed_asset(
        core,
        beta,
        installed_on=date(2023, 3, 1),
        usage_end_on=None,
        value=krw(4_000_000),
    )
    core.make_asset_obsolete(
        churned, reason_code=ObsoleteReason.BUDGET, on=date(2024, 3, 1)
    )
    gamma = register_account(core, name="gamma", on=date(2022, 12, 1))
    never_installed = purchase_asset(core, gamma, on=date(2024, 1, 15))
    delta = register_account(core, name="delta", on=date(2022, 12, 1))
    installed_later = installed_asset(
        core, delta, installed_on=date(2024, 7, 10), usage_end_on=None
    )

    result = kpis(
        core, renewed, upgraded, dollars, churned, never_installed, installed_later
    )

    # alpha: Jan 1 2023 → Jun 30 2024 (still a customer) = 365 + 181 days;
    # booked 10M + 12M (renewal) + 6M + 2M (upgrade) and 1,000 USD.
    # beta: Mar 1 2023 → Mar 1 2024 (its only asset gone) = 366 days; 4M.
    assert result.customers == 2
    assert result.customer_lifetime_days == (546 + 366) / 2
    assert result.customer_lifetime_value == Amounts.of(
        [krw(17_000_000), Money.of(1000, "USD")]
    )


def test_customer_lifetime_value_is_rounded_half_even_to_the_minor_unit(
    memory_core: B2BCore,
) -> None:
    ids = [
        installed_asset(
            memory_core,
            register_account(memory_core, name=name),
            installed_on=date(2024, 1, 15),
            usage_end_on=None,
            value=Money.of(Decimal(amount), "USD"),
        )
        for name, amount in (("alpha", "10.00"), ("beta", "10.01"))
    ]

    result = kpis(memory_core, *ids)

    assert result.customer_lifetime_value == Amounts.of([Money.of("10.00", "USD")])


# -- payments and receivables -------------------------------------------------


def test_payment_compliance_is_the_share_paid_on_or_before_the_due_date(
    memory_core: B2BCore, account_id: UUID
) -> None:
    core = memory_core
    # Four installments of 1M due Apr 15, May 15, Jun 15 and Jul 15.
    asset_id = purchase_asset(
        core, account_id, value=krw(4_000_000), on=date(2024, 3, 15)
    )
    core.pay_installment(
        asset_id, number=1, amount=krw(1_000_000), on=date(2024, 4, 15)
    )
    core.pay_installment(
        asset_id, number=2, amount=krw(1_000_000), on=date(2024, 5, 20)
    )
    core.pay_installment(
        asset_id, number=3, amount=krw(1_000_000), on=date(2024, 6, 10)
    )
    core.pay_installment(asset_id, number=4, amount=krw(1_000_000), on=date(2024, 7, 1))
    # One installment due Mar 1, paid Mar 31: before the period.
    earlier = purchase_asset(
        core, account_id, value=krw(1_000_000), installments=1, on=date(2024, 2, 1)
    )
    core.pay_installment(earlier, number=1, amount=krw(1_000_000), on=date(2024, 3, 31))

    result = kpis(core, asset_id, earlier)

    assert (result.payments, result.payments_on_time) == (3, 2)
    assert result.payment_compliance == pytest.approx(2 / 3)


def test_receivables_are_the_installments_unpaid_at_the_end(
    memory_core: B2BCore, account_id: UUID
) -> None:
    core = memory_core
    # Four installments of 1M due Apr 15, May 15, Jun 15 and Jul 15.
    asset_id = purchase_asset(
        core, account_id, value=krw(4_000_000), on=date(2024, 3, 15)
    )
    core.pay_installment(
        asset_id, number=1, amount=krw(1_000_000), on=date(2024, 4, 15)
    )
    core.pay_installment(asset_id, number=2, amount=krw(1_000_000), on=date(2024, 7, 5))
    # One installment of 500 USD due Jun 30, the last day: not yet overdue.
    dollars = purchase_asset(
        core,
        account_id,
        value=Money.of(500, "USD"),
        installments=1,
        on=date(2024, 5, 30),
    )
    obsolete = purchase_asset(core, account_id, value=krw(9_000_000), on=START)
    core.make_asset_obsolete(
        obsolete, reason_code=ObsoleteReason.BUDGET, on=date(2024, 5, 1)
    )
    purchased_later = purchase_asset(
        core, account_id, value=krw(9_000_000), on=date(2024, 7, 10)
    )

    result = kpis(core, asset_id, dollars, obsolete, purchased_later)

    assert result.receivables_outstanding == Amounts.of(
        [krw(3_000_000), Money.of(500, "USD")]
    )
    assert result.receivables_overdue == Amounts.of([krw(2_000_000)])


def test_what_happened_after_the_end_does_not_change_the_figures(
    memory_core: B2BCore, account_id: UUID
) -> None:
    core = memory_core
    renewed_after = asset_until(core, account_id, date(2024, 6, 15))
    core.renew_asset(
        renewed_after,
        usage_end_on=date(2025, 6, 15),
        value=krw(12_000_000),
        on=date(2024, 7, 5),
    )
    obsolete_after = asset_until(core, account_id, None)
    core.upgrade_asset(
        obsolete_after, product="Fleet 30", value=krw(11_000_000), on=date(2024, 5, 1)
    )
    core.make_asset_obsolete(
        obsolete_after, reason_code=ObsoleteReason.SUPPORT, on=date(2024, 7, 1)
    )
    paid_after = purchase_asset(
        core, account_id, value=krw(2_000_000), installments=2, on=date(2024, 4, 20)
    )
    core.pay_installment(
        paid_after, number=1, amount=krw(1_000_000), on=date(2024, 6, 1)
    )
    core.pay_installment(
        paid_after, number=2, amount=krw(1_000_000), on=date(2024, 7, 1)
    )
    ids = (renewed_after, obsolete_after, paid_after)

    now = kpis(core, *ids)
    then = asset_kpis(
        [core.asset(i, as_of=END) for i in ids], start=START, end=END, settings=SETTINGS
    )

    assert now == then
