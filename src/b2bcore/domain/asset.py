"""Asset (자산): what an account holds after an order completes.

Lifecycle: ``Purchased → Installed → Obsolete``. Obsolete is terminal: nothing
is recorded after it. An installed asset may be renewed, upgraded or replaced
by a successor, and while installed it collects inspections, satisfaction
scores, monthly usage and competitor contacts. Installments may be paid from
purchase until the asset is obsolete. Within its renewal window an installed
asset may have a renewal deal opened (one open at a time); winning it renews
the asset, losing it ends the asset's life (``b2bcore.domain.policies``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import attrs
from eventsourcing.domain import AggregateCreated

from b2bcore.domain.aggregate import (
    DomainAggregate,
    Provenance,
    check_contact,
    check_date,
    check_note,
    check_positive,
    check_text,
    check_type,
)
from b2bcore.domain.errors import ValidationError
from b2bcore.domain.lifecycle import LEADS_TO, AssetAction, accepts
from b2bcore.domain.money import Money
from b2bcore.domain.values import (
    AssetStatus,
    CompetitorContact,
    Contact,
    Inspection,
    Installment,
    MonthlyUsage,
    ObsoleteReason,
    Payment,
    Renewal,
    SatisfactionScore,
    Upgrade,
    UsagePattern,
    shifted,
)


class Asset(DomainAggregate):
    """An asset of an account, from purchase to obsolescence."""

    TOPIC = "b2bcore:asset"
    KIND = "asset"
    # v2 added the renewal deal link; see docs/schema-evolution.md.
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A snapshot taken before renewal deals were linked."""
        state["renewal_deal_id"] = state["renewal_deal_for"] = None

    class Purchased(DomainAggregate.Event, AggregateCreated):
        TOPIC = "b2bcore:asset:Purchased"
        account_id: UUID
        product: str
        order_reference: str
        contact: Contact
        value: Money
        installments: tuple[Installment, ...]
        owner: str
        opportunity_id: UUID | None
        #: The order added to what the account already had (an upsell).
        upsell: bool

    class Installed(DomainAggregate.Event):
        TOPIC = "b2bcore:asset:Installed"
        usage_end_on: date | None

        def apply(self, asset: Asset) -> None:
            asset.status = LEADS_TO[AssetAction.INSTALL]
            asset.installed_on = self.effective_on
            asset.usage_end_on = self.usage_end_on

    class Renewed(DomainAggregate.Event):
        TOPIC = "b2bcore:asset:Renewed"
        usage_end_on: date
        value: Money
        installments: tuple[Installment, ...]

        def apply(self, asset: Asset) -> None:
            assert asset.usage_end_on is not None
            asset.renewals.append(
                Renewal(
                    renewed_on=self.effective_on,
                    previous_usage_end_on=asset.usage_end_on,
                    usage_end_on=self.usage_end_on,
                    previous_value=asset.value,
                    value=self.value,
                )
            )
            asset.usage_end_on = self.usage_end_on
            asset.value = self.value
            asset.installments.extend(self.installments)
            asset.installments_planned_on.extend(
                [self.effective_on] * len(self.installments)
            )

    class RenewalDealOpened(DomainAggregate.Event):
        """Deal ``opportunity_id`` was opened to renew the term ending
        ``usage_end_on``."""

        TOPIC = "b2bcore:asset:RenewalDealOpened"
        opportunity_id: UUID
        usage_end_on: date

        def apply(self, asset: Asset) -> None:
            asset.renewal_deal_id = self.opportunity_id
            asset.renewal_deal_for = self.usage_end_on

    class UsageEndCorrected(DomainAggregate.Event):
        """A wrong usage end date fixed retroactively: effective on the business
        date of the fact it corrects (the install or the latest renewal),
        recorded on ``corrected_on``."""

        TOPIC = "b2bcore:asset:UsageEndCorrected"
        usage_end_on: date
        corrected_on: date

        def apply(self, asset: Asset) -> None:
            # The corrected fact is the latest Installed or Renewed event, and
            # every event replayed before this one is at most that one.
            asset.usage_end_on = self.usage_end_on
            if asset.renewals:
                asset.renewals[-1] = attrs.evolve(
                    asset.renewals[-1], usage_end_on=self.usage_end_on
                )

    class Upgraded(DomainAggregate.Event):
        TOPIC = "b2bcore:asset:Upgraded"
        product: str
        value: Money

        def apply(self, asset: Asset) -> None:
            asset.upgrades.append(
                Upgrade(
                    upgraded_on=self.effective_on,
                    previous_product=asset.product,
                    product=self.product,
                    previous_value=asset.value,
                    value=self.value,
                )
            )
            asset.product = self.product
            asset.value = self.value

    class Replaced(DomainAggregate.Event):
        TOPIC = "b2bcore:asset:Replaced"
        successor_id: UUID
        note: str

        def apply(self, asset: Asset) -> None:
            asset.status = LEADS_TO[AssetAction.REPLACE]
            asset.obsolete_on = self.effective_on
            asset.obsolete_reason = ObsoleteReason.REPLACED
            asset.obsolete_note = self.note
            asset.successor_id = self.successor_id

    class MadeObsolete(DomainAggregate.Event):
        TOPIC = "b2bcore:asset:MadeObsolete"
        reason_code: ObsoleteReason
        note: str

        def apply(self, asset: Asset) -> None:
            asset.status = LEADS_TO[AssetAction.MAKE_OBSOLETE]
            asset.obsolete_on = self.effective_on
            asset.obsolete_reason = self.reason_code
            asset.obsolete_note = self.note

    class InspectionScheduled(DomainAggregate.Event):
        TOPIC = "b2bcore:asset:InspectionScheduled"
        number: int
        due_on: date

        def apply(self, asset: Asset) -> None:
            asset.inspections.append(
                Inspection(
                    number=self.number,
                    scheduled_on=self.effective_on,
                    due_on=self.due_on,
                )
            )

    class InspectionCompleted(DomainAggregate.Event):
        TOPIC = "b2bcore:asset:InspectionCompleted"
        number: int
        findings: str

        def apply(self, asset: Asset) -> None:
            asset.inspections = [
                attrs.evolve(i, completed_on=self.effective_on, findings=self.findings)
                if i.number == self.number
                else i
                for i in asset.inspections
            ]

    class SatisfactionRecorded(DomainAggregate.Event):
        TOPIC = "b2bcore:asset:SatisfactionRecorded"
        score: int
        comment: str

        def apply(self, asset: Asset) -> None:
            asset.satisfaction.append(
                SatisfactionScore(self.effective_on, self.score, self.comment)
            )

    class UsageRecorded(DomainAggregate.Event):
        TOPIC = "b2bcore:asset:UsageRecorded"
        period: date
        count: int
        distance_km: int
        region: str
        pattern: UsagePattern

        def apply(self, asset: Asset) -> None:
            asset.usage.append(
                MonthlyUsage(
                    period=self.period,
                    count=self.count,
                    distance_km=self.distance_km,
                    region=self.region,
                    pattern=self.pattern,
                    recorded_on=self.effective_on,
                )
            )

    class CompetitorContactReported(DomainAggregate.Event):
        TOPIC = "b2bcore:asset:CompetitorContactReported"
        competitor: str
        note: str

        def apply(self, asset: Asset) -> None:
            asset.competitor_contacts.append(
                CompetitorContact(self.effective_on, self.competitor, self.note)
            )

    class InstallmentPaid(DomainAggregate.Event):
        TOPIC = "b2bcore:asset:InstallmentPaid"
        number: int
        amount: Money

        def apply(self, asset: Asset) -> None:
            due = next(i for i in asset.installments if i.number == self.number)
            asset.payments.append(
                Payment(
                    number=self.number,
                    amount=self.amount,
                    paid_on=self.effective_on,
                    late=self.effective_on > due.due_on,
                )
            )

    # Corrections of a recorded fact: each names the fact it fixes, takes
    # effect on that fact's business date and keeps the day it was made
    # (``corrected_on``), so as of any date the fact reads as corrected while
    # what was known before the correction stays as it was (docs/audit.md).

    class PaymentReversed(DomainAggregate.Event):
        """The payment of installment ``number`` never happened: the
        installment is unpaid again (it may be paid anew)."""

        TOPIC = "b2bcore:asset:PaymentReversed"
        number: int
        corrected_on: date

        def apply(self, asset: Asset) -> None:
            asset.payments = [p for p in asset.payments if p.number != self.number]

    class PaymentCorrected(DomainAggregate.Event):
        """The payment of installment ``number`` was made on ``paid_on``."""

        TOPIC = "b2bcore:asset:PaymentCorrected"
        number: int
        paid_on: date
        corrected_on: date

        def apply(self, asset: Asset) -> None:
            due = next(i for i in asset.installments if i.number == self.number)
            corrected = Payment(
                number=self.number,
                amount=due.amount,
                paid_on=self.paid_on,
                late=self.paid_on > due.due_on,
            )
            numbers = [p.number for p in asset.payments]
            if self.number in numbers:
                asset.payments[numbers.index(self.number)] = corrected
            else:
                # Replayed as of a date, an earlier correction that moved the
                # payment's day back left the payment out: it is put back.
                asset.payments.append(corrected)
            # A later date is a later fact: nothing may end the asset before it.
            latest = asset.__dict__.get("last_fact_on")
            if latest is None or self.paid_on > latest:
                asset.last_fact_on = self.paid_on

    class SatisfactionCorrected(DomainAggregate.Event):
        """The score recorded on ``recorded_on`` as ``previous_score`` is
        ``score``."""

        TOPIC = "b2bcore:asset:SatisfactionCorrected"
        recorded_on: date
        previous_score: int
        score: int
        corrected_on: date

        def apply(self, asset: Asset) -> None:
            at = next(
                n
                for n, s in enumerate(asset.satisfaction)
                if (s.recorded_on, s.score) == (self.recorded_on, self.previous_score)
            )
            asset.satisfaction[at] = attrs.evolve(
                asset.satisfaction[at], score=self.score
            )

    class UsageCorrected(DomainAggregate.Event):
        """The usage of the month ``period`` was ``count`` uses over
        ``distance_km``."""

        TOPIC = "b2bcore:asset:UsageCorrected"
        period: date
        count: int
        distance_km: int
        corrected_on: date

        def apply(self, asset: Asset) -> None:
            asset.usage = [
                attrs.evolve(u, count=self.count, distance_km=self.distance_km)
                if u.period == self.period
                else u
                for u in asset.usage
            ]

    class InspectionCorrected(DomainAggregate.Event):
        """Completed inspection ``number`` found ``findings``."""

        TOPIC = "b2bcore:asset:InspectionCorrected"
        number: int
        findings: str
        corrected_on: date

        def apply(self, asset: Asset) -> None:
            asset.inspections = [
                attrs.evolve(i, findings=self.findings)
                if i.number == self.number
                else i
                for i in asset.inspections
            ]

    def __init__(
        self,
        account_id: UUID,
        product: str,
        order_reference: str,
        contact: Contact,
        value: Money,
        installments: tuple[Installment, ...],
        owner: str,
        opportunity_id: UUID | None,
        upsell: bool,
        effective_on: date,
    ) -> None:
        self.account_id = account_id
        self.product = product
        self.order_reference = order_reference
        self.contact = contact
        self.value = value
        self.owner = owner
        self.opportunity_id = opportunity_id
        self.upsell = upsell
        self.purchased_on = effective_on
        self.status = AssetStatus.PURCHASED
        # Lists, not tuples: snapshots must give back exactly this state.
        self.installments: list[Installment] = list(installments)
        #: When each installment entered the plan (purchase or renewal).
        self.installments_planned_on: list[date] = [effective_on] * len(installments)
        self.payments: list[Payment] = []
        self.installed_on: date | None = None
        self.usage_end_on: date | None = None
        self.renewals: list[Renewal] = []
        self.upgrades: list[Upgrade] = []
        self.obsolete_on: date | None = None
        self.obsolete_reason: ObsoleteReason | None = None
        self.obsolete_note = ""
        self.successor_id: UUID | None = None
        self.inspections: list[Inspection] = []
        self.satisfaction: list[SatisfactionScore] = []
        self.usage: list[MonthlyUsage] = []
        self.competitor_contacts: list[CompetitorContact] = []
        #: The latest renewal deal and the usage end it was opened to renew.
        self.renewal_deal_id: UUID | None = None
        self.renewal_deal_for: date | None = None

    # -- creation -------------------------------------------------------------

    @classmethod
    def purchase(
        cls,
        asset_id: UUID,
        *,
        account_id: UUID,
        product: str,
        order_reference: str,
        contact: str | Contact,
        value: Money,
        installments: Sequence[Installment],
        owner: str,
        on: date,
        meta: Provenance,
        opportunity_id: UUID | None = None,
        upsell: bool = False,
    ) -> Asset:
        """Record an order completing: the asset exists from ``on``;
        ``upsell`` marks an order that adds to what the account had. A free
        asset (value 0, e.g. a trial) has no installments."""
        subject = f"asset {asset_id}"
        check_type(subject, "account_id", account_id, UUID)
        check_type(subject, "value", value, Money)
        if value.amount < 0:
            raise ValidationError(
                subject, "value", f"must not be negative, got {value}"
            )
        plan = tuple(installments)
        if value.amount == 0:
            if plan:
                raise ValidationError(
                    subject,
                    "installments",
                    "a free asset (value 0) has no installments",
                )
        else:
            plan = _check_plan(subject, plan, first_number=1, total=value)
        if plan and plan[0].due_on < on:
            raise ValidationError(
                subject,
                "installments",
                f"installment 1 is due {plan[0].due_on}, before the purchase on {on}",
            )
        return cls._begin(
            cls.Purchased,
            asset_id,
            on,
            meta,
            account_id=account_id,
            product=check_text(subject, "product", product),
            order_reference=check_text(subject, "order_reference", order_reference),
            contact=check_contact(subject, "contact", contact),
            value=value,
            installments=plan,
            owner=check_text(subject, "owner", owner),
            opportunity_id=opportunity_id,
            upsell=check_type(subject, "upsell", upsell, bool),
        )

    # -- lifecycle ------------------------------------------------------------

    def install(self, *, on: date, usage_end_on: date | None, meta: Provenance) -> None:
        """Install the asset; ``usage_end_on`` None means open-ended (evergreen)."""
        self._require(AssetAction.INSTALL)
        self._check_on(on, self.purchased_on, "the purchase on")
        if usage_end_on is not None:
            check_date(self.subject, "usage_end_on", usage_end_on)
            if usage_end_on < on:
                raise ValidationError(
                    self.subject,
                    "usage_end_on",
                    f"usage end {usage_end_on} is before the install on {on}",
                )
        self._record(self.Installed, on, meta, usage_end_on=usage_end_on)

    def renew(
        self,
        *,
        on: date,
        usage_end_on: date,
        meta: Provenance,
        value: Money | None = None,
        installments: Sequence[Installment] = (),
    ) -> None:
        """Extend the usage end date, possibly at a new value (an upsell when
        higher), with the new term's installments appended to the plan."""
        self._require(AssetAction.RENEW)
        assert self.installed_on is not None
        self._check_on(on, self.installed_on, "the install on")
        check_date(self.subject, "usage_end_on", usage_end_on)
        if self.usage_end_on is None:
            self._refuse("usage_end_on", "cannot renew an open-ended asset")
        if usage_end_on <= self.usage_end_on:
            self._refuse(
                "usage_end_on",
                f"new usage end {usage_end_on} must be after the current "
                f"{self.usage_end_on}",
            )
        new_value = self._check_new_value(value or self.value)
        plan: tuple[Installment, ...] = ()
        if installments:
            plan = _check_plan(
                self.subject,
                tuple(installments),
                first_number=len(self.installments) + 1,
                total=new_value,
            )
        self._record(
            self.Renewed,
            on,
            meta,
            usage_end_on=usage_end_on,
            value=new_value,
            installments=plan,
        )

    def renewal_window(self, days_before: int, days_after: int) -> tuple[date, date]:
        """The first and last day a renewal deal may be opened: from
        ``days_before`` the usage end to ``days_after`` it (after that the
        asset counts as lapsed)."""
        if self.usage_end_on is None:
            self._refuse("usage_end_on", "an open-ended asset has no renewal")
        return (
            shifted(self.usage_end_on, -days_before),
            shifted(self.usage_end_on, days_after),
        )

    def next_term_end(self) -> date:
        """The usage end one more term of the current one's length gives:
        the current end plus the days from the term's start (the install,
        or the end the latest renewal extended) to it."""
        if self.usage_end_on is None:
            self._refuse("usage_end_on", "an open-ended asset has no renewal")
        assert self.installed_on is not None
        start = (
            self.renewals[-1].previous_usage_end_on
            if self.renewals
            else self.installed_on
        )
        return shifted(self.usage_end_on, (self.usage_end_on - start).days)

    def open_renewal_deal(
        self,
        *,
        on: date,
        opportunity_id: UUID,
        meta: Provenance,
        days_before: int = 90,
        days_after: int = 30,
    ) -> None:
        """Link the renewal deal ``opportunity_id``, opened ``on`` within the
        renewal window (``renewal_window``); whether another is still open
        is the caller's to check (``b2bcore.domain.policies``)."""
        self._require(AssetAction.OPEN_RENEWAL_DEAL)
        assert self.installed_on is not None
        self._check_on(on, self.installed_on, "the install on")
        check_type(self.subject, "opportunity_id", opportunity_id, UUID)
        first, last = self.renewal_window(days_before, days_after)
        if not first <= on <= last:
            self._refuse(
                "on",
                f"{on} is outside the renewal window {first} to {last} "
                f"({days_before} days before to {days_after} days after the "
                f"usage end {self.usage_end_on})",
            )
        self._record(
            self.RenewalDealOpened,
            on,
            meta,
            opportunity_id=opportunity_id,
            usage_end_on=self.usage_end_on,
        )

    def correct_usage_end(
        self, *, usage_end_on: date, on: date, meta: Provenance
    ) -> None:
        """Fix the current usage end date, set by the install or the latest
        renewal, as if it had been right from that fact's business date;
        ``on`` is the day the correction is made. An earlier usage end, which
        a renewal already superseded, cannot be corrected."""
        self._require(AssetAction.CORRECT_USAGE_END)
        self._require_reason(meta, "a correction")
        assert self.installed_on is not None
        if self.renewals:
            fact = self.renewals[-1]
            fact_on, not_after = fact.renewed_on, fact.previous_usage_end_on
        else:
            fact_on, not_after = self.installed_on, None
        check_date(self.subject, "usage_end_on", usage_end_on)
        if usage_end_on == self.usage_end_on:
            self._refuse("usage_end_on", f"the usage end is already {usage_end_on}")
        if not_after is not None and usage_end_on <= not_after:
            self._refuse(
                "usage_end_on",
                f"usage end {usage_end_on} must be after the end {not_after} "
                f"the renewal on {fact_on} extended",
            )
        if usage_end_on < fact_on:
            self._refuse(
                "usage_end_on",
                f"usage end {usage_end_on} is before the corrected fact on {fact_on}",
            )
        self._record_correction(
            self.UsageEndCorrected, fact_on, on, meta, usage_end_on=usage_end_on
        )

    def upgrade(
        self, *, on: date, product: str, value: Money, meta: Provenance
    ) -> None:
        """Move to another product or plan at a new value."""
        self._require(AssetAction.UPGRADE)
        assert self.installed_on is not None
        self._check_on(on, self.installed_on, "the install on")
        product = check_text(self.subject, "product", product)
        new_value = self._check_new_value(value)
        if product == self.product and new_value == self.value:
            self._refuse("product", "an upgrade must change the product or the value")
        self._record(self.Upgraded, on, meta, product=product, value=new_value)

    def replace(
        self, *, on: date, successor_id: UUID, note: str, meta: Provenance
    ) -> None:
        """Make the asset obsolete, replaced by ``successor_id``."""
        self._require(AssetAction.REPLACE)
        self._check_after_last_fact(on)
        check_type(self.subject, "successor_id", successor_id, UUID)
        if successor_id == self.id:
            self._refuse("successor_id", "an asset cannot replace itself")
        self._record(
            self.Replaced,
            on,
            meta,
            successor_id=successor_id,
            note=check_note(self.subject, "note", note),
        )

    def make_obsolete(
        self,
        *,
        on: date,
        reason_code: ObsoleteReason,
        note: str,
        meta: Provenance,
    ) -> None:
        """End the asset's life (churn) for ``reason_code``."""
        self._require(AssetAction.MAKE_OBSOLETE)
        self._check_after_last_fact(on)
        check_type(self.subject, "reason_code", reason_code, ObsoleteReason)
        if reason_code is ObsoleteReason.REPLACED:
            self._refuse("reason_code", "use replace to name the successor asset")
        self._record(
            self.MadeObsolete,
            on,
            meta,
            reason_code=reason_code,
            note=check_note(self.subject, "note", note),
        )

    # -- while installed ------------------------------------------------------

    def schedule_inspection(self, *, on: date, due_on: date, meta: Provenance) -> int:
        """Plan an inspection; returns its number."""
        self._require_installed_since(on, AssetAction.SCHEDULE_INSPECTION)
        check_date(self.subject, "due_on", due_on)
        if due_on < on:
            raise ValidationError(
                self.subject, "due_on", f"inspection due {due_on} is before {on}"
            )
        number = len(self.inspections) + 1
        self._record(self.InspectionScheduled, on, meta, number=number, due_on=due_on)
        return number

    def complete_inspection(
        self, *, on: date, number: int, findings: str, meta: Provenance
    ) -> None:
        self._require_installed_since(on, AssetAction.COMPLETE_INSPECTION)
        check_type(self.subject, "number", number, int)
        if not 1 <= number <= len(self.inspections):
            self._refuse("number", f"no inspection {number} was scheduled")
        inspection = next(i for i in self.inspections if i.number == number)
        if inspection.completed_on is not None:
            self._refuse(
                "number",
                f"inspection {number} was completed on {inspection.completed_on}",
            )
        if on < inspection.scheduled_on:
            self._refuse(
                "on", f"{on} is before the scheduling on {inspection.scheduled_on}"
            )
        self._record(
            self.InspectionCompleted,
            on,
            meta,
            number=number,
            findings=check_note(self.subject, "findings", findings),
        )

    def record_satisfaction(
        self, *, on: date, score: int, comment: str, meta: Provenance
    ) -> None:
        """Record a satisfaction score from 0 (worst) to 10 (best)."""
        self._require_installed_since(on, AssetAction.RECORD_SATISFACTION)
        _check_score(self.subject, score)
        self._record(
            self.SatisfactionRecorded,
            on,
            meta,
            score=score,
            comment=check_note(self.subject, "comment", comment),
        )

    def record_usage(
        self,
        *,
        on: date,
        period: date,
        count: int,
        distance_km: int,
        region: str,
        pattern: UsagePattern,
        meta: Provenance,
    ) -> None:
        """Record one month's usage; ``period`` is any day of that month."""
        self._require_installed_since(on, AssetAction.RECORD_USAGE)
        month = check_date(self.subject, "period", period).replace(day=1)
        if any(u.period == month for u in self.usage):
            self._refuse("period", f"usage for {month:%Y-%m} was already recorded")
        _check_counts(self.subject, count, distance_km)
        check_type(self.subject, "pattern", pattern, UsagePattern)
        self._record(
            self.UsageRecorded,
            on,
            meta,
            period=month,
            count=count,
            distance_km=distance_km,
            region=check_text(self.subject, "region", region),
            pattern=pattern,
        )

    def report_competitor_contact(
        self, *, on: date, competitor: str, note: str, meta: Provenance
    ) -> None:
        self._require_installed_since(on, AssetAction.REPORT_COMPETITOR_CONTACT)
        self._record(
            self.CompetitorContactReported,
            on,
            meta,
            competitor=check_text(self.subject, "competitor", competitor),
            note=check_note(self.subject, "note", note),
        )

    def pay_installment(
        self, *, on: date, number: int, amount: Money, meta: Provenance
    ) -> None:
        """Record installment ``number`` paid in full on ``on``."""
        self._require(AssetAction.PAY_INSTALLMENT)
        self._check_on(on, self.purchased_on, "the purchase on")
        check_type(self.subject, "number", number, int)
        if not 1 <= number <= len(self.installments):
            self._refuse(
                "number",
                f"installment {number} is beyond the plan of {len(self.installments)}",
            )
        if any(p.number == number for p in self.payments):
            self._refuse("number", f"installment {number} is already paid")
        self._check_on(
            on,
            self.installments_planned_on[number - 1],
            f"installment {number} was planned on",
        )
        check_type(self.subject, "amount", amount, Money)
        due = self.installments[number - 1]
        if amount != due.amount:
            raise ValidationError(
                self.subject,
                "amount",
                f"{amount} does not match installment {number} of {due.amount}",
            )
        self._record(self.InstallmentPaid, on, meta, number=number, amount=amount)

    # -- corrections ----------------------------------------------------------

    def reverse_payment(self, *, number: int, on: date, meta: Provenance) -> None:
        """Undo the payment of installment ``number``, which never happened
        (bounced, booked twice), as of the day it was said to be paid."""
        self._require_correction(meta)
        payment = self._payment(number, "reverse")
        self._record_correction(
            self.PaymentReversed, payment.paid_on, on, meta, number=number
        )

    def correct_payment(
        self, *, number: int, paid_on: date, on: date, meta: Provenance
    ) -> None:
        """Fix the day installment ``number`` was paid (and so whether it was
        late), as of the day it was said to be paid."""
        self._require_correction(meta)
        payment = self._payment(number, "correct")
        check_date(self.subject, "paid_on", paid_on)
        if paid_on == payment.paid_on:
            self._refuse("paid_on", f"installment {number} was paid on {paid_on}")
        planned_on = self.installments_planned_on[number - 1]
        if paid_on < planned_on:
            self._refuse(
                "paid_on",
                f"{paid_on} is before installment {number} was planned on {planned_on}",
            )
        self._record_correction(
            self.PaymentCorrected,
            payment.paid_on,
            on,
            meta,
            number=number,
            paid_on=paid_on,
        )

    def correct_satisfaction(
        self, *, recorded_on: date, score: int, on: date, meta: Provenance
    ) -> None:
        """Fix the satisfaction score recorded on ``recorded_on``; one day
        with several different scores cannot say which is meant."""
        self._require_correction(meta)
        check_date(self.subject, "recorded_on", recorded_on)
        scores = sorted(
            {s.score for s in self.satisfaction if s.recorded_on == recorded_on}
        )
        if not scores:
            self._refuse(
                "recorded_on", f"no satisfaction score was recorded on {recorded_on}"
            )
        if len(scores) > 1:
            self._refuse(
                "recorded_on",
                f"scores {', '.join(map(str, scores))} were recorded on "
                f"{recorded_on}: a correction names one score by its day",
            )
        _check_score(self.subject, score)
        if score == scores[0]:
            self._refuse("score", f"the score of {recorded_on} is already {score}")
        self._record_correction(
            self.SatisfactionCorrected,
            recorded_on,
            on,
            meta,
            recorded_on=recorded_on,
            previous_score=scores[0],
            score=score,
        )

    def correct_usage(
        self,
        *,
        period: date,
        count: int,
        distance_km: int,
        on: date,
        meta: Provenance,
    ) -> None:
        """Fix the count and distance of the month recorded for ``period``
        (any day of that month)."""
        self._require_correction(meta)
        month = check_date(self.subject, "period", period).replace(day=1)
        usage = next((u for u in self.usage if u.period == month), None)
        if usage is None:
            self._refuse("period", f"no usage was recorded for {month:%Y-%m}")
        _check_counts(self.subject, count, distance_km)
        if (count, distance_km) == (usage.count, usage.distance_km):
            self._refuse(
                "count",
                f"usage for {month:%Y-%m} is already {count} uses, {distance_km} km",
            )
        self._record_correction(
            self.UsageCorrected,
            usage.recorded_on,
            on,
            meta,
            period=month,
            count=count,
            distance_km=distance_km,
        )

    def correct_inspection(
        self, *, number: int, findings: str, on: date, meta: Provenance
    ) -> None:
        """Fix what completed inspection ``number`` found."""
        self._require_correction(meta)
        check_type(self.subject, "number", number, int)
        inspection = next((i for i in self.inspections if i.number == number), None)
        if inspection is None or inspection.completed_on is None:
            self._refuse("number", f"no inspection {number} was completed")
        findings = check_note(self.subject, "findings", findings)
        if findings == inspection.findings:
            self._refuse("findings", f"inspection {number} already found that")
        self._record_correction(
            self.InspectionCorrected,
            inspection.completed_on,
            on,
            meta,
            number=number,
            findings=findings,
        )

    def _require_correction(self, meta: Provenance) -> None:
        self._require(AssetAction.CORRECT)
        self._require_reason(meta, "a correction")

    def _payment(self, number: int, action: str) -> Payment:
        """The payment of installment ``number``, which a correction names."""
        check_type(self.subject, "number", number, int)
        payment = next((p for p in self.payments if p.number == number), None)
        if payment is None:
            self._refuse("number", f"installment {number} has no payment to {action}")
        return payment

    # -- checks ---------------------------------------------------------------

    def _require(self, action: AssetAction) -> None:
        """Refuse ``action`` unless the lifecycle accepts it in this status."""
        if not accepts(self.status, action):
            self._refuse(
                "status",
                f"cannot {action.value} an asset in status {self.status.value}",
            )

    def _require_installed_since(self, on: date, action: AssetAction) -> None:
        self._require(action)
        assert self.installed_on is not None
        self._check_on(on, self.installed_on, "the install on")

    def _check_new_value(self, value: Money) -> Money:
        check_positive(self.subject, "value", value)
        if value.currency != self.value.currency:
            raise ValidationError(
                self.subject,
                "value",
                f"currency {value.currency} differs from the contract's "
                f"{self.value.currency}",
            )
        return value


