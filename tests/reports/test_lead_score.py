"""The lead score: points per fact, 0–100, open leads only."""

from __future__ import annotations

from datetime import date

import pytest

from b2bcore import B2BCore, Temperature, ValidationError
from b2bcore.application.settings import LeadScoring
from b2bcore.domain.values import LeadStatus


def test_a_hot_qualified_referral_scores_its_points(memory_core: B2BCore) -> None:
    lead = memory_core.capture_lead(
        company="(주)효원",
        source=" Referral ",
        temperature=Temperature.HOT,
        contact="이지은",
        need="EV fleet",
        on=date(2024, 1, 1),
    )
    memory_core.qualify_lead(lead, on=date(2024, 1, 10))

    (found,) = memory_core.lead_scores(as_of=date(2024, 1, 31)).leads

    assert found.status is LeadStatus.SQL
    assert found.age_days == 30
    assert (
        found.points.temperature,
        found.points.qualification,
        found.points.contact,
        found.points.need,
        found.points.source,
        found.points.freshness,
    ) == (35, 20, 10, 10, 10, 10)  # freshness 15 × 60 ÷ 90
    assert found.score == 95


def test_a_cold_lead_from_an_unknown_source_scores_little(
    memory_core: B2BCore,
) -> None:
    memory_core.capture_lead(
        company="Beta",
        source="cold call",
        temperature=Temperature.COLD,
        on=date(2024, 1, 1),
    )

    (found,) = memory_core.lead_scores(as_of=date(2024, 6, 1)).leads

    assert (found.status, found.score) == (LeadStatus.MQL, 5)


def test_closed_leads_and_leads_not_yet_captured_are_not_scored(
    memory_core: B2BCore,
) -> None:
    gone = memory_core.capture_lead(
        company="A", source="web", temperature=Temperature.WARM, on=date(2024, 1, 1)
    )
    memory_core.disqualify_lead(gone, reason="no budget", on=date(2024, 1, 5))
    memory_core.capture_lead(
        company="B", source="web", temperature=Temperature.WARM, on=date(2024, 2, 1)
    )

    assert memory_core.lead_scores(as_of=date(2024, 1, 4)).leads[0].company == "A"
    assert memory_core.lead_scores(as_of=date(2024, 1, 31)).leads == ()


def test_leads_are_listed_highest_score_first(memory_core: B2BCore) -> None:
    for name, temperature in (("cold", Temperature.COLD), ("hot", Temperature.HOT)):
        memory_core.capture_lead(
            company=name, source="web", temperature=temperature, on=date(2024, 1, 1)
        )

    found = memory_core.lead_scores(as_of=date(2024, 1, 1)).leads

    assert [s.company for s in found] == ["hot", "cold"]


def test_scoring_that_can_pass_100_is_refused() -> None:
    with pytest.raises(ValidationError, match="at most 100"):
        LeadScoring(qualified=50)
