"""One asset driven through random valid and invalid commands.

Business dates are drawn around the asset's own dates, before and after. A
small model predicts which commands the asset accepts; a refused command must
record nothing. After every step the asset read through the API (from
snapshots, taken every three events) must equal the asset replayed from all
of its events, and keep its invariants, in business time too: an auditor
looking back as of any date sees a state the asset could have been in.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import Enum
from uuid import UUID, uuid4

import attrs
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule

from b2bcore import (
    AssetStatus,
    AssetView,
    B2BCore,
    B2BCoreError,
    Money,
    ObsoleteReason,
    UsagePattern,
    installment_plan,
)
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.asset import Asset
from b2bcore.domain.values import Installment, add_months
from b2bcore.testing.strategies import currencies, money, money_in, plans, texts
from tests.domain.machine import (
    MACHINE_SETTINGS,
    AggregateMachine,
    hesitations,
    maybe_blank,
    prices,
)
from tests.helpers import register_account

STATUS_ORDER = (AssetStatus.PURCHASED, AssetStatus.INSTALLED, AssetStatus.OBSOLETE)


class Anchor(Enum):
    """The asset date a command's business date is drawn relative to."""

    PURCHASE = "purchase"
    INSTALL = "install"
    USAGE_END = "usage_end"
    RENEWAL = "renewal"


#: Days before (negative) or after an anchor: mostly after, often before.
offsets = st.integers(min_value=-60, max_value=400)
anchors = st.sampled_from(Anchor)
notes = st.one_of(st.just(""), texts)
#: Days from a corrected fact to its correction: a few before (refused).
afters = st.integers(min_value=-3, max_value=90)


@attrs.define
class AssetModel:
    """What the asset should look like after the commands accepted so far."""

    purchased_on: date
    product: str
    value: Money
    installments: list[Installment]
    #: When each installment entered the plan: it cannot be paid before.
    planned_on: list[date]
    status: AssetStatus = AssetStatus.PURCHASED
    installed_on: date | None = None
    usage_end_on: date | None = None
    #: The install or latest renewal that set the usage end, and the end a
    #: renewal extended (a correction must still extend it).
    usage_end_set_on: date | None = None
    extended_end_on: date | None = None
    paid: dict[int, date] = attrs.Factory(dict)
    usage_months: set[date] = attrs.Factory(set)
    #: (scheduled on, completed) per inspection, in number order.
    inspections: list[tuple[date, bool]] = attrs.Factory(list)
    #: (completed on, findings) of each completed inspection, by number.
    findings: dict[int, tuple[date, str]] = attrs.Factory(dict)
    #: (recorded on, score) of each satisfaction score, in order.
    scores: list[tuple[date, int]] = attrs.Factory(list)
    #: (count, distance, recorded on) of each usage month.
    figures: dict[date, tuple[int, int, date]] = attrs.Factory(dict)
    #: The days of payments reversed or moved: their corrections are dated
    #: there, so nothing may end the asset before them.
    corrected_days: list[date] = attrs.Factory(list)

    def installed_since(self, on: date) -> bool:
        return (
            self.status is AssetStatus.INSTALLED
            and self.installed_on is not None
            and on >= self.installed_on
        )


def assert_usage_never_ends_before_the_install(view: AssetView) -> None:
    if view.installed_on is None:
        assert view.usage_end_on is None
    elif view.usage_end_on is not None:
        assert view.usage_end_on >= view.installed_on


def assert_payments_stay_within_the_plan(view: AssetView) -> None:
    """Each planned installment paid at most once, in full; never more paid
    than planned; payment compliance a ratio."""
    plan = {i.number: i for i in view.installments}
    numbers = [p.number for p in view.payments]
    assert len(numbers) == len(set(numbers))
    assert len(view.payments) <= len(view.installments)
    for payment in view.payments:
        assert payment.number in plan
        due = plan[payment.number]
        assert payment.amount == due.amount
        assert payment.late == (payment.paid_on > due.due_on)
    planned = sum(
        (i.amount for i in view.installments), Money.zero(view.value.currency)
    )
    assert view.paid <= planned
    assert view.paid + view.outstanding == planned
    compliance = view.payment_compliance
    assert compliance is None or 0 <= compliance <= 1


