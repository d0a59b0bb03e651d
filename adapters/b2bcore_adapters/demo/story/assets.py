"""An asset's story: a fleet subscription from its purchase to its end.

Installed a few days after the order, billed in installments (mostly paid on
time, some late, a few never; now and then a transfer bounces and is paid
again, or a payment is booked on the wrong day and corrected), used every
month, inspected and surveyed periodically (a score sometimes mistyped and
corrected a few days later), with a complaint now and then, mostly
resolved; near each usage end it is renewed (often early, sometimes at a
higher value), replaced by a successor or made obsolete, and the churn is
announced by its signals: a competitor's visit, an unhappy survey, a usage
drop. Part of the renewals are worked as renewal deals, opened in the
renewal window: won, the deal renews the asset; lost, it ends its life.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from functools import partial
from typing import Protocol
from uuid import UUID

import attrs

from b2bcore import (
    ContactChannel,
    FeedbackKind,
    Grade,
    Installment,
    LossReason,
    Money,
    ObsoleteReason,
    Severity,
    installment_plan,
)
from b2bcore.domain.account import Account
from b2bcore.domain.aggregate import DomainAggregate, Provenance
from b2bcore.domain.asset import Asset
from b2bcore.domain.feedback import Feedback
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.policies import lose_renewal, open_renewal_deal, win_with_order
from b2bcore.domain.values import add_months
from b2bcore_adapters.demo.story.calendar import (
    Agenda,
    Cursor,
    PastTheEnd,
    first_of_next_month,
    later,
)
from b2bcore_adapters.demo.story.parties import (
    BILLING,
    FLEET_OPERATIONS,
    SURVEYS,
    TELEMATICS,
    Customer,
    acting,
)
from b2bcore_adapters.demo.story.vocabulary import (
    CHURN_NOTES,
    CHURN_REASONS,
    COMPETITOR_NOTES,
    COMPETITORS,
    COMPLAINT_CATEGORIES,
    COMPLAINT_TOPICS,
    COMPLAINTS,
    FLEET_SIZES,
    INSPECTION_FINDINGS,
    INSTALLMENT_COUNTS,
    PRAISE,
    PRODUCT_MIX,
    PRODUCTS,
    SEVERITIES,
    TERMS,
    WIN_REASONS,
    Product,
    Weighted,
    one_of,
)

#: Month-of-year usage factors: quiet at Lunar New Year and in August.
SEASON = (0.97, 0.95, 1.0, 1.02, 1.03, 1.02, 1.0, 0.96, 1.02, 1.04, 1.02, 0.98)
SCORES = Weighted({6: 1, 7: 3, 8: 4, 9: 3, 10: 2})
INSPECTION_MONTHS = {Grade.KEY: 3, Grade.MAJOR: 6, Grade.STANDARD: 6}
EVERGREEN_SHARE = 0.05
CANCELLED_MID_TERM_SHARE = 0.02
UPGRADE_SHARE = 0.08
COMPETITOR_VISIT_SHARE = 0.06
#: At a term's end: the chance the account leaves (more when it is often
#: unhappy, less for a key account), and the chance of a replacement.
CHURN_SHARE = 0.14
UNHAPPY_CHURN_SHARE = 0.26
KEY_ACCOUNT_CHURN_SHARE = 0.08
REPLACEMENT_SHARE = 0.08
SHARP_DROP_SHARE = 0.015
#: Renewals for as long as the last term; the others draw a new one.
SAME_TERM_SHARE = 0.75
#: The share of renewals and churns worked as a renewal deal, and its
#: window: from RENEWAL_DEAL_DAYS before the usage end to LAPSE_GRACE_DAYS
#: after it (the settings' defaults).
RENEWAL_DEAL_SHARE = 0.4
RENEWAL_DEAL_DAYS = 90
LAPSE_GRACE_DAYS = 30
#: A churn worked as a renewal deal is lost for the matching reason.
RENEWAL_LOSSES: Mapping[ObsoleteReason, LossReason] = {
    ObsoleteReason.PRICE: LossReason.PRICE,
    ObsoleteReason.BUDGET: LossReason.BUDGET,
    ObsoleteReason.COMPETITOR: LossReason.COMPETITOR,
    ObsoleteReason.FEATURES: LossReason.FEATURES,
    ObsoleteReason.SUPPORT: LossReason.SUPPORT,
    ObsoleteReason.OTHER: LossReason.NO_DECISION,
}
#: Mistakes corrected later: a survey score mistyped, a payment booked on
#: the day billing saw it (the bank says days earlier), a transfer that
#: bounced (paid again later), a usage month re-synced by telematics.
MISTYPED_SCORE_SHARE = 0.03
MISDATED_PAYMENT_SHARE = 0.02
BOUNCED_PAYMENT_SHARE = 0.005
RESYNCED_USAGE_SHARE = 0.01
#: Complaints: with an unhappy survey, and out of the blue during a term;
#: the share resolved (the others stay open).
COMPLAINT_WITH_UNHAPPY_SURVEY = 0.4
COMPLAINT_PER_TERM = 0.12
RESOLVED_SHARE = 0.9


def krw(amount: int) -> Money:
    return Money.of(amount, "KRW")


def round_down(amount: int, unit: int) -> int:
    return max(unit, amount // unit * unit)


@attrs.frozen
class Subscription:
    """What one order line sells: ``vehicles`` of ``product`` for ``term``
    months at ``value``, billed in ``installments`` equal parts."""

    product: Product
    vehicles: int
    term: int
    value: Money
    installments: int

    @property
    def title(self) -> str:
        return f"{self.product.name} ({self.vehicles} vehicles)"

    def plan(self, first_due: date) -> tuple[Installment, ...]:
        return billing_plan(self.value, self.installments, self.term, first_due)


def billing_plan(
    value: Money, count: int, term: int, first_due: date, first_number: int = 1
) -> tuple[Installment, ...]:
    """``value`` in ``count`` installments spread over a ``term`` of months,
    numbered from ``first_number`` (a renewal continues the plan)."""
    plan = installment_plan(value, count, first_due, term // count)
    if first_number == 1:
        return plan
    return tuple(
        attrs.evolve(installment, number=installment.number + first_number - 1)
        for installment in plan
    )


def subscription(
    rng: random.Random,
    grade: Grade,
    product: Product | None = None,
    vehicles: int | None = None,
) -> Subscription:
    """A fleet for an account of ``grade`` at a negotiated fee (up to 15 %
    off the list price), exact to the won."""
    product = product or PRODUCT_MIX.draw(rng)
    vehicles = vehicles or rng.randint(*FLEET_SIZES[grade])
    term = TERMS.draw(rng)
    fee = round_down(product.monthly_fee * rng.randint(85, 100) // 100, 1_000)
    return Subscription(
        product=product,
        vehicles=vehicles,
        term=term,
        value=krw(vehicles * fee * term),
        installments=INSTALLMENT_COUNTS.draw(rng),
    )


def renewal_change(rng: random.Random) -> int:
    """A renewal's monthly value against the last term's, in percent: mostly
    flat, three in ten an upsell, about one in ten a price concession."""
    roll = rng.random()
    if roll < 0.3:
        return rng.randint(110, 140)
    if roll < 0.88:
        return 100
    return rng.randint(85, 95)


class AccountBook(Protocol):
    """The account's side of an asset's life: what the asset's story brings
    about besides the asset (a successor, a renewal deal, feedback) gets the
    account's ids and is kept with its aggregates."""

    account: Account

    def new_id(self, kind: str) -> UUID: ...

    def keep(self, aggregate: DomainAggregate) -> None: ...

    def order_successor(self, on: date, install_on: date, sold: Subscription) -> UUID:
        """Order a successor (purchased ``on``, installed ``install_on``);
        its id."""
        ...


