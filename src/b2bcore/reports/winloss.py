"""Win/loss: the timeline of one deal for its postmortem review, and the
analysis across deals closed by a date (by reason, competitor, dimension)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from enum import Enum
from types import MappingProxyType
from uuid import UUID

import attrs

from b2bcore.domain.money import Money
from b2bcore.domain.values import (
    Finding,
    GateStep,
    LossReason,
    Outcome,
    Postmortem,
    Profitability,
    SalesStage,
)
from b2bcore.domain.views import OpportunityView
from b2bcore.reports import asof
from b2bcore.reports.dimensions import NO_ACCOUNTS, NO_MANAGERS, Dimension, grouped
from b2bcore.reports.rates import mean, rate
from b2bcore.reports.records import DealRecord, Named

#: The ``lost_to`` key of deals lost without a named competitor.
UNKNOWN_COMPETITOR = "unknown"


class EntryKind(Enum):
    OPENED = "opened"
    TIER_CHANGED = "tier_changed"
    GATE_REVIEWED = "gate_reviewed"
    FINDING_RAISED = "finding_raised"
    FINDING_RESOLVED = "finding_resolved"
    GATE_PASSED = "gate_passed"
    GATE_FAILED = "gate_failed"
    WON = "won"
    LOST = "lost"
    DROPPED = "dropped"
    POSTMORTEM = "postmortem"
    AMOUNT_CHANGED = "amount_changed"
    REASSIGNED = "reassigned"
    EXPECTED_CLOSE_MOVED = "expected_close_moved"


@attrs.frozen
class TimelineEntry:
    """One step of a deal's life, on its business date; the other fields are
    set where they apply to ``kind``."""

    on: date
    kind: EntryKind
    #: The tier entered (the opening, a tier move; 0 for the close).
    tier: int | None = None
    from_tier: int | None = None
    stage: SalesStage | None = None
    gate: int | None = None
    #: The finding as it stood on the timeline's date.
    finding: Finding | None = None
    #: The amount at the opening or set by a change; the won value for a win.
    value: Money | None = None
    #: What a gate review estimated.
    profitability: Profitability | None = None
    #: The owner a reassignment handed the deal to.
    owner: str | None = None
    #: The expected close a move set.
    expected_close_on: date | None = None
    #: Why the deal closed (the close's recorded reason).
    reason: str | None = None
    loss_reason: LossReason | None = None
    competitor: str | None = None
    postmortem: Postmortem | None = None


@attrs.frozen
class TimelineStint:
    """A stay in an open tier; ``left_on`` None and ``days`` counted up to
    the timeline's date while it was still running then."""

    tier: int
    stage: SalesStage
    entered_on: date
    left_on: date | None
    days: int


@attrs.frozen
class WinLossTimeline:
    deal_id: UUID
    name: str
    as_of: date
    opened_on: date
    #: The amount, owner and expected close in force on ``as_of``.
    amount: Money
    owner: str
    expected_close_on: date
    #: The latest estimate reviewed by ``as_of`` (None before any).
    profitability: Profitability | None
    #: The competitors known when the deal was opened.
    competitors: tuple[str, ...]
    #: In order: by date, then opening and tier moves, gate activity (gate
    #: by gate), the close and the postmortem.
    entries: tuple[TimelineEntry, ...]
    stints: tuple[TimelineStint, ...]
    #: Total days in each open tier the deal visited.
    days_in_tiers: Mapping[int, int]
    #: The close, when it happened by ``as_of`` (else all None).
    outcome: Outcome | None
    closed_on: date | None
    cycle_days: int | None
    close_reason: str | None
    won_value: Money | None
    loss_reason: LossReason | None
    lost_to: str | None
    postmortem: Postmortem | None


def timeline(deal: OpportunityView, *, as_of: date) -> WinLossTimeline:
    """The deal's life up to ``as_of``: every step dated on or before it,
    its stints in open tiers and, once closed by then, its outcome and
    postmortem; its amount, owner and expected close those in force then.

    Undated steps are placed at the earliest point they can have happened
    (see ``TimelineEntry``); for an exact cut give the view as of ``as_of``.
    """
    closed = asof.outcome(deal, as_of) is not None
    stints = tuple(
        TimelineStint(
            tier=s.tier,
            stage=s.stage,
            entered_on=s.entered_on,
            left_on=s.left_on,
            days=s.days(as_of),
        )
        for s in asof.stints(deal, as_of)
    )
    days_in_tiers: dict[int, int] = {}
    for stint in stints:
        days_in_tiers[stint.tier] = days_in_tiers.get(stint.tier, 0) + stint.days
    then = asof.deal_terms(deal, as_of)
    estimates = [
        r.profitability
        for r in deal.reviews
        if r.reviewed_on <= as_of and r.profitability is not None
    ]
    return WinLossTimeline(
        deal_id=deal.id,
        name=deal.name,
        as_of=as_of,
        opened_on=deal.opened_on,
        amount=then.amount,
        owner=then.owner,
        expected_close_on=then.expected_close_on,
        profitability=estimates[-1] if estimates else None,
        competitors=deal.competitors,
        entries=_entries(deal, as_of),
        stints=stints,
        days_in_tiers=MappingProxyType(days_in_tiers),
        outcome=deal.outcome if closed else None,
        closed_on=deal.closed_on if closed else None,
        cycle_days=asof.cycle_days(deal, as_of),
        close_reason=deal.close_reason if closed else None,
        won_value=deal.won_value if closed else None,
        loss_reason=deal.loss_reason if closed else None,
        lost_to=deal.lost_to if closed else None,
        postmortem=deal.postmortem if closed else None,
    )


