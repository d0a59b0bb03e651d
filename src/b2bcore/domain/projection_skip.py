"""Projection skips: an operator let a projection pass over a poison event.

The decision is a fact in the log — which projection, which log position,
who and why — so it is covered by the hash chain and survives a rebuild: the
projection passes over that position again, and only that one. The record
holds the skipped event's topic, aggregate id and version, never its
content nor the error's text (either may quote personal data, and the log
keeps no personal data in plaintext).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import AggregateCreated

from b2bcore.domain.aggregate import DomainAggregate, Provenance
from b2bcore.domain.errors import ProjectionError
from b2bcore.domain.ids import deterministic_id


class ProjectionSkip(DomainAggregate):
    TOPIC = "b2bcore:projection_skip"
    KIND = "projection_skip"

    class Skipped(DomainAggregate.Event, AggregateCreated):
        """Projection ``projection`` passes over the event at log
        ``position``: ``topic``, version ``skipped_version`` of aggregate
        ``skipped_aggregate_id``. Why is the event's ``reason``."""

        TOPIC = "b2bcore:projection_skip:Skipped"
        projection: str
        position: int
        topic: str
        skipped_aggregate_id: UUID
        skipped_version: int

    def __init__(
        self,
        projection: str,
        position: int,
        topic: str,
        skipped_aggregate_id: UUID,
        skipped_version: int,
        effective_on: date,
        actor: str,
    ) -> None:
        self.projection = projection
        self.position = position
        self.topic = topic
        self.skipped_aggregate_id = skipped_aggregate_id
        self.skipped_version = skipped_version
        self.skipped_on = effective_on
        self.skipped_by = actor

    @staticmethod
    def id_for(projection: str, position: int) -> UUID:
        """The skip of log ``position`` by ``projection``: at most one each."""
        return deterministic_id("projection_skip", f"{projection}:{position}")

    @classmethod
    def record(
        cls, poison: ProjectionError, *, on: date, meta: Provenance
    ) -> ProjectionSkip:
        """Record that ``poison.projection`` passes over the event ``poison``
        names; the reason is required."""
        skip = cls._begin(
            cls.Skipped,
            cls.id_for(poison.projection, poison.position),
            on,
            meta,
            projection=poison.projection,
            position=poison.position,
            topic=poison.topic,
            skipped_aggregate_id=poison.aggregate_id,
            skipped_version=poison.version,
        )
        skip._require_reason(meta, "skipping an event")
        return skip