def latest_fact(view: AssetView) -> date:
    """The latest business date of anything the asset holds."""
    dated = [
        view.purchased_on,
        view.installed_on,
        *(r.renewed_on for r in view.renewals),
        *(u.upgraded_on for u in view.upgrades),
        *(i.scheduled_on for i in view.inspections),
        *(i.completed_on for i in view.inspections),
        *(s.recorded_on for s in view.satisfaction),
        *(u.recorded_on for u in view.usage),
        *(c.reported_on for c in view.competitor_contacts),
        *(p.paid_on for p in view.payments),
    ]
    return max(day for day in dated if day is not None)


def assert_nothing_is_dated_after_obsolete(view: AssetView) -> None:
    """Obsolete is terminal in business time too: nothing the asset holds
    took effect after the day it became obsolete."""
    if view.obsolete_on is None:
        return
    latest = latest_fact(view)
    assert latest <= view.obsolete_on, (
        f"obsolete on {view.obsolete_on} but holds a fact of {latest}"
    )


class AssetMachine(AggregateMachine[AssetView]):
    def __init__(self) -> None:
        super().__init__()
        self.successor_id = uuid4()
        self.stranger_id = uuid4()
        self.highest_status = AssetStatus.PURCHASED

    def read(self, *, as_of: date | None = None) -> AssetView:
        return self.core.asset(self.aggregate_id, as_of=as_of)

    def view_of(self, replayed: DomainAggregate | None) -> AssetView:
        assert isinstance(replayed, Asset)
        return AssetView.of(replayed)

    def assert_invariants(self, view: AssetView) -> None:
        assert_usage_never_ends_before_the_install(view)
        assert_payments_stay_within_the_plan(view)
        assert_nothing_is_dated_after_obsolete(view)

    # -- arrange ----------------------------------------------------------

    def _purchase(
        self,
        asset_id: UUID,
        account_id: UUID,
        on: date,
        value: Money,
        plan: tuple[Installment, ...],
    ) -> None:
        self.core.purchase_asset(
            asset_id=asset_id,
            account_id=account_id,
            product="car-sharing fleet",
            order_reference=f"PO-{asset_id.hex[:8]}",
            contact="Kim",
            value=value,
            installments=plan,
            owner="rep-1",
            on=on,
        )

    @initialize(
        purchased_on=st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31)),
        first_due_in=st.integers(min_value=0, max_value=60),
        free=st.sampled_from([False, False, False, True]),
        terms=st.data(),
    )
    def purchase_the_asset(
        self,
        purchased_on: date,
        first_due_in: int,
        free: bool,
        terms: st.DataObject,
    ) -> None:
        """One asset in four is free (a trial: value 0, no installments)."""
        value = terms.draw(money(max_units=10**6), label="value")
        plan = terms.draw(
            plans(value, purchased_on + timedelta(days=first_due_in)), label="plan"
        )
        if free:
            value, plan = Money.zero(value.currency), ()
        account_id = register_account(self.core, on=purchased_on)
        self._purchase(self.aggregate_id, account_id, purchased_on, value, plan)
        # A possible successor of the same account, and an asset of another.
        self._purchase(self.successor_id, account_id, purchased_on, value, plan)
        other_account = register_account(self.core, name="Other", on=purchased_on)
        self._purchase(self.stranger_id, other_account, purchased_on, value, plan)
        self.model = AssetModel(
            purchased_on=purchased_on,
            product="car-sharing fleet",
            value=value,
            installments=list(plan),
            planned_on=[purchased_on] * len(plan),
        )

    # -- helpers ----------------------------------------------------------

    def _day(self, anchor: Anchor, offset: int) -> date:
        dates = {
            Anchor.PURCHASE: self.model.purchased_on,
            Anchor.INSTALL: self.model.installed_on,
            Anchor.USAGE_END: self.model.usage_end_on,
            Anchor.RENEWAL: max(self.model.planned_on, default=None),
        }
        return (dates[anchor] or self.model.purchased_on) + timedelta(days=offset)

    def _price(self, minor_units: int) -> Money:
        return money_in(self.model.value.currency, minor_units)

    def _holds_nothing_after(self, on: date) -> bool:
        """No fact of the asset, nor any correction of one, is dated after
        ``on``: obsolete is terminal in business time."""
        return on >= max([latest_fact(self._view()), *self.model.corrected_days])

    def _paid_number(self, pick: int) -> int:
        """A paid installment's number three times in four, else ``pick``
        (unpaid, beyond the plan, or corrected already)."""
        paid = sorted(self.model.paid)
        return paid[pick % len(paid)] if paid and pick % 4 else pick

    # -- lifecycle --------------------------------------------------------

    @rule(
        anchor=anchors,
        offset=offsets,
        open_ended=st.booleans(),
        term=st.integers(min_value=-30, max_value=800),
    )
    def install(self, anchor: Anchor, offset: int, open_ended: bool, term: int) -> None:
        on = self._day(anchor, offset)
        usage_end_on = None if open_ended else on + timedelta(days=term)
        valid = (
            self.model.status is AssetStatus.PURCHASED
            and on >= self.model.purchased_on
            and (usage_end_on is None or usage_end_on >= on)
        )
        if self._attempt(
            "install_asset",
            lambda: self.core.install_asset(
                self.aggregate_id, usage_end_on=usage_end_on, on=on
            ),
            valid=valid,
        ):
            self.model.status = AssetStatus.INSTALLED
            self.model.installed_on = on
            self.model.usage_end_on = usage_end_on
            self.model.usage_end_set_on = on

    @rule(
        anchor=anchors,
        offset=offsets,
        shift=st.integers(min_value=-400, max_value=400),
        reason=st.sampled_from(["typo", " "]),
    )
    def correct_usage_end(
        self, anchor: Anchor, offset: int, shift: int, reason: str
    ) -> None:
        on = self._day(anchor, offset)
        fact_on = self.model.usage_end_set_on
        usage_end_on = (self.model.usage_end_on or on) + timedelta(days=shift)
        valid = (
            self.model.status is AssetStatus.INSTALLED
            and fact_on is not None
            and reason.strip() != ""
            and on >= fact_on
            and usage_end_on != self.model.usage_end_on
            and usage_end_on >= fact_on
            and (
                self.model.extended_end_on is None
                or usage_end_on > self.model.extended_end_on
            )
        )
        if self._attempt(
            "correct_usage_end",
            lambda: self.core.correct_usage_end(
                self.aggregate_id, usage_end_on=usage_end_on, reason=reason, on=on
            ),
            valid=valid,
        ):
            self.model.usage_end_on = usage_end_on

    @rule(
        anchor=anchors,
        offset=offsets,
        extension=st.integers(min_value=-30, max_value=400),
        new_price=st.one_of(st.none(), prices),
        foreign_currency=st.booleans(),
        terms=st.data(),
    )
    def renew(
        self,
        anchor: Anchor,
        offset: int,
        extension: int,
        new_price: int | None,
        foreign_currency: bool,
        terms: st.DataObject,
    ) -> None:
        on = self._day(anchor, offset)
        usage_end_on = (self.model.usage_end_on or on) + timedelta(days=extension)
        value = None if new_price is None else self._price(new_price)
        if value is not None and foreign_currency:
            currency = value.currency
            other = terms.draw(currencies.filter(lambda c: c != currency))
            value = money_in(other, new_price or 1)
        new_value = value or self.model.value
        plan: tuple[Installment, ...] = ()
        misnumbered = False
        if new_value.is_positive and terms.draw(st.booleans(), label="with plan"):
            shift = terms.draw(st.sampled_from([0, 0, 0, -1, 1]), label="shift")
            misnumbered = shift != 0
            plan = terms.draw(
                plans(
                    new_value,
                    on,
                    first_number=len(self.model.installments) + 1 + shift,
                ),
                label="plan",
            )
        valid = (
            self.model.installed_since(on)
            and self.model.usage_end_on is not None
            and usage_end_on > self.model.usage_end_on
            and new_value.is_positive
            and new_value.currency == self.model.value.currency
            and not misnumbered
        )
        if self._attempt(
            "renew_asset",
            lambda: self.core.renew_asset(
                self.aggregate_id,
                usage_end_on=usage_end_on,
                value=value,
                installments=plan,
                on=on,
            ),
            valid=valid,
        ):
            self.model.extended_end_on = self.model.usage_end_on
            self.model.usage_end_on = usage_end_on
            self.model.usage_end_set_on = on
            self.model.value = new_value
            self.model.installments.extend(plan)
            self.model.planned_on.extend([on] * len(plan))

    @rule(
        anchor=anchors,
        offset=offsets,
        product=st.one_of(st.none(), maybe_blank),
        price=st.one_of(st.none(), prices),
    )
    def upgrade(
        self, anchor: Anchor, offset: int, product: str | None, price: int | None
    ) -> None:
        """``None`` keeps the current product or value (an upgrade changing
        neither is refused)."""
        on = self._day(anchor, offset)
        new_product = self.model.product if product is None else product
        value = self.model.value if price is None else self._price(price)
        valid = (
            self.model.installed_since(on)
            and value.is_positive
            and new_product.strip() != ""
            and (new_product.strip() != self.model.product or value != self.model.value)
        )
        if self._attempt(
            "upgrade_asset",
            lambda: self.core.upgrade_asset(
                self.aggregate_id, product=new_product, value=value, on=on
            ),
            valid=valid,
        ):
            self.model.product = new_product.strip()
            self.model.value = value

    @rule(
        anchor=anchors,
        offset=offsets,
        successor=st.sampled_from(["successor", "itself", "stranger", "unknown"]),
        note=notes,
        hesitation=hesitations,
    )
    def replace(
        self, anchor: Anchor, offset: int, successor: str, note: str, hesitation: int
    ) -> None:
        if hesitation:
            return
        on = self._day(anchor, offset)
        successor_id = {
            "successor": self.successor_id,
            "itself": self.aggregate_id,
            "stranger": self.stranger_id,
            "unknown": uuid4(),
        }[successor]
        valid = (
            self.model.installed_since(on)
            and self._holds_nothing_after(on)
            and successor == "successor"
        )
        if self._attempt(
            "replace_asset",
            lambda: self.core.replace_asset(
                self.aggregate_id, successor_id=successor_id, note=note, on=on
            ),
            valid=valid,
        ):
            self.model.status = AssetStatus.OBSOLETE
            view = self._view()
            assert view.successor_id == self.successor_id
            assert view.obsolete_reason is ObsoleteReason.REPLACED

    @rule(
        anchor=anchors,
        offset=offsets,
        reason_code=st.sampled_from(ObsoleteReason),
        note=notes,
        hesitation=hesitations,
    )
    def make_asset_obsolete(
        self,
        anchor: Anchor,
        offset: int,
        reason_code: ObsoleteReason,
        note: str,
        hesitation: int,
    ) -> None:
        if hesitation:
            return
        on = self._day(anchor, offset)
        valid = (
            self.model.status is not AssetStatus.OBSOLETE
            and self._holds_nothing_after(on)
            and reason_code is not ObsoleteReason.REPLACED
        )
        if self._attempt(
            "make_asset_obsolete",
            lambda: self.core.make_asset_obsolete(
                self.aggregate_id, reason_code=reason_code, note=note, on=on
            ),
            valid=valid,
        ):
            self.model.status = AssetStatus.OBSOLETE

    # -- while installed --------------------------------------------------

    @rule(anchor=anchors, offset=offsets, due_in=st.integers(-10, 120))
    def schedule_inspection(self, anchor: Anchor, offset: int, due_in: int) -> None:
        on = self._day(anchor, offset)
        numbers: list[int] = []
        valid = self.model.installed_since(on) and due_in >= 0
        if self._attempt(
            "schedule_inspection",
            lambda: numbers.append(
                self.core.schedule_inspection(
                    self.aggregate_id, due_on=on + timedelta(days=due_in), on=on
                )
            ),
            valid=valid,
        ):
            self.model.inspections.append((on, False))
            assert numbers == [len(self.model.inspections)]

    @rule(anchor=anchors, offset=offsets, number=st.integers(0, 4), findings=notes)
    def complete_inspection(
        self, anchor: Anchor, offset: int, number: int, findings: str
    ) -> None:
        on = self._day(anchor, offset)
        scheduled = 1 <= number <= len(self.model.inspections)
        valid = (
            self.model.installed_since(on)
            and scheduled
            and not self.model.inspections[number - 1][1]
            and on >= self.model.inspections[number - 1][0]
        )
        if self._attempt(
            "complete_inspection",
            lambda: self.core.complete_inspection(
                self.aggregate_id, number=number, findings=findings, on=on
            ),
            valid=valid,
        ):
            self.model.inspections[number - 1] = (
                self.model.inspections[number - 1][0],
                True,
            )
            self.model.findings[number] = (on, findings.strip())

    @rule(anchor=anchors, offset=offsets, score=st.integers(-3, 13), comment=notes)
    def record_satisfaction(
        self, anchor: Anchor, offset: int, score: int, comment: str
    ) -> None:
        on = self._day(anchor, offset)
        valid = self.model.installed_since(on) and 0 <= score <= 10
        if self._attempt(
            "record_satisfaction",
            lambda: self.core.record_satisfaction(
                self.aggregate_id, score=score, comment=comment, on=on
            ),
            valid=valid,
        ):
            self.model.scores.append((on, score))

    @rule(
        anchor=anchors,
        offset=offsets,
        months=st.integers(-3, 12),
        day=st.integers(1, 28),
        count=st.integers(-2, 500),
        distance_km=st.integers(-2, 10**5),
        region=maybe_blank,
        pattern=st.sampled_from(UsagePattern),
    )
    def record_usage(
        self,
        anchor: Anchor,
        offset: int,
        months: int,
        day: int,
        count: int,
        distance_km: int,
        region: str,
        pattern: UsagePattern,
    ) -> None:
        """A small range of months, so the same month often comes twice."""
        on = self._day(anchor, offset)
        first = self.model.installed_on or self.model.purchased_on
        period = add_months(first, months).replace(day=day)
        month = period.replace(day=1)
        valid = (
            self.model.installed_since(on)
            and month not in self.model.usage_months
            and count >= 0
            and distance_km >= 0
            and region.strip() != ""
        )
        if self._attempt(
            "record_usage",
            lambda: self.core.record_usage(
                self.aggregate_id,
                period=period,
                count=count,
                distance_km=distance_km,
                region=region,
                pattern=pattern,
                on=on,
            ),
            valid=valid,
        ):
            self.model.usage_months.add(month)
            self.model.figures[month] = (count, distance_km, on)

    @rule(anchor=anchors, offset=offsets, competitor=maybe_blank, note=notes)
    def report_competitor_contact(
        self, anchor: Anchor, offset: int, competitor: str, note: str
    ) -> None:
        on = self._day(anchor, offset)
        valid = self.model.installed_since(on) and competitor.strip() != ""
        self._attempt(
            "report_competitor_contact",
            lambda: self.core.report_competitor_contact(
                self.aggregate_id, competitor=competitor, note=note, on=on
            ),
            valid=valid,
        )

    # -- payments ---------------------------------------------------------

    @rule(
        anchor=anchors,
        offset=offsets,
        pick_unpaid=st.booleans(),
        pick=st.integers(0, 30),
        error=st.sampled_from([0, 0, 0, 1, -1]),
    )
    def pay_installment(
        self, anchor: Anchor, offset: int, pick_unpaid: bool, pick: int, error: int
    ) -> None:
        """Pay an unpaid installment, or any number (zero, paid twice, beyond
        the plan); ``error`` minor units off the amount due."""
        on = self._day(anchor, offset)
        plan = self.model.installments
        unpaid = [i.number for i in plan if i.number not in self.model.paid]
        number = unpaid[pick % len(unpaid)] if pick_unpaid and unpaid else pick
        in_plan = 1 <= number <= len(plan)
        due = plan[number - 1].amount if in_plan else self._price(1)
        amount = due + money_in(due.currency, error)
        valid = (
            self.model.status is not AssetStatus.OBSOLETE
            and on >= self.model.purchased_on
            and in_plan
            and number not in self.model.paid
            and on >= self.model.planned_on[number - 1]
            and error == 0
        )
        if self._attempt(
            "pay_installment",
            lambda: self.core.pay_installment(
                self.aggregate_id, number=number, amount=amount, on=on
            ),
            valid=valid,
        ):
            self.model.paid[number] = on

    # -- corrections ------------------------------------------------------

    def _made(self, fact_on: date | None, after: int) -> date:
        """The day a correction is made: ``after`` days from the fact it
        corrects (negative: before it, refused), or from the purchase."""
        return (fact_on or self.model.purchased_on) + timedelta(days=after)

    def _correctable(self, on: date, reason: str, fact_on: date | None) -> bool:
        """The asset takes corrections, and this one has a reason and is not
        made before the fact it corrects."""
        return (
            self.model.status is not AssetStatus.OBSOLETE
            and reason.strip() != ""
            and fact_on is not None
            and on >= fact_on
        )

    @rule(
        after=afters,
        pick=st.integers(0, 30),
        reason=st.sampled_from(["bounced", " "]),
    )
    def reverse_payment(self, after: int, pick: int, reason: str) -> None:
        """Reverse a paid installment, or any number (unpaid, beyond the plan,
        reversed already)."""
        number = self._paid_number(pick)
        on = self._made(self.model.paid.get(number), after)
        valid = self._correctable(on, reason, self.model.paid.get(number))
        if self._attempt(
            "reverse_payment",
            lambda: self.core.reverse_payment(
                self.aggregate_id, number=number, reason=reason, on=on
            ),
            valid=valid,
        ):
            self.model.corrected_days.append(self.model.paid.pop(number))

    @rule(
        after=afters,
        pick=st.integers(0, 30),
        shift=st.integers(-60, 60),
        reason=st.sampled_from(["typo", " "]),
    )
    def correct_payment(self, after: int, pick: int, shift: int, reason: str) -> None:
        """Move a payment's day by ``shift`` (0: the same day, refused)."""
        number = self._paid_number(pick)
        paid_on = self.model.paid.get(number)
        on = self._made(paid_on, after)
        new = (paid_on or on) + timedelta(days=shift)
        valid = (
            self._correctable(on, reason, paid_on)
            and shift != 0
            and new >= self.model.planned_on[number - 1]
        )
        if self._attempt(
            "correct_payment",
            lambda: self.core.correct_payment(
                self.aggregate_id, number=number, paid_on=new, reason=reason, on=on
            ),
            valid=valid,
        ):
            self.model.corrected_days.append(self.model.paid[number])
            self.model.paid[number] = new

    @rule(
        after=afters,
        pick=st.integers(0, 30),
        score=st.integers(-1, 11),
        reason=st.sampled_from(["typo", " "]),
    )
    def correct_satisfaction(
        self, after: int, pick: int, score: int, reason: str
    ) -> None:
        """Correct the score of a day with a score, or of any day."""
        scores = self.model.scores
        day = scores[pick % len(scores)][0] if scores and pick % 4 else None
        on = self._made(day, after)
        day = day or on
        that_day = {s for d, s in scores if d == day}
        valid = (
            self._correctable(on, reason, day if that_day else None)
            and len(that_day) == 1
            and 0 <= score <= 10
            and score not in that_day
        )
        if self._attempt(
            "correct_satisfaction",
            lambda: self.core.correct_satisfaction(
                self.aggregate_id, recorded_on=day, score=score, reason=reason, on=on
            ),
            valid=valid,
        ):
            at = next(n for n, (d, _) in enumerate(scores) if d == day)
            scores[at] = (day, score)

    @rule(
        after=afters,
        pick=st.integers(0, 30),
        count=st.integers(-1, 500),
        distance_km=st.integers(-1, 10**5),
        reason=st.sampled_from(["typo", " "]),
    )
    def correct_usage(
        self,
        after: int,
        pick: int,
        count: int,
        distance_km: int,
        reason: str,
    ) -> None:
        """Correct a recorded month, or any month."""
        months = sorted(self.model.figures)
        picked = months[pick % len(months)] if months and pick % 4 else None
        month = (picked or self._made(None, after)).replace(day=1)
        figures = self.model.figures.get(month)
        on = self._made(None if figures is None else figures[2], after)
        valid = (
            self._correctable(on, reason, None if figures is None else figures[2])
            and count >= 0
            and distance_km >= 0
            and figures is not None
            and (count, distance_km) != figures[:2]
        )
        if (
            self._attempt(
                "correct_usage",
                lambda: self.core.correct_usage(
                    self.aggregate_id,
                    period=month,
                    count=count,
                    distance_km=distance_km,
                    reason=reason,
                    on=on,
                ),
                valid=valid,
            )
            and figures is not None
        ):
            self.model.figures[month] = (count, distance_km, figures[2])

    @rule(
        after=afters,
        number=st.integers(0, 4),
        findings=notes,
        reason=st.sampled_from(["typo", " "]),
    )
    def correct_inspection(
        self, after: int, number: int, findings: str, reason: str
    ) -> None:
        done = self.model.findings.get(number)
        on = self._made(None if done is None else done[0], after)
        valid = (
            self._correctable(on, reason, None if done is None else done[0])
            and done is not None
            and findings.strip() != done[1]
        )
        if (
            self._attempt(
                "correct_inspection",
                lambda: self.core.correct_inspection(
                    self.aggregate_id,
                    number=number,
                    findings=findings,
                    reason=reason,
                    on=on,
                ),
                valid=valid,
            )
            and done is not None
        ):
            self.model.findings[number] = (done[0], findings.strip())

    # -- audit ------------------------------------------------------------

    @rule(anchor=anchors, offset=offsets)
    def look_back_as_of(self, anchor: Anchor, offset: int) -> None:
        """An auditor's view as of any business date is a state the asset
        could be in: it loads, and the invariants hold for it too."""
        self._look_back(self._day(anchor, offset), began_on=self.model.purchased_on)

    # -- invariants -------------------------------------------------------

    @invariant()
    def the_asset_matches_the_model(self) -> None:
        view = self._view()
        assert view.status is self.model.status
        assert view.installed_on == self.model.installed_on
        assert view.usage_end_on == self.model.usage_end_on
        assert view.product == self.model.product
        assert view.value == self.model.value
        assert list(view.installments) == self.model.installments
        assert {p.number: p.paid_on for p in view.payments} == self.model.paid
        assert {u.period for u in view.usage} == self.model.usage_months
        assert [
            (i.scheduled_on, i.completed_on is not None) for i in view.inspections
        ] == self.model.inspections
        assert {
            i.number: (i.completed_on, i.findings)
            for i in view.inspections
            if i.completed_on is not None
        } == self.model.findings
        assert [(s.recorded_on, s.score) for s in view.satisfaction] == (
            self.model.scores
        )
        assert {
            u.period: (u.count, u.distance_km, u.recorded_on) for u in view.usage
        } == self.model.figures

    @invariant()
    def the_asset_keeps_its_invariants(self) -> None:
        view = self._view()
        self.assert_invariants(view)
        # The status only moves forward: purchased, installed, obsolete.
        assert STATUS_ORDER.index(view.status) >= STATUS_ORDER.index(
            self.highest_status
        )
        self.highest_status = view.status
        # Nothing at all is recorded once obsolete.
        self._assert_nothing_recorded_after_the_end(
            view, ended=view.status is AssetStatus.OBSOLETE
        )


AssetMachine.TestCase.settings = MACHINE_SETTINGS
TestAssetMachine = AssetMachine.TestCase


def test_making_an_asset_obsolete_before_its_last_recorded_fact_is_refused(
    memory_core: B2BCore,
) -> None:
    """The smallest case the machine found: obsolete is terminal in business
    time, so it cannot take effect before a fact already recorded."""
    account_id = register_account(memory_core, on=date(2020, 1, 1))
    value = Money.of(1, "KRW")
    asset_id = memory_core.purchase_asset(
        account_id=account_id,
        product="car-sharing fleet",
        order_reference="PO-1",
        contact="Kim",
        value=value,
        installments=installment_plan(value, 1, date(2020, 1, 1)),
        owner="rep-1",
        on=date(2020, 1, 1),
    )
    memory_core.install_asset(asset_id, usage_end_on=None, on=date(2020, 1, 1))
    memory_core.report_competitor_contact(
        asset_id, competitor="Socar", on=date(2020, 1, 2)
    )
    position = memory_core.log_position()

    with pytest.raises(B2BCoreError):
        memory_core.make_asset_obsolete(
            asset_id, reason_code=ObsoleteReason.PRICE, on=date(2020, 1, 1)
        )
    assert memory_core.log_position() == position
