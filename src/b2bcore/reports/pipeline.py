"""Pipeline KPIs on a business date: deals by state, win rate, sales cycle,
tier conversion and time in tier, raw and weighted pipeline, sales velocity
and stagnant deals (definitions in docs/kpis.md, "Sales pipeline")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from uuid import UUID

import attrs

from b2bcore.application.settings import Settings
from b2bcore.domain.money import MINOR_UNITS, Money
from b2bcore.domain.values import OPEN_TIERS, Outcome, TierMove
from b2bcore.domain.views import TierStint
from b2bcore.reports import asof
from b2bcore.reports.amounts import Amounts, weighted
from b2bcore.reports.dimensions import NO_ACCOUNTS, NO_MANAGERS, Dimension, grouped
from b2bcore.reports.rates import mean, rate
from b2bcore.reports.records import DealRecord, Named


@attrs.frozen
class TierKpis:
    """One open tier's figures on the report date."""

    tier: int
    #: Open deals at this tier on the date, and the sum of their amounts.
    open: int
    value: Amounts
    #: Each open deal's amount × the tier's probability, summed.
    weighted_value: Amounts
    #: Deals that entered this tier by the date, and those of them that
    #: then moved to a lower-numbered open tier or were won.
    entered: int
    converted: int
    conversion_rate: float | None
    #: Stays in this tier that had ended by the date, and their mean length.
    completed_stints: int
    average_days: float | None


@attrs.frozen
class PipelineKpis:
    """The pipeline as it stood on ``as_of``; ``by`` holds the same figures
    per ``dimension`` key (sorted) when the report was cut by one."""

    as_of: date
    open: int
    won: int
    lost: int
    dropped: int
    open_value: Amounts
    won_value: Amounts
    lost_value: Amounts
    dropped_value: Amounts
    #: won ÷ (won + lost); dropped deals are not decided by the customer.
    win_rate: float | None
    #: Mean of closed_on − opened_on over deals closed by the date.
    average_cycle_days: float | None
    #: Tiers 4, 3, 2, 1 in that order.
    tiers: tuple[TierKpis, ...]
    weighted_pipeline: Amounts
    #: Money per day per currency; None when a ratio it needs is undefined.
    sales_velocity: Amounts | None
    #: Open deals whose tier had not moved for the stagnation days, sorted.
    stagnant: tuple[UUID, ...]
    dimension: Dimension | None = None
    by: Mapping[str, PipelineKpis] = attrs.field(factory=lambda: MappingProxyType({}))

    def tier(self, tier: int) -> TierKpis:
        """The figures of open tier ``tier`` (4, 3, 2 or 1)."""
        return self.tiers[OPEN_TIERS.index(tier)]


def pipeline_kpis(
    deals: Iterable[DealRecord],
    *,
    as_of: date,
    settings: Settings,
    by: Dimension | None = None,
    managers: Mapping[str, str] = NO_MANAGERS,
    accounts: Mapping[UUID, Named] = NO_ACCOUNTS,
) -> PipelineKpis:
    """The pipeline KPIs of the deals opened on or before ``as_of``, each in
    the state it was in on ``as_of``; cut by ``by`` when given (``managers``
    and ``accounts`` resolve the MANAGER and ACCOUNT keys)."""
    opened = [deal for deal in deals if deal.opened_on <= as_of]
    kpis = _kpis(opened, as_of, settings)
    if by is None:
        return kpis
    groups = grouped(opened, by, managers=managers, accounts=accounts, as_of=as_of)
    return attrs.evolve(
        kpis,
        dimension=by,
        by=MappingProxyType(
            {k: _kpis(group, as_of, settings) for k, group in groups.items()}
        ),
    )


