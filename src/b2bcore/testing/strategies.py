"""Hypothesis strategies for property tests: valid values, commands and
whole histories of the domain (``histories()`` builds one account's history
that every command accepts). Needs hypothesis."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from uuid import UUID

import attrs
from hypothesis import strategies as st

from b2bcore import (
    AssetStatus,
    B2BCore,
    BusinessLine,
    ContactChannel,
    Grade,
    LeadStatus,
    LossReason,
    Money,
    ObsoleteReason,
    OrderLine,
    ReviewArea,
    SalesStage,
    Temperature,
    UsagePattern,
    deterministic_id,
    installment_plan,
)
from b2bcore.domain.ids import order_line_id
from b2bcore.domain.lifecycle import ACCEPTS, LEADS_TO, AssetAction, accepts
from b2bcore.domain.money import MINOR_UNITS
from b2bcore.domain.values import MAX_GATE, OPEN_TIERS, Installment, add_months

START = date(2020, 1, 1)
END = date(2030, 12, 31)

currencies = st.sampled_from(["KRW", "USD", "EUR", "JPY", "BHD"])
business_dates = st.dates(min_value=START, max_value=END)
texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    min_size=1,
    max_size=20,
).filter(lambda s: s.strip() != "")
days = st.integers(min_value=0, max_value=400)
#: Texts every ``check_text`` refuses.
blank_texts = st.sampled_from(["", " ", "\t\n"])


@st.composite
def money(
    draw: st.DrawFn, currency: str | None = None, max_units: int = 10**9
) -> Money:
    """A positive amount, exact at the currency's minor unit."""
    code = currency or draw(currencies)
    minor = MINOR_UNITS[code]
    units = draw(st.integers(min_value=1, max_value=max_units * 10**minor))
    return Money(Decimal(units).scaleb(-minor), code)


@st.composite
def plans(
    draw: st.DrawFn, value: Money, first_due_on: date, first_number: int = 1
) -> tuple[Installment, ...]:
    """An installment plan summing to ``value``: 1–12 installments, at least
    one minor unit each, numbered from ``first_number`` (a renewal's plan
    continues the asset's numbering)."""
    minor_units = int(value.amount.scaleb(MINOR_UNITS[value.currency]))
    count = draw(st.integers(min_value=1, max_value=min(12, minor_units)))
    every = draw(st.integers(min_value=1, max_value=3))
    return renumbered(
        installment_plan(value, count, first_due_on, every_months=every), first_number
    )


def renumbered(
    plan: Sequence[Installment], first_number: int
) -> tuple[Installment, ...]:
    """``plan`` numbered from ``first_number`` on."""
    return tuple(
        attrs.evolve(installment, number=first_number + offset)
        for offset, installment in enumerate(plan)
    )


def money_in(currency: str, minor_units: int) -> Money:
    """``minor_units`` of ``currency`` (cents for USD, won for KRW)."""
    return Money(Decimal(minor_units).scaleb(-MINOR_UNITS[currency]), currency)


def after(day: date, gap: int) -> date:
    return day + timedelta(days=gap)


# -- command histories ---------------------------------------------------------


@attrs.frozen
class Command:
    """One call of the ``B2BCore`` API effective on business date ``on``."""

    name: str
    on: date
    args: tuple[object, ...] = ()
    kwargs: dict[str, object] = attrs.field(factory=dict)

    def apply_to(self, core: B2BCore) -> object:
        method: Callable[..., object] = getattr(core, self.name)
        return method(*self.args, on=self.on, **self.kwargs)


