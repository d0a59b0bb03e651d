"""The types of what a request carries: the JSON bodies of the commands,
made from their declarations (``b2bcore.application.commands``), typed and
unknown fields refused; and the strict types of dates, timestamps and path
numbers, in bodies, query strings and paths alike."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar, get_type_hints

import attrs
from fastapi import Path
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StrictBool,
    StrictInt,
    WithJsonSchema,
    create_model,
    field_validator,
)
from pydantic_core import PydanticCustomError

from b2bcore import Money
from b2bcore.application import commands as c
from b2bcore.domain.money import AMOUNT_TEXT
from b2bcore.domain.values import Contact, Installment, OrderLine, ReviewArea
from b2bcore_adapters.render.plain import DATE_TEXT, from_plain, moment_of

R = TypeVar("R")


def day(value: object) -> date:
    """A date as a request writes it: text ``YYYY-MM-DD`` in ASCII digits,
    not a timestamp, a number or ``20240102``."""
    rule = "must be a date YYYY-MM-DD"
    if not isinstance(value, str) or DATE_TEXT.fullmatch(value) is None:
        raise PydanticCustomError("date_text", rule)
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise PydanticCustomError(
            "date_text", rule + ": {problem}", {"problem": str(error)}
        ) from None


def moment(value: object) -> datetime:
    """A timestamp as a request writes it: ISO 8601 text with a time zone;
    a naive one is refused rather than guessed (as ``b2b --known-at``)."""
    with contextlib.suppress(ValueError):
        if isinstance(value, str):
            return moment_of(value)
    raise PydanticCustomError(
        "timestamp",
        "must be a timestamp ISO 8601 with a time zone (2024-06-01T12:00:00+00:00)",
    )


Day = Annotated[date, BeforeValidator(day)]
Moment = Annotated[datetime, BeforeValidator(moment)]
#: A number in a path (an installment's, an inspection's, a gate's…):
#: numbers count from 1.
Ordinal = Annotated[int, Path(ge=1, description="Numbered from 1.")]
#: How a request types a declared value wherever it carries it (a body, a
#: query string): strictly, not as pydantic's lax mode would.
REQUEST_TYPES: dict[Any, Any] = {
    date: Day,
    date | None: Day | None,
    datetime: Moment,
    datetime | None: Moment | None,
}
#: How a path types a declared value.
PATH_TYPES: dict[Any, Any] = {int: Ordinal}


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
    amount: Annotated[
        Decimal,
        WithJsonSchema(
            {
                "type": "string",
                "pattern": f"^{AMOUNT_TEXT.pattern}$",
                "examples": ["1200.00"],
            }
        ),
    ]
    currency: str

    @field_validator("amount", mode="before")
    @classmethod
    def written_plainly(cls, value: object) -> object:
        """An amount in text as ``Money.of`` reads it (``amount_of``):
        ``"1234.50"``, not a JSON number, ``1_000``, ``1e3`` or another
        script's digits."""
        if not isinstance(value, str):
            raise PydanticCustomError(
                "amount_text", 'must be a decimal string written like "1234.50"'
            )
        if AMOUNT_TEXT.fullmatch(value.strip()) is None:
            raise PydanticCustomError(
                "amount_text", "is not an amount written like 1234.50"
            )
        return value


class InstallmentBody(Body):
    number: StrictInt
    due_on: Day
    amount: MoneyBody


class WithReason(Body):
    """A command whose reason is required."""

    on: Day | None = None
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
    **REQUEST_TYPES,
    # JSON's own: "3" is no whole number and "yes" no true (pydantic's lax
    # mode read both).
    int: StrictInt,
    int | None: StrictInt | None,
    bool: StrictBool,
    bool | None: StrictBool | None,
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
