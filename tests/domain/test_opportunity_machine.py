"""One opportunity driven through Tier Management, VRB gates (with cost and
price estimates under the board's default rules) and edits of its terms by
random valid and invalid commands.

Business dates are drawn around the deal's own dates, before and after. A
small model predicts which commands the deal accepts; a refused command must
record nothing. After every step the deal read through the API (from
snapshots, taken every three events) must equal the deal replayed from all of
its events, and keep its invariants, in business time too: an auditor
looking back as of any date sees a state the deal could have been in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from itertools import pairwise
from uuid import UUID

import attrs
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule

from b2bcore import (
    B2BCore,
    B2BCoreError,
    BusinessLine,
    LossReason,
    Money,
    OpportunityView,
    OrderLine,
    Outcome,
    ReviewArea,
    SalesStage,
)
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.ids import order_line_id
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.review_board import ReviewBoardRules
from b2bcore.domain.values import MAX_GATE, OPEN_TIERS, DealEdit, GateStep
from b2bcore.reports import asof
from b2bcore.testing.strategies import currencies, money, money_in, plans, texts
from tests.domain.machine import (
    MACHINE_SETTINGS,
    AggregateMachine,
    hesitations,
    maybe_blank,
    prices,
)
from tests.helpers import register_account


class Anchor(Enum):
    """The deal date a command's business date is drawn relative to."""

    OPENING = "opening"
    TIER_MOVE = "tier_move"
    REVIEW = "review"
    FINDING = "finding"
    CLOSE = "close"


#: Days before (negative) or after an anchor: mostly after, often before.
offsets = st.integers(min_value=-30, max_value=120)
anchors = st.sampled_from(Anchor)
#: The next gate (``None``) or any gate number, in order or not.
gates = st.one_of(
    st.none(), st.none(), st.integers(min_value=0, max_value=MAX_GATE + 1)
)
findings = st.lists(st.tuples(st.sampled_from(ReviewArea), maybe_blank), max_size=3)
#: The board's rules the machine runs under: the defaults.
RULES = ReviewBoardRules()
#: A review's estimate: none, (cost, price) in minor units, or one of them
#: left out (refused).
estimates = st.one_of(
    st.none(),
    st.tuples(prices, prices),
    st.tuples(st.none(), prices),
    st.tuples(prices, st.none()),
)
#: The deal's terms an edit changes, and the ``B2BCore`` method that does.
TERMS = {
    "amount": "change_opportunity_amount",
    "owner": "reassign_opportunity",
    "expected_close_on": "move_expected_close",
}


@attrs.define
class FindingModel:
    gate: int
    raised_on: date
    resolved_on: date | None = None

    @property
    def is_open(self) -> bool:
        return self.resolved_on is None


