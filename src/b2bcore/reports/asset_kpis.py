"""Installed-base KPIs for a period: retention, renewals, revenue retention,
upsells, churn, time to renewal, customer lifetime value, payment compliance
and receivables.

Every figure is defined in docs/kpis.md (section "Installed base") precisely
enough to recompute by hand. The period is ``[start, end]``, both days
included; rates are None ("no data") when their denominator is empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from types import MappingProxyType
from uuid import UUID

import attrs

from b2bcore.errors import ValidationError
from b2bcore.money import MINOR_UNITS, Money
from b2bcore.reports import asof
from b2bcore.reports.amounts import Amounts
from b2bcore.reports.rates import mean, rate
from b2bcore.values import AssetStatus, Installment, ObsoleteReason
from b2bcore.views import AssetView


@attrs.frozen
class AssetKpis:
    """The installed base over ``[start, end]``; each rate comes with the
    counts it divides."""

    start: date
    end: date
    #: Assets active (installed, not obsolete) on ``start`` / on ``end``.
    start_active: int
    end_active: int
    #: Of those active on ``start``, the ones still active on ``end``.
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
    #: Assets made obsolete within the period (any reason, replaced included).
    churned: int
    churned_by_reason: Mapping[ObsoleteReason, int]
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


def asset_kpis(assets: Iterable[AssetView], *, start: date, end: date) -> AssetKpis:
    """The installed-base KPIs of ``assets`` over ``[start, end]``."""
    if end < start:
        raise ValidationError("asset kpis", "end", f"{end} is before the start {start}")
    assets = list(assets)
    base = [a for a in assets if asof.is_active(a, start)]
    retained = sum(1 for a in base if asof.is_active(a, end))
    due_ends = {a.id: _due_ends(a, start, end) for a in assets}
    due = [a for a in assets if due_ends[a.id]]
    renewed = sum(1 for a in due if _renewed_from(a, due_ends[a.id][-1], end))
    gross, net = _revenue_retention(base, start, end)
    changes = _value_changes(assets, start, end)
    churned = [
        a for a in assets if a.obsolete_on is not None and start <= a.obsolete_on <= end
    ]
    renewals = [r for a in assets for r in a.renewals if start <= r.renewed_on <= end]
    lifetimes, lifetime_values = _customer_lifetimes(assets, end)
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
        end_active=sum(1 for a in assets if asof.is_active(a, end)),
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
            {
                reason: sum(1 for a in churned if a.obsolete_reason is reason)
                for reason in ObsoleteReason
            }
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


def _due_ends(asset: AssetView, start: date, end: date) -> tuple[date, ...]:
    """The asset's usage ends known by ``end`` that fall within the period,
    leaving out those after the asset was made obsolete."""
    return tuple(
        usage_end
        for usage_end in asof.usage_ends(asset, end)
        if start <= usage_end <= end
        and (asset.obsolete_on is None or asset.obsolete_on >= usage_end)
    )


def _renewed_from(asset: AssetView, usage_end: date, end: date) -> bool:
    """Renewed on or before ``end`` from the term ending on ``usage_end``."""
    return any(
        r.previous_usage_end_on == usage_end and r.renewed_on <= end
        for r in asset.renewals
    )


def _revenue_retention(
    base: list[AssetView], start: date, end: date
) -> tuple[Mapping[str, float], Mapping[str, float]]:
    """Gross and net revenue retention per currency over ``base``."""
    at_start: dict[str, Decimal] = {}
    kept: dict[str, Decimal] = {}
    at_end: dict[str, Decimal] = {}
    for asset in base:
        before = asof.contract_value(asset, start)
        after = (
            asof.contract_value(asset, end).amount
            if asof.is_active(asset, end)
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


def _value_changes(assets: list[AssetView], start: date, end: date) -> list[bool]:
    """For each renewal and upgrade dated within the period: an upsell?"""
    return [
        r.is_upsell for a in assets for r in a.renewals if start <= r.renewed_on <= end
    ] + [
        u.is_upsell for a in assets for u in a.upgrades if start <= u.upgraded_on <= end
    ]


def _customer_lifetimes(
    assets: list[AssetView], end: date
) -> tuple[list[int], Amounts]:
    """Each customer's lifetime in days, and per currency the contract value
    booked by ``end`` per customer holding that currency."""
    installed: dict[UUID, list[AssetView]] = {}
    for asset in assets:
        if asset.installed_on is not None and asset.installed_on <= end:
            installed.setdefault(asset.account_id, []).append(asset)
    lifetimes = []
    booked: dict[str, Decimal] = {}
    holders: dict[str, int] = {}
    for held in installed.values():
        first = min(a.installed_on for a in held if a.installed_on is not None)
        gone = [
            a.obsolete_on
            for a in held
            if a.obsolete_on is not None and a.obsolete_on <= end
        ]
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


def _booked(asset: AssetView, day: date) -> Money:
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


def _unpaid(asset: AssetView, day: date) -> list[Installment]:
    paid = {p.number for p in asset.payments if p.paid_on <= day}
    return [i for i in asset.installments if i.number not in paid]
