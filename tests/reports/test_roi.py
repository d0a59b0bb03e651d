"""The customer's ROI in the monthly report: savings from usage at the
settings' rates against the installments paid, per asset and per currency
(docs/kpis.md, "Customer ROI")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from b2bcore import B2BCore, Money, ValidationError
from b2bcore.application.settings import SavingRate, Settings
from b2bcore.reports.roi import return_on
from b2bcore_adapters.render.monthly_report import to_html
from tests.helpers import purchase_asset
from tests.reports.test_monthly import MAY, the_account, use

RATES = Settings(
    customer_savings={
        "KRW": SavingRate(per_use=Money.of(9_000, "KRW"), per_km=Money.of(150, "KRW"))
    }
)


def test_each_asset_s_savings_and_roi_to_the_end_of_the_month() -> None:
    with B2BCore.open("memory://", settings=RATES) as core:
        hyowon, fleet = the_account(core)
        report = core.monthly_report(hyowon, month=MAY)

    mine = {a.asset_id: a.roi for a in report.assets}[fleet]
    # April 100 uses over 2,000 km, May 140 over 2,600; 3 installments paid.
    assert (mine.months, mine.uses, mine.distance_km) == (2, 240, 4_600)
    assert mine.savings == Money.of(240 * 9_000 + 4_600 * 150, "KRW")  # 2,850,000
    assert mine.month_savings == Money.of(140 * 9_000 + 2_600 * 150, "KRW")
    assert mine.paid == Money.of(3 * 5_950_000, "KRW")
    assert mine.net == Money.of(2_850_000 - 17_850_000, "KRW")
    # (2,850,000 − 17,850,000) ÷ 17,850,000 = −0.840336… → −0.8403
    assert mine.roi == Decimal("-0.8403")


def test_the_account_s_roi_is_per_currency_never_mixed() -> None:
    with B2BCore.open("memory://", settings=RATES) as core:
        hyowon, fleet = the_account(core)
        dollars = Money.of(1_000, "USD")
        usd = purchase_asset(core, hyowon, value=dollars, installments=1)
        core.install_asset(usd, usage_end_on=None, on=date(2024, 2, 1))
        core.pay_installment(usd, number=1, amount=dollars, on=date(2024, 2, 15))
        use(core, usd, MAY, 10, 100)
        report = core.monthly_report(hyowon, month=MAY)

    krw, usd_roi = report.roi
    fleet_roi = {a.asset_id: a.roi for a in report.assets}[fleet]
    assert (krw.currency, krw.assets, krw.uses) == ("KRW", 1, 240)
    assert (krw.savings, krw.paid, krw.roi) == (
        fleet_roi.savings,
        fleet_roi.paid,
        fleet_roi.roi,
    )
    # No USD rate: the dollars are paid, their savings not worked out.
    assert (usd_roi.currency, usd_roi.uses, usd_roi.paid) == ("USD", 10, dollars)
    assert (usd_roi.savings, usd_roi.roi) == (None, None)


def test_without_a_rate_for_the_currency_nothing_is_worked_out(
    memory_core: B2BCore,
) -> None:
    hyowon, _ = the_account(memory_core)

    report = memory_core.monthly_report(hyowon, month=MAY)

    (krw,) = report.roi
    assert (krw.savings, krw.net, krw.roi) == (None, None, None)
    assert krw.paid == Money.of(17_850_000, "KRW")
    assert all(a.roi.savings is None for a in report.assets)


def test_nothing_paid_is_no_roi() -> None:
    assert return_on(Money.of(10, "USD"), Money.zero("USD")) is None
    assert return_on(Money.of(3, "USD"), Money.of(2, "USD")) == Decimal("0.5000")
    # Half-even at the 4th place: 1 ÷ 20,000 = 0.00005 → 0.0000 (to the
    # even 0), 3 ÷ 20,000 = 0.00015 → 0.0002.
    paid = Money.of(20_000, "KRW")
    assert return_on(Money.of(20_001, "KRW"), paid) == Decimal("0.0000")
    assert return_on(Money.of(20_003, "KRW"), paid) == Decimal("0.0002")


def test_a_rate_in_another_currency_than_its_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="customer_savings"):
        Settings(
            customer_savings={"USD": SavingRate(Money.of(1, "KRW"), Money.of(1, "KRW"))}
        )
    with pytest.raises(ValidationError, match="one currency"):
        SavingRate(Money.of(1, "KRW"), Money.of(1, "USD"))


def test_the_html_letter_shows_the_return_and_the_options() -> None:
    with B2BCore.open("memory://", settings=RATES) as core:
        hyowon, _ = the_account(core)
        page = to_html(core.monthly_report(hyowon, month=MAY))

    assert "Your return on the service" in page
    assert "2,850,000 KRW" in page  # the fleet's savings to date
    assert "-84.03%" in page
    assert "Options for you" in page  # its term is short and ends in 76 days
