"""One installed asset and its renewal deals, driven by random commands on
random days (docs/domain.md, "Renewal deals"): an asset has at most one
open renewal deal; a won one renews its asset in the save of the win (the
two events side by side in the log), a lost one makes it obsolete in the
save of the loss, a dropped one leaves it alone; a refusal records
nothing."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from hypothesis import event, given, settings
from hypothesis import strategies as st

from b2bcore import (
    AssetStatus,
    B2BCore,
    B2BCoreError,
    LossReason,
    Money,
)
from b2bcore.domain.asset import Asset
from b2bcore.domain.opportunity import Opportunity
from tests.helpers import purchase_asset, register_account

INSTALLED_ON = date(2024, 2, 1)
USAGE_END = date(2024, 12, 31)

steps = st.lists(
    st.tuples(
        st.sampled_from(["open", "policy", "tier", "win", "lose", "drop", "renew"]),
        st.integers(min_value=0, max_value=20),
        st.integers(min_value=1, max_value=3),
    ),
    max_size=12,
)


def topics_since(core: B2BCore, position: int) -> list[str]:
    """The topics recorded after ``position``, in log order."""
    return [
        n.topic for n in core.event_log.recorder.select_notifications(position + 1, 100)
    ]


def run(
    core: B2BCore,
    action: str,
    asset: UUID,
    deal: UUID | None,
    day: date,
    tier: int,
    reason: LossReason,
) -> tuple[UUID, ...]:
    """Run ``action`` on ``day``; returns the renewal deals it opened."""
    if action == "open":
        return (core.open_renewal_deal(asset, on=day),)
    if action == "policy":
        return core.open_renewal_deals(core.asset(asset).account_id, on=day)
    if action == "renew":
        core.renew_asset(asset, usage_end_on=day + timedelta(days=365), on=day)
        return ()
    assert deal is not None
    if action == "tier":
        core.change_tier(deal, tier=tier, on=day)
    elif action == "win":
        core.win_opportunity(deal, value=Money.of(20_000_000 + tier, "KRW"), on=day)
    elif action == "lose":
        core.lose_opportunity(deal, reason_code=reason, on=day)
    else:
        core.drop_opportunity(deal, reason="r", on=day)
    return ()


@settings(max_examples=100, deadline=None)
@given(steps, st.sampled_from(list(LossReason)), st.integers(250, 300))
def test_renewal_deals_keep_their_asset_in_step(
    actions: list[tuple[str, int, int]], reason: LossReason, start: int
) -> None:
    with B2BCore.open("memory://") as core:
        account = register_account(core)
        asset = purchase_asset(core, account)
        core.install_asset(asset, usage_end_on=USAGE_END, on=INSTALLED_ON)
        day = INSTALLED_ON + timedelta(days=start)
        deals: list[UUID] = []
        for action, days, tier in actions:
            day += timedelta(days=days)
            before, view = core.log_position(), core.asset(asset)
            latest = deals[-1] if deals else None
            if latest is None and action in ("tier", "win", "lose", "drop"):
                continue
            try:
                deals.extend(run(core, action, asset, latest, day, tier, reason))
            except B2BCoreError:
                assert core.log_position() == before, action
                continue
            event(f"{action} recorded")
            after = core.asset(asset)
            recorded = topics_since(core, before)
            if action == "win":
                assert sorted(recorded) == sorted(
                    [Opportunity.Won.TOPIC, Asset.Renewed.TOPIC]
                )
                assert after.usage_end_on is not None
                assert view.usage_end_on is not None
                assert after.usage_end_on > view.usage_end_on
            if action == "lose":
                assert after.status is AssetStatus.OBSOLETE
                expected = [Opportunity.Lost.TOPIC]
                if view.status is not AssetStatus.OBSOLETE:
                    expected.append(Asset.MadeObsolete.TOPIC)
                assert sorted(recorded) == sorted(expected)
            if action == "drop":
                assert after == view
            open_deals = [d for d in deals if core.opportunity(d).is_open]
            assert len(open_deals) <= 1
            assert all(core.opportunity(d).renews_asset_id == asset for d in deals)
