"""Correcting a recorded payment, satisfaction score, usage month or
inspection: a correction event names the fact it fixes and takes effect on
that fact's business date; as of any later date the fact reads as corrected,
as known before the correction it reads as it was (docs/audit.md)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

import pytest

from b2bcore import (
    B2BCore,
    BusinessRuleError,
    Money,
    NotFoundError,
    ObsoleteReason,
    UsagePattern,
    ValidationError,
)
from b2bcore.domain.asset import Asset
from b2bcore.reports.alerts import Alert, AlertKind
from b2bcore.reports.renewals import Risk
from tests.domain.test_asset import (
    INSTALLED_ON,
    MONTHLY,
    TODAY,
    installed_asset,
    obsolete_asset,
    purchased_asset,
)
from tests.helpers import refused, stored_events

SCORED_ON = date(2024, 3, 2)
PAID_ON = date(2024, 2, 10)
LATE = date(2024, 2, 20)
FEBRUARY, MARCH = date(2024, 2, 1), date(2024, 3, 1)
INSPECTED_ON = date(2024, 3, 1)
CORRECTED_ON = date(2024, 4, 1)
YEAR_START = date(2024, 1, 1)


def scored_asset(core: B2BCore, score: int = 2) -> UUID:
    """The installed asset, given a satisfaction ``score`` on SCORED_ON."""
    asset_id = installed_asset(core)
    core.record_satisfaction(asset_id, score=score, comment="", on=SCORED_ON)
    return asset_id


def paid_asset(core: B2BCore) -> UUID:
    """The installed asset, installment 1 (due Feb 10) paid on PAID_ON."""
    asset_id = installed_asset(core)
    core.pay_installment(asset_id, number=1, amount=MONTHLY, on=PAID_ON)
    return asset_id


def used_asset(core: B2BCore) -> UUID:
    """The installed asset with 100 uses in February and 40 in March
    (an anomaly: -60 %)."""
    asset_id = installed_asset(core)
    for period, count, on in ((FEBRUARY, 100, date(2024, 3, 3)), (MARCH, 40, None)):
        core.record_usage(
            asset_id,
            period=period,
            count=count,
            distance_km=10 * count,
            region="Seoul",
            pattern=UsagePattern.BUSINESS,
            on=on or date(2024, 4, 2),
        )
    return asset_id


def inspected_asset(core: B2BCore) -> UUID:
    """The installed asset, inspection 1 completed on INSPECTED_ON."""
    asset_id = installed_asset(core)
    core.schedule_inspection(asset_id, due_on=INSPECTED_ON, on=date(2024, 2, 1))
    core.complete_inspection(asset_id, number=1, findings="ok", on=INSPECTED_ON)
    return asset_id


def last_recorded(core: B2BCore, asset_id: UUID) -> Asset.Event:
    *_, event = stored_events(core, asset_id)
    assert isinstance(event, Asset.Event)
    return event


# -- satisfaction -------------------------------------------------------------


def test_a_corrected_score_reads_corrected_from_the_day_it_was_recorded(
    memory_core: B2BCore,
) -> None:
    asset_id = scored_asset(memory_core)

    memory_core.correct_satisfaction(
        asset_id, recorded_on=SCORED_ON, score=8, reason="typo", on=CORRECTED_ON
    )

    corrected = last_recorded(memory_core, asset_id)
    assert isinstance(corrected, Asset.SatisfactionCorrected)
    assert (corrected.effective_on, corrected.corrected_on) == (
        SCORED_ON,
        CORRECTED_ON,
    )
    assert (corrected.previous_score, corrected.score) == (2, 8)
    [score] = memory_core.asset(asset_id, as_of=SCORED_ON).satisfaction
    assert (score.recorded_on, score.score) == (SCORED_ON, 8)


def test_a_mistyped_low_score_stops_being_a_dissatisfaction_alert(
    core: B2BCore,
) -> None:
    asset_id = scored_asset(core)
    scored = last_recorded(core, asset_id)

    core.correct_satisfaction(
        asset_id, recorded_on=SCORED_ON, score=8, reason="typo", on=CORRECTED_ON
    )

    def dissatisfied(known_at: datetime | None = None) -> list[Alert]:
        return [
            a
            for a in core.alerts(as_of=TODAY, known_at=known_at)
            if a.kind is AlertKind.DISSATISFACTION
        ]

    assert dissatisfied() == []
    assert len(dissatisfied(known_at=scored.timestamp)) == 1
    [item] = core.renewal_queue(as_of=TODAY, within=365)
    assert Risk.LOW_SATISFACTION not in item.risks
    [before] = core.renewal_queue(as_of=TODAY, within=365, known_at=scored.timestamp)
    assert Risk.LOW_SATISFACTION in before.risks


def test_correcting_a_score_never_recorded_on_that_day_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = scored_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "recorded_on"):
        memory_core.correct_satisfaction(
            asset_id, recorded_on=date(2024, 3, 3), score=8, reason="typo"
        )


def test_a_day_with_different_scores_cannot_say_which_is_corrected(
    memory_core: B2BCore,
) -> None:
    asset_id = scored_asset(memory_core)
    memory_core.record_satisfaction(asset_id, score=9, comment="", on=SCORED_ON)

    with refused(memory_core, asset_id, BusinessRuleError, "recorded_on"):
        memory_core.correct_satisfaction(
            asset_id, recorded_on=SCORED_ON, score=8, reason="typo"
        )


@pytest.mark.parametrize("score", [-1, 11])
def test_a_corrected_score_outside_0_to_10_is_refused(
    memory_core: B2BCore, score: int
) -> None:
    asset_id = scored_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "score"):
        memory_core.correct_satisfaction(
            asset_id, recorded_on=SCORED_ON, score=score, reason="typo"
        )


def test_correcting_a_score_to_itself_is_refused(memory_core: B2BCore) -> None:
    asset_id = scored_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "score"):
        memory_core.correct_satisfaction(
            asset_id, recorded_on=SCORED_ON, score=2, reason="typo"
        )


# -- payments -----------------------------------------------------------------


def test_a_reversed_payment_leaves_the_installment_unpaid(core: B2BCore) -> None:
    asset_id = paid_asset(core)
    paid = last_recorded(core, asset_id)

    core.reverse_payment(asset_id, number=1, reason="bounced", on=CORRECTED_ON)

    reversed_ = last_recorded(core, asset_id)
    assert isinstance(reversed_, Asset.PaymentReversed)
    assert (reversed_.effective_on, reversed_.corrected_on) == (PAID_ON, CORRECTED_ON)
    assert core.asset(asset_id).payments == ()
    assert core.asset(asset_id, known_at=paid.timestamp).payments != ()
    assert core.asset_kpis(start=YEAR_START, end=TODAY).payments == 0
    assert (
        core.asset_kpis(start=YEAR_START, end=TODAY, known_at=paid.timestamp).payments
        == 1
    )


def test_a_reversed_installment_can_be_paid_again(memory_core: B2BCore) -> None:
    asset_id = paid_asset(memory_core)
    memory_core.reverse_payment(asset_id, number=1, reason="bounced")

    memory_core.pay_installment(asset_id, number=1, amount=MONTHLY, on=LATE)

    [payment] = memory_core.asset(asset_id).payments
    assert (payment.paid_on, payment.late) == (LATE, True)


def test_reversing_a_payment_twice_is_refused(memory_core: B2BCore) -> None:
    asset_id = paid_asset(memory_core)
    memory_core.reverse_payment(asset_id, number=1, reason="bounced")

    with refused(memory_core, asset_id, BusinessRuleError, "number"):
        memory_core.reverse_payment(asset_id, number=1, reason="bounced")


def test_a_corrected_payment_date_makes_it_late_as_of_then(core: B2BCore) -> None:
    asset_id = paid_asset(core)
    paid = last_recorded(core, asset_id)

    core.correct_payment(
        asset_id, number=1, paid_on=LATE, reason="bank statement", on=CORRECTED_ON
    )

    corrected = last_recorded(core, asset_id)
    assert isinstance(corrected, Asset.PaymentCorrected)
    assert corrected.effective_on == PAID_ON
    [payment] = core.asset(asset_id).payments
    assert (payment.paid_on, payment.late, payment.amount) == (LATE, True, MONTHLY)
    assert core.asset_kpis(start=YEAR_START, end=TODAY).payment_compliance == 0
    assert (
        core.asset_kpis(
            start=YEAR_START, end=TODAY, known_at=paid.timestamp
        ).payment_compliance
        == 1
    )
    [item] = core.renewal_queue(as_of=TODAY, within=365)
    assert Risk.LATE_PAYMENT in item.risks


def test_correcting_an_unpaid_installment_is_refused(memory_core: B2BCore) -> None:
    asset_id = paid_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "number"):
        memory_core.correct_payment(asset_id, number=2, paid_on=LATE, reason="typo")
    with refused(memory_core, asset_id, BusinessRuleError, "number"):
        memory_core.reverse_payment(asset_id, number=13, reason="typo")


def test_a_payment_corrected_to_its_own_day_is_refused(memory_core: B2BCore) -> None:
    asset_id = paid_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "paid_on"):
        memory_core.correct_payment(asset_id, number=1, paid_on=PAID_ON, reason="x")


def test_a_payment_corrected_to_before_its_plan_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = paid_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "paid_on"):
        memory_core.correct_payment(
            asset_id, number=1, paid_on=date(2024, 1, 9), reason="typo"
        )


def test_a_payment_date_that_is_no_date_is_refused(memory_core: B2BCore) -> None:
    asset_id = paid_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "paid_on"):
        memory_core.correct_payment(
            asset_id,
            number=1,
            paid_on="2024-02-20",  # type: ignore[arg-type]
            reason="typo",
        )


def test_a_purchased_asset_s_payment_can_be_corrected(memory_core: B2BCore) -> None:
    asset_id = purchased_asset(memory_core)
    memory_core.pay_installment(asset_id, number=1, amount=MONTHLY, on=PAID_ON)

    memory_core.correct_payment(asset_id, number=1, paid_on=LATE, reason="typo")

    [payment] = memory_core.asset(asset_id).payments
    assert payment.paid_on == LATE


def test_an_asset_cannot_be_made_obsolete_before_a_corrected_payment(
    memory_core: B2BCore,
) -> None:
    asset_id = paid_asset(memory_core)
    memory_core.correct_payment(
        asset_id, number=1, paid_on=date(2024, 5, 1), reason="typo"
    )

    with refused(memory_core, asset_id, BusinessRuleError, "on"):
        memory_core.make_asset_obsolete(
            asset_id, reason_code=ObsoleteReason.PRICE, on=date(2024, 4, 30)
        )


# -- usage --------------------------------------------------------------------


def test_a_corrected_usage_month_is_no_longer_an_anomaly(core: B2BCore) -> None:
    asset_id = used_asset(core)
    used = last_recorded(core, asset_id)

    core.correct_usage(
        asset_id, period=date(2024, 3, 15), count=90, distance_km=900, reason="typo"
    )

    corrected = last_recorded(core, asset_id)
    assert isinstance(corrected, Asset.UsageCorrected)
    assert (corrected.effective_on, corrected.period) == (date(2024, 4, 2), MARCH)
    march = next(u for u in core.asset(asset_id).usage if u.period == MARCH)
    assert (march.count, march.distance_km, march.region) == (90, 900, "Seoul")

    def anomalies(known_at: datetime | None = None) -> int:
        return sum(
            a.kind is AlertKind.USAGE_ANOMALY
            for a in core.alerts(as_of=TODAY, known_at=known_at)
        )

    assert anomalies() == 0
    assert anomalies(known_at=used.timestamp) == 1


def test_correcting_a_month_never_recorded_is_refused(memory_core: B2BCore) -> None:
    asset_id = used_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "period"):
        memory_core.correct_usage(
            asset_id, period=date(2024, 4, 1), count=1, distance_km=1, reason="x"
        )


def test_negative_corrected_usage_is_refused(memory_core: B2BCore) -> None:
    asset_id = used_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "distance_km"):
        memory_core.correct_usage(
            asset_id, period=MARCH, count=1, distance_km=-1, reason="x"
        )


def test_usage_corrected_to_the_same_figures_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = used_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "count"):
        memory_core.correct_usage(
            asset_id, period=MARCH, count=40, distance_km=400, reason="x"
        )


# -- inspections --------------------------------------------------------------


def test_a_corrected_inspection_finds_what_it_says_from_its_completion(
    memory_core: B2BCore,
) -> None:
    asset_id = inspected_asset(memory_core)
    completed = last_recorded(memory_core, asset_id)

    memory_core.correct_inspection(
        asset_id, number=1, findings="brake pads worn", reason="wrong form"
    )

    corrected = last_recorded(memory_core, asset_id)
    assert isinstance(corrected, Asset.InspectionCorrected)
    assert corrected.effective_on == INSPECTED_ON
    [inspection] = memory_core.asset(asset_id, as_of=INSPECTED_ON).inspections
    assert (inspection.completed_on, inspection.findings) == (
        INSPECTED_ON,
        "brake pads worn",
    )
    [before] = memory_core.asset(asset_id, known_at=completed.timestamp).inspections
    assert before.findings == "ok"


def test_correcting_an_inspection_not_completed_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)
    memory_core.schedule_inspection(asset_id, due_on=INSPECTED_ON, on=INSTALLED_ON)

    with refused(memory_core, asset_id, BusinessRuleError, "number"):
        memory_core.correct_inspection(asset_id, number=1, findings="x", reason="x")
    with refused(memory_core, asset_id, BusinessRuleError, "number"):
        memory_core.correct_inspection(asset_id, number=2, findings="x", reason="x")


def test_an_inspection_corrected_to_the_same_findings_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = inspected_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "findings"):
        memory_core.correct_inspection(asset_id, number=1, findings="ok", reason="x")


# -- every correction ---------------------------------------------------------


def test_a_correction_without_a_reason_is_refused(memory_core: B2BCore) -> None:
    asset_id = scored_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "reason"):
        memory_core.correct_satisfaction(
            asset_id, recorded_on=SCORED_ON, score=8, reason=" "
        )


def test_a_correction_dated_before_the_fact_it_corrects_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = paid_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "on"):
        memory_core.reverse_payment(
            asset_id, number=1, reason="bounced", on=date(2024, 2, 9)
        )


def test_nothing_of_an_obsolete_asset_is_corrected(memory_core: B2BCore) -> None:
    asset_id = obsolete_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "status"):
        memory_core.correct_inspection(asset_id, number=1, findings="x", reason="x")


def test_correcting_an_unknown_asset_is_refused(memory_core: B2BCore) -> None:
    position = memory_core.log_position()

    with pytest.raises(NotFoundError):
        memory_core.reverse_payment(uuid4(), number=1, reason="x")

    assert memory_core.log_position() == position


def test_a_correction_keeps_the_money_of_the_plan(memory_core: B2BCore) -> None:
    asset_id = paid_asset(memory_core)

    memory_core.correct_payment(asset_id, number=1, paid_on=LATE, reason="typo")

    asset = memory_core.asset(asset_id)
    assert asset.paid == MONTHLY
    assert asset.outstanding == Money.of(11_000_000, "KRW")
