"""The health score and renewal likelihood of an asset on a business date:
points for its usage trend, satisfaction, open complaints, payment
compliance and competitor contact, their sum (0–100) and the likelihood
that rule gives (docs/kpis.md, "Health score and renewal likelihood").

It is a rule, not a model: every point follows from facts shown beside it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from enum import Enum
from types import MappingProxyType
from typing import Final
from uuid import UUID

import attrs

from b2bcore.application.settings import HealthScoring, Settings, points_of
from b2bcore.domain.money import Money
from b2bcore.domain.values import FeedbackKind, Severity
from b2bcore.reports import asof
from b2bcore.reports.records import AccountRecord, AssetRecord, FeedbackRecord

#: How many months each side of the usage trend covers: the latest three
#: months recorded against the three before them (the definition, not a
#: setting: the renewal risks' reading keeps twice as many months).
TREND_MONTHS: Final = 3


class Likelihood(Enum):
    """How likely a renewal is, by the health score (a rule, not a model)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@attrs.frozen
class HealthInputs:
    """The facts each input's points follow from, on the report date."""

    #: The latest usage month recorded by the date and the months of the
    #: trend: uses summed over the months recorded in the latest
    #: ``TREND_MONTHS`` calendar months up to it (``recent``) and in the
    #: ``TREND_MONTHS`` before them (``earlier``), and how many were recorded.
    latest_usage_month: date | None
    recent_months: int
    recent_uses: int
    earlier_months: int
    earlier_uses: int
    #: The latest satisfaction score recorded by the date (None: none).
    satisfaction: int | None
    #: Complaints about the asset or its account as a whole, recorded by
    #: the date and not resolved by then, per severity (every severity).
    open_complaints: Mapping[Severity, int]
    #: Installments paid after their due date, paid by the date, and
    #: installments due before the date still unpaid then.
    late_payments: int
    overdue: int
    #: Days from the latest competitor contact reported by the date to it
    #: (None: none).
    days_since_competitor_contact: int | None


@attrs.frozen
class HealthPoints:
    """The points each input gave; ``Health.score`` is their sum."""

    usage: int
    satisfaction: int
    complaints: int
    payments: int
    competitor: int

    @property
    def total(self) -> int:
        return points_of(self)


@attrs.frozen
class Health:
    """An asset's health on a date: the score (0–100), the likelihood it
    gives, the points of each input and the facts behind them."""

    score: int
    likelihood: Likelihood
    points: HealthPoints
    inputs: HealthInputs


@attrs.frozen
class AssetHealth:
    asset_id: UUID
    account_id: UUID
    account: str
    product: str
    owner: str
    value: Money
    #: None for an open-ended asset.
    usage_end_on: date | None
    health: Health


@attrs.frozen
class AccountHealth:
    """An account's health: the mean of its assets' scores, rounded down."""

    account_id: UUID
    account: str
    #: The assets the mean is over.
    assets: int
    score: int
    likelihood: Likelihood


@attrs.frozen
class HealthReport:
    as_of: date
    #: The assets active on ``as_of``, lowest score first, then id.
    assets: tuple[AssetHealth, ...]
    #: Their accounts, lowest score first, then name, then id.
    accounts: tuple[AccountHealth, ...]


def likelihood(score: int, scoring: HealthScoring) -> Likelihood:
    """The renewal likelihood of ``score``: never lower for a higher score."""
    if score >= scoring.high:
        return Likelihood.HIGH
    if score >= scoring.medium:
        return Likelihood.MEDIUM
    return Likelihood.LOW


class Complaints:
    """The complaints of some feedback, by what each is about: an asset, or
    an account as a whole."""

    def __init__(self, feedback: Iterable[FeedbackRecord]) -> None:
        self._assets: dict[UUID, list[FeedbackRecord]] = {}
        self._accounts: dict[UUID, list[FeedbackRecord]] = {}
        for item in feedback:
            if item.kind is not FeedbackKind.COMPLAINT:
                continue
            if item.asset_id is None:
                self._accounts.setdefault(item.account_id, []).append(item)
            else:
                self._assets.setdefault(item.asset_id, []).append(item)

    def about(self, asset: AssetRecord) -> list[FeedbackRecord]:
        """The complaints about ``asset`` or about its account as a whole."""
        return [
            *self._assets.get(asset.id, ()),
            *self._accounts.get(asset.account_id, ()),
        ]


