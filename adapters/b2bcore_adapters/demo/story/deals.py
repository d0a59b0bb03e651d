"""A deal's story: an opportunity climbing the tiers to Tier 0.

Tier 4 → 3 → 2 → 1, a few weeks a tier, sometimes cooling back a tier;
on the way the expected close may be moved (the customer decides later),
the deal handed to a colleague, or its amount changed (a deal that will not
be won: the scope changed). A deal large enough for the value review board
passes a gate before each climb and before the win: the review estimates
the cost and the price (mostly at a healthy margin; now and then at a loss,
and the deal is estimated again at a lower cost before the board passes
it), raises findings by area, each is resolved, then the gate is passed,
unless the board fails the deal (it is dropped). Then the deal is won (its
order creates the assets, within the board's price tolerance), lost to a
reason and often a competitor, dropped, or stalls until it is dropped; some
get a postmortem. A deal whose next step falls after the story's last day
stays open there, stagnant when its tier has not moved for a while. Now
and then a tier move, a loss or a drop is found booked days late and its
date corrected.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from datetime import date
from enum import Enum
from uuid import UUID

import attrs

from b2bcore import Money, OrderLine, Outcome
from b2bcore.domain.aggregate import Provenance
from b2bcore.domain.asset import Asset
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.policies import win_with_order
from b2bcore.domain.values import Postmortem, add_months
from b2bcore_adapters.demo.story.assets import Subscription, krw, round_down
from b2bcore_adapters.demo.story.calendar import Cursor, PastTheEnd, later
from b2bcore_adapters.demo.story.parties import Customer, acting
from b2bcore_adapters.demo.story.vocabulary import (
    COMPETITORS,
    DEAL_COMPETITORS,
    DROP_REASONS,
    EXPECTED_CLOSE_MOVES,
    FINDING_AREAS,
    FINDINGS,
    GATE_FAILURES,
    LOSS_REASONS,
    LOST_TO_A_COMPETITOR,
    MARGINS,
    POSTMORTEMS,
    REASSIGNMENTS,
    REPRICINGS,
    RESCOPES,
    STALLED,
    WIN_REASONS,
    Product,
    Weighted,
    one_of,
)


class Fate(Enum):
    """How a deal is meant to end, if the story lasts long enough."""

    WON = "won"
    LOST = "lost"
    DROPPED = "dropped"
    STALLED = "stalled"


#: The actor of gate reviews and failures.
VRB = "vrb"
#: Deals of at least VRB_FROM (KRW) pass the value review board's gates 1–4;
#: those of at least EXECUTIVE_GATE_FROM also the fifth, executive gate.
VRB_FROM = 30_000_000
EXECUTIVE_GATE_FROM = 150_000_000
GATE_FAILURE_SHARE = 0.03
COOLING_SHARE = 0.15
FINDINGS_PER_REVIEW = Weighted({0: 40, 1: 35, 2: 20, 3: 5})
#: Months from the opening to the expected close: short, mid or long horizon.
HORIZONS = Weighted({2: 15, 3: 25, 4: 20, 6: 15, 9: 10, 12: 5, 18: 7, 24: 3})
#: The tier a deal that will not be won stops climbing at, by its fate.
STOPS_AT: Mapping[Fate, Weighted[int]] = {
    Fate.LOST: Weighted({4: 1, 3: 2, 2: 3, 1: 4}),
    Fate.DROPPED: Weighted({4: 3, 3: 3, 2: 2, 1: 1}),
    Fate.STALLED: Weighted({4: 2, 3: 3, 2: 3, 1: 2}),
}
POSTMORTEM_SHARES = {Outcome.WON: 0.4, Outcome.LOST: 0.5, Outcome.DROPPED: 0.2}
#: The chance the VRB's first estimate of a deal shows a loss (it is
#: estimated again at a lower cost before the gate is passed).
LOSS_ESTIMATE_SHARE = 0.05
#: A reviewed deal is won at 96 % to 100 % of its lines' value (the board
#: tolerates 5 % below the reviewed price); others at 90 % to 100 %.
LOWEST_REVIEWED_WIN = 96
LOWEST_WIN = 90
#: Per tier move: the chance the deal's expected close is moved when the
#: move reaches it, and the chances it is handed to a colleague or (a deal
#: that will not be won) its amount is changed.
CLOSE_MOVED_SHARE = 0.6
REASSIGNED_SHARE = 0.01
RESCOPED_SHARE = 0.03
#: Dates booked late and corrected: a tier move entered days after the
#: customer's go-ahead (at once), a loss or drop entered days after the
#: customer's letter (a few days later).
MISDATED_MOVE_SHARE = 0.02
MISDATED_CLOSE_SHARE = 0.03


@attrs.frozen
class Proposal:
    """What a deal offers: the fleets its order would create."""

    name: str
    product: Product
    lines: tuple[Subscription, ...]

    @property
    def amount(self) -> Money:
        return krw(sum(int(line.value.amount) for line in self.lines))


def gates_for(amount: Money) -> int:
    """The VRB gates a deal of ``amount`` passes: none when small, four, or
    five (the executive gate) when large."""
    if amount.amount < VRB_FROM:
        return 0
    return 5 if amount.amount >= EXECUTIVE_GATE_FROM else 4


def open_deal(
    deal_id: UUID,
    customer: Customer,
    proposal: Proposal,
    on: date,
    rng: random.Random,
    lead_id: UUID | None = None,
) -> Opportunity:
    """Open the deal at Tier 4 with its expected close and competitors."""
    rivals = rng.sample(COMPETITORS, DEAL_COMPETITORS.draw(rng))
    return Opportunity.open(
        deal_id,
        account_id=customer.id,
        name=proposal.name,
        amount=proposal.amount,
        owner=customer.owner,
        business_line=customer.business_line,
        region=customer.region.name,
        country=customer.country,
        product=proposal.product.name,
        expected_close_on=add_months(on, HORIZONS.draw(rng)),
        competitors=rivals,
        lead_id=lead_id,
        on=on,
        meta=acting(customer.owner),
    )


class DealStory:
    """The story of one open deal, told by ``play``."""

    def __init__(
        self,
        deal: Opportunity,
        proposal: Proposal,
        customer: Customer,
        order_reference: Callable[[], str],
        rng: random.Random,
        until: date,
        colleagues: Sequence[str] = (),
    ) -> None:
        self.deal = deal
        self.proposal = proposal
        self.customer = customer
        self.order_reference = order_reference
        self.rng = rng
        self.cursor = Cursor(deal.opened_on, until, rng)
        self.gates = gates_for(proposal.amount)
        self.sales = acting(deal.owner)
        #: Who the deal may be handed to.
        self.colleagues = tuple(c for c in colleagues if c != deal.owner)
        #: The VRB's estimate of the deal's margin, in percent (drawn at
        #: its first review).
        self.margin: int | None = None
        self.fate = Fate.STALLED
        #: What the won deal's order created: each asset with what it sells.
        self.ordered: list[tuple[Asset, Subscription]] = []
        #: Whether and by how much a date was booked late: drawn apart from
        #: ``rng``, so the rest of the book does not depend on the slips.
        self.slips = random.Random(deal.id.int)
        #: The day of the deal's last fact before the close (a corrected
        #: close may not precede it).
        self.open_until = deal.opened_on

    def play(self, fate: Fate, *, upsell: bool = False) -> None:
        """Move the deal towards its ``fate`` until Tier 0 or the last day;
        a won deal's order creates its assets (``upsell`` when the account
        already held some)."""
        with suppress(PastTheEnd):
            self._close(fate, upsell)
            self._review_the_outcome()
        self._correct_the_close()

    def _close(self, fate: Fate, upsell: bool) -> None:
        self.fate = fate
        stop = 1 if fate is Fate.WON else STOPS_AT[fate].draw(self.rng)
        cooled = False
        while self.deal.tier > stop:
            if not cooled and self.deal.tier <= 2 and self.rng.random() < COOLING_SHARE:
                self._move(self.deal.tier + 1, "the customer postponed the decision")
                cooled = True
            elif not self._climb():
                return
        self.open_until = self.cursor.today
        if fate is Fate.WON:
            if self._through_gate(4) and self._through_gate(5):
                self._win(upsell)
        elif fate is Fate.LOST:
            self._lose()
        elif fate is Fate.DROPPED:
            self._drop(one_of(self.rng, DROP_REASONS), 5, 40)
        else:
            self._drop(STALLED, 60, 150)

    # -- tiers and gates ------------------------------------------------------

    def _climb(self) -> bool:
        """Up one tier through the gate in the way; False when the VRB failed
        the deal there."""
        if not self._through_gate(5 - self.deal.tier):
            return False
        self._move(self.deal.tier - 1)
        return True

    def _move(self, tier: int, reason: str | None = None) -> None:
        since = self.deal.tier_since
        on = self.cursor.wait(7, 35)
        meta = self.sales if reason is None else Provenance(self.deal.owner, reason)
        self.deal.change_tier(on=on, tier=tier, meta=meta)
        if self.slips.random() < MISDATED_MOVE_SHARE:
            # Booked when the rep got to it; the customer agreed days before.
            self.deal.correct_tier_move(
                position=len(self.deal.tier_history) - 1,
                moved_on=max(since, later(on, self.slips, -10, -2)),
                on=on,
                meta=Provenance(self.deal.owner, "booked late; the customer agreed"),
            )
        self._edit(on)

    # -- edits ----------------------------------------------------------------

    def _edit(self, on: date) -> None:
        """What may change with a tier move: the expected close, once the
        deal reaches it; the owner; the amount of a deal not to be won."""
        rng, deal = self.rng, self.deal
        if on >= deal.expected_close_on and rng.random() < CLOSE_MOVED_SHARE:
            deal.move_expected_close(
                on=on,
                expected_close_on=add_months(on, rng.randint(1, 3)),
                meta=Provenance(deal.owner, one_of(rng, EXPECTED_CLOSE_MOVES)),
            )
        if self.colleagues and rng.random() < REASSIGNED_SHARE:
            owner = one_of(rng, self.colleagues)
            deal.reassign(
                on=on,
                owner=owner,
                meta=Provenance(deal.owner, one_of(rng, REASSIGNMENTS)),
            )
            self.colleagues = tuple(c for c in self.colleagues if c != owner)
            self.sales = acting(owner)
        if self.fate is not Fate.WON and rng.random() < RESCOPED_SHARE:
            amount = round_down(
                int(deal.amount.amount) * rng.randint(60, 140) // 100, 100_000
            )
            if amount != deal.amount.amount:
                deal.change_amount(
                    on=on,
                    amount=krw(amount),
                    meta=Provenance(deal.owner, one_of(rng, RESCOPES)),
                )

    def _through_gate(self, gate: int) -> bool:
        """Review ``gate``, resolve its findings and pass it, unless the deal
        skips the VRB or passed it already; False when the board fails it."""
        if gate > self.gates or len(self.deal.gates_passed) >= gate:
            return True
        rng = self.rng
        raised = []
        for _ in range(FINDINGS_PER_REVIEW.draw(rng)):
            area = FINDING_AREAS.draw(rng)
            raised.append((area, *one_of(rng, FINDINGS[area])))
        price = self.deal.amount
        at_a_loss = self.margin is None and rng.random() < LOSS_ESTIMATE_SHARE
        if self.margin is None:
            self.margin = MARGINS.draw(rng)
        # Each review firms the estimate up: within 2 points of the first.
        margin = -rng.randint(2, 8) if at_a_loss else self.margin + rng.randint(-2, 2)
        numbers = self.deal.review_gate(
            on=self.cursor.wait(2, 10),
            gate=gate,
            findings=[(area, description) for area, description, _ in raised],
            cost=self._cost(price, margin),
            price=price,
            meta=acting(VRB),
        )
        if at_a_loss:
            # No gate passes at a loss: the deal is estimated again.
            self.deal.review_gate(
                on=self.cursor.wait(3, 14),
                gate=gate,
                findings=[],
                cost=self._cost(price, self.margin),
                price=price,
                meta=Provenance(VRB, reason=one_of(rng, REPRICINGS)),
            )
        if rng.random() < GATE_FAILURE_SHARE:
            self.deal.fail_gate(
                on=self.cursor.wait(0, 7),
                gate=gate,
                meta=Provenance(VRB, reason=one_of(rng, GATE_FAILURES)),
            )
            return False
        for number, (_, _, resolution) in zip(numbers, raised, strict=True):
            self.deal.resolve_finding(
                on=self.cursor.wait(1, 10),
                number=number,
                resolution=resolution,
                meta=self.sales,
            )
        self.deal.pass_gate(on=self.cursor.wait(0, 3), gate=gate, meta=acting(VRB))
        return True

    @staticmethod
    def _cost(price: Money, margin: int) -> Money:
        """What the deal costs at ``price`` for a ``margin`` in percent."""
        return krw(round_down(int(price.amount) * (100 - margin) // 100, 10_000))

    # -- tier 0 ---------------------------------------------------------------

    def _win(self, upsell: bool) -> None:
        rng = self.rng
        on = self.cursor.wait(5, 30)
        lowest = LOWEST_REVIEWED_WIN if self.deal.profitability else LOWEST_WIN
        sold = tuple(
            attrs.evolve(
                line,
                value=krw(
                    round_down(
                        int(line.value.amount) * rng.randint(lowest, 100) // 100,
                        10_000,
                    )
                ),
            )
            for line in self.proposal.lines
        )
        order = [
            OrderLine(
                product=line.title,
                value=line.value,
                order_reference=self.order_reference(),
                contact=self.customer.contact,
                installments=line.plan(add_months(on, 1)),
            )
            for line in sold
        ]
        meta = Provenance(self.deal.owner, reason=one_of(rng, WIN_REASONS))
        assets = win_with_order(
            self.deal,
            value=krw(sum(int(line.value.amount) for line in sold)),
            order=order,
            on=on,
            meta=meta,
            upsell=upsell,
        )
        self.ordered = list(zip(assets, sold, strict=True))

    def _lose(self) -> None:
        rng = self.rng
        reason = LOSS_REASONS.draw(rng)
        competitor = None
        if reason in LOST_TO_A_COMPETITOR:
            competitor = one_of(rng, self.deal.competitors or COMPETITORS)
        self.deal.lose(
            on=self.cursor.wait(5, 40),
            reason_code=reason,
            competitor=competitor,
            meta=Provenance(
                self.deal.owner,
                reason=f"lost on {reason.value}"
                + (f" to {competitor}" if competitor else ""),
            ),
        )

    def _drop(self, reason: str, low: int, high: int) -> None:
        self.deal.drop(
            on=self.cursor.wait(low, high), meta=Provenance(self.deal.owner, reason)
        )

    def _correct_the_close(self) -> None:
        """Now and then a loss or a drop was booked days after the
        customer's letter: its date is corrected a few days after the
        deal's last step."""
        deal = self.deal
        if (
            deal.outcome not in (Outcome.LOST, Outcome.DROPPED)
            or deal.failed_gate is not None
            or self.slips.random() >= MISDATED_CLOSE_SHARE
        ):
            return
        assert deal.closed_on is not None
        happened = max(self.open_until, later(deal.closed_on, self.slips, -10, -2))
        on = later(self.cursor.today, self.slips, 1, 10)
        if happened != deal.closed_on and on <= self.cursor.until:
            deal.correct_outcome_date(
                closed_on=happened,
                on=on,
                meta=Provenance(deal.owner, "booked late; the letter is dated earlier"),
            )

    def _review_the_outcome(self) -> None:
        """A blameless postmortem on some closed deals."""
        outcome = self.deal.outcome
        if outcome is None or self.rng.random() >= POSTMORTEM_SHARES[outcome]:
            return
        summary, causes, lessons = POSTMORTEMS[outcome.value]
        self.deal.record_postmortem(
            on=self.cursor.wait(3, 21),
            postmortem=Postmortem(summary, causes, lessons),
            meta=self.sales,
        )
