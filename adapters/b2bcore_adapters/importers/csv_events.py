"""b2bcore's own CSV formats with one row per event of a recorded asset or
opportunity (docs/csv-formats.md): the aggregate's key, the event's name,
its business date ``on`` and the event's fields.

Each row is recorded by its event's command (``RecordSatisfaction``…), run
by the handlers as any command is, and carries, as its correlation id, an
id derived from the row's cells: a re-import finds it and records nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, Generic, TypeVar
from uuid import UUID

import attrs

from b2bcore import (
    AssetView,
    B2BCore,
    LossReason,
    Money,
    ObsoleteReason,
    OpportunityView,
    ReviewArea,
    SalesStage,
    UsagePattern,
    deterministic_id,
    installment_plan,
)
from b2bcore.application import commands as c
from b2bcore.application.core import project
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.asset import Asset
from b2bcore.domain.errors import quoted
from b2bcore.domain.opportunity import Opportunity
from b2bcore_adapters.importers.csv_records import BY, Recorded
from b2bcore_adapters.importers.rows import (
    Column,
    Row,
    amount,
    currency,
    defaulting,
    free_text,
    iso_date,
    items,
    member,
    money,
    needed,
    one_of,
    optional,
    text,
    whole_number,
)
from b2bcore_adapters.importers.run import Commands, Entry, ImportRun

V = TypeVar("V")

#: How a row's event becomes its command: from the row, the aggregate's id
#: and a view of the aggregate now (read only by the events that need it).
Make = Callable[[Row, UUID, Callable[[], V]], c.Command[Any]]

ON = Column("on", iso_date)
NOTE = Column("note", free_text, required=False)
REASON = Column("reason", optional(text), required=False)
VALUE = Column("value", optional(amount), required=False)
CURRENCY = Column("currency", optional(currency), required=False)
NUMBER = Column("number", optional(whole_number), required=False)


@attrs.frozen
class EventFormat(Generic[V]):
    """One row per event of a ``kind`` aggregate (named by its ``key``
    column), seen as ``view`` shows it."""

    kind: type[DomainAggregate]
    view: Callable[[B2BCore, UUID], V]
    key: Column[str]
    commands: Mapping[str, Make[V]]
    fields: tuple[Column[Any], ...]
    #: The CSV column of a domain field whose name differs.
    renamed: Mapping[str, str] = attrs.field(factory=dict)
    #: Events whose ``reason`` column is the reason they happened (required
    #: by the domain, their command's own ``reason``), not a note on the
    #: import.
    reasoned: frozenset[str] = frozenset()
    event: Column[str] = attrs.field(init=False)

    @event.default
    def _event(self) -> Column[str]:
        return Column("event", one_of({name: name for name in self.commands}))

    @property
    def columns(self) -> tuple[Column[Any], ...]:
        return (self.key, self.event, ON, *self.fields, NOTE, REASON)

    @property
    def field_columns(self) -> dict[str, str]:
        return {c.name: c.name for c in self.columns} | {
            "status": "event",
            **self.renamed,
        }


def _money(row: Row, column: Column[Any], default: Money) -> Money:
    """The amount in ``column`` in the row's currency (else ``default``'s)."""
    value = row[column]
    code = row[CURRENCY] or default.currency
    return default if value is None else money(value, code, column.name)


# -- asset-events.csv ---------------------------------------------------------

USAGE_END_ON = Column("usage_end_on", optional(iso_date), required=False)
INSTALLMENTS = Column("installments", optional(whole_number), required=False)
EVERY_MONTHS = Column("every_months", defaulting(whole_number, 1), required=False)
PRODUCT = Column("product", optional(text), required=False)
OBSOLETE_REASON = Column(
    "reason_code",
    optional(member(ObsoleteReason, leaving_out=[ObsoleteReason.REPLACED])),
    required=False,
)
DUE_ON = Column("due_on", optional(iso_date), required=False)
SCORE = Column("score", optional(whole_number), required=False)
PERIOD = Column("period", optional(iso_date), required=False)
COUNT = Column("count", optional(whole_number), required=False)
DISTANCE_KM = Column("distance_km", optional(whole_number), required=False)
REGION = Column("region", optional(text), required=False)
PATTERN = Column("pattern", optional(member(UsagePattern)), required=False)
COMPETITOR = Column("competitor", optional(text), required=False)
AMOUNT = Column("amount", optional(amount), required=False)


def _installed(
    row: Row, asset_id: UUID, now: Callable[[], AssetView]
) -> c.InstallAsset:
    return c.InstallAsset(asset_id, usage_end_on=row[USAGE_END_ON])


def _renewed(row: Row, asset_id: UUID, now: Callable[[], AssetView]) -> c.RenewAsset:
    asset = now()
    value = _money(row, VALUE, asset.value)
    count = row[INSTALLMENTS] or 0
    planned = len(asset.installments)
    plan = installment_plan(value, count, row[ON], row[EVERY_MONTHS]) if count else ()
    return c.RenewAsset(
        asset_id,
        usage_end_on=needed(row, USAGE_END_ON, "renewed"),
        value=value,
        installments=[attrs.evolve(i, number=i.number + planned) for i in plan],
    )


def _upgraded(row: Row, asset_id: UUID, now: Callable[[], AssetView]) -> c.UpgradeAsset:
    needed(row, VALUE, "upgraded")
    return c.UpgradeAsset(
        asset_id,
        product=needed(row, PRODUCT, "upgraded"),
        value=_money(row, VALUE, now().value),
    )


def _obsolete(
    row: Row, asset_id: UUID, now: Callable[[], AssetView]
) -> c.MakeAssetObsolete:
    return c.MakeAssetObsolete(
        asset_id,
        reason_code=needed(row, OBSOLETE_REASON, "obsolete"),
        note=row[NOTE],
    )


def _inspection_scheduled(
    row: Row, asset_id: UUID, now: Callable[[], AssetView]
) -> c.ScheduleInspection:
    return c.ScheduleInspection(
        asset_id, due_on=needed(row, DUE_ON, "inspection-scheduled")
    )


def _inspection_completed(
    row: Row, asset_id: UUID, now: Callable[[], AssetView]
) -> c.CompleteInspection:
    return c.CompleteInspection(
        asset_id,
        number=needed(row, NUMBER, "inspection-completed"),
        findings=row[NOTE],
    )


def _satisfaction(
    row: Row, asset_id: UUID, now: Callable[[], AssetView]
) -> c.RecordSatisfaction:
    return c.RecordSatisfaction(
        asset_id, score=needed(row, SCORE, "satisfaction"), comment=row[NOTE]
    )


def _usage(row: Row, asset_id: UUID, now: Callable[[], AssetView]) -> c.RecordUsage:
    return c.RecordUsage(
        asset_id,
        period=needed(row, PERIOD, "usage"),
        count=needed(row, COUNT, "usage"),
        distance_km=needed(row, DISTANCE_KM, "usage"),
        region=needed(row, REGION, "usage"),
        pattern=needed(row, PATTERN, "usage"),
    )


def _competitor_contact(
    row: Row, asset_id: UUID, now: Callable[[], AssetView]
) -> c.ReportCompetitorContact:
    return c.ReportCompetitorContact(
        asset_id,
        competitor=needed(row, COMPETITOR, "competitor-contact"),
        note=row[NOTE],
    )


def _installment_paid(
    row: Row, asset_id: UUID, now: Callable[[], AssetView]
) -> c.PayInstallment:
    needed(row, AMOUNT, "installment-paid")
    return c.PayInstallment(
        asset_id,
        number=needed(row, NUMBER, "installment-paid"),
        amount=_money(row, AMOUNT, now().value),
    )


def _asset_events(core: B2BCore) -> EventFormat[AssetView]:
    replaced = Column(
        "successor", optional(Recorded(core, "asset", "assets.csv")), required=False
    )

    def _replaced(
        row: Row, asset_id: UUID, now: Callable[[], AssetView]
    ) -> c.ReplaceAsset:
        return c.ReplaceAsset(
            asset_id, successor_id=needed(row, replaced, "replaced"), note=row[NOTE]
        )

    return EventFormat(
        kind=Asset,
        view=B2BCore.asset,
        key=Column("asset", text),
        commands={
            "installed": _installed,
            "renewed": _renewed,
            "upgraded": _upgraded,
            "replaced": _replaced,
            "obsolete": _obsolete,
            "inspection-scheduled": _inspection_scheduled,
            "inspection-completed": _inspection_completed,
            "satisfaction": _satisfaction,
            "usage": _usage,
            "competitor-contact": _competitor_contact,
            "installment-paid": _installment_paid,
        },
        fields=(
            USAGE_END_ON,
            VALUE,
            CURRENCY,
            INSTALLMENTS,
            EVERY_MONTHS,
            PRODUCT,
            replaced,
            OBSOLETE_REASON,
            DUE_ON,
            NUMBER,
            SCORE,
            PERIOD,
            COUNT,
            DISTANCE_KM,
            REGION,
            PATTERN,
            COMPETITOR,
            AMOUNT,
        ),
        renamed={
            "successor_id": replaced.name,
            "findings": NOTE.name,
            "comment": NOTE.name,
            "installments.amount": INSTALLMENTS.name,
        },
    )


# -- opportunity-events.csv ---------------------------------------------------

TIER = Column(
    "tier", optional(one_of({str(t): t for t in (4, 3, 2, 1)})), required=False
)
STAGE = Column(
    "stage",
    optional(member(SalesStage, leaving_out=[SalesStage.CLOSE_AND_REVIEW])),
    required=False,
)
GATE = Column("gate", optional(whole_number), required=False)
LOSS_REASON = Column(
    "reason_code",
    defaulting(member(LossReason), LossReason.UNKNOWN),
    required=False,
)
ROOT_CAUSES = Column("root_causes", items, required=False)
LESSONS = Column("lessons", items, required=False)


def findings(cell: str) -> tuple[tuple[ReviewArea, str], ...]:
    """VRB findings written "area: description; area: description"."""
    area = member(ReviewArea)
    found = []
    for item in items(cell):
        name, colon, description = item.partition(":")
        if not colon or not description.strip():
            raise ValueError(f"{quoted(item)} is not 'area: description'")
        found.append((area(name), description.strip()))
    return tuple(found)


FINDINGS = Column("findings", findings, required=False)


def _tier_changed(
    row: Row, deal_id: UUID, now: Callable[[], OpportunityView]
) -> c.ChangeTier:
    return c.ChangeTier(
        deal_id, tier=needed(row, TIER, "tier-changed"), stage=row[STAGE]
    )


def _gate_reviewed(
    row: Row, deal_id: UUID, now: Callable[[], OpportunityView]
) -> c.ReviewGate:
    return c.ReviewGate(
        deal_id, gate=needed(row, GATE, "gate-reviewed"), findings=row[FINDINGS]
    )


def _finding_resolved(
    row: Row, deal_id: UUID, now: Callable[[], OpportunityView]
) -> c.ResolveFinding:
    return c.ResolveFinding(
        deal_id,
        number=needed(row, NUMBER, "finding-resolved"),
        resolution=row[NOTE],
    )


def _gate_passed(
    row: Row, deal_id: UUID, now: Callable[[], OpportunityView]
) -> c.PassGate:
    return c.PassGate(deal_id, gate=needed(row, GATE, "gate-passed"))


def _gate_failed(
    row: Row, deal_id: UUID, now: Callable[[], OpportunityView]
) -> c.FailGate:
    # No reason given is refused by the rule, naming the reason column.
    return c.FailGate(
        deal_id, gate=needed(row, GATE, "gate-failed"), reason=row[REASON] or ""
    )


def _won(
    row: Row, deal_id: UUID, now: Callable[[], OpportunityView]
) -> c.WinOpportunity:
    return c.WinOpportunity(deal_id, value=_money(row, VALUE, now().amount))


def _lost(
    row: Row, deal_id: UUID, now: Callable[[], OpportunityView]
) -> c.LoseOpportunity:
    return c.LoseOpportunity(
        deal_id, reason_code=row[LOSS_REASON], competitor=row[COMPETITOR]
    )


def _dropped(
    row: Row, deal_id: UUID, now: Callable[[], OpportunityView]
) -> c.DropOpportunity:
    return c.DropOpportunity(deal_id, reason=row[REASON] or "")


def _postmortem(
    row: Row, deal_id: UUID, now: Callable[[], OpportunityView]
) -> c.RecordPostmortem:
    return c.RecordPostmortem(
        deal_id,
        summary=row[NOTE],
        root_causes=row[ROOT_CAUSES],
        lessons=row[LESSONS],
    )


OPPORTUNITY_EVENTS = EventFormat(
    kind=Opportunity,
    view=B2BCore.opportunity,
    key=Column("opportunity", text),
    commands={
        "tier-changed": _tier_changed,
        "gate-reviewed": _gate_reviewed,
        "finding-resolved": _finding_resolved,
        "gate-passed": _gate_passed,
        "gate-failed": _gate_failed,
        "won": _won,
        "lost": _lost,
        "dropped": _dropped,
        "postmortem": _postmortem,
    },
    fields=(
        TIER,
        STAGE,
        GATE,
        FINDINGS,
        NUMBER,
        VALUE,
        CURRENCY,
        LOSS_REASON,
        COMPETITOR,
        ROOT_CAUSES,
        LESSONS,
    ),
    reasoned=frozenset({"gate-failed", "dropped"}),
    renamed={
        "resolution": NOTE.name,
        "postmortem.summary": NOTE.name,
        "postmortem": "event",
        "findings.area": FINDINGS.name,
        "findings.description": FINDINGS.name,
    },
)


def event_format(kind: str, core: B2BCore) -> EventFormat[Any]:
    """The format of ``kind`` (asset-events, opportunity-events)."""
    return _asset_events(core) if kind == "asset-events" else OPPORTUNITY_EVENTS


# -- the import ---------------------------------------------------------------


def import_events(run: ImportRun, rows: Sequence[Row], form: EventFormat[V]) -> None:
    """Record each row's event by its command, in file order, each row on
    its own: a rule one breaks rejects that row only."""
    by_key: dict[str, list[Row]] = {}
    for row in rows:
        by_key.setdefault(row[form.key], []).append(row)
    entries = []
    for key, group in by_key.items():
        entries += _entries(run, form, key, group)
    run.record(entries, new=False)


@attrs.define
class History:
    """What the log holds of the aggregate ``id`` (``run.Read``): the
    aggregate, if one of ``kind``, and its events' correlation ids (a row's
    event id among them was imported before)."""

    core: B2BCore
    kind: type[DomainAggregate]
    id: UUID
    aggregate: DomainAggregate | None = None
    seen: set[UUID] = attrs.field(factory=set)

    @property
    def aggregates(self) -> list[DomainAggregate]:
        return [] if self.aggregate is None else [self.aggregate]

    def load(self) -> None:
        events = list(self.core.event_log.events.get(self.id))
        aggregate = project(None, events)
        self.aggregate = aggregate if isinstance(aggregate, self.kind) else None
        self.seen = {
            e.correlation_id
            for e in events
            if isinstance(e, DomainAggregate.Event) and e.correlation_id
        }


def _entries(
    run: ImportRun, form: EventFormat[V], key: str, rows: Sequence[Row]
) -> list[Entry]:
    """An entry per row of the ``key`` aggregate whose event is not in the
    log yet."""
    history = History(run.core, form.kind, deterministic_id(form.kind.KIND, key))
    history.load()
    if history.aggregate is None:
        for row in rows:
            run.reject(
                row, form.key.name, f"{form.kind.KIND} {quoted(key)} is not recorded"
            )
        return []
    done: dict[UUID, int] = {}
    entries = []
    columns = form.field_columns
    for row in rows:
        event_id = _event_id(form, row)
        if event_id in history.seen:
            run.already_present(row)
        elif event_id in done:
            run.reject(row, "", f"duplicate of line {done[event_id]}")
        else:
            done[event_id] = row.line
            command = partial(_command, run.core, form, history, row, event_id)
            entries.append(Entry((row,), command, columns, read=history))
    return entries


def _event_id(form: EventFormat[Any], row: Row) -> UUID:
    """The same cells always give the same id."""
    cells = sorted((name, cell.strip()) for name, cell in row.cells.items())
    written = "\x1f".join(f"{name}={cell}" for name, cell in cells if cell)
    return deterministic_id(f"{form.kind.KIND}-event", written)


def _command(
    core: B2BCore, form: EventFormat[V], history: History, row: Row, event_id: UUID
) -> Commands:
    """The row's command, its correlation id the row's event id; none when
    the log has that event already (recorded meanwhile by another writer)."""
    if event_id in history.seen:
        return {}
    event = row[form.event]
    made = form.commands[event](row, history.id, partial(form.view, core, history.id))
    reason = made.reason if event in form.reasoned else row[REASON] or BY["reason"]
    command = attrs.evolve(
        made, on=row[ON], actor=BY["actor"], reason=reason, correlation_id=event_id
    )
    return {history.id: (command,)}