def health(
    asset: AssetRecord,
    day: date,
    settings: Settings,
    complaints: Sequence[FeedbackRecord] = (),
) -> Health:
    """The health of ``asset`` on ``day``, given the ``complaints`` about it
    or its account (``Complaints.about``; those open on ``day`` count)."""
    scoring = settings.health
    inputs = _inputs(asset, day, complaints)
    points = HealthPoints(
        usage=_usage_points(inputs, scoring.usage),
        satisfaction=_neutral(scoring.satisfaction)
        if inputs.satisfaction is None
        else scoring.satisfaction * inputs.satisfaction // 10,
        complaints=max(
            0,
            scoring.complaints
            - sum(
                scoring.complaint_weights[severity] * n
                for severity, n in inputs.open_complaints.items()
            ),
        ),
        payments=max(
            0,
            scoring.payments
            - scoring.late_payment * inputs.late_payments
            - scoring.overdue_installment * inputs.overdue,
        ),
        competitor=scoring.competitor
        if inputs.days_since_competitor_contact is None
        else scoring.competitor
        * min(inputs.days_since_competitor_contact, settings.competitor_risk_days)
        // settings.competitor_risk_days,
    )
    return Health(
        score=points.total,
        likelihood=likelihood(points.total, scoring),
        points=points,
        inputs=inputs,
    )


def _inputs(
    asset: AssetRecord, day: date, complaints: Sequence[FeedbackRecord]
) -> HealthInputs:
    months = {u.period: u.count for u in asset.usage if u.recorded_on <= day}
    latest = max(months, default=None)
    recent: list[int] = []
    earlier: list[int] = []
    if latest is not None:
        for period, count in months.items():
            back = _month(latest) - _month(period)
            if back < TREND_MONTHS:
                recent.append(count)
            elif back < 2 * TREND_MONTHS:
                earlier.append(count)
    scores = [s for s in asset.satisfaction if s.recorded_on <= day]
    open_ = [
        c.severity
        for c in complaints
        if c.recorded_on <= day and (c.resolved_on is None or c.resolved_on > day)
    ]
    numbers = {p.number for p in asset.payments if p.paid_on <= day}
    contacts = [
        c.reported_on for c in asset.competitor_contacts if c.reported_on <= day
    ]
    return HealthInputs(
        latest_usage_month=latest,
        recent_months=len(recent),
        recent_uses=sum(recent),
        earlier_months=len(earlier),
        earlier_uses=sum(earlier),
        satisfaction=scores[-1].score if scores else None,
        open_complaints=MappingProxyType(
            {severity: open_.count(severity) for severity in Severity}
        ),
        late_payments=sum(1 for p in asset.payments if p.late and p.paid_on <= day),
        overdue=sum(
            1 for i in asset.installments if i.due_on < day and i.number not in numbers
        ),
        days_since_competitor_contact=(day - max(contacts)).days if contacts else None,
    )


def _usage_points(inputs: HealthInputs, most: int) -> int:
    """The share of the earlier months' mean use the recent months kept,
    at most all of it, in points; no data (no earlier month recorded, or
    none used) gives half."""
    if inputs.earlier_months == 0 or inputs.earlier_uses == 0:
        return _neutral(most)
    # recent mean ÷ earlier mean, in whole numbers.
    kept = inputs.recent_uses * inputs.earlier_months
    whole = inputs.earlier_uses * inputs.recent_months
    return most * min(kept, whole) // whole


def _neutral(most: int) -> int:
    """The points of an input with no data: half, rounded down."""
    return most // 2


def _month(day: date) -> int:
    return day.year * 12 + day.month


def account_health(
    account: AccountRecord, healths: Sequence[Health], scoring: HealthScoring
) -> AccountHealth:
    """The mean of ``healths`` (at least one), rounded down."""
    score = sum(h.score for h in healths) // len(healths)
    return AccountHealth(
        account_id=account.id,
        account=account.name,
        assets=len(healths),
        score=score,
        likelihood=likelihood(score, scoring),
    )


def health_report(
    assets: Iterable[AssetRecord],
    accounts: Mapping[UUID, AccountRecord],
    *,
    as_of: date,
    settings: Settings,
    feedback: Iterable[FeedbackRecord] = (),
    account_id: UUID | None = None,
    owner: str | None = None,
) -> HealthReport:
    """The health of every asset active on ``as_of`` (only ``account_id``'s,
    only ``owner``'s, when given) and of their accounts."""
    complaints = Complaints(feedback)
    found = [
        AssetHealth(
            asset_id=asset.id,
            account_id=asset.account_id,
            account=accounts[asset.account_id].name,
            product=asof.product(asset, as_of),
            owner=asset.owner,
            value=asof.contract_value(asset, as_of),
            usage_end_on=asof.usage_end(asset, as_of),
            health=health(asset, as_of, settings, complaints.about(asset)),
        )
        for asset in assets
        if asof.is_active(asset, as_of)
        and (account_id is None or asset.account_id == account_id)
        and (owner is None or asset.owner == owner)
    ]
    found.sort(key=lambda a: (a.health.score, str(a.asset_id)))
    by_account: dict[UUID, list[Health]] = {}
    for item in found:
        by_account.setdefault(item.account_id, []).append(item.health)
    return HealthReport(
        as_of=as_of,
        assets=tuple(found),
        accounts=tuple(
            sorted(
                (
                    account_health(accounts[key], healths, settings.health)
                    for key, healths in by_account.items()
                ),
                key=lambda a: (a.score, a.account, str(a.account_id)),
            )
        ),
    )