class AssetLife:
    """The story of one purchased asset, told by ``live``."""

    def __init__(
        self,
        asset: Asset,
        sold: Subscription,
        customer: Customer,
        book: AccountBook,
        rng: random.Random,
        until: date,
    ) -> None:
        self.asset = asset
        self.product = sold.product
        self.vehicles = sold.vehicles
        self.term = sold.term
        self.customer = customer
        self.book = book
        self.rng = rng
        self.agenda = Agenda(asset.purchased_on, until)
        self.site = one_of(rng, customer.region.sites)
        self.pattern = customer.sector.patterns.draw(rng)
        self.trips_per_vehicle = rng.randint(18, 40)
        self.km_per_trip = rng.randint(12, 45)
        #: From this day the account uses the fleet less (it is leaving).
        self.declining_from: date | None = None
        self.sales = acting(customer.owner)
        #: The asset's latest renewal deal.
        self.renewal_deal: Opportunity | None = None

    def live(self, install_on: date) -> None:
        """Tell the asset's story from its purchase, installing it on
        ``install_on``, up to the story's last day."""
        self._bill(self.asset.installments)
        self.agenda.plan(install_on, self._install)
        self.agenda.run()

    # -- lifecycle ------------------------------------------------------------

    def _install(self, on: date) -> None:
        evergreen = self.rng.random() < EVERGREEN_SHARE
        usage_end = None if evergreen else add_months(on, self.term) - timedelta(1)
        self.asset.install(on=on, usage_end_on=usage_end, meta=acting(FLEET_OPERATIONS))
        self._plan_usage(first_of_next_month(on))
        self.agenda.plan(self._next_inspection(on), self._schedule_inspection)
        self.agenda.plan(later(add_months(on, 2), self.rng, 0, 45), self._survey)
        self._plan_term(on, usage_end)

    def _plan_term(self, begins: date, ends: date | None) -> None:
        """What happens during a term: maybe an upgrade, a competitor's
        visit, a cancellation; then the decision on its end."""
        rng = self.rng
        if self.product.successor and rng.random() < UPGRADE_SHARE:
            self.agenda.plan(later(add_months(begins, 3), rng, 0, 150), self._upgrade)
        if rng.random() < COMPETITOR_VISIT_SHARE:
            self.agenda.plan(later(begins, rng, 30, 300), self._report_competitor)
        if rng.random() < COMPLAINT_PER_TERM:
            self.agenda.plan(later(begins, rng, 20, 300), self._complain)
        if ends is None:
            return
        if rng.random() < CANCELLED_MID_TERM_SHARE:
            reason = (
                ObsoleteReason.BUDGET if rng.random() < 0.7 else ObsoleteReason.OTHER
            )
            middle = begins + (ends - begins) // 2
            self.agenda.plan(later(middle, rng, -60, 60), partial(self._churn, reason))
            return
        self.agenda.plan(
            later(ends, rng, -110, -80), partial(self._decide_on_the_term, ends)
        )

    def _decide_on_the_term(self, ends: date, on: date) -> None:
        """The renewal window opened: renew, replace or let it go."""
        rng = self.rng
        churn = CHURN_SHARE
        if self.customer.unhappy_share > 0.1:
            churn = UNHAPPY_CHURN_SHARE
        if self.customer.grade is Grade.KEY:
            churn = KEY_ACCOUNT_CHURN_SHARE
        roll = rng.random()
        leaving = CHURN_REASONS.draw(rng) if roll < churn else None
        if (
            leaving is None
            and self.product.successor
            and roll < churn + REPLACEMENT_SHARE
        ):
            self._order_replacement(ends, on)
            return
        first, last = self.asset.renewal_window(RENEWAL_DEAL_DAYS, LAPSE_GRACE_DAYS)
        opened_on = later(max(on, first), rng, 0, 20)
        if rng.random() < RENEWAL_DEAL_SHARE and opened_on <= last:
            if leaving is not None:
                self._signal_churn(ends, leaving)
            self.agenda.plan(opened_on, partial(self._open_renewal_deal, ends, leaving))
        elif leaving is not None:
            self._announce_churn(ends, leaving)
        else:
            self.agenda.plan(self._renewal_day(ends), partial(self._renew, ends))

    def _renewal_day(self, ends: date) -> date:
        """Mostly early, sometimes on the day, now and then after the end."""
        roll = self.rng.random()
        if roll < 0.55:
            return later(ends, self.rng, -60, -5)
        if roll < 0.85:
            return later(ends, self.rng, -4, 3)
        return later(ends, self.rng, 4, 40)

    def _next_term(self) -> tuple[int, Money]:
        """The renewal's term in months and its value."""
        rng = self.rng
        term = self.term if rng.random() < SAME_TERM_SHARE else TERMS.draw(rng)
        monthly_value = int(self.asset.value.amount) // self.term
        value = krw(
            round_down(monthly_value * term * renewal_change(rng) // 100, 10_000)
        )
        return term, value

    def _renew(self, ends: date, on: date) -> None:
        rng = self.rng
        term, value = self._next_term()
        plan = billing_plan(
            value,
            INSTALLMENT_COUNTS.draw(rng),
            term,
            first_due=max(on, ends) + timedelta(days=15),
            first_number=len(self.asset.installments) + 1,
        )
        new_end = add_months(ends, term)
        self.asset.renew(
            on=on,
            usage_end_on=new_end,
            value=value,
            installments=plan,
            meta=self.sales,
        )
        self.term = term
        self._bill(plan)
        self._plan_term(max(on, ends), new_end)

    def _upgrade(self, on: date) -> None:
        if self.product.successor is None:
            return
        successor = PRODUCTS[self.product.successor]
        value = krw(
            round_down(
                int(self.asset.value.amount)
                * successor.monthly_fee
                // self.product.monthly_fee,
                10_000,
            )
        )
        self.asset.upgrade(
            on=on,
            product=f"{successor.name} ({self.vehicles} vehicles)",
            value=value,
            meta=self.sales,
        )
        self.product = successor

    def _order_replacement(self, ends: date, on: date) -> None:
        """A new fleet replaces this one at its end (an upgrade of the whole
        contract, e.g. to EVs or premium sedans)."""
        assert self.product.successor is not None
        rng = self.rng
        sold = subscription(
            rng,
            self.customer.grade,
            PRODUCTS[self.product.successor],
            max(1, self.vehicles + rng.randint(-2, 3)),
        )
        ordered = max(on, later(ends, rng, -45, -10))
        installed = later(ordered, rng, 3, 14)
        if ordered > self.agenda.until:
            return
        successor_id = self.book.order_successor(ordered, installed, sold)
        self.agenda.plan(installed, partial(self._replace, successor_id))

    def _replace(self, successor_id: UUID, on: date) -> None:
        self.asset.replace(
            on=on,
            successor_id=successor_id,
            note=f"replaced by {self.product.successor} at the end of the term",
            meta=self.sales,
        )
        self.agenda.stop()

    def _announce_churn(self, ends: date, reason: ObsoleteReason) -> None:
        """The account will leave at the end of the term; the signals come
        first."""
        self._signal_churn(ends, reason)
        self.agenda.plan(later(ends, self.rng, 0, 14), partial(self._churn, reason))

    def _signal_churn(self, ends: date, reason: ObsoleteReason) -> None:
        """What shows an account leaving at ``ends`` for ``reason``."""
        rng = self.rng
        if reason in (ObsoleteReason.COMPETITOR, ObsoleteReason.PRICE):
            self.agenda.plan(later(ends, rng, -80, -40), self._report_competitor)
        if reason in (ObsoleteReason.SUPPORT, ObsoleteReason.FEATURES):
            self.agenda.plan(
                later(ends, rng, -70, -30), partial(self._survey, unhappy=True)
            )
        if reason is ObsoleteReason.BUDGET or rng.random() < 0.3:
            self.declining_from = later(ends, rng, -100, -60)

    def _churn(self, reason: ObsoleteReason, on: date) -> None:
        self.asset.make_obsolete(
            on=on,
            reason_code=reason,
            note=one_of(self.rng, CHURN_NOTES[reason]),
            meta=self.sales,
        )
        self.agenda.stop()

    # -- renewal deals --------------------------------------------------------

    def _open_renewal_deal(
        self, ends: date, leaving: ObsoleteReason | None, on: date
    ) -> None:
        """Open the deal renewing the term that ``ends`` (the customer is
        ``leaving`` for a reason, or not), climb the tiers and plan its
        close; a deal still open on the story's last day stays open."""
        rng = self.rng
        term, value = self._next_term()
        deal = open_renewal_deal(
            self.asset,
            self.book.account,
            deal_id=self.book.new_id("opportunity"),
            previous=self.renewal_deal,
            on=on,
            meta=self.sales,
            days_before=RENEWAL_DEAL_DAYS,
            days_after=LAPSE_GRACE_DAYS,
            amount=value,
            tier=3 if rng.random() < 0.6 else 4,
            competitors=rng.sample(COMPETITORS, rng.randint(0, 1)),
        )
        self.book.keep(deal)
        self.renewal_deal = deal
        cursor = Cursor(on, self.agenda.until, rng)
        try:
            while deal.tier > 1:
                deal.change_tier(
                    on=cursor.wait(5, 20), tier=deal.tier - 1, meta=self.sales
                )
            closes_on = cursor.wait(3, 20)
        except PastTheEnd:
            return
        if leaving is None:
            close = partial(self._win_renewal, deal, ends, term, value)
        else:
            close = partial(self._lose_renewal, deal, leaving)
        self.agenda.plan(closes_on, close)

    def _win_renewal(
        self, deal: Opportunity, ends: date, term: int, value: Money, on: date
    ) -> None:
        new_end = add_months(ends, term)
        win_with_order(
            deal,
            value=value,
            order=[],
            on=on,
            meta=Provenance(deal.owner, reason=one_of(self.rng, WIN_REASONS)),
            renewed=self.asset,
            usage_end_on=new_end,
        )
        self.term = term
        self._plan_term(max(on, ends), new_end)

    def _lose_renewal(
        self, deal: Opportunity, leaving: ObsoleteReason, on: date
    ) -> None:
        reason = RENEWAL_LOSSES[leaving]
        competitor = None
        if reason in (LossReason.PRICE, LossReason.COMPETITOR):
            competitor = one_of(self.rng, deal.competitors or COMPETITORS)
        lose_renewal(
            deal,
            self.asset,
            reason_code=reason,
            competitor=competitor,
            on=on,
            meta=Provenance(deal.owner, reason=one_of(self.rng, CHURN_NOTES[leaving])),
        )
        self.agenda.stop()

    # -- billing --------------------------------------------------------------

    def _bill(self, installments: Sequence[Installment]) -> None:
        """Plan the payment of each installment: on time, late or never."""
        rng = self.rng
        customer = self.customer
        for installment in installments:
            roll = rng.random()
            if roll < customer.unpaid_share:
                continue
            if roll < customer.unpaid_share + customer.late_share:
                paid_on = later(installment.due_on, rng, 5, 60)
            else:
                paid_on = later(installment.due_on, rng, -10, 0)
            self.agenda.plan(paid_on, partial(self._pay, installment))

    def _pay(self, installment: Installment, on: date) -> None:
        rng, number = self.rng, installment.number
        self.asset.pay_installment(
            on=on, number=number, amount=installment.amount, meta=acting(BILLING)
        )
        roll = rng.random()
        if roll < BOUNCED_PAYMENT_SHARE:
            self.agenda.plan(later(on, rng, 2, 7), partial(self._bounce, installment))
        elif roll < BOUNCED_PAYMENT_SHARE + MISDATED_PAYMENT_SHARE:
            paid_on = later(on, rng, -10, -2)
            if paid_on >= self.asset.installments_planned_on[number - 1]:
                self.agenda.plan(
                    later(on, rng, 1, 20),
                    partial(self._correct_payment, number, paid_on),
                )

    def _bounce(self, installment: Installment, on: date) -> None:
        """The transfer came back: the payment never happened; the customer
        pays again some days later."""
        self.asset.reverse_payment(
            on=on,
            number=installment.number,
            meta=Provenance(BILLING, reason="the transfer bounced"),
        )
        self.agenda.plan(later(on, self.rng, 3, 30), partial(self._pay, installment))

    def _correct_payment(self, number: int, paid_on: date, on: date) -> None:
        self.asset.correct_payment(
            on=on,
            number=number,
            paid_on=paid_on,
            meta=Provenance(BILLING, reason="booked late; the bank statement says"),
        )

    # -- while installed ------------------------------------------------------

    def _record_usage(self, period: date, on: date) -> None:
        """Report ``period``'s usage a few days into the next month."""
        rng = self.rng
        factor = SEASON[period.month - 1] * rng.uniform(0.95, 1.05)
        if self.declining_from is not None and period >= self.declining_from:
            factor *= 0.5
        elif rng.random() < SHARP_DROP_SHARE:
            factor *= rng.uniform(0.4, 0.6)
        count = round(self.vehicles * self.trips_per_vehicle * factor)
        self.asset.record_usage(
            on=on,
            period=period,
            count=count,
            distance_km=round(count * self.km_per_trip * rng.uniform(0.9, 1.1)),
            region=self.site,
            pattern=self.pattern,
            meta=acting(TELEMATICS),
        )
        if rng.random() < RESYNCED_USAGE_SHARE:
            # Vehicles offline at the month's end report late: a few more trips.
            missing = rng.randint(1, max(1, count // 10))
            self.agenda.plan(
                later(on, rng, 3, 15),
                partial(self._resync_usage, period, count + missing),
            )
        self._plan_usage(first_of_next_month(period))

    def _resync_usage(self, period: date, count: int, on: date) -> None:
        self.asset.correct_usage(
            on=on,
            period=period,
            count=count,
            distance_km=round(count * self.km_per_trip),
            meta=Provenance(TELEMATICS, reason="offline vehicles re-synced"),
        )

    def _plan_usage(self, period: date) -> None:
        self.agenda.plan(
            later(first_of_next_month(period), self.rng, 0, 4),
            partial(self._record_usage, period),
        )

    def _next_inspection(self, after: date) -> date:
        months = INSPECTION_MONTHS[self.customer.grade]
        return later(add_months(after, months), self.rng, -21, -7)

    def _schedule_inspection(self, on: date) -> None:
        rng = self.rng
        due = later(on, rng, 14, 28)
        number = self.asset.schedule_inspection(
            on=on, due_on=due, meta=acting(FLEET_OPERATIONS)
        )
        if rng.random() < 0.97:
            self.agenda.plan(
                later(due, rng, -7, 10), partial(self._complete_inspection, number)
            )
        self.agenda.plan(self._next_inspection(due), self._schedule_inspection)

    def _complete_inspection(self, number: int, on: date) -> None:
        self.asset.complete_inspection(
            on=on,
            number=number,
            findings=one_of(self.rng, INSPECTION_FINDINGS),
            meta=acting(FLEET_OPERATIONS),
        )

    def _survey(self, on: date, *, unhappy: bool | None = None) -> None:
        """A satisfaction survey; a routine one plans the next in six months."""
        rng = self.rng
        routine = unhappy is None
        if unhappy is None:
            unhappy = rng.random() < self.customer.unhappy_share
        if unhappy:
            score, comment = rng.randint(2, 5), one_of(rng, COMPLAINTS)
        else:
            score, comment = SCORES.draw(rng), one_of(rng, PRAISE)
        if rng.random() < MISTYPED_SCORE_SHARE:
            typed = (score + rng.randint(3, 7)) % 11
            self.agenda.plan(
                later(on, rng, 1, 7), partial(self._correct_score, on, typed, score)
            )
        else:
            typed = score
        self.asset.record_satisfaction(
            on=on, score=typed, comment=comment, meta=acting(SURVEYS)
        )
        if unhappy and rng.random() < COMPLAINT_WITH_UNHAPPY_SURVEY:
            self.agenda.plan(later(on, rng, 0, 5), self._complain)
        if routine:
            self.agenda.plan(later(add_months(on, 6), rng, -10, 10), self._survey)

    def _correct_score(self, surveyed: date, typed: int, score: int, on: date) -> None:
        """The score of ``surveyed`` was keyed in as ``typed``: it is
        ``score`` (unless that day has other scores, which a correction
        cannot tell apart)."""
        scores = {s.score for s in self.asset.satisfaction if s.recorded_on == surveyed}
        if scores == {typed}:
            self.asset.correct_satisfaction(
                on=on,
                recorded_on=surveyed,
                score=score,
                meta=Provenance(SURVEYS, reason=f"keyed in as {typed}, the form says"),
            )

    def _complain(self, on: date) -> None:
        """The customer complains about the fleet; most complaints are
        resolved within days, the serious ones sooner."""
        rng = self.rng
        category = COMPLAINT_CATEGORIES.draw(rng)
        text, need, resolution = one_of(rng, COMPLAINT_TOPICS[category])
        severity = SEVERITIES.draw(rng)
        complaint = Feedback.record(
            self.book.new_id("feedback"),
            account_id=self.asset.account_id,
            asset_id=self.asset.id,
            kind=FeedbackKind.COMPLAINT,
            channel=ContactChannel.PHONE
            if severity.rank >= Severity.HIGH.rank
            else self.customer.channel,
            category=category,
            severity=severity,
            text=text,
            needs=[need],
            on=on,
            meta=acting(self.customer.owner),
        )
        self.book.keep(complaint)
        resolved_on = later(on, rng, 1, 21 - 4 * severity.rank)
        if rng.random() < RESOLVED_SHARE and resolved_on <= self.agenda.until:
            complaint.resolve(
                resolution=resolution,
                on=resolved_on,
                meta=acting(FLEET_OPERATIONS),
            )

    def _report_competitor(self, on: date) -> None:
        self.asset.report_competitor_contact(
            on=on,
            competitor=one_of(self.rng, COMPETITORS),
            note=one_of(self.rng, COMPETITOR_NOTES),
            meta=Provenance(self.customer.owner, reason="heard at a customer visit"),
        )
