"""How a command is carried out (``B2BCore.handle``): most by calling the
method their declaration names on the aggregate (``b2bcore.application.commands``); the
few that touch more than one aggregate, or look something up first, by a
handler of their own here.

``handles(Command)`` makes the typed ``B2BCore`` method of a command: the
method's parameters are the declaration's fields."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, overload
from uuid import UUID, uuid4

from b2bcore.application import commands as c
from b2bcore.domain.account import Account
from b2bcore.domain.acknowledgement import Acknowledgement
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.asset import Asset
from b2bcore.domain.errors import BusinessRuleError, NotFoundError, ValidationError
from b2bcore.domain.feedback import Feedback
from b2bcore.domain.ids import renewal_deal_id
from b2bcore.domain.lead import Lead
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.policies import (
    lose_renewal,
    open_renewal_deal,
    win_with_order,
)
from b2bcore.domain.sales_rep import SalesRep
from b2bcore.domain.values import Postmortem

if TYPE_CHECKING:
    from b2bcore.application.core import B2BCore

P = ParamSpec("P")
R = TypeVar("R")
C = TypeVar("C", bound=c.Command[Any])

Handler = Callable[["B2BCore", Any], Any]
#: The commands with a handler of their own.
HANDLERS: dict[type[c.Command[Any]], Handler] = {}


def handler(
    declared: type[C],
) -> Callable[[Callable[[B2BCore, C], Any]], Callable[[B2BCore, C], Any]]:
    """Register the decorated function as ``declared``'s handler."""

    def register(run: Callable[[B2BCore, C], Any]) -> Callable[[B2BCore, C], Any]:
        HANDLERS[declared] = run
        return run

    return register


def named(command: c.Command[Any]) -> Iterator[tuple[type[DomainAggregate], UUID]]:
    """The kind and id of each aggregate ``command`` names (each must exist)."""
    for field, kind in command.NAMES.items():
        if (aggregate_id := getattr(command, field)) is not None:
            yield kind, aggregate_id


def run(core: B2BCore, command: c.Command[R]) -> R:
    """Carry ``command`` out: its own handler, or the aggregate's method its
    declaration names, after checking what it brings
    (``Command.check_input``) and that the aggregates it names exist."""
    command.check_input()
    for kind, aggregate_id in named(command):
        core._check_named(kind, aggregate_id)
    if (own := HANDLERS.get(type(command))) is not None:
        result: R = own(core, command)
        return result
    on, meta = core._on(command.on), command.provenance(core.actor)
    target = command.target()
    if target is None:
        new_id = getattr(command, f"{command.ACTS_ON.KIND}_id", None) or uuid4()
        made = getattr(command.ACTS_ON, command.CALLS)(
            new_id, on=on, meta=meta, **command.arguments()
        )
        core._save(made)
        return made.id  # type: ignore[no-any-return]
    aggregate = core._get(command.ACTS_ON, target)
    done = getattr(aggregate, command.CALLS)(on=on, meta=meta, **command.arguments())
    core._save(aggregate)
    return done  # type: ignore[no-any-return]


class handles(Generic[P, R]):  # noqa: N801 (used as a decorator-like name)
    """The ``B2BCore`` method running a declared command: its parameters are
    the declaration's fields, its result the command's."""

    def __init__(self, declared: Callable[P, c.Command[R]]) -> None:
        self.declared = declared
        self.__doc__ = declared.__doc__

    @overload
    def __get__(self, core: None, owner: type[Any]) -> handles[P, R]: ...

    @overload
    def __get__(self, core: B2BCore, owner: type[Any]) -> Callable[P, R]: ...

    def __get__(
        self, core: B2BCore | None, owner: type[Any]
    ) -> handles[P, R] | Callable[P, R]:
        if core is None:
            return self
        declared = self.declared

        def method(*args: P.args, **kwargs: P.kwargs) -> R:
            return core.handle(declared(*args, **kwargs))

        method.__doc__ = self.__doc__
        return method


