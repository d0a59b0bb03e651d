"""The monthly asset report as a customer document: JSON (``plain``) or one
self-contained HTML page with the usage trend as an inline SVG chart."""

from __future__ import annotations

from decimal import Decimal

from b2bcore import Money
from b2bcore.reports.health import Health
from b2bcore.reports.monthly import AssetMonth, MonthlyReport
from b2bcore_adapters.render.charts import ChartFormat, bar_chart
from b2bcore_adapters.render.formats import ReportFormat
from b2bcore_adapters.render.html import (
    Html,
    definitions,
    escape,
    figure,
    heading,
    page,
    table,
)
from b2bcore_adapters.render.plain import dumps, plain

__all__ = ["ReportFormat", "to_html", "to_json", "usage_chart"]


def to_json(report: MonthlyReport) -> str:
    """The report as one JSON document (docs/monthly-report.md)."""
    return dumps(plain(report)) + "\n"


def usage_chart(report: MonthlyReport) -> bytes:
    """The account's monthly usage count over the trend's months (SVG)."""
    return bar_chart(
        f"Monthly uses, {report.trend[0].month:%Y-%m} to {report.month:%Y-%m}",
        {f"{p.month:%Y-%m}": float(p.count) for p in report.trend},
        format=ChartFormat.SVG,
        y_label="uses",
        labels=[f"{p.count:,}" for p in report.trend],
        whole=True,
    )


def to_html(report: MonthlyReport) -> str:
    """The report as one HTML page: no external resource, the chart inline."""
    usage = report.usage
    parts: list[Html] = [
        definitions(
            [
                ("Account", report.account.name),
                ("Grade", report.account.grade.value),
                ("Month", f"{report.month:%Y-%m}"),
                ("As of", report.as_of.isoformat()),
                ("Uses this month", f"{usage.count:,}"),
                ("Distance this month", f"{usage.distance_km:,} km"),
                (
                    "Health",
                    "no installed asset"
                    if report.health is None
                    else f"{report.health.score}/100, renewal likelihood "
                    f"{report.health.likelihood.value}",
                ),
            ]
        ),
        heading("Usage trend"),
        figure(usage_chart(report), alt="Monthly uses"),
        table(
            ["month", "uses", "distance (km)"],
            [
                (f"{p.month:%Y-%m}", f"{p.count:,}", f"{p.distance_km:,}")
                for p in report.trend
            ],
        ),
    ]
    parts += _roi_section(report)
    for asset in report.assets:
        parts += _asset_section(asset)
    parts += _suggestions_section(report)
    return page(f"Monthly asset report — {report.account.name}", *parts)


def _asset_section(asset: AssetMonth) -> list[Html]:
    payment = asset.payment
    change = "" if asset.count_change is None else f"{asset.count_change:+.0%}"
    renewal = (
        "open-ended"
        if asset.usage_end_on is None
        else f"{asset.usage_end_on.isoformat()} (in {asset.days_to_renewal} days)"
    )
    parts = [
        heading(f"{asset.product} ({asset.status.value})"),
        definitions(
            [
                ("Uses", "not reported" if asset.count is None else asset.count),
                ("Previous month", asset.previous_count),
                ("Month over month", change),
                ("Renewal date", renewal),
                ("Health", _health(asset.health)),
                ("Installments paid", f"{payment.paid}/{payment.planned}"),
                ("Paid", _money(payment.paid_amount)),
                ("Outstanding", _money(payment.outstanding)),
                ("Overdue installments", payment.overdue),
                ("Paid late", payment.late),
                ("Saved to date", _maybe(asset.roi.savings)),
                ("Return on what was paid", _ratio(asset.roi.roi)),
            ]
        ),
    ]
    if asset.inspections:
        parts.append(
            table(
                ["inspection", "completed", "findings"],
                [
                    (i.number, i.completed_on.isoformat(), i.findings)
                    for i in asset.inspections
                ],
                caption="Inspections this month",
            )
        )
    if asset.open_inspections:
        parts.append(
            table(
                ["inspection", "due", "overdue"],
                [
                    (i.number, i.due_on.isoformat(), "yes" if i.overdue else "no")
                    for i in asset.open_inspections
                ],
                caption="Open inspections",
            )
        )
    recommendations = "".join(f"<li>{escape(r)}</li>" for r in asset.recommendations)
    parts.append(
        Html(f"<h3>Recommendations</h3><ul>{recommendations}</ul>")
        if asset.recommendations
        else Html("<h3>Recommendations</h3><p>None this month.</p>")
    )
    return parts


def _money(value: Money) -> str:
    return f"{value.amount:,} {value.currency}"


def _health(health: Health | None) -> str:
    """The score, the likelihood and each input's points."""
    if health is None:
        return "not installed"
    p = health.points
    return (
        f"{health.score}/100, renewal likelihood {health.likelihood.value} "
        f"(usage {p.usage}, satisfaction {p.satisfaction}, complaints "
        f"{p.complaints}, payments {p.payments}, competitors {p.competitor})"
    )


def _maybe(value: Money | None) -> str:
    return "no saving rate set" if value is None else _money(value)


def _ratio(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:+.2%}"


def _roi_section(report: MonthlyReport) -> list[Html]:
    """The account's savings against what it paid, one row per currency."""
    if not report.roi:
        return []
    return [
        heading("Your return on the service"),
        table(
            [
                "currency",
                "uses",
                "km",
                "saved this month",
                "saved",
                "paid",
                "net",
                "ROI",
            ],
            [
                (
                    r.currency,
                    f"{r.uses:,}",
                    f"{r.distance_km:,}",
                    _maybe(r.month_savings),
                    _maybe(r.savings),
                    _money(r.paid),
                    _maybe(r.net),
                    _ratio(r.roi),
                )
                for r in report.roi
            ],
            caption="Savings to date against the installments paid",
        ),
    ]


def _suggestions_section(report: MonthlyReport) -> list[Html]:
    if not report.suggestions:
        return []
    return [
        heading("Options for you"),
        table(
            ["product", "offer", "why"],
            [
                (
                    s.product if s.peers is None else s.peers.product_line,
                    s.action,
                    s.reason,
                )
                for s in report.suggestions
            ],
        ),
    ]
