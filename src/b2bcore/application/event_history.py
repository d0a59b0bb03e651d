"""The readable event history of an account, for auditors.

Every recorded event becomes a ``HistoryEntry``: where it sits in the log,
which aggregate it belongs to, its provenance and a one-line description.
Descriptions come from one small pure function per event class
(``DESCRIBERS``); they name no person (a contact is "contact recorded"), so
an export never carries personal data, and they leave free-text notes to the
``reason`` column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

import attrs

from b2bcore.domain.account import Account
from b2bcore.domain.aggregate import DomainAggregate, event_id
from b2bcore.domain.asset import Asset
from b2bcore.domain.feedback import Feedback
from b2bcore.domain.lead import Lead
from b2bcore.domain.opportunity import Opportunity, percent
from b2bcore.domain.projection_skip import ProjectionSkip
from b2bcore.domain.values import Profitability


@attrs.frozen
class HistoryEntry:
    """One recorded event, as an auditor reads it."""

    #: The event's position in the whole log (its notification id).
    position: int
    #: account, asset, lead or opportunity.
    kind: str
    aggregate_id: UUID
    version: int
    #: The event class's name (``Installed``, ``TierChanged``…).
    event_type: str
    #: The id other events name as their causation id.
    event_id: UUID
    #: The business date the event takes effect.
    effective_on: date
    #: When the system recorded it, in UTC.
    recorded_at: datetime
    actor: str
    reason: str | None
    correlation_id: UUID | None
    causation_id: UUID | None
    description: str


@attrs.frozen
class AssetLifecycle:
    """One asset's path from purchase to obsolescence."""

    asset_id: UUID
    #: Its lifecycle events (purchased, installed, renewed, usage end
    #: corrected, upgraded, replaced, made obsolete) in log order.
    steps: tuple[HistoryEntry, ...]

    @property
    def path(self) -> str:
        """``purchased 2024-01-15 → installed 2024-01-20 → …``"""
        return " → ".join(
            f"{_words(step.event_type)} {step.effective_on}" for step in self.steps
        )


def history_entry(
    position: int, kind: str, event: DomainAggregate.Event
) -> HistoryEntry:
    """The entry for ``event`` of a ``kind`` aggregate, recorded at
    ``position`` in the log."""
    return HistoryEntry(
        position=position,
        kind=kind,
        aggregate_id=event.originator_id,
        version=event.originator_version,
        event_type=type(event).__name__,
        event_id=event_id(event),
        effective_on=event.effective_on,
        recorded_at=event.timestamp.astimezone(UTC),
        actor=event.actor,
        reason=event.reason,
        correlation_id=event.correlation_id,
        causation_id=event.causation_id,
        description=describe(event),
    )


def describe(event: DomainAggregate.Event) -> str:
    """A one-line description of ``event``; an event class without its own
    describer is named by its class ("Corrected")."""
    describer = DESCRIBERS.get(type(event))
    if describer is None:
        return _words(type(event).__name__).capitalize()
    return describer(event)


def asset_lifecycles(entries: Iterable[HistoryEntry]) -> tuple[AssetLifecycle, ...]:
    """Each asset's lifecycle steps, assets in the order they first appear."""
    steps: dict[UUID, list[HistoryEntry]] = {}
    for entry in entries:
        if entry.kind == Asset.KIND and entry.event_type in LIFECYCLE_EVENTS:
            steps.setdefault(entry.aggregate_id, []).append(entry)
    return tuple(AssetLifecycle(asset, tuple(found)) for asset, found in steps.items())


#: The asset events that move it along its lifecycle.
LIFECYCLE_EVENTS = frozenset(
    cls.__name__
    for cls in (
        Asset.Purchased,
        Asset.Installed,
        Asset.Renewed,
        Asset.UsageEndCorrected,
        Asset.Upgraded,
        Asset.Replaced,
        Asset.MadeObsolete,
    )
)


def _words(name: str) -> str:
    """``MadeObsolete`` → ``made obsolete``; an enum value the same way."""
    spaced = "".join(f" {c}" if c.isupper() else c for c in name).strip()
    return spaced.lower().replace("_", " ")


