"""The monthly asset report of one account, the customer letter of the brief:
usage statistics and trends, inspection results and recommendations, the
renewal date and the payment status of each asset, for one calendar month.

Every figure is read as it stood at the end of the month (docs/monthly-report.md).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from uuid import UUID

import attrs

from b2bcore.application.settings import Settings
from b2bcore.domain.errors import ValidationError
from b2bcore.domain.money import Money
from b2bcore.domain.values import AssetStatus, add_months
from b2bcore.domain.views import AccountView, AssetView
from b2bcore.reports import asof
from b2bcore.reports.health import AccountHealth, Complaints, Health, account_health
from b2bcore.reports.health import health as health_on
from b2bcore.reports.records import FeedbackRecord
from b2bcore.reports.roi import AssetRoi, CurrencyRoi, account_roi, asset_roi
from b2bcore.reports.suggestions import Suggestion

#: How many months the usage trend covers, the report's month last.
TREND_MONTHS = 6


@attrs.frozen
class UsagePoint:
    """One month of use summed over the account's assets."""

    month: date
    count: int
    distance_km: int


@attrs.frozen
class InspectionResult:
    number: int
    completed_on: date
    findings: str


@attrs.frozen
class OpenInspection:
    number: int
    due_on: date
    #: Due before the end of the month and still not completed.
    overdue: bool


@attrs.frozen
class PaymentStatus:
    """The installment plan as paid by the end of the month."""

    planned: int
    paid: int
    paid_amount: Money
    outstanding: Money
    #: Unpaid installments due on or before the end of the month.
    overdue: int
    #: Installments paid after their due date.
    late: int

    @property
    def fully_paid(self) -> bool:
        return self.paid == self.planned


@attrs.frozen
class AssetMonth:
    """One asset in the report's month."""

    asset_id: UUID
    product: str
    status: AssetStatus
    #: The month's usage; None when none was recorded for it.
    count: int | None
    distance_km: int | None
    #: The previous month's usage count; None when none was recorded.
    previous_count: int | None
    #: (count − previous_count) ÷ previous_count; None without both or when
    #: the previous month was 0.
    count_change: float | None
    #: Inspections completed within the month.
    inspections: tuple[InspectionResult, ...]
    #: Inspections scheduled by the end of the month and not completed by then.
    open_inspections: tuple[OpenInspection, ...]
    #: The renewal date: the usage end in force; None when open-ended.
    usage_end_on: date | None
    #: Days from the end of the month to the usage end (negative once past).
    days_to_renewal: int | None
    payment: PaymentStatus
    #: The customer's savings and ROI to the end of the month (docs/kpis.md,
    #: "Customer ROI").
    roi: AssetRoi
    recommendations: tuple[str, ...]
    #: The health score, renewal likelihood and their inputs at the end of
    #: the month; None unless the asset was installed then.
    health: Health | None


@attrs.frozen
class MonthlyReport:
    account: AccountView
    #: The first day of the report's month.
    month: date
    #: The last day of the month: every figure is as of this day.
    as_of: date
    #: The assets purchased by the end of the month and not obsolete before
    #: it began, by purchase date then id.
    assets: tuple[AssetMonth, ...]
    #: The account's usage, one point per month, the report's month last.
    trend: tuple[UsagePoint, ...]
    #: The account's ROI, one per currency of its assets (never summed
    #: across currencies), in code order.
    roi: tuple[CurrencyRoi, ...]
    #: The cross-sell and upgrade suggestions for the account at the end of
    #: the month (docs/kpis.md, "Cross-sell and upgrade suggestions").
    suggestions: tuple[Suggestion, ...]
    #: The mean health of the assets installed at the end of the month
    #: (docs/kpis.md); None when none was.
    health: AccountHealth | None

    @property
    def usage(self) -> UsagePoint:
        """The account's usage in the report's month."""
        return self.trend[-1]


#: The first month a report can cover: its trend reaches back to 0001-01.
FIRST_MONTH = date(1, TREND_MONTHS, 1)


