"""Installed-base KPIs for a period: retention, renewals, revenue retention,
upsells, churn, time to renewal, customer lifetime value, payment compliance
and receivables.

Every figure is defined in docs/kpis.md (section "Installed base") precisely
enough to recompute by hand. The period is ``[start, end]``, both days
included; rates are None ("no data") when their denominator is empty. An
asset whose usage end passed more than the grace period ago with no renewal
and no obsolete record counts as lapsed: out of the installed base, churned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from enum import Enum
from types import MappingProxyType
from uuid import UUID

import attrs

from b2bcore.application.settings import Settings
from b2bcore.domain.errors import ValidationError
from b2bcore.domain.money import MINOR_UNITS, Money
from b2bcore.domain.values import AssetStatus, Installment, ObsoleteReason
from b2bcore.reports import asof
from b2bcore.reports.amounts import Amounts
from b2bcore.reports.rates import mean, rate
from b2bcore.reports.records import AssetRecord


class ChurnReason(Enum):
    """Why an asset left the installed base: the reason of its obsolete
    record, or LAPSED when its usage end passed the grace period with
    neither a renewal nor an obsolete record."""

    PRICE = "price"
    BUDGET = "budget"
    COMPETITOR = "competitor"
    FEATURES = "features"
    SUPPORT = "support"
    REPLACED = "replaced"
    UNKNOWN = "unknown"
    OTHER = "other"
    LAPSED = "lapsed"

    @classmethod
    def of(cls, reason: ObsoleteReason) -> ChurnReason:
        return cls(reason.value)


@attrs.frozen
class AssetKpis:
    """The installed base over ``[start, end]``; each rate comes with the
    counts it divides."""

    start: date
    end: date
    #: Assets in the installed base (installed, not obsolete, not lapsed) on
    #: ``start`` / on ``end``.
    start_active: int
    end_active: int
    #: Of those in the base on ``start``, the ones still in it on ``end``.
    retained: int
    #: retained ÷ start_active.
    base_retention: float | None
    #: Assets with a usage end within the period (not obsolete before it).
    due: int
    #: Of those due, the ones renewed by ``end`` from their last such end.
    renewed: int
    #: renewed ÷ due.
    renewal_rate: float | None
    #: Per currency, over the assets active on ``start``: Σ min(value on
    #: end, value on start) ÷ Σ value on start (value on end 0 if inactive).
    gross_revenue_retention: Mapping[str, float]
    #: Per currency, over the same assets: Σ value on end ÷ Σ value on start.
    net_revenue_retention: Mapping[str, float]
    #: Renewals and upgrades dated within the period.
    value_changes: int
    #: Of those, the ones that raised the contract value.
    upsells: int
    #: upsells ÷ value_changes.
    upsell_rate: float | None
    #: Assets made obsolete within the period (any reason, replaced
    #: included; not those lapsed before it), and assets lapsed on ``end``
    #: whose lapse began within it.
    churned: int
    churned_by_reason: Mapping[ChurnReason, int]
    #: Renewals dated within the period.
    renewals: int
    #: Mean of (renewed on − previous usage end) in days over those renewals;
    #: negative when renewed early.
    time_to_renewal_days: float | None
    #: Accounts with an asset installed on or before ``end``.
    customers: int
    #: Mean days from a customer's first install to its last asset's
    #: obsolescence (or to ``end`` while it still has one not obsolete).
    customer_lifetime_days: float | None
    #: Per currency: contract value booked by ``end`` ÷ customers with an
    #: installed asset in that currency (rounded half-even to the minor unit).
    customer_lifetime_value: Amounts
    #: Installments paid within the period / of them paid on or before due.
    payments: int
    payments_on_time: int
    #: payments_on_time ÷ payments.
    payment_compliance: float | None
    #: Installments unpaid on ``end`` of assets purchased and not obsolete.
    receivables_outstanding: Amounts
    #: Of those, the ones due before ``end``.
    receivables_overdue: Amounts


def asset_kpis(
    assets: Iterable[AssetRecord], *, start: date, end: date, settings: Settings
) -> AssetKpis:
    """The installed-base KPIs of ``assets`` over ``[start, end]``; an asset
    lapses ``settings.lapse_grace_days`` after an unrenewed usage end."""
    if end < start:
        raise ValidationError("asset kpis", "end", f"{end} is before the start {start}")
    assets = list(assets)
    grace = settings.lapse_grace_days
    base = [a for a in assets if asof.in_installed_base(a, start, grace)]
    #: The assets in the installed base at the end, by id.
    kept = {a.id for a in assets if asof.in_installed_base(a, end, grace)}
    retained = sum(1 for a in base if a.id in kept)
    due_ends = {a.id: _due_ends(a, start, end) for a in assets}
    due = [a for a in assets if due_ends[a.id]]
    renewed = sum(1 for a in due if _renewed_from(a, due_ends[a.id][-1], end))
    gross, net = _revenue_retention(base, start, end, kept)
    changes = _value_changes(assets, start, end)
    churned = [
        reason
        for a in assets
        if (reason := _churn_reason(a, start, end, grace)) is not None
    ]
    renewals = [r for a in assets for r in a.renewals if start <= r.renewed_on <= end]
    lifetimes, lifetime_values = _customer_lifetimes(assets, end, grace)
    payments = [p for a in assets for p in a.payments if start <= p.paid_on <= end]
    on_time = sum(1 for p in payments if not p.late)
    unpaid = [
        installment
        for a in assets
        if asof.asset_status(a, end) in (AssetStatus.PURCHASED, AssetStatus.INSTALLED)
        for installment in _unpaid(a, end)
    ]
    return AssetKpis(
        start=start,
        end=end,
        start_active=len(base),
        end_active=len(kept),
        retained=retained,
        base_retention=rate(retained, len(base)),
        due=len(due),
        renewed=renewed,
        renewal_rate=rate(renewed, len(due)),
        gross_revenue_retention=gross,
        net_revenue_retention=net,
        value_changes=len(changes),
        upsells=sum(changes),
        upsell_rate=rate(sum(changes), len(changes)),
        churned=len(churned),
        churned_by_reason=MappingProxyType(
            {reason: churned.count(reason) for reason in ChurnReason}
        ),
        renewals=len(renewals),
        time_to_renewal_days=mean(
            (r.renewed_on - r.previous_usage_end_on).days for r in renewals
        ),
        customers=len(lifetimes),
        customer_lifetime_days=mean(lifetimes),
        customer_lifetime_value=lifetime_values,
        payments=len(payments),
        payments_on_time=on_time,
        payment_compliance=rate(on_time, len(payments)),
        receivables_outstanding=Amounts.of(i.amount for i in unpaid),
        receivables_overdue=Amounts.of(i.amount for i in unpaid if i.due_on < end),
    )


def _due_ends(asset: AssetRecord, start: date, end: date) -> tuple[date, ...]:
    """The asset's usage ends known by ``end`` that fall within the period,
    leaving out those after the asset was made obsolete."""
    return tuple(
        usage_end
        for usage_end in asof.usage_ends(asset, end)
        if start <= usage_end <= end
        and (asset.obsolete_on is None or asset.obsolete_on >= usage_end)
    )


def _churn_reason(
    asset: AssetRecord, start: date, end: date, grace: int
) -> ChurnReason | None:
    """Why the asset left the installed base within the period, if it did:
    made obsolete within it (unless it had lapsed before the period: the
    record then says why a churn already counted happened), or lapsed on
    ``end`` with its lapse begun within it."""
    if asset.obsolete_on is not None and start <= asset.obsolete_on <= end:
        began = _lapse_began(asset, asset.obsolete_on - timedelta(days=1), grace)
        if began is not None and began < start:
            return None
        assert asset.obsolete_reason is not None
        return ChurnReason.of(asset.obsolete_reason)
    began = _lapse_began(asset, end, grace)
    if began is not None and began >= start:
        return ChurnReason.LAPSED
    return None


def _lapse_began(asset: AssetRecord, day: date, grace: int) -> date | None:
    """The first lapsed day (usage end + grace + 1) of the asset when it is
    lapsed on ``day``."""
    usage_end = asof.lapsed_from(asset, day, grace)
    return None if usage_end is None else usage_end + timedelta(days=grace + 1)


def _renewed_from(asset: AssetRecord, usage_end: date, end: date) -> bool:
    """Renewed on or before ``end`` from the term ending on ``usage_end``."""
    return any(
        r.previous_usage_end_on == usage_end and r.renewed_on <= end
        for r in asset.renewals
    )


def _revenue_retention(
    base: list[AssetRecord], start: date, end: date, in_base_at_end: Set[UUID]
) -> tuple[Mapping[str, float], Mapping[str, float]]:
    """Gross and net revenue retention per currency over ``base``, of which
    ``in_base_at_end`` are in the installed base at the end."""
    at_start: dict[str, Decimal] = {}
    kept: dict[str, Decimal] = {}
    at_end: dict[str, Decimal] = {}
    for asset in base:
        before = asof.contract_value(asset, start)
        after = (
            asof.contract_value(asset, end).amount
            if asset.id in in_base_at_end
            else Decimal(0)
        )
        currency = before.currency
        at_start[currency] = at_start.get(currency, Decimal(0)) + before.amount
        kept[currency] = kept.get(currency, Decimal(0)) + min(before.amount, after)
        at_end[currency] = at_end.get(currency, Decimal(0)) + after
    currencies = sorted(at_start)
    return (
        MappingProxyType({c: float(kept[c] / at_start[c]) for c in currencies}),
        MappingProxyType({c: float(at_end[c] / at_start[c]) for c in currencies}),
    )


def _value_changes(assets: list[AssetRecord], start: date, end: date) -> list[bool]:
    """For each renewal and upgrade dated within the period: an upsell?"""
    return [
        r.is_upsell for a in assets for r in a.renewals if start <= r.renewed_on <= end
    ] + [
        u.is_upsell for a in assets for u in a.upgrades if start <= u.upgraded_on <= end
    ]


def _customer_lifetimes(
    assets: list[AssetRecord], end: date, grace: int
) -> tuple[list[int], Amounts]:
    """Each customer's lifetime in days (up to the day its last asset left:
    obsolete, or lapsed from its usage end), and per currency the contract
    value booked by ``end`` per customer holding that currency."""
    installed: dict[UUID, list[AssetRecord]] = {}
    for asset in assets:
        if asset.installed_on is not None and asset.installed_on <= end:
            installed.setdefault(asset.account_id, []).append(asset)
    lifetimes = []
    booked: dict[str, Decimal] = {}
    holders: dict[str, int] = {}
    for held in installed.values():
        first = min(a.installed_on for a in held if a.installed_on is not None)
        gone = [left for a in held if (left := _left_on(a, end, grace)) is not None]
        last = max(gone) if len(gone) == len(held) else end
        lifetimes.append((last - first).days)
        for currency in {a.value.currency for a in held}:
            holders[currency] = holders.get(currency, 0) + 1
        for asset in held:
            value = _booked(asset, end)
            booked[value.currency] = (
                booked.get(value.currency, Decimal(0)) + value.amount
            )
    return lifetimes, Amounts(
        tuple(_per_customer(booked[c], holders[c], c) for c in sorted(booked))
    )


def _left_on(asset: AssetRecord, day: date, grace: int) -> date | None:
    """The day the asset left the installed base, as known on ``day``: its
    obsolete date, or the usage end it lapsed from; None while in it."""
    if asset.obsolete_on is not None and asset.obsolete_on <= day:
        return asset.obsolete_on
    return asof.lapsed_from(asset, day, grace)


def _booked(asset: AssetRecord, day: date) -> Money:
    """The contract value booked by ``day``: the value at purchase, plus each
    renewal's value (a new term), plus each upgrade's change of value."""
    booked = asof.contract_value(asset, asset.purchased_on - timedelta(days=1))
    for renewal in asset.renewals:
        if renewal.renewed_on <= day:
            booked = booked + renewal.value
    for upgrade in asset.upgrades:
        if upgrade.upgraded_on <= day:
            booked = booked + upgrade.value - upgrade.previous_value
    return booked


def _per_customer(total: Decimal, customers: int, currency: str) -> Money:
    quantum = Decimal(1).scaleb(-MINOR_UNITS[currency])
    return Money(
        (total / customers).quantize(quantum, rounding=ROUND_HALF_EVEN), currency
    )


def _unpaid(asset: AssetRecord, day: date) -> list[Installment]:
    paid = {p.number for p in asset.payments if p.paid_on <= day}
    return [i for i in asset.installments if i.number not in paid]
