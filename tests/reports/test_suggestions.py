"""Cross-sell and upgrade suggestions: a short term renewed or renewing, a
fleet near its capacity, a well-used standard plan, a line the sector's
peers hold (docs/kpis.md, "Cross-sell and upgrade suggestions")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from b2bcore import B2BCore, ObsoleteReason, UsagePattern, ValidationError
from b2bcore.application.settings import Settings, SuggestionRules
from b2bcore.reports.suggestions import (
    Suggestion,
    SuggestionRule,
    product_line,
    standard_word,
    vehicles,
)
from tests import oracle
from tests.helpers import purchase_asset, register_account

AS_OF = date(2024, 6, 1)


def fleet(
    core: B2BCore,
    account_id: UUID,
    product: str,
    *,
    usage_end_on: date = date(2025, 1, 31),
    uses: tuple[int, ...] = (),
) -> UUID:
    """An asset installed on 2024-02-01 until ``usage_end_on``, with ``uses``
    in the months from February on."""
    asset_id = purchase_asset(core, account_id, product=product, on=date(2024, 1, 20))
    core.install_asset(asset_id, usage_end_on=usage_end_on, on=date(2024, 2, 1))
    for n, count in enumerate(uses):
        period = date(2024, 2 + n, 1)
        core.record_usage(
            asset_id,
            period=period,
            count=count,
            distance_km=10 * count,
            region="Seoul",
            pattern=UsagePattern.BUSINESS,
            on=period.replace(day=28),
        )
    return asset_id


def rules_of(found: tuple[Suggestion, ...]) -> list[tuple[str, SuggestionRule]]:
    return [(s.product or s.peers.product_line, s.rule) for s in found]  # type: ignore[union-attr]


def test_a_fleet_near_its_capacity_is_offered_more_vehicles(
    memory_core: B2BCore,
) -> None:
    account = register_account(memory_core)
    # 5 vehicles × 40 uses = 200 a month; 85 % of it is 170.
    fleet(memory_core, account, "EV fleet (5 vehicles)", uses=(100, 170, 180, 199))

    (found,) = memory_core.suggestions(as_of=AS_OF).suggestions

    assert found.rule is SuggestionRule.NEAR_LIMIT
    assert found.usage is not None
    assert (found.usage.vehicles, found.usage.capacity) == (5, 200)
    assert [m.count for m in found.usage.months] == [170, 180, 199]
    assert found.reason == (
        "uses 170, 180, 199 in the latest 3 months, each at least 85% of 200 "
        "(5 vehicles)"
    )
    assert found.action == "Offer more vehicles."


def test_one_month_under_the_limit_is_no_suggestion(memory_core: B2BCore) -> None:
    account = register_account(memory_core)
    fleet(memory_core, account, "EV fleet (5 vehicles)", uses=(170, 169, 200))

    assert memory_core.suggestions(as_of=AS_OF).suggestions == ()


def test_a_gap_in_the_months_is_no_suggestion(memory_core: B2BCore) -> None:
    account = register_account(memory_core)
    asset = fleet(memory_core, account, "EV fleet (5 vehicles)", uses=(200, 200))
    memory_core.record_usage(
        asset,
        period=date(2024, 5, 1),
        count=200,
        distance_km=0,
        region="Seoul",
        pattern=UsagePattern.BUSINESS,
        on=date(2024, 5, 28),
    )  # February, March, May: not three consecutive months
    late = purchase_asset(memory_core, account, product="Van fleet (1 vehicle)")
    memory_core.install_asset(late, usage_end_on=None, on=date(2024, 2, 1))

    assert memory_core.suggestions(as_of=AS_OF).suggestions == ()


def test_a_standard_plan_well_used_is_offered_the_premium_tier(
    memory_core: B2BCore,
) -> None:
    account = register_account(memory_core)
    # 60 % of 200 is 120: premium; under 85 %: not near the limit.
    fleet(memory_core, account, "Shared fleet Basic (5 vehicles)", uses=(120, 130, 150))

    (found,) = memory_core.suggestions(as_of=AS_OF).suggestions

    assert found.rule is SuggestionRule.STANDARD_TO_PREMIUM
    assert found.standard_word == "basic"
    assert found.usage is not None
    assert found.usage.threshold == Decimal("0.60")
    assert found.action == "Offer the premium tier."


def test_a_short_term_renewing_soon_is_offered_a_longer_one(
    memory_core: B2BCore,
) -> None:
    account = register_account(memory_core)
    asset = fleet(memory_core, account, "EV fleet", usage_end_on=date(2024, 8, 1))
    longer = fleet(memory_core, account, "EV fleet", usage_end_on=date(2025, 8, 1))

    (found,) = memory_core.suggestions(as_of=AS_OF).suggestions

    assert (found.asset_id, found.rule) == (asset, SuggestionRule.SHORT_TO_LONG)
    assert found.term is not None
    assert found.term.term_start == date(2024, 2, 1)
    assert found.term.short_until == date(2025, 2, 1)
    assert (found.term.renewals, found.term.days_to_usage_end) == (0, 61)
    assert found.asset_id != longer  # its term is over 12 months
    # Not yet within the 90 days:
    assert memory_core.suggestions(as_of=date(2024, 5, 2)).suggestions == ()


def test_a_short_term_renewed_is_offered_a_longer_one_after_the_renewal(
    memory_core: B2BCore,
) -> None:
    account = register_account(memory_core)
    asset = fleet(memory_core, account, "EV fleet", usage_end_on=date(2024, 5, 1))
    memory_core.renew_asset(asset, usage_end_on=date(2025, 5, 1), on=date(2024, 4, 20))

    (found,) = memory_core.suggestions(as_of=AS_OF).suggestions

    assert found.term is not None
    assert (found.term.term_start, found.term.usage_end_on) == (
        date(2024, 5, 1),
        date(2025, 5, 1),
    )
    assert found.term.renewals == 1
    assert "renewed 1 time(s)" in found.reason


def test_an_obsolete_asset_gets_no_suggestion(memory_core: B2BCore) -> None:
    account = register_account(memory_core)
    asset = fleet(
        memory_core,
        account,
        "Shared fleet Basic (5 vehicles)",
        usage_end_on=date(2024, 7, 1),
        uses=(200, 200, 200),
    )
    assert len(memory_core.suggestions(as_of=AS_OF).suggestions) == 3

    memory_core.make_asset_obsolete(
        asset, reason_code=ObsoleteReason.BUDGET, on=date(2024, 5, 20)
    )

    assert memory_core.suggestions(as_of=AS_OF).suggestions == ()
    assert len(memory_core.suggestions(as_of=date(2024, 5, 19)).suggestions) == 3


def test_a_line_most_sector_peers_hold_is_cross_sold(memory_core: B2BCore) -> None:
    accounts = [
        register_account(memory_core, name=f"A{n}", sector="retail") for n in range(5)
    ]
    other = register_account(memory_core, name="Other", sector="logistics")
    for account in accounts[1:]:
        fleet(memory_core, account, "Van fleet (2 vehicles)")
    for account in accounts[:3]:
        fleet(memory_core, account, "EV fleet (3 vehicles)")
    fleet(memory_core, other, "Dedicated vehicles (1 vehicle)")

    found = memory_core.suggestions(as_of=AS_OF).suggestions

    # A0 lacks vans (4 of its 4 peers hold them); A3 and A4 lack EVs, which
    # 3 of their 4 peers hold; Other has no peer in its sector.
    assert [(s.account, s.peers.product_line) for s in found if s.peers] == [
        ("A0", "Van fleet"),
        ("A3", "EV fleet"),
        ("A4", "EV fleet"),
    ]
    first = found[0]
    assert first.peers is not None
    assert (first.peers.peers, first.peers.holding) == (4, 4)
    assert first.asset_id is None
    only = memory_core.suggestions(as_of=AS_OF, account_id=accounts[3]).suggestions
    assert [s.account for s in only] == ["A3"]


def test_the_report_tables_answer_as_the_oracle_on_every_store(
    core: B2BCore,
) -> None:
    account = register_account(core)
    fleet(core, account, "EV fleet (5 vehicles)", uses=(180, 190, 200))
    fleet(core, account, "Shared fleet Basic (2 vehicles)", uses=(60, 70, 80))
    fleet(core, account, "Van fleet", usage_end_on=date(2024, 7, 1))

    for day in (date(2024, 4, 30), AS_OF):
        found = core.suggestions(as_of=day, known_at=None)
        assert found == oracle.suggestions(core, as_of=day, known_at=None)
    assert {s.rule for s in found.suggestions} == {
        SuggestionRule.NEAR_LIMIT,
        SuggestionRule.STANDARD_TO_PREMIUM,
        SuggestionRule.SHORT_TO_LONG,
    }


def test_names_give_the_fleet_size_the_line_and_the_tier() -> None:
    assert vehicles("Shared fleet Basic (17 vehicles)") == 17
    assert vehicles("Van fleet (1 vehicle)") == 1
    assert vehicles("Basic") is None
    assert product_line("Shared fleet Basic (17 vehicles)") == "Shared fleet Basic"
    assert standard_word("GTX Plus Basic", ("basic", "standard")) == "basic"
    assert standard_word("Basically premium", ("basic",)) is None
    assert standard_word("Enterprise", ("basic", "standard")) is None


def test_a_share_outside_0_to_1_is_refused() -> None:
    with pytest.raises(ValidationError, match="near_limit"):
        Settings(suggestion_rules=SuggestionRules(near_limit=Decimal("1.5")))
