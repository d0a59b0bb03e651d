"""Light records read back from the report tables: what a report needs of a
deal or an account, and nothing it does not (no personal data, no notes).
They satisfy ``b2bcore.reports.records``' protocols, so the pure report
functions run over them unchanged."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

import attrs

from b2bcore.domain.money import Money
from b2bcore.domain.values import (
    BusinessLine,
    CompetitorContact,
    ContactChannel,
    FeedbackCategory,
    FeedbackKind,
    Grade,
    Installment,
    LeadStatus,
    LossReason,
    MonthlyUsage,
    ObsoleteReason,
    Outcome,
    Payment,
    Renewal,
    SalesStage,
    SatisfactionScore,
    Severity,
    Temperature,
    TierMove,
    Upgrade,
    UsagePattern,
)
from b2bcore.domain.views import TierStint, stints_of
from b2bcore.reports.renewals import LinkedDeal


@attrs.frozen
class DealFacts:
    """A deal as it stood on the report date: its owner and amount those in
    force then, its tier moves those made by then."""

    id: UUID
    name: str
    account_id: UUID | None
    owner: str
    region: str
    business_line: BusinessLine
    country: str
    product: str
    amount: Money
    opened_on: date
    closed_on: date | None
    outcome: Outcome | None
    won_value: Money | None
    loss_reason: LossReason | None
    lost_to: str | None
    #: The expected close in force on the report date.
    expected_close_on: date
    #: The moves on or before the report date, the opening first.
    tier_history: tuple[TierMove, ...]

    def stints(self) -> tuple[TierStint, ...]:
        return stints_of(self.tier_history)


@functools.lru_cache(maxsize=65_536)
def _date(text: str) -> date:
    """An ISO date from a report table (cached: a book repeats its dates)."""
    return date.fromisoformat(text)


def _day(text: str | None) -> date | None:
    return None if text is None else _date(text)


E = TypeVar("E", bound=Enum)


@functools.lru_cache(maxsize=65_536)
def _uuid(text: str) -> UUID:
    """An id another row names (cached: an account has many assets)."""
    return UUID(text)


@functools.lru_cache(maxsize=1_024)
def _member(kind: type[E], value: str) -> E:
    """The member of ``kind`` with ``value`` (cached: calling an Enum is slow)."""
    return kind(value)


def deal_records(
    deals: Iterable[Sequence[Any]], moves: Iterable[Sequence[Any]]
) -> list[DealFacts]:
    """Deals from rows of ``ReportQueries.deal_rows`` and their tier moves
    from ``ReportQueries.tier_move_rows``."""
    history: dict[str, list[tuple[int, Any]]] = {}
    for key, seq, from_tier, tier, stage, moved_on in moves:
        history.setdefault(key, []).append(
            (
                seq,
                TierMove(
                    moved_on=_date(moved_on),
                    from_tier=from_tier,
                    tier=tier,
                    stage=_member(SalesStage, stage),
                ),
            )
        )
    found = []
    for (
        key,
        account_id,
        owner,
        region,
        business_line,
        country,
        product,
        opened_on,
        closed_on,
        outcome,
        currency,
        amount,
        won_currency,
        won_value,
        loss_reason,
        lost_to,
        name,
        expected_close_on,
    ) in deals:
        found.append(
            DealFacts(
                id=UUID(key),
                name=name,
                account_id=None if account_id is None else _uuid(account_id),
                owner=owner,
                region=region,
                business_line=_member(BusinessLine, business_line),
                country=country,
                product=product,
                amount=_money(currency, amount),
                opened_on=_date(opened_on),
                closed_on=_day(closed_on),
                outcome=None if outcome is None else _member(Outcome, outcome),
                won_value=None
                if won_value is None
                else _money(won_currency, won_value),
                loss_reason=None
                if loss_reason is None
                else _member(LossReason, loss_reason),
                lost_to=lost_to,
                expected_close_on=_date(expected_close_on),
                tier_history=tuple(
                    move for _, move in sorted(history.get(key, ()), key=_order)
                ),
            )
        )
    return found


@attrs.frozen
class AccountFacts:
    id: UUID
    name: str
    grade: Grade
    sector: str
    preferred_channel: ContactChannel
    registered_on: date


@attrs.frozen
class AssetFacts:
    """What the installed-base reports read of an asset."""

    id: UUID
    account_id: UUID
    owner: str
    product: str
    purchased_on: date
    installed_on: date | None
    usage_end_on: date | None
    obsolete_on: date | None
    obsolete_reason: ObsoleteReason | None
    value: Money
    installments: tuple[Installment, ...]
    payments: tuple[Payment, ...]
    renewals: tuple[Renewal, ...]
    upgrades: tuple[Upgrade, ...]
    satisfaction: tuple[SatisfactionScore, ...]
    usage: tuple[MonthlyUsage, ...]
    competitor_contacts: tuple[CompetitorContact, ...]


def account_records(rows: Iterable[Sequence[Any]]) -> dict[UUID, AccountFacts]:
    """Accounts by id, from rows of ``ReportQueries.account_rows``."""
    return {
        _uuid(key): AccountFacts(
            _uuid(key),
            name,
            _member(Grade, grade),
            sector,
            _member(ContactChannel, channel),
            _date(registered_on),
        )
        for key, name, grade, sector, channel, registered_on in rows
    }


@functools.lru_cache(maxsize=65_536)
def _money(currency: str, minor: int) -> Money:
    return Money.from_minor(minor, currency)


#: How each detail table's row (after its key) becomes a value, in
#: ``ASSET_DETAILS`` order; ``seq``/``number`` first orders them.
_DETAILS: tuple[Callable[..., Any], ...] = (
    lambda number, due, cur, amount: Installment(
        number, _date(due), _money(cur, amount)
    ),
    lambda number, cur, amount, paid, late: Payment(
        number, _money(cur, amount), _date(paid), bool(late)
    ),
    lambda _, on, previous_end, end, pcur, previous, cur, value: Renewal(
        _date(on),
        _date(previous_end),
        _date(end),
        _money(pcur, previous),
        _money(cur, value),
    ),
    lambda _, on, previous_product, product, pcur, previous, cur, value: Upgrade(
        _date(on),
        previous_product,
        product,
        _money(pcur, previous),
        _money(cur, value),
    ),
    lambda _, on, score, comment: SatisfactionScore(_date(on), score, comment),
    lambda _, period, count, km, region, pattern, on: MonthlyUsage(
        _date(period),
        count,
        km,
        region,
        _member(UsagePattern, pattern),
        _date(on),
    ),
    lambda _, on, competitor, note: CompetitorContact(_date(on), competitor, note),
)


def asset_records(
    assets: Iterable[Sequence[Any]], details: Sequence[Iterable[Sequence[Any]]]
) -> list[AssetFacts]:
    """Assets from rows of ``ReportQueries.asset_rows`` and, per table of
    ``ASSET_DETAILS``, their rows from ``ReportQueries.asset_detail_rows``."""
    found: list[dict[str, list[tuple[int, Any]]]] = [{} for _ in _DETAILS]
    for table, (rows, build) in enumerate(zip(details, _DETAILS, strict=True)):
        for key, order, *rest in rows:
            found[table].setdefault(key, []).append((order, build(order, *rest)))

    def listed(table: int, key: str) -> tuple[Any, ...]:
        pairs = found[table].get(key)
        if not pairs:
            return ()
        pairs.sort(key=_order)
        return tuple(v for _, v in pairs)

    return [
        AssetFacts(
            id=UUID(key),
            account_id=_uuid(account_id),
            owner=owner,
            product=product,
            purchased_on=_date(purchased_on),
            installed_on=_day(installed_on),
            usage_end_on=_day(usage_end_on),
            obsolete_on=_day(obsolete_on),
            obsolete_reason=None if reason is None else _member(ObsoleteReason, reason),
            value=_money(currency, value),
            installments=listed(0, key),
            payments=listed(1, key),
            renewals=listed(2, key),
            upgrades=listed(3, key),
            satisfaction=listed(4, key),
            usage=listed(5, key),
            competitor_contacts=listed(6, key),
        )
        for (
            key,
            account_id,
            owner,
            product,
            purchased_on,
            installed_on,
            usage_end_on,
            obsolete_on,
            reason,
            currency,
            value,
        ) in assets
    ]


def _order(pair: tuple[int, Any]) -> int:
    return pair[0]


@attrs.frozen
class LeadFacts:
    """What the lead reports read of a lead: its dates, status and
    temperature as they stand now, whether it has a contact and a need."""

    id: UUID
    company: str
    source: str
    temperature: Temperature
    has_contact: bool
    has_need: bool
    account_id: UUID | None
    status: LeadStatus
    captured_on: date
    qualified_on: date | None
    closed_on: date | None
    opportunity_id: UUID | None


def lead_records(rows: Iterable[Sequence[Any]]) -> list[LeadFacts]:
    """Leads from rows of ``ReportQueries.lead_rows``."""
    return [
        LeadFacts(
            id=UUID(key),
            company=company,
            source=source,
            temperature=_member(Temperature, temperature),
            has_contact=bool(has_contact),
            has_need=bool(has_need),
            account_id=None if account_id is None else _uuid(account_id),
            status=_member(LeadStatus, status),
            captured_on=_date(captured_on),
            qualified_on=_day(qualified_on),
            closed_on=_day(closed_on),
            opportunity_id=None if opportunity_id is None else _uuid(opportunity_id),
        )
        for (
            key,
            company,
            source,
            temperature,
            has_contact,
            has_need,
            account_id,
            status,
            captured_on,
            qualified_on,
            closed_on,
            opportunity_id,
        ) in rows
    ]


@attrs.frozen
class PostmortemFacts:
    """A deal's postmortem as the report tables hold it."""

    opportunity_id: UUID
    recorded_on: date
    summary: str
    root_causes: tuple[str, ...]
    lessons: tuple[str, ...]


