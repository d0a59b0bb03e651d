"""How b2bcore's value types are stored: one registration for every type an
event or a snapshot can hold.

Names are part of the stored format: never rename one (add a new name and
keep decoding the old one instead).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, get_args, get_type_hints
from uuid import UUID

import attrs
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent, Transcoding

from b2bcore.domain import values
from b2bcore.domain.aggregate import tuple_fields
from b2bcore.domain.money import Money


class DateAsISO(Transcoding):
    type = date
    name = "date"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class EnumAsValue(Transcoding):
    """An ``Enum`` member stored as its value."""

    def __init__(self, enum: type[Enum], name: str) -> None:
        self.type = enum
        self.name = name

    def encode(self, obj: Enum) -> Any:
        return obj.value

    def decode(self, data: Any) -> Enum:
        member: Enum = self.type(data)
        return member


Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]


def _same(value: Any) -> Any:
    return value


def _money_text(money: Money) -> str:
    return f"{money.amount} {money.currency}"


def _money_from(text: str) -> Money:
    amount, currency = text.split(" ")
    return Money.trusted(Decimal(amount), currency)


def _enum_value(member: Enum) -> Any:
    return member.value


def _uuid_hex(value: UUID) -> str:
    return value.hex


INLINE: dict[Any, Codec] = {
    date: (date.isoformat, date.fromisoformat),
    Money: (_money_text, _money_from),
    UUID: (_uuid_hex, UUID),
}


def _optional(codec: Codec) -> Codec:
    encode, decode = codec
    return (
        lambda v: None if v is None else encode(v),
        lambda v: None if v is None else decode(v),
    )


def _field_codec(kind: Any) -> Codec:
    """How one field of a value record is stored inline: dates, money, enums
    and ids as plain strings, so a record costs one transcoder call rather
    than one per field. Other types are left to the transcoder."""
    if kind in INLINE:
        return INLINE[kind]
    if isinstance(kind, type) and issubclass(kind, Enum):
        return _enum_value, kind
    arguments = get_args(kind)
    if len(arguments) == 2 and type(None) in arguments:
        (inner,) = (a for a in arguments if a is not type(None))
        return _optional(_field_codec(inner))
    return _same, _same


class AttrsAsList(Transcoding):
    """An attrs value record stored as the list of its fields, in order."""

    def __init__(self, cls: type[Any], name: str) -> None:
        self.type = cls
        self.name = name
        hints = get_type_hints(cls)
        self._encoders = tuple(
            (f.name, _field_codec(hints[f.name])[0]) for f in attrs.fields(cls)
        )
        self._decoders = tuple(
            _field_codec(hints[f.name])[1] for f in attrs.fields(cls)
        )

    def encode(self, obj: Any) -> list[Any]:
        return [encode(getattr(obj, name)) for name, encode in self._encoders]

    def decode(self, data: list[Any]) -> Any:
        return self.type(
            *(decode(value) for decode, value in zip(self._decoders, data, strict=True))
        )


class MoneyAsText(Transcoding):
    """Money stored as "<amount> <currency>"; read back without re-validating
    what was valid when it was written (the hot path of every replay)."""

    type = Money
    name = "money"

    def encode(self, obj: Money) -> str:
        return _money_text(obj)

    def decode(self, data: str) -> Money:
        return _money_from(data)


ENUMS: dict[str, type[Enum]] = {
    "grade": values.Grade,
    "business_line": values.BusinessLine,
    "contact_channel": values.ContactChannel,
    "asset_status": values.AssetStatus,
    "obsolete_reason": values.ObsoleteReason,
    "usage_pattern": values.UsagePattern,
    "temperature": values.Temperature,
    "lead_status": values.LeadStatus,
    "sales_stage": values.SalesStage,
    "outcome": values.Outcome,
    "loss_reason": values.LossReason,
    "review_area": values.ReviewArea,
    "gate_step": values.GateStep,
    "feedback_kind": values.FeedbackKind,
    "feedback_category": values.FeedbackCategory,
    "severity": values.Severity,
}

VALUES: dict[str, type[Any]] = {
    "installment": values.Installment,
    "payment": values.Payment,
    "renewal": values.Renewal,
    "upgrade": values.Upgrade,
    "inspection": values.Inspection,
    "satisfaction_score": values.SatisfactionScore,
    "monthly_usage": values.MonthlyUsage,
    "competitor_contact": values.CompetitorContact,
    "tier_move": values.TierMove,
    "finding": values.Finding,
    "gate_record": values.GateRecord,
    "gate_review": values.GateReview,
    "profitability": values.Profitability,
    "amount_edit": values.AmountEdit,
    "owner_edit": values.OwnerEdit,
    "expected_close_edit": values.ExpectedCloseEdit,
    "postmortem": values.Postmortem,
}


def register_transcodings(transcoder: JSONTranscoder) -> None:
    """Teach ``transcoder`` every b2bcore value type."""
    transcoder.register(DateAsISO())
    transcoder.register(MoneyAsText())
    for name, enum in ENUMS.items():
        transcoder.register(EnumAsValue(enum, name))
    for name, cls in VALUES.items():
        transcoder.register(AttrsAsList(cls, name))


class EventMapper(Mapper[UUID]):
    """The library's mapper, giving back events' sequence fields as the tuples
    they were created with (JSON has only lists, and decoding bypasses the
    events' ``__init__``)."""

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        event = super().to_domain_event(stored_event)
        fields = vars(event)
        for name in tuple_fields(type(event)):
            value = fields.get(name)
            if isinstance(value, list):
                fields[name] = tuple(value)
        return event
