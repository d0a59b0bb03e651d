"""Pipeline KPIs: every figure hand-computed on a small book of deals, as it
stood on a date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from b2bcore import B2BCore, Money, OpportunityView
from b2bcore.application.settings import Settings
from b2bcore.reports.dimensions import Dimension
from b2bcore.reports.pipeline import pipeline_kpis
from tests.reports.deals import book, krw, open_deal, views

SETTINGS = Settings()
AS_OF = date(2024, 4, 1)


@pytest.fixture
def deals(memory_core: B2BCore) -> tuple[dict[str, UUID], list[OpportunityView]]:
    ids = book(memory_core)
    return ids, views(memory_core, ids.values())


Book = tuple[dict[str, UUID], list[OpportunityView]]


# -- no deals -----------------------------------------------------------------


def test_without_deals_counts_are_zero_and_rates_are_no_data() -> None:
    kpis = pipeline_kpis([], as_of=AS_OF, settings=SETTINGS)

    assert (kpis.open, kpis.won, kpis.lost, kpis.dropped) == (0, 0, 0, 0)
    assert dict(kpis.open_value) == {}
    assert dict(kpis.weighted_pipeline) == {}
    assert kpis.win_rate is None
    assert kpis.average_cycle_days is None
    assert kpis.sales_velocity is None
    assert kpis.stagnant == ()
    assert [
        (t.tier, t.open, t.entered, t.conversion_rate, t.average_days)
        for t in kpis.tiers
    ] == [(tier, 0, 0, None, None) for tier in (4, 3, 2, 1)]


# -- states and values ----------------------------------------------------------


def test_deals_are_counted_in_the_state_they_were_in_on_the_date(deals: Book) -> None:
    kpis = pipeline_kpis(deals[1], as_of=AS_OF, settings=SETTINGS)

    assert (kpis.open, kpis.won, kpis.lost, kpis.dropped) == (2, 1, 1, 1)


def test_values_are_amounts_except_won_deals_at_their_won_value(deals: Book) -> None:
    kpis = pipeline_kpis(deals[1], as_of=AS_OF, settings=SETTINGS)

    assert dict(kpis.open_value) == {"KRW": Decimal(340_000_000)}  # D + E
    assert dict(kpis.won_value) == {"KRW": Decimal(90_000_000)}
    assert dict(kpis.lost_value) == {"KRW": Decimal(200_000_000)}
    assert dict(kpis.dropped_value) == {"KRW": Decimal(50_000_000)}


def test_a_deal_opened_after_the_date_is_left_out(deals: Book) -> None:
    kpis = pipeline_kpis(deals[1], as_of=date(2024, 1, 31), settings=SETTINGS)

    assert kpis.open == 2  # A and B; C, D, E, F open later


def test_a_deal_closed_after_the_date_counts_as_open(deals: Book) -> None:
    kpis = pipeline_kpis(deals[1], as_of=date(2024, 2, 29), settings=SETTINGS)

    assert (kpis.open, kpis.won, kpis.lost, kpis.dropped) == (4, 0, 0, 0)
    assert kpis.tier(1).open == 1  # A sat at tier 1 then


# -- win rate and cycle -----------------------------------------------------------


def test_win_rate_is_won_over_won_and_lost_leaving_dropped_out(deals: Book) -> None:
    kpis = pipeline_kpis(deals[1], as_of=AS_OF, settings=SETTINGS)

    assert kpis.win_rate == 0.5  # 1 ÷ (1 + 1); C's drop does not count


def test_win_rate_is_no_data_when_only_dropped_deals_closed(deals: Book) -> None:
    only_c = [d for d in deals[1] if d.id == deals[0]["C"]]

    kpis = pipeline_kpis(only_c, as_of=AS_OF, settings=SETTINGS)

    assert kpis.win_rate is None
    assert kpis.dropped == 1


def test_average_cycle_covers_every_deal_closed_by_the_date(deals: Book) -> None:
    kpis = pipeline_kpis(deals[1], as_of=AS_OF, settings=SETTINGS)

    assert kpis.average_cycle_days == 50.0  # (60 + 60 + 30) ÷ 3


def test_average_cycle_is_no_data_before_any_close(deals: Book) -> None:
    kpis = pipeline_kpis(deals[1], as_of=date(2024, 2, 29), settings=SETTINGS)

    assert kpis.average_cycle_days is None
    assert kpis.win_rate is None


# -- tiers: conversion, time in tier, raw and weighted pipeline ----------------


def test_tier_conversion_counts_moves_to_a_lower_tier_or_a_win(deals: Book) -> None:
    kpis = pipeline_kpis(deals[1], as_of=AS_OF, settings=SETTINGS)

    assert [(t.tier, t.entered, t.converted) for t in kpis.tiers] == [
        (4, 4, 3),  # A, B, C, E entered; A, B, E moved on to 3 (C dropped)
        (3, 4, 2),  # A, B, D, E; A and D moved to 2 (B lost, E went back)
        (2, 2, 1),  # A, D; A moved to 1
        (1, 1, 1),  # A, won
    ]
    assert [t.conversion_rate for t in kpis.tiers] == [0.75, 0.5, 0.5, 1.0]


def test_tier_conversion_looks_only_at_moves_up_to_the_date(deals: Book) -> None:
    kpis = pipeline_kpis(deals[1], as_of=date(2024, 1, 20), settings=SETTINGS)

    assert (kpis.tier(4).entered, kpis.tier(4).converted) == (2, 1)  # A, B; A
    assert kpis.tier(3).conversion_rate == 0.0  # A entered 3, left it on 01-31
    assert kpis.tier(2).conversion_rate is None


def test_average_days_in_tier_counts_completed_stints_only(deals: Book) -> None:
    kpis = pipeline_kpis(deals[1], as_of=AS_OF, settings=SETTINGS)

    assert [(t.tier, t.completed_stints, t.average_days) for t in kpis.tiers] == [
        (4, 4, 20.25),  # A 10, B 31, C 30, E 10 (E's second stay runs on)
        (3, 4, 22.0),  # A 20, B 29, D 29, E 10
        (2, 1, 10.0),  # A 10 (D's stay runs on)
        (1, 1, 20.0),  # A 20
    ]


def test_pipeline_by_tier_sums_the_open_deals_at_each_tier(deals: Book) -> None:
    kpis = pipeline_kpis(deals[1], as_of=AS_OF, settings=SETTINGS)

    assert [(t.tier, t.open, dict(t.value)) for t in kpis.tiers] == [
        (4, 1, {"KRW": Decimal(40_000_000)}),  # E
        (3, 0, {}),
        (2, 1, {"KRW": Decimal(300_000_000)}),  # D
        (1, 0, {}),
    ]


def test_weighted_pipeline_weighs_each_open_deal_by_its_tier(deals: Book) -> None:
    kpis = pipeline_kpis(deals[1], as_of=AS_OF, settings=SETTINGS)

    assert dict(kpis.tier(4).weighted_value) == {"KRW": Decimal(4_000_000)}
    assert dict(kpis.tier(2).weighted_value) == {"KRW": Decimal(150_000_000)}
    assert dict(kpis.weighted_pipeline) == {"KRW": Decimal(154_000_000)}


def test_weighted_pipeline_follows_the_settings_probabilities(deals: Book) -> None:
    settings = Settings(tier_probabilities={4: "0", 3: "0", 2: "0.2", 1: "1"})

    kpis = pipeline_kpis(deals[1], as_of=AS_OF, settings=settings)

    assert dict(kpis.weighted_pipeline) == {"KRW": Decimal(60_000_000)}


def test_pipeline_values_never_add_across_currencies(memory_core: B2BCore) -> None:
    ids = [
        open_deal(memory_core, on=date(2024, 3, 1), amount=krw(1_000_000), tier=1),
        open_deal(
            memory_core, on=date(2024, 3, 1), amount=Money.of(10_000, "USD"), tier=1
        ),
    ]

    kpis = pipeline_kpis(views(memory_core, ids), as_of=AS_OF, settings=SETTINGS)

    assert dict(kpis.tier(1).value) == {
        "KRW": Decimal(1_000_000),
        "USD": Decimal(10_000),
    }
    assert dict(kpis.weighted_pipeline) == {
        "KRW": Decimal(750_000),
        "USD": Decimal(7_500),
    }


def test_weighted_amounts_round_half_even_at_the_minor_unit(
    memory_core: B2BCore,
) -> None:
    ids = [
        open_deal(memory_core, on=date(2024, 3, 1), amount=krw(5), tier=2),  # 2.5→2
        open_deal(memory_core, on=date(2024, 3, 1), amount=krw(7), tier=2),  # 3.5→4
    ]

    kpis = pipeline_kpis(views(memory_core, ids), as_of=AS_OF, settings=SETTINGS)

    assert dict(kpis.weighted_pipeline) == {"KRW": Decimal(6)}


# -- sales velocity -----------------------------------------------------------------


def test_sales_velocity_is_open_count_times_won_value_and_win_rate_per_cycle_day(
    deals: Book,
) -> None:
    kpis = pipeline_kpis(deals[1], as_of=AS_OF, settings=SETTINGS)

    # 2 open × 90,000,000 average won × 0.5 ÷ 50 days
    assert kpis.sales_velocity is not None
    assert dict(kpis.sales_velocity) == {"KRW": Decimal(1_800_000)}


def test_sales_velocity_is_no_data_without_a_won_or_lost_deal(deals: Book) -> None:
    kpis = pipeline_kpis(deals[1], as_of=date(2024, 2, 29), settings=SETTINGS)

    assert kpis.sales_velocity is None


def test_sales_velocity_is_no_data_when_deals_closed_the_day_they_opened(
    memory_core: B2BCore,
) -> None:
    won = open_deal(memory_core, on=date(2024, 3, 1))
    memory_core.win_opportunity(won, value=krw(1_000), on=date(2024, 3, 1))
    still_open = open_deal(memory_core, on=date(2024, 3, 1))

    kpis = pipeline_kpis(
        views(memory_core, [won, still_open]), as_of=AS_OF, settings=SETTINGS
    )

    assert kpis.average_cycle_days == 0.0
    assert kpis.sales_velocity is None


def test_sales_velocity_is_empty_when_nothing_was_won(deals: Book) -> None:
    without_a = [d for d in deals[1] if d.id != deals[0]["A"]]

    kpis = pipeline_kpis(without_a, as_of=AS_OF, settings=SETTINGS)

    assert kpis.win_rate == 0.0
    assert kpis.sales_velocity is not None
    assert dict(kpis.sales_velocity) == {}


def test_sales_velocity_is_per_currency_of_the_won_deals(
    memory_core: B2BCore,
) -> None:
    # Won: KRW 1,000,001 after 2 days. Open: one KRW and one USD deal.
    won = open_deal(memory_core, on=date(2024, 3, 1), amount=krw(2_000_000))
    memory_core.win_opportunity(won, value=krw(1_000_001), on=date(2024, 3, 3))
    ids = [
        won,
        open_deal(memory_core, on=date(2024, 3, 1)),
        open_deal(memory_core, on=date(2024, 3, 1), amount=Money.of(500, "USD")),
    ]

    kpis = pipeline_kpis(views(memory_core, ids), as_of=AS_OF, settings=SETTINGS)

    # 1 × 1,000,001 × 1.0 ÷ 2 = 500,000.5, rounded half-even; no USD won
    assert kpis.sales_velocity is not None
    assert dict(kpis.sales_velocity) == {"KRW": Decimal(500_000)}


# -- stagnation -------------------------------------------------------------------


def test_open_deals_unmoved_for_the_stagnation_days_are_stagnant(
    deals: Book,
) -> None:
    kpis = pipeline_kpis(deals[1], as_of=AS_OF, settings=SETTINGS)

    assert kpis.stagnant == (deals[0]["D"],)  # 31 days at 2; E only 11 at 4


def test_stagnation_starts_on_the_stagnation_day_itself(deals: Book) -> None:
    ids = deals[0]

    day_13 = pipeline_kpis(deals[1], as_of=date(2024, 2, 14), settings=SETTINGS)
    day_14 = pipeline_kpis(deals[1], as_of=date(2024, 2, 15), settings=SETTINGS)

    # B, C and D last moved on 02-01; A on 02-10
    assert day_13.stagnant == ()
    assert day_14.stagnant == tuple(sorted([ids["B"], ids["C"], ids["D"]]))


def test_closed_deals_are_never_stagnant(deals: Book) -> None:
    kpis = pipeline_kpis(deals[1], as_of=date(2024, 12, 31), settings=SETTINGS)

    assert kpis.stagnant == tuple(sorted([deals[0]["D"], deals[0]["E"], deals[0]["F"]]))


# -- cut by a dimension ---------------------------------------------------------


def test_a_dimension_cut_gives_the_figures_per_key(deals: Book) -> None:
    kpis = pipeline_kpis(deals[1], as_of=AS_OF, settings=SETTINGS, by=Dimension.OWNER)

    assert kpis.dimension is Dimension.OWNER
    assert list(kpis.by) == ["kim", "lee"]  # F (lee's) opens later
    kim, lee = kpis.by["kim"], kpis.by["lee"]
    assert (kim.open, kim.won, kim.lost, kim.dropped) == (0, 1, 1, 0)
    assert kim.win_rate == 0.5
    assert (lee.open, lee.won, lee.lost, lee.dropped) == (2, 0, 0, 1)
    assert lee.win_rate is None
    assert lee.stagnant == (deals[0]["D"],)
    assert kim.by == {}


def test_a_dimension_cut_keeps_the_overall_figures(deals: Book) -> None:
    overall = pipeline_kpis(deals[1], as_of=AS_OF, settings=SETTINGS)

    cut = pipeline_kpis(deals[1], as_of=AS_OF, settings=SETTINGS, by=Dimension.REGION)

    assert (cut.open, cut.won, cut.win_rate) == (
        overall.open,
        overall.won,
        overall.win_rate,
    )
    assert list(cut.by) == ["Seoul"]


def test_a_manager_cut_puts_owners_without_a_manager_under_unassigned(
    deals: Book,
) -> None:
    kpis = pipeline_kpis(
        deals[1],
        as_of=AS_OF,
        settings=SETTINGS,
        by=Dimension.MANAGER,
        managers={"kim": "park"},
    )

    assert {k: v.won + v.lost + v.dropped + v.open for k, v in kpis.by.items()} == {
        "park": 2,
        "unassigned": 3,
    }