def month_end(month: date) -> date:
    """The last day of ``month``'s month (9999-12-31 too)."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def monthly_report(
    account: AccountView,
    assets: Iterable[AssetView],
    *,
    month: date,
    settings: Settings,
    suggestions: Iterable[Suggestion] = (),
    feedback: Iterable[FeedbackRecord] = (),
) -> MonthlyReport:
    """The report of ``account`` for ``month`` (its first day); assets of
    other accounts are ignored; the complaints of ``feedback`` open at the
    end of the month count in each asset's health; ``suggestions`` are
    listed as given (the API passes the account's on the month's last day)."""
    if not isinstance(month, date) or month.day != 1:
        raise ValidationError(
            "monthly report", "month", f"{month} is not the first day of a month"
        )
    if month < FIRST_MONTH:
        raise ValidationError(
            "monthly report",
            "month",
            f"must be {FIRST_MONTH.isoformat()[:7]} or later (the usage trend "
            f"covers {TREND_MONTHS} months), got {month.isoformat()[:7]}",
        )
    end = month_end(month)
    mine = sorted(
        (
            a
            for a in assets
            if a.account_id == account.id
            and a.purchased_on <= end
            and (a.obsolete_on is None or a.obsolete_on >= month)
        ),
        key=lambda a: (a.purchased_on, str(a.id)),
    )
    months = [add_months(month, -n) for n in reversed(range(TREND_MONTHS))]
    trend = tuple(
        UsagePoint(
            month=m,
            count=sum(u.count for a in mine for u in a.usage if u.period == m),
            distance_km=sum(
                u.distance_km for a in mine for u in a.usage if u.period == m
            ),
        )
        for m in months
    )
    complaints = Complaints(feedback)
    listed = tuple(_asset_month(a, month, end, settings, complaints) for a in mine)
    healths = [m.health for m in listed if m.health is not None]
    return MonthlyReport(
        account=account,
        month=month,
        as_of=end,
        assets=listed,
        trend=trend,
        roi=account_roi(m.roi for m in listed),
        suggestions=tuple(suggestions),
        health=account_health(account, healths, settings.health) if healths else None,
    )


def _asset_month(
    asset: AssetView,
    month: date,
    end: date,
    settings: Settings,
    complaints: Complaints,
) -> AssetMonth:
    usage = {u.period: u for u in asset.usage}
    this, previous = usage.get(month), usage.get(add_months(month, -1))
    change = (
        (this.count - previous.count) / previous.count
        if this is not None and previous is not None and previous.count
        else None
    )
    status = asof.asset_status(asset, end)
    assert status is not None
    usage_end_on = (
        None if status is AssetStatus.PURCHASED else asof.usage_end(asset, end)
    )
    days = None if usage_end_on is None else (usage_end_on - end).days
    done = tuple(
        InspectionResult(i.number, i.completed_on, i.findings)
        for i in asset.inspections
        if i.completed_on is not None and month <= i.completed_on <= end
    )
    open_ = tuple(
        OpenInspection(i.number, i.due_on, i.due_on <= end)
        for i in asset.inspections
        if i.scheduled_on <= end and (i.completed_on is None or i.completed_on > end)
    )
    payment = _payment(asset, end)
    return AssetMonth(
        asset_id=asset.id,
        product=asof.product(asset, end),
        status=status,
        count=None if this is None else this.count,
        distance_km=None if this is None else this.distance_km,
        previous_count=None if previous is None else previous.count,
        count_change=change,
        inspections=done,
        open_inspections=open_,
        usage_end_on=usage_end_on,
        days_to_renewal=days,
        payment=payment,
        roi=asset_roi(asset, month=month, as_of=end, rates=settings.customer_savings),
        recommendations=_recommendations(
            status, change, open_, usage_end_on, days, payment, settings
        ),
        health=health_on(asset, end, settings, complaints.about(asset))
        if status is AssetStatus.INSTALLED
        else None,
    )


def _payment(asset: AssetView, end: date) -> PaymentStatus:
    currency = asset.value.currency
    paid = [p for p in asset.payments if p.paid_on <= end]
    numbers = {p.number for p in paid}
    unpaid = [i for i in asset.installments if i.number not in numbers]
    paid_amount = Money.zero(currency)
    for p in paid:
        paid_amount = paid_amount + p.amount
    outstanding = Money.zero(currency)
    for i in unpaid:
        outstanding = outstanding + i.amount
    return PaymentStatus(
        planned=len(asset.installments),
        paid=len(paid),
        paid_amount=paid_amount,
        outstanding=outstanding,
        overdue=sum(1 for i in unpaid if i.due_on <= end),
        late=sum(1 for p in paid if p.late),
    )


def _recommendations(
    status: AssetStatus,
    change: float | None,
    open_inspections: tuple[OpenInspection, ...],
    usage_end_on: date | None,
    days: int | None,
    payment: PaymentStatus,
    settings: Settings,
) -> tuple[str, ...]:
    if status is AssetStatus.OBSOLETE:
        return ()
    advice: list[str] = []
    for inspection in open_inspections:
        if inspection.overdue:
            advice.append(
                f"Complete inspection {inspection.number}, "
                f"due on {inspection.due_on.isoformat()}."
            )
    if usage_end_on is not None and days is not None:
        if days < 0:
            advice.append(
                f"The usage ended on {usage_end_on.isoformat()}: renew the contract."
            )
        elif days <= max(settings.renewal_windows):
            advice.append(
                f"Prepare the renewal: the usage ends on {usage_end_on.isoformat()} "
                f"in {days} days."
            )
    if change is not None and abs(Decimal(str(change))) > settings.usage_anomaly:
        direction = "rose" if change > 0 else "fell"
        advice.append(
            f"Usage {direction} {abs(change):.0%} from the previous month: "
            "review the fleet size with the customer."
        )
    if payment.overdue:
        advice.append(f"Settle {payment.overdue} overdue installment(s).")
    return tuple(advice)
