"""Deals for the report tests: a builder whose every field has a plain
default, so a test names only what its figures depend on, and a small book of
deals whose figures are computed by hand in the tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

from b2bcore import B2BCore, BusinessLine, LossReason, Money, OpportunityView


def krw(amount: int) -> Money:
    return Money.of(amount, "KRW")


def open_deal(core: B2BCore, *, on: date, **overrides: Any) -> UUID:
    """A KRW 100,000,000 Tier 4 deal of kim's (domestic, Seoul, KR, EV fleet,
    no account) opened ``on``, unless ``overrides`` say otherwise."""
    fields: dict[str, Any] = {
        "account_id": None,
        "name": "EV fleet",
        "amount": krw(100_000_000),
        "owner": "kim",
        "business_line": BusinessLine.DOMESTIC,
        "region": "Seoul",
        "country": "KR",
        "product": "EV fleet",
        "expected_close_on": date(2024, 12, 31),
    }
    return core.open_opportunity(on=on, **(fields | overrides))


def views(core: B2BCore, ids: Iterable[UUID]) -> list[OpportunityView]:
    """The deals ``ids`` as they are now."""
    return [core.opportunity(deal_id) for deal_id in ids]


def book(core: B2BCore) -> dict[str, UUID]:
    """Six deals (kim owns A and B, lee the others):

    A  4 on 01-01, 3 on 01-11, 2 on 01-31, 1 on 02-10, won 03-01 at 90M
       (stints 10, 20, 10, 20 days; cycle 60)
    B  4 on 01-01, 3 on 02-01, lost 03-01 (stints 31, 29; cycle 60), 200M
    C  4 on 02-01, dropped 03-02 (stint 30; cycle 30), 50M
    D  opened at 3 on 02-01, 2 on 03-01, still open (stint 29), 300M
    E  4 on 03-01, 3 on 03-11, back to 4 on 03-21, still open
       (stints 10, 10), 40M
    F  opened 05-01, after the report date
    """
    a = open_deal(core, on=date(2024, 1, 1))
    core.change_tier(a, tier=3, on=date(2024, 1, 11))
    core.change_tier(a, tier=2, on=date(2024, 1, 31))
    core.change_tier(a, tier=1, on=date(2024, 2, 10))
    core.win_opportunity(a, value=krw(90_000_000), on=date(2024, 3, 1))
    b = open_deal(core, on=date(2024, 1, 1), amount=krw(200_000_000))
    core.change_tier(b, tier=3, on=date(2024, 2, 1))
    core.lose_opportunity(
        b, reason_code=LossReason.PRICE, competitor="SoCar", on=date(2024, 3, 1)
    )
    c = open_deal(core, on=date(2024, 2, 1), amount=krw(50_000_000), owner="lee")
    core.drop_opportunity(c, reason="no budget this year", on=date(2024, 3, 2))
    d = open_deal(
        core, on=date(2024, 2, 1), amount=krw(300_000_000), owner="lee", tier=3
    )
    core.change_tier(d, tier=2, on=date(2024, 3, 1))
    e = open_deal(core, on=date(2024, 3, 1), amount=krw(40_000_000), owner="lee")
    core.change_tier(e, tier=3, on=date(2024, 3, 11))
    core.change_tier(e, tier=4, on=date(2024, 3, 21))
    f = open_deal(core, on=date(2024, 5, 1), owner="lee")
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f}
