"""Immutable read views of aggregates, as the application API returns them.

Views are values: they never change and never touch the store. Derived facts
that depend on a date (days left, horizon, time in tier) take that date as an
argument: there is no hidden clock.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import attrs

from b2bcore.account import Account
from b2bcore.asset import Asset
from b2bcore.lead import Lead
from b2bcore.money import Money
from b2bcore.opportunity import Opportunity
from b2bcore.values import (
    AssetStatus,
    BusinessLine,
    CompetitorContact,
    ContactChannel,
    Finding,
    Grade,
    Horizon,
    Inspection,
    Installment,
    LeadStatus,
    LossReason,
    MonthlyUsage,
    ObsoleteReason,
    Outcome,
    Payment,
    Postmortem,
    Renewal,
    SalesStage,
    SatisfactionScore,
    Temperature,
    TierMove,
    Upgrade,
    UsagePattern,
    horizon,
)

__all__ = [
    "AccountView",
    "AssetView",
    "LeadView",
    "OpportunityView",
    "TierStint",
    "UsagePattern",
]


@attrs.frozen
class AccountView:
    id: UUID
    version: int
    recorded_at: datetime
    name: str
    grade: Grade
    sector: str
    region: str
    country: str
    business_line: BusinessLine
    preferred_channel: ContactChannel
    registered_on: date

    @classmethod
    def of(cls, account: Account) -> AccountView:
        return cls(
            id=account.id,
            version=account.version,
            recorded_at=account.modified_on,
            name=account.name,
            grade=account.grade,
            sector=account.sector,
            region=account.region,
            country=account.country,
            business_line=account.business_line,
            preferred_channel=account.preferred_channel,
            registered_on=account.registered_on,
        )


@attrs.frozen
class AssetView:
    """An asset as recorded; ``value`` is the current contract value."""

    id: UUID
    version: int
    recorded_at: datetime
    account_id: UUID
    product: str
    order_reference: str
    contact: str
    owner: str
    opportunity_id: UUID | None
    status: AssetStatus
    purchased_on: date
    installed_on: date | None
    usage_end_on: date | None
    value: Money
    installments: tuple[Installment, ...]
    payments: tuple[Payment, ...]
    renewals: tuple[Renewal, ...]
    upgrades: tuple[Upgrade, ...]
    obsolete_on: date | None
    obsolete_reason: ObsoleteReason | None
    obsolete_note: str
    successor_id: UUID | None
    inspections: tuple[Inspection, ...]
    satisfaction: tuple[SatisfactionScore, ...]
    usage: tuple[MonthlyUsage, ...]
    competitor_contacts: tuple[CompetitorContact, ...]

    @classmethod
    def of(cls, asset: Asset) -> AssetView:
        return cls(
            id=asset.id,
            version=asset.version,
            recorded_at=asset.modified_on,
            account_id=asset.account_id,
            product=asset.product,
            order_reference=asset.order_reference,
            contact=asset.contact,
            owner=asset.owner,
            opportunity_id=asset.opportunity_id,
            status=asset.status,
            purchased_on=asset.purchased_on,
            installed_on=asset.installed_on,
            usage_end_on=asset.usage_end_on,
            value=asset.value,
            installments=tuple(asset.installments),
            payments=tuple(asset.payments),
            renewals=tuple(asset.renewals),
            upgrades=tuple(asset.upgrades),
            obsolete_on=asset.obsolete_on,
            obsolete_reason=asset.obsolete_reason,
            obsolete_note=asset.obsolete_note,
            successor_id=asset.successor_id,
            inspections=tuple(asset.inspections),
            satisfaction=tuple(asset.satisfaction),
            usage=tuple(asset.usage),
            competitor_contacts=tuple(asset.competitor_contacts),
        )

    @property
    def is_evergreen(self) -> bool:
        """Installed with no usage end date (an open-ended subscription)."""
        return self.installed_on is not None and self.usage_end_on is None

    @property
    def late_payments(self) -> int:
        return sum(1 for p in self.payments if p.late)

    @property
    def fully_paid(self) -> bool:
        return len(self.payments) == len(self.installments)

    @property
    def paid(self) -> Money:
        return _total(self.value.currency, (p.amount for p in self.payments))

    @property
    def outstanding(self) -> Money:
        """The planned installments not yet paid."""
        paid = {p.number for p in self.payments}
        return _total(
            self.value.currency,
            (i.amount for i in self.installments if i.number not in paid),
        )

    @property
    def payment_compliance(self) -> float | None:
        """Installments paid on time ÷ installments paid; None when none is paid."""
        if not self.payments:
            return None
        return (len(self.payments) - self.late_payments) / len(self.payments)

    def overdue_installments(self, as_of: date) -> tuple[Installment, ...]:
        """Unpaid installments whose due date is before ``as_of``."""
        paid = {p.number for p in self.payments}
        return tuple(
            i for i in self.installments if i.number not in paid and i.due_on < as_of
        )

    def days_left(self, as_of: date) -> int | None:
        """Days from ``as_of`` to the usage end (negative once past); None when
        open-ended or not installed."""
        if self.usage_end_on is None:
            return None
        return (self.usage_end_on - as_of).days


def _total(currency: str, amounts: object) -> Money:
    total = Money.zero(currency)
    for amount in amounts:  # type: ignore[attr-defined]
        total = total + amount
    return total


@attrs.frozen
class LeadView:
    id: UUID
    version: int
    recorded_at: datetime
    company: str
    source: str
    temperature: Temperature
    contact: str | None
    need: str | None
    account_id: UUID | None
    status: LeadStatus
    captured_on: date
    qualified_on: date | None
    closed_on: date | None
    disqualified_reason: str | None
    opportunity_id: UUID | None

    @classmethod
    def of(cls, lead: Lead) -> LeadView:
        return cls(
            id=lead.id,
            version=lead.version,
            recorded_at=lead.modified_on,
            company=lead.company,
            source=lead.source,
            temperature=lead.temperature,
            contact=lead.contact,
            need=lead.need,
            account_id=lead.account_id,
            status=lead.status,
            captured_on=lead.captured_on,
            qualified_on=lead.qualified_on,
            closed_on=lead.closed_on,
            disqualified_reason=lead.disqualified_reason,
            opportunity_id=lead.opportunity_id,
        )


@attrs.frozen
class TierStint:
    """A stay in one tier: from ``entered_on`` until ``left_on`` (None while
    still there)."""

    tier: int
    stage: SalesStage
    entered_on: date
    left_on: date | None

    def days(self, as_of: date) -> int:
        return ((self.left_on or as_of) - self.entered_on).days


@attrs.frozen
class OpportunityView:
    id: UUID
    version: int
    recorded_at: datetime
    account_id: UUID | None
    name: str
    amount: Money
    owner: str
    business_line: BusinessLine
    region: str
    country: str
    product: str
    expected_close_on: date
    competitors: tuple[str, ...]
    lead_id: UUID | None
    opened_on: date
    tier: int
    stage: SalesStage
    tier_since: date
    tier_history: tuple[TierMove, ...]
    gates_reviewed: tuple[int, ...]
    gates_passed: tuple[int, ...]
    failed_gate: int | None
    findings: tuple[Finding, ...]
    outcome: Outcome | None
    closed_on: date | None
    close_reason: str | None
    won_value: Money | None
    asset_ids: tuple[UUID, ...]
    loss_reason: LossReason | None
    lost_to: str | None
    postmortem: Postmortem | None

    @classmethod
    def of(cls, deal: Opportunity) -> OpportunityView:
        return cls(
            id=deal.id,
            version=deal.version,
            recorded_at=deal.modified_on,
            account_id=deal.account_id,
            name=deal.name,
            amount=deal.amount,
            owner=deal.owner,
            business_line=deal.business_line,
            region=deal.region,
            country=deal.country,
            product=deal.product,
            expected_close_on=deal.expected_close_on,
            competitors=tuple(deal.competitors),
            lead_id=deal.lead_id,
            opened_on=deal.opened_on,
            tier=deal.tier,
            stage=deal.stage,
            tier_since=deal.tier_since,
            tier_history=tuple(deal.tier_history),
            gates_reviewed=tuple(deal.gates_reviewed),
            gates_passed=tuple(deal.gates_passed),
            failed_gate=deal.failed_gate,
            findings=tuple(deal.findings),
            outcome=deal.outcome,
            closed_on=deal.closed_on,
            close_reason=deal.close_reason,
            won_value=deal.won_value,
            asset_ids=tuple(deal.asset_ids),
            loss_reason=deal.loss_reason,
            lost_to=deal.lost_to,
            postmortem=deal.postmortem,
        )

    @property
    def is_open(self) -> bool:
        return self.outcome is None

    @property
    def open_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.is_open)

    def horizon(self, as_of: date) -> Horizon:
        return horizon(self.expected_close_on, as_of)

    def days_in_tier(self, as_of: date) -> int:
        """Days since the last tier move (the stagnation measure)."""
        return (as_of - self.tier_since).days

    def stints(self) -> tuple[TierStint, ...]:
        """Each stay in an open tier, in order (Tier 0 is terminal, not a stay)."""
        moves = self.tier_history
        return tuple(
            TierStint(
                tier=move.tier,
                stage=move.stage,
                entered_on=move.moved_on,
                left_on=moves[i + 1].moved_on if i + 1 < len(moves) else None,
            )
            for i, move in enumerate(moves)
            if move.tier != 0
        )

    def days_in_tiers(self, as_of: date) -> dict[int, int]:
        """Total days spent in each open tier, up to ``as_of`` if still open."""
        totals: dict[int, int] = {}
        for stint in self.stints():
            totals[stint.tier] = totals.get(stint.tier, 0) + stint.days(as_of)
        return totals
