"""What was true on a business date, read from a view's own history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TypeVar

import attrs

from b2bcore.domain.lifecycle import status_on
from b2bcore.domain.money import Money
from b2bcore.domain.values import (
    AssetStatus,
    DealEdit,
    LeadStatus,
    Outcome,
    TierMove,
)
from b2bcore.domain.views import OpportunityView, TierStint
from b2bcore.reports.records import AssetRecord, DealRecord, LeadRecord

T = TypeVar("T")


def asset_status(asset: AssetRecord, day: date) -> AssetStatus | None:
    """The asset's status on ``day``; None before its purchase."""
    return status_on(
        day,
        purchased_on=asset.purchased_on,
        installed_on=asset.installed_on,
        obsolete_on=asset.obsolete_on,
    )


def is_active(asset: AssetRecord, day: date) -> bool:
    """Installed on or before ``day`` and not obsolete on or before it."""
    return asset_status(asset, day) is AssetStatus.INSTALLED


def usage_end(asset: AssetRecord, day: date) -> date | None:
    """The usage end date in force on ``day`` (renewals after it undone)."""
    end = asset.usage_end_on
    for renewal in reversed(asset.renewals):
        if renewal.renewed_on > day:
            end = renewal.previous_usage_end_on
    return end


def lapsed_from(asset: AssetRecord, day: date, grace_days: int) -> date | None:
    """The usage end the asset has lapsed from on ``day``: it is active on
    ``day`` and its usage end in force passed more than ``grace_days`` before
    it (no renewal, no obsolete record by then); None otherwise."""
    if not is_active(asset, day):
        return None
    end = usage_end(asset, day)
    if end is None or (day - end).days <= grace_days:
        return None
    return end


def in_installed_base(asset: AssetRecord, day: date, grace_days: int) -> bool:
    """Active on ``day`` and not lapsed: what the KPIs count as retained."""
    return is_active(asset, day) and lapsed_from(asset, day, grace_days) is None


def contract_value(asset: AssetRecord, day: date) -> Money:
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


def in_force(current: T, edits: Sequence[DealEdit[T]], day: date) -> T:
    """The value of a deal's term in force on ``day``: ``current`` with the
    ``edits`` made after ``day`` undone."""
    for edit in reversed(edits):
        if edit.changed_on > day:
            current = edit.previous
    return current


def deal_terms(deal: OpportunityView, day: date) -> OpportunityView:
    """``deal`` with the amount, owner and expected close in force on
    ``day`` (what the report tables give a report as of ``day``)."""
    return attrs.evolve(
        deal,
        amount=in_force(deal.amount, deal.amount_edits, day),
        owner=in_force(deal.owner, deal.owner_edits, day),
        expected_close_on=in_force(
            deal.expected_close_on, deal.expected_close_on_edits, day
        ),
    )


def tier(deal: DealRecord, day: date) -> int | None:
    """The deal's tier on ``day`` (0 once closed); None before it opened."""
    current: int | None = None
    for move in deal.tier_history:
        if move.moved_on > day:
            break
        current = move.tier
    return current


def outcome(deal: DealRecord, day: date) -> Outcome | None:
    """How the deal had closed by ``day``; None while open (or not opened)."""
    if deal.closed_on is not None and deal.closed_on <= day:
        return deal.outcome
    return None


def tier_moves(deal: DealRecord, day: date) -> tuple[TierMove, ...]:
    """The deal's tier moves (its opening first) on or before ``day``."""
    return tuple(move for move in deal.tier_history if move.moved_on <= day)


def tier_since(deal: DealRecord, day: date) -> date | None:
    """The day the deal entered the tier it was at on ``day``; None before it
    opened."""
    moves = tier_moves(deal, day)
    return moves[-1].moved_on if moves else None


def stints(deal: DealRecord, day: date) -> tuple[TierStint, ...]:
    """The deal's stays in open tiers as they stood on ``day``: those entered
    by then, a stay left after ``day`` shown as still running."""
    return tuple(
        stint
        if stint.left_on is None or stint.left_on <= day
        else attrs.evolve(stint, left_on=None)
        for stint in deal.stints()
        if stint.entered_on <= day
    )


def usage_ends(asset: AssetRecord, day: date) -> tuple[date, ...]:
    """Every usage end the asset had by ``day``, in order: the one set at
    install, then each set by a renewal on or before ``day``; () when not
    installed by ``day`` or open-ended."""
    if asset.installed_on is None or asset.installed_on > day:
        return ()
    first = (
        asset.renewals[0].previous_usage_end_on
        if asset.renewals
        else asset.usage_end_on
    )
    if first is None:
        return ()
    return (first, *(r.usage_end_on for r in asset.renewals if r.renewed_on <= day))


def cycle_days(deal: DealRecord, day: date) -> int | None:
    """Days from the deal's opening to its close, when closed by ``day``."""
    if deal.closed_on is None or deal.closed_on > day:
        return None
    return (deal.closed_on - deal.opened_on).days


def product(asset: AssetRecord, day: date) -> str:
    """The product the asset was on ``day`` (upgrades after it undone)."""
    current = asset.product
    for upgrade in reversed(asset.upgrades):
        if upgrade.upgraded_on > day:
            current = upgrade.previous_product
    return current


def lead_status(lead: LeadRecord, day: date) -> LeadStatus | None:
    """The lead's status on ``day``: converted or disqualified from the day
    it closed, a sales lead (SQL) from the day it was qualified, else a
    marketing lead (MQL); None before its capture."""
    if lead.captured_on > day:
        return None
    if lead.closed_on is not None and lead.closed_on <= day:
        return lead.status
    if lead.qualified_on is not None and lead.qualified_on <= day:
        return LeadStatus.SQL
    return LeadStatus.MQL
