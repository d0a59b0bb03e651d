"""Immutable read views of aggregates, as the application API returns them.

Views are values: they never change and never touch the store. Derived facts
that depend on a date (days left, horizon, time in tier) take that date as an
argument: there is no hidden clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

import attrs

from b2bcore.domain.account import Account
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.asset import Asset
from b2bcore.domain.feedback import Feedback
from b2bcore.domain.lead import Lead
from b2bcore.domain.money import Money
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.values import (
    AmountEdit,
    AssetStatus,
    BusinessLine,
    CompetitorContact,
    Contact,
    ContactChannel,
    ExpectedCloseEdit,
    FeedbackCategory,
    FeedbackKind,
    Finding,
    GateRecord,
    GateReview,
    Grade,
    Horizon,
    Inspection,
    Installment,
    LeadStatus,
    LossReason,
    MonthlyUsage,
    ObsoleteReason,
    Outcome,
    OwnerEdit,
    Payment,
    Postmortem,
    Profitability,
    Renewal,
    SalesStage,
    SatisfactionScore,
    Severity,
    Temperature,
    TierMove,
    Upgrade,
    horizon,
)

V = TypeVar("V")


def _view_of(cls: type[V], aggregate: DomainAggregate) -> V:
    """A ``cls`` view of ``aggregate``: its fields read from the aggregate's
    attributes of the same names (lists frozen into tuples), plus its id,
    version and the time its last event was recorded."""
    state: dict[str, Any] = {
        "id": aggregate.id,
        "version": aggregate.version,
        "recorded_at": aggregate.modified_on,
    }
    for field in attrs.fields(cls):  # type: ignore[arg-type]
        if field.name not in state:
            value = getattr(aggregate, field.name)
            state[field.name] = tuple(value) if isinstance(value, list) else value
    return cls(**state)


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
        return _view_of(cls, account)


@attrs.frozen
class AssetView:
    """An asset as recorded; ``value`` is the current contract value."""

    id: UUID
    version: int
    recorded_at: datetime
    account_id: UUID
    product: str
    order_reference: str
    #: Read ``[erased]`` once the person is forgotten.
    contact: Contact
    owner: str
    opportunity_id: UUID | None
    #: The order added to what the account already had.
    upsell: bool
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
    #: The latest renewal deal (open or closed) and the usage end it was
    #: opened to renew.
    renewal_deal_id: UUID | None
    renewal_deal_for: date | None

    @classmethod
    def of(cls, asset: Asset) -> AssetView:
        return _view_of(cls, asset)

    @property
    def is_evergreen(self) -> bool:
        """Installed, not obsolete, with no usage end date (an open-ended
        subscription)."""
        return self.status is AssetStatus.INSTALLED and self.usage_end_on is None

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
        open-ended, not installed or obsolete."""
        if self.usage_end_on is None or self.status is AssetStatus.OBSOLETE:
            return None
        return (self.usage_end_on - as_of).days


def _total(currency: str, amounts: Iterable[Money]) -> Money:
    total = Money.zero(currency)
    for amount in amounts:
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
    contact: Contact | None
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
        return _view_of(cls, lead)

    @property
    def has_contact(self) -> bool:
        return self.contact is not None

    @property
    def has_need(self) -> bool:
        return self.need is not None


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


def stints_of(moves: tuple[TierMove, ...]) -> tuple[TierStint, ...]:
    """Each stay in an open tier of a deal with tier ``moves`` (its opening
    first), in order; Tier 0 is terminal, not a stay."""
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
    #: The asset a renewal deal renews (None for other deals).
    renews_asset_id: UUID | None
    opened_on: date
    tier: int
    stage: SalesStage
    tier_since: date
    tier_history: tuple[TierMove, ...]
    gates_reviewed: tuple[int, ...]
    gates_passed: tuple[int, ...]
    failed_gate: int | None
    #: Every gate review, pass and failure with its date, in order.
    gate_history: tuple[GateRecord, ...]
    #: Every gate review with the profitability it estimated, in order.
    reviews: tuple[GateReview, ...]
    #: The latest review's estimate (None before any).
    profitability: Profitability | None
    findings: tuple[Finding, ...]
    outcome: Outcome | None
    closed_on: date | None
    close_reason: str | None
    won_value: Money | None
    asset_ids: tuple[UUID, ...]
    loss_reason: LossReason | None
    lost_to: str | None
    postmortem: Postmortem | None
    postmortem_on: date | None
    #: The edits of the amount, owner and expected close, each in order.
    amount_edits: tuple[AmountEdit, ...]
    owner_edits: tuple[OwnerEdit, ...]
    expected_close_on_edits: tuple[ExpectedCloseEdit, ...]

    @classmethod
    def of(cls, deal: Opportunity) -> OpportunityView:
        return _view_of(cls, deal)

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
        return stints_of(self.tier_history)

    def days_in_tiers(self, as_of: date) -> dict[int, int]:
        """Total days spent in each open tier, up to ``as_of`` if still open."""
        totals: dict[int, int] = {}
        for stint in self.stints():
            totals[stint.tier] = totals.get(stint.tier, 0) + stint.days(as_of)
        return totals


@attrs.frozen
class FeedbackView:
    """A survey, complaint or interview as recorded; a complaint is open
    while ``resolved_on`` is None."""

    id: UUID
    version: int
    recorded_at: datetime
    account_id: UUID
    asset_id: UUID | None
    kind: FeedbackKind
    channel: ContactChannel
    category: FeedbackCategory
    #: A complaint's; None for a survey or an interview.
    severity: Severity | None
    #: A survey's, 0..10; None for a complaint or an interview.
    score: int | None
    text: str
    needs: tuple[str, ...]
    recorded_on: date
    resolved_on: date | None
    resolution: str

    @classmethod
    def of(cls, feedback: Feedback) -> FeedbackView:
        return _view_of(cls, feedback)