def _check_score(subject: str, score: int) -> None:
    """A satisfaction score: an integer from 0 (worst) to 10 (best)."""
    check_type(subject, "score", score, int)
    if not 0 <= score <= 10:
        raise ValidationError(subject, "score", f"{score} is not within 0..10")


def _check_counts(subject: str, count: int, distance_km: int) -> None:
    """A month's usage figures: non-negative integers."""
    for field, amount in (("count", count), ("distance_km", distance_km)):
        check_type(subject, field, amount, int)
        if amount < 0:
            raise ValidationError(subject, field, f"{amount} is negative")


def _check_plan(
    subject: str,
    plan: tuple[Installment, ...],
    *,
    first_number: int,
    total: Money,
) -> tuple[Installment, ...]:
    """An installment plan numbered from ``first_number``, due in date order,
    each amount positive, summing exactly to ``total``."""
    if not plan:
        raise ValidationError(subject, "installments", "the plan has no installment")
    for offset, installment in enumerate(plan):
        check_type(subject, "installments", installment, Installment)
        check_date(subject, "installments.due_on", installment.due_on)
        check_type(subject, "installments.amount", installment.amount, Money)
        if installment.amount.currency != total.currency:
            raise ValidationError(
                subject,
                "installments",
                f"installment {installment.number} is in "
                f"{installment.amount.currency}, the value in {total.currency}",
            )
        if installment.number != first_number + offset:
            raise ValidationError(
                subject,
                "installments",
                f"installment {installment.number} should be numbered "
                f"{first_number + offset}",
            )
        check_positive(
            subject, f"installments[{installment.number}]", installment.amount
        )
        if offset and installment.due_on < plan[offset - 1].due_on:
            raise ValidationError(
                subject,
                "installments",
                f"installment {installment.number} is due before the one before it",
            )
    paid = sum((i.amount for i in plan[1:]), plan[0].amount)
    if paid != total:
        raise ValidationError(
            subject,
            "installments",
            f"installments sum to {paid}, not the value {total}",
        )
    return plan
