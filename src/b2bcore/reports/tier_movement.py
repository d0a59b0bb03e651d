"""Tier movement between two business dates: which deals moved up, down,
stayed, closed or opened — what the weekly tier meeting goes through
(definitions in docs/kpis.md, "Tier movement")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from enum import Enum
from types import MappingProxyType
from uuid import UUID

import attrs

from b2bcore.domain.errors import ValidationError
from b2bcore.domain.money import Money
from b2bcore.domain.values import Outcome
from b2bcore.reports import asof
from b2bcore.reports.records import DealRecord


class Movement(Enum):
    """Where a deal went between the two dates; a lower tier number is
    closer to the close, so 3 → 2 is up."""

    UP = "up"
    DOWN = "down"
    SAME = "same"
    OPENED = "opened"
    CLOSED = "closed"


@attrs.frozen
class DealMovement:
    opportunity_id: UUID
    name: str
    #: The owner and amount in force on the end date.
    owner: str
    amount: Money
    movement: Movement
    #: The tier on the start date; None for a deal opened after it.
    from_tier: int | None
    #: The tier on the end date (0 once closed).
    to_tier: int
    #: How a closed deal closed; None otherwise.
    outcome: Outcome | None
    #: Tier moves dated after the start and on or before the end (the
    #: opening of a deal opened in between and its close included).
    moves: int


@attrs.frozen
class TierMovement:
    """The deals open on ``start`` or opened after it, up to ``end``, each
    once, by movement (up, down, same, opened, closed), then tier on the
    start, name and id."""

    start: date
    end: date
    deals: tuple[DealMovement, ...]
    #: Every movement with its number of deals (0 when none).
    counts: Mapping[Movement, int]


def tier_movement(
    deals: Iterable[DealRecord], *, start: date, end: date
) -> TierMovement:
    """How the tiers moved from ``start`` to ``end`` (both business dates;
    ``end`` on or after ``start``)."""
    if end < start:
        raise ValidationError(
            "tier movement", "end", f"{end} is before the start {start}"
        )
    found = []
    for deal in deals:
        before = asof.tier(deal, start)
        if deal.opened_on > end or (
            before is not None and asof.outcome(deal, start) is not None
        ):
            continue
        after = asof.tier(deal, end)
        assert after is not None
        outcome = asof.outcome(deal, end)
        found.append(
            DealMovement(
                opportunity_id=deal.id,
                name=deal.name,
                owner=deal.owner,
                amount=deal.amount,
                movement=_movement(before, after, outcome),
                from_tier=before,
                to_tier=after,
                outcome=outcome,
                moves=sum(start < m.moved_on <= end for m in deal.tier_history),
            )
        )
    order = list(Movement)
    found.sort(
        key=lambda d: (
            order.index(d.movement),
            -1 if d.from_tier is None else d.from_tier,
            d.name,
            str(d.opportunity_id),
        )
    )
    return TierMovement(
        start=start,
        end=end,
        deals=tuple(found),
        counts=MappingProxyType(
            {m: sum(d.movement is m for d in found) for m in Movement}
        ),
    )


def _movement(before: int | None, after: int, outcome: Outcome | None) -> Movement:
    if outcome is not None:
        return Movement.CLOSED
    if before is None:
        return Movement.OPENED
    if after < before:
        return Movement.UP
    if after > before:
        return Movement.DOWN
    return Movement.SAME
