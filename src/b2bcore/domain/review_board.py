"""The value review board's rules (seed 004: the VRB exists so that nobody
wins at a loss): the margin a gate needs, how far below the reviewed price a
deal may be won, and how many gates a win needs. A setting
(``Settings.review_board``), documented in docs/domain.md."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from b2bcore.domain.errors import ValidationError
from b2bcore.domain.values import MAX_GATE


def _below_one(low: Decimal | None) -> Any:
    """A validator: a finite Decimal below 1 and, given ``low``, at least it."""
    at_least = "" if low is None else f" and at least {low}"

    def check(
        instance: object, attribute: attrs.Attribute[Decimal], value: Any
    ) -> None:
        if (
            not isinstance(value, Decimal)
            or not value.is_finite()
            or value >= 1
            or (low is not None and value < low)
        ):
            raise ValidationError(
                "settings",
                f"review_board.{attribute.name}",
                f"must be a Decimal below 1{at_least}, got {value!r}",
            )

    return check


def _gates(instance: object, attribute: attrs.Attribute[int], value: Any) -> None:
    if type(value) is not int or not 0 <= value <= MAX_GATE:
        raise ValidationError(
            "settings",
            f"review_board.{attribute.name}",
            f"must be a number of gates from 0 to {MAX_GATE}, got {value!r}",
        )


@attrs.frozen(kw_only=True)
class ReviewBoardRules:
    """The VRB's thresholds; the defaults refuse a loss and nothing else."""

    #: A gate is not passed while the deal's latest estimate has a lower
    #: margin (0: no gate passes at a loss).
    minimum_margin: Decimal = attrs.field(
        default=Decimal(0), validator=_below_one(None)
    )
    #: A win below the latest reviewed price by more than this share of it
    #: is refused until the deal is reviewed again.
    price_tolerance: Decimal = attrs.field(
        default=Decimal("0.05"), validator=_below_one(Decimal(0))
    )
    #: The gates a win needs passed: gates 1 to this (they pass in order).
    gates_to_win: int = attrs.field(default=0, validator=_gates)
