"""Opportunity (사업기회): a deal managed by Tier Management.

Tier 4 (new, little information) → 3 → 2 → 1 (about to close) → Tier 0
(closed: won, lost or dropped). Open tiers may move up or down; Tier 0 is
terminal, and only a postmortem is recorded after it. Value review board (VRB)
gates are reviewed and passed in order; a gate with open findings cannot be
passed, and a deal failing a gate is dropped. A review may estimate the
deal's cost and price; the board's rules (``ReviewBoardRules``) keep a gate
from passing below the minimum margin and a win from going below the
reviewed price. The amount, owner and expected close may be edited while
open, each edit a dated fact with its reason; the date of a tier move or of
the outcome, booked wrong, is corrected by a correction event. A renewal
deal names the asset it renews (``renews_asset_id``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
from eventsourcing.domain import AggregateCreated

from b2bcore.domain.aggregate import (
    MAX_NOTE_LENGTH,
    DomainAggregate,
    Provenance,
    check_date,
    check_note,
    check_positive,
    check_text,
    check_type,
)
from b2bcore.domain.errors import CurrencyMismatchError, ValidationError
from b2bcore.domain.money import Money
from b2bcore.domain.review_board import ReviewBoardRules
from b2bcore.domain.values import (
    DEFAULT_STAGE,
    MAX_GATE,
    OPEN_TIERS,
    AmountEdit,
    BusinessLine,
    ExpectedCloseEdit,
    Finding,
    GateRecord,
    GateReview,
    GateStep,
    LossReason,
    Outcome,
    OwnerEdit,
    Postmortem,
    Profitability,
    ReviewArea,
    SalesStage,
    TierMove,
)

#: The rules a deal is held to when none are given (``ReviewBoardRules``'
#: defaults).
DEFAULT_RULES = ReviewBoardRules()


class Opportunity(DomainAggregate):
    TOPIC = "b2bcore:opportunity"
    KIND = "opportunity"
    # v2 added the gate reviews and the edits, v3 the asset a renewal deal
    # renews; see docs/schema-evolution.md.
    class_version = 3

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A snapshot taken before reviews and edits were kept."""
        state["reviews"] = [
            GateReview(r.gate, r.on)
            for r in state["gate_history"]
            if r.step is GateStep.REVIEWED
        ]
        for term in TERMS:
            state[f"{term}_edits"] = []

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """A snapshot taken before renewal deals: no deal renewed an asset."""
        state["renews_asset_id"] = None

    class Opened(DomainAggregate.Event, AggregateCreated):
        TOPIC = "b2bcore:opportunity:Opened"
        # v2 added ``competitors``; see docs/schema-evolution.md.
        class_version = 2
        account_id: UUID | None
        name: str
        amount: Money
        owner: str
        business_line: BusinessLine
        region: str
        country: str
        product: str
        expected_close_on: date
        tier: int
        stage: SalesStage
        competitors: tuple[str, ...]
        lead_id: UUID | None
        #: The asset a renewal deal renews; a default, so events recorded
        #: before renewal deals read as None without an upcaster.
        renews_asset_id: UUID | None = None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["competitors"] = []

    class TierChanged(DomainAggregate.Event):
        TOPIC = "b2bcore:opportunity:TierChanged"
        tier: int
        stage: SalesStage

        def apply(self, deal: Opportunity) -> None:
            deal._move(self.effective_on, self.tier, self.stage)

    class GateReviewed(DomainAggregate.Event):
        """A review of ``gate``, with the cost and price it estimated (both
        or neither)."""

        TOPIC = "b2bcore:opportunity:GateReviewed"
        # v2 added ``cost`` and ``price``; see docs/schema-evolution.md.
        class_version = 2
        gate: int
        cost: Money | None
        price: Money | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["cost"] = state["price"] = None

        def apply(self, deal: Opportunity) -> None:
            if self.gate not in deal.gates_reviewed:
                deal.gates_reviewed.append(self.gate)
            estimated = (
                None
                if self.cost is None or self.price is None
                else Profitability(self.cost, self.price)
            )
            deal.reviews.append(GateReview(self.gate, self.effective_on, estimated))
            deal.gate_history.append(
                GateRecord(self.gate, GateStep.REVIEWED, self.effective_on)
            )

    class FindingRaised(DomainAggregate.Event):
        TOPIC = "b2bcore:opportunity:FindingRaised"
        number: int
        gate: int
        area: ReviewArea
        description: str

        def apply(self, deal: Opportunity) -> None:
            deal.findings.append(
                Finding(
                    number=self.number,
                    gate=self.gate,
                    area=self.area,
                    description=self.description,
                    raised_on=self.effective_on,
                )
            )

    class FindingResolved(DomainAggregate.Event):
        TOPIC = "b2bcore:opportunity:FindingResolved"
        number: int
        resolution: str

        def apply(self, deal: Opportunity) -> None:
            deal.findings = [
                attrs.evolve(
                    f, resolved_on=self.effective_on, resolution=self.resolution
                )
                if f.number == self.number
                else f
                for f in deal.findings
            ]

    class GatePassed(DomainAggregate.Event):
        TOPIC = "b2bcore:opportunity:GatePassed"
        gate: int

        def apply(self, deal: Opportunity) -> None:
            deal.gates_passed.append(self.gate)
            deal.gate_history.append(
                GateRecord(self.gate, GateStep.PASSED, self.effective_on)
            )

    class GateFailed(DomainAggregate.Event):
        """The VRB failed the deal at ``gate`` (the event's ``reason`` says
        why): it is dropped."""

        TOPIC = "b2bcore:opportunity:GateFailed"
        gate: int

        def apply(self, deal: Opportunity) -> None:
            deal.failed_gate = self.gate
            deal.gate_history.append(
                GateRecord(self.gate, GateStep.FAILED, self.effective_on)
            )
            deal._close(self.effective_on, Outcome.DROPPED, self.reason)

    class Won(DomainAggregate.Event):
        """Won at ``value``; the order created ``asset_ids`` in the same save."""

        TOPIC = "b2bcore:opportunity:Won"
        value: Money
        asset_ids: tuple[UUID, ...]

        def apply(self, deal: Opportunity) -> None:
            deal.won_value = self.value
            deal.asset_ids = list(self.asset_ids)
            deal._close(self.effective_on, Outcome.WON, self.reason)

    class Lost(DomainAggregate.Event):
        TOPIC = "b2bcore:opportunity:Lost"
        reason_code: LossReason
        competitor: str | None

        def apply(self, deal: Opportunity) -> None:
            deal.loss_reason = self.reason_code
            deal.lost_to = self.competitor
            deal._close(self.effective_on, Outcome.LOST, self.reason)

    class Dropped(DomainAggregate.Event):
        """Dropped for the event's ``reason``."""

        TOPIC = "b2bcore:opportunity:Dropped"

        def apply(self, deal: Opportunity) -> None:
            deal._close(self.effective_on, Outcome.DROPPED, self.reason)

    class AmountChanged(DomainAggregate.Event):
        TOPIC = "b2bcore:opportunity:AmountChanged"
        amount: Money

        def apply(self, deal: Opportunity) -> None:
            deal._edit(
                "amount", AmountEdit(self.effective_on, deal.amount, self.amount)
            )

    class Reassigned(DomainAggregate.Event):
        """The deal handed to another ``owner``."""

        TOPIC = "b2bcore:opportunity:Reassigned"
        owner: str

        def apply(self, deal: Opportunity) -> None:
            deal._edit("owner", OwnerEdit(self.effective_on, deal.owner, self.owner))

    class ExpectedCloseMoved(DomainAggregate.Event):
        TOPIC = "b2bcore:opportunity:ExpectedCloseMoved"
        expected_close_on: date

        def apply(self, deal: Opportunity) -> None:
            deal._edit(
                "expected_close_on",
                ExpectedCloseEdit(
                    self.effective_on, deal.expected_close_on, self.expected_close_on
                ),
            )

    class PostmortemRecorded(DomainAggregate.Event):
        TOPIC = "b2bcore:opportunity:PostmortemRecorded"
        postmortem: Postmortem

        def apply(self, deal: Opportunity) -> None:
            deal.postmortem = self.postmortem
            deal.postmortem_on = self.effective_on

    # Corrections of a recorded date: each names the fact it fixes, takes
    # effect on that fact's business date and keeps the day it was made
    # (``corrected_on``), as the asset's corrections do (docs/audit.md).

    class TierMoveCorrected(DomainAggregate.Event):
        """Tier move ``position`` (the opening is 0), recorded on
        ``previous_moved_on``, happened on ``moved_on``."""

        TOPIC = "b2bcore:opportunity:TierMoveCorrected"
        position: int
        previous_moved_on: date
        moved_on: date
        corrected_on: date

        def apply(self, deal: Opportunity) -> None:
            deal._redate_move(self.position, self.moved_on)

    class OutcomeDateCorrected(DomainAggregate.Event):
        """The deal, recorded as closed on ``previous_closed_on``, closed on
        ``closed_on`` (won, lost or dropped as recorded)."""

        TOPIC = "b2bcore:opportunity:OutcomeDateCorrected"
        previous_closed_on: date
        closed_on: date
        corrected_on: date

        def apply(self, deal: Opportunity) -> None:
            deal.closed_on = self.closed_on
            deal.gate_history = [
                attrs.evolve(r, on=self.closed_on) if r.step is GateStep.FAILED else r
                for r in deal.gate_history
            ]
            deal._redate_move(len(deal.tier_history) - 1, self.closed_on)

    def __init__(
        self,
        account_id: UUID | None,
        name: str,
        amount: Money,
        owner: str,
        business_line: BusinessLine,
        region: str,
        country: str,
        product: str,
        expected_close_on: date,
        tier: int,
        stage: SalesStage,
        competitors: tuple[str, ...],
        lead_id: UUID | None,
        effective_on: date,
        renews_asset_id: UUID | None = None,
    ) -> None:
        self.account_id = account_id
        self.renews_asset_id = renews_asset_id
        self.name = name
        self.amount = amount
        self.owner = owner
        self.business_line = business_line
        self.region = region
        self.country = country
        self.product = product
        self.expected_close_on = expected_close_on
        self.competitors = list(competitors)
        self.lead_id = lead_id
        self.opened_on = effective_on
        self.tier_history: list[TierMove] = []
        self.tier = tier
        self.stage = stage
        self.tier_since = effective_on
        self._move(effective_on, tier, stage)
        self.gates_reviewed: list[int] = []
        self.gates_passed: list[int] = []
        self.failed_gate: int | None = None
        self.gate_history: list[GateRecord] = []
        self.reviews: list[GateReview] = []
        self.findings: list[Finding] = []
        self.outcome: Outcome | None = None
        self.closed_on: date | None = None
        self.close_reason: str | None = None
        self.won_value: Money | None = None
        self.asset_ids: list[UUID] = []
        self.loss_reason: LossReason | None = None
        self.lost_to: str | None = None
        self.postmortem: Postmortem | None = None
        self.postmortem_on: date | None = None
        self.amount_edits: list[AmountEdit] = []
        self.owner_edits: list[OwnerEdit] = []
        self.expected_close_on_edits: list[ExpectedCloseEdit] = []

    def _edit(
        self, term: str, edit: AmountEdit | OwnerEdit | ExpectedCloseEdit
    ) -> None:
        getattr(self, f"{term}_edits").append(edit)
        setattr(self, term, edit.value)

    def _move(self, on: date, tier: int, stage: SalesStage) -> None:
        from_tier = self.tier if self.tier_history else None
        self.tier_history.append(TierMove(on, from_tier, tier, stage))
        self.tier = tier
        self.stage = stage
        self.tier_since = on

    def _redate_move(self, position: int, on: date) -> None:
        self.tier_history[position] = attrs.evolve(
            self.tier_history[position], moved_on=on
        )
        if position == len(self.tier_history) - 1:
            self.tier_since = on
        # A later date is a later fact: nothing may close the deal before it.
        latest = self.__dict__.get("last_fact_on")
        if latest is None or on > latest:
            self.last_fact_on = on

    def _close(self, on: date, outcome: Outcome, reason: str | None) -> None:
        self._move(on, 0, SalesStage.CLOSE_AND_REVIEW)
        self.outcome = outcome
        self.closed_on = on
        self.close_reason = reason

    @property
    def is_open(self) -> bool:
        return self.outcome is None

    @property
    def profitability(self) -> Profitability | None:
        """The latest review's estimate (None before any)."""
        return next(
            (r.profitability for r in reversed(self.reviews) if r.profitability),
            None,
        )

    # -- commands -------------------------------------------------------------

    @classmethod
    def open(
        cls,
        opportunity_id: UUID,
        *,
        account_id: UUID | None,
        name: str,
        amount: Money,
        owner: str,
        business_line: BusinessLine,
        region: str,
        country: str,
        product: str,
        expected_close_on: date,
        on: date,
        meta: Provenance,
        tier: int = 4,
        stage: SalesStage | None = None,
        competitors: Sequence[str] = (),
        lead_id: UUID | None = None,
        renews_asset_id: UUID | None = None,
    ) -> Opportunity:
        """Open a deal, usually at Tier 4; ``account_id`` may be unknown; a
        renewal deal names the asset it renews (``renews_asset_id``)."""
        subject = f"opportunity {opportunity_id}"
        _check_open_tier(subject, tier)
        return cls._begin(
            cls.Opened,
            opportunity_id,
            on,
            meta,
            account_id=account_id,
            name=check_text(subject, "name", name),
            amount=check_positive(subject, "amount", amount),
            owner=check_text(subject, "owner", owner),
            business_line=check_type(
                subject, "business_line", business_line, BusinessLine
            ),
            region=check_text(subject, "region", region),
            country=check_text(subject, "country", country),
            product=check_text(subject, "product", product),
            expected_close_on=check_date(
                subject, "expected_close_on", expected_close_on
            ),
            tier=tier,
            stage=_check_stage(subject, stage, tier),
            competitors=tuple(
                check_text(subject, "competitors", c) for c in competitors
            ),
            lead_id=lead_id,
            renews_asset_id=renews_asset_id,
        )

    def change_tier(
        self,
        *,
        on: date,
        tier: int,
        meta: Provenance,
        stage: SalesStage | None = None,
    ) -> None:
        """Move an open deal to another open tier, up or down."""
        self._require_open_since_tier(on, "change the tier of")
        _check_open_tier(self.subject, tier)
        if tier == self.tier:
            self._refuse("tier", f"the deal is already at tier {tier}")
        self._record(
            self.TierChanged,
            on,
            meta,
            tier=tier,
            stage=_check_stage(self.subject, stage, tier),
        )

    def review_gate(
        self,
        *,
        on: date,
        gate: int,
        findings: Sequence[tuple[ReviewArea, str]],
        meta: Provenance,
        cost: Money | None = None,
        price: Money | None = None,
    ) -> list[int]:
        """Record a VRB review of the next gate with its findings and,
        optionally, the cost and price it estimates; returns the findings'
        numbers."""
        self._require_open_since(on, "review")
        self._check_next_gate(gate)
        self._check_after_previous_gate(gate, on)
        if (cost is None) != (price is None):
            raise ValidationError(
                self.subject,
                "cost" if cost is None else "price",
                "a review estimates the cost and the price together",
            )
        if cost is not None and price is not None:
            self._check_in_currency("cost", check_positive(self.subject, "cost", cost))
            self._check_in_currency(
                "price", check_positive(self.subject, "price", price)
            )
        checked = [
            (
                check_type(self.subject, "findings.area", area, ReviewArea),
                check_text(
                    self.subject,
                    "findings.description",
                    description,
                    limit=MAX_NOTE_LENGTH,
                ),
            )
            for area, description in findings
        ]
        self._record(self.GateReviewed, on, meta, gate=gate, cost=cost, price=price)
        numbers = []
        for area, description in checked:
            number = len(self.findings) + 1
            self._record(
                self.FindingRaised,
                on,
                meta,
                number=number,
                gate=gate,
                area=area,
                description=description,
            )
            numbers.append(number)
        return numbers

    def resolve_finding(
        self, *, on: date, number: int, resolution: str, meta: Provenance
    ) -> None:
        self._require_open_since(on, "resolve a finding of")
        check_type(self.subject, "number", number, int)
        if not 1 <= number <= len(self.findings):
            self._refuse("number", f"no finding {number} was raised")
        finding = next(f for f in self.findings if f.number == number)
        if not finding.is_open:
            self._refuse(
                "number", f"finding {number} was resolved on {finding.resolved_on}"
            )
        if on < finding.raised_on:
            self._refuse(
                "on", f"{on} is before the finding was raised on {finding.raised_on}"
            )
        self._record(
            self.FindingResolved,
            on,
            meta,
            number=number,
            resolution=check_text(
                self.subject, "resolution", resolution, limit=MAX_NOTE_LENGTH
            ),
        )

    def pass_gate(
        self,
        *,
        on: date,
        gate: int,
        meta: Provenance,
        rules: ReviewBoardRules = DEFAULT_RULES,
    ) -> None:
        """Pass a reviewed gate; refused while any of its findings is open or
        the latest estimate's margin is below ``rules.minimum_margin``."""
        self._require_open_since(on, "pass a gate of")
        self._check_next_gate(gate)
        self._check_after_previous_gate(gate, on)
        self._check_reviewed(gate, on)
        findings = [f for f in self.findings if f.gate == gate]
        still_open = [f.number for f in findings if f.is_open]
        if still_open:
            self._refuse(
                "gate",
                f"gate {gate} has unresolved findings "
                f"{', '.join(map(str, still_open))}",
            )
        self._check_after_resolutions(on, findings)
        estimate = self.profitability
        if estimate is not None and estimate.margin < rules.minimum_margin:
            self._refuse(
                "margin",
                f"gate {gate} needs a margin of at least "
                f"{percent(rules.minimum_margin)}; the deal is estimated at "
                f"{percent(estimate.margin)} (cost {estimate.cost}, price "
                f"{estimate.price})",
            )
        self._record(self.GatePassed, on, meta, gate=gate)

    def fail_gate(self, *, on: date, gate: int, meta: Provenance) -> None:
        """The VRB fails the deal at a reviewed gate: it is dropped."""
        self._require_open_since_tier(on, "fail a gate of")
        self._check_after_last_fact(on)
        self._check_next_gate(gate)
        self._check_reviewed(gate, on)
        self._require_reason(meta, "failing a gate")
        self._record(self.GateFailed, on, meta, gate=gate)

    def win(
        self,
        *,
        on: date,
        value: Money,
        meta: Provenance,
        asset_ids: Sequence[UUID] = (),
        rules: ReviewBoardRules = DEFAULT_RULES,
    ) -> None:
        """Close the deal as won at ``value``; refused while findings are
        open, before the gates ``rules`` require are passed, or below the
        latest reviewed price by more than ``rules.price_tolerance``."""
        self._require_open_since_tier(on, "win")
        self._check_after_last_fact(on)
        self._check_in_currency("value", check_positive(self.subject, "value", value))
        if len(self.gates_passed) < rules.gates_to_win:
            self._refuse(
                "gates_passed",
                f"a win needs {_first_gates(rules.gates_to_win)} passed; "
                f"{len(self.gates_passed)} passed",
            )
        estimate = self.profitability
        if estimate is not None:
            floor = estimate.price.amount * (1 - rules.price_tolerance)
            if value.amount < floor:
                self._refuse(
                    "value",
                    f"{value} is below the reviewed price {estimate.price} by "
                    f"more than {percent(rules.price_tolerance)}; review the "
                    "deal again at the new price",
                )
        still_open = [f.number for f in self.findings if f.is_open]
        if still_open:
            self._refuse(
                "findings",
                "cannot win with unresolved findings "
                + ", ".join(map(str, still_open)),
            )
        self._check_after_resolutions(on, self.findings)
        self._record(self.Won, on, meta, value=value, asset_ids=tuple(asset_ids))

    def lose(
        self,
        *,
        on: date,
        reason_code: LossReason,
        meta: Provenance,
        competitor: str | None = None,
    ) -> None:
        self._require_open_since_tier(on, "lose")
        self._check_after_last_fact(on)
        check_type(self.subject, "reason_code", reason_code, LossReason)
        self._record(
            self.Lost,
            on,
            meta,
            reason_code=reason_code,
            competitor=None
            if competitor is None
            else check_text(self.subject, "competitor", competitor),
        )

    def drop(self, *, on: date, meta: Provenance) -> None:
        """Drop the deal; ``meta.reason`` says why and is required."""
        self._require_open_since_tier(on, "drop")
        self._check_after_last_fact(on)
        self._require_reason(meta, "dropping a deal")
        self._record(self.Dropped, on, meta)

    def change_amount(self, *, on: date, amount: Money, meta: Provenance) -> None:
        """Change the open deal's amount (same currency), saying why."""
        check_positive(self.subject, "amount", amount)
        self._check_in_currency("amount", amount)
        self._check_edit("amount", on, amount, meta)
        self._record(self.AmountChanged, on, meta, amount=amount)

    def reassign(self, *, on: date, owner: str, meta: Provenance) -> None:
        """Hand the open deal to another owner, saying why."""
        owner = check_text(self.subject, "owner", owner)
        self._check_edit("owner", on, owner, meta)
        self._record(self.Reassigned, on, meta, owner=owner)

    def move_expected_close(
        self, *, on: date, expected_close_on: date, meta: Provenance
    ) -> None:
        """Move the open deal's expected close date, saying why."""
        check_date(self.subject, "expected_close_on", expected_close_on)
        self._check_edit("expected_close_on", on, expected_close_on, meta)
        self._record(
            self.ExpectedCloseMoved, on, meta, expected_close_on=expected_close_on
        )

    def record_postmortem(
        self, *, on: date, postmortem: Postmortem, meta: Provenance
    ) -> None:
        """Record the blameless win/loss analysis of a closed deal, once."""
        if self.closed_on is None:
            self._refuse("tier", "a postmortem needs the deal closed at tier 0")
        if self.postmortem is not None:
            self._refuse("postmortem", "a postmortem was already recorded")
        self._check_on(on, self.closed_on, "the close on")
        check_type(self.subject, "postmortem", postmortem, Postmortem)
        check_text(
            self.subject,
            "postmortem.summary",
            postmortem.summary,
            limit=MAX_NOTE_LENGTH,
        )
        for field in ("root_causes", "lessons"):
            for item in getattr(postmortem, field):
                check_note(self.subject, f"postmortem.{field}", item)
        self._record(self.PostmortemRecorded, on, meta, postmortem=postmortem)

    # -- corrections ----------------------------------------------------------

    def correct_tier_move(
        self, *, position: int, moved_on: date, on: date, meta: Provenance
    ) -> None:
        """Fix the day of tier move ``position`` (1 is the first move after
        the opening), as of the day it was recorded; the tier history stays
        in order. The move that closed the deal is corrected with its
        outcome (``correct_outcome_date``)."""
        self._require_reason(meta, "a correction")
        check_type(self.subject, "position", position, int)
        moves = len(self.tier_history) - (0 if self.is_open else 1)
        if not self.is_open and position == moves:
            self._refuse(
                "position",
                f"tier move {position} closed the deal: correct the outcome date",
            )
        if not 1 <= position < moves:
            self._refuse(
                "position",
                f"no tier move {position} to correct"
                + (f" (moves 1 to {moves - 1})" if moves > 1 else ""),
            )
        move = self.tier_history[position]
        check_date(self.subject, "moved_on", moved_on)
        if moved_on == move.moved_on:
            self._refuse("moved_on", f"tier move {position} was made on {moved_on}")
        previous = self.tier_history[position - 1].moved_on
        if moved_on < previous:
            what = (
                f"the deal was opened on {previous}"
                if position == 1
                else f"tier move {position - 1} on {previous}"
            )
            self._refuse(
                "moved_on", f"{moved_on} is before {what}: the tiers stay in order"
            )
        if position + 1 < len(self.tier_history):
            following = self.tier_history[position + 1].moved_on
            if moved_on > following:
                what = (
                    f"tier move {position + 1} on {following}"
                    if position + 1 < moves
                    else f"the deal closed on {following}"
                )
                self._refuse(
                    "moved_on",
                    f"{moved_on} is after {what}: the tiers stay in order",
                )
        self._record_correction(
            self.TierMoveCorrected,
            move.moved_on,
            on,
            meta,
            position=position,
            previous_moved_on=move.moved_on,
            moved_on=moved_on,
        )

    def correct_outcome_date(
        self, *, closed_on: date, on: date, meta: Provenance
    ) -> None:
        """Fix the day the deal was won, lost or dropped (its move to tier
        0), as of the day it was recorded; it may not precede a fact the
        deal held open nor follow its postmortem."""
        self._require_reason(meta, "a correction")
        if self.closed_on is None:
            self._refuse(
                "closed_on", "the deal is open: it has no outcome date to correct"
            )
        check_date(self.subject, "closed_on", closed_on)
        if closed_on == self.closed_on:
            self._refuse("closed_on", f"the deal already closed on {closed_on}")
        if closed_on < self.opened_on:
            self._refuse(
                "closed_on",
                f"{closed_on} is before the deal was opened on {self.opened_on}",
            )
        held, fact_on = self._last_open_fact()
        if closed_on < fact_on:
            self._refuse("closed_on", f"{closed_on} is before {held} on {fact_on}")
        if self.postmortem_on is not None and closed_on > self.postmortem_on:
            self._refuse(
                "closed_on",
                f"{closed_on} is after the postmortem recorded on {self.postmortem_on}",
            )
        self._record_correction(
            self.OutcomeDateCorrected,
            self.closed_on,
            on,
            meta,
            previous_closed_on=self.closed_on,
            closed_on=closed_on,
        )

    def _last_open_fact(self) -> tuple[str, date]:
        """The latest fact the deal held before it closed, and its date."""
        facts = [
            (f"tier move {n}" if n else "the opening", m.moved_on)
            for n, m in enumerate(self.tier_history[:-1])
        ]
        facts += [
            (f"the {STEP_WORDS[r.step]} of gate {r.gate}", r.on)
            for r in self.gate_history
            if r.step is not GateStep.FAILED
        ]
        facts += [
            (f"finding {f.number} {what}", day)
            for f in self.findings
            for what, day in (("raised", f.raised_on), ("resolved", f.resolved_on))
            if day is not None
        ]
        facts += [
            (f"the {term.replace('_on', '').replace('_', ' ')} change", e.changed_on)
            for term in TERMS
            for e in getattr(self, f"{term}_edits")
        ]
        return max(facts, key=lambda fact: fact[1])

    # -- checks ---------------------------------------------------------------

    def _require_open_since(self, on: date, action: str) -> None:
        if not self.is_open:
            self._refuse("tier", f"cannot {action} a deal closed at tier 0")
        self._check_on(on, self.opened_on, "the opening on")

    def _require_open_since_tier(self, on: date, action: str) -> None:
        self._require_open_since(on, action)
        self._check_on(on, self.tier_since, f"the move to tier {self.tier} on")

    def _check_in_currency(self, field: str, value: Money) -> None:
        if value.currency != self.amount.currency:
            raise CurrencyMismatchError(
                self.subject,
                field,
                f"currency {value.currency} differs from the deal's "
                f"{self.amount.currency}",
            )

    def _check_edit(self, term: str, on: date, value: Any, meta: Provenance) -> None:
        """An edit of ``term``: the deal open since before ``on``, a reason,
        a new value, and no earlier than the last edit of ``term``."""
        words = term.replace("_on", "").replace("_", " ")
        self._require_open_since(on, f"change the {words} of")
        self._require_reason(meta, f"changing the {words}")
        if value == getattr(self, term):
            self._refuse(term, f"the {words} is already {value}")
        edits = getattr(self, f"{term}_edits")
        if edits:
            self._check_on(on, edits[-1].changed_on, f"the last {words} change on")

    def _check_reviewed(self, gate: int, on: date) -> None:
        reviews = [
            r.on
            for r in self.gate_history
            if r.gate == gate and r.step is GateStep.REVIEWED
        ]
        if not reviews:
            self._refuse("gate", f"gate {gate} has not been reviewed")
        self._check_on(on, max(reviews), f"the review of gate {gate} on")

    def _check_after_resolutions(self, on: date, findings: Sequence[Finding]) -> None:
        resolved = [f.resolved_on for f in findings if f.resolved_on is not None]
        if resolved:
            self._check_on(on, max(resolved), "the last finding was resolved on")

    def _check_after_previous_gate(self, gate: int, on: date) -> None:
        passes = [
            r.on
            for r in self.gate_history
            if r.gate == gate - 1 and r.step is GateStep.PASSED
        ]
        if passes:
            self._check_on(on, passes[-1], f"gate {gate - 1} was passed on")

    def _check_next_gate(self, gate: int) -> None:
        check_type(self.subject, "gate", gate, int)
        if not 1 <= gate <= MAX_GATE:
            raise ValidationError(
                self.subject, "gate", f"{gate} is not a gate (1..{MAX_GATE})"
            )
        expected = len(self.gates_passed) + 1
        if expected > MAX_GATE:
            self._refuse("gate", f"all {MAX_GATE} gates are passed")
        if gate != expected:
            self._refuse("gate", f"gate {gate} is out of order, the next is {expected}")


#: The terms an edit may change: each has its list of ``<term>_edits``.
TERMS = ("amount", "owner", "expected_close_on")

#: How a refusal names a step of a gate.
STEP_WORDS = {GateStep.REVIEWED: "review", GateStep.PASSED: "pass"}


def percent(share: Decimal) -> str:
    """``Decimal("0.125")`` → ``12.5 %``."""
    return f"{share * 100:.1f} %"


def _first_gates(count: int) -> str:
    return "gate 1" if count == 1 else f"gates 1 to {count}"


def _check_open_tier(subject: str, tier: int) -> None:
    check_type(subject, "tier", tier, int)
    if tier not in OPEN_TIERS:
        raise ValidationError(
            subject, "tier", f"{tier} is not an open tier (4, 3, 2 or 1)"
        )


def _check_stage(subject: str, stage: SalesStage | None, tier: int) -> SalesStage:
    if stage is None:
        return DEFAULT_STAGE[tier]
    check_type(subject, "stage", stage, SalesStage)
    if stage is SalesStage.CLOSE_AND_REVIEW:
        raise ValidationError(subject, "stage", "close & review is for tier 0 only")
    return stage
