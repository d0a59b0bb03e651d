"""The renewal queue: installed assets whose usage ends within the renewal
windows (30/60/90 days by default) of a date, or has passed with no renewal
and no obsolete record (overdue, then lapsed), with their risk flags and the
renewal deal open on the date, if any."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from types import MappingProxyType
from typing import Final, Literal, Protocol, TypeAlias
from uuid import UUID

import attrs

from b2bcore.application.settings import Settings
from b2bcore.domain.money import Money
from b2bcore.domain.values import Grade, TierMove
from b2bcore.reports import asof
from b2bcore.reports.health import Complaints, Health, health
from b2bcore.reports.records import AccountRecord, AssetRecord, FeedbackRecord


class Risk(Enum):
    LOW_SATISFACTION = "low_satisfaction"
    USAGE_DROP = "usage_drop"
    COMPETITOR_CONTACT = "competitor_contact"
    LATE_PAYMENT = "late_payment"
    OVERDUE_INSTALLMENT = "overdue_installment"


#: The bucket of an asset whose usage end has passed, within the lapse grace.
OVERDUE: Final = "overdue"
#: The bucket of an asset past the grace: the KPIs count it as lapsed.
LAPSED: Final = "lapsed"

#: A renewal window (30, 60, 90), OVERDUE, LAPSED, or None beyond the last
#: window.
Bucket: TypeAlias = int | Literal["overdue", "lapsed"] | None


@attrs.frozen
class LinkedDeal:
    """The renewal deal open on the report date: its id and tier then."""

    id: UUID
    tier: int


class RenewalDealRecord(Protocol):
    """What the queue reads of a deal to link it to the asset it renews."""

    @property
    def id(self) -> UUID: ...
    @property
    def renews_asset_id(self) -> UUID | None: ...
    @property
    def opened_on(self) -> date: ...
    @property
    def closed_on(self) -> date | None: ...
    @property
    def tier_history(self) -> tuple[TierMove, ...]: ...


def linked_on(deals: Iterable[RenewalDealRecord], day: date) -> dict[UUID, LinkedDeal]:
    """The renewal deals open on ``day`` (opened by then, closed after it),
    by the asset each renews, with its tier on ``day``."""
    return {
        deal.renews_asset_id: LinkedDeal(
            deal.id, [m.tier for m in deal.tier_history if m.moved_on <= day][-1]
        )
        for deal in deals
        if deal.renews_asset_id is not None
        and deal.opened_on <= day
        and (deal.closed_on is None or deal.closed_on > day)
    }


NO_DEALS: Mapping[UUID, LinkedDeal] = MappingProxyType({})


@attrs.frozen
class RenewalItem:
    asset_id: UUID
    account_id: UUID
    account: str
    grade: Grade
    product: str
    owner: str
    usage_end_on: date
    #: Negative once the usage end has passed.
    days_left: int
    #: The smallest renewal window the usage end falls within (30, 60, 90);
    #: None beyond the last one; OVERDUE or LAPSED once it has passed.
    bucket: Bucket
    value: Money
    risks: frozenset[Risk]
    #: The health score, renewal likelihood and their inputs on the report
    #: date (``b2bcore.reports.health``).
    health: Health
    #: The renewal deal open on the report date and its tier then (None
    #: when it has none).
    deal_id: UUID | None = None
    deal_tier: int | None = None


def risks(asset: AssetRecord, day: date, settings: Settings) -> frozenset[Risk]:
    """The renewal risks of ``asset`` as known on ``day``."""
    found: set[Risk] = set()
    scores = [s for s in asset.satisfaction if s.recorded_on <= day]
    if scores and scores[-1].score < settings.satisfaction_threshold:
        found.add(Risk.LOW_SATISFACTION)
    change = latest_usage_change(asset, day)
    if change is not None and change <= -settings.usage_anomaly:
        found.add(Risk.USAGE_DROP)
    horizon = day - timedelta(days=settings.competitor_risk_days)
    if any(horizon < c.reported_on <= day for c in asset.competitor_contacts):
        found.add(Risk.COMPETITOR_CONTACT)
    if any(p.late and p.paid_on <= day for p in asset.payments):
        found.add(Risk.LATE_PAYMENT)
    paid_by_then = {p.number for p in asset.payments if p.paid_on <= day}
    if any(i.due_on < day and i.number not in paid_by_then for i in asset.installments):
        found.add(Risk.OVERDUE_INSTALLMENT)
    return frozenset(found)


def latest_usage_change(asset: AssetRecord, day: date) -> Decimal | None:
    """The month-over-month change of the last usage month recorded by
    ``day`` against the month before it, as a share (−0.4 = a 40 % drop);
    None without two consecutive months or when the earlier one is zero."""
    months = sorted(
        (u for u in asset.usage if u.recorded_on <= day), key=lambda u: u.period
    )
    if len(months) < 2:
        return None
    previous, last = months[-2], months[-1]
    if previous.count == 0 or _months_apart(previous.period, last.period) != 1:
        return None
    return (Decimal(last.count) - previous.count) / previous.count


def renewal_queue(
    assets: Iterable[AssetRecord],
    accounts: Mapping[UUID, AccountRecord],
    *,
    as_of: date,
    within: int,
    settings: Settings,
    owner: str | None = None,
    grade: Grade | None = None,
    deals: Mapping[UUID, LinkedDeal] = NO_DEALS,
    feedback: Iterable[FeedbackRecord] = (),
) -> tuple[RenewalItem, ...]:
    """Assets installed on ``as_of`` whose usage end falls within ``within``
    days (days left ≤ within), sorted by usage end: those whose usage end has
    passed stay, overdue then lapsed, until a renewal or an obsolete record;
    open-ended assets never appear. Each shows its renewal deal of
    ``deals`` (by asset: ``linked_on``) and its health, the complaints of
    ``feedback`` open on ``as_of`` counted."""
    complaints = Complaints(feedback)
    items = []
    for asset in assets:
        if not asof.is_active(asset, as_of):
            continue
        end = asof.usage_end(asset, as_of)
        if end is None:
            continue
        days_left = (end - as_of).days
        if days_left > within:
            continue
        account = accounts[asset.account_id]
        if (owner is not None and asset.owner != owner) or (
            grade is not None and account.grade is not grade
        ):
            continue
        items.append(
            RenewalItem(
                asset_id=asset.id,
                account_id=account.id,
                account=account.name,
                grade=account.grade,
                product=asset.product,
                owner=asset.owner,
                usage_end_on=end,
                days_left=days_left,
                bucket=bucket(days_left, settings),
                value=asof.contract_value(asset, as_of),
                risks=risks(asset, as_of, settings),
                health=health(asset, as_of, settings, complaints.about(asset)),
                deal_id=None if (deal := deals.get(asset.id)) is None else deal.id,
                deal_tier=None if deal is None else deal.tier,
            )
        )
    return tuple(
        sorted(items, key=lambda item: (item.usage_end_on, str(item.asset_id)))
    )


def bucket(days_left: int, settings: Settings) -> Bucket:
    """The smallest renewal window holding ``days_left`` (None beyond the
    last); OVERDUE once past, LAPSED once past by more than the grace."""
    if days_left < -settings.lapse_grace_days:
        return LAPSED
    if days_left < 0:
        return OVERDUE
    return next((w for w in settings.renewal_windows if days_left <= w), None)


def _months_apart(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month
