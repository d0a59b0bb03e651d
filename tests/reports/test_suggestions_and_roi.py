"""For random installed bases: every suggestion's named facts satisfy its
rule and are the asset's own, no suggestion is about an asset obsolete on the
date; the customer's ROI is (savings − paid) ÷ paid rounded half-even to 4
places, in Decimal money, one figure per currency and never mixed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from b2bcore.application.settings import SavingRate, Settings, SuggestionRules
from b2bcore.domain.money import Money
from b2bcore.domain.values import (
    ContactChannel,
    Grade,
    MonthlyUsage,
    Payment,
    Renewal,
    UsagePattern,
    add_months,
)
from b2bcore.readmodels.facts.records import AccountFacts, AssetFacts
from b2bcore.reports import asof
from b2bcore.reports.roi import account_roi, asset_roi
from b2bcore.reports.suggestions import (
    SuggestionRule,
    product_line,
    suggestions,
    vehicles,
)

START = date(2024, 1, 1)
PRODUCTS = st.sampled_from(
    [
        "Shared fleet Basic",
        "Standard vans",
        "EV fleet",
        "Premium sedan fleet",
        "Dedicated vehicles",
    ]
)
CURRENCIES = st.sampled_from(["KRW", "USD"])


@st.composite
def an_asset(draw: Any, number: int, accounts: int) -> AssetFacts:
    currency = draw(CURRENCIES)
    size = draw(st.one_of(st.none(), st.integers(1, 6)))
    name = draw(PRODUCTS) + ("" if size is None else f" ({size} vehicles)")
    installed = draw(st.one_of(st.none(), st.integers(0, 60)))
    installed_on = None if installed is None else START + timedelta(days=installed)
    end = None
    renewals: list[Renewal] = []
    value = Money.of(draw(st.integers(1, 10_000)) * 100, currency)
    if installed_on is not None and draw(st.booleans()):
        end = installed_on + timedelta(days=draw(st.integers(30, 800)))
        for _ in range(draw(st.integers(0, 2))):
            renewed_on = end - timedelta(days=draw(st.integers(0, 60)))
            longer = end + timedelta(days=draw(st.integers(30, 800)))
            renewals.append(Renewal(renewed_on, end, longer, value, value))
            end = longer
    obsolete_on = (
        None
        if installed_on is None or not draw(st.booleans())
        else installed_on + timedelta(days=draw(st.integers(1, 500)))
    )
    first = draw(st.integers(0, 12))
    counts = draw(st.lists(st.integers(0, 260), max_size=12))
    usage = tuple(
        MonthlyUsage(
            period=add_months(START, first + n),
            count=count,
            distance_km=count * draw(st.integers(0, 40)),
            region="Seoul",
            pattern=UsagePattern.BUSINESS,
            recorded_on=add_months(START, first + n + 1) + timedelta(days=2),
        )
        for n, count in enumerate(counts)
        if installed_on is not None
    )
    payments = tuple(
        Payment(
            n,
            Money.of(draw(st.integers(0, 5_000)) * 100, currency),
            START + timedelta(days=draw(st.integers(0, 500))),
            False,
        )
        for n in range(draw(st.integers(0, 4)))
    )
    return AssetFacts(
        id=UUID(int=number + 1),
        account_id=UUID(int=1_000 + draw(st.integers(0, accounts - 1))),
        owner="park",
        product=name,
        purchased_on=START,
        installed_on=installed_on,
        usage_end_on=end,
        obsolete_on=obsolete_on,
        obsolete_reason=None,
        value=value,
        installments=(),
        payments=payments,
        renewals=tuple(renewals),
        upgrades=(),
        satisfaction=(),
        usage=usage,
        competitor_contacts=(),
    )


@st.composite
def installed_bases(draw: Any) -> tuple[dict[UUID, AccountFacts], list[AssetFacts]]:
    count = draw(st.integers(1, 7))
    accounts = {
        UUID(int=1_000 + n): AccountFacts(
            UUID(int=1_000 + n),
            f"A{n}",
            Grade.STANDARD,
            draw(st.sampled_from(["retail", "logistics"])),
            ContactChannel.EMAIL,
            START,
        )
        for n in range(count)
    }
    assets = [draw(an_asset(n, count)) for n in range(draw(st.integers(0, 12)))]
    return accounts, assets


RULES = st.builds(
    SuggestionRules,
    short_term_months=st.integers(1, 24),
    uses_per_vehicle=st.integers(10, 50),
    recent_months=st.integers(1, 4),
    near_limit=st.decimals("0.5", "1", places=2),
    premium_usage=st.decimals("0.3", "1", places=2),
    cross_sell_share=st.decimals("0.2", "1", places=2),
    cross_sell_peers=st.integers(1, 3),
)


@settings(max_examples=300, deadline=None)
@given(
    base=installed_bases(),
    rules=RULES,
    day=st.dates(START, date(2026, 12, 31)),
)
def test_each_suggestion_s_facts_satisfy_its_rule(
    base: tuple[dict[UUID, AccountFacts], list[AssetFacts]],
    rules: SuggestionRules,
    day: date,
) -> None:
    accounts, assets = base
    chosen = Settings(suggestion_rules=rules)
    by_id = {a.id: a for a in assets}

    found = suggestions(accounts, assets, as_of=day, settings=chosen)

    for s in found.suggestions:
        assert s.account == accounts[s.account_id].name
        if s.rule is SuggestionRule.CROSS_SELL:
            peers = s.peers
            assert peers is not None
            assert s.asset_id is None
            assert peers.sector == accounts[s.account_id].sector
            assert peers.peers >= rules.cross_sell_peers
            assert peers.holding >= rules.cross_sell_share * peers.peers
            held = {
                product_line(asof.product(a, day))
                for a in assets
                if a.account_id == s.account_id
                and asof.in_installed_base(a, day, chosen.lapse_grace_days)
            }
            assert peers.product_line not in held
            continue
        assert s.asset_id is not None
        asset = by_id[s.asset_id]
        # Never about an asset obsolete (or not installed, or lapsed) on D.
        assert asset.obsolete_on is None or asset.obsolete_on > day
        assert asof.in_installed_base(asset, day, chosen.lapse_grace_days)
        assert s.product == asof.product(asset, day)
        if s.rule is SuggestionRule.SHORT_TO_LONG:
            term = s.term
            assert term is not None
            assert term.usage_end_on == asof.usage_end(asset, day)
            assert term.usage_end_on <= term.short_until
            assert term.short_until == add_months(
                term.term_start, rules.short_term_months
            )
            assert term.days_to_usage_end == (term.usage_end_on - day).days
            assert term.renewals == sum(r.renewed_on <= day for r in asset.renewals)
            assert term.renewals >= 1 or (
                0 <= term.days_to_usage_end <= max(chosen.renewal_windows)
            )
        else:
            usage = s.usage
            assert usage is not None
            assert usage.vehicles == vehicles(asset.product)
            assert usage.capacity == usage.vehicles * rules.uses_per_vehicle
            assert len(usage.months) == rules.recent_months
            recorded = {u.period: u.count for u in asset.usage if u.recorded_on <= day}
            assert all(recorded[m.month] == m.count for m in usage.months)
            assert all(
                m.count >= usage.threshold * usage.capacity for m in usage.months
            )
            if s.rule is SuggestionRule.NEAR_LIMIT:
                assert usage.threshold == rules.near_limit
            else:
                assert s.rule is SuggestionRule.STANDARD_TO_PREMIUM
                assert usage.threshold == rules.premium_usage
                assert s.standard_word is not None
                assert s.standard_word.casefold() in s.product.casefold()


@st.composite
def saving_rates(draw: Any) -> dict[str, SavingRate]:
    rates = {}
    for currency in draw(st.sets(st.sampled_from(["KRW", "USD"]))):
        places = 0 if currency == "KRW" else 2
        per_use, per_km = (
            Money(draw(st.decimals(0, 20_000, places=places)), currency)
            for _ in range(2)
        )
        rates[currency] = SavingRate(per_use, per_km)
    return rates


@settings(max_examples=300, deadline=None)
@given(
    base=installed_bases(),
    rates=saving_rates(),
    month=st.integers(0, 30).map(lambda n: add_months(START, n)),
)
def test_roi_is_savings_less_paid_over_paid_per_currency(
    base: tuple[dict[UUID, AccountFacts], list[AssetFacts]],
    rates: dict[str, SavingRate],
    month: date,
) -> None:
    _, assets = base
    end = add_months(month, 1) - timedelta(days=1)

    rois = [asset_roi(a, month=month, as_of=end, rates=rates) for a in assets]

    for asset, roi in zip(assets, rois, strict=True):
        currency = asset.value.currency
        assert roi.currency == currency
        assert roi.paid == Money(
            sum(
                (p.amount.amount for p in asset.payments if p.paid_on <= end),
                Decimal(0),
            ),
            currency,
        )
        rate = rates.get(currency)
        if rate is None:
            assert (roi.savings, roi.net, roi.roi) == (None, None, None)
            continue
        used = [u for u in asset.usage if u.period <= month]
        assert roi.savings == Money(
            sum(u.count for u in used) * rate.per_use.amount
            + sum(u.distance_km for u in used) * rate.per_km.amount,
            currency,
        )
        assert roi.net is not None
        assert roi.net.amount == roi.savings.amount - roi.paid.amount
        assert roi.roi == expected_roi(roi.savings.amount, roi.paid.amount)
    by_currency = account_roi(rois)
    assert [c.currency for c in by_currency] == sorted({r.currency for r in rois})
    for total in by_currency:
        mine = [r for r in rois if r.currency == total.currency]
        assert total.assets == len(mine)
        for money in (total.paid, total.savings, total.month_savings, total.net):
            assert money is None or money.currency == total.currency
        assert total.paid.amount == sum((r.paid.amount for r in mine), Decimal(0))
        if total.savings is None:
            assert total.currency not in rates
            assert total.roi is None
        else:
            assert total.roi == expected_roi(total.savings.amount, total.paid.amount)


def expected_roi(savings: Decimal, paid: Decimal) -> Decimal | None:
    """(savings − paid) ÷ paid, half-even to 4 places, worked out with far
    more digits than any amount has."""
    if paid <= 0:
        return None
    with localcontext() as context:
        context.prec = 80
        return ((savings - paid) / paid).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_EVEN
        )
