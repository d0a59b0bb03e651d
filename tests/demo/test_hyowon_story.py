"""The "(주)효원" key-account story, end to end, on every store and through
the demo command."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from b2bcore import (
    AssetStatus,
    B2BCore,
    FeedbackKind,
    Grade,
    Money,
    Outcome,
    Severity,
)
from b2bcore.domain.asset import Asset
from b2bcore.domain.values import GateStep
from b2bcore.reports.alerts import AlertKind
from b2bcore_adapters.demo.book import AS_OF, record_hyowon
from b2bcore_adapters.demo.story.hyowon import COMPLAINT, SURVEY
from b2bcore_adapters.entrypoints.cli.main import main
from tests.helpers import stored_events


def test_the_key_account_pays_all_four_installments_on_time(core: B2BCore) -> None:
    account, asset, _ = record_hyowon(core)

    view = core.asset(asset)

    assert core.account(account).grade is Grade.KEY
    assert view.value.amount == Decimal(23_800_000)
    assert view.value.currency == "KRW"
    assert len(view.installments) == 4
    assert all(
        p.paid_on <= i.due_on
        for p, i in zip(view.payments, view.installments, strict=True)
    )
    assert view.fully_paid
    assert view.late_payments == 0
    assert view.payment_compliance == 1.0
    assert view.status is AssetStatus.INSTALLED
    assert view.usage_end_on == date(2025, 1, 19)
    assert view.days_left(AS_OF) == 79


def test_the_won_expansion_deal_created_its_asset(core: B2BCore) -> None:
    account, _, deal = record_hyowon(core)

    view = core.opportunity(deal)
    (new_asset,) = view.asset_ids

    assert view.outcome is Outcome.WON
    assert [stint.tier for stint in view.stints()] == [4, 3, 2, 1]
    assert core.asset(new_asset).opportunity_id == deal
    assert core.asset(new_asset).account_id == account


def test_the_mistyped_score_is_corrected_and_its_alert_gone_as_known_now(
    core: B2BCore,
) -> None:
    _, asset, _ = record_hyowon(core)
    events = stored_events(core, asset)
    (at,) = (
        i for i, e in enumerate(events) if isinstance(e, Asset.SatisfactionCorrected)
    )
    known_before = events[at - 1].timestamp

    def dissatisfied(known_at: datetime | None = None) -> list[str]:
        return [
            alert.detail
            for alert in core.alerts(as_of=AS_OF, known_at=known_at)
            if alert.kind is AlertKind.DISSATISFACTION
        ]

    assert [s.score for s in core.asset(asset).satisfaction] == [9]
    assert events[at].effective_on == date(2024, 7, 18)
    assert events[at].reason == "keyed in as 2; the survey form says 9"
    assert [s.score for s in core.asset(asset, known_at=known_before).satisfaction] == [
        2
    ]
    assert dissatisfied(known_at=known_before) == [
        "satisfaction 2/10, below 6: fast support"
    ]
    assert dissatisfied() == []


def test_the_late_cars_complaint_was_resolved_within_the_week(core: B2BCore) -> None:
    account, asset, _ = record_hyowon(core)

    complaint, survey = core.feedback(COMPLAINT), core.feedback(SURVEY)

    assert (complaint.account_id, complaint.asset_id) == (account, asset)
    assert (complaint.kind, complaint.severity) == (
        FeedbackKind.COMPLAINT,
        Severity.MEDIUM,
    )
    assert (complaint.recorded_on, complaint.resolved_on) == (
        date(2024, 8, 12),
        date(2024, 8, 16),
    )
    assert core.feedback(COMPLAINT, as_of=date(2024, 8, 15)).resolved_on is None
    assert (survey.kind, survey.score) == (FeedbackKind.SURVEY, 8)
    assert not [
        alert
        for alert in core.alerts(as_of=AS_OF)
        if alert.kind is AlertKind.DISSATISFACTION
    ]


def test_the_board_refused_the_van_deal_at_a_loss_and_passed_it_at_15_percent(
    core: B2BCore,
) -> None:
    _, _, deal = record_hyowon(core)

    view = core.opportunity(deal)
    first, second = view.reviews
    estimate = view.profitability

    assert first.profitability is not None
    assert first.profitability.margin == Decimal("-0.04")
    assert [(r.gate, r.step, r.on) for r in view.gate_history] == [
        (1, GateStep.REVIEWED, date(2024, 10, 8)),
        (1, GateStep.REVIEWED, date(2024, 10, 17)),
        (1, GateStep.PASSED, date(2024, 10, 18)),
    ]  # the refused pass of 16 October recorded nothing
    assert second.profitability == estimate
    assert estimate is not None
    assert estimate.cost == Money.of(12_325_000, "KRW")
    assert estimate.price == view.won_value
    assert estimate.margin == Decimal("0.15")
    assert round(estimate.roi, 3) == Decimal("0.176")


def test_the_fleet_renewal_deal_is_open_at_tier_3_in_the_renewal_queue(
    core: B2BCore,
) -> None:
    account, asset, _ = record_hyowon(core)

    (due,) = core.renewal_queue(as_of=AS_OF, within=90)
    renewal_id = core.asset(asset).renewal_deal_id
    assert renewal_id is not None
    renewal = core.opportunity(renewal_id)

    assert (due.asset_id, due.days_left, due.bucket) == (asset, 79, 90)
    assert (due.deal_id, due.deal_tier) == (renewal.id, 3)
    assert renewal.renews_asset_id == asset
    assert renewal.account_id == account
    assert renewal.outcome is None
    assert renewal.amount == core.asset(asset).value
    assert renewal.opened_on == date(2024, 10, 22)


def test_the_demo_prints_the_story_from_a_fresh_sqlite_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "demo.db"

    assert main(["demo", "--db", f"sqlite:///{database}"]) == 0
    first = capsys.readouterr().out
    assert main(["demo", "--db", f"sqlite:///{database}"]) == 0

    assert capsys.readouterr().out == first
    assert "paid 4/4 (fully paid)" in first
    assert "late payments 0, payment compliance 100%" in first
    assert "status installed" in first
    assert f"days left until usage end as of {AS_OF}: 79" in first
    assert "margin 15.0%, ROI 17.6%" in first
    assert "open at tier 3" in first
    assert "resolved 2024-08-16" in first