# -- the handlers of their own ----------------------------------------------------


@handler(c.ReplaceAsset)
def replace_asset(core: B2BCore, command: c.ReplaceAsset) -> None:
    asset = core._get(Asset, command.asset_id)
    successor = core._get(Asset, command.successor_id)
    if successor.account_id != asset.account_id:
        raise ValidationError(
            asset.subject,
            "successor_id",
            f"successor {command.successor_id} belongs to another account",
        )
    asset.replace(
        on=core._on(command.on),
        successor_id=command.successor_id,
        note=command.note,
        meta=command.provenance(core.actor),
    )
    core._save(asset)


@handler(c.ConvertLead)
def convert_lead(core: B2BCore, command: c.ConvertLead) -> UUID:
    lead = core._get(Lead, command.lead_id)
    account_id = command.account_id or lead.account_id
    if account_id is not None:
        core._get(Account, account_id)
    on, meta = core._on(command.on), command.provenance(core.actor)
    arguments = command.arguments()
    del arguments["account_id"], arguments["opportunity_id"]
    deal = Opportunity.open(
        command.opportunity_id or uuid4(),
        account_id=account_id,
        lead_id=lead.id,
        on=on,
        meta=meta,
        **arguments,
    )
    lead.convert(on=on, opportunity_id=deal.id, meta=meta)
    core._save(lead, deal)
    return deal.id


@handler(c.PassGate)
def pass_gate(core: B2BCore, command: c.PassGate) -> None:
    deal = core._get(Opportunity, command.opportunity_id)
    deal.pass_gate(
        on=core._on(command.on),
        gate=command.gate,
        rules=core.settings.review_board,
        meta=command.provenance(core.actor),
    )
    core._save(deal)


@handler(c.WinOpportunity)
def win_opportunity(core: B2BCore, command: c.WinOpportunity) -> tuple[UUID, ...]:
    deal = core._get(Opportunity, command.opportunity_id)
    renewed = (
        None if deal.renews_asset_id is None else core._get(Asset, deal.renews_asset_id)
    )
    assets = win_with_order(
        deal,
        value=command.value,
        order=command.order,
        upsell=command.upsell,
        rules=core.settings.review_board,
        renewed=renewed,
        usage_end_on=command.usage_end_on,
        on=core._on(command.on),
        meta=command.provenance(core.actor),
    )
    core._save(deal, *([] if renewed is None else [renewed]), *assets)
    return tuple(asset.id for asset in assets)


@handler(c.LoseOpportunity)
def lose_opportunity(core: B2BCore, command: c.LoseOpportunity) -> None:
    deal = core._get(Opportunity, command.opportunity_id)
    on, meta = core._on(command.on), command.provenance(core.actor)
    if deal.renews_asset_id is None:
        deal.lose(
            on=on,
            reason_code=command.reason_code,
            competitor=command.competitor,
            meta=meta,
        )
        core._save(deal)
        return
    asset = core._get(Asset, deal.renews_asset_id)
    lose_renewal(
        deal,
        asset,
        reason_code=command.reason_code,
        competitor=command.competitor,
        on=on,
        meta=meta,
    )
    core._save(deal, asset)


def _renewal_deal(
    core: B2BCore, asset: Asset, *, deal_id: UUID | None, **terms: Any
) -> Opportunity:
    """The renewal deal of ``asset`` under the core's settings, linked to
    it (``b2bcore.domain.policies.open_renewal_deal``)."""
    previous = (
        None
        if asset.renewal_deal_id is None
        else core._get(Opportunity, asset.renewal_deal_id)
    )
    return open_renewal_deal(
        asset,
        core._get(Account, asset.account_id),
        deal_id=deal_id or renewal_deal_id(asset.id, asset.renewal_deal_id),
        previous=previous,
        days_before=core.settings.renewal_deal_days,
        days_after=core.settings.lapse_grace_days,
        **terms,
    )


