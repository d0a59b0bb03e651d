"""The reports as b2bcore first computed them — every state decoded and a
pure report function run over the views — kept as the oracle the report
tables' queries must agree with (docs/projections.md)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, ClassVar, cast
from uuid import UUID

from b2bcore import B2BCore
from b2bcore.application.paging import notifications
from b2bcore.domain.account import Account
from b2bcore.domain.acknowledgement import Acknowledgement
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.asset import Asset
from b2bcore.domain.feedback import Feedback
from b2bcore.domain.lead import Lead
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.sales_rep import SalesRep
from b2bcore.domain.values import Grade
from b2bcore.domain.views import (
    AccountView,
    AssetView,
    FeedbackView,
    LeadView,
    OpportunityView,
)
from b2bcore.readmodels.facts.records import PostmortemFacts
from b2bcore.reports import (
    alerts,
    asof,
    asset_kpis,
    dashboard,
    funnel,
    grades,
    health,
    history,
    lead_score,
    pipeline,
    postmortems,
    renewals,
    tier_movement,
    tiers,
    winloss,
)
from b2bcore.reports import segmentation as segments
from b2bcore.reports import suggestions as cross_sell
from b2bcore.reports.dimensions import Dimension


class States:
    """Every aggregate built by the projections' own rules straight from
    the log (not from any read model), from only the events recorded by
    ``known_at`` when given, in log order. Made once per log and moment."""

    _made: ClassVar[dict[tuple[int, int, datetime | None], States]] = {}

    def __new__(cls, core: B2BCore, known_at: datetime | None) -> States:
        key = (id(core), core.log_position(), known_at)
        if key not in cls._made:
            cls._made.clear()
            cls._made[key] = super().__new__(cls)
            cls._made[key].read(core, known_at)
        return cls._made[key]

    def read(self, core: B2BCore, known_at: datetime | None) -> None:
        self._states: list[DomainAggregate]
        by_topic = {
            topic: p for p in core.projector.projections.values() for topic in p.topics
        }
        log = core.event_log
        known: dict[UUID, DomainAggregate] = {}
        for notification in notifications(log.recorder, topics=tuple(by_topic)):
            event = cast(
                DomainAggregate.Event, log.mapper.to_domain_event(notification)
            )
            if known_at is None or event.timestamp <= known_at:
                known[event.originator_id] = by_topic[notification.topic].apply(
                    known.get(event.originator_id), event
                )
        self._states = list(known.values())

    def of(self, kind: type[DomainAggregate]) -> Iterator[Any]:
        return (state for state in self._states if isinstance(state, kind))


def _deals(states: States, as_of: date) -> dict[str, Any]:
    """The deals with the terms in force on ``as_of`` (as the report tables
    give them), their owners' managers and their accounts."""
    accounts: dict[UUID, AccountView] = {
        a.id: AccountView.of(a) for a in states.of(Account)
    }
    return {
        "deals": [
            asof.deal_terms(OpportunityView.of(d), as_of)
            for d in states.of(Opportunity)
        ],
        "managers": {rep.name: rep.manager for rep in states.of(SalesRep)},
        "accounts": accounts,
    }


def tier_matrix(
    core: B2BCore, *, by: Dimension, as_of: date, known_at: datetime | None
) -> tiers.TierMatrix:
    found = _deals(States(core, known_at), as_of)
    return tiers.tier_matrix(
        found["deals"],
        as_of=as_of,
        dimension=by,
        managers=found["managers"],
        accounts=found["accounts"],
    )


def pipeline_kpis(
    core: B2BCore, *, by: Dimension | None, as_of: date, known_at: datetime | None
) -> pipeline.PipelineKpis:
    found = _deals(States(core, known_at), as_of)
    return pipeline.pipeline_kpis(
        found["deals"],
        as_of=as_of,
        settings=core.settings,
        by=by,
        managers=found["managers"],
        accounts=found["accounts"],
    )


def _assets(states: States) -> dict[str, Any]:
    return {
        "assets": [AssetView.of(a) for a in states.of(Asset)],
        "accounts": {a.id: AccountView.of(a) for a in states.of(Account)},
    }


def renewal_queue(
    core: B2BCore,
    *,
    as_of: date,
    within: int,
    owner: str | None = None,
    grade: Grade | None = None,
    known_at: datetime | None,
) -> tuple[renewals.RenewalItem, ...]:
    states = States(core, known_at)
    found = _assets(states)
    return renewals.renewal_queue(
        found["assets"],
        found["accounts"],
        as_of=as_of,
        within=within,
        settings=core.settings,
        owner=owner,
        grade=grade,
        deals=renewals.linked_on(
            (OpportunityView.of(d) for d in states.of(Opportunity)), as_of
        ),
        feedback=_feedback(states),
    )


def _feedback(states: States) -> list[FeedbackView]:
    return [FeedbackView.of(f) for f in states.of(Feedback)]


