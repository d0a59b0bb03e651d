"""Acknowledgement: a person saw an alert and took it in hand.

Alerts are computed from the log (``reports.alerts``); acknowledging one is a
fact about a person, so it is an event in the log too, under the alert's own
deterministic id: an alert is acknowledged at most once.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import AggregateCreated

from b2bcore.domain.aggregate import DomainAggregate, Provenance, check_note


class Acknowledgement(DomainAggregate):
    TOPIC = "b2bcore:acknowledgement"
    KIND = "acknowledgement"

    class Acknowledged(DomainAggregate.Event, AggregateCreated):
        TOPIC = "b2bcore:acknowledgement:Acknowledged"
        alert_kind: str
        subject_id: UUID
        note: str

    def __init__(
        self,
        alert_kind: str,
        subject_id: UUID,
        note: str,
        effective_on: date,
        actor: str,
    ) -> None:
        self.alert_kind = alert_kind
        self.subject_id = subject_id
        self.note = note
        self.acknowledged_on = effective_on
        self.acknowledged_by = actor

    @classmethod
    def acknowledge(
        cls,
        alert_id: UUID,
        *,
        alert_kind: str,
        subject_id: UUID,
        note: str,
        on: date,
        meta: Provenance,
    ) -> Acknowledgement:
        return cls._begin(
            cls.Acknowledged,
            alert_id,
            on,
            meta,
            alert_kind=alert_kind,
            subject_id=subject_id,
            note=check_note(f"alert {alert_id}", "note", note),
        )
