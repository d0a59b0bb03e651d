"""The hypothesis strategies now live in the test kit,
``b2bcore.testing.strategies``: import them from there. This re-export keeps
tests written before the move working."""

from b2bcore.testing.strategies import (
    History,
    blank_texts,
    business_dates,
    currencies,
    histories,
    money,
    money_in,
    plans,
    texts,
)

__all__ = [
    "History",
    "blank_texts",
    "business_dates",
    "currencies",
    "histories",
    "money",
    "money_in",
    "plans",
    "texts",
]