def postmortem_records(rows: Iterable[Sequence[Any]]) -> dict[UUID, PostmortemFacts]:
    """Postmortems by deal id, from rows of ``ReportQueries.postmortem_rows``."""
    notes: dict[str, dict[str, list[tuple[int, Any]]]] = {}
    recorded: dict[str, str] = {}
    for key, recorded_on, kind, seq, note in rows:
        recorded[key] = recorded_on
        notes.setdefault(key, {}).setdefault(kind, []).append((seq, note))

    def listed(key: str, kind: str) -> tuple[str, ...]:
        return tuple(n for _, n in sorted(notes[key].get(kind, ()), key=_order))

    return {
        _uuid(key): PostmortemFacts(
            opportunity_id=_uuid(key),
            recorded_on=_date(recorded[key]),
            summary=listed(key, "summary")[0],
            root_causes=listed(key, "root_cause"),
            lessons=listed(key, "lesson"),
        )
        for key in sorted(notes)
    }


@attrs.frozen
class FeedbackFacts:
    """What the reports read of a survey, complaint or interview: no text."""

    id: UUID
    account_id: UUID
    asset_id: UUID | None
    kind: FeedbackKind
    channel: ContactChannel
    category: FeedbackCategory
    severity: Severity | None
    score: int | None
    recorded_on: date
    #: The day the complaint was resolved, even when after the report date.
    resolved_on: date | None
    needs: tuple[str, ...]


