"""Money: a ``Decimal`` amount and an ISO 4217 currency, exact to the minor unit."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Self

import attrs

from b2bcore.domain.errors import (
    CurrencyMismatchError,
    ValidationError,
    quoted,
    shortened,
)

#: Minor units (digits after the decimal point) of the currencies b2bcore
#: accepts. KRW and JPY have none: ₩23,800,000 has no cents.
MINOR_UNITS: dict[str, int] = {
    "AED": 2, "AUD": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2, "CNY": 2,
    "CZK": 2, "DKK": 2, "EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2, "IDR": 2,
    "ILS": 2, "INR": 2, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3, "MXN": 2,
    "MYR": 2, "NOK": 2, "NZD": 2, "OMR": 3, "PHP": 2, "PLN": 2, "SAR": 2,
    "SEK": 2, "SGD": 2, "THB": 2, "TND": 3, "TRY": 2, "TWD": 2, "USD": 2,
    "VND": 0, "ZAR": 2,
}  # fmt: skip


#: An amount written as text: ASCII digits, a minus, a decimal point
#: (``1234.50``). ``Decimal`` also reads ``1_000``, ``1e3`` and digits of
#: other scripts (``٣``); an amount written so is refused.
AMOUNT_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


def amount_of(text: str) -> Decimal:
    """The amount ``text`` writes like ``1234.50`` (spaces around it
    ignored); a ValidationError otherwise."""
    written = text.strip()
    if AMOUNT_TEXT.fullmatch(written) is None:
        raise ValidationError(
            "money",
            "amount",
            f"{quoted(written)} is not an amount written like 1234.50",
        )
    return Decimal(written)


def _check_currency(
    instance: Money, attribute: attrs.Attribute[str], value: str
) -> None:
    if value not in MINOR_UNITS:
        raise ValidationError(
            "money", "currency", f"{quoted(value)} is not a supported ISO 4217 code"
        )


def _check_amount(
    instance: Money, attribute: attrs.Attribute[Decimal], value: Decimal
) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationError(
            "money",
            "amount",
            f"{quoted(value)} must be a finite Decimal (never a float)",
        )


@attrs.frozen(order=False)
class Money:
    """An exact amount of one currency.

    The amount is kept at the currency's minor unit (``USD 5`` is stored as
    ``5.00``); an amount finer than that is refused rather than rounded.
    """

    amount: Decimal = attrs.field(validator=_check_amount)
    currency: str = attrs.field(validator=_check_currency)

    def __attrs_post_init__(self) -> None:
        quantum = Decimal(1).scaleb(-MINOR_UNITS[self.currency])
        try:
            quantized = self.amount.quantize(quantum)
        except InvalidOperation:
            raise ValidationError(
                "money", "amount", f"{quoted(self.amount)} is too large to be exact"
            ) from None
        if quantized != self.amount:
            raise ValidationError(
                "money",
                "amount",
                f"{shortened(self.amount)} {self.currency} has more decimals than the "
                f"currency's {MINOR_UNITS[self.currency]}",
            )
        object.__setattr__(self, "amount", quantized)

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Self:
        """Parse ``amount`` (a Decimal, int or text written like ``1234.50``:
        ``amount_of``) in ``currency``."""
        if isinstance(amount, float | bool):
            raise ValidationError(
                "money",
                "amount",
                f"{quoted(amount)}: floats and booleans are not accepted",
            )
        if isinstance(amount, str):
            return cls(amount_of(amount), currency)
        try:
            return cls(Decimal(amount), currency)
        except InvalidOperation:
            raise ValidationError(
                "money", "amount", f"{quoted(amount)} is not a decimal number"
            ) from None

    @classmethod
    def trusted(cls, amount: Decimal, currency: str) -> Self:
        """Money already validated once (read back from the store): skips the
        checks. Never use it for input."""
        money = object.__new__(cls)
        object.__setattr__(money, "amount", amount)
        object.__setattr__(money, "currency", currency)
        return money

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Self:
        """The money of ``minor`` minor units (cents, or won) of ``currency``,
        as read back from a report table."""
        return cls.trusted(Decimal(minor).scaleb(-MINOR_UNITS[currency]), currency)

    @property
    def minor(self) -> int:
        """The amount in minor units: exact, since the amount is kept at the
        currency's minor unit."""
        return int(self.amount.scaleb(MINOR_UNITS[self.currency]))

    @classmethod
    def zero(cls, currency: str) -> Self:
        return cls(Decimal(0), currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatchError(
                "money",
                "currency",
                f"cannot combine {self.currency} with {other.currency}",
            )

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount >= other.amount

    @property
    def is_positive(self) -> bool:
        return self.amount > 0

    def __str__(self) -> str:
        return f"{self.amount:,} {self.currency}"