@handler(c.OpenRenewalDeal)
def open_renewal_deal_of(core: B2BCore, command: c.OpenRenewalDeal) -> UUID:
    asset = core._get(Asset, command.asset_id)
    terms = command.arguments()
    deal = _renewal_deal(
        core,
        asset,
        deal_id=terms.pop("opportunity_id"),
        on=core._on(command.on),
        meta=command.provenance(core.actor),
        **terms,
    )
    core._save(asset, deal)
    return deal.id


@handler(c.OpenRenewalDeals)
def open_renewal_deals(core: B2BCore, command: c.OpenRenewalDeals) -> tuple[UUID, ...]:
    """Each asset of the account in the renewal queue without an open deal
    gets one, unless a deal was opened for its current usage end or its
    rules refuse one (outside its window, a deal still open)."""
    core._get(Account, command.account_id)
    on, meta = core._on(command.on), command.provenance(core.actor)
    changed: list[Asset | Opportunity] = []
    for item in core.renewal_queue(as_of=on, within=core.settings.renewal_deal_days):
        if item.account_id != command.account_id or item.deal_id is not None:
            continue
        asset = core._get(Asset, item.asset_id)
        if asset.renewal_deal_for == asset.usage_end_on:
            continue
        try:
            deal = _renewal_deal(core, asset, deal_id=None, on=on, meta=meta)
        except BusinessRuleError:
            continue  # refused before anything was recorded
        changed += (asset, deal)
    if changed:
        core._save(*changed)
    return tuple(a.id for a in changed if isinstance(a, Opportunity))


@handler(c.RecordPostmortem)
def record_postmortem(core: B2BCore, command: c.RecordPostmortem) -> None:
    deal = core._get(Opportunity, command.opportunity_id)
    deal.record_postmortem(
        on=core._on(command.on),
        postmortem=Postmortem(command.summary, command.root_causes, command.lessons),
        meta=command.provenance(core.actor),
    )
    core._save(deal)


@handler(c.RecordFeedback)
def record_feedback(core: B2BCore, command: c.RecordFeedback) -> UUID:
    """Feedback about an asset names one of the account's own, given on or
    after its purchase."""
    feedback_id = command.feedback_id or uuid4()
    on = core._on(command.on)
    if command.asset_id is not None:
        asset = core._get(Asset, command.asset_id)
        subject = f"{Feedback.KIND} {feedback_id}"
        if asset.account_id != command.account_id:
            raise ValidationError(
                subject,
                "asset_id",
                f"asset {command.asset_id} belongs to another account",
            )
        if on < asset.purchased_on:
            raise BusinessRuleError(
                subject,
                "on",
                f"{on} is before asset {asset.id} was purchased on "
                f"{asset.purchased_on}",
            )
    feedback = Feedback.record(
        feedback_id, on=on, meta=command.provenance(core.actor), **command.arguments()
    )
    core._save(feedback)
    return feedback.id


@handler(c.RegisterSalesRep)
def register_sales_rep(core: B2BCore, command: c.RegisterSalesRep) -> UUID:
    rep = SalesRep.register(
        c.sales_rep_id(command.name),
        name=command.name,
        manager=command.manager,
        office=command.office,
        on=core._on(command.on),
        meta=command.provenance(core.actor),
    )
    core._save(rep)
    return rep.id


@handler(c.AcknowledgeAlert)
def acknowledge_alert(core: B2BCore, command: c.AcknowledgeAlert) -> None:
    on = core._on(command.on)
    alert = next((a for a in core.alerts(as_of=on) if a.id == command.alert_id), None)
    if alert is None:
        raise NotFoundError("alert", command.alert_id, f" as of {on}")
    if alert.acknowledged:
        raise BusinessRuleError(
            f"alert {command.alert_id}",
            "acknowledged",
            "the alert is already acknowledged",
        )
    core._save(
        Acknowledgement.acknowledge(
            command.alert_id,
            alert_kind=alert.kind.value,
            subject_id=alert.subject_id,
            note=command.note,
            on=on,
            meta=command.provenance(core.actor),
        )
    )
