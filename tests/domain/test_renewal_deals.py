"""Renewal deals (docs/domain.md, "Renewal deals"): a deal opened for an
installed asset within its renewal window, one open at a time; winning it
renews the asset and losing it ends the asset's life, each in one save."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID

import pytest

from b2bcore import (
    AssetStatus,
    B2BCore,
    BusinessRuleError,
    LossReason,
    Money,
    ObsoleteReason,
    ValidationError,
)
from b2bcore.domain.aggregate import event_id
from b2bcore.domain.asset import Asset
from b2bcore.domain.ids import renewal_deal_id
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.policies import OBSOLETE_REASON
from b2bcore.domain.values import Outcome
from tests.helpers import purchase_asset, refused, register_account, stored_events

INSTALLED_ON = date(2024, 2, 1)
USAGE_END = date(2025, 1, 31)
#: 90 days before the usage end: the window opens.
WINDOW_OPENS = date(2024, 11, 2)
KRW = "KRW"


@pytest.fixture
def asset(memory_core: B2BCore) -> UUID:
    """An installed asset of 23,800,000 KRW whose usage ends on 31 Jan 2025."""
    account = register_account(memory_core)
    asset_id = purchase_asset(memory_core, account)
    memory_core.install_asset(asset_id, usage_end_on=USAGE_END, on=INSTALLED_ON)
    return asset_id


def test_a_renewal_deal_takes_the_asset_s_terms_and_is_linked_to_it(
    memory_core: B2BCore, asset: UUID
) -> None:
    deal_id = memory_core.open_renewal_deal(asset, on=WINDOW_OPENS)

    deal = memory_core.opportunity(deal_id)
    assert deal_id == renewal_deal_id(asset, None)
    assert (deal.renews_asset_id, deal.account_id) == (
        asset,
        memory_core.asset(asset).account_id,
    )
    assert (deal.name, deal.amount, deal.owner, deal.expected_close_on) == (
        "Renewal of Fleet subscription",
        Money.of(23_800_000, KRW),
        "park",
        USAGE_END,
    )
    assert (deal.tier, deal.region, deal.country) == (4, "Seoul", "KR")
    view = memory_core.asset(asset)
    assert (view.renewal_deal_id, view.renewal_deal_for) == (deal_id, USAGE_END)


@pytest.mark.parametrize(
    "on", [date(2024, 11, 1), date(2025, 3, 3)], ids=["too early", "lapsed"]
)
def test_a_renewal_deal_outside_the_window_is_refused(
    memory_core: B2BCore, asset: UUID, on: date
) -> None:
    with refused(memory_core, asset, BusinessRuleError, "on"):
        memory_core.open_renewal_deal(asset, on=on)


def test_the_window_closes_when_the_asset_lapses(
    memory_core: B2BCore, asset: UUID
) -> None:
    """Until the lapse grace (30 days) after the usage end."""
    memory_core.open_renewal_deal(asset, on=date(2025, 3, 2))


def test_a_second_open_renewal_deal_is_refused(
    memory_core: B2BCore, asset: UUID
) -> None:
    memory_core.open_renewal_deal(asset, on=WINDOW_OPENS)

    with refused(memory_core, asset, BusinessRuleError, "renewal_deal_id"):
        memory_core.open_renewal_deal(asset, on=date(2024, 11, 10))


def test_after_a_dropped_one_another_may_be_opened_but_not_before_the_drop(
    memory_core: B2BCore, asset: UUID
) -> None:
    first = memory_core.open_renewal_deal(asset, on=WINDOW_OPENS)
    memory_core.drop_opportunity(first, reason="buyer left", on=date(2024, 11, 20))

    assert memory_core.asset(asset).status is AssetStatus.INSTALLED
    with refused(memory_core, asset, BusinessRuleError, "on"):
        memory_core.open_renewal_deal(asset, on=date(2024, 11, 19))
    second = memory_core.open_renewal_deal(asset, on=date(2024, 11, 20))
    assert second == renewal_deal_id(asset, first)


@pytest.mark.parametrize("status", ["purchased", "obsolete"])
def test_a_renewal_deal_for_an_asset_not_installed_is_refused(
    memory_core: B2BCore, status: str
) -> None:
    asset = purchase_asset(memory_core, register_account(memory_core))
    if status == "obsolete":
        memory_core.install_asset(asset, usage_end_on=USAGE_END, on=INSTALLED_ON)
        memory_core.make_asset_obsolete(
            asset, reason_code=ObsoleteReason.BUDGET, on=date(2024, 10, 1)
        )

    with refused(memory_core, asset, BusinessRuleError, "status"):
        memory_core.open_renewal_deal(asset, on=WINDOW_OPENS)


def test_an_open_ended_asset_has_no_renewal_deal(memory_core: B2BCore) -> None:
    asset = purchase_asset(memory_core, register_account(memory_core))
    memory_core.install_asset(asset, usage_end_on=None, on=INSTALLED_ON)

    with refused(memory_core, asset, BusinessRuleError, "usage_end_on"):
        memory_core.open_renewal_deal(asset, on=WINDOW_OPENS)


def test_a_usage_ending_on_the_calendar_s_last_day_has_a_renewal_deal(
    memory_core: B2BCore,
) -> None:
    """Its renewal window and its next term run past 9999-12-31: they end
    there (opening the deal was an OverflowError, a 422 naming no field);
    a win cannot extend the usage past it, and says so."""
    asset = purchase_asset(memory_core, register_account(memory_core))
    memory_core.install_asset(asset, usage_end_on=date.max, on=INSTALLED_ON)

    deal = memory_core.open_renewal_deal(asset, on=date.max)

    assert memory_core.opportunity(deal).renews_asset_id == asset
    with refused(memory_core, deal, BusinessRuleError, "usage_end_on"):
        memory_core.win_opportunity(deal, value=Money.of(23_800_000, KRW), on=date.max)


def test_a_renewal_deal_in_another_currency_is_refused(
    memory_core: B2BCore, asset: UUID
) -> None:
    with refused(memory_core, asset, ValidationError, "amount"):
        memory_core.open_renewal_deal(
            asset, amount=Money.of(20_000, "USD"), on=WINDOW_OPENS
        )


def test_winning_renews_the_asset_in_the_same_save(
    memory_core: B2BCore, asset: UUID
) -> None:
    deal = memory_core.open_renewal_deal(asset, on=WINDOW_OPENS)
    before = memory_core.log_position()

    created = memory_core.win_opportunity(
        deal, value=Money.of(25_000_000, KRW), on=date(2024, 12, 10)
    )

    assert created == ()
    view = memory_core.asset(asset)
    # One more term of the first one's length: 365 days.
    assert view.usage_end_on == date(2026, 1, 31)
    assert view.value == Money.of(25_000_000, KRW)
    assert view.renewals[-1].renewed_on == date(2024, 12, 10)
    assert memory_core.log_position() == before + 2
    won = stored_events(memory_core, deal)[-1]
    renewed = stored_events(memory_core, asset)[-1]
    assert isinstance(won, Opportunity.Won)
    assert isinstance(renewed, Asset.Renewed)
    assert renewed.causation_id == event_id(won)


def test_a_win_may_name_the_new_usage_end(memory_core: B2BCore, asset: UUID) -> None:
    deal = memory_core.open_renewal_deal(asset, on=WINDOW_OPENS)

    memory_core.win_opportunity(
        deal,
        value=Money.of(23_800_000, KRW),
        usage_end_on=date(2027, 1, 31),
        on=date(2024, 12, 10),
    )

    assert memory_core.asset(asset).usage_end_on == date(2027, 1, 31)


def test_a_win_the_asset_refuses_records_nothing(
    memory_core: B2BCore, asset: UUID
) -> None:
    deal = memory_core.open_renewal_deal(asset, on=WINDOW_OPENS)

    with refused(memory_core, asset, BusinessRuleError, "usage_end_on"):
        memory_core.win_opportunity(
            deal,
            value=Money.of(23_800_000, KRW),
            usage_end_on=date(2025, 1, 1),
            on=date(2024, 12, 10),
        )
    assert memory_core.opportunity(deal).is_open


def test_only_a_renewal_deal_takes_a_usage_end(memory_core: B2BCore) -> None:
    deal = memory_core.open_opportunity(
        account_id=None,
        name="Fleet",
        amount=Money.of(1_000, KRW),
        owner="park",
        business_line=memory_core.account(register_account(memory_core)).business_line,
        region="Seoul",
        country="KR",
        product="Fleet",
        expected_close_on=date(2024, 12, 31),
        on=date(2024, 10, 1),
    )

    with refused(memory_core, deal, ValidationError, "usage_end_on"):
        memory_core.win_opportunity(
            deal,
            value=Money.of(1_000, KRW),
            usage_end_on=date(2025, 1, 1),
            on=date(2024, 10, 2),
        )


def test_losing_makes_the_asset_obsolete_in_the_same_save(
    memory_core: B2BCore, asset: UUID
) -> None:
    deal = memory_core.open_renewal_deal(asset, on=WINDOW_OPENS)

    memory_core.lose_opportunity(
        deal,
        reason_code=LossReason.COMPETITOR,
        competitor="Lotte Rental",
        on=date(2024, 12, 10),
    )

    view = memory_core.asset(asset)
    assert (view.status, view.obsolete_on, view.obsolete_reason) == (
        AssetStatus.OBSOLETE,
        date(2024, 12, 10),
        ObsoleteReason.COMPETITOR,
    )
    assert view.obsolete_note == (
        f"renewal deal {deal} lost to Lotte Rental (competitor)"
    )
    lost = stored_events(memory_core, deal)[-1]
    assert stored_events(memory_core, asset)[-1].causation_id == event_id(lost)


def test_every_loss_reason_gives_a_churn_reason() -> None:
    assert set(OBSOLETE_REASON) == set(LossReason)
    assert ObsoleteReason.REPLACED not in OBSOLETE_REASON.values()


def test_losing_when_the_asset_is_already_obsolete_only_loses_the_deal(
    memory_core: B2BCore, asset: UUID
) -> None:
    deal = memory_core.open_renewal_deal(asset, on=WINDOW_OPENS)
    memory_core.make_asset_obsolete(
        asset, reason_code=ObsoleteReason.BUDGET, on=date(2024, 11, 5)
    )

    memory_core.lose_opportunity(
        deal, reason_code=LossReason.PRICE, on=date(2024, 11, 6)
    )

    assert memory_core.opportunity(deal).outcome is Outcome.LOST
    assert memory_core.asset(asset).obsolete_reason is ObsoleteReason.BUDGET


def test_the_policy_opens_each_due_asset_s_deal_once(
    memory_core: B2BCore, asset: UUID
) -> None:
    account = memory_core.asset(asset).account_id
    later = purchase_asset(memory_core, account)
    memory_core.install_asset(later, usage_end_on=date(2025, 6, 30), on=INSTALLED_ON)

    assert memory_core.open_renewal_deals(account, on=date(2024, 11, 1)) == ()
    opened = memory_core.open_renewal_deals(account, on=WINDOW_OPENS)

    assert opened == (renewal_deal_id(asset, None),)
    assert memory_core.open_renewal_deals(account, on=date(2024, 11, 3)) == ()
    memory_core.drop_opportunity(opened[0], reason="wait", on=date(2024, 11, 4))
    # Dropped by someone: the policy does not reopen a deal for the same term.
    assert memory_core.open_renewal_deals(account, on=date(2024, 11, 5)) == ()


def test_the_renewal_queue_shows_the_open_deal_and_its_tier(
    memory_core: B2BCore, asset: UUID
) -> None:
    deal = memory_core.open_renewal_deal(asset, on=WINDOW_OPENS)
    memory_core.change_tier(deal, tier=2, on=date(2024, 11, 20))

    def linked(day: date) -> list[tuple[UUID | None, int | None]]:
        return [
            (i.deal_id, i.deal_tier)
            for i in memory_core.renewal_queue(as_of=day, within=120)
        ]

    assert linked(date(2024, 11, 1)) == [(None, None)]
    assert linked(date(2024, 11, 10)) == [(deal, 4)]
    assert linked(date(2024, 11, 25)) == [(deal, 2)]
    memory_core.drop_opportunity(deal, reason="wait", on=date(2024, 12, 1))
    assert linked(date(2024, 12, 1)) == [(None, None)]
    assert linked(date(2024, 11, 30)) == [(deal, 2)]


def test_an_opened_event_recorded_before_renewal_deals_reads_as_none(
    memory_core: B2BCore, asset: UUID
) -> None:
    """``renews_asset_id`` has a default: no upcaster, no version."""
    deal = memory_core.open_renewal_deal(asset, on=WINDOW_OPENS)
    (opened,) = [
        e for e in stored_events(memory_core, deal) if isinstance(e, Opportunity.Opened)
    ]
    mapper = memory_core.event_log.mapper
    state = mapper.transcoder.decode(mapper.to_stored_event(opened).state)
    del state["renews_asset_id"]
    stored = replace(
        mapper.to_stored_event(opened), state=mapper.transcoder.encode(state)
    )

    event = mapper.to_domain_event(stored)

    assert isinstance(event, Opportunity.Opened)
    assert event.renews_asset_id is None


def test_an_asset_snapshot_of_version_1_reads_with_no_renewal_deal(
    memory_core: B2BCore, asset: UUID
) -> None:
    snapshot = Asset.Snapshot.take(memory_core.event_log.repository.get(asset))
    state = dict(snapshot.state)
    assert state.pop("class_version") == 2
    del state["renewal_deal_id"], state["renewal_deal_for"]

    restored = replace(snapshot, state=state).mutate(None)

    assert isinstance(restored, Asset)
    assert (restored.renewal_deal_id, restored.renewal_deal_for) == (None, None)
