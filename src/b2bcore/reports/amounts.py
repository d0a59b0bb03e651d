"""Sums of money that may span currencies: never added across them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal

import attrs

from b2bcore.domain.money import MINOR_UNITS, Money


@attrs.frozen
class Amounts(Mapping[str, Decimal]):
    """Totals per currency (an immutable mapping currency → amount)."""

    totals: tuple[Money, ...] = ()

    @classmethod
    def of(cls, amounts: Iterable[Money]) -> Amounts:
        sums: dict[str, Decimal] = {}
        for money in amounts:
            sums[money.currency] = sums.get(money.currency, Decimal(0)) + money.amount
        return cls(tuple(Money(sums[c], c) for c in sorted(sums)))

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts.of((*self.totals, *other.totals))

    def __getitem__(self, currency: str) -> Decimal:
        for money in self.totals:
            if money.currency == currency:
                return money.amount
        raise KeyError(currency)

    def __iter__(self) -> Iterator[str]:
        return (money.currency for money in self.totals)

    def __len__(self) -> int:
        return len(self.totals)

    def __str__(self) -> str:
        return " + ".join(map(str, self.totals)) or "0"


def weighted(money: Money, probability: Decimal) -> Money:
    """``money`` × ``probability``, rounded half-even at the minor unit."""
    quantum = Decimal(1).scaleb(-MINOR_UNITS[money.currency])
    return Money((money.amount * probability).quantize(quantum), money.currency)
