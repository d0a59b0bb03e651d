"""Feedback: the voice of the customer (고객의 목소리, seed 003) — a survey, a
complaint or an interview of an account, about one of its assets or the
account as a whole, with the channel it came through, what it is about and
the needs the customer named. A complaint is raised, then resolved once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from uuid import UUID

from eventsourcing.domain import AggregateCreated

from b2bcore.domain.aggregate import (
    MAX_NOTE_LENGTH,
    DomainAggregate,
    Provenance,
    check_note,
    check_text,
    check_type,
)
from b2bcore.domain.errors import ValidationError
from b2bcore.domain.values import (
    ContactChannel,
    FeedbackCategory,
    FeedbackKind,
    Severity,
)

#: A survey's score runs from 0 (very unhappy) to 10, as satisfaction does.
MAX_SCORE = 10


class Feedback(DomainAggregate):
    """One survey answer, complaint or interview."""

    TOPIC = "b2bcore:feedback"
    KIND = "feedback"

    class Recorded(DomainAggregate.Event, AggregateCreated):
        TOPIC = "b2bcore:feedback:Recorded"
        account_id: UUID
        asset_id: UUID | None
        kind: FeedbackKind
        channel: ContactChannel
        category: FeedbackCategory
        severity: Severity | None
        score: int | None
        text: str
        needs: tuple[str, ...]

    class Resolved(DomainAggregate.Event):
        TOPIC = "b2bcore:feedback:Resolved"
        resolution: str

        def apply(self, feedback: Feedback) -> None:
            feedback.resolved_on = self.effective_on
            feedback.resolution = self.resolution

    def __init__(
        self,
        account_id: UUID,
        asset_id: UUID | None,
        kind: FeedbackKind,
        channel: ContactChannel,
        category: FeedbackCategory,
        severity: Severity | None,
        score: int | None,
        text: str,
        needs: tuple[str, ...],
        effective_on: date,
    ) -> None:
        self.account_id = account_id
        self.asset_id = asset_id
        self.kind = kind
        self.channel = channel
        self.category = category
        self.severity = severity
        self.score = score
        self.text = text
        # A list, as every aggregate keeps its sequences (snapshots are JSON).
        self.needs = list(needs)
        self.recorded_on = effective_on
        self.resolved_on: date | None = None
        self.resolution = ""

    @classmethod
    def record(
        cls,
        feedback_id: UUID,
        *,
        account_id: UUID,
        kind: FeedbackKind,
        channel: ContactChannel,
        category: FeedbackCategory,
        on: date,
        meta: Provenance,
        asset_id: UUID | None = None,
        severity: Severity | None = None,
        score: int | None = None,
        text: str = "",
        needs: Iterable[str] = (),
    ) -> Feedback:
        """A survey needs a ``score`` (0..10), a complaint a ``severity``;
        an interview has neither, and no kind has the other's."""
        subject = f"feedback {feedback_id}"
        check_type(subject, "account_id", account_id, UUID)
        if asset_id is not None:
            check_type(subject, "asset_id", asset_id, UUID)
        kind = check_type(subject, "kind", kind, FeedbackKind)
        if kind is FeedbackKind.SURVEY:
            if score is None:
                raise ValidationError(subject, "score", "a survey needs a score")
            check_type(subject, "score", score, int)
            if not 0 <= score <= MAX_SCORE:
                raise ValidationError(
                    subject, "score", f"must be 0..{MAX_SCORE}, got {score}"
                )
        elif score is not None:
            raise ValidationError(subject, "score", "only a survey has a score")
        if kind is FeedbackKind.COMPLAINT:
            if severity is None:
                raise ValidationError(
                    subject, "severity", "a complaint needs a severity"
                )
            check_type(subject, "severity", severity, Severity)
        elif severity is not None:
            raise ValidationError(
                subject, "severity", "only a complaint has a severity"
            )
        return cls._begin(
            cls.Recorded,
            feedback_id,
            on,
            meta,
            account_id=account_id,
            asset_id=asset_id,
            kind=kind,
            channel=check_type(subject, "channel", channel, ContactChannel),
            category=check_type(subject, "category", category, FeedbackCategory),
            severity=severity,
            score=score,
            text=check_note(subject, "text", text),
            needs=_needs(subject, needs),
        )

    def resolve(self, *, resolution: str, on: date, meta: Provenance) -> None:
        """Close the complaint, saying how; once, and not before it was
        raised."""
        if self.kind is not FeedbackKind.COMPLAINT:
            self._refuse(
                "kind", f"only a complaint is resolved, not a {self.kind.value}"
            )
        if self.resolved_on is not None:
            self._refuse(
                "resolved_on",
                f"the complaint was already resolved on {self.resolved_on}",
            )
        self._check_on(on, self.recorded_on, "the complaint raised on")
        resolution = check_text(
            self.subject, "resolution", resolution, limit=MAX_NOTE_LENGTH
        )
        self._record(self.Resolved, on, meta, resolution=resolution)


def _needs(subject: str, needs: Iterable[str]) -> tuple[str, ...]:
    """The need labels, each a required short text, none twice."""
    if isinstance(needs, str):
        raise ValidationError(subject, "needs", "must be a list of need labels")
    found: list[str] = []
    for need in needs:
        label = check_text(subject, "needs", need)
        if label in found:
            raise ValidationError(subject, "needs", f"names {label!r} twice")
        found.append(label)
    return tuple(found)
