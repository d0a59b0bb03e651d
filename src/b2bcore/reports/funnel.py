"""The lead funnel on a business date: marketing leads (MQL) → sales leads
(SQL) → deals → won deals, with the conversion and the time of each step
(definitions in docs/kpis.md, "Lead funnel")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import Enum
from uuid import UUID

import attrs

from b2bcore.domain.errors import ValidationError
from b2bcore.domain.values import LeadStatus, Outcome
from b2bcore.reports import asof
from b2bcore.reports.rates import mean, rate
from b2bcore.reports.records import DealRecord, LeadRecord


class FunnelStage(Enum):
    """The steps of the funnel, in order."""

    MQL = "mql"
    SQL = "sql"
    DEAL = "deal"
    WON = "won"


@attrs.frozen
class FunnelStep:
    """One step: the leads that reached it by the report date."""

    stage: FunnelStage
    count: int
    #: count ÷ the previous step's count; None on the first step or when
    #: the previous step is empty.
    conversion_rate: float | None
    #: Mean days from the previous step to this one over the leads that
    #: reached it; None on the first step or when none reached it.
    average_days: float | None


@attrs.frozen
class LeadFunnel:
    """The leads captured by ``as_of`` (from ``since``, when given) and how
    far each had come on ``as_of``."""

    as_of: date
    since: date | None
    #: MQL, SQL, deal and won, in that order.
    steps: tuple[FunnelStep, ...]
    #: Where the leads stood on ``as_of``: still marketing leads, qualified
    #: and still open, disqualified (at either step).
    open_mql: int
    open_sql: int
    disqualified: int

    def step(self, stage: FunnelStage) -> FunnelStep:
        return self.steps[list(FunnelStage).index(stage)]


def lead_funnel(
    leads: Iterable[LeadRecord],
    deals: Iterable[DealRecord],
    *,
    as_of: date,
    since: date | None = None,
) -> LeadFunnel:
    """The funnel of the leads captured on or before ``as_of`` (and on or
    after ``since``): how many were captured, qualified, converted into a
    deal and saw that deal won, each by ``as_of``."""
    if since is not None and since > as_of:
        raise ValidationError("lead funnel", "since", f"is after as_of {as_of}")
    won_deals: dict[UUID, int] = {
        deal.id: (deal.closed_on - deal.opened_on).days
        for deal in deals
        if asof.outcome(deal, as_of) is Outcome.WON and deal.closed_on is not None
    }
    statuses = [
        (lead, status)
        for lead in leads
        if (status := asof.lead_status(lead, as_of)) is not None
        and (since is None or lead.captured_on >= since)
    ]
    qualified = [
        lead
        for lead, _ in statuses
        if lead.qualified_on is not None and lead.qualified_on <= as_of
    ]
    converted = [lead for lead, status in statuses if status is LeadStatus.CONVERTED]
    won = [
        won_deals[lead.opportunity_id]
        for lead in converted
        if lead.opportunity_id in won_deals
    ]
    counts = (len(statuses), len(qualified), len(converted), len(won))
    days = (
        None,
        mean(_days(lead.captured_on, lead.qualified_on) for lead in qualified),
        mean(_days(lead.qualified_on, lead.closed_on) for lead in converted),
        mean(won),
    )
    return LeadFunnel(
        as_of=as_of,
        since=since,
        steps=tuple(
            FunnelStep(
                stage=stage,
                count=counts[i],
                conversion_rate=None if i == 0 else rate(counts[i], counts[i - 1]),
                average_days=days[i],
            )
            for i, stage in enumerate(FunnelStage)
        ),
        open_mql=sum(status is LeadStatus.MQL for _, status in statuses),
        open_sql=sum(status is LeadStatus.SQL for _, status in statuses),
        disqualified=sum(status is LeadStatus.DISQUALIFIED for _, status in statuses),
    )


def _days(start: date | None, end: date | None) -> int:
    assert start is not None
    assert end is not None
    return (end - start).days
