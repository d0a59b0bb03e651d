"""Policies: events that other events cause, recorded in the same save.

A won deal's order creates its assets: each line becomes an asset purchased
on the day of the win, linked to the deal, caused by its ``Won`` event. Asset
ids derive from the deal and the line, so a retried win cannot create twins.

A renewal deal is opened for an asset and linked to it in one save, at most
one open at a time; winning it renews the asset and losing it ends the
asset's life, each in the save of the win or the loss (docs/domain.md,
"Renewal deals").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import cast
from uuid import UUID

from b2bcore.domain.account import Account
from b2bcore.domain.aggregate import DomainAggregate, Provenance, event_id
from b2bcore.domain.asset import Asset
from b2bcore.domain.errors import BusinessRuleError, ValidationError
from b2bcore.domain.ids import order_line_id
from b2bcore.domain.money import Money
from b2bcore.domain.opportunity import DEFAULT_RULES, Opportunity
from b2bcore.domain.review_board import ReviewBoardRules
from b2bcore.domain.values import (
    AssetStatus,
    LossReason,
    ObsoleteReason,
    OrderLine,
    SalesStage,
)


def win_with_order(
    deal: Opportunity,
    *,
    value: Money,
    order: Sequence[OrderLine],
    on: date,
    meta: Provenance,
    upsell: bool = False,
    rules: ReviewBoardRules = DEFAULT_RULES,
    renewed: Asset | None = None,
    usage_end_on: date | None = None,
) -> list[Asset]:
    """Win ``deal`` at ``value`` under the board's ``rules`` and return the
    assets its ``order`` creates (``upsell`` when they add to what the
    account had): save them with the deal, in one save. A renewal deal
    renews the asset it names, ``renewed`` (save it too), at ``value`` to
    ``usage_end_on`` (default: ``Asset.next_term_end``)."""
    if order and deal.account_id is None:
        raise ValidationError(
            deal.subject, "order", "a deal with an unknown account creates no assets"
        )
    if deal.renews_asset_id != (None if renewed is None else renewed.id):
        raise ValidationError(
            deal.subject, "renews_asset_id", "a renewal deal renews the asset it names"
        )
    if renewed is None and usage_end_on is not None:
        raise ValidationError(
            deal.subject, "usage_end_on", "only a renewal deal renews an asset"
        )
    asset_ids = [order_line_id(deal.id, n) for n in range(1, len(order) + 1)]
    deal.win(on=on, value=value, asset_ids=asset_ids, rules=rules, meta=meta)
    if renewed is not None:
        renewed.renew(
            on=on,
            usage_end_on=usage_end_on or renewed.next_term_end(),
            value=value,
            meta=_caused_by(deal, meta),
        )
    if not order:
        return []
    assert deal.account_id is not None
    caused = _caused_by(deal, meta)
    return [
        Asset.purchase(
            asset_id,
            account_id=deal.account_id,
            product=line.product,
            order_reference=line.order_reference,
            contact=line.contact,
            value=line.value,
            installments=line.installments,
            owner=deal.owner,
            opportunity_id=deal.id,
            upsell=upsell,
            on=on,
            meta=caused,
        )
        for asset_id, line in zip(asset_ids, order, strict=True)
    ]


def _caused_by(deal: Opportunity, meta: Provenance) -> Provenance:
    """The provenance of what the deal's event just recorded causes."""
    return Provenance(
        actor=meta.actor,
        reason=meta.reason,
        correlation_id=meta.correlation_id or deal.id,
        causation_id=event_id(cast(DomainAggregate.Event, deal.pending_events[-1])),
    )


def open_renewal_deal(
    asset: Asset,
    account: Account,
    *,
    deal_id: UUID,
    previous: Opportunity | None,
    on: date,
    meta: Provenance,
    days_before: int,
    days_after: int,
    name: str | None = None,
    amount: Money | None = None,
    owner: str | None = None,
    expected_close_on: date | None = None,
    tier: int = 4,
    stage: SalesStage | None = None,
    competitors: Sequence[str] = (),
) -> Opportunity:
    """Open the deal renewing ``asset`` (of ``account``) and link it to the
    asset, within the renewal window, while ``previous`` (the asset's latest
    renewal deal) is not open; save both in one save. The deal takes the
    account's dimensions and the asset's product; its name, amount, owner
    and expected close default to "Renewal of <product>", the asset's value,
    its owner and its usage end."""
    if previous is not None and previous.is_open:
        raise BusinessRuleError(
            asset.subject,
            "renewal_deal_id",
            f"renewal deal {previous.id} is still open at tier {previous.tier}: "
            "win, lose or drop it first",
        )
    if amount is not None and amount.currency != asset.value.currency:
        raise ValidationError(
            asset.subject,
            "amount",
            f"currency {amount.currency} differs from the asset's "
            f"{asset.value.currency}",
        )
    if previous is not None and previous.closed_on and on < previous.closed_on:
        raise BusinessRuleError(
            asset.subject,
            "on",
            f"{on} is before renewal deal {previous.id} closed on {previous.closed_on}",
        )
    deal = Opportunity.open(
        deal_id,
        account_id=asset.account_id,
        name=f"Renewal of {asset.product}" if name is None else name,
        amount=asset.value if amount is None else amount,
        owner=asset.owner if owner is None else owner,
        business_line=account.business_line,
        region=account.region,
        country=account.country,
        product=asset.product,
        expected_close_on=(
            (asset.usage_end_on or on)
            if expected_close_on is None
            else expected_close_on
        ),
        tier=tier,
        stage=stage,
        competitors=competitors,
        renews_asset_id=asset.id,
        on=on,
        meta=meta,
    )
    asset.open_renewal_deal(
        on=on,
        opportunity_id=deal.id,
        days_before=days_before,
        days_after=days_after,
        meta=meta,
    )
    return deal


#: The churn reason a lost renewal deal gives its asset.
OBSOLETE_REASON: dict[LossReason, ObsoleteReason] = {
    LossReason.PRICE: ObsoleteReason.PRICE,
    LossReason.BUDGET: ObsoleteReason.BUDGET,
    LossReason.COMPETITOR: ObsoleteReason.COMPETITOR,
    LossReason.FEATURES: ObsoleteReason.FEATURES,
    LossReason.SUPPORT: ObsoleteReason.SUPPORT,
    LossReason.TIMING: ObsoleteReason.OTHER,
    LossReason.NO_DECISION: ObsoleteReason.OTHER,
    LossReason.UNKNOWN: ObsoleteReason.UNKNOWN,
    LossReason.OTHER: ObsoleteReason.OTHER,
}


def lose_renewal(
    deal: Opportunity,
    asset: Asset,
    *,
    reason_code: LossReason,
    competitor: str | None,
    on: date,
    meta: Provenance,
) -> None:
    """Lose the renewal ``deal`` and end ``asset``'s life for the reason
    ``OBSOLETE_REASON`` gives, caused by the loss (an asset already obsolete
    stays as it is). Save both in one save."""
    assert deal.renews_asset_id == asset.id
    deal.lose(on=on, reason_code=reason_code, competitor=competitor, meta=meta)
    if asset.status is AssetStatus.OBSOLETE:
        return
    to = f" to {competitor}" if competitor else ""
    asset.make_obsolete(
        on=on,
        reason_code=OBSOLETE_REASON[reason_code],
        note=f"renewal deal {deal.id} lost{to} ({reason_code.value})",
        meta=_caused_by(deal, meta),
    )
