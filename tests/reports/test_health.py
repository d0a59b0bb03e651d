"""The health score and renewal likelihood: points per input, no data as
half, complaints about the asset or its account, as of a date and as known
at a time, and the places that show it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

import attrs
import pytest

from b2bcore import B2BCore, ContactChannel, UsagePattern, ValidationError
from b2bcore.application.settings import HEALTH_INPUTS, HealthScoring, Settings
from b2bcore.domain.values import FeedbackCategory, FeedbackKind, Severity
from b2bcore.reports.health import HealthPoints, Likelihood, likelihood
from tests.helpers import register_account
from tests.reports.installed_base import installed_asset

INSTALLED = date(2024, 1, 10)


@pytest.fixture
def account(memory_core: B2BCore) -> UUID:
    return register_account(memory_core)


@pytest.fixture
def asset(memory_core: B2BCore, account: UUID) -> UUID:
    return installed_asset(
        memory_core, account, installed_on=INSTALLED, usage_end_on=date(2025, 1, 9)
    )


def uses(core: B2BCore, asset: UUID, *counts: int) -> None:
    """Usage from 2024-01 on, one month each, each reported on the 1st of
    the month after."""
    for n, count in enumerate(counts):
        core.record_usage(
            asset,
            period=date(2024, n + 1, 1),
            count=count,
            distance_km=count,
            region="Seoul",
            pattern=UsagePattern.COMMUTE,
            on=date(2024, n + 2, 1),
        )


def complain(
    core: B2BCore,
    account: UUID,
    severity: Severity,
    on: date,
    asset: UUID | None = None,
) -> UUID:
    return core.record_feedback(
        account_id=account,
        asset_id=asset,
        kind=FeedbackKind.COMPLAINT,
        channel=ContactChannel.PHONE,
        category=FeedbackCategory.DELIVERY,
        severity=severity,
        on=on,
    )


def test_an_asset_with_no_facts_scores_half_of_each_unknown_input(
    memory_core: B2BCore, asset: UUID
) -> None:
    (found,) = memory_core.health(as_of=INSTALLED).assets

    points = found.health.points
    assert (points.usage, points.satisfaction) == (12, 12)
    assert (points.complaints, points.payments, points.competitor) == (20, 20, 10)
    assert found.health.score == 74
    assert found.health.likelihood is Likelihood.HIGH


def test_usage_kept_scores_its_share_and_growth_scores_all(
    memory_core: B2BCore, account: UUID, asset: UUID
) -> None:
    grown = installed_asset(
        memory_core, account, installed_on=INSTALLED, usage_end_on=None
    )
    uses(memory_core, asset, 90, 100, 110, 50, 40, 60)
    uses(memory_core, grown, 10, 10, 10, 0, 500, 20)

    found = {
        a.asset_id: a.health for a in memory_core.health(as_of=date(2024, 7, 1)).assets
    }

    # recent mean 50 of earlier mean 100: half of 25.
    assert found[asset].points.usage == 12
    assert (found[asset].inputs.recent_uses, found[asset].inputs.earlier_uses) == (
        150,
        300,
    )
    assert found[grown].points.usage == 25


def test_a_month_not_yet_reported_is_left_out_of_the_trend(
    memory_core: B2BCore, asset: UUID
) -> None:
    uses(memory_core, asset, 100, 100, 100, 100, 100, 100)

    (found,) = memory_core.health(as_of=date(2024, 6, 15)).assets

    # June's usage is reported on 07-01: the trend ends with May.
    assert found.health.inputs.latest_usage_month == date(2024, 5, 1)
    assert (found.health.inputs.recent_months, found.health.inputs.earlier_months) == (
        3,
        2,
    )
    assert found.health.points.usage == 25


def test_open_complaints_about_the_asset_or_its_account_cost_their_weights(
    memory_core: B2BCore, account: UUID, asset: UUID
) -> None:
    complain(memory_core, account, Severity.HIGH, date(2024, 3, 1), asset)
    complain(memory_core, account, Severity.MEDIUM, date(2024, 3, 2))
    resolved = complain(memory_core, account, Severity.CRITICAL, date(2024, 3, 3))
    memory_core.resolve_complaint(resolved, resolution="refund", on=date(2024, 3, 20))

    def open_on(day: date) -> tuple[int, int]:
        (found,) = memory_core.health(as_of=day).assets
        return found.health.points.complaints, sum(
            found.health.inputs.open_complaints.values()
        )

    assert open_on(date(2024, 3, 10)) == (0, 3)  # 20 − 10 − 5 − 20, not below 0
    assert open_on(date(2024, 3, 20)) == (5, 2)


def test_as_known_before_a_resolution_was_recorded_the_complaint_is_open(
    memory_core: B2BCore, account: UUID, asset: UUID
) -> None:
    complaint = complain(memory_core, account, Severity.HIGH, date(2024, 3, 1), asset)
    before = datetime.now().astimezone()
    memory_core.resolve_complaint(complaint, resolution="fixed", on=date(2024, 3, 5))

    (now,) = memory_core.health(as_of=date(2024, 4, 1)).assets
    (then,) = memory_core.health(as_of=date(2024, 4, 1), known_at=before).assets

    assert now.health.points.complaints == 20
    assert then.health.points.complaints == 10


def test_each_late_payment_and_overdue_installment_costs_points(
    memory_core: B2BCore, asset: UUID
) -> None:
    plan = memory_core.asset(asset).installments
    memory_core.pay_installment(
        asset, number=1, amount=plan[0].amount, on=plan[0].due_on
    )
    memory_core.pay_installment(
        asset, number=2, amount=plan[1].amount, on=plan[1].due_on + timedelta(days=3)
    )

    (found,) = memory_core.health(as_of=plan[2].due_on + timedelta(days=1)).assets

    inputs = found.health.inputs
    assert (inputs.late_payments, inputs.overdue) == (1, 1)
    assert found.health.points.payments == 5  # 20 − 5 − 10


def test_a_competitor_contact_costs_less_as_it_ages(
    memory_core: B2BCore, asset: UUID
) -> None:
    memory_core.report_competitor_contact(
        asset, competitor="Socar", on=date(2024, 2, 1)
    )

    def points(day: date) -> int:
        (found,) = memory_core.health(as_of=day).assets
        return found.health.points.competitor

    assert points(date(2024, 2, 1)) == 0
    assert points(date(2024, 3, 17)) == 5  # 45 days: ⌊10 × 45 ÷ 90⌋
    assert points(date(2024, 5, 1)) == 10


def test_the_report_lists_installed_assets_lowest_first_and_their_accounts(
    memory_core: B2BCore, account: UUID, asset: UUID
) -> None:
    other = register_account(memory_core, name="Sejin Logistics")
    theirs = installed_asset(
        memory_core, other, installed_on=INSTALLED, usage_end_on=None, owner="kim"
    )
    installed_asset(
        memory_core,
        other,
        installed_on=date(2024, 9, 1),
        purchased_on=INSTALLED,
        usage_end_on=None,
    )
    memory_core.record_satisfaction(theirs, score=2, on=date(2024, 2, 1))

    report = memory_core.health(as_of=date(2024, 3, 1))

    assert [a.asset_id for a in report.assets] == [theirs, asset]
    assert [(a.account, a.assets) for a in report.accounts] == [
        ("Sejin Logistics", 1),
        ("(주)효원", 1),
    ]
    assert [a.asset_id for a in memory_core.health(owner="kim").assets] == [theirs]
    assert [a.account_id for a in memory_core.health(account_id=other).accounts] == [
        other
    ]


def test_the_renewal_queue_dashboard_and_monthly_report_show_the_same_health(
    memory_core: B2BCore, account: UUID, asset: UUID
) -> None:
    day = date(2024, 12, 31)
    memory_core.record_satisfaction(asset, score=4, on=date(2024, 11, 1))

    (item,) = memory_core.health(as_of=day).assets
    (due,) = memory_core.renewal_queue(as_of=day)
    board = memory_core.rep_dashboard(as_of=day)
    report = memory_core.monthly_report(account, month=date(2024, 12, 1))

    assert due.health == item.health
    assert board.at_risk[0].health == item.health
    assert board.average_health == item.health.score
    assert board.by_likelihood[item.health.likelihood] == 1
    assert report.assets[0].health == item.health
    assert report.health is not None
    assert report.health.score == item.health.score


def test_the_likelihood_follows_the_thresholds() -> None:
    scoring = HealthScoring()

    assert [likelihood(s, scoring) for s in (39, 40, 69, 70)] == [
        Likelihood.LOW,
        Likelihood.MEDIUM,
        Likelihood.MEDIUM,
        Likelihood.HIGH,
    ]


@pytest.mark.parametrize(
    "scoring",
    [
        {"usage": 50},
        {"competitor": -1},
        {"late_payment": -5},
        {"complaint_weights": {Severity.LOW: 1}},
        {"medium": 80, "high": 70},
        {"high": 101},
    ],
)
def test_points_that_break_the_rules_are_refused(scoring: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="health"):
        Settings(health=HealthScoring(**scoring))  # type: ignore[arg-type]


def test_the_points_and_their_maxima_name_the_same_inputs() -> None:
    # The score and its best possible value both add up HEALTH_INPUTS.
    given = set(attrs.fields_dict(HealthPoints))
    most = set(attrs.fields_dict(HealthScoring)) & given

    assert given == most == set(HEALTH_INPUTS)
    assert HealthPoints(**dict.fromkeys(HEALTH_INPUTS, 1)).total == len(given)