def feedback_records(
    rows: Iterable[Sequence[Any]], needs: Iterable[Sequence[Any]]
) -> list[FeedbackFacts]:
    """Feedback from rows of ``ReportQueries.feedback_rows`` and its needs
    from ``ReportQueries.feedback_need_rows``."""
    named: dict[str, list[tuple[int, str]]] = {}
    for key, seq, need in needs:
        named.setdefault(key, []).append((seq, need))
    return [
        FeedbackFacts(
            id=UUID(key),
            account_id=_uuid(account_id),
            asset_id=None if asset_id is None else _uuid(asset_id),
            kind=_member(FeedbackKind, kind),
            channel=_member(ContactChannel, channel),
            category=_member(FeedbackCategory, category),
            severity=None if severity is None else _member(Severity, severity),
            score=score,
            recorded_on=_date(recorded_on),
            resolved_on=_day(resolved_on),
            needs=tuple(n for _, n in sorted(named.get(key, ()), key=_order)),
        )
        for (
            key,
            account_id,
            asset_id,
            kind,
            channel,
            category,
            severity,
            score,
            recorded_on,
            resolved_on,
        ) in rows
    ]


def linked_deals(rows: Iterable[Sequence[Any]]) -> dict[UUID, LinkedDeal]:
    """The renewal deals open on the report date by the asset each renews,
    from rows of ``ReportQueries.renewal_deal_rows``."""
    return {_uuid(asset): LinkedDeal(UUID(key), tier) for key, asset, tier in rows}
