"""Tier movement between two dates: the weekly tier meeting."""

from __future__ import annotations

from datetime import date

import pytest

from b2bcore import B2BCore, LossReason, Outcome, ValidationError
from b2bcore.reports.tier_movement import Movement
from tests.reports.deals import krw, open_deal


def test_each_deal_open_at_the_start_or_opened_since_moves_once(
    memory_core: B2BCore,
) -> None:
    core = memory_core
    up = open_deal(core, on=date(2024, 1, 1), name="up")
    core.change_tier(up, tier=3, on=date(2024, 1, 10))
    core.change_tier(up, tier=2, on=date(2024, 1, 12))
    down = open_deal(core, on=date(2024, 1, 1), name="down", tier=2)
    core.change_tier(down, tier=3, on=date(2024, 1, 9))
    same = open_deal(core, on=date(2024, 1, 1), name="same")
    core.change_tier(same, tier=3, on=date(2024, 1, 9))
    core.change_tier(same, tier=4, on=date(2024, 1, 10))
    won = open_deal(core, on=date(2024, 1, 1), name="won", tier=1)
    core.win_opportunity(won, value=krw(90_000_000), on=date(2024, 1, 11))
    open_deal(core, on=date(2024, 1, 9), name="opened", tier=3)
    lost_before = open_deal(core, on=date(2024, 1, 1), name="lost before")
    core.lose_opportunity(
        lost_before, reason_code=LossReason.PRICE, on=date(2024, 1, 8)
    )
    open_deal(core, on=date(2024, 1, 16), name="later")

    found = core.tier_movement(start=date(2024, 1, 8), end=date(2024, 1, 15))

    assert [
        (d.name, d.movement, d.from_tier, d.to_tier, d.moves) for d in found.deals
    ] == [
        ("up", Movement.UP, 4, 2, 2),
        ("down", Movement.DOWN, 2, 3, 1),
        ("same", Movement.SAME, 4, 4, 2),
        ("opened", Movement.OPENED, None, 3, 1),
        ("won", Movement.CLOSED, 1, 0, 1),
    ]
    assert found.deals[-1].outcome is Outcome.WON
    assert dict(found.counts) == {
        Movement.UP: 1,
        Movement.DOWN: 1,
        Movement.SAME: 1,
        Movement.OPENED: 1,
        Movement.CLOSED: 1,
    }


def test_a_deal_opened_and_closed_in_between_is_closed(memory_core: B2BCore) -> None:
    deal = open_deal(memory_core, on=date(2024, 1, 9))
    memory_core.lose_opportunity(
        deal, reason_code=LossReason.PRICE, on=date(2024, 1, 10)
    )

    (found,) = memory_core.tier_movement(
        start=date(2024, 1, 8), end=date(2024, 1, 15)
    ).deals

    assert (found.movement, found.from_tier, found.outcome) == (
        Movement.CLOSED,
        None,
        Outcome.LOST,
    )


def test_an_end_before_the_start_is_refused(memory_core: B2BCore) -> None:
    with pytest.raises(ValidationError, match="end"):
        memory_core.tier_movement(start=date(2024, 1, 8), end=date(2024, 1, 7))
