"""The monthly asset report of one account, checked figure by figure on a
hand-built account."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from b2bcore import B2BCore, Money, ObsoleteReason, UsagePattern
from b2bcore.domain.errors import NotFoundError, ValidationError
from b2bcore.domain.values import add_months
from b2bcore.reports.monthly import (
    InspectionResult,
    MonthlyReport,
    OpenInspection,
    UsagePoint,
)
from tests.helpers import purchase_asset, register_account

MAY = date(2024, 5, 1)
INSTALLMENT = Money.of(5_950_000, "KRW")


def use(core: B2BCore, asset: UUID, period: date, count: int, km: int) -> None:
    core.record_usage(
        asset,
        period=period,
        count=count,
        distance_km=km,
        region="Seoul",
        pattern=UsagePattern.BUSINESS,
        on=add_months(period, 1),
    )


def the_account(core: B2BCore) -> tuple[UUID, UUID]:
    """효원's fleet: bought 2024-01-15 for 23.8M in 4 installments due on the
    15th of February to May, installed 02-01 until 2024-08-15. Installments
    1 and 3 paid on time, 2 paid late, 4 unpaid. 100 uses in April, 140 in
    May. Inspection 1 done on 05-08, inspection 2 due 05-25 still open. A
    van made obsolete in April and another account's asset stay out."""
    hyowon = register_account(core)
    fleet = purchase_asset(core, hyowon)
    core.install_asset(fleet, usage_end_on=date(2024, 8, 15), on=date(2024, 2, 1))
    for number, paid_on in ((1, date(2024, 2, 15)), (2, date(2024, 3, 20))):
        core.pay_installment(fleet, number=number, amount=INSTALLMENT, on=paid_on)
    core.pay_installment(fleet, number=3, amount=INSTALLMENT, on=date(2024, 4, 15))
    use(core, fleet, date(2024, 4, 1), 100, 2_000)
    use(core, fleet, date(2024, 5, 1), 140, 2_600)
    first = core.schedule_inspection(
        fleet, due_on=date(2024, 5, 10), on=date(2024, 4, 20)
    )
    core.complete_inspection(
        fleet, number=first, findings="Tyres worn", on=date(2024, 5, 8)
    )
    core.schedule_inspection(fleet, due_on=date(2024, 5, 25), on=date(2024, 5, 15))
    van = purchase_asset(core, hyowon, product="Van", on=date(2024, 1, 20))
    core.install_asset(van, usage_end_on=None, on=date(2024, 2, 1))
    use(core, van, date(2024, 3, 1), 30, 500)
    core.make_asset_obsolete(
        van, reason_code=ObsoleteReason.PRICE, on=date(2024, 4, 10)
    )
    other = purchase_asset(core, register_account(core, name="Other"))
    core.install_asset(other, usage_end_on=None, on=date(2024, 2, 1))
    use(core, other, MAY, 999, 9_999)
    return hyowon, fleet


@pytest.fixture
def report(memory_core: B2BCore) -> MonthlyReport:
    hyowon, _ = the_account(memory_core)
    return memory_core.monthly_report(hyowon, month=MAY)


def test_the_report_covers_the_month_up_to_its_last_day(
    report: MonthlyReport,
) -> None:
    assert (report.account.name, report.month, report.as_of) == (
        "(주)효원",
        MAY,
        date(2024, 5, 31),
    )
    assert [a.product for a in report.assets] == ["Fleet subscription"]


def test_usage_compares_the_month_with_the_previous_one(
    report: MonthlyReport,
) -> None:
    fleet = report.assets[0]

    assert (fleet.count, fleet.distance_km, fleet.previous_count) == (140, 2_600, 100)
    assert fleet.count_change == pytest.approx(0.4)


def test_the_trend_sums_six_months_of_the_accounts_assets(
    report: MonthlyReport,
) -> None:
    assert report.trend == (
        UsagePoint(date(2023, 12, 1), 0, 0),
        UsagePoint(date(2024, 1, 1), 0, 0),
        UsagePoint(date(2024, 2, 1), 0, 0),
        UsagePoint(date(2024, 3, 1), 0, 0),
        UsagePoint(date(2024, 4, 1), 100, 2_000),
        UsagePoint(date(2024, 5, 1), 140, 2_600),
    )
    assert report.usage == report.trend[-1]


