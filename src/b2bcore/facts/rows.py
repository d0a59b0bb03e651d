"""Each aggregate's rows in the report tables, derived from its state: what
the reports filter, group and sort on, as plain values (text, integers,
ISO dates, money in minor units)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from uuid import UUID

from b2bcore.aggregate import DomainAggregate
from b2bcore.facts.tables import (
    ACCOUNTS,
    ACKNOWLEDGEMENTS,
    ASSETS,
    COMPETITOR_CONTACTS,
    DEALS,
    INSTALLMENTS,
    PAYMENTS,
    RENEWALS,
    SALES_REPS,
    SATISFACTION,
    TIER_MOVES,
    UPGRADES,
    USAGE,
    Table,
)
from b2bcore.money import Money
from b2bcore.views import AccountView, AssetView, OpportunityView

Value = str | int | None
FactRow = tuple[Value, ...]
#: An aggregate's rows, per table.
Facts = Mapping[Table, frozenset[FactRow]]


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def ident(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def _account(state: Any) -> Facts:
    account = AccountView.of(state)
    return {
        ACCOUNTS: frozenset(
            {(account.name, account.grade.value, day(account.registered_on))}
        )
    }


def money(value: Money) -> tuple[str, int]:
    return value.currency, value.minor


def earliest_usage_end(asset: AssetView) -> date | None:
    """The earliest usage end the asset ever had: no end in force on any
    date is earlier."""
    ends = [
        end for r in asset.renewals for end in (r.previous_usage_end_on, r.usage_end_on)
    ]
    if asset.usage_end_on is not None:
        ends.append(asset.usage_end_on)
    return min(ends, default=None)


def _asset(state: Any) -> Facts:
    a = AssetView.of(state)
    return {
        ASSETS: frozenset(
            {
                (
                    str(a.account_id),
                    a.owner,
                    a.product,
                    day(a.purchased_on),
                    day(a.installed_on),
                    day(a.usage_end_on),
                    day(earliest_usage_end(a)),
                    day(a.obsolete_on),
                    None if a.obsolete_reason is None else a.obsolete_reason.value,
                    *money(a.value),
                )
            }
        ),
        INSTALLMENTS: frozenset(
            (i.number, day(i.due_on), *money(i.amount)) for i in a.installments
        ),
        PAYMENTS: frozenset(
            (p.number, *money(p.amount), day(p.paid_on), int(p.late))
            for p in a.payments
        ),
        RENEWALS: frozenset(
            (
                seq,
                day(r.renewed_on),
                day(r.previous_usage_end_on),
                day(r.usage_end_on),
                *money(r.previous_value),
                *money(r.value),
            )
            for seq, r in enumerate(a.renewals)
        ),
        UPGRADES: frozenset(
            (
                seq,
                day(u.upgraded_on),
                u.previous_product,
                u.product,
                *money(u.previous_value),
                *money(u.value),
            )
            for seq, u in enumerate(a.upgrades)
        ),
        SATISFACTION: frozenset(
            (seq, day(s.recorded_on), s.score, s.comment)
            for seq, s in enumerate(a.satisfaction)
        ),
        USAGE: frozenset(
            (
                seq,
                day(u.period),
                u.count,
                u.distance_km,
                u.region,
                u.pattern.value,
                day(u.recorded_on),
            )
            for seq, u in enumerate(a.usage)
        ),
        COMPETITOR_CONTACTS: frozenset(
            (seq, day(c.reported_on), c.competitor, c.note)
            for seq, c in enumerate(a.competitor_contacts)
        ),
    }


def _acknowledgement(state: Any) -> Facts:
    return {ACKNOWLEDGEMENTS: frozenset({(day(state.acknowledged_on),)})}


def _sales_rep(state: Any) -> Facts:
    return {SALES_REPS: frozenset({(state.name, state.manager)})}


def _deal(state: Any) -> Facts:
    deal = OpportunityView.of(state)
    won = deal.won_value
    return {
        DEALS: frozenset(
            {
                (
                    ident(deal.account_id),
                    deal.owner,
                    deal.region,
                    deal.business_line.value,
                    deal.country,
                    deal.product,
                    day(deal.opened_on),
                    day(deal.closed_on),
                    None if deal.outcome is None else deal.outcome.value,
                    deal.amount.currency,
                    deal.amount.minor,
                    None if won is None else won.currency,
                    None if won is None else won.minor,
                )
            }
        ),
        TIER_MOVES: frozenset(
            (seq, move.from_tier, move.tier, move.stage.value, day(move.moved_on))
            for seq, move in enumerate(deal.tier_history)
        ),
    }


#: How each kind's rows are derived (kinds without report tables are absent).
FACTS_OF_KIND: dict[str, Callable[[Any], Facts]] = {
    "account": _account,
    "asset": _asset,
    "sales_rep": _sales_rep,
    "acknowledgement": _acknowledgement,
    "opportunity": _deal,
}


def facts(state: DomainAggregate | None) -> Facts:
    """``state``'s rows in every report table of its kind (none before it
    exists)."""
    if state is None:
        return {}
    derive = FACTS_OF_KIND.get(state.KIND)
    return {} if derive is None else derive(state)
