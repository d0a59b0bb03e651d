"""Correcting the date of a deal's tier move or of its outcome: a correction
event names the fact it fixes and takes effect on that fact's business date;
the reports read the corrected date as of any date, and as known before the
correction they read the old one (docs/audit.md)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import pytest

from b2bcore import B2BCore, BusinessRuleError, LossReason, ReviewArea
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.values import Outcome
from b2bcore.reports.tier_movement import Movement
from tests.domain.test_opportunity import AMOUNT, opened_deal, warming_deal
from tests.helpers import refused, stored_events

WON_ON, HAPPENED_ON = date(2024, 5, 28), date(2024, 5, 25)
CORRECTED_ON = date(2024, 6, 1)


def won_deal(core: B2BCore) -> UUID:
    """Tier 4 from Feb 1, 3 from Mar 1, 2 from Apr 1, 3 from May 1, won as
    recorded on May 28."""
    deal_id = warming_deal(core)
    core.win_opportunity(deal_id, value=AMOUNT, on=WON_ON)
    return deal_id


def recorded_at(core: B2BCore, aggregate_id: UUID) -> datetime:
    """When the aggregate's latest event was recorded."""
    return stored_events(core, aggregate_id)[-1].timestamp


def test_correcting_the_outcome_date_records_it_as_of_the_recorded_close(
    memory_core: B2BCore,
) -> None:
    deal_id = won_deal(memory_core)
    memory_core.correct_outcome_date(
        deal_id, closed_on=HAPPENED_ON, reason="the PO is dated the 25th"
    )
    *_, corrected = stored_events(memory_core, deal_id)
    assert isinstance(corrected, Opportunity.OutcomeDateCorrected)
    assert (corrected.effective_on, corrected.corrected_on) == (WON_ON, CORRECTED_ON)
    assert (corrected.previous_closed_on, corrected.closed_on) == (WON_ON, HAPPENED_ON)
    deal = memory_core.opportunity(deal_id)
    assert (deal.outcome, deal.closed_on) == (Outcome.WON, HAPPENED_ON)
    assert deal.tier_history[-1].moved_on == HAPPENED_ON


def test_a_deal_won_earlier_than_recorded_is_won_as_of_the_days_between(
    memory_core: B2BCore,
) -> None:
    deal_id = won_deal(memory_core)
    believed = recorded_at(memory_core, deal_id)
    memory_core.correct_outcome_date(deal_id, closed_on=HAPPENED_ON, reason="PO")
    day = date(2024, 5, 26)
    assert memory_core.timeline(deal_id, as_of=day).outcome is Outcome.WON
    assert memory_core.win_loss(as_of=day).won == 1
    assert memory_core.tier_matrix(as_of=day).column_total("0-won").count == 1
    known = memory_core.timeline(deal_id, as_of=day, known_at=believed)
    assert known.outcome is None
    assert memory_core.win_loss(as_of=day, known_at=believed).won == 0
    matrix = memory_core.tier_matrix(as_of=day, known_at=believed)
    assert matrix.column_total("0-won").count == 0
    assert matrix.column_total("3").count == 1


def test_a_tier_move_made_earlier_than_recorded_shows_as_of_its_day(
    memory_core: B2BCore,
) -> None:
    deal_id = warming_deal(memory_core)
    believed = recorded_at(memory_core, deal_id)
    memory_core.correct_tier_move(
        deal_id, position=2, moved_on=date(2024, 3, 20), reason="CRM lag"
    )
    *_, corrected = stored_events(memory_core, deal_id)
    assert isinstance(corrected, Opportunity.TierMoveCorrected)
    assert corrected.effective_on == date(2024, 4, 1)
    day = date(2024, 3, 25)
    [stint] = [
        s for s in memory_core.timeline(deal_id, as_of=day).stints if s.left_on is None
    ]
    assert (stint.tier, stint.entered_on) == (2, date(2024, 3, 20))
    known = memory_core.timeline(deal_id, as_of=day, known_at=believed)
    assert known.stints[-1].tier == 3
    account_id = memory_core.opportunity(deal_id).account_id
    assert account_id is not None
    history = memory_core.account_history(account_id, as_of=day)
    assert [d.tier for d in history.deals] == [2]
    known_history = memory_core.account_history(
        account_id, as_of=day, known_at=believed
    )
    assert [d.tier for d in known_history.deals] == [3]


def test_the_last_move_of_an_open_deal_may_be_corrected(
    memory_core: B2BCore,
) -> None:
    deal_id = warming_deal(memory_core)
    memory_core.correct_tier_move(
        deal_id, position=3, moved_on=date(2024, 5, 3), reason="CRM lag"
    )
    deal = memory_core.opportunity(deal_id)
    assert deal.tier_since == date(2024, 5, 3)
    with refused(memory_core, deal_id, BusinessRuleError, "on"):
        memory_core.change_tier(deal_id, tier=2, on=date(2024, 5, 2))


@pytest.mark.parametrize(
    ("position", "moved_on"),
    [
        (0, date(2024, 2, 2)),
        (4, date(2024, 5, 2)),
        (2, date(2024, 4, 1)),
        (2, date(2024, 2, 28)),
        (2, date(2024, 5, 2)),
        (1, date(2024, 1, 31)),
    ],
    ids=[
        "opening",
        "no such move",
        "same day",
        "before the previous move",
        "after the next move",
        "before the opening",
    ],
)
def test_a_tier_move_correction_out_of_order_or_of_no_move_is_refused(
    memory_core: B2BCore, position: int, moved_on: date
) -> None:
    deal_id = warming_deal(memory_core)
    field = "position" if position in (0, 4) else "moved_on"
    with refused(memory_core, deal_id, BusinessRuleError, field):
        memory_core.correct_tier_move(
            deal_id, position=position, moved_on=moved_on, reason="typo"
        )