@attrs.frozen
class History:
    """Valid commands for one account and its assets, leads and deals, with
    every id fixed so two stores given the same history hold the same ids."""

    account_id: UUID
    asset_ids: tuple[UUID, ...]
    lead_ids: tuple[UUID, ...]
    opportunity_ids: tuple[UUID, ...]
    commands: tuple[Command, ...]

    @property
    def aggregate_ids(self) -> tuple[UUID, ...]:
        return (
            self.account_id,
            *self.asset_ids,
            *self.lead_ids,
            *self.opportunity_ids,
        )

    def apply_to(self, core: B2BCore, until: date | None = None) -> None:
        """Run the commands (only those effective by ``until`` if given)."""
        for command in self.commands:
            if until is None or command.on <= until:
                command.apply_to(core)


@attrs.define
class _AssetState:
    id: UUID
    purchased_on: date
    value: Money
    product: str
    installments: list[Installment]
    #: When each installment entered the plan: it is paid on or after.
    planned_on: list[date]
    #: The latest business date of the asset's events.
    latest: date
    status: AssetStatus = AssetStatus.PURCHASED
    installed_on: date | None = None
    usage_end_on: date | None = None
    paid: set[int] = attrs.Factory(set)
    usage_months: set[date] = attrs.Factory(set)
    #: (scheduled on, completed) per inspection, in number order.
    inspections: list[tuple[date, bool]] = attrs.Factory(list)


@attrs.define
class _FindingState:
    gate: int
    raised_on: date
    resolved_on: date | None = None

    @property
    def is_open(self) -> bool:
        return self.resolved_on is None


@attrs.define
class _DealState:
    id: UUID
    account_id: UUID | None
    opened_on: date
    currency: str
    tier: int = 4
    tier_since: date = attrs.field()
    #: The latest business date of the deal's events.
    latest: date = attrs.field()
    closed_on: date | None = None
    gates_passed: int = 0
    last_passed_on: date | None = None
    #: The latest review of each gate reviewed.
    reviewed_on: dict[int, date] = attrs.Factory(dict)
    findings: list[_FindingState] = attrs.Factory(list)
    has_postmortem: bool = False
    #: The latest reviewed price: a win is not far below it.
    price: Money | None = None
    #: Each term's value now and the date of its last edit.
    terms: dict[str, object] = attrs.Factory(dict)
    edited_on: dict[str, date] = attrs.Factory(dict)

    @tier_since.default
    @latest.default
    def _opened(self) -> date:
        return self.opened_on

    def resolved_on(self, gate: int | None = None) -> list[date]:
        """When the findings (of ``gate`` if given) were resolved."""
        return [
            f.resolved_on
            for f in self.findings
            if f.resolved_on is not None and gate in (None, f.gate)
        ]

    def close(self, on: date) -> None:
        self.closed_on = on
        self.tier = 0
        self.tier_since = on


@attrs.define
class _LeadState:
    id: UUID
    account_id: UUID | None
    captured_on: date
    temperature: Temperature
    contact: str | None
    need: str | None
    status: LeadStatus = LeadStatus.MQL
    qualified_on: date | None = None
    #: The latest business date of the lead's events.
    latest: date = attrs.field()

    @latest.default
    def _captured(self) -> date:
        return self.captured_on


_Action = Callable[[], object]
#: The terms of a deal an edit changes, and the command that does.
EDITED_TERMS = {
    "amount": "change_opportunity_amount",
    "owner": "reassign_opportunity",
    "expected_close_on": "move_expected_close",
}


