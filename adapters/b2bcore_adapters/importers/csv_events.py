"""b2bcore's own CSV formats with one row per event of a recorded asset or
opportunity (docs/csv-formats.md): the aggregate's key, the event's name,
its business date ``on`` and the event's fields.

Each row's event carries, as its correlation id, an id derived from the
row's cells: a re-import finds it and records nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, Generic, TypeVar
from uuid import UUID

import attrs

from b2bcore import (
    B2BCore,
    LossReason,
    Money,
    NotFoundError,
    ObsoleteReason,
    ReviewArea,
    SalesStage,
    UsagePattern,
    deterministic_id,
    installment_plan,
)
from b2bcore.application.core import project
from b2bcore.domain.aggregate import DomainAggregate, Provenance
from b2bcore.domain.asset import Asset
from b2bcore.domain.errors import quoted
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.values import Postmortem
from b2bcore_adapters.importers.csv_records import ACTOR, META, Recorded
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
from b2bcore_adapters.importers.run import Entry, ImportRun

A = TypeVar("A", bound=DomainAggregate)

#: How a row's event is applied to its aggregate.
Command = Callable[[A, Row, Provenance], None]

ON = Column("on", iso_date)
NOTE = Column("note", free_text, required=False)
REASON = Column("reason", optional(text), required=False)
VALUE = Column("value", optional(amount), required=False)
CURRENCY = Column("currency", optional(currency), required=False)
NUMBER = Column("number", optional(whole_number), required=False)


@attrs.frozen
class EventFormat(Generic[A]):
    """One row per event of a ``kind`` aggregate (named by its ``key``
    column)."""

    kind: type[A]
    key: Column[str]
    commands: Mapping[str, Command[A]]
    fields: tuple[Column[Any], ...]
    #: The CSV column of a domain field whose name differs.
    renamed: Mapping[str, str] = attrs.field(factory=dict)
    #: Events whose ``reason`` column is the reason they happened (required
    #: by the domain), not a note on the import.
    reasoned: frozenset[str] = frozenset()

    @property
    def event(self) -> Column[str]:
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


def _installed(asset: Asset, row: Row, meta: Provenance) -> None:
    asset.install(on=row[ON], usage_end_on=row[USAGE_END_ON], meta=meta)


def _renewed(asset: Asset, row: Row, meta: Provenance) -> None:
    value = _money(row, VALUE, asset.value)
    count = row[INSTALLMENTS] or 0
    planned = len(asset.installments)
    plan = installment_plan(value, count, row[ON], row[EVERY_MONTHS]) if count else ()
    asset.renew(
        on=row[ON],
        usage_end_on=needed(row, USAGE_END_ON, "renewed"),
        value=value,
        installments=[attrs.evolve(i, number=i.number + planned) for i in plan],
        meta=meta,
    )


def _upgraded(asset: Asset, row: Row, meta: Provenance) -> None:
    needed(row, VALUE, "upgraded")
    asset.upgrade(
        on=row[ON],
        product=needed(row, PRODUCT, "upgraded"),
        value=_money(row, VALUE, asset.value),
        meta=meta,
    )


def _obsolete(asset: Asset, row: Row, meta: Provenance) -> None:
    asset.make_obsolete(
        on=row[ON],
        reason_code=needed(row, OBSOLETE_REASON, "obsolete"),
        note=row[NOTE],
        meta=meta,
    )


def _inspection_scheduled(asset: Asset, row: Row, meta: Provenance) -> None:
    asset.schedule_inspection(
        on=row[ON], due_on=needed(row, DUE_ON, "inspection-scheduled"), meta=meta
    )


def _inspection_completed(asset: Asset, row: Row, meta: Provenance) -> None:
    asset.complete_inspection(
        on=row[ON],
        number=needed(row, NUMBER, "inspection-completed"),
        findings=row[NOTE],
        meta=meta,
    )


def _satisfaction(asset: Asset, row: Row, meta: Provenance) -> None:
    asset.record_satisfaction(
        on=row[ON],
        score=needed(row, SCORE, "satisfaction"),
        comment=row[NOTE],
        meta=meta,
    )


def _usage(asset: Asset, row: Row, meta: Provenance) -> None:
    asset.record_usage(
        on=row[ON],
        period=needed(row, PERIOD, "usage"),
        count=needed(row, COUNT, "usage"),
        distance_km=needed(row, DISTANCE_KM, "usage"),
        region=needed(row, REGION, "usage"),
        pattern=needed(row, PATTERN, "usage"),
        meta=meta,
    )


def _competitor_contact(asset: Asset, row: Row, meta: Provenance) -> None:
    asset.report_competitor_contact(
        on=row[ON],
        competitor=needed(row, COMPETITOR, "competitor-contact"),
        note=row[NOTE],
        meta=meta,
    )


def _installment_paid(asset: Asset, row: Row, meta: Provenance) -> None:
    needed(row, AMOUNT, "installment-paid")
    asset.pay_installment(
        on=row[ON],
        number=needed(row, NUMBER, "installment-paid"),
        amount=_money(row, AMOUNT, asset.value),
        meta=meta,
    )


def _asset_events(core: B2BCore) -> EventFormat[Asset]:
    replaced = Column(
        "successor", optional(Recorded(core, "asset", "assets.csv")), required=False
    )

    def _replaced(asset: Asset, row: Row, meta: Provenance) -> None:
        asset.replace(
            on=row[ON],
            successor_id=needed(row, replaced, "replaced"),
            note=row[NOTE],
            meta=meta,
        )

    return EventFormat(
        kind=Asset,
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


def _tier_changed(deal: Opportunity, row: Row, meta: Provenance) -> None:
    deal.change_tier(
        on=row[ON],
        tier=needed(row, TIER, "tier-changed"),
        stage=row[STAGE],
        meta=meta,
    )


def _gate_reviewed(deal: Opportunity, row: Row, meta: Provenance) -> None:
    deal.review_gate(
        on=row[ON],
        gate=needed(row, GATE, "gate-reviewed"),
        findings=row[FINDINGS],
        meta=meta,
    )


def _finding_resolved(deal: Opportunity, row: Row, meta: Provenance) -> None:
    deal.resolve_finding(
        on=row[ON],
        number=needed(row, NUMBER, "finding-resolved"),
        resolution=row[NOTE],
        meta=meta,
    )


def _gate_passed(deal: Opportunity, row: Row, meta: Provenance) -> None:
    deal.pass_gate(on=row[ON], gate=needed(row, GATE, "gate-passed"), meta=meta)


def _gate_failed(deal: Opportunity, row: Row, meta: Provenance) -> None:
    deal.fail_gate(on=row[ON], gate=needed(row, GATE, "gate-failed"), meta=meta)


def _won(deal: Opportunity, row: Row, meta: Provenance) -> None:
    deal.win(on=row[ON], value=_money(row, VALUE, deal.amount), meta=meta)


def _lost(deal: Opportunity, row: Row, meta: Provenance) -> None:
    deal.lose(
        on=row[ON],
        reason_code=row[LOSS_REASON],
        competitor=row[COMPETITOR],
        meta=meta,
    )


def _dropped(deal: Opportunity, row: Row, meta: Provenance) -> None:
    deal.drop(on=row[ON], meta=meta)


def _postmortem(deal: Opportunity, row: Row, meta: Provenance) -> None:
    deal.record_postmortem(
        on=row[ON],
        postmortem=Postmortem(row[NOTE], row[ROOT_CAUSES], row[LESSONS]),
        meta=meta,
    )


OPPORTUNITY_EVENTS = EventFormat(
    kind=Opportunity,
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


def import_events(run: ImportRun, rows: Sequence[Row], form: EventFormat[A]) -> None:
    """Apply each row's event to its aggregate, in file order, and record
    each aggregate's new events in one save."""
    by_key: dict[str, list[Row]] = {}
    for row in rows:
        by_key.setdefault(row[form.key], []).append(row)
    entries = []
    for key, group in by_key.items():
        entry = _entry(run, form, key, group)
        if entry is not None:
            entries.append(entry)
    run.record(entries, new=False)