def all_alerts(
    core: B2BCore, *, as_of: date, known_at: datetime | None
) -> tuple[alerts.Alert, ...]:
    states = States(core, known_at)
    return alerts.alerts(
        _assets(states)["assets"],
        _deals(states, as_of)["deals"],
        as_of=as_of,
        settings=core.settings,
        acknowledged={ack.id for ack in states.of(Acknowledgement)},
        feedback=_feedback(states),
    )


def installed_base_kpis(
    core: B2BCore, *, start: date, end: date, known_at: datetime | None
) -> asset_kpis.AssetKpis:
    return asset_kpis.asset_kpis(
        _assets(States(core, known_at))["assets"],
        start=start,
        end=end,
        settings=core.settings,
    )


def rep_dashboard(
    core: B2BCore, *, owner: str | None, as_of: date, known_at: datetime | None
) -> dashboard.RepDashboard:
    states = States(core, known_at)
    found = _assets(states)
    return dashboard.rep_dashboard(
        found["assets"],
        found["accounts"],
        owner=owner,
        as_of=as_of,
        settings=core.settings,
        feedback=_feedback(states),
    )


def health_report(
    core: B2BCore,
    *,
    as_of: date,
    account_id: UUID | None = None,
    owner: str | None = None,
    known_at: datetime | None,
) -> health.HealthReport:
    states = States(core, known_at)
    found = _assets(states)
    return health.health_report(
        found["assets"],
        found["accounts"],
        as_of=as_of,
        settings=core.settings,
        feedback=_feedback(states),
        account_id=account_id,
        owner=owner,
    )


def segmentation(
    core: B2BCore, *, as_of: date, known_at: datetime | None
) -> segments.Segmentation:
    states = States(core, known_at)
    found = _assets(states)
    return segments.segmentation(
        found["accounts"].values(),
        found["assets"],
        as_of=as_of,
        settings=core.settings,
        feedback=_feedback(states),
    )


def grade_suggestions(
    core: B2BCore, *, as_of: date, known_at: datetime | None
) -> grades.GradeSuggestions:
    found = _assets(States(core, known_at))
    return grades.grade_suggestions(
        found["accounts"].values(),
        found["assets"],
        as_of=as_of,
        settings=core.settings,
    )


def suggestions(
    core: B2BCore,
    *,
    as_of: date,
    known_at: datetime | None,
    account_id: UUID | None = None,
) -> cross_sell.Suggestions:
    found = _assets(States(core, known_at))
    return cross_sell.suggestions(
        found["accounts"],
        found["assets"],
        as_of=as_of,
        settings=core.settings,
        account_id=account_id,
    )


def win_loss(
    core: B2BCore, *, by: Dimension | None, as_of: date, known_at: datetime | None
) -> winloss.WinLossAnalysis:
    found = _deals(States(core, known_at), as_of)
    return winloss.win_loss_analysis(
        found["deals"],
        as_of=as_of,
        by=by,
        managers=found["managers"],
        accounts=found["accounts"],
    )


def account_history(
    core: B2BCore, account_id: UUID, *, as_of: date, known_at: datetime | None
) -> history.AccountHistory:
    states = States(core, known_at)
    return history.account_history(
        core.account(account_id, as_of=as_of, known_at=known_at),
        [AssetView.of(a) for a in states.of(Asset) if a.account_id == account_id],
        [
            OpportunityView.of(d)
            for d in states.of(Opportunity)
            if d.account_id == account_id
        ],
        as_of=as_of,
    )


def lead_funnel(
    core: B2BCore, *, as_of: date, since: date | None, known_at: datetime | None
) -> funnel.LeadFunnel:
    states = States(core, known_at)
    return funnel.lead_funnel(
        [LeadView.of(lead) for lead in states.of(Lead)],
        _deals(states, as_of)["deals"],
        as_of=as_of,
        since=since,
    )


def lead_scores(
    core: B2BCore, *, as_of: date, known_at: datetime | None
) -> lead_score.LeadScores:
    return lead_score.lead_scores(
        [LeadView.of(lead) for lead in States(core, known_at).of(Lead)],
        as_of=as_of,
        scoring=core.settings.lead_scoring,
    )


def movement(
    core: B2BCore, *, start: date, end: date, known_at: datetime | None
) -> tier_movement.TierMovement:
    return tier_movement.tier_movement(
        _deals(States(core, known_at), end)["deals"], start=start, end=end
    )


def postmortem_rollup(
    core: B2BCore, *, as_of: date, known_at: datetime | None
) -> postmortems.PostmortemRollup:
    deals = _deals(States(core, known_at), as_of)["deals"]
    return postmortems.postmortem_rollup(
        [
            PostmortemFacts(
                d.id,
                d.postmortem_on,
                d.postmortem.summary,
                d.postmortem.root_causes,
                d.postmortem.lessons,
            )
            for d in deals
            if d.postmortem is not None and d.postmortem_on is not None
        ],
        {d.id: d for d in deals},
        as_of=as_of,
    )