#: An entry's place: (day or earliest day, group, gate, rank, number).
_Place = tuple[date, int, int, int, int]
#: On one day: the opening, then edits, gate activity, tier moves, the close
#: and the postmortem (a gate is passed before the promotion it allows).
_OPENING, _EDITS, _GATES, _MOVES, _CLOSE, _POSTMORTEM = range(6)
_REVIEWED, _RAISED, _RESOLVED, _PASSED, _FAILED = range(5)


def _entries(deal: OpportunityView, as_of: date) -> tuple[TimelineEntry, ...]:
    placed = [*_moves(deal), *_edits(deal), *_gates(deal, as_of), *_close(deal)]
    return tuple(
        entry
        for place, entry in sorted(placed, key=lambda p: p[0])
        if place[0] <= as_of
    )


def _moves(deal: OpportunityView) -> list[tuple[_Place, TimelineEntry]]:
    """The opening and the moves between open tiers (the close is apart)."""
    edits = deal.amount_edits
    opening_amount = edits[0].previous if edits else deal.amount
    return [
        (
            (move.moved_on, _OPENING if i == 0 else _MOVES, 0, 0, i),
            TimelineEntry(
                on=move.moved_on,
                kind=EntryKind.OPENED if i == 0 else EntryKind.TIER_CHANGED,
                tier=move.tier,
                from_tier=move.from_tier,
                stage=move.stage,
                value=opening_amount if i == 0 else None,
            ),
        )
        for i, move in enumerate(deal.tier_history)
        if move.tier != 0
    ]


def _edits(deal: OpportunityView) -> list[tuple[_Place, TimelineEntry]]:
    """Each change of the amount, owner and expected close."""
    return [
        *(
            (
                (e.changed_on, _EDITS, 0, 0, i),
                TimelineEntry(e.changed_on, EntryKind.AMOUNT_CHANGED, value=e.value),
            )
            for i, e in enumerate(deal.amount_edits)
        ),
        *(
            (
                (o.changed_on, _EDITS, 0, 1, i),
                TimelineEntry(o.changed_on, EntryKind.REASSIGNED, owner=o.value),
            )
            for i, o in enumerate(deal.owner_edits)
        ),
        *(
            (
                (c.changed_on, _EDITS, 0, 2, i),
                TimelineEntry(
                    c.changed_on,
                    EntryKind.EXPECTED_CLOSE_MOVED,
                    expected_close_on=c.value,
                ),
            )
            for i, c in enumerate(deal.expected_close_on_edits)
        ),
    ]


def _gates(deal: OpportunityView, as_of: date) -> list[tuple[_Place, TimelineEntry]]:
    """Each gate's reviews, passes and failure on their dates, and the
    findings raised and resolved at them."""
    kinds = {
        GateStep.REVIEWED: (EntryKind.GATE_REVIEWED, _REVIEWED),
        GateStep.PASSED: (EntryKind.GATE_PASSED, _PASSED),
        GateStep.FAILED: (EntryKind.GATE_FAILED, _FAILED),
    }
    placed: list[tuple[_Place, TimelineEntry]] = []
    # Each review step of the history has its review, in the same order.
    reviews = iter(deal.reviews)
    for i, record in enumerate(deal.gate_history):
        kind, rank = kinds[record.step]
        estimate = (
            next(reviews).profitability if record.step is GateStep.REVIEWED else None
        )
        placed.append(
            (
                (record.on, _GATES, record.gate, rank, i),
                TimelineEntry(
                    on=record.on, kind=kind, gate=record.gate, profitability=estimate
                ),
            )
        )
    for finding in deal.findings:
        placed.append(
            (
                (finding.raised_on, _GATES, finding.gate, _RAISED, finding.number),
                TimelineEntry(
                    on=finding.raised_on,
                    kind=EntryKind.FINDING_RAISED,
                    gate=finding.gate,
                    finding=_as_of(finding, as_of),
                ),
            )
        )
        if finding.resolved_on is not None:
            placed.append(
                (
                    (
                        finding.resolved_on,
                        _GATES,
                        finding.gate,
                        _RESOLVED,
                        finding.number,
                    ),
                    TimelineEntry(
                        on=finding.resolved_on,
                        kind=EntryKind.FINDING_RESOLVED,
                        gate=finding.gate,
                        finding=finding,
                    ),
                )
            )
    return placed