@attrs.define
class DealModel:
    """What the deal should look like after the commands accepted so far."""

    opened_on: date
    tier: int
    currency: str
    tier_since: date
    outcome: Outcome | None = None
    closed_on: date | None = None
    gates_passed: int = 0
    #: The latest review of each gate reviewed: it cannot pass or fail before.
    reviewed_on: dict[int, date] = attrs.Factory(dict)
    #: When each gate passed: the next gate is reviewed and passed after it.
    passed_on: dict[int, date] = attrs.Factory(dict)
    findings: list[FindingModel] = attrs.Factory(list)
    has_postmortem: bool = False
    #: The latest estimate's (cost, price) in minor units.
    estimate: tuple[int, int] | None = None
    #: Each term's value now (set at opening) and the date of its last edit.
    terms: dict[str, object] = attrs.Factory(dict)
    edited_on: dict[str, date] = attrs.Factory(dict)

    @property
    def margin_ok(self) -> bool:
        """No estimate, or one at no less than the minimum margin."""
        if self.estimate is None:
            return True
        cost, price = self.estimate
        return (price - cost) / Decimal(price) >= RULES.minimum_margin

    def price_ok(self, value: int) -> bool:
        """A win at ``value`` (minor units) is not too far below the price."""
        return self.estimate is None or value >= self.estimate[1] * (
            1 - RULES.price_tolerance
        )

    @property
    def next_gate(self) -> int:
        return self.gates_passed + 1

    def after_previous_gate(self, gate: int, on: date) -> bool:
        return gate == 1 or on >= self.passed_on.get(gate - 1, on)

    def reviewed_by(self, gate: int, on: date) -> bool:
        return gate in self.reviewed_on and on >= self.reviewed_on[gate]

    def resolved_by(self, on: date, gate: int | None = None) -> bool:
        """Every finding (of ``gate`` if given) resolved on or before ``on``."""
        return all(
            f.resolved_on is not None and f.resolved_on <= on
            for f in self.findings
            if gate is None or f.gate == gate
        )

    def open_since(self, on: date) -> bool:
        return self.outcome is None and on >= self.opened_on

    def open_since_tier(self, on: date) -> bool:
        return self.open_since(on) and on >= self.tier_since

    def close(self, on: date, outcome: Outcome) -> None:
        self.outcome = outcome
        self.closed_on = on
        self.tier = 0
        self.tier_since = on


def assert_tier_zero_iff_closed(view: OpportunityView) -> None:
    assert view.tier in (0, *OPEN_TIERS)
    assert (view.tier == 0) == (view.outcome is not None)
    assert (view.closed_on is None) == (view.outcome is None)
    if view.outcome is not None:
        assert [m.tier for m in view.tier_history].count(0) == 1
        assert view.tier_history[-1].tier == 0


def latest_fact(view: OpportunityView) -> date:
    """The latest business date of anything the deal holds."""
    dated = [
        *(m.moved_on for m in view.tier_history),
        *(g.on for g in view.gate_history),
        *(e.changed_on for e in view.amount_edits),
        *(e.changed_on for e in view.owner_edits),
        *(e.changed_on for e in view.expected_close_on_edits),
        *(f.raised_on for f in view.findings),
        *(f.resolved_on for f in view.findings if f.resolved_on is not None),
    ]
    return max(dated)


def assert_nothing_dated_after_the_close(view: OpportunityView) -> None:
    """Tier 0 is terminal in business time too: no tier move, gate step or
    finding of the deal took effect after the day it closed."""
    if view.closed_on is None:
        return
    latest = latest_fact(view)
    assert latest <= view.closed_on, (
        f"closed on {view.closed_on} but holds a fact of {latest}"
    )


def assert_gates_passed_in_order(view: OpportunityView) -> None:
    """Gates 1..k, each reviewed first, passed in order in business time."""
    assert list(view.gates_passed) == list(range(1, len(view.gates_passed) + 1))
    assert set(view.gates_passed) <= set(view.gates_reviewed)
    passed_on = [g.on for g in view.gate_history if g.step is GateStep.PASSED]
    assert passed_on == sorted(passed_on), f"gates passed on {passed_on}"


def assert_no_gate_passed_with_an_open_finding(view: OpportunityView) -> None:
    """On the day a gate passed, it had been reviewed and each of its
    findings was resolved."""
    for record in view.gate_history:
        if record.step is not GateStep.PASSED:
            continue
        assert any(
            r.gate == record.gate and r.step is GateStep.REVIEWED and r.on <= record.on
            for r in view.gate_history
        )
        for finding in view.findings:
            if finding.gate == record.gate:
                assert finding.resolved_on is not None
                assert finding.resolved_on <= record.on


def assert_no_gate_passed_nor_win_against_the_board(view: OpportunityView) -> None:
    """Each gate passed at no less than the minimum margin of the estimate
    in force then (the latest review of a gate up to it: the next gate is
    reviewed only after); a win not below the latest price beyond the
    tolerance."""
    for gate in view.gates_passed:
        estimates = [
            r.profitability
            for r in view.reviews
            if r.gate <= gate and r.profitability is not None
        ]
        if estimates:
            assert estimates[-1].margin >= RULES.minimum_margin
    if view.won_value is not None and view.profitability is not None:
        floor = view.profitability.price.amount * (1 - RULES.price_tolerance)
        assert view.won_value.amount >= floor


