"""Money, installment plans and deal horizons: the domain's exact values."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from b2bcore import (
    CurrencyMismatchError,
    Horizon,
    Money,
    ValidationError,
    installment_plan,
)
from b2bcore.domain.values import horizon

# -- minor units --------------------------------------------------------------


def test_krw_has_no_minor_unit() -> None:
    assert Money.of(23_800_000, "KRW").amount == Decimal("23800000")


def test_a_won_fraction_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Money.of("1000.5", "KRW")

    assert excinfo.value.field == "amount"


def test_usd_is_kept_at_cents() -> None:
    assert str(Money.of(5, "USD").amount) == "5.00"


def test_a_fraction_of_a_cent_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Money.of("1.005", "USD")

    assert excinfo.value.field == "amount"


def test_bhd_is_kept_at_fils() -> None:
    assert str(Money.of("1.5", "BHD").amount) == "1.500"


def test_a_fraction_of_a_fils_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Money.of("1.0005", "BHD")

    assert excinfo.value.field == "amount"


def test_trailing_zeros_beyond_the_minor_unit_are_accepted() -> None:
    assert Money.of("7.0000", "USD") == Money.of(7, "USD")


# -- refused inputs -----------------------------------------------------------


def test_a_float_amount_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Money.of(1.5, "USD")  # type: ignore[arg-type]

    assert excinfo.value.field == "amount"


def test_a_float_given_to_the_constructor_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Money(1.5, "USD")  # type: ignore[arg-type]

    assert excinfo.value.field == "amount"


def test_text_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Money.of("ten", "USD")

    assert excinfo.value.field == "amount"


def test_an_infinite_amount_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Money.of("Infinity", "USD")

    assert excinfo.value.field == "amount"


def test_an_unknown_currency_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Money.of(10, "XYZ")

    assert excinfo.value.field == "currency"


def test_a_lower_case_currency_code_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Money.of(10, "usd")

    assert excinfo.value.field == "currency"


# -- arithmetic and comparisons -----------------------------------------------


def test_amounts_of_one_currency_add_exactly() -> None:
    assert Money.of("0.10", "USD") + Money.of("0.20", "USD") == Money.of("0.30", "USD")


def test_amounts_of_one_currency_subtract_exactly() -> None:
    assert Money.of(1000, "KRW") - Money.of(1500, "KRW") == Money.of(-500, "KRW")


def test_amounts_of_one_currency_compare_by_amount() -> None:
    small, large = Money.of("9.99", "USD"), Money.of("10.00", "USD")

    assert small < large
    assert small <= large
    assert large > small
    assert large >= small
    assert large >= Money.of(10, "USD")


def test_equal_amounts_in_different_currencies_are_not_equal() -> None:
    assert Money.of(10, "USD") != Money.of(10, "EUR")


def test_zero_is_not_positive() -> None:
    assert not Money.zero("KRW").is_positive
    assert Money.of(1, "KRW").is_positive


def test_money_reads_with_thousands_separators() -> None:
    assert str(Money.of(23_800_000, "KRW")) == "23,800,000 KRW"


@pytest.mark.parametrize(
    "combine",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
    ids=["add", "subtract", "lt", "le", "gt", "ge"],
)
def test_mixing_currencies_is_refused(
    combine: Callable[[Money, Money], object],
) -> None:
    with pytest.raises(CurrencyMismatchError) as excinfo:
        combine(Money.of(10, "USD"), Money.of(10, "EUR"))

    assert excinfo.value.field == "currency"


# -- installment plans --------------------------------------------------------


def test_an_even_plan_splits_the_total_equally() -> None:
    plan = installment_plan(Money.of(3_000_000, "KRW"), 3, date(2024, 1, 10))

    assert [i.amount for i in plan] == [Money.of(1_000_000, "KRW")] * 3
    assert [i.number for i in plan] == [1, 2, 3]


def test_the_last_installment_takes_the_remainder() -> None:
    plan = installment_plan(Money.of("10.00", "USD"), 3, date(2024, 1, 10))

    assert [i.amount for i in plan] == [
        Money.of("3.33", "USD"),
        Money.of("3.33", "USD"),
        Money.of("3.34", "USD"),
    ]


def test_a_plan_without_minor_unit_takes_the_remainder_in_whole_won() -> None:
    plan = installment_plan(Money.of(100, "KRW"), 3, date(2024, 1, 10))

    assert [i.amount.amount for i in plan] == [33, 33, 34]


def test_a_plan_sums_exactly_to_the_total() -> None:
    total = Money.of("1000.000", "BHD")

    plan = installment_plan(total, 7, date(2024, 1, 10))

    assert sum((i.amount for i in plan), Money.zero("BHD")) == total


def test_installments_fall_due_monthly() -> None:
    plan = installment_plan(Money.of(300, "KRW"), 3, date(2024, 11, 15))

    assert [i.due_on for i in plan] == [
        date(2024, 11, 15),
        date(2024, 12, 15),
        date(2025, 1, 15),
    ]


def test_a_due_date_past_the_month_end_is_clamped_to_it() -> None:
    plan = installment_plan(Money.of(400, "KRW"), 4, date(2024, 1, 31))

    assert [i.due_on for i in plan] == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]


def test_installments_may_fall_due_every_few_months() -> None:
    plan = installment_plan(Money.of(300, "KRW"), 3, date(2024, 1, 1), every_months=3)

    assert [i.due_on for i in plan] == [
        date(2024, 1, 1),
        date(2024, 4, 1),
        date(2024, 7, 1),
    ]


def test_a_plan_falling_due_after_the_last_date_there_is_is_refused() -> None:
    with pytest.raises(ValidationError, match="after 9999-12-31") as excinfo:
        installment_plan(Money.of(1200, "USD"), 12, date(9999, 6, 1))

    assert (excinfo.value.subject, excinfo.value.field) == ("installment plan", "count")
    assert installment_plan(Money.of(700, "USD"), 7, date(9999, 6, 1))[-1].due_on == (
        date(9999, 12, 1)
    )


def test_a_plan_of_one_installment_is_the_total() -> None:
    (only,) = installment_plan(Money.of("99.99", "USD"), 1, date(2024, 1, 1))

    assert only.amount == Money.of("99.99", "USD")


def test_more_installments_than_minor_units_are_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        installment_plan(Money.of(5, "KRW"), 6, date(2024, 1, 1))

    assert excinfo.value.field == "count"


def test_as_many_installments_as_minor_units_are_accepted() -> None:
    plan = installment_plan(Money.of("0.05", "USD"), 5, date(2024, 1, 1))

    assert [i.amount for i in plan] == [Money.of("0.01", "USD")] * 5


def test_a_plan_of_no_installment_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        installment_plan(Money.of(100, "KRW"), 0, date(2024, 1, 1))

    assert excinfo.value.field == "count"


# -- horizon ------------------------------------------------------------------

AS_OF = date(2024, 6, 1)


@pytest.mark.parametrize(
    ("expected_close_on", "expected"),
    [
        (date(2024, 5, 1), Horizon.SHORT),  # overdue
        (date(2024, 6, 1), Horizon.SHORT),  # today
        (date(2024, 10, 1), Horizon.SHORT),  # 4 months
        (date(2024, 10, 31), Horizon.SHORT),  # 4 months and 30 days
        (date(2024, 11, 1), Horizon.MID),  # 5 months
        (date(2025, 6, 1), Horizon.MID),  # 12 months
        (date(2025, 6, 30), Horizon.MID),  # 12 months and 29 days
        (date(2025, 7, 1), Horizon.LONG),  # 13 months
        (date(2026, 6, 1), Horizon.LONG),  # 24 months
    ],
)
def test_the_horizon_counts_whole_months_to_the_expected_close(
    expected_close_on: date, expected: Horizon
) -> None:
    assert horizon(expected_close_on, AS_OF) == expected


def test_a_month_is_not_whole_until_its_day_is_reached() -> None:
    as_of = date(2024, 6, 15)

    assert horizon(date(2024, 11, 14), as_of) == Horizon.SHORT
    assert horizon(date(2024, 11, 15), as_of) == Horizon.MID


def test_an_amount_too_large_to_be_exact_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Money(Decimal("1e30"), "USD")

    assert excinfo.value.field == "amount"


def test_a_boolean_is_not_an_amount() -> None:
    with pytest.raises(ValidationError, match="booleans"):
        Money.of(True, "KRW")


def test_a_plan_needs_at_least_a_month_between_installments() -> None:
    with pytest.raises(ValidationError) as excinfo:
        installment_plan(Money.of(100, "KRW"), 2, date(2024, 1, 1), every_months=0)

    assert excinfo.value.field == "every_months"


@pytest.mark.parametrize(
    "amount", ["9" * 1_000 + ".5", "x" * 1_000, Decimal("1" * 1_000 + ".25")]
)
def test_a_refused_amount_is_quoted_not_echoed_whole(amount: object) -> None:
    with pytest.raises(ValidationError) as refused:
        Money.of(amount, "KRW")  # type: ignore[arg-type]

    message = str(refused.value)
    assert len(message) < 200
    assert "(1,00" in message  # its length is named instead


@pytest.mark.parametrize("written", ["1_000", "1e3", "٣", "１２", "1,000", "12.", ".5"])
def test_an_amount_written_otherwise_than_1234_50_is_refused(written: str) -> None:
    # Decimal reads most of these: 1_000 as 1000, ٣ (Arabic-Indic) as 3.
    with pytest.raises(ValidationError, match=r"not an amount written like 1234\.50"):
        Money.of(written, "USD")


def test_an_amount_written_plainly_is_read_exactly() -> None:
    assert Money.of(" -1234.50 ", "USD").amount == Decimal("-1234.50")