def _entry(
    run: ImportRun, form: EventFormat[A], key: str, rows: Sequence[Row]
) -> Entry | None:
    history = _history(run.core, form, key)
    if history is None:
        for row in rows:
            run.reject(
                row, form.key.name, f"{form.kind.KIND} {quoted(key)} is not recorded"
            )
        return None
    aggregate, seen = history
    done: dict[UUID, int] = {}
    accepted = []
    for row in rows:
        event_id = _event_id(form, row)
        if event_id in seen:
            run.already_present(row)
        elif event_id in done:
            run.reject(row, "", f"duplicate of line {done[event_id]}")
        elif run.attempt(
            [row], partial(_apply, form, aggregate, row, event_id), form.field_columns
        ):
            done[event_id] = row.line
            accepted.append(row)
    if not accepted:
        return None
    return Entry(
        tuple(accepted),
        (aggregate,),
        partial(_rebuilt, run.core, form, key, tuple(accepted)),
    )


def _history(
    core: B2BCore, form: EventFormat[A], key: str
) -> tuple[A, set[UUID]] | None:
    """The ``key`` aggregate now, and its events' correlation ids."""
    events = list(core.event_log.events.get(deterministic_id(form.kind.KIND, key)))
    aggregate = project(None, events)
    if not isinstance(aggregate, form.kind):
        return None
    return aggregate, {
        e.correlation_id
        for e in events
        if isinstance(e, DomainAggregate.Event) and e.correlation_id
    }


def _event_id(form: EventFormat[Any], row: Row) -> UUID:
    """The same cells always give the same id."""
    cells = sorted((name, cell.strip()) for name, cell in row.cells.items())
    written = "\x1f".join(f"{name}={cell}" for name, cell in cells if cell)
    return deterministic_id(f"{form.kind.KIND}-event", written)


def _apply(form: EventFormat[A], aggregate: A, row: Row, event_id: UUID) -> bool:
    event = row[form.event]
    reason = row[REASON]
    if event not in form.reasoned:
        reason = reason or META.reason
    meta = Provenance(actor=ACTOR, reason=reason, correlation_id=event_id)
    form.commands[event](aggregate, row, meta)
    return True


def _rebuilt(
    core: B2BCore, form: EventFormat[A], key: str, rows: Sequence[Row]
) -> tuple[DomainAggregate, ...]:
    """The aggregate reloaded with ``rows``' events applied again."""
    history = _history(core, form, key)
    if history is None:
        raise NotFoundError(form.kind.KIND, deterministic_id(form.kind.KIND, key))
    aggregate, seen = history
    for row in rows:
        event_id = _event_id(form, row)
        if event_id not in seen:
            _apply(form, aggregate, row, event_id)
    return (aggregate,)