def test_a_move_corrected_past_the_close_is_refused(memory_core: B2BCore) -> None:
    deal_id = won_deal(memory_core)
    with refused(memory_core, deal_id, BusinessRuleError, "moved_on"):
        memory_core.correct_tier_move(
            deal_id, position=3, moved_on=date(2024, 5, 29), reason="typo"
        )
    with refused(memory_core, deal_id, BusinessRuleError, "position"):
        memory_core.correct_tier_move(
            deal_id, position=4, moved_on=date(2024, 5, 27), reason="the close"
        )


def test_a_correction_needs_a_reason(memory_core: B2BCore) -> None:
    deal_id = won_deal(memory_core)
    with refused(memory_core, deal_id, BusinessRuleError, "reason"):
        memory_core.correct_outcome_date(deal_id, closed_on=HAPPENED_ON, reason=" ")
    with refused(memory_core, deal_id, BusinessRuleError, "reason"):
        memory_core.correct_tier_move(
            deal_id, position=1, moved_on=date(2024, 3, 2), reason=""
        )


def test_the_outcome_date_of_an_open_deal_cannot_be_corrected(
    memory_core: B2BCore,
) -> None:
    deal_id = warming_deal(memory_core)
    with refused(memory_core, deal_id, BusinessRuleError, "closed_on"):
        memory_core.correct_outcome_date(deal_id, closed_on=HAPPENED_ON, reason="x")


@pytest.mark.parametrize(
    "closed_on",
    [WON_ON, date(2024, 4, 30), date(2024, 1, 31)],
    ids=["same day", "before the last tier move", "before the opening"],
)
def test_an_outcome_date_out_of_order_is_refused(
    memory_core: B2BCore, closed_on: date
) -> None:
    deal_id = won_deal(memory_core)
    with refused(memory_core, deal_id, BusinessRuleError, "closed_on"):
        memory_core.correct_outcome_date(deal_id, closed_on=closed_on, reason="typo")


def test_an_outcome_date_before_a_fact_the_deal_holds_is_refused(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core)
    memory_core.review_gate(
        deal_id, gate=1, findings=[(ReviewArea.LEGAL, "liability")], on=date(2024, 3, 4)
    )
    memory_core.drop_opportunity(deal_id, reason="no budget", on=date(2024, 3, 10))
    with refused(memory_core, deal_id, BusinessRuleError, "closed_on"):
        memory_core.correct_outcome_date(
            deal_id, closed_on=date(2024, 3, 3), reason="typo"
        )
    memory_core.correct_outcome_date(deal_id, closed_on=date(2024, 3, 4), reason="x")
    assert memory_core.opportunity(deal_id).closed_on == date(2024, 3, 4)


def test_an_outcome_date_after_the_postmortem_is_refused(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core)
    memory_core.lose_opportunity(
        deal_id, reason_code=LossReason.PRICE, on=date(2024, 5, 1)
    )
    memory_core.record_postmortem(deal_id, summary="price", on=date(2024, 5, 3))
    with refused(memory_core, deal_id, BusinessRuleError, "closed_on"):
        memory_core.correct_outcome_date(
            deal_id, closed_on=date(2024, 5, 4), reason="typo"
        )


def test_a_correction_may_not_predate_the_fact_it_corrects(
    memory_core: B2BCore,
) -> None:
    deal_id = won_deal(memory_core)
    with refused(memory_core, deal_id, BusinessRuleError, "on"):
        memory_core.correct_outcome_date(
            deal_id, closed_on=HAPPENED_ON, reason="PO", on=date(2024, 5, 27)
        )


def test_a_failed_gate_moves_with_the_outcome_it_closed(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core)
    memory_core.review_gate(deal_id, gate=1, on=date(2024, 3, 4))
    memory_core.fail_gate(deal_id, gate=1, reason="no fit", on=date(2024, 3, 10))
    memory_core.correct_outcome_date(deal_id, closed_on=date(2024, 3, 6), reason="x")
    deal = memory_core.opportunity(deal_id)
    assert deal.gate_history[-1].on == date(2024, 3, 6)
    assert deal.outcome is Outcome.DROPPED


def test_the_pipeline_counts_a_deal_until_its_corrected_close(
    memory_core: B2BCore,
) -> None:
    deal_id = won_deal(memory_core)
    believed = recorded_at(memory_core, deal_id)
    memory_core.correct_outcome_date(deal_id, closed_on=HAPPENED_ON, reason="PO")
    day = date(2024, 5, 27)
    assert (
        memory_core.pipeline_kpis(as_of=day).open,
        memory_core.pipeline_kpis(as_of=day).won,
    ) == (0, 1)
    known = memory_core.pipeline_kpis(as_of=day, known_at=believed)
    assert (known.open, known.won) == (1, 0)


def test_tier_movement_reads_a_corrected_move_in_its_window(
    memory_core: B2BCore,
) -> None:
    deal_id = warming_deal(memory_core)
    believed = recorded_at(memory_core, deal_id)
    memory_core.correct_tier_move(
        deal_id, position=2, moved_on=date(2024, 3, 20), reason="CRM lag"
    )
    start, end = date(2024, 3, 10), date(2024, 3, 25)
    moved = memory_core.tier_movement(start=start, end=end)
    assert moved.counts[Movement.UP] == 1
    known = memory_core.tier_movement(start=start, end=end, known_at=believed)
    assert known.counts[Movement.SAME] == 1
