"""Every report answers through the API on every store, from its projections,
exactly as the pure report computes it from views read off the event store."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from b2bcore import (
    B2BCore,
    BusinessRuleError,
    LossReason,
    NotFoundError,
    ObsoleteReason,
)
from b2bcore.domain.values import (
    ContactChannel,
    FeedbackCategory,
    FeedbackKind,
    Severity,
)
from b2bcore.domain.views import (
    AccountView,
    AssetView,
    FeedbackView,
    OpportunityView,
)
from b2bcore.reports import (
    alerts,
    asset_kpis,
    dashboard,
    health,
    history,
    pipeline,
    segmentation,
    tiers,
    winloss,
)
from b2bcore.reports.dimensions import Dimension
from b2bcore.reports.renewals import linked_on, renewal_queue
from b2bcore_adapters.demo.book import AS_OF, record_hyowon
from tests.helpers import purchase_asset, register_account


@pytest.fixture
def story(core: B2BCore) -> dict[str, UUID]:
    account, asset, deal = record_hyowon(core)
    other = register_account(core, name="Sejin Logistics", on=date(2024, 2, 1))
    churned = purchase_asset(core, other, on=date(2024, 2, 5))
    core.install_asset(churned, usage_end_on=date(2025, 2, 4), on=date(2024, 2, 6))
    core.make_asset_obsolete(
        churned, reason_code=ObsoleteReason.COMPETITOR, on=date(2024, 9, 30)
    )
    core.register_sales_rep(name="park.minjun", manager="choi", office="Suwon")
    return {"account": account, "asset": asset, "deal": deal, "other": other}


def truth(
    core: B2BCore,
) -> tuple[list[AssetView], list[OpportunityView], dict[UUID, AccountView]]:
    """Views read from the event store, not from the projections."""
    log = core.event_log
    ids: dict[UUID, str] = {}
    for n in log.recorder.select_notifications(0, 10_000):
        assert isinstance(n.originator_id, UUID)
        ids[n.originator_id] = n.topic.split(":")[1]
    assets = [core.asset(i) for i, kind in ids.items() if kind == "asset"]
    deals = [core.opportunity(i) for i, kind in ids.items() if kind == "opportunity"]
    accounts = {i: core.account(i) for i, kind in ids.items() if kind == "account"}
    return assets, deals, accounts


def heard(core: B2BCore) -> list[FeedbackView]:
    """The surveys, complaints and interviews, read from the event store."""
    return [
        core.feedback(n.originator_id)
        for n in core.event_log.recorder.select_notifications(0, 10_000)
        if n.topic == "b2bcore:feedback:Recorded" and isinstance(n.originator_id, UUID)
    ]


def test_renewals_alerts_and_dashboard_match_the_event_store(
    core: B2BCore, story: dict[str, UUID]
) -> None:
    assets, deals, accounts = truth(core)
    feedback = heard(core)
    settings = core.settings

    assert core.renewal_queue(as_of=AS_OF, within=90) == renewal_queue(
        assets,
        accounts,
        as_of=AS_OF,
        within=90,
        settings=settings,
        deals=linked_on(deals, AS_OF),
        feedback=feedback,
    )
    assert core.alerts(as_of=AS_OF) == alerts.alerts(
        assets, deals, as_of=AS_OF, settings=settings, feedback=feedback
    )
    assert core.rep_dashboard(as_of=AS_OF) == dashboard.rep_dashboard(
        assets,
        accounts,
        owner=None,
        as_of=AS_OF,
        settings=settings,
        feedback=feedback,
    )
    assert len(core.renewal_queue(as_of=AS_OF)) == 1


def test_the_health_report_matches_the_event_store(
    core: B2BCore, story: dict[str, UUID]
) -> None:
    assets, _, accounts = truth(core)
    complaint = core.record_feedback(
        account_id=story["account"],
        kind=FeedbackKind.COMPLAINT,
        channel=ContactChannel.PHONE,
        category=FeedbackCategory.DELIVERY,
        severity=Severity.HIGH,
        on=date(2024, 9, 2),
    )
    feedback = [core.feedback(complaint)]

    found = core.health(as_of=AS_OF)

    assert found == health.health_report(
        assets, accounts, as_of=AS_OF, settings=core.settings, feedback=feedback
    )
    assert [a.account_id for a in found.accounts] == [story["account"]]
    assert found.assets[0].health.inputs.open_complaints[Severity.HIGH] == 1
    assert core.renewal_queue(as_of=AS_OF)[0].health == found.assets[0].health


def test_the_renewal_queue_links_the_open_renewal_deal_as_the_event_store_does(
    core: B2BCore, story: dict[str, UUID]
) -> None:
    # The story opened it on 22 October and moved it to tier 3 on the 25th.
    deal = core.asset(story["asset"]).renewal_deal_id
    assert deal is not None
    core.change_tier(deal, tier=2, on=AS_OF + timedelta(days=3))
    assets, deals, accounts = truth(core)
    before = date(2024, 10, 21)

    for day in (before, AS_OF, AS_OF + timedelta(days=5)):
        queue = core.renewal_queue(as_of=day, within=90)
        assert queue == renewal_queue(
            assets,
            accounts,
            as_of=day,
            within=90,
            settings=core.settings,
            deals=linked_on(deals, day),
        )
    assert [(i.deal_id, i.deal_tier) for i in queue] == [(deal, 2)]
    assert [(i.deal_id, i.deal_tier) for i in core.renewal_queue(as_of=AS_OF)] == [
        (deal, 3)
    ]
    assert [i.deal_id for i in core.renewal_queue(as_of=before)] == [None]


def test_asset_kpis_match_the_event_store(
    core: B2BCore, story: dict[str, UUID]
) -> None:
    assets, _, _ = truth(core)
    start, end = date(2024, 1, 1), date(2024, 12, 31)

    kpis = core.asset_kpis(start=start, end=end)

    assert kpis == asset_kpis.asset_kpis(
        assets, start=start, end=end, settings=core.settings
    )
    assert kpis.churned == 1
    assert kpis.churned_by_reason[asset_kpis.ChurnReason.COMPETITOR] == 1


def test_pipeline_reports_match_the_event_store(
    core: B2BCore, story: dict[str, UUID]
) -> None:
    _, deals, accounts = truth(core)
    managers = {"park.minjun": "choi"}
    settings = core.settings

    by_manager = core.pipeline_kpis(as_of=AS_OF, by=Dimension.MANAGER)

    assert by_manager == pipeline.pipeline_kpis(
        deals,
        as_of=AS_OF,
        settings=settings,
        by=Dimension.MANAGER,
        managers=managers,
        accounts=accounts,
    )
    assert list(by_manager.by) == ["choi"]
    assert core.tier_matrix(by=Dimension.ACCOUNT, as_of=AS_OF) == tiers.tier_matrix(
        deals,
        as_of=AS_OF,
        dimension=Dimension.ACCOUNT,
        managers=managers,
        accounts=accounts,
    )
    assert core.win_loss(as_of=AS_OF) == winloss.win_loss_analysis(deals, as_of=AS_OF)
    assert core.timeline(story["deal"], as_of=AS_OF) == winloss.timeline(
        core.opportunity(story["deal"]), as_of=AS_OF
    )


def test_account_reports_match_the_event_store(
    core: B2BCore, story: dict[str, UUID]
) -> None:
    assets, deals, accounts = truth(core)
    account = story["account"]

    assert core.segmentation(as_of=AS_OF) == segmentation.segmentation(
        accounts.values(),
        assets,
        as_of=AS_OF,
        settings=core.settings,
        feedback=heard(core),
    )
    assert core.account_history(account, as_of=AS_OF) == history.account_history(
        accounts[account],
        [a for a in assets if a.account_id == account],
        [d for d in deals if d.account_id == account],
        as_of=AS_OF,
    )


def test_an_alert_is_acknowledged_once_and_stays_acknowledged(
    core: B2BCore, story: dict[str, UUID]
) -> None:
    (alert,) = [a for a in core.alerts(as_of=AS_OF) if a.subject_id == story["asset"]]

    core.acknowledge_alert(alert.id, note="renewal call booked", on=AS_OF)
    position = core.log_position()

    with pytest.raises(BusinessRuleError, match="already acknowledged"):
        core.acknowledge_alert(alert.id, on=AS_OF)
    assert core.log_position() == position
    assert [a.id for a in core.alerts(as_of=AS_OF) if a.acknowledged] == [alert.id]
    assert alert.id not in {a.id for a in core.alerts(as_of=AS_OF, unacknowledged=True)}


def test_an_unknown_alert_cannot_be_acknowledged(
    core: B2BCore, story: dict[str, UUID]
) -> None:
    with pytest.raises(NotFoundError):
        core.acknowledge_alert(UUID(int=7), on=AS_OF)


def test_a_lost_deal_shows_in_the_win_loss_analysis(
    core: B2BCore, story: dict[str, UUID]
) -> None:
    deal = core.open_opportunity(
        account_id=story["other"],
        name="replacement fleet",
        amount=core.asset(story["asset"]).value,
        owner="park.minjun",
        business_line=core.account(story["other"]).business_line,
        region="Busan",
        country="KR",
        product="fleet",
        expected_close_on=date(2024, 12, 1),
        on=date(2024, 10, 1),
    )
    core.lose_opportunity(
        deal,
        reason_code=LossReason.PRICE,
        competitor="Lotte Rental",
        on=date(2024, 10, 20),
    )

    analysis = core.win_loss(as_of=AS_OF)

    assert (analysis.won, analysis.lost, analysis.win_rate) == (1, 1, 0.5)
    assert dict(analysis.lost_to) == {"Lotte Rental": 1}
