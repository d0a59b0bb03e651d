"""How a command is carried out (``B2BCore.handle``): most by calling the
method their declaration names on the aggregate (``b2bcore.application.commands``); the
few that touch more than one aggregate, or look something up first, by a
handler of their own here.

``handles(Command)`` makes the typed ``B2BCore`` method of a command: the
method's parameters are the declaration's fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, overload
from uuid import UUID, uuid4

from b2bcore.application import commands as c
from b2bcore.domain.account import Account
from b2bcore.domain.acknowledgement import Acknowledgement
from b2bcore.domain.asset import Asset
from b2bcore.domain.errors import BusinessRuleError, NotFoundError, ValidationError
from b2bcore.domain.lead import Lead
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.policies import win_with_order
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


def run(core: B2BCore, command: c.Command[R]) -> R:
    """Carry ``command`` out: its own handler, or the aggregate's method its
    declaration names, after checking that the aggregates it names exist."""
    for field, kind in command.NAMES.items():
        if (named := getattr(command, field)) is not None:
            core._get(kind, named)
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
    assets = win_with_order(
        deal,
        value=command.value,
        order=command.order,
        upsell=command.upsell,
        rules=core.settings.review_board,
        on=core._on(command.on),
        meta=command.provenance(core.actor),
    )
    core._save(deal, *assets)
    return tuple(asset.id for asset in assets)


@handler(c.RecordPostmortem)
def record_postmortem(core: B2BCore, command: c.RecordPostmortem) -> None:
    deal = core._get(Opportunity, command.opportunity_id)
    deal.record_postmortem(
        on=core._on(command.on),
        postmortem=Postmortem(command.summary, command.root_causes, command.lessons),
        meta=command.provenance(core.actor),
    )
    core._save(deal)


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
