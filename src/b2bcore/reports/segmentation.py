"""Account segmentation on a date: accounts ranked by the value of their
installed base, the Pareto set (the top 20 %) and its share, and the counts
by sector, by preferred contact channel and by the needs the accounts named
in their feedback (seed 003: value, channel and needs)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from uuid import UUID

import attrs

from b2bcore.application.settings import Settings
from b2bcore.domain.money import Money
from b2bcore.domain.values import ContactChannel, Grade
from b2bcore.reports import asof
from b2bcore.reports.amounts import Amounts
from b2bcore.reports.records import AccountRecord, AssetRecord, FeedbackRecord

#: The Pareto set is the top fifth of the accounts (rounded up).
PARETO_FRACTION = 5


@attrs.frozen
class AccountValue:
    """An account and the value of its installed base on the date."""

    account_id: UUID
    name: str
    grade: Grade
    sector: str
    preferred_channel: ContactChannel
    #: The contract values in force of its assets in the installed base
    #: (active, not lapsed), per currency.
    value: Amounts
    #: Its value in the ranking currency (zero when it has none in it);
    #: None when no account has any value.
    ranked_value: Money | None
    #: ``ranked_value`` ÷ the total in the ranking currency.
    share: float | None
    #: The needs its feedback named by the date, sorted.
    needs: tuple[str, ...]


@attrs.frozen
class Segmentation:
    as_of: date
    #: The currency accounts are ranked in; None when no account has value.
    currency: str | None
    #: Every account registered by the date, by ranked value (highest
    #: first), then name, then id.
    ranking: tuple[AccountValue, ...]
    total_value: Amounts
    #: The first fifth of the ranking, rounded up.
    pareto: tuple[AccountValue, ...]
    pareto_value: Amounts
    #: The Pareto set's share of the total in the ranking currency.
    pareto_share: float | None
    #: Accounts per sector, sectors sorted.
    by_sector: Mapping[str, int]
    #: Accounts per preferred contact channel, in the channels' order.
    by_channel: Mapping[ContactChannel, int]
    #: Accounts per need their feedback named by the date, needs sorted.
    by_need: Mapping[str, int]


def segmentation(
    accounts: Iterable[AccountRecord],
    assets: Iterable[AssetRecord],
    *,
    as_of: date,
    settings: Settings,
    currency: str | None = None,
    feedback: Iterable[FeedbackRecord] = (),
) -> Segmentation:
    """Segment the accounts registered on or before ``as_of`` by the value of
    their installed base on that date (assets installed, not obsolete, not
    lapsed), at the contract value in force then, and by the needs named in
    the ``feedback`` recorded on or before it.

    Accounts are ranked in ``currency``, by default the one the most accounts
    hold value in (ties: the first alphabetically); amounts in other
    currencies are reported but never converted.
    """
    registered = [a for a in accounts if a.registered_on <= as_of]
    values: dict[UUID, list[Money]] = {a.id: [] for a in registered}
    for asset in assets:
        if asset.account_id in values and asof.in_installed_base(
            asset, as_of, settings.lapse_grace_days
        ):
            values[asset.account_id].append(asof.contract_value(asset, as_of))
    amounts = {account_id: Amounts.of(v) for account_id, v in values.items()}
    needs: dict[UUID, set[str]] = {a.id: set() for a in registered}
    for item in feedback:
        if item.account_id in needs and item.recorded_on <= as_of:
            needs[item.account_id].update(item.needs)
    currency = currency or _dominant_currency(amounts.values())
    total_value = sum(amounts.values(), start=Amounts())
    total = _in(total_value, currency)
    ranking = tuple(
        sorted(
            (
                AccountValue(
                    account_id=a.id,
                    name=a.name,
                    grade=a.grade,
                    sector=a.sector,
                    preferred_channel=a.preferred_channel,
                    value=amounts[a.id],
                    ranked_value=_in(amounts[a.id], currency),
                    share=_share(_in(amounts[a.id], currency), total),
                    needs=tuple(sorted(needs[a.id])),
                )
                for a in registered
            ),
            key=lambda v: (
                -(v.ranked_value.amount if v.ranked_value else Decimal(0)),
                v.name,
                str(v.account_id),
            ),
        )
    )
    pareto = ranking[: -(-len(ranking) // PARETO_FRACTION)]
    pareto_value = sum((v.value for v in pareto), start=Amounts())
    sectors = Counter(a.sector for a in registered)
    channels = Counter(a.preferred_channel for a in registered)
    named = Counter(need for found in needs.values() for need in found)
    return Segmentation(
        as_of=as_of,
        currency=currency,
        ranking=ranking,
        total_value=total_value,
        pareto=pareto,
        pareto_value=pareto_value,
        pareto_share=_share(_in(pareto_value, currency), total),
        by_sector=MappingProxyType({s: sectors[s] for s in sorted(sectors)}),
        by_channel=MappingProxyType(
            {c: channels[c] for c in ContactChannel if c in channels}
        ),
        by_need=MappingProxyType({n: named[n] for n in sorted(named)}),
    )


def _dominant_currency(values: Iterable[Amounts]) -> str | None:
    held = Counter(currency for amounts in values for currency in amounts)
    if not held:
        return None
    return min(held, key=lambda currency: (-held[currency], currency))


def _in(amounts: Amounts, currency: str | None) -> Money | None:
    if currency is None:
        return None
    return Money(amounts.get(currency, Decimal(0)), currency)


def _share(part: Money | None, whole: Money | None) -> float | None:
    if part is None or whole is None or not whole.is_positive:
        return None
    return float(part.amount / whole.amount)
