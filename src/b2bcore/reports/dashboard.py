"""The rep dashboard: assets by status, renewals due per window and overdue,
the top assets by contract value, the assets at risk and the installed
base's health, on a date, for one owner or for everyone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from types import MappingProxyType
from uuid import UUID

import attrs

from b2bcore.application.settings import Settings
from b2bcore.domain.money import Money
from b2bcore.domain.values import AssetStatus
from b2bcore.reports import asof
from b2bcore.reports.health import Complaints, Health, Likelihood, health
from b2bcore.reports.records import AccountRecord, AssetRecord, FeedbackRecord
from b2bcore.reports.renewals import LAPSED, OVERDUE, Risk, renewal_queue, risks

#: How many assets the top list of each currency holds.
TOP_ASSETS = 10


@attrs.frozen
class DashboardAsset:
    """An active asset as the dashboard lists it, on its date."""

    asset_id: UUID
    account_id: UUID
    account: str
    product: str
    owner: str
    value: Money
    #: None for an open-ended asset.
    usage_end_on: date | None
    risks: frozenset[Risk]
    health: Health


@attrs.frozen
class RepDashboard:
    as_of: date
    #: None: every owner's assets.
    owner: str | None
    #: Assets per status on ``as_of`` (every status, 0 when none); assets
    #: purchased after ``as_of`` are not counted.
    by_status: Mapping[AssetStatus, int]
    #: Per renewal window (30, 60, 90 by default): active assets whose usage
    #: end is that window's bucket (more than the previous window's days left,
    #: at most this one's).
    renewals_due: Mapping[int, int]
    #: Active assets whose usage end has passed with no renewal: within the
    #: lapse grace (overdue) / beyond it (lapsed).
    overdue: int
    lapsed: int
    #: Per currency, the active assets of the highest contract value on
    #: ``as_of``, highest first, ties by id; at most ``TOP_ASSETS`` each.
    top_assets: Mapping[str, tuple[DashboardAsset, ...]]
    #: Active assets with at least one renewal risk, soonest usage end first
    #: (open-ended last), ties by id.
    at_risk: tuple[DashboardAsset, ...]
    #: The mean health score of the active assets, rounded down (None when
    #: there are none), and how many have each renewal likelihood.
    average_health: int | None
    by_likelihood: Mapping[Likelihood, int]


def rep_dashboard(
    assets: Iterable[AssetRecord],
    accounts: Mapping[UUID, AccountRecord],
    *,
    owner: str | None,
    as_of: date,
    settings: Settings,
    feedback: Iterable[FeedbackRecord] = (),
) -> RepDashboard:
    """The dashboard of ``owner``'s assets (everyone's when None) on ``as_of``;
    the complaints of ``feedback`` open then count in each asset's health."""
    complaints = Complaints(feedback)
    mine = [a for a in assets if owner is None or a.owner == owner]
    statuses = [asof.asset_status(a, as_of) for a in mine]
    queue = renewal_queue(
        mine,
        accounts,
        as_of=as_of,
        within=settings.renewal_windows[-1],
        settings=settings,
    )
    active = [
        _listed(a, accounts, as_of, settings, complaints)
        for a in mine
        if asof.is_active(a, as_of)
    ]
    scores = [item.health.score for item in active]
    return RepDashboard(
        as_of=as_of,
        owner=owner,
        by_status=MappingProxyType(
            {status: statuses.count(status) for status in AssetStatus}
        ),
        renewals_due=MappingProxyType(
            {
                window: sum(1 for item in queue if item.bucket == window)
                for window in settings.renewal_windows
            }
        ),
        overdue=sum(1 for item in queue if item.bucket == OVERDUE),
        lapsed=sum(1 for item in queue if item.bucket == LAPSED),
        top_assets=_top_by_currency(active),
        at_risk=tuple(
            sorted(
                (item for item in active if item.risks),
                key=lambda item: (
                    item.usage_end_on is None,
                    item.usage_end_on or as_of,
                    str(item.asset_id),
                ),
            )
        ),
        average_health=sum(scores) // len(scores) if scores else None,
        by_likelihood=MappingProxyType(
            {
                chance: sum(1 for item in active if item.health.likelihood is chance)
                for chance in Likelihood
            }
        ),
    )


def _listed(
    asset: AssetRecord,
    accounts: Mapping[UUID, AccountRecord],
    as_of: date,
    settings: Settings,
    complaints: Complaints,
) -> DashboardAsset:
    return DashboardAsset(
        asset_id=asset.id,
        account_id=asset.account_id,
        account=accounts[asset.account_id].name,
        product=asof.product(asset, as_of),
        owner=asset.owner,
        value=asof.contract_value(asset, as_of),
        usage_end_on=asof.usage_end(asset, as_of),
        risks=risks(asset, as_of, settings),
        health=health(asset, as_of, settings, complaints.about(asset)),
    )


def _top_by_currency(
    active: list[DashboardAsset],
) -> Mapping[str, tuple[DashboardAsset, ...]]:
    by_currency: dict[str, list[DashboardAsset]] = {}
    for item in active:
        by_currency.setdefault(item.value.currency, []).append(item)
    return MappingProxyType(
        {
            currency: tuple(
                sorted(
                    by_currency[currency],
                    key=lambda item: (-item.value.amount, str(item.asset_id)),
                )[:TOP_ASSETS]
            )
            for currency in sorted(by_currency)
        }
    )
