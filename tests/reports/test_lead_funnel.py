"""The lead funnel: MQL → SQL → deal → won, conversion and days per step."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from b2bcore import B2BCore, BusinessLine, Temperature, ValidationError
from b2bcore.reports.funnel import FunnelStage
from tests.reports.deals import krw


def a_funnel(core: B2BCore) -> None:
    """Four leads captured in January: one won as a deal, one converted and
    still open, one qualified then disqualified, one still a marketing lead."""

    def lead(name: str, on: date) -> UUID:
        return core.capture_lead(
            company=name,
            source="web",
            temperature=Temperature.WARM,
            contact="Kim",
            need="EV fleet",
            on=on,
        )

    def convert(lead_id: UUID, on: date) -> UUID:
        return core.convert_lead(
            lead_id,
            name="EV fleet",
            amount=krw(100_000_000),
            owner="kim",
            business_line=BusinessLine.DOMESTIC,
            region="Seoul",
            country="KR",
            product="EV fleet",
            expected_close_on=date(2024, 12, 31),
            on=on,
        )

    won, open_deal, dropped = (lead(n, date(2024, 1, 1)) for n in "ABC")
    lead("D", date(2024, 1, 20))
    core.qualify_lead(won, on=date(2024, 1, 11))  # 10 days
    core.qualify_lead(open_deal, on=date(2024, 1, 21))  # 20 days
    core.qualify_lead(dropped, on=date(2024, 1, 31))  # 30 days
    deal = convert(won, date(2024, 2, 1))  # 21 days after qualifying
    convert(open_deal, date(2024, 2, 10))  # 20 days
    core.disqualify_lead(dropped, reason="no budget", on=date(2024, 2, 15))
    core.win_opportunity(deal, value=krw(90_000_000), on=date(2024, 3, 2))  # 30


def test_the_steps_count_how_far_each_lead_came(memory_core: B2BCore) -> None:
    a_funnel(memory_core)

    found = memory_core.lead_funnel(as_of=date(2024, 4, 1))

    assert [(s.stage, s.count) for s in found.steps] == [
        (FunnelStage.MQL, 4),
        (FunnelStage.SQL, 3),
        (FunnelStage.DEAL, 2),
        (FunnelStage.WON, 1),
    ]
    assert [s.conversion_rate for s in found.steps] == [None, 0.75, 2 / 3, 0.5]
    assert [s.average_days for s in found.steps] == [None, 20.0, 20.5, 30.0]
    assert (found.open_mql, found.open_sql, found.disqualified) == (1, 0, 1)


def test_a_funnel_as_of_an_earlier_day_undoes_what_came_later(
    memory_core: B2BCore,
) -> None:
    a_funnel(memory_core)

    found = memory_core.lead_funnel(as_of=date(2024, 1, 25))

    assert [s.count for s in found.steps] == [4, 2, 0, 0]
    assert found.step(FunnelStage.DEAL).conversion_rate == 0.0
    assert found.step(FunnelStage.WON).conversion_rate is None
    assert (found.open_mql, found.open_sql) == (2, 2)


def test_since_keeps_the_leads_captured_from_that_day(memory_core: B2BCore) -> None:
    a_funnel(memory_core)

    found = memory_core.lead_funnel(as_of=date(2024, 4, 1), since=date(2024, 1, 2))

    assert [s.count for s in found.steps] == [1, 0, 0, 0]


def test_since_after_the_report_date_is_refused(memory_core: B2BCore) -> None:
    with pytest.raises(ValidationError, match="since"):
        memory_core.lead_funnel(as_of=date(2024, 1, 1), since=date(2024, 2, 1))
