"""How b2bcore's value types are stored: one registration for every type an
event or a snapshot can hold.

Names are part of the stored format: never rename one (add a new name and
keep decoding the old one instead).
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any
from uuid import UUID

import attrs
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent, Transcoding

from b2bcore import values
from b2bcore.money import Money


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


class AttrsAsDict(Transcoding):
    """An attrs value stored as a dict of its fields (each field transcoded)."""

    def __init__(self, cls: type[Any], name: str) -> None:
        self.type = cls
        self.name = name
        self._fields = tuple(f.name for f in attrs.fields(cls))

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self._fields}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


class MoneyAsDict(Transcoding):
    """Money stored as its amount string and currency; read back without
    re-validating what was valid when it was written (the hot path of every
    replay)."""

    type = Money
    name = "money"

    def encode(self, obj: Money) -> dict[str, Any]:
        return {"amount": obj.amount, "currency": obj.currency}

    def decode(self, data: dict[str, Any]) -> Money:
        return Money.trusted(data["amount"], data["currency"])


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
    "postmortem": values.Postmortem,
}


def register_transcodings(transcoder: JSONTranscoder) -> None:
    """Teach ``transcoder`` every b2bcore value type."""
    transcoder.register(DateAsISO())
    transcoder.register(MoneyAsDict())
    for name, enum in ENUMS.items():
        transcoder.register(EnumAsValue(enum, name))
    for name, cls in VALUES.items():
        transcoder.register(AttrsAsDict(cls, name))


class EventMapper(Mapper[UUID]):
    """The library's mapper, giving back events' sequence fields as the tuples
    they were created with (JSON has only lists, and decoding bypasses the
    events' ``__init__``)."""

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        event = super().to_domain_event(stored_event)
        fields = vars(event)
        for name, value in fields.items():
            if isinstance(value, list):
                fields[name] = tuple(value)
        return event
