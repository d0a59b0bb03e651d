"""Views and reports as plain JSON values, the one rendering the CLI's
``--json`` and the HTTP API share: snake_case keys, money as ``{"amount":
"23800000", "currency": "KRW"}`` (a sum over currencies as a list of them),
dates ISO, ids as strings, rates as numbers (null when there is no data)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from types import MappingProxyType, UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints
from uuid import UUID

import attrs

from b2bcore import B2BCoreError, Money
from b2bcore.domain.money import AMOUNT_TEXT
from b2bcore.domain.values import Contact, ReviewArea, contact_of
from b2bcore.reports.amounts import Amounts

JSON = Any

#: A date as a document or an option writes it: YYYY-MM-DD in ASCII digits
#: (``date.fromisoformat`` alone also reads ``20241101`` and ``2024-W01``).
DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: A timestamp likewise: such a date, ``T``, the time, and its time zone
#: (``datetime.fromisoformat`` also reads ``20240601T120000Z`` and weeks).
MOMENT_TEXT = re.compile(
    DATE_TEXT.pattern
    + r"T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(?P<zone>Z|[+-][0-9]{2}:[0-9]{2})?"
)


def moment_of(text: str) -> datetime:
    """The timestamp ``text`` writes like ``2024-06-01T12:00:00+00:00``; a
    ValueError saying what is wanted otherwise, one without a time zone
    refused rather than guessed."""
    written = MOMENT_TEXT.fullmatch(text)
    try:
        if written is None:
            raise ValueError(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a timestamp (e.g. 2024-06-01T12:00:00+00:00)"
        ) from None
    if written["zone"] is None:
        raise ValueError(f"{text!r} has no time zone: add one (Z, +00:00, +09:00)")
    return moment


class NotJsonError(ValueError):
    """What a strict reading of a JSON text found that JSON does not allow."""


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    found: dict[str, object] = {}
    for key, value in pairs:
        if key in found:
            raise NotJsonError(f'holds the key "{key}" twice in one object')
        found[key] = value
    return found


def _no_constant(name: str) -> object:
    raise NotJsonError(f"holds {name}, which is not JSON")


def strict_json(text: str) -> JSON:
    """The document a JSON text holds, read strictly (RFC 8259): a key twice
    in one object (``json`` keeps the last), ``NaN`` or ``Infinity``, and
    nesting past Python's recursion limit are a NotJsonError naming it; any
    other flaw is ``json``'s ValueError."""
    try:
        return json.loads(
            text, object_pairs_hook=_unique_keys, parse_constant=_no_constant
        )
    except RecursionError:
        raise NotJsonError("JSON nested too deeply") from None


def money(value: Money) -> JSON:
    """An amount with its currency: ``{"amount": "23800000", "currency":
    "KRW"}``, the amount a decimal string exact at the currency's minor unit."""
    return {"amount": str(value.amount), "currency": value.currency}


