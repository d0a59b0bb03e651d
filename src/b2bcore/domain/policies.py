"""Policies: events that other events cause, recorded in the same save.

A won deal's order creates its assets: each line becomes an asset purchased
on the day of the win, linked to the deal, caused by its ``Won`` event. Asset
ids derive from the deal and the line, so a retried win cannot create twins.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from b2bcore.domain.aggregate import Provenance, event_id
from b2bcore.domain.asset import Asset
from b2bcore.domain.errors import ValidationError
from b2bcore.domain.ids import order_line_id
from b2bcore.domain.money import Money
from b2bcore.domain.opportunity import DEFAULT_RULES, Opportunity
from b2bcore.domain.review_board import ReviewBoardRules
from b2bcore.domain.values import OrderLine


def win_with_order(
    deal: Opportunity,
    *,
    value: Money,
    order: Sequence[OrderLine],
    on: date,
    meta: Provenance,
    upsell: bool = False,
    rules: ReviewBoardRules = DEFAULT_RULES,
) -> list[Asset]:
    """Win ``deal`` at ``value`` under the board's ``rules`` and return the
    assets its ``order`` creates (``upsell`` when they add to what the
    account had): save them with the deal, in one save."""
    if order and deal.account_id is None:
        raise ValidationError(
            deal.subject, "order", "a deal with an unknown account creates no assets"
        )
    asset_ids = [order_line_id(deal.id, n) for n in range(1, len(order) + 1)]
    deal.win(on=on, value=value, asset_ids=asset_ids, rules=rules, meta=meta)
    if not order:
        return []
    assert deal.account_id is not None
    won = deal.pending_events[-1]
    assert isinstance(won, Opportunity.Won)
    caused = Provenance(
        actor=meta.actor,
        reason=meta.reason,
        correlation_id=meta.correlation_id or deal.id,
        causation_id=event_id(won),
    )
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
