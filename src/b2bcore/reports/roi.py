"""The customer's own ROI (seed 004's ROI calculator, seed 000's 비용 절감
효과 측정): what its use of an asset saved it against what it paid, per asset
and per account, per currency — never summed across currencies.

The formula (docs/kpis.md, "Customer ROI"), for a report month M and its
last day D, with the ``SavingRate`` of the asset's currency
(``Settings.customer_savings``):

- savings = uses × per_use + km × per_km, over the usage months up to M;
- paid = the installments paid by D;
- net = savings − paid;
- ROI = (savings − paid) ÷ paid, rounded half-even to 4 decimal places;
  None when nothing was paid or the currency has no rate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction

import attrs

from b2bcore.application.settings import SavingRate
from b2bcore.domain.money import Money
from b2bcore.reports.records import AssetRecord

#: The decimal places of an ROI.
ROI_PLACES = 4


@attrs.frozen
class AssetRoi:
    """One asset's ROI to the end of a month, in its contract's currency."""

    currency: str
    #: The usage months counted (up to the report's month), their uses and km.
    months: int
    uses: int
    distance_km: int
    #: The installments paid by the month's end.
    paid: Money
    #: None when the currency has no ``SavingRate`` (nor are ``month_savings``,
    #: ``net`` and ``roi`` worked out then).
    savings: Money | None
    #: The savings of the report's month alone.
    month_savings: Money | None
    #: savings − paid.
    net: Money | None
    #: (savings − paid) ÷ paid to 4 places; None also when nothing was paid.
    roi: Decimal | None


@attrs.frozen
class CurrencyRoi:
    """An account's ROI in one currency: its assets in it summed."""

    currency: str
    assets: int
    uses: int
    distance_km: int
    paid: Money
    savings: Money | None
    month_savings: Money | None
    net: Money | None
    roi: Decimal | None


def usage_savings(uses: int, distance_km: int, rate: SavingRate) -> Money:
    """uses × per_use + distance_km × per_km: exact at the minor unit."""
    return Money(
        uses * rate.per_use.amount + distance_km * rate.per_km.amount, rate.currency
    )


def return_on(savings: Money, paid: Money) -> Decimal | None:
    """(savings − paid) ÷ paid, rounded half-even to ``ROI_PLACES`` places
    (worked out exactly, then rounded once); None when nothing was paid."""
    if not paid.is_positive:
        return None
    exact = (Fraction(savings.amount) - Fraction(paid.amount)) / Fraction(paid.amount)
    scaled = round(exact * 10**ROI_PLACES)  # half-even, as round() is
    return Decimal(scaled).scaleb(-ROI_PLACES)


def asset_roi(
    asset: AssetRecord,
    *,
    month: date,
    as_of: date,
    rates: Mapping[str, SavingRate],
) -> AssetRoi:
    """``asset``'s ROI to the end of ``month`` (its first day), ``as_of``
    that month's last day."""
    currency = asset.value.currency
    used = [u for u in asset.usage if u.period <= month]
    uses = sum(u.count for u in used)
    distance = sum(u.distance_km for u in used)
    paid = Money.zero(currency)
    for payment in asset.payments:
        if payment.paid_on <= as_of:
            paid = paid + payment.amount
    rate = rates.get(currency)
    if rate is None:
        return AssetRoi(
            currency, len(used), uses, distance, paid, None, None, None, None
        )
    savings = usage_savings(uses, distance, rate)
    this = [u for u in used if u.period == month]
    return AssetRoi(
        currency=currency,
        months=len(used),
        uses=uses,
        distance_km=distance,
        paid=paid,
        savings=savings,
        month_savings=usage_savings(
            sum(u.count for u in this), sum(u.distance_km for u in this), rate
        ),
        net=savings - paid,
        roi=return_on(savings, paid),
    )


def account_roi(rois: Iterable[AssetRoi]) -> tuple[CurrencyRoi, ...]:
    """The assets' ROIs summed per currency (in code order)."""
    by_currency: dict[str, list[AssetRoi]] = {}
    for roi in rois:
        by_currency.setdefault(roi.currency, []).append(roi)
    found = []
    for currency in sorted(by_currency):
        mine = by_currency[currency]
        paid = _sum(r.paid for r in mine) or Money.zero(currency)
        savings = _sum(r.savings for r in mine)
        month_savings = _sum(r.month_savings for r in mine)
        found.append(
            CurrencyRoi(
                currency=currency,
                assets=len(mine),
                uses=sum(r.uses for r in mine),
                distance_km=sum(r.distance_km for r in mine),
                paid=paid,
                savings=savings,
                month_savings=month_savings,
                net=None if savings is None else savings - paid,
                roi=None if savings is None else return_on(savings, paid),
            )
        )
    return tuple(found)


def _sum(amounts: Iterable[Money | None]) -> Money | None:
    """The sum of one currency's amounts; None when any is None (no rate)."""
    total: Money | None = None
    for amount in amounts:
        if amount is None:
            return None
        total = amount if total is None else total + amount
    return total
