"""The OpenAPI schema of what ``plain()`` renders: a pydantic type for each
view and report type, made from its attrs fields, so every answer of the API
is typed in its document (money as ``{"amount", "currency"}``, a sum over
currencies as a list of them, sets as sorted lists, mappings keyed by text)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence, Set
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints
from uuid import UUID

import attrs
from pydantic import BaseModel, ConfigDict, create_model

from b2bcore import Money
from b2bcore.reports.amounts import Amounts


class MoneyOut(BaseModel):
    """An amount of one currency, exact at its minor unit."""

    amount: str
    currency: str


def schema_of(hint: Any) -> Any:
    """The pydantic type of ``plain(value)`` for a value of type ``hint``."""
    origin, arguments = get_origin(hint), get_args(hint)
    if origin in (UnionType, Union):
        choices = tuple(schema_of(a) for a in arguments)
        return functools.reduce(lambda a, b: a | b, choices)
    if hint is Money:
        return MoneyOut
    if hint is Amounts:
        return list[MoneyOut]
    if hint in (NoneType, None):
        return NoneType
    if hint in (bool, int, float, str, date, datetime, UUID):
        return hint
    if hint is Decimal:
        return str
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint
    if origin is tuple and arguments and arguments[-1] is not Ellipsis:
        return list[Any]
    if origin in (tuple, list, Sequence, Set, frozenset, set):
        return list[schema_of(arguments[0])]  # type: ignore[misc]
    if origin in (dict, Mapping):
        return dict[str, schema_of(arguments[1])]  # type: ignore[misc]
    if attrs.has(hint):
        # A type holding itself (a cut of a report by a dimension) is any
        # object where it recurs.
        return Any if hint in _BUILDING else _model(hint)
    return Any


_BUILDING: set[type[Any]] = set()


@functools.cache
def _model(kind: type[Any]) -> type[BaseModel]:
    hints = get_type_hints(kind)
    _BUILDING.add(kind)
    try:
        fields: dict[str, Any] = {
            f.name: (schema_of(hints[f.name]), ...) for f in attrs.fields(kind)
        }
        for name in getattr(kind, "DERIVED", ()):
            worked_out = get_type_hints(getattr(kind, name).fget)["return"]
            fields[name] = (schema_of(worked_out), ...)
    finally:
        _BUILDING.discard(kind)
    model: type[BaseModel] = create_model(
        kind.__name__,
        __config__=ConfigDict(extra="forbid"),
        __doc__=kind.__doc__,
        **fields,
    )
    return model
