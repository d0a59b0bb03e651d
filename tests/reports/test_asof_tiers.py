"""What a deal's tier history says on a date: its moves, the day it entered
its tier, its stints and its cycle length."""

from __future__ import annotations

from datetime import date

import pytest

from b2bcore import B2BCore, OpportunityView
from b2bcore.reports import asof
from tests.reports.deals import open_deal


@pytest.fixture
def deal(memory_core: B2BCore) -> OpportunityView:
    """Tier 4 from 01-01, 3 from 01-11, 2 from 01-31, dropped 02-10."""
    deal_id = open_deal(memory_core, on=date(2024, 1, 1))
    memory_core.change_tier(deal_id, tier=3, on=date(2024, 1, 11))
    memory_core.change_tier(deal_id, tier=2, on=date(2024, 1, 31))
    memory_core.drop_opportunity(deal_id, reason="merged", on=date(2024, 2, 10))
    return memory_core.opportunity(deal_id)


def test_tier_moves_are_those_on_or_before_the_day(deal: OpportunityView) -> None:
    assert [m.tier for m in asof.tier_moves(deal, date(2024, 1, 11))] == [4, 3]


def test_no_tier_moves_before_the_opening(deal: OpportunityView) -> None:
    assert asof.tier_moves(deal, date(2023, 12, 31)) == ()


def test_tier_since_is_the_day_of_the_last_move_by_then(
    deal: OpportunityView,
) -> None:
    assert asof.tier_since(deal, date(2024, 1, 30)) == date(2024, 1, 11)
    assert asof.tier_since(deal, date(2024, 1, 31)) == date(2024, 1, 31)


def test_tier_since_is_none_before_the_opening(deal: OpportunityView) -> None:
    assert asof.tier_since(deal, date(2023, 12, 31)) is None


def test_stints_on_a_day_show_the_current_one_still_running(
    deal: OpportunityView,
) -> None:
    stints = asof.stints(deal, date(2024, 1, 20))

    assert [(s.tier, s.entered_on, s.left_on) for s in stints] == [
        (4, date(2024, 1, 1), date(2024, 1, 11)),
        (3, date(2024, 1, 11), None),
    ]


def test_stints_after_the_close_are_all_completed(deal: OpportunityView) -> None:
    stints = asof.stints(deal, date(2024, 6, 1))

    assert [(s.tier, s.left_on) for s in stints] == [
        (4, date(2024, 1, 11)),
        (3, date(2024, 1, 31)),
        (2, date(2024, 2, 10)),
    ]


def test_cycle_days_run_from_the_opening_to_the_close(deal: OpportunityView) -> None:
    assert asof.cycle_days(deal, date(2024, 2, 10)) == 40


def test_cycle_days_are_none_before_the_close(deal: OpportunityView) -> None:
    assert asof.cycle_days(deal, date(2024, 2, 9)) is None
