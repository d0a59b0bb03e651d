"""The accounts (and their assets' terms and contacts) the write, latency
and loading benchmarks record: every one alike but for its name, so every
event of a kind has the same size."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

from b2bcore import BusinessLine, Contact, ContactChannel, Grade, Money
from b2bcore.domain.account import Account
from b2bcore.domain.aggregate import Provenance
from b2bcore.domain.values import add_months

DAY = date(2000, 1, 3)
META = Provenance(actor="benchmark")
#: An asset's terms: its value, paid in 4 monthly installments from a
#: month after the purchase, and a year of usage.
VALUE = Money.of(4_000_000, "KRW")
INSTALLMENTS = 4
FIRST_DUE = add_months(DAY, 1)
USAGE_END = add_months(DAY, 12)


def name(number: int) -> str:
    return f"Company {number:08d}"


def fields(number: int) -> dict[str, Any]:
    """The registration of account ``number``, as keyword arguments."""
    return {
        "name": name(number),
        "grade": Grade.STANDARD,
        "sector": "Logistics",
        "region": "Seoul",
        "country": "KR",
        "business_line": BusinessLine.DOMESTIC,
        "preferred_channel": ContactChannel.EMAIL,
    }


def registered(number: int) -> Account:
    """Account ``number`` built with the domain class, its event pending."""
    return Account.register(uuid4(), **fields(number), on=DAY, meta=META)


def contact(number: int) -> Contact:
    """Customer ``number``'s contact person: one person (and key) each."""
    return Contact(
        name=f"Contact {number:08d}",
        email=f"contact.{number:08d}@example.com",
        phone=f"+82 2 {number % 10_000:04d} {number // 10_000 % 10_000:04d}",
    )