def test_inspections_done_in_the_month_and_open_ones_are_listed(
    report: MonthlyReport,
) -> None:
    fleet = report.assets[0]

    assert fleet.inspections == (InspectionResult(1, date(2024, 5, 8), "Tyres worn"),)
    assert fleet.open_inspections == (OpenInspection(2, date(2024, 5, 25), True),)


def test_renewal_date_and_payment_status_are_as_of_the_month_end(
    report: MonthlyReport,
) -> None:
    fleet = report.assets[0]
    payment = fleet.payment

    assert (fleet.usage_end_on, fleet.days_to_renewal) == (date(2024, 8, 15), 76)
    assert (payment.planned, payment.paid, payment.overdue, payment.late) == (
        4,
        3,
        1,
        1,
    )
    assert payment.paid_amount == Money.of(17_850_000, "KRW")
    assert payment.outstanding == INSTALLMENT
    assert not payment.fully_paid


def test_recommendations_follow_from_the_figures(report: MonthlyReport) -> None:
    assert report.assets[0].recommendations == (
        "Complete inspection 2, due on 2024-05-25.",
        "Prepare the renewal: the usage ends on 2024-08-15 in 76 days.",
        "Usage rose 40% from the previous month: review the fleet size with the "
        "customer.",
        "Settle 1 overdue installment(s).",
    )


def test_a_month_before_the_facts_reports_them_as_they_stood(
    memory_core: B2BCore,
) -> None:
    hyowon, _ = the_account(memory_core)

    march = memory_core.monthly_report(hyowon, month=date(2024, 3, 1))

    fleet, van = march.assets
    assert (fleet.count, fleet.inspections, fleet.open_inspections) == (None, (), ())
    assert (fleet.payment.paid, fleet.payment.late, fleet.payment.overdue) == (2, 1, 0)
    assert (van.count, van.usage_end_on, van.payment.overdue) == (30, None, 2)
    assert van.recommendations == ("Settle 2 overdue installment(s).",)
    assert march.usage == UsagePoint(date(2024, 3, 1), 30, 500)


def test_a_month_not_given_by_its_first_day_is_refused(
    memory_core: B2BCore,
) -> None:
    hyowon, _ = the_account(memory_core)

    with pytest.raises(ValidationError) as excinfo:
        memory_core.monthly_report(hyowon, month=date(2024, 5, 2))

    assert excinfo.value.field == "month"


def test_a_month_that_is_not_a_date_is_refused(memory_core: B2BCore) -> None:
    hyowon, _ = the_account(memory_core)

    with pytest.raises(ValidationError) as excinfo:
        memory_core.monthly_report(hyowon, month="2024-05")  # type: ignore[arg-type]

    assert excinfo.value.field == "month"


def test_the_last_month_there_is_is_reported_up_to_its_last_day(
    memory_core: B2BCore,
) -> None:
    hyowon, _ = the_account(memory_core)

    last = memory_core.monthly_report(hyowon, month=date(9999, 12, 1))

    assert last.as_of == date(9999, 12, 31)
    assert last.trend[0].month == date(9999, 7, 1)


def test_a_month_the_trend_cannot_reach_back_from_is_refused(
    memory_core: B2BCore,
) -> None:
    ancient = register_account(memory_core, on=date(1, 1, 2))

    with pytest.raises(ValidationError, match="0001-06 or later") as excinfo:
        memory_core.monthly_report(ancient, month=date(1, 5, 1))

    assert excinfo.value.field == "month"
    assert memory_core.monthly_report(ancient, month=date(1, 6, 1)).as_of == date(
        1, 6, 30
    )


def test_an_unknown_account_is_not_found(memory_core: B2BCore) -> None:
    with pytest.raises(NotFoundError):
        memory_core.monthly_report(UUID(int=7), month=MAY)


def test_known_at_reports_what_was_recorded_by_then(memory_core: B2BCore) -> None:
    hyowon = register_account(memory_core)
    fleet = purchase_asset(memory_core, hyowon)
    memory_core.install_asset(fleet, usage_end_on=None, on=date(2024, 2, 1))
    use(memory_core, fleet, date(2024, 4, 1), 100, 2_000)
    before = memory_core.asset(fleet).recorded_at
    use(memory_core, fleet, MAY, 140, 2_600)

    then = memory_core.monthly_report(hyowon, month=MAY, known_at=before)
    now = memory_core.monthly_report(hyowon, month=MAY)

    assert (then.assets[0].count, then.assets[0].previous_count) == (None, 100)
    assert now.assets[0].count == 140
