"""The accounts the write, latency and loading benchmarks record: every one
alike but for its name, so every event of a kind has the same size."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

from b2bcore import BusinessLine, ContactChannel, Grade
from b2bcore.account import Account
from b2bcore.aggregate import Provenance

DAY = date(2000, 1, 3)
META = Provenance(actor="benchmark")


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
