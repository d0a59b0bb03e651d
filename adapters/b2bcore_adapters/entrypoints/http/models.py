"""The JSON bodies of the commands, made from their declarations
(``b2bcore.application.commands``): typed, unknown fields refused."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar, get_type_hints

import attrs
from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator
from pydantic_core import PydanticCustomError

from b2bcore import Money
from b2bcore.application import commands as c
from b2bcore.domain.values import Contact, Installment, OrderLine, ReviewArea

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

    def money(self) -> Money:
        return Money(self.amount, self.currency)


class InstallmentBody(Body):
    number: int
    due_on: date
    amount: MoneyBody

    def installment(self) -> Installment:
        return Installment(self.number, self.due_on, self.amount.money())


def installments(items: list[InstallmentBody]) -> tuple[Installment, ...]:
    return tuple(item.installment() for item in items)


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

    def order_line(self) -> OrderLine:
        return OrderLine(
            self.product,
            self.value.money(),
            self.order_reference,
            self.contact,
            installments(self.installments),
        )


def _identity(value: Any) -> Any:
    return value


def _money(body: MoneyBody | None) -> Money | None:
    return None if body is None else body.money()


#: How a JSON body takes a declared field of each type that is not plain
#: JSON, and what turns it back into the field's value.
BODY_TYPES: dict[Any, tuple[Any, Callable[[Any], Any]]] = {
    Money: (MoneyBody, _money),
    Money | None: (MoneyBody | None, _money),
    Sequence[Installment]: (list[InstallmentBody], installments),
    Sequence[str]: (list[str], tuple),
    Sequence[tuple[ReviewArea, str]]: (
        list[FindingBody],
        lambda items: tuple((f.area, f.description) for f in items),
    ),
    Sequence[OrderLine]: (
        list[OrderLineBody],
        lambda items: tuple(line.order_line() for line in items),
    ),
    # A contact arrives as its name: the domain seals it.
    str | Contact: (str, _identity),
    str | Contact | None: (str | None, _identity),
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
        kind, _ = BODY_TYPES.get(hints[field.name], (hints[field.name], None))
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
    values = dict(path)
    for name in type(body).model_fields:
        _, back = BODY_TYPES.get(hints[name], (None, _identity))
        values[name] = back(getattr(body, name))
    return declared(**values, actor=actor)