class _HistoryBuilder:
    """Draws valid commands one at a time, tracking just enough state to keep
    them valid. Chronological histories never go back in business time (so
    every prefix by date is itself a valid history); the others backdate
    each command anywhere the domain allows, except that an asset's end and
    a deal's close come after everything else it holds, and gates pass in
    order (the business-time rules the state machines check)."""

    MAX_ASSETS = 5
    MAX_DEALS = 3
    MAX_LEADS = 2

    def __init__(self, draw: st.DrawFn, chronological: bool) -> None:
        self.draw = draw
        self.chronological = chronological
        self.account_id = deterministic_id("account", "history")
        self.registered_on = draw(
            st.dates(min_value=date(2020, 1, 1), max_value=date(2025, 12, 31)),
            label="registered on",
        )
        self.today = self.registered_on
        self.grade = draw(st.sampled_from(Grade), label="grade")
        self.attributes = {
            "name": "Hyowon Corp.",
            "sector": "logistics",
            "region": "Seoul",
            "country": "KR",
        }
        self.assets: list[_AssetState] = []
        self.deals: list[_DealState] = []
        self.leads: list[_LeadState] = []
        self.commands: list[Command] = [
            Command(
                "register_account",
                self.registered_on,
                kwargs={
                    "account_id": self.account_id,
                    "grade": self.grade,
                    "business_line": BusinessLine.DOMESTIC,
                    "preferred_channel": ContactChannel.EMAIL,
                    **self.attributes,
                },
            )
        ]

    def history(self, steps: int) -> History:
        for _ in range(steps):
            self._step()
        return History(
            account_id=self.account_id,
            asset_ids=tuple(a.id for a in self.assets),
            lead_ids=tuple(lead.id for lead in self.leads),
            opportunity_ids=tuple(d.id for d in self.deals),
            commands=tuple(self.commands),
        )

    # -- plumbing -------------------------------------------------------------

    def _on(
        self,
        not_before: date,
        changing: _AssetState | _DealState | _LeadState | None = None,
    ) -> date:
        """The business date of the next command, on or after ``not_before``
        (and the latest date of what it is ``changing``)."""
        if self.chronological:
            self.today += timedelta(days=self.draw(st.integers(0, 45)))
            on = self.today
        else:
            on = not_before + timedelta(days=self.draw(st.integers(0, 200)))
        if changing is not None:
            changing.latest = max(changing.latest, on)
        return on

    def _record(
        self, command: str, on: date, /, *args: object, **kwargs: object
    ) -> None:
        self.commands.append(Command(command, on, args, kwargs))

    def _step(self) -> None:
        """One command: first which aggregate (or a new one), then what."""
        choices: list[list[_Action]] = [
            [partial(action, asset) for action in self._asset_actions(asset)]
            for asset in self.assets
        ]
        choices += [
            [partial(action, deal) for action in self._deal_actions(deal)]
            for deal in self.deals
        ]
        choices += [
            [partial(action, lead) for action in self._lead_actions(lead)]
            for lead in self.leads
        ]
        new: list[_Action] = [
            create
            for create, room in (
                (self.purchase_asset, len(self.assets) < self.MAX_ASSETS),
                (self.open_opportunity, len(self.deals) < self.MAX_DEALS),
                (self.capture_lead, len(self.leads) < self.MAX_LEADS),
            )
            if room
        ]
        choices += [new, [self.change_account_grade, self.change_attributes]]
        actions = self.draw(st.sampled_from([c for c in choices if c]), label="whose")
        self.draw(st.sampled_from(actions), label="action")()

    # -- account --------------------------------------------------------------

    def change_account_grade(self) -> None:
        self.grade = self.draw(st.sampled_from([g for g in Grade if g != self.grade]))
        on = self._on(self.registered_on)
        self._record("change_account_grade", on, self.account_id, grade=self.grade)

    def change_attributes(self) -> None:
        attribute = self.draw(st.sampled_from(sorted(self.attributes)))
        value = self.draw(texts).strip()
        if value == self.attributes[attribute]:
            value += " 2"
        self.attributes[attribute] = value
        on = self._on(self.registered_on)
        self._record(
            "change_account_attributes", on, self.account_id, **{attribute: value}
        )

    # -- assets ---------------------------------------------------------------

    def _add_asset(
        self, asset_id: UUID, on: date, value: Money, product: str
    ) -> tuple[Installment, ...]:
        first_due_on = on + timedelta(days=self.draw(st.integers(0, 60)))
        plan = self.draw(plans(value, first_due_on))
        self.assets.append(
            _AssetState(asset_id, on, value, product, list(plan), [on] * len(plan), on)
        )
        return plan

    def purchase_asset(self) -> None:
        asset_id = deterministic_id("asset", str(len(self.assets) + 1))
        on = self._on(self.registered_on)
        value = self.draw(money(max_units=10**6))
        product = self.draw(texts).strip()
        plan = self._add_asset(asset_id, on, value, product)
        self._record(
            "purchase_asset",
            on,
            asset_id=asset_id,
            account_id=self.account_id,
            product=product,
            order_reference=f"PO-{len(self.assets)}",
            contact=self.draw(texts),
            value=value,
            installments=plan,
            owner=self.draw(st.sampled_from(["rep-1", "rep-2"])),
        )

    def _asset_actions(self, asset: _AssetState) -> list[Callable[[_AssetState], None]]:
        """What the lifecycle accepts in the asset's status (``ACCEPTS``),
        narrowed by what each command also needs, the ones ending its life
        last."""
        steps: dict[AssetAction, Callable[[_AssetState], None] | None] = {
            AssetAction.INSTALL: self.install_asset,
            AssetAction.RENEW: self.renew_asset if asset.usage_end_on else None,
            AssetAction.COMPLETE_INSPECTION: None
            if all(done for _, done in asset.inspections)
            else self.complete_inspection,
            AssetAction.RECORD_USAGE: self.record_usage,
            AssetAction.UPGRADE: self.upgrade_asset,
            AssetAction.SCHEDULE_INSPECTION: self.schedule_inspection,
            AssetAction.RECORD_SATISFACTION: self.record_satisfaction,
            AssetAction.REPORT_COMPETITOR_CONTACT: self.report_competitor_contact,
            AssetAction.PAY_INSTALLMENT: self.pay_installment
            if len(asset.paid) < len(asset.installments)
            else None,
        }
        accepted = ACCEPTS[asset.status]
        actions = [s for a, s in steps.items() if a in accepted and s is not None]
        if AssetAction.MAKE_OBSOLETE in accepted:
            actions.append(self.end_asset_life)
        return actions

    def end_asset_life(self, asset: _AssetState) -> None:
        """Replace or make obsolete: one choice, so assets live a while."""
        ends = [self.make_asset_obsolete]
        if accepts(asset.status, AssetAction.REPLACE) and len(self.assets) > 1:
            ends.append(self.replace_asset)
        self.draw(st.sampled_from(ends))(asset)

    def install_asset(self, asset: _AssetState) -> None:
        on = self._on(asset.purchased_on, asset)
        term = self.draw(st.integers(-1, 720), label="term in days, -1 open-ended")
        asset.status = LEADS_TO[AssetAction.INSTALL]
        asset.installed_on = on
        asset.usage_end_on = None if term < 0 else on + timedelta(days=term)
        self._record("install_asset", on, asset.id, usage_end_on=asset.usage_end_on)

    def renew_asset(self, asset: _AssetState) -> None:
        assert asset.installed_on is not None
        assert asset.usage_end_on is not None
        on = self._on(asset.installed_on, asset)
        asset.usage_end_on += timedelta(days=self.draw(st.integers(1, 400)))
        value = self.draw(
            st.one_of(st.none(), money(asset.value.currency, max_units=10**6))
        )
        asset.value = value or asset.value
        plan: tuple[Installment, ...] = ()
        if self.draw(st.booleans()):
            plan = self.draw(
                plans(asset.value, on, first_number=len(asset.installments) + 1)
            )
        asset.installments.extend(plan)
        asset.planned_on.extend([on] * len(plan))
        self._record(
            "renew_asset",
            on,
            asset.id,
            usage_end_on=asset.usage_end_on,
            value=value,
            installments=plan,
        )

    def upgrade_asset(self, asset: _AssetState) -> None:
        assert asset.installed_on is not None
        on = self._on(asset.installed_on, asset)
        product = self.draw(texts).strip()
        value = self.draw(money(asset.value.currency, max_units=10**6))
        if product == asset.product and value == asset.value:
            product += " 2"
        asset.product, asset.value = product, value
        self._record("upgrade_asset", on, asset.id, product=product, value=value)

    def replace_asset(self, asset: _AssetState) -> None:
        on = self._on(asset.latest, asset)
        successor = self.draw(
            st.sampled_from([a for a in self.assets if a is not asset])
        )
        asset.status = LEADS_TO[AssetAction.REPLACE]
        self._record(
            "replace_asset",
            on,
            asset.id,
            successor_id=successor.id,
            note=self.draw(st.one_of(st.just(""), texts)),
        )

    def make_asset_obsolete(self, asset: _AssetState) -> None:
        # Obsolete is terminal in business time too: after all the rest.
        on = self._on(asset.latest, asset)
        reason_code = self.draw(
            st.sampled_from(
                [r for r in ObsoleteReason if r is not ObsoleteReason.REPLACED]
            )
        )
        asset.status = LEADS_TO[AssetAction.MAKE_OBSOLETE]
        self._record("make_asset_obsolete", on, asset.id, reason_code=reason_code)

    def schedule_inspection(self, asset: _AssetState) -> None:
        assert asset.installed_on is not None
        on = self._on(asset.installed_on, asset)
        asset.inspections.append((on, False))
        due_on = on + timedelta(days=self.draw(st.integers(0, 90)))
        self._record("schedule_inspection", on, asset.id, due_on=due_on)

    def complete_inspection(self, asset: _AssetState) -> None:
        assert asset.installed_on is not None
        pending = [n for n, (_, done) in enumerate(asset.inspections, 1) if not done]
        number = self.draw(st.sampled_from(pending))
        scheduled_on = asset.inspections[number - 1][0]
        on = self._on(max(asset.installed_on, scheduled_on), asset)
        asset.inspections[number - 1] = (scheduled_on, True)
        self._record(
            "complete_inspection",
            on,
            asset.id,
            number=number,
            findings=self.draw(st.one_of(st.just(""), texts)),
        )

    def record_satisfaction(self, asset: _AssetState) -> None:
        assert asset.installed_on is not None
        on = self._on(asset.installed_on, asset)
        self._record(
            "record_satisfaction", on, asset.id, score=self.draw(st.integers(0, 10))
        )

    def record_usage(self, asset: _AssetState) -> None:
        assert asset.installed_on is not None
        on = self._on(asset.installed_on, asset)
        month = add_months(asset.installed_on, self.draw(st.integers(0, 24)))
        while month.replace(day=1) in asset.usage_months:
            month = add_months(month, 1)
        asset.usage_months.add(month.replace(day=1))
        self._record(
            "record_usage",
            on,
            asset.id,
            period=month,
            count=self.draw(st.integers(0, 500)),
            distance_km=self.draw(st.integers(0, 50_000)),
            region=self.draw(texts),
            pattern=self.draw(st.sampled_from(UsagePattern)),
        )

    def report_competitor_contact(self, asset: _AssetState) -> None:
        assert asset.installed_on is not None
        on = self._on(asset.installed_on, asset)
        self._record(
            "report_competitor_contact", on, asset.id, competitor=self.draw(texts)
        )

    def pay_installment(self, asset: _AssetState) -> None:
        unpaid = [i for i in asset.installments if i.number not in asset.paid]
        installment = self.draw(st.sampled_from(unpaid))
        on = self._on(asset.planned_on[installment.number - 1], asset)
        asset.paid.add(installment.number)
        self._record(
            "pay_installment",
            on,
            asset.id,
            number=installment.number,
            amount=installment.amount,
        )

    # -- opportunities --------------------------------------------------------

    def _deal_fields(self, on: date) -> dict[str, object]:
        return {
            "name": self.draw(texts),
            "amount": self.draw(money(max_units=10**7)),
            "owner": self.draw(st.sampled_from(["rep-1", "rep-2"])),
            "business_line": self.draw(st.sampled_from(BusinessLine)),
            "region": self.draw(texts),
            "country": self.draw(st.sampled_from(["KR", "JP", "US"])),
            "product": self.draw(texts),
            "expected_close_on": on + timedelta(days=self.draw(st.integers(0, 700))),
        }

    def _add_deal(
        self,
        deal_id: UUID,
        account_id: UUID | None,
        on: date,
        fields: dict[str, object],
        tier: int = 4,
    ) -> None:
        amount = fields["amount"]
        assert isinstance(amount, Money)
        terms = {term: fields[term] for term in EDITED_TERMS}
        self.deals.append(
            _DealState(deal_id, account_id, on, amount.currency, tier, terms=terms)
        )

    def open_opportunity(self) -> None:
        deal_id = deterministic_id("opportunity", str(len(self.deals) + 1))
        on = self._on(self.registered_on)
        account_id = self.draw(st.sampled_from([self.account_id, None]))
        tier = self.draw(st.sampled_from(OPEN_TIERS))
        fields = self._deal_fields(on)
        self._add_deal(deal_id, account_id, on, fields, tier)
        self._record(
            "open_opportunity",
            on,
            opportunity_id=deal_id,
            account_id=account_id,
            tier=tier,
            competitors=tuple(self.draw(st.lists(texts, max_size=2))),
            **fields,
        )

    def _deal_actions(self, deal: _DealState) -> list[Callable[[_DealState], None]]:
        """What the deal accepts now, the ones closing it last."""
        if deal.closed_on is not None:
            return [] if deal.has_postmortem else [self.record_postmortem]
        actions: list[Callable[[_DealState], None]] = []
        next_gate = deal.gates_passed + 1
        if any(f.is_open for f in deal.findings):
            actions.append(self.resolve_finding)
        if next_gate <= MAX_GATE:
            actions.append(self.review_gate)
            if next_gate in deal.reviewed_on and not any(
                f.is_open for f in deal.findings if f.gate == next_gate
            ):
                actions.append(self.pass_gate)
        return [*actions, self.change_tier, self.edit_deal, self.close_opportunity]

    def close_opportunity(self, deal: _DealState) -> None:
        """Win, lose, drop or fail a gate: one choice, so deals stay open a
        while."""
        closes = [self.lose_opportunity, self.drop_opportunity]
        if not any(f.is_open for f in deal.findings):
            closes.append(self.win_opportunity)
        next_gate = deal.gates_passed + 1
        if next_gate <= MAX_GATE and next_gate in deal.reviewed_on:
            closes.append(self.fail_gate)
        self.draw(st.sampled_from(closes))(deal)

    def change_tier(self, deal: _DealState) -> None:
        on = self._on(deal.tier_since, deal)
        deal.tier = self.draw(
            st.sampled_from([t for t in OPEN_TIERS if t != deal.tier])
        )
        deal.tier_since = on
        open_stages = [s for s in SalesStage if s is not SalesStage.CLOSE_AND_REVIEW]
        stage = self.draw(st.one_of(st.none(), st.sampled_from(open_stages)))
        self._record("change_tier", on, deal.id, tier=deal.tier, stage=stage)

    def edit_deal(self, deal: _DealState) -> None:
        """Change the amount, the owner or the expected close, after the
        last change of that term."""
        term = self.draw(st.sampled_from(sorted(EDITED_TERMS)))
        on = self._on(deal.edited_on.get(term, deal.opened_on), deal)
        new = {
            "amount": money(deal.currency, max_units=10**7),
            "owner": st.sampled_from(["rep-1", "rep-2", "rep-3"]),
            "expected_close_on": st.dates(on, on + timedelta(days=700)),
        }[term]
        value = self.draw(new.filter(lambda v: v != deal.terms[term]))
        deal.terms[term] = value
        deal.edited_on[term] = on
        self._record(
            EDITED_TERMS[term], on, deal.id, reason=self.draw(texts), **{term: value}
        )

    def review_gate(self, deal: _DealState) -> None:
        """After the pass of the gate before; an estimate, if any, at no
        loss (the default minimum margin)."""
        on = self._on(deal.last_passed_on or deal.opened_on, deal)
        gate = deal.gates_passed + 1
        findings = self.draw(
            st.lists(st.tuples(st.sampled_from(ReviewArea), texts), max_size=2)
        )
        estimate: dict[str, Money] = {}
        if self.draw(st.booleans(), label="estimated"):
            price = self.draw(money(deal.currency, max_units=10**7))
            cost = self.draw(money(deal.currency, max_units=10**7))
            estimate = {"cost": min(cost, price), "price": price}
            deal.price = price
        deal.reviewed_on[gate] = max(on, deal.reviewed_on.get(gate, on))
        deal.findings.extend(_FindingState(gate, on) for _ in findings)
        self._record(
            "review_gate", on, deal.id, gate=gate, findings=tuple(findings), **estimate
        )

    def resolve_finding(self, deal: _DealState) -> None:
        still_open = [n for n, f in enumerate(deal.findings, 1) if f.is_open]
        number = self.draw(st.sampled_from(still_open))
        finding = deal.findings[number - 1]
        on = self._on(max(deal.opened_on, finding.raised_on), deal)
        finding.resolved_on = on
        self._record(
            "resolve_finding", on, deal.id, number=number, resolution=self.draw(texts)
        )

    def pass_gate(self, deal: _DealState) -> None:
        """After the gate's review, its findings' resolutions and the pass of
        the gate before."""
        gate = deal.gates_passed + 1
        after = [deal.reviewed_on[gate], *deal.resolved_on(gate)]
        on = self._on(max(deal.last_passed_on or deal.opened_on, *after), deal)
        deal.gates_passed = gate
        deal.last_passed_on = on
        self._record("pass_gate", on, deal.id, gate=deal.gates_passed)

    def fail_gate(self, deal: _DealState) -> None:
        on = self._on(deal.latest, deal)
        gate = deal.gates_passed + 1
        deal.close(on)
        self._record("fail_gate", on, deal.id, gate=gate, reason=self.draw(texts))

    def win_opportunity(self, deal: _DealState) -> None:
        # Tier 0 is terminal in business time too: after all the rest.
        on = self._on(deal.latest, deal)
        lines = 0
        if deal.account_id is not None:
            room = self.MAX_ASSETS + 2 - len(self.assets)
            lines = self.draw(st.integers(0, max(0, min(2, room))))
        order = []
        for line in range(1, lines + 1):
            value = self.draw(money(max_units=10**6))
            product = self.draw(texts).strip()
            plan = self._add_asset(order_line_id(deal.id, line), on, value, product)
            order.append(
                OrderLine(
                    product=product,
                    value=value,
                    order_reference=f"SO-{deal.id.hex[:6]}-{line}",
                    contact=self.draw(texts),
                    installments=plan,
                )
            )
        deal.close(on)
        value = self.draw(money(deal.currency, max_units=10**7))
        self._record(
            "win_opportunity",
            on,
            deal.id,
            # Not below the reviewed price (the tolerance is the board's).
            value=value if deal.price is None else max(value, deal.price),
            order=tuple(order),
        )

    def lose_opportunity(self, deal: _DealState) -> None:
        # Tier 0 is terminal in business time too: after all the rest.
        on = self._on(deal.latest, deal)
        deal.close(on)
        self._record(
            "lose_opportunity",
            on,
            deal.id,
            reason_code=self.draw(st.sampled_from(LossReason)),
            competitor=self.draw(st.one_of(st.none(), texts)),
        )

    def drop_opportunity(self, deal: _DealState) -> None:
        # Tier 0 is terminal in business time too: after all the rest.
        on = self._on(deal.latest, deal)
        deal.close(on)
        self._record("drop_opportunity", on, deal.id, reason=self.draw(texts))

    def record_postmortem(self, deal: _DealState) -> None:
        assert deal.closed_on is not None
        on = self._on(deal.closed_on, deal)
        deal.has_postmortem = True
        self._record(
            "record_postmortem",
            on,
            deal.id,
            summary=self.draw(texts),
            root_causes=tuple(self.draw(st.lists(texts, max_size=2))),
            lessons=tuple(self.draw(st.lists(texts, max_size=2))),
        )

    # -- leads ----------------------------------------------------------------

    def capture_lead(self) -> None:
        lead_id = deterministic_id("lead", str(len(self.leads) + 1))
        on = self._on(self.registered_on)
        lead = _LeadState(
            lead_id,
            account_id=self.draw(st.sampled_from([self.account_id, None])),
            captured_on=on,
            temperature=self.draw(st.sampled_from(Temperature)),
            contact=self.draw(st.one_of(st.none(), texts)),
            need=self.draw(st.one_of(st.none(), texts)),
        )
        self.leads.append(lead)
        self._record(
            "capture_lead",
            on,
            lead_id=lead_id,
            company=self.draw(texts),
            source=self.draw(st.sampled_from(["web", "fair", "referral"])),
            temperature=lead.temperature,
            contact=lead.contact,
            need=lead.need,
            account_id=lead.account_id,
        )

    def _lead_actions(self, lead: _LeadState) -> list[Callable[[_LeadState], None]]:
        if lead.status is LeadStatus.MQL:
            return [
                self.change_lead_temperature,
                self.qualify_lead,
                self.disqualify_lead,
            ]
        if lead.status is LeadStatus.SQL:
            actions: list[Callable[[_LeadState], None]] = [
                self.change_lead_temperature,
                self.disqualify_lead,
            ]
            if len(self.deals) < self.MAX_DEALS:
                actions.append(self.convert_lead)
            return actions
        return []

    def change_lead_temperature(self, lead: _LeadState) -> None:
        on = self._on(lead.captured_on, lead)
        lead.temperature = self.draw(
            st.sampled_from([t for t in Temperature if t is not lead.temperature])
        )
        self._record(
            "change_lead_temperature", on, lead.id, temperature=lead.temperature
        )

    def qualify_lead(self, lead: _LeadState) -> None:
        on = self._on(lead.captured_on, lead)
        contact = None if lead.contact else self.draw(texts)
        need = None if lead.need else self.draw(texts)
        lead.status = LeadStatus.SQL
        lead.qualified_on = on
        self._record("qualify_lead", on, lead.id, contact=contact, need=need)

    def disqualify_lead(self, lead: _LeadState) -> None:
        """After everything else the lead holds."""
        on = self._on(lead.latest, lead)
        lead.status = LeadStatus.DISQUALIFIED
        self._record("disqualify_lead", on, lead.id, reason=self.draw(texts))

    def convert_lead(self, lead: _LeadState) -> None:
        on = self._on(lead.latest, lead)
        deal_id = deterministic_id("opportunity", str(len(self.deals) + 1))
        fields = self._deal_fields(on)
        lead.status = LeadStatus.CONVERTED
        self._add_deal(deal_id, lead.account_id, on, fields)
        self._record("convert_lead", on, lead.id, opportunity_id=deal_id, **fields)


@st.composite
def histories(
    draw: st.DrawFn, *, chronological: bool = True, max_steps: int = 40
) -> History:
    """A valid history of one account: up to 5 assets, 3 deals and 2 leads
    created and changed by ``max_steps`` random commands or fewer."""
    steps = draw(st.integers(min_value=0, max_value=max_steps), label="steps")
    return _HistoryBuilder(draw, chronological).history(steps)
