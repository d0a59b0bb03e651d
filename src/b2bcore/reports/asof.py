"""What was true on a business date, read from a view's own history."""

from __future__ import annotations

from datetime import date

from b2bcore.money import Money
from b2bcore.values import AssetStatus, Outcome
from b2bcore.views import AssetView, OpportunityView


def asset_status(asset: AssetView, day: date) -> AssetStatus | None:
    """The asset's status on ``day``; None before its purchase."""
    if day < asset.purchased_on:
        return None
    if asset.obsolete_on is not None and asset.obsolete_on <= day:
        return AssetStatus.OBSOLETE
    if asset.installed_on is not None and asset.installed_on <= day:
        return AssetStatus.INSTALLED
    return AssetStatus.PURCHASED


def is_active(asset: AssetView, day: date) -> bool:
    """Installed on or before ``day`` and not obsolete on or before it."""
    return asset_status(asset, day) is AssetStatus.INSTALLED


def usage_end(asset: AssetView, day: date) -> date | None:
    """The usage end date in force on ``day`` (renewals after it undone)."""
    end = asset.usage_end_on
    for renewal in reversed(asset.renewals):
        if renewal.renewed_on > day:
            end = renewal.previous_usage_end_on
    return end


def contract_value(asset: AssetView, day: date) -> Money:
    """The contract value in force on ``day`` (renewals and upgrades after
    it undone)."""
    changes = sorted(
        [(r.renewed_on, r.previous_value, r.value) for r in asset.renewals]
        + [(u.upgraded_on, u.previous_value, u.value) for u in asset.upgrades],
        key=lambda change: change[0],
    )
    value = asset.value
    for changed_on, previous, _ in reversed(changes):
        if changed_on > day:
            value = previous
    return value


def tier(deal: OpportunityView, day: date) -> int | None:
    """The deal's tier on ``day`` (0 once closed); None before it opened."""
    current: int | None = None
    for move in deal.tier_history:
        if move.moved_on > day:
            break
        current = move.tier
    return current


def outcome(deal: OpportunityView, day: date) -> Outcome | None:
    """How the deal had closed by ``day``; None while open (or not opened)."""
    if deal.closed_on is not None and deal.closed_on <= day:
        return deal.outcome
    return None