def _value(value: Enum) -> str:
    return _words(str(value.value))


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}" if number == 1 else f"{number} {thing}s"


def _usage_end(usage_end_on: date | None) -> str:
    return "open-ended" if usage_end_on is None else f"usage ends {usage_end_on}"


def _account_changed(e: Any) -> str:
    changed = [
        name.replace("_", " ")
        for name in (
            "name",
            "sector",
            "region",
            "country",
            "business_line",
            "preferred_channel",
        )
        if getattr(e, name) is not None
    ]
    return f"Changed {', '.join(changed) or 'nothing'}"


def _purchased(e: Any) -> str:
    upsell = "; upsell" if e.upsell else ""
    return (
        f"Purchased {e.product} for {e.value} ({e.order_reference}, "
        f"{_count(len(e.installments), 'installment')}); contact recorded{upsell}"
    )


def _captured(e: Any) -> str:
    contact = "; contact recorded" if e.contact is not None else ""
    temperature = _value(e.temperature)
    return f"Captured lead {e.company} from {e.source} ({temperature}){contact}"


def _opened(e: Any) -> str:
    renews = (
        "" if e.renews_asset_id is None else f", renewing asset {e.renews_asset_id}"
    )
    return (
        f"Opened {e.name}: {e.product} for {e.amount} at tier {e.tier} "
        f"({_value(e.stage)}), expected to close {e.expected_close_on}{renews}"
    )


def _reviewed(e: Any) -> str:
    if e.cost is None or e.price is None:
        return f"Gate {e.gate} reviewed"
    estimate = Profitability(e.cost, e.price)
    return (
        f"Gate {e.gate} reviewed: cost {e.cost}, price {e.price}, margin "
        f"{percent(estimate.margin)}, ROI {percent(estimate.roi)}"
    )


def _feedback(e: Any) -> str:
    graded = {
        "survey": f" scored {e.score}/10",
        "complaint": f" ({_value(e.severity) if e.severity else 'no severity'})",
    }.get(e.kind.value, "")
    about = "" if e.asset_id is None else f" about asset {e.asset_id}"
    needs = f"; needs: {', '.join(e.needs)}" if e.needs else ""
    return (
        f"{_value(e.kind).capitalize()}{graded} on {_value(e.category)} by "
        f"{_value(e.channel)}{about}{needs}"
    )


def _lost(e: Any) -> str:
    to = f" to {e.competitor}" if e.competitor else ""
    return f"Lost{to} ({_value(e.reason_code)})"


