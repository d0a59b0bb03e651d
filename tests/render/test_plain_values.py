"""``from_plain``: the value a ``plain()`` JSON document stands for, as the
command line reads its list options; what does not fit is a ValueError."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

import pytest

from b2bcore import Installment, Money, OrderLine, ReviewArea
from b2bcore_adapters.render.plain import from_plain, plain

PLAN = (Installment(1, date(2024, 2, 1), Money.of(600, "USD")),)


def test_a_value_survives_plain_and_back() -> None:
    assert from_plain(Sequence[Installment], plain(PLAN)) == PLAN


def test_a_list_left_out_of_an_object_is_empty() -> None:
    line = {
        "product": "p",
        "value": {"amount": "5", "currency": "USD"},
        "order_reference": "r",
        "contact": "김지은",
    }

    (found,) = from_plain(Sequence[OrderLine], [line])

    assert found.installments == ()


@pytest.mark.parametrize(
    ("hint", "value", "problem"),
    [
        (Money, {"amount": "x", "currency": "KRW"}, "'x' is not an amount"),
        (Money, {"amount": "1"}, "is not"),
        (
            Sequence[tuple[ReviewArea, str]],
            [{"area": "finance", "description": "d", "severity": "high"}],
            "unknown fields",
        ),
        (Sequence[OrderLine], [{"product": "p"}], "missing fields"),
        (date, "2024-13-01", "is not a date"),
        (Decimal, "1_000", "is not a decimal written like 1234.50"),
        (Mapping[int, str], {"²": "x"}, "is not a int"),
    ],
)
def test_what_does_not_fit_is_a_value_error_naming_it(
    hint: object, value: object, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        from_plain(hint, value)


def test_a_reviewed_estimate_shows_its_margin_and_roi() -> None:
    from b2bcore.domain.values import Profitability  # noqa: PLC0415

    estimate = Profitability(Money.of(80_000, "USD"), Money.of(100_000, "USD"))

    shown = plain(estimate)

    assert isinstance(shown, dict)
    assert (shown["margin"], shown["roi"]) == ("0.2", "0.25")
