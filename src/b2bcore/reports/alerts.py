"""Alerts: renewal thresholds crossed, usage ends passed unrenewed,
dissatisfaction, usage anomalies, competitor contacts and stagnant deals, as
they stood on a date.

Each alert has an id derived from what it is about, so the same situation
always gives the same id: a caller remembers the ids it acknowledged and
passes them back.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from typing import Literal
from uuid import UUID

import attrs

from b2bcore.application.settings import Settings
from b2bcore.domain.ids import deterministic_id
from b2bcore.domain.values import FeedbackKind
from b2bcore.reports import asof
from b2bcore.reports.records import AssetRecord, DealRecord, FeedbackRecord


class AlertKind(Enum):
    RENEWAL = "renewal"
    OVERDUE = "overdue"
    DISSATISFACTION = "dissatisfaction"
    USAGE_ANOMALY = "usage_anomaly"
    COMPETITOR_CONTACT = "competitor_contact"
    STAGNATION = "stagnation"


@attrs.frozen
class Alert:
    """Something a rep should look at, dated the day it arose."""

    #: Derived from ``kind``, ``subject_id`` and what distinguishes this alert
    #: from the subject's others of that kind: stable across replays.
    id: UUID
    kind: AlertKind
    dated_on: date
    subject_id: UUID
    subject: Literal["asset", "opportunity", "feedback"]
    #: None for a deal whose account is not known.
    account_id: UUID | None
    #: The asset's or deal's owner; for feedback, its asset's ("" when it
    #: is about the account as a whole).
    owner: str
    detail: str
    acknowledged: bool


def alerts(
    assets: Iterable[AssetRecord],
    deals: Iterable[DealRecord],
    *,
    as_of: date,
    settings: Settings,
    acknowledged: Collection[UUID] = frozenset(),
    feedback: Iterable[FeedbackRecord] = (),
) -> tuple[Alert, ...]:
    """Every alert dated on or before ``as_of``, sorted by date then id;
    ``acknowledged`` holds the ids the caller has dealt with."""
    found: list[Alert] = []
    owners: dict[UUID, str] = {}
    for asset in assets:
        owners[asset.id] = asset.owner
        found.extend(_renewal_alerts(asset, as_of, settings))
        found.extend(_overdue_alerts(asset, as_of))
        found.extend(_dissatisfaction_alerts(asset, settings))
        found.extend(_usage_anomaly_alerts(asset, settings))
        found.extend(_competitor_contact_alerts(asset))
    for deal in deals:
        found.extend(_stagnation_alerts(deal, as_of, settings))
    for item in feedback:
        found.extend(_feedback_alerts(item, as_of, settings, owners))
    return tuple(
        sorted(
            (
                attrs.evolve(alert, acknowledged=alert.id in acknowledged)
                for alert in found
                if alert.dated_on <= as_of
            ),
            key=lambda alert: (alert.dated_on, str(alert.id)),
        )
    )


def _asset_alert(
    asset: AssetRecord, kind: AlertKind, key: str, dated_on: date, detail: str
) -> Alert:
    return Alert(
        id=deterministic_id("alert", f"{kind.value}:{asset.id}:{key}"),
        kind=kind,
        dated_on=dated_on,
        subject_id=asset.id,
        subject="asset",
        account_id=asset.account_id,
        owner=asset.owner,
        detail=detail,
        acknowledged=False,
    )


def _renewal_alerts(
    asset: AssetRecord, as_of: date, settings: Settings
) -> Iterator[Alert]:
    """One per renewal window the usage end in force on ``as_of`` has entered,
    while the asset is active (a passed usage end keeps them until a renewal
    or an obsolete record)."""
    if not asof.is_active(asset, as_of):
        return
    end = asof.usage_end(asset, as_of)
    if end is None:
        return
    for window in settings.renewal_windows:
        yield _asset_alert(
            asset,
            AlertKind.RENEWAL,
            f"{window}:{end.isoformat()}",
            end - timedelta(days=window),
            f"usage ends on {end}: {window} days or fewer left",
        )


def _overdue_alerts(asset: AssetRecord, as_of: date) -> Iterator[Alert]:
    """The usage end in force on ``as_of`` passed, the asset still active:
    dated the day after the usage end."""
    if not asof.is_active(asset, as_of):
        return
    end = asof.usage_end(asset, as_of)
    if end is None or end >= as_of:
        return
    yield _asset_alert(
        asset,
        AlertKind.OVERDUE,
        end.isoformat(),
        end + timedelta(days=1),
        f"usage ended on {end}: not renewed",
    )


def _dissatisfaction_alerts(asset: AssetRecord, settings: Settings) -> Iterator[Alert]:
    for index, score in enumerate(asset.satisfaction):
        if score.score < settings.satisfaction_threshold:
            yield _asset_alert(
                asset,
                AlertKind.DISSATISFACTION,
                f"{score.recorded_on.isoformat()}:{index}",
                score.recorded_on,
                f"satisfaction {score.score}/10, below "
                f"{settings.satisfaction_threshold}"
                + (f": {score.comment}" if score.comment else ""),
            )


def _feedback_alerts(
    item: FeedbackRecord, as_of: date, settings: Settings, owners: dict[UUID, str]
) -> Iterator[Alert]:
    """A survey scored below the satisfaction threshold, or a complaint of
    the complaint severity or worse still unresolved on ``as_of``: a
    dissatisfaction dated the day it was heard."""
    threshold = settings.satisfaction_threshold
    if item.kind is FeedbackKind.SURVEY:
        if item.score is None or item.score >= threshold:
            return
        detail = f"survey {item.score}/10 on {item.category.value}, below {threshold}"
    elif item.kind is FeedbackKind.COMPLAINT:
        severity = item.severity
        if severity is None or severity.rank < settings.complaint_severity.rank:
            return
        if item.resolved_on is not None and item.resolved_on <= as_of:
            return
        detail = f"{severity.value} complaint on {item.category.value}: unresolved"
    else:
        return
    yield Alert(
        id=deterministic_id(
            "alert",
            f"{AlertKind.DISSATISFACTION.value}:{item.id}:{item.kind.value}",
        ),
        kind=AlertKind.DISSATISFACTION,
        dated_on=item.recorded_on,
        subject_id=item.id,
        subject="feedback",
        account_id=item.account_id,
        owner="" if item.asset_id is None else owners.get(item.asset_id, ""),
        detail=detail,
        acknowledged=False,
    )


def _usage_anomaly_alerts(asset: AssetRecord, settings: Settings) -> Iterator[Alert]:
    """A month whose count changed by more than ± the anomaly share against
    the calendar month just before it (recorded, with a non-zero count);
    dated the day both months were known."""
    # Periods are first days of months: a month's number finds the one before.
    by_month = {u.period.year * 12 + u.period.month: u for u in asset.usage}
    for number in sorted(by_month):
        month, period = by_month[number], by_month[number].period
        previous = by_month.get(number - 1)
        if previous is None or previous.count == 0:
            continue
        change = (Decimal(month.count) - previous.count) / previous.count
        if abs(change) > settings.usage_anomaly:
            yield _asset_alert(
                asset,
                AlertKind.USAGE_ANOMALY,
                period.isoformat(),
                max(month.recorded_on, previous.recorded_on),
                f"usage {period:%Y-%m}: {previous.count} → {month.count} "
                f"({change:+.1%})",
            )


def _competitor_contact_alerts(asset: AssetRecord) -> Iterator[Alert]:
    for index, contact in enumerate(asset.competitor_contacts):
        yield _asset_alert(
            asset,
            AlertKind.COMPETITOR_CONTACT,
            f"{contact.reported_on.isoformat()}:{index}",
            contact.reported_on,
            f"contacted by {contact.competitor}"
            + (f": {contact.note}" if contact.note else ""),
        )


def _stagnation_alerts(
    deal: DealRecord, as_of: date, settings: Settings
) -> Iterator[Alert]:
    """The deal open on ``as_of`` with no tier move for the stagnation days."""
    tier = asof.tier(deal, as_of)
    since = asof.tier_since(deal, as_of)
    if tier is None or tier == 0 or since is None:
        return
    yield Alert(
        id=deterministic_id(
            "alert",
            f"{AlertKind.STAGNATION.value}:{deal.id}:{tier}:{since.isoformat()}",
        ),
        kind=AlertKind.STAGNATION,
        dated_on=since + timedelta(days=settings.stagnation_days),
        subject_id=deal.id,
        subject="opportunity",
        account_id=deal.account_id,
        owner=deal.owner,
        detail=f"at tier {tier} since {since}, no move for "
        f"{settings.stagnation_days} days",
        acknowledged=False,
    )