def assert_edits_run_forward(view: OpportunityView) -> None:
    """Each term's edits in date order, each from the value before it."""
    terms: list[tuple[Sequence[DealEdit[object]], object]] = [
        (view.amount_edits, view.amount),
        (view.owner_edits, view.owner),
        (view.expected_close_on_edits, view.expected_close_on),
    ]
    for edits, now in terms:
        dates = [e.changed_on for e in edits]
        assert dates == sorted(dates)
        for before, after in pairwise(edits):
            assert after.previous == before.value
        if edits:
            assert edits[-1].value == now


def assert_tier_history_runs_forward(view: OpportunityView) -> None:
    history = view.tier_history
    assert history[0].from_tier is None
    for before, after in pairwise(history):
        assert before.moved_on <= after.moved_on
        assert after.from_tier == before.tier
        assert after.tier != before.tier


class OpportunityMachine(AggregateMachine[OpportunityView]):
    def __init__(self) -> None:
        super().__init__()
        self.account_id: UUID | None = None

    def read(self, *, as_of: date | None = None) -> OpportunityView:
        return self.core.opportunity(self.aggregate_id, as_of=as_of)

    def view_of(self, replayed: DomainAggregate | None) -> OpportunityView:
        assert isinstance(replayed, Opportunity)
        return OpportunityView.of(replayed)

    def assert_invariants(self, view: OpportunityView) -> None:
        assert_tier_zero_iff_closed(view)
        assert_nothing_dated_after_the_close(view)
        assert_gates_passed_in_order(view)
        assert_no_gate_passed_with_an_open_finding(view)
        assert_no_gate_passed_nor_win_against_the_board(view)
        assert_edits_run_forward(view)
        assert_tier_history_runs_forward(view)

    @initialize(
        opened_on=st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31)),
        tier=st.sampled_from(OPEN_TIERS),
        account_known=st.booleans(),
        currency=currencies,
    )
    def open_the_deal(
        self,
        opened_on: date,
        tier: int,
        account_known: bool,
        currency: str,
    ) -> None:
        if account_known:
            self.account_id = register_account(self.core, on=opened_on)
        self.core.open_opportunity(
            opportunity_id=self.aggregate_id,
            account_id=self.account_id,
            name="Fleet renewal 2025",
            amount=money_in(currency, 10**6),
            owner="rep-1",
            business_line=BusinessLine.DOMESTIC,
            region="Seoul",
            country="KR",
            product="car-sharing fleet",
            expected_close_on=opened_on + timedelta(days=120),
            tier=tier,
            on=opened_on,
        )
        self.model = DealModel(
            opened_on=opened_on, tier=tier, currency=currency, tier_since=opened_on
        )
        self.model.terms = {
            "amount": money_in(currency, 10**6),
            "owner": "rep-1",
            "expected_close_on": opened_on + timedelta(days=120),
        }

    # -- helpers ----------------------------------------------------------

    def _day(self, anchor: Anchor, offset: int) -> date:
        dates = {
            Anchor.OPENING: self.model.opened_on,
            Anchor.TIER_MOVE: self.model.tier_since,
            Anchor.REVIEW: max(self.model.reviewed_on.values(), default=None),
            Anchor.FINDING: max(
                (f.raised_on for f in self.model.findings), default=None
            ),
            Anchor.CLOSE: self.model.closed_on,
        }
        return (dates[anchor] or self.model.opened_on) + timedelta(days=offset)

    def _gate(self, gate: int | None) -> int:
        return self.model.next_gate if gate is None else gate

    def _may_close(self, on: date) -> bool:
        """Open, at its tier by ``on``, and no fact of the deal dated after
        ``on``: tier 0 is terminal in business time."""
        return self.model.open_since_tier(on) and on >= latest_fact(self._view())

    # -- tiers ------------------------------------------------------------

    @rule(
        anchor=anchors,
        offset=offsets,
        tier=st.integers(min_value=0, max_value=5),
        stage=st.one_of(st.none(), st.sampled_from(SalesStage)),
    )
    def change_tier(
        self, anchor: Anchor, offset: int, tier: int, stage: SalesStage | None
    ) -> None:
        on = self._day(anchor, offset)
        valid = (
            self.model.open_since_tier(on)
            and tier in OPEN_TIERS
            and tier != self.model.tier
            and stage is not SalesStage.CLOSE_AND_REVIEW
        )
        if self._attempt(
            "change_tier",
            lambda: self.core.change_tier(
                self.aggregate_id, tier=tier, stage=stage, on=on
            ),
            valid=valid,
        ):
            self.model.tier = tier
            self.model.tier_since = on

    # -- value review board -----------------------------------------------

    @rule(
        anchor=anchors,
        offset=offsets,
        gate=gates,
        findings=findings,
        estimate=estimates,
        foreign_currency=st.booleans(),
        terms=st.data(),
    )
    def review_gate(
        self,
        anchor: Anchor,
        offset: int,
        gate: int | None,
        findings: list[tuple[ReviewArea, str]],
        estimate: tuple[int | None, int | None] | None,
        foreign_currency: bool,
        terms: st.DataObject,
    ) -> None:
        on = self._day(anchor, offset)
        number = self._gate(gate)
        cost, price = estimate or (None, None)
        currency = self.model.currency
        if foreign_currency and estimate is not None:
            currency = terms.draw(currencies.filter(lambda c: c != currency))
        figures = {
            name: None if minor is None else money_in(currency, minor)
            for name, minor in (("cost", cost), ("price", price))
        }
        valid = (
            self.model.open_since(on)
            and number == self.model.next_gate <= MAX_GATE
            and self.model.after_previous_gate(number, on)
            and all(description.strip() for _, description in findings)
            and (cost is None) == (price is None)
            and (estimate is None or currency == self.model.currency)
        )
        raised: list[list[int]] = []
        if self._attempt(
            "review_gate",
            lambda: raised.append(
                self.core.review_gate(
                    self.aggregate_id,
                    gate=number,
                    findings=findings,
                    on=on,
                    cost=figures["cost"],
                    price=figures["price"],
                )
            ),
            valid=valid,
            events=1 + len(findings),
        ):
            first = len(self.model.findings) + 1
            assert raised == [list(range(first, first + len(findings)))]
            self.model.reviewed_on[number] = max(
                on, self.model.reviewed_on.get(number, on)
            )
            self.model.findings.extend(FindingModel(number, on) for _ in findings)
            if cost is not None and price is not None:
                self.model.estimate = (cost, price)

    @rule(
        anchor=anchors,
        offset=offsets,
        pick_open=st.booleans(),
        pick=st.integers(min_value=0, max_value=8),
        resolution=maybe_blank,
    )
    def resolve_finding(
        self, anchor: Anchor, offset: int, pick_open: bool, pick: int, resolution: str
    ) -> None:
        """Resolve an open finding, or any number (zero, resolved, unknown)."""
        on = self._day(anchor, offset)
        still_open = [n for n, f in enumerate(self.model.findings, 1) if f.is_open]
        number = (
            still_open[pick % len(still_open)] if pick_open and still_open else pick
        )
        raised = 1 <= number <= len(self.model.findings)
        finding = self.model.findings[number - 1] if raised else None
        valid = (
            self.model.open_since(on)
            and finding is not None
            and finding.is_open
            and on >= finding.raised_on
            and resolution.strip() != ""
        )
        if self._attempt(
            "resolve_finding",
            lambda: self.core.resolve_finding(
                self.aggregate_id, number=number, resolution=resolution, on=on
            ),
            valid=valid,
        ):
            assert finding is not None
            finding.resolved_on = on

    @rule(anchor=anchors, offset=offsets, gate=gates)
    def pass_gate(self, anchor: Anchor, offset: int, gate: int | None) -> None:
        on = self._day(anchor, offset)
        number = self._gate(gate)
        valid = (
            self.model.open_since(on)
            and number == self.model.next_gate <= MAX_GATE
            and self.model.after_previous_gate(number, on)
            and self.model.reviewed_by(number, on)
            and self.model.resolved_by(on, gate=number)
            and self.model.margin_ok
        )
        if self._attempt(
            "pass_gate",
            lambda: self.core.pass_gate(self.aggregate_id, gate=number, on=on),
            valid=valid,
        ):
            self.model.gates_passed += 1
            self.model.passed_on[number] = on

    # -- edits ------------------------------------------------------------

    @rule(
        anchor=anchors,
        offset=offsets,
        term=st.sampled_from(sorted(TERMS)),
        reason=maybe_blank,
        terms=st.data(),
    )
    def edit(
        self, anchor: Anchor, offset: int, term: str, reason: str, terms: st.DataObject
    ) -> None:
        """Change the amount (sometimes in another currency), the owner
        (sometimes to the same one) or the expected close."""
        on = self._day(anchor, offset)
        values = {
            "amount": st.one_of(money(self.model.currency), money()),
            "owner": st.sampled_from(["rep-1", "rep-2", "rep-3"]),
            "expected_close_on": st.dates(
                self.model.opened_on, self.model.opened_on + timedelta(days=400)
            ),
        }
        value = terms.draw(values[term], label=term)
        valid = (
            self.model.open_since(on)
            and reason.strip() != ""
            and value != self.model.terms[term]
            and on >= self.model.edited_on.get(term, on)
            and (not isinstance(value, Money) or value.currency == self.model.currency)
        )
        if self._attempt(
            TERMS[term],
            lambda: getattr(self.core, TERMS[term])(
                self.aggregate_id, reason=reason, on=on, **{term: value}
            ),
            valid=valid,
        ):
            self.model.terms[term] = value
            self.model.edited_on[term] = on

    # -- closing ----------------------------------------------------------

    @rule(
        anchor=anchors,
        offset=offsets,
        gate=gates,
        reason=maybe_blank,
        hesitation=hesitations,
    )
    def fail_gate(
        self,
        anchor: Anchor,
        offset: int,
        gate: int | None,
        reason: str,
        hesitation: int,
    ) -> None:
        if hesitation:
            return
        on = self._day(anchor, offset)
        number = self._gate(gate)
        valid = (
            self._may_close(on)
            and number == self.model.next_gate <= MAX_GATE
            and self.model.reviewed_by(number, on)
            and reason.strip() != ""
        )
        if self._attempt(
            "fail_gate",
            lambda: self.core.fail_gate(
                self.aggregate_id, gate=number, reason=reason, on=on
            ),
            valid=valid,
        ):
            self.model.close(on, Outcome.DROPPED)

    @rule(
        anchor=anchors,
        offset=offsets,
        price=prices,
        foreign_currency=st.booleans(),
        lines=st.integers(min_value=0, max_value=2),
        first_due_in=st.integers(min_value=-5, max_value=60),
        terms=st.data(),
        hesitation=hesitations,
    )
    def win(
        self,
        anchor: Anchor,
        offset: int,
        price: int,
        foreign_currency: bool,
        lines: int,
        first_due_in: int,
        terms: st.DataObject,
        hesitation: int,
    ) -> None:
        """Win, with an order of ``lines`` assets whose installments start
        ``first_due_in`` days after the win (before it is refused)."""
        if hesitation:
            return
        on = self._day(anchor, offset)
        currency = self.model.currency
        if foreign_currency:
            currency = terms.draw(currencies.filter(lambda c: c != currency))
        order = []
        for line in range(1, lines + 1):
            line_value = terms.draw(money(max_units=10**5), label="line value")
            order.append(
                OrderLine(
                    product=f"vehicle {line}",
                    value=line_value,
                    order_reference=f"SO-{line}",
                    contact="Kim",
                    installments=terms.draw(
                        plans(line_value, on + timedelta(days=first_due_in)),
                        label="line plan",
                    ),
                )
            )
        valid = (
            self._may_close(on)
            and currency == self.model.currency
            and self.model.resolved_by(on)
            and (currency != self.model.currency or self.model.price_ok(price))
            and (not order or (self.account_id is not None and first_due_in >= 0))
        )
        asset_ids: list[tuple[UUID, ...]] = []
        if self._attempt(
            "win_opportunity",
            lambda: asset_ids.append(
                self.core.win_opportunity(
                    self.aggregate_id,
                    value=money_in(currency, price),
                    order=order,
                    on=on,
                )
            ),
            valid=valid,
            events=1 + len(order),
        ):
            self.model.close(on, Outcome.WON)
            expected = tuple(
                order_line_id(self.aggregate_id, n) for n in range(1, len(order) + 1)
            )
            assert asset_ids == [expected]
            for asset_id, ordered in zip(expected, order, strict=True):
                asset = self.core.asset(asset_id)
                assert asset.account_id == self.account_id
                assert asset.opportunity_id == self.aggregate_id
                assert asset.purchased_on == on
                assert asset.value == ordered.value

    @rule(
        anchor=anchors,
        offset=offsets,
        reason_code=st.sampled_from(LossReason),
        competitor=st.one_of(st.none(), maybe_blank),
        hesitation=hesitations,
    )
    def lose(
        self,
        anchor: Anchor,
        offset: int,
        reason_code: LossReason,
        competitor: str | None,
        hesitation: int,
    ) -> None:
        if hesitation:
            return
        on = self._day(anchor, offset)
        valid = self._may_close(on) and (competitor is None or competitor.strip() != "")
        if self._attempt(
            "lose_opportunity",
            lambda: self.core.lose_opportunity(
                self.aggregate_id, reason_code=reason_code, competitor=competitor, on=on
            ),
            valid=valid,
        ):
            self.model.close(on, Outcome.LOST)

    @rule(anchor=anchors, offset=offsets, reason=maybe_blank, hesitation=hesitations)
    def drop(self, anchor: Anchor, offset: int, reason: str, hesitation: int) -> None:
        if hesitation:
            return
        on = self._day(anchor, offset)
        valid = self._may_close(on) and reason.strip() != ""
        if self._attempt(
            "drop_opportunity",
            lambda: self.core.drop_opportunity(self.aggregate_id, reason=reason, on=on),
            valid=valid,
        ):
            self.model.close(on, Outcome.DROPPED)

    @rule(
        anchor=anchors,
        offset=offsets,
        summary=maybe_blank,
        root_causes=st.lists(texts, max_size=3),
        lessons=st.lists(texts, max_size=3),
    )
    def record_postmortem(
        self,
        anchor: Anchor,
        offset: int,
        summary: str,
        root_causes: list[str],
        lessons: list[str],
    ) -> None:
        on = self._day(anchor, offset)
        valid = (
            self.model.closed_on is not None
            and not self.model.has_postmortem
            and on >= self.model.closed_on
            and summary.strip() != ""
        )
        if self._attempt(
            "record_postmortem",
            lambda: self.core.record_postmortem(
                self.aggregate_id,
                summary=summary,
                root_causes=root_causes,
                lessons=lessons,
                on=on,
            ),
            valid=valid,
        ):
            self.model.has_postmortem = True

    # -- audit ------------------------------------------------------------

    @rule(anchor=anchors, offset=offsets)
    def look_back_as_of(self, anchor: Anchor, offset: int) -> None:
        """An auditor's view as of any business date is a state the deal
        could be in: it loads, and the invariants hold for it too."""
        as_of = self._day(anchor, offset)
        view = self._look_back(as_of, began_on=self.model.opened_on)
        if view is None:
            return
        # The terms in force then: the replay as of the date agrees with
        # the live deal's edits undone after it (what the reports read).
        live = asof.deal_terms(self._view(), as_of)
        assert (view.amount, view.owner, view.expected_close_on) == (
            live.amount,
            live.owner,
            live.expected_close_on,
        )

    # -- invariants -------------------------------------------------------

    @invariant()
    def the_deal_matches_the_model(self) -> None:
        view = self._view()
        assert view.tier == self.model.tier
        assert view.tier_since == self.model.tier_since
        assert view.outcome is self.model.outcome
        assert view.closed_on == self.model.closed_on
        assert set(view.gates_reviewed) == set(self.model.reviewed_on)
        assert len(view.gates_passed) == self.model.gates_passed
        assert [(f.gate, f.raised_on, f.resolved_on) for f in view.findings] == [
            (f.gate, f.raised_on, f.resolved_on) for f in self.model.findings
        ]
        assert (view.postmortem is not None) == self.model.has_postmortem
        assert {term: getattr(view, term) for term in TERMS} == self.model.terms
        estimate = view.profitability
        assert (
            None if estimate is None else (estimate.cost.minor, estimate.price.minor)
        ) == self.model.estimate

    @invariant()
    def the_deal_keeps_its_invariants(self) -> None:
        view = self._view()
        self.assert_invariants(view)
        # Tier 0 is terminal: only a postmortem is recorded after it.
        self._assert_nothing_recorded_after_the_end(
            view,
            ended=view.outcome is not None,
            allowed=1 if view.postmortem is not None else 0,
        )