def _kpis(deals: list[DealRecord], as_of: date, settings: Settings) -> PipelineKpis:
    outcomes = {deal.id: asof.outcome(deal, as_of) for deal in deals}
    open_deals = [deal for deal in deals if outcomes[deal.id] is None]
    won = [deal for deal in deals if outcomes[deal.id] is Outcome.WON]
    lost = [deal for deal in deals if outcomes[deal.id] is Outcome.LOST]
    dropped = [deal for deal in deals if outcomes[deal.id] is Outcome.DROPPED]
    closed = [*won, *lost, *dropped]
    # Each deal's path as of the day, worked out once for every tier.
    paths = [
        _Path(
            asof.tier_moves(deal, as_of),
            asof.stints(deal, as_of),
            outcomes[deal.id] is Outcome.WON,
        )
        for deal in deals
    ]
    tiers = tuple(_tier_kpis(t, paths, open_deals, as_of, settings) for t in OPEN_TIERS)
    return PipelineKpis(
        as_of=as_of,
        open=len(open_deals),
        won=len(won),
        lost=len(lost),
        dropped=len(dropped),
        open_value=Amounts.of(deal.amount for deal in open_deals),
        won_value=Amounts.of(_won_values(won)),
        lost_value=Amounts.of(deal.amount for deal in lost),
        dropped_value=Amounts.of(deal.amount for deal in dropped),
        win_rate=rate(len(won), len(won) + len(lost)),
        average_cycle_days=mean(_cycle_days(closed, as_of)),
        tiers=tiers,
        weighted_pipeline=sum((t.weighted_value for t in tiers), start=Amounts()),
        sales_velocity=_velocity(open_deals, won, len(lost), closed, as_of),
        stagnant=tuple(
            sorted(
                deal.id
                for deal in open_deals
                if _days_in_tier(deal, as_of) >= settings.stagnation_days
            )
        ),
    )


def _cycle_days(closed: list[DealRecord], as_of: date) -> list[int]:
    return [
        days for deal in closed if (days := asof.cycle_days(deal, as_of)) is not None
    ]


def _won_values(won: list[DealRecord]) -> list[Money]:
    return [deal.won_value for deal in won if deal.won_value is not None]


def _days_in_tier(deal: DealRecord, as_of: date) -> int:
    since = asof.tier_since(deal, as_of)
    assert since is not None
    return (as_of - since).days


@attrs.frozen
class _Path:
    """A deal's tier moves and stays as of the report's day, and whether it
    was won by then."""

    moves: tuple[TierMove, ...]
    stints: tuple[TierStint, ...]
    won: bool


def _tier_kpis(
    tier: int,
    paths: list[_Path],
    open_deals: list[DealRecord],
    as_of: date,
    settings: Settings,
) -> TierKpis:
    at_tier = [deal for deal in open_deals if asof.tier(deal, as_of) == tier]
    probability = settings.tier_probabilities[tier]
    conversions = [
        conversion
        for path in paths
        if (conversion := _converted_from(tier, path)) is not None
    ]
    converted = sum(1 for c in conversions if c)
    stays = [
        stint.days(as_of)
        for path in paths
        for stint in path.stints
        if stint.tier == tier and stint.left_on is not None
    ]
    return TierKpis(
        tier=tier,
        open=len(at_tier),
        value=Amounts.of(deal.amount for deal in at_tier),
        weighted_value=Amounts.of(
            weighted(deal.amount, probability) for deal in at_tier
        ),
        entered=len(conversions),
        converted=converted,
        conversion_rate=rate(converted, len(conversions)),
        completed_stints=len(stays),
        average_days=mean(stays),
    )


def _converted_from(tier: int, path: _Path) -> bool | None:
    """None when the deal had not entered ``tier`` by the report's day; else
    whether it had since moved to a lower-numbered open tier or been won."""
    moves = path.moves
    first = next((i for i, move in enumerate(moves) if move.tier == tier), None)
    if first is None:
        return None
    return path.won or any(0 < move.tier < tier for move in moves[first + 1 :])


def _velocity(
    open_deals: list[DealRecord],
    won: list[DealRecord],
    lost: int,
    closed: list[DealRecord],
    as_of: date,
) -> Amounts | None:
    """Per currency c with a won deal: open deals in c × mean won value in c
    × win rate ÷ mean cycle days, exactly, then rounded half-even."""
    cycle = sum(_cycle_days(closed, as_of))
    if (not won and not lost) or cycle == 0:
        return None
    win_rate = Fraction(len(won), len(won) + lost)
    mean_cycle = Fraction(cycle, len(closed))
    values = _won_values(won)
    velocities = []
    for currency in sorted({value.currency for value in values}):
        in_currency = [v.amount for v in values if v.currency == currency]
        mean_won = Fraction(sum(in_currency, start=Decimal(0))) / len(in_currency)
        count = sum(1 for deal in open_deals if deal.amount.currency == currency)
        velocities.append(_money(count * mean_won * win_rate / mean_cycle, currency))
    return Amounts.of(velocities)


def _money(amount: Fraction, currency: str) -> Money:
    """``amount`` rounded half-even at the currency's minor unit."""
    digits = MINOR_UNITS[currency]
    return Money(Decimal(round(amount * 10**digits)).scaleb(-digits), currency)
