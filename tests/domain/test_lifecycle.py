"""The asset lifecycle is declared once (``b2bcore.domain.lifecycle``): the
aggregate refuses exactly what it does not accept, and the status on a date
that reports derive follows the same steps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

import pytest

from b2bcore import AssetStatus, B2BCore, BusinessRuleError, Money, ObsoleteReason
from b2bcore.domain.lifecycle import ACCEPTS, LEADS_TO, AssetAction, status_on
from b2bcore.domain.values import UsagePattern
from tests.helpers import purchase_asset, refused, register_account

DAY = date(2024, 6, 1)


def complete_an_inspection(core: B2BCore, asset: UUID) -> None:
    """Complete inspection 1, scheduling it first where the status allows
    (refused there, the lifecycle's refusal is the same)."""
    if core.asset(asset).status is AssetStatus.INSTALLED:
        core.schedule_inspection(asset, due_on=date(2024, 7, 1), on=DAY)
    core.complete_inspection(asset, number=1, on=DAY)


def reverse_a_payment(core: B2BCore, asset: UUID) -> None:
    """Reverse the payment of installment 1, paying it first where the status
    allows (refused there, the lifecycle's refusal is the same)."""
    if core.asset(asset).status is not AssetStatus.OBSOLETE:
        core.pay_installment(asset, number=1, amount=Money.of(5_950_000, "KRW"), on=DAY)
    core.reverse_payment(asset, number=1, reason="bounced", on=DAY)


#: Each action as a command on an asset (arguments valid but for the status).
COMMANDS: dict[AssetAction, Callable[[B2BCore, UUID, UUID], object]] = {
    AssetAction.INSTALL: lambda c, a, _: c.install_asset(
        a, usage_end_on=date(2025, 6, 1), on=DAY
    ),
    AssetAction.RENEW: lambda c, a, _: c.renew_asset(
        a, usage_end_on=date(2026, 6, 1), on=DAY
    ),
    AssetAction.CORRECT_USAGE_END: lambda c, a, _: c.correct_usage_end(
        a, usage_end_on=date(2025, 7, 1), reason="typo", on=DAY
    ),
    AssetAction.UPGRADE: lambda c, a, _: c.upgrade_asset(
        a, product="Fleet Plus", value=Money.of(30_000_000, "KRW"), on=DAY
    ),
    AssetAction.REPLACE: lambda c, a, other: c.replace_asset(
        a, successor_id=other, on=DAY
    ),
    AssetAction.MAKE_OBSOLETE: lambda c, a, _: c.make_asset_obsolete(
        a, reason_code=ObsoleteReason.PRICE, on=DAY
    ),
    AssetAction.SCHEDULE_INSPECTION: lambda c, a, _: c.schedule_inspection(
        a, due_on=date(2024, 7, 1), on=DAY
    ),
    AssetAction.COMPLETE_INSPECTION: lambda c, a, _: complete_an_inspection(c, a),
    AssetAction.RECORD_SATISFACTION: lambda c, a, _: c.record_satisfaction(
        a, score=8, on=DAY
    ),
    AssetAction.RECORD_USAGE: lambda c, a, _: c.record_usage(
        a,
        period=date(2024, 5, 1),
        count=10,
        distance_km=100,
        region="Seoul",
        pattern=UsagePattern.BUSINESS,
        on=DAY,
    ),
    AssetAction.REPORT_COMPETITOR_CONTACT: lambda c, a, _: c.report_competitor_contact(
        a, competitor="Lotte Rental", on=DAY
    ),
    AssetAction.PAY_INSTALLMENT: lambda c, a, _: c.pay_installment(
        a, number=1, amount=Money.of(5_950_000, "KRW"), on=DAY
    ),
    AssetAction.CORRECT: lambda c, a, _: reverse_a_payment(c, a),
    AssetAction.OPEN_RENEWAL_DEAL: lambda c, a, _: c.open_renewal_deal(
        a, on=date(2024, 12, 1)
    ),
}


def asset_in(core: B2BCore, status: AssetStatus) -> tuple[UUID, UUID]:
    account = register_account(core)
    asset, other = purchase_asset(core, account), purchase_asset(core, account)
    if status is not AssetStatus.PURCHASED:
        core.install_asset(asset, usage_end_on=date(2025, 1, 15), on=date(2024, 2, 1))
    if status is AssetStatus.OBSOLETE:
        core.make_asset_obsolete(
            asset, reason_code=ObsoleteReason.BUDGET, on=date(2024, 3, 1)
        )
    return asset, other


def test_every_action_has_a_command() -> None:
    assert set(COMMANDS) == set(AssetAction)


@pytest.mark.parametrize("status", list(AssetStatus), ids=lambda s: s.value)
@pytest.mark.parametrize("action", list(AssetAction), ids=lambda a: a.name)
def test_the_aggregate_refuses_what_the_lifecycle_does_not_accept(
    status: AssetStatus, action: AssetAction
) -> None:
    with B2BCore.open("memory://") as core:
        asset, other = asset_in(core, status)
        if action in ACCEPTS[status]:
            COMMANDS[action](core, asset, other)  # accepted: recorded
            expected = LEADS_TO.get(action, status)
            assert core.asset(asset).status is expected
        else:
            with refused(core, asset, BusinessRuleError, "status"):
                COMMANDS[action](core, asset, other)


def test_the_status_on_a_date_follows_the_steps() -> None:
    steps = {"purchased_on": date(2024, 1, 1), "installed_on": date(2024, 2, 1)}

    assert status_on(date(2023, 12, 31), obsolete_on=None, **steps) is None
    assert status_on(date(2024, 1, 31), obsolete_on=None, **steps) is (
        AssetStatus.PURCHASED
    )
    assert status_on(date(2024, 2, 1), obsolete_on=None, **steps) is (
        AssetStatus.INSTALLED
    )
    assert status_on(date(2024, 3, 1), obsolete_on=date(2024, 3, 1), **steps) is (
        AssetStatus.OBSOLETE
    )