OpportunityMachine.TestCase.settings = MACHINE_SETTINGS
TestOpportunityMachine = OpportunityMachine.TestCase


def _open_deal(core: B2BCore, on: date) -> UUID:
    return core.open_opportunity(
        account_id=None,
        name="Fleet renewal 2025",
        amount=money_in("KRW", 10**6),
        owner="rep-1",
        business_line=BusinessLine.DOMESTIC,
        region="Seoul",
        country="KR",
        product="car-sharing fleet",
        expected_close_on=on + timedelta(days=120),
        on=on,
    )


def test_closing_a_deal_before_its_last_recorded_fact_is_refused(
    memory_core: B2BCore,
) -> None:
    """The smallest case the machine found: tier 0 is terminal in business
    time, so the close cannot take effect before a fact already recorded."""
    deal_id = _open_deal(memory_core, date(2020, 1, 1))
    memory_core.review_gate(deal_id, gate=1, on=date(2020, 1, 2))
    position = memory_core.log_position()

    with pytest.raises(B2BCoreError):
        memory_core.drop_opportunity(deal_id, reason="budget cut", on=date(2020, 1, 1))
    assert memory_core.log_position() == position


def test_a_gate_cannot_pass_before_the_gate_before_it_passed(
    memory_core: B2BCore,
) -> None:
    """Otherwise the deal as of 15 February has passed gate 2 but not gate 1."""
    deal_id = _open_deal(memory_core, date(2020, 1, 1))
    memory_core.review_gate(deal_id, gate=1, on=date(2020, 3, 1))
    memory_core.pass_gate(deal_id, gate=1, on=date(2020, 3, 1))

    def pass_gate_2_in_february() -> None:
        memory_core.review_gate(deal_id, gate=2, on=date(2020, 2, 1))
        memory_core.pass_gate(deal_id, gate=2, on=date(2020, 2, 1))

    with pytest.raises(B2BCoreError):
        pass_gate_2_in_february()
    assert memory_core.opportunity(deal_id, as_of=date(2020, 2, 15)).gates_passed == ()
