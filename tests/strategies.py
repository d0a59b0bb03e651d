"""Hypothesis strategies shared by every property test: valid values and
commands of the domain."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from b2bcore import Money, installment_plan
from b2bcore.money import MINOR_UNITS
from b2bcore.values import Installment

START = date(2020, 1, 1)
END = date(2030, 12, 31)

currencies = st.sampled_from(["KRW", "USD", "EUR", "JPY", "BHD"])
business_dates = st.dates(min_value=START, max_value=END)
texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    min_size=1,
    max_size=20,
).filter(lambda s: s.strip() != "")
days = st.integers(min_value=0, max_value=400)


@st.composite
def money(
    draw: st.DrawFn, currency: str | None = None, max_units: int = 10**9
) -> Money:
    """A positive amount, exact at the currency's minor unit."""
    code = currency or draw(currencies)
    minor = MINOR_UNITS[code]
    units = draw(st.integers(min_value=1, max_value=max_units * 10**minor))
    return Money(Decimal(units).scaleb(-minor), code)


@st.composite
def plans(draw: st.DrawFn, value: Money, first_due_on: date) -> tuple[Installment, ...]:
    """An installment plan summing to ``value``: 1–12 installments, at least
    one minor unit each."""
    minor_units = int(value.amount.scaleb(MINOR_UNITS[value.currency]))
    count = draw(st.integers(min_value=1, max_value=min(12, minor_units)))
    every = draw(st.integers(min_value=1, max_value=3))
    return installment_plan(value, count, first_due_on, every_months=every)


def after(day: date, gap: int) -> date:
    return day + timedelta(days=gap)
