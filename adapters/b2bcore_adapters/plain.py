"""Reports as plain JSON values: snake_case keys, money as decimal strings,
dates ISO, ids as strings, rates as numbers (null when there is no data)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import attrs

from b2bcore import Money
from b2bcore.reports.amounts import Amounts

JSON = Any


def amount(value: Amounts | Money | None) -> JSON:
    """Money as a decimal string; a sum over several currencies as an object
    currency → decimal string; no money at all as "0"."""
    if value is None:
        return None
    if isinstance(value, Money):
        return str(value.amount)
    if len(value) == 0:
        return "0"
    if len(value) == 1:
        return str(next(iter(value.values())))
    return {currency: str(total) for currency, total in value.items()}


def key(value: object) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def plain(value: object) -> JSON:
    """Any report value as JSON-ready data."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Amounts | Money):
        return amount(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if attrs.has(type(value)):
        names = [f.name for f in attrs.fields(type(value))]  # type: ignore[arg-type]
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, Mapping):
        return {key(k): plain(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(plain(v) for v in value)
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    raise TypeError(f"no JSON form for {type(value).__name__}")


def dumps(document: JSON) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)
