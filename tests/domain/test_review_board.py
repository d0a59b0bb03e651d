"""The value review board's profitability rules (seed 004: nobody wins at a
loss): a review's estimate, the minimum margin a gate needs, the price a win
may not go far below and the gates a win needs, through B2BCore."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from b2bcore import (
    B2BCore,
    BusinessLine,
    BusinessRuleError,
    CurrencyMismatchError,
    FixedClock,
    Money,
    ValidationError,
)
from b2bcore.application.event_history import describe
from b2bcore.application.settings import Settings
from b2bcore.domain.review_board import ReviewBoardRules
from b2bcore.domain.values import Profitability
from b2bcore.reports.winloss import EntryKind
from tests.helpers import refused, stored_events

TODAY = date(2024, 12, 31)
OPENED_ON = date(2024, 10, 1)


def usd(amount: int) -> Money:
    return Money.of(amount, "USD")


@pytest.fixture
def board() -> Iterator[B2BCore]:
    """A core whose board wants a 10 % margin and gate 1 passed to win."""
    rules = ReviewBoardRules(minimum_margin=Decimal("0.10"), gates_to_win=1)
    with B2BCore.open(
        "memory://",
        actor="tester",
        clock=FixedClock(TODAY),
        settings=Settings(review_board=rules),
    ) as opened:
        yield opened


def open_deal(core: B2BCore) -> UUID:
    return core.open_opportunity(
        account_id=None,
        name="GTX fleet",
        amount=usd(100_000),
        owner="kim",
        business_line=BusinessLine.OVERSEAS,
        region="West",
        country="US",
        product="GTX Pro",
        expected_close_on=date(2025, 3, 31),
        on=OPENED_ON,
    )


def reviewed(core: B2BCore, cost: int, price: int, day: int = 7) -> UUID:
    """A deal whose gate 1 was reviewed on 7 October (or ``day``) at ``cost``
    and ``price``."""
    deal_id = open_deal(core)
    core.review_gate(
        deal_id, gate=1, cost=usd(cost), price=usd(price), on=date(2024, 10, day)
    )
    return deal_id


def test_a_review_estimates_margin_and_roi_exactly(board: B2BCore) -> None:
    deal_id = reviewed(board, cost=80_000, price=100_000)

    estimate = board.opportunity(deal_id).profitability

    assert estimate == Profitability(usd(80_000), usd(100_000))
    assert (estimate.margin, estimate.roi) == (Decimal("0.2"), Decimal("0.25"))


def test_a_loss_has_a_negative_margin_and_roi() -> None:
    loss = Profitability(usd(105_000), usd(100_000))

    assert loss.margin == Decimal("-0.05")
    assert loss.roi == Decimal("-5000") / Decimal("105000")


@pytest.mark.parametrize(
    ("figures", "field"),
    [({"cost": usd(1)}, "price"), ({"price": usd(1)}, "cost")],
)
def test_a_review_estimates_cost_and_price_together(
    board: B2BCore, figures: dict[str, Any], field: str
) -> None:
    deal_id = open_deal(board)

    with refused(board, deal_id, ValidationError, field):
        board.review_gate(deal_id, gate=1, on=OPENED_ON, **figures)


@pytest.mark.parametrize("field", ["cost", "price"])
def test_a_review_in_another_currency_is_refused(board: B2BCore, field: str) -> None:
    deal_id = open_deal(board)
    figures: dict[str, Any] = {"cost": usd(80_000), "price": usd(100_000)}
    figures[field] = Money.of(1_000, "EUR")

    with refused(board, deal_id, CurrencyMismatchError, field):
        board.review_gate(deal_id, gate=1, on=OPENED_ON, **figures)


def test_a_review_at_a_cost_not_positive_is_refused(board: B2BCore) -> None:
    deal_id = open_deal(board)

    with refused(board, deal_id, ValidationError, "cost"):
        board.review_gate(
            deal_id, gate=1, cost=Money.zero("USD"), price=usd(1), on=OPENED_ON
        )


def test_a_gate_under_the_minimum_margin_is_not_passed(board: B2BCore) -> None:
    deal_id = reviewed(board, cost=95_000, price=100_000)

    with refused(board, deal_id, BusinessRuleError, "margin"):
        board.pass_gate(deal_id, gate=1, on=date(2024, 10, 8))


def test_a_review_at_a_better_margin_lets_the_gate_pass(board: B2BCore) -> None:
    deal_id = reviewed(board, cost=95_000, price=100_000)
    board.review_gate(
        deal_id, gate=1, cost=usd(80_000), price=usd(100_000), on=date(2024, 10, 9)
    )

    board.pass_gate(deal_id, gate=1, on=date(2024, 10, 10))

    assert board.opportunity(deal_id).gates_passed == (1,)


def test_a_review_without_figures_keeps_the_estimate_before_it(
    board: B2BCore,
) -> None:
    deal_id = reviewed(board, cost=95_000, price=100_000)
    board.review_gate(deal_id, gate=1, on=date(2024, 10, 9))

    assert board.opportunity(deal_id).profitability == Profitability(
        usd(95_000), usd(100_000)
    )
    with refused(board, deal_id, BusinessRuleError, "margin"):
        board.pass_gate(deal_id, gate=1, on=date(2024, 10, 10))


def test_a_win_needs_the_gates_the_board_requires(board: B2BCore) -> None:
    deal_id = open_deal(board)

    with refused(board, deal_id, BusinessRuleError, "gates_passed"):
        board.win_opportunity(deal_id, value=usd(100_000), on=date(2024, 11, 1))


def passed(core: B2BCore, cost: int, price: int) -> UUID:
    deal_id = reviewed(core, cost, price)
    core.pass_gate(deal_id, gate=1, on=date(2024, 10, 8))
    return deal_id


def test_a_win_below_the_reviewed_price_beyond_the_tolerance_is_refused(
    board: B2BCore,
) -> None:
    deal_id = passed(board, cost=80_000, price=100_000)

    with refused(board, deal_id, BusinessRuleError, "value"):
        board.win_opportunity(deal_id, value=usd(94_999), on=date(2024, 11, 1))


def test_a_win_within_the_tolerance_of_the_reviewed_price_is_recorded(
    board: B2BCore,
) -> None:
    deal_id = passed(board, cost=80_000, price=100_000)

    board.win_opportunity(deal_id, value=usd(95_000), on=date(2024, 11, 1))

    assert board.opportunity(deal_id).won_value == usd(95_000)


def test_a_win_at_a_lower_price_is_recorded_once_reviewed_again(
    board: B2BCore,
) -> None:
    deal_id = passed(board, cost=80_000, price=100_000)
    board.review_gate(
        deal_id, gate=2, cost=usd(80_000), price=usd(90_000), on=date(2024, 10, 20)
    )

    board.win_opportunity(deal_id, value=usd(90_000), on=date(2024, 11, 1))

    assert board.opportunity(deal_id).won_value == usd(90_000)


def test_by_default_a_deal_never_reviewed_wins_as_before(
    memory_core: B2BCore,
) -> None:
    deal_id = open_deal(memory_core)

    memory_core.win_opportunity(deal_id, value=usd(10_000), on=date(2024, 11, 1))

    assert memory_core.opportunity(deal_id).won_value == usd(10_000)


def test_by_default_no_gate_passes_at_a_loss(memory_core: B2BCore) -> None:
    deal_id = reviewed(memory_core, cost=100_001, price=100_000)

    with refused(memory_core, deal_id, BusinessRuleError, "margin"):
        memory_core.pass_gate(deal_id, gate=1, on=date(2024, 10, 8))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("minimum_margin", Decimal(1)),
        ("minimum_margin", Decimal("NaN")),
        ("price_tolerance", Decimal("-0.01")),
        ("price_tolerance", Decimal(1)),
        ("price_tolerance", 0.05),
        ("gates_to_win", 6),
        ("gates_to_win", -1),
    ],
    ids=str,
)
def test_a_rule_out_of_range_is_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as refusal:
        ReviewBoardRules(**{field: value})  # type: ignore[arg-type]
    assert refusal.value.field == f"review_board.{field}"


def test_the_timeline_and_the_history_show_each_review_s_figures(
    board: B2BCore,
) -> None:
    deal_id = reviewed(board, cost=80_000, price=100_000)
    board.review_gate(deal_id, gate=1, on=date(2024, 10, 8))

    path = board.timeline(deal_id, as_of=TODAY)

    reviews = [e for e in path.entries if e.kind is EntryKind.GATE_REVIEWED]
    assert [e.profitability for e in reviews] == [
        Profitability(usd(80_000), usd(100_000)),
        None,
    ]
    assert path.profitability == Profitability(usd(80_000), usd(100_000))
    assert board.timeline(deal_id, as_of=OPENED_ON).profitability is None
    described = [describe(e) for e in stored_events(board, deal_id)]
    assert described[1] == (
        "Gate 1 reviewed: cost 80,000.00 USD, price 100,000.00 USD, "
        "margin 20.0 %, ROI 25.0 %"
    )
