"""The lead score on a business date: each open lead scored 0–100 from its
temperature, qualification, contact, need, source and age, with the points
of each (the formula in docs/kpis.md, "Lead score")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from uuid import UUID

import attrs

from b2bcore.application.settings import LeadScoring
from b2bcore.domain.values import LeadStatus, Temperature
from b2bcore.reports import asof
from b2bcore.reports.records import LeadRecord


@attrs.frozen
class ScorePoints:
    """The points each fact of a lead gave; ``LeadScore.score`` is their sum."""

    temperature: int
    qualification: int
    contact: int
    need: int
    source: int
    freshness: int

    @property
    def total(self) -> int:
        return (
            self.temperature
            + self.qualification
            + self.contact
            + self.need
            + self.source
            + self.freshness
        )


@attrs.frozen
class LeadScore:
    lead_id: UUID
    company: str
    source: str
    #: mql or sql on the report date.
    status: LeadStatus
    temperature: Temperature
    has_contact: bool
    has_need: bool
    #: Days from the capture to the report date.
    age_days: int
    points: ScorePoints
    score: int


@attrs.frozen
class LeadScores:
    """The leads open (MQL or SQL) on ``as_of``, highest score first, then
    the oldest capture, then id."""

    as_of: date
    leads: tuple[LeadScore, ...]


def lead_score(lead: LeadRecord, *, as_of: date, scoring: LeadScoring) -> LeadScore:
    """The score of ``lead`` on ``as_of`` (captured by then)."""
    status = asof.lead_status(lead, as_of)
    assert status is not None, "the lead was not captured by then"
    age = (as_of - lead.captured_on).days
    points = ScorePoints(
        temperature=scoring.temperature[lead.temperature],
        qualification=scoring.qualified if status is LeadStatus.SQL else 0,
        contact=scoring.contact if lead.has_contact else 0,
        need=scoring.need if lead.has_need else 0,
        source=scoring.source_points(lead.source),
        freshness=scoring.fresh_points
        * max(0, scoring.fresh_days - age)
        // scoring.fresh_days,
    )
    return LeadScore(
        lead_id=lead.id,
        company=lead.company,
        source=lead.source,
        status=status,
        temperature=lead.temperature,
        has_contact=lead.has_contact,
        has_need=lead.has_need,
        age_days=age,
        points=points,
        score=points.total,
    )


#: The statuses of a lead still being worked on.
OPEN = (LeadStatus.MQL, LeadStatus.SQL)


def lead_scores(
    leads: Iterable[LeadRecord], *, as_of: date, scoring: LeadScoring
) -> LeadScores:
    """Every lead open on ``as_of``, scored."""
    found = [
        lead_score(lead, as_of=as_of, scoring=scoring)
        for lead in leads
        if asof.lead_status(lead, as_of) in OPEN
    ]
    found.sort(key=lambda s: (-s.score, -s.age_days, str(s.lead_id)))
    return LeadScores(as_of=as_of, leads=tuple(found))