def amount(value: Amounts | Money | None) -> JSON:
    """Money as ``money``; a sum as a list of them, one per currency in
    code order (``[]`` when there is no money at all); None as null."""
    if value is None:
        return None
    if isinstance(value, Money):
        return money(value)
    return [
        {"amount": str(total), "currency": currency}
        for currency, total in sorted(value.items())
    ]


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
        names += getattr(type(value), "DERIVED", ())  # worked-out figures
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, Mapping):
        return {key(k): plain(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(plain(v) for v in value)
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    raise TypeError(f"no JSON form for {type(value).__name__}")


#: The pairs a JSON document gives as an object, as the HTTP API takes them:
#: a gate review's finding is ``{"area": "finance", "description": "…"}``.
NAMED_PAIRS: Mapping[Any, tuple[str, str]] = {
    tuple[ReviewArea, str]: ("area", "description"),
}


def from_plain(hint: Any, value: JSON) -> Any:
    """The value of type ``hint`` that ``plain`` renders as ``value`` (a
    contact may be given as its name); ValueError names what does not fit."""
    origin, arguments = get_origin(hint), get_args(hint)
    if origin in (UnionType, Union):
        if value is None and type(None) in arguments:
            return None
        choices = [a for a in arguments if a is not type(None)]
        if len(choices) == 1:  # X | None: X's own error, typed as X raises it
            return from_plain(choices[0], value)
        problems = []
        for choice in choices:
            try:
                return from_plain(choice, value)
            except (ValueError, TypeError) as error:
                problems.append(str(error))
        raise ValueError("; ".join(problems))
    if hint is Money:
        if not isinstance(value, Mapping) or set(value) != {"amount", "currency"}:
            raise ValueError(f'{value!r} is not {{"amount": "…", "currency": "…"}}')
        if not isinstance(value["amount"], str):  # as the HTTP API reads one
            raise ValueError(
                f"{value['amount']!r}: an amount is a decimal string written "
                'like "1234.50"'
            )
        return Money.of(value["amount"], str(value["currency"]))
    if hint is Contact and isinstance(value, str):
        return contact_of(value)
    if origin in (tuple, list, Sequence):
        if hint in NAMED_PAIRS and isinstance(value, Mapping):
            names = NAMED_PAIRS[hint]
            if unknown := set(value) - set(names):
                raise ValueError(f"unknown fields {sorted(unknown)}")
            value = [value.get(name) for name in names]
        if not isinstance(value, list):
            raise ValueError(f"{value!r} is not a list")
        if origin is tuple and arguments and arguments[-1] is not Ellipsis:
            if len(arguments) != len(value):
                raise ValueError(f"{value!r} is not {len(arguments)} items")
            return tuple(
                from_plain(a, v) for a, v in zip(arguments, value, strict=True)
            )
        return tuple(from_plain(arguments[0], v) for v in value)
    if origin in (dict, Mapping, MappingProxyType):
        if not isinstance(value, Mapping):
            raise ValueError(f"{value!r} is not an object")
        keys, values = arguments
        return {
            _scalar(
                keys, int(k) if keys is int and k.isascii() and k.isdigit() else k
            ): from_plain(values, v)
            for k, v in value.items()
        }
    if attrs.has(hint):
        if not isinstance(value, Mapping):
            raise ValueError(f"{value!r} is not an object")
        hints = get_type_hints(hint)
        fields = attrs.fields(hint)
        if unknown := set(value) - {f.name for f in fields}:
            raise ValueError(f"unknown fields {sorted(unknown)}")
        # A list left out is empty (as in the HTTP API's bodies), unless the
        # field has a default of its own.
        lists = {
            f.name
            for f in fields
            if get_origin(hints[f.name]) in (tuple, list) and f.default is attrs.NOTHING
        }
        needed = {f.name for f in fields if f.default is attrs.NOTHING} - lists
        if missing := needed - set(value):
            raise ValueError(f"missing fields {sorted(missing)}")
        given = {k: _field(k, hints[k], v) for k, v in value.items()}
        return hint(**dict.fromkeys(lists - set(value), ()), **given)
    return _scalar(hint, value)


def _field(name: str, hint: Any, value: JSON) -> Any:
    """An object's field ``name`` from ``value``; what does not fit is a
    ValueError that names the field (``review_board.minimum_margin: …``)."""
    try:
        return from_plain(hint, value)
    except B2BCoreError:  # the value's own rule, typed as it raises it
        raise
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None


def _scalar(hint: Any, value: JSON) -> Any:
    if (
        hint is Decimal
        and isinstance(value, str)
        and not AMOUNT_TEXT.fullmatch(value.strip())
    ):
        # Decimal also reads 1_000, 1e3 and other scripts' digits.
        raise ValueError(f"{value!r} is not a decimal written like 1234.50")
    if hint is date:
        try:
            if not DATE_TEXT.fullmatch(value):
                raise ValueError(value)
            return date.fromisoformat(value)
        except (ValueError, TypeError):  # TypeError: not a text at all
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    if hint in (UUID, Decimal) or (isinstance(hint, type) and issubclass(hint, Enum)):
        try:
            return hint(value)
        except (ValueError, TypeError, ArithmeticError):
            raise ValueError(f"{value!r} is not a {hint.__name__}") from None
    if hint in (str, int, bool) and type(value) is hint:
        return value
    if hint is float and type(value) in (int, float):
        return float(value)
    raise ValueError(f"{value!r} is not a {getattr(hint, '__name__', hint)}")


#: The fields of an account and a deal in a listing (``b2b accounts`` /
#: ``b2b deals`` and ``GET /accounts`` / ``GET /opportunities``), each read
#: from the item by its function.
Fields = Mapping[str, Callable[[Any], object]]
ACCOUNT_FIELDS: Fields = {
    "name": lambda a: a.name,
    "id": lambda a: a.id,
    "grade": lambda a: a.grade,
    "sector": lambda a: a.sector,
    "preferred_channel": lambda a: a.preferred_channel,
    "registered_on": lambda a: a.registered_on,
}
DEAL_FIELDS: Fields = {
    "name": lambda d: d.name,
    "id": lambda d: d.id,
    "account_id": lambda d: d.account_id,
    "owner": lambda d: d.owner,
    "opened_on": lambda d: d.opened_on,
    "tier": lambda d: d.tier_history[-1].tier if d.tier_history else None,
    "outcome": lambda d: d.outcome,
    "closed_on": lambda d: d.closed_on,
    "amount": lambda d: d.amount,
}


def listing(found: Iterable[Any], fields: Fields) -> JSON:
    """Each item as one object of ``fields``."""
    return [{k: plain(read(item)) for k, read in fields.items()} for item in found]


def dumps(document: JSON) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)
