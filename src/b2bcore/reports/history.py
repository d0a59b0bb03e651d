"""Account history: every asset and deal of an account as it stood on a
date."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from uuid import UUID

import attrs

from b2bcore.domain.money import Money
from b2bcore.domain.values import AssetStatus, ObsoleteReason, Outcome
from b2bcore.domain.views import AccountView, AssetView, OpportunityView
from b2bcore.reports import asof


@attrs.frozen
class AssetOnDate:
    """An asset as it stood on the history's date."""

    asset_id: UUID
    product: str
    owner: str
    purchased_on: date
    status: AssetStatus
    #: The usage end in force; None until installed, or when open-ended.
    usage_end_on: date | None
    #: The contract value in force.
    value: Money
    #: Why it left the installed base, once obsolete.
    obsolete_reason: ObsoleteReason | None


@attrs.frozen
class DealOnDate:
    """A deal as it stood on the history's date."""

    deal_id: UUID
    name: str
    product: str
    owner: str
    opened_on: date
    amount: Money
    #: The tier it was at (0 once closed).
    tier: int
    #: Set once it had closed by the date.
    outcome: Outcome | None
    closed_on: date | None
    won_value: Money | None


@attrs.frozen
class AccountHistory:
    account: AccountView
    as_of: date
    #: By purchase date, then id.
    assets: tuple[AssetOnDate, ...]
    #: By opening date, then id.
    deals: tuple[DealOnDate, ...]


def account_history(
    account: AccountView,
    assets: Iterable[AssetView],
    deals: Iterable[OpportunityView],
    *,
    as_of: date,
) -> AccountHistory:
    """The account's assets purchased and deals opened on or before
    ``as_of``, each in its state on that date; assets and deals of other
    accounts are ignored. ``account`` is reported as given: pass the view
    as of ``as_of`` for its attributes on that date."""
    return AccountHistory(
        account=account,
        as_of=as_of,
        assets=tuple(
            sorted(
                (
                    _asset_on(asset, as_of)
                    for asset in assets
                    if asset.account_id == account.id and asset.purchased_on <= as_of
                ),
                key=lambda a: (a.purchased_on, str(a.asset_id)),
            )
        ),
        deals=tuple(
            sorted(
                (
                    _deal_on(deal, as_of)
                    for deal in deals
                    if deal.account_id == account.id and deal.opened_on <= as_of
                ),
                key=lambda d: (d.opened_on, str(d.deal_id)),
            )
        ),
    )


def _asset_on(asset: AssetView, day: date) -> AssetOnDate:
    status = asof.asset_status(asset, day)
    assert status is not None
    return AssetOnDate(
        asset_id=asset.id,
        product=asof.product(asset, day),
        owner=asset.owner,
        purchased_on=asset.purchased_on,
        status=status,
        usage_end_on=None
        if status is AssetStatus.PURCHASED
        else asof.usage_end(asset, day),
        value=asof.contract_value(asset, day),
        obsolete_reason=asset.obsolete_reason
        if status is AssetStatus.OBSOLETE
        else None,
    )


def _deal_on(deal: OpportunityView, day: date) -> DealOnDate:
    deal = asof.deal_terms(deal, day)
    tier = asof.tier(deal, day)
    assert tier is not None
    outcome = asof.outcome(deal, day)
    return DealOnDate(
        deal_id=deal.id,
        name=deal.name,
        product=deal.product,
        owner=deal.owner,
        opened_on=deal.opened_on,
        amount=deal.amount,
        tier=tier,
        outcome=outcome,
        closed_on=deal.closed_on if outcome else None,
        won_value=deal.won_value if outcome is Outcome.WON else None,
    )