def _as_of(finding: Finding, day: date) -> Finding:
    """The finding as it stood on ``day``: still open if resolved later."""
    if finding.resolved_on is not None and finding.resolved_on > day:
        return attrs.evolve(finding, resolved_on=None, resolution="")
    return finding


def _close(deal: OpportunityView) -> list[tuple[_Place, TimelineEntry]]:
    if deal.outcome is None or deal.closed_on is None:
        return []
    close = deal.tier_history[-1]
    placed: list[tuple[_Place, TimelineEntry]] = [
        (
            (deal.closed_on, _CLOSE, 0, 0, 0),
            TimelineEntry(
                on=deal.closed_on,
                kind=EntryKind(deal.outcome.value),
                tier=0,
                from_tier=close.from_tier,
                stage=close.stage,
                value=deal.won_value,
                reason=deal.close_reason,
                loss_reason=deal.loss_reason,
                competitor=deal.lost_to,
            ),
        )
    ]
    if deal.postmortem is not None and deal.postmortem_on is not None:
        placed.append(
            (
                (deal.postmortem_on, _POSTMORTEM, 0, 0, 0),
                TimelineEntry(
                    on=deal.postmortem_on,
                    kind=EntryKind.POSTMORTEM,
                    postmortem=deal.postmortem,
                ),
            )
        )
    return placed


@attrs.frozen
class WinLossAnalysis:
    """Deals closed by ``as_of``; ``by`` holds the same figures per
    ``dimension`` key (sorted) when the analysis was cut by one."""

    as_of: date
    won: int
    lost: int
    dropped: int
    #: won ÷ (won + lost).
    win_rate: float | None
    average_won_cycle_days: float | None
    average_lost_cycle_days: float | None
    #: Lost deals per loss reason, most frequent first (then by reason).
    lost_by_reason: Mapping[LossReason, int]
    #: Lost deals per competitor ("unknown" when none was named), most
    #: frequent first (then by name).
    lost_to: Mapping[str, int]
    dimension: Dimension | None = None
    by: Mapping[str, WinLossAnalysis] = attrs.field(
        factory=lambda: MappingProxyType({})
    )


def win_loss_analysis(
    deals: Iterable[DealRecord],
    *,
    as_of: date,
    by: Dimension | None = None,
    managers: Mapping[str, str] = NO_MANAGERS,
    accounts: Mapping[UUID, Named] = NO_ACCOUNTS,
) -> WinLossAnalysis:
    """The win/loss analysis of the deals closed on or before ``as_of``;
    cut by ``by`` when given."""
    closed = [deal for deal in deals if asof.outcome(deal, as_of) is not None]
    analysis = _analysis(closed, as_of)
    if by is None:
        return analysis
    groups = grouped(closed, by, managers=managers, accounts=accounts, as_of=as_of)
    return attrs.evolve(
        analysis,
        dimension=by,
        by=MappingProxyType(
            {k: _analysis(group, as_of) for k, group in groups.items()}
        ),
    )


def _analysis(closed: list[DealRecord], as_of: date) -> WinLossAnalysis:
    won = [deal for deal in closed if deal.outcome is Outcome.WON]
    lost = [deal for deal in closed if deal.outcome is Outcome.LOST]
    reasons = Counter(deal.loss_reason for deal in lost if deal.loss_reason)
    competitors = Counter(deal.lost_to or UNKNOWN_COMPETITOR for deal in lost)
    return WinLossAnalysis(
        as_of=as_of,
        won=len(won),
        lost=len(lost),
        dropped=len(closed) - len(won) - len(lost),
        win_rate=rate(len(won), len(won) + len(lost)),
        average_won_cycle_days=mean(_cycle_days(won, as_of)),
        average_lost_cycle_days=mean(_cycle_days(lost, as_of)),
        lost_by_reason=MappingProxyType(
            dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0].value)))
        ),
        lost_to=MappingProxyType(
            dict(sorted(competitors.items(), key=lambda kv: (-kv[1], kv[0])))
        ),
    )


def _cycle_days(deals: list[DealRecord], as_of: date) -> list[int]:
    return [d for deal in deals if (d := asof.cycle_days(deal, as_of)) is not None]
