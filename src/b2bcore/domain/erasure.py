"""Erasure: a person's personal data was forgotten (their key deleted from the
vault). The fact itself is an event in the log — who, when and why — and
holds no personal data: only the person's id."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid5

from eventsourcing.domain import AggregateCreated

from b2bcore.domain.aggregate import DomainAggregate, Provenance


class Erasure(DomainAggregate):
    TOPIC = "b2bcore:erasure"
    KIND = "erasure"

    class Forgotten(DomainAggregate.Event, AggregateCreated):
        """The person ``person_id`` was forgotten for the event's ``reason``."""

        TOPIC = "b2bcore:erasure:Forgotten"
        person_id: UUID

    def __init__(self, person_id: UUID, effective_on: date) -> None:
        self.person_id = person_id
        self.forgotten_on = effective_on

    @staticmethod
    def id_for(person_id: UUID) -> UUID:
        """The erasure of ``person_id``: a person is forgotten at most once."""
        return uuid5(person_id, "erasure")

    @classmethod
    def forget(cls, person_id: UUID, *, on: date, meta: Provenance) -> Erasure:
        erasure = cls._begin(
            cls.Forgotten, cls.id_for(person_id), on, meta, person_id=person_id
        )
        erasure._require_reason(meta, "forgetting a contact")
        return erasure
