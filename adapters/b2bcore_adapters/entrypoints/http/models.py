"""The JSON bodies of the commands, made from their declarations
(``b2bcore.application.commands``): typed, unknown fields refused."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar, get_type_hints

import attrs
from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator
from pydantic_core import PydanticCustomError

from b2bcore import Money
from b2bcore.application import commands as c
from b2bcore.domain.money import AMOUNT_TEXT
from b2bcore.domain.values import Contact, Installment, OrderLine, ReviewArea
from b2bcore_adapters.render.plain import from_plain

R = TypeVar("R")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def unicode_text(cls, value: object) -> object:
        """Every text field, before anything reads the body (the idempotency
        key's fingerprint serialises it): JSON's ``"\\ud800"`` is a lone
        surrogate, half a character, which no UTF-8 text can hold."""
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    raise PydanticCustomError(
                        "unicode_text", "is not valid Unicode text (a lone surrogate)"
                    ) from None
        return value


class MoneyBody(Body):
    amount: Decimal = Field(allow_inf_nan=False)
    currency: str

    @field_validator("amount", mode="before")
    @classmethod
    def written_plainly(cls, value: object) -> object:
        """An amount in text as ``Money.of`` reads it (``amount_of``):
        ``1234.50``, not ``1_000``, ``1e3`` or another script's digits."""
        if isinstance(value, str) and AMOUNT_TEXT.fullmatch(value.strip()) is None:
            raise PydanticCustomError(
                "amount_text", "is not an amount written like 1234.50"
            )
        return value


class InstallmentBody(Body):
    number: int
    due_on: date
    amount: MoneyBody


class WithReason(Body):
    """A command whose reason is required."""

    on: date | None = None
    reason: str


class FindingBody(Body):
    area: ReviewArea
    description: str


class OrderLineBody(Body):
    product: str
    value: MoneyBody
    order_reference: str
    contact: str
    installments: list[InstallmentBody] = []


#: How a JSON body types a declared field of each type that is not plain
#: JSON (the validated body is turned back into the declared values by
#: ``plain.from_plain``, as the command line's options are).
BODY_TYPES: dict[Any, Any] = {
    Money: MoneyBody,
    Money | None: MoneyBody | None,
    Sequence[Installment]: list[InstallmentBody],
    Sequence[str]: list[str],
    Sequence[tuple[ReviewArea, str]]: list[FindingBody],
    Sequence[OrderLine]: list[OrderLineBody],
    # A contact arrives as its name: the domain seals it.
    str | Contact: str,
    str | Contact | None: str | None,
}
#: Fields no body gives: who records the command comes from the token.
NOT_IN_BODIES = frozenset({"actor", "correlation_id", "causation_id"})


def path_fields(declared: type[c.Command[Any]]) -> tuple[str, ...]:
    """The fields a command's path gives: its target, then those its route
    names (``{number}``)."""
    target = declared.target_field()
    named = tuple(re.findall(r"{(\w+)}", declared.ROUTE))
    return named if target is None else (target.name, *named)


def body_of(declared: type[c.Command[Any]]) -> type[Body]:
    """The JSON body of a command: every field but those of its path and
    its attribution, typed as ``BODY_TYPES`` says."""
    hints = get_type_hints(declared)
    left_out = NOT_IN_BODIES | set(path_fields(declared))
    fields: dict[str, Any] = {}
    for field in attrs.fields(declared):
        if field.name in left_out:
            continue
        kind = BODY_TYPES.get(hints[field.name], hints[field.name])
        default = field.default
        if default is attrs.NOTHING:
            default = ...
        elif isinstance(default, tuple):
            default = list(default)
        fields[field.name] = (kind, default)
    model: type[Body] = create_model(
        declared.__name__, __base__=Body, __doc__=declared.__doc__, **fields
    )
    return model


def command_of(
    declared: type[c.Command[R]],
    body: BaseModel,
    path: Mapping[str, Any],
    actor: str,
) -> c.Command[R]:
    """The command a request asks for: its path's and body's fields, turned
    back into the declared types, recorded as made by ``actor``."""
    hints = get_type_hints(declared)
    given = body.model_dump(mode="json")
    values = {name: from_plain(hints[name], value) for name, value in given.items()}
    return declared(**path, **values, actor=actor)