#: One describer per event class; each reads only that event's fields.
DESCRIBERS: Mapping[type[Any], Callable[[Any], str]] = {
    Account.Registered: lambda e: (
        f"Registered {e.name} (grade {_value(e.grade)}, {e.sector}, "
        f"{e.region}, {e.country})"
    ),
    Account.GradeChanged: lambda e: f"Grade changed to {_value(e.grade)}",
    Account.AttributesChanged: _account_changed,
    Asset.Purchased: _purchased,
    Asset.Installed: lambda e: f"Installed; {_usage_end(e.usage_end_on)}",
    Asset.Renewed: lambda e: (
        f"Renewed for {e.value}; usage ends {e.usage_end_on}"
        + (f" ({_count(len(e.installments), 'installment')})" if e.installments else "")
    ),
    Asset.Upgraded: lambda e: f"Upgraded to {e.product} for {e.value}",
    Asset.UsageEndCorrected: lambda e: (
        f"Usage end corrected to {e.usage_end_on} (correction made {e.corrected_on})"
    ),
    Asset.Replaced: lambda e: f"Replaced by asset {e.successor_id}; obsolete",
    Asset.MadeObsolete: lambda e: f"Made obsolete ({_value(e.reason_code)})",
    Asset.RenewalDealOpened: lambda e: (
        f"Renewal deal {e.opportunity_id} opened for the term ending {e.usage_end_on}"
    ),
    Asset.InspectionScheduled: lambda e: (
        f"Inspection {e.number} scheduled, due {e.due_on}"
    ),
    Asset.InspectionCompleted: lambda e: f"Inspection {e.number} completed",
    Asset.SatisfactionRecorded: lambda e: f"Satisfaction {e.score} recorded",
    Asset.UsageRecorded: lambda e: (
        f"Usage for {e.period:%Y-%m}: {e.count:,} uses, {e.distance_km:,} km "
        f"in {e.region} ({_value(e.pattern)})"
    ),
    Asset.CompetitorContactReported: lambda e: (
        f"Competitor contact reported ({e.competitor})"
    ),
    Asset.InstallmentPaid: lambda e: f"Installment {e.number} paid: {e.amount}",
    Asset.PaymentCorrected: lambda e: (
        f"Payment of installment {e.number} corrected to {e.paid_on}"
        f" (correction made {e.corrected_on})"
    ),
    Asset.PaymentReversed: lambda e: (
        f"Payment of installment {e.number} reversed (correction made {e.corrected_on})"
    ),
    Asset.SatisfactionCorrected: lambda e: (
        f"Satisfaction of {e.recorded_on} corrected from {e.previous_score}"
        f" to {e.score} (correction made {e.corrected_on})"
    ),
    Asset.UsageCorrected: lambda e: (
        f"Usage for {e.period:%Y-%m} corrected to {e.count:,} uses,"
        f" {e.distance_km:,} km (correction made {e.corrected_on})"
    ),
    Asset.InspectionCorrected: lambda e: (
        f"Inspection {e.number} findings corrected (correction made {e.corrected_on})"
    ),
    Lead.Captured: _captured,
    Lead.TemperatureChanged: lambda e: (
        f"Temperature changed to {_value(e.temperature)}"
    ),
    Lead.Qualified: lambda e: "Qualified as a sales lead; contact and need recorded",
    Lead.Disqualified: lambda e: "Disqualified",
    Lead.Converted: lambda e: f"Converted into opportunity {e.opportunity_id}",
    Opportunity.Opened: _opened,
    Opportunity.TierChanged: lambda e: f"Moved to tier {e.tier} ({_value(e.stage)})",
    Opportunity.GateReviewed: _reviewed,
    Opportunity.FindingRaised: lambda e: (
        f"Finding {e.number} raised at gate {e.gate} ({_value(e.area)})"
    ),
    Opportunity.FindingResolved: lambda e: f"Finding {e.number} resolved",
    Opportunity.GatePassed: lambda e: f"Gate {e.gate} passed",
    Opportunity.GateFailed: lambda e: f"Gate {e.gate} failed; dropped",
    Opportunity.Won: lambda e: (
        f"Won for {e.value}; {_count(len(e.asset_ids), 'asset')} ordered"
    ),
    Opportunity.Lost: _lost,
    Opportunity.AmountChanged: lambda e: f"Amount changed to {e.amount}",
    Opportunity.Reassigned: lambda e: "Reassigned to another owner",
    Opportunity.ExpectedCloseMoved: lambda e: (
        f"Expected close moved to {e.expected_close_on}"
    ),
    Opportunity.Dropped: lambda e: "Dropped",
    Opportunity.PostmortemRecorded: lambda e: "Postmortem recorded",
    Opportunity.TierMoveCorrected: lambda e: (
        f"Tier move {e.position} corrected from {e.previous_moved_on} to"
        f" {e.moved_on} (correction made {e.corrected_on})"
    ),
    Opportunity.OutcomeDateCorrected: lambda e: (
        f"Outcome date corrected from {e.previous_closed_on} to {e.closed_on}"
        f" (correction made {e.corrected_on})"
    ),
    Feedback.Recorded: _feedback,
    Feedback.Resolved: lambda e: "Complaint resolved",
    ProjectionSkip.Skipped: lambda e: (
        f"Projection {e.projection} passes over log position {e.position} "
        f"({e.topic}, {e.skipped_aggregate_id} version {e.skipped_version})"
    ),
}
