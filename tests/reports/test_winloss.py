"""Win/loss: one deal's timeline for its postmortem, and the analysis across
the deals closed by a date."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from b2bcore import (
    B2BCore,
    LossReason,
    OpportunityView,
    Outcome,
    ReviewArea,
    SalesStage,
)
from b2bcore.domain.values import Postmortem
from b2bcore.reports.dimensions import Dimension
from b2bcore.reports.winloss import EntryKind, timeline, win_loss_analysis
from tests.reports.deals import krw, open_deal, views

# -- the timeline of one deal ---------------------------------------------------


@pytest.fixture
def lost(memory_core: B2BCore) -> OpportunityView:
    """Opened 01-01 at 4; gate 1 reviewed 01-10 with a finance finding,
    resolved 01-15, passed 01-20; tier 3 on 01-20; gate 2 reviewed 02-01
    without findings, passed 02-05; tier 2 on 02-10; lost to SoCar on price
    on 03-01; postmortem on 03-05."""
    deal = open_deal(memory_core, on=date(2024, 1, 1), competitors=["SoCar"])
    memory_core.review_gate(
        deal,
        gate=1,
        findings=[(ReviewArea.FINANCE, "margin under 10 %")],
        on=date(2024, 1, 10),
    )
    memory_core.resolve_finding(
        deal, number=1, resolution="repriced", on=date(2024, 1, 15)
    )
    memory_core.pass_gate(deal, gate=1, on=date(2024, 1, 20))
    memory_core.change_tier(deal, tier=3, on=date(2024, 1, 20))
    memory_core.review_gate(deal, gate=2, on=date(2024, 2, 1))
    memory_core.pass_gate(deal, gate=2, on=date(2024, 2, 5))
    memory_core.change_tier(deal, tier=2, on=date(2024, 2, 10))
    memory_core.lose_opportunity(
        deal,
        reason_code=LossReason.PRICE,
        competitor="SoCar",
        reason="8 % above SoCar",
        on=date(2024, 3, 1),
    )
    memory_core.record_postmortem(
        deal,
        summary="lost on price",
        root_causes=["repriced too late"],
        lessons=["price at gate 1"],
        on=date(2024, 3, 5),
    )
    return memory_core.opportunity(deal)


def steps(deal: OpportunityView, as_of: date) -> list[tuple[EntryKind, date | None]]:
    return [(e.kind, e.on) for e in timeline(deal, as_of=as_of).entries]


def test_the_timeline_lists_every_step_in_order(lost: OpportunityView) -> None:
    assert steps(lost, date(2024, 6, 1)) == [
        (EntryKind.OPENED, date(2024, 1, 1)),
        (EntryKind.GATE_REVIEWED, date(2024, 1, 10)),
        (EntryKind.FINDING_RAISED, date(2024, 1, 10)),
        (EntryKind.FINDING_RESOLVED, date(2024, 1, 15)),
        (EntryKind.GATE_PASSED, date(2024, 1, 20)),
        (EntryKind.TIER_CHANGED, date(2024, 1, 20)),
        (EntryKind.GATE_REVIEWED, date(2024, 2, 1)),
        (EntryKind.GATE_PASSED, date(2024, 2, 5)),
        (EntryKind.TIER_CHANGED, date(2024, 2, 10)),
        (EntryKind.LOST, date(2024, 3, 1)),
        (EntryKind.POSTMORTEM, date(2024, 3, 5)),
    ]


def test_gate_entries_name_their_gate(lost: OpportunityView) -> None:
    entries = timeline(lost, as_of=date(2024, 6, 1)).entries

    assert [
        (e.kind, e.gate)
        for e in entries
        if e.kind in (EntryKind.GATE_REVIEWED, EntryKind.GATE_PASSED)
    ] == [
        (EntryKind.GATE_REVIEWED, 1),
        (EntryKind.GATE_PASSED, 1),
        (EntryKind.GATE_REVIEWED, 2),
        (EntryKind.GATE_PASSED, 2),
    ]


def test_the_opening_entry_carries_the_tier_stage_and_amount(
    lost: OpportunityView,
) -> None:
    opened = timeline(lost, as_of=date(2024, 6, 1)).entries[0]

    assert (opened.tier, opened.from_tier, opened.stage, opened.value) == (
        4,
        None,
        SalesStage.INITIAL_CONTACT,
        krw(100_000_000),
    )


def test_tier_moves_carry_where_they_came_from_and_the_stage(
    lost: OpportunityView,
) -> None:
    entries = timeline(lost, as_of=date(2024, 6, 1)).entries

    assert [
        (e.from_tier, e.tier, e.stage)
        for e in entries
        if e.kind is EntryKind.TIER_CHANGED
    ] == [
        (4, 3, SalesStage.OPPORTUNITY_DEVELOPMENT),
        (3, 2, SalesStage.OPPORTUNITY_EVALUATION),
    ]


def test_finding_entries_carry_the_finding(lost: OpportunityView) -> None:
    entries = timeline(lost, as_of=date(2024, 6, 1)).entries

    raised, resolved = entries[2], entries[3]
    assert raised.finding is not None
    assert (raised.gate, raised.finding.area, raised.finding.description) == (
        1,
        ReviewArea.FINANCE,
        "margin under 10 %",
    )
    assert resolved.finding is not None
    assert resolved.finding.resolution == "repriced"


def test_the_loss_entry_carries_the_reason_and_the_competitor(
    lost: OpportunityView,
) -> None:
    loss = timeline(lost, as_of=date(2024, 6, 1)).entries[-2]

    assert (loss.from_tier, loss.tier, loss.stage) == (
        2,
        0,
        SalesStage.CLOSE_AND_REVIEW,
    )
    assert (loss.loss_reason, loss.competitor, loss.reason) == (
        LossReason.PRICE,
        "SoCar",
        "8 % above SoCar",
    )


def test_the_timeline_gives_the_outcome_and_the_postmortem(
    lost: OpportunityView,
) -> None:
    result = timeline(lost, as_of=date(2024, 6, 1))

    assert (result.outcome, result.closed_on, result.cycle_days) == (
        Outcome.LOST,
        date(2024, 3, 1),
        60,
    )
    assert (result.loss_reason, result.lost_to, result.close_reason) == (
        LossReason.PRICE,
        "SoCar",
        "8 % above SoCar",
    )
    assert result.competitors == ("SoCar",)
    assert result.won_value is None
    assert result.postmortem == Postmortem(
        "lost on price", ("repriced too late",), ("price at gate 1",)
    )
    assert result.entries[-1].postmortem == result.postmortem


def test_the_timeline_gives_the_days_of_each_stint(lost: OpportunityView) -> None:
    result = timeline(lost, as_of=date(2024, 6, 1))

    assert [(s.tier, s.entered_on, s.left_on, s.days) for s in result.stints] == [
        (4, date(2024, 1, 1), date(2024, 1, 20), 19),
        (3, date(2024, 1, 20), date(2024, 2, 10), 21),
        (2, date(2024, 2, 10), date(2024, 3, 1), 20),
    ]
    assert result.days_in_tiers == {4: 19, 3: 21, 2: 20}


def test_a_running_stint_counts_its_days_up_to_the_date(
    lost: OpportunityView,
) -> None:
    result = timeline(lost, as_of=date(2024, 2, 15))

    last = result.stints[-1]
    assert (last.tier, last.left_on, last.days) == (2, None, 5)
    assert result.days_in_tiers == {4: 19, 3: 21, 2: 5}


def test_an_earlier_date_leaves_out_the_later_steps_and_the_close(
    lost: OpportunityView,
) -> None:
    result = timeline(lost, as_of=date(2024, 2, 15))

    assert [e.kind for e in result.entries][-3:] == [
        EntryKind.GATE_REVIEWED,
        EntryKind.GATE_PASSED,
        EntryKind.TIER_CHANGED,
    ]
    assert (result.outcome, result.closed_on, result.cycle_days) == (None,) * 3
    assert (result.loss_reason, result.lost_to, result.postmortem) == (None,) * 3


def test_a_finding_resolved_after_the_date_shows_as_open(
    lost: OpportunityView,
) -> None:
    assert steps(lost, date(2024, 1, 12)) == [
        (EntryKind.OPENED, date(2024, 1, 1)),
        (EntryKind.GATE_REVIEWED, date(2024, 1, 10)),
        (EntryKind.FINDING_RAISED, date(2024, 1, 10)),
    ]
    raised = timeline(lost, as_of=date(2024, 1, 12)).entries[2].finding
    assert raised is not None
    assert raised.is_open
    assert raised.resolution == ""


def test_a_failed_gate_drops_the_deal_on_the_day_it_failed(
    memory_core: B2BCore,
) -> None:
    deal_id = open_deal(memory_core, on=date(2024, 1, 1))
    memory_core.review_gate(
        deal_id,
        gate=1,
        findings=[(ReviewArea.LEGAL, "unlimited liability")],
        on=date(2024, 1, 10),
    )
    memory_core.fail_gate(
        deal_id, gate=1, reason="liability not acceptable", on=date(2024, 1, 20)
    )

    result = timeline(memory_core.opportunity(deal_id), as_of=date(2024, 6, 1))

    assert [(e.kind, e.on, e.gate) for e in result.entries] == [
        (EntryKind.OPENED, date(2024, 1, 1), None),
        (EntryKind.GATE_REVIEWED, date(2024, 1, 10), 1),
        (EntryKind.FINDING_RAISED, date(2024, 1, 10), 1),
        (EntryKind.GATE_FAILED, date(2024, 1, 20), 1),
        (EntryKind.DROPPED, date(2024, 1, 20), None),
    ]
    assert result.entries[-1].reason == "liability not acceptable"
    assert result.outcome is Outcome.DROPPED


def test_a_win_entry_carries_the_won_value(memory_core: B2BCore) -> None:
    deal_id = open_deal(memory_core, on=date(2024, 1, 1), tier=1)
    memory_core.win_opportunity(
        deal_id, value=krw(95_000_000), reason="best TCO", on=date(2024, 2, 1)
    )

    result = timeline(memory_core.opportunity(deal_id), as_of=date(2024, 2, 1))

    won = result.entries[-1]
    assert (won.kind, won.value, won.reason) == (
        EntryKind.WON,
        krw(95_000_000),
        "best TCO",
    )
    assert (result.outcome, result.won_value, result.cycle_days) == (
        Outcome.WON,
        krw(95_000_000),
        31,
    )


def test_an_open_deal_s_timeline_has_no_outcome(memory_core: B2BCore) -> None:
    deal = memory_core.opportunity(open_deal(memory_core, on=date(2024, 1, 1)))

    result = timeline(deal, as_of=date(2024, 1, 31))

    assert steps(deal, date(2024, 1, 31)) == [(EntryKind.OPENED, date(2024, 1, 1))]
    assert [(s.tier, s.days) for s in result.stints] == [(4, 30)]
    assert result.outcome is None


# -- the analysis across deals ------------------------------------------------------

AS_OF = date(2024, 4, 15)


def closed_book(core: B2BCore) -> dict[str, UUID]:
    """kim: A won 01-01→03-01 (60 days); B lost on price to SoCar
    01-01→03-01 (60); G won 05-01, after the date.
    lee: C lost on budget, no competitor named, 02-01→03-02 (30); D lost on
    price to SoCar 02-01→04-01 (60); E dropped 02-01; F still open."""
    a = open_deal(core, on=date(2024, 1, 1))
    core.win_opportunity(a, value=krw(90_000_000), on=date(2024, 3, 1))
    b = open_deal(core, on=date(2024, 1, 1))
    core.lose_opportunity(
        b, reason_code=LossReason.PRICE, competitor="SoCar", on=date(2024, 3, 1)
    )
    g = open_deal(core, on=date(2024, 1, 1))
    core.win_opportunity(g, value=krw(90_000_000), on=date(2024, 5, 1))
    c = open_deal(core, on=date(2024, 2, 1), owner="lee")
    core.lose_opportunity(c, reason_code=LossReason.BUDGET, on=date(2024, 3, 2))
    d = open_deal(core, on=date(2024, 2, 1), owner="lee")
    core.lose_opportunity(
        d, reason_code=LossReason.PRICE, competitor="SoCar", on=date(2024, 4, 1)
    )
    e = open_deal(core, on=date(2024, 1, 1), owner="lee")
    core.drop_opportunity(e, reason="merged into another deal", on=date(2024, 2, 1))
    f = open_deal(core, on=date(2024, 1, 1), owner="lee")
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f, "G": g}


@pytest.fixture
def closed(memory_core: B2BCore) -> list[OpportunityView]:
    return views(memory_core, closed_book(memory_core).values())


def test_the_analysis_counts_the_deals_closed_by_the_date(
    closed: list[OpportunityView],
) -> None:
    analysis = win_loss_analysis(closed, as_of=AS_OF)

    assert (analysis.won, analysis.lost, analysis.dropped) == (1, 3, 1)
    assert analysis.win_rate == 0.25  # 1 ÷ (1 + 3)


def test_the_analysis_averages_the_cycles_of_won_and_of_lost_deals(
    closed: list[OpportunityView],
) -> None:
    analysis = win_loss_analysis(closed, as_of=AS_OF)

    assert analysis.average_won_cycle_days == 60.0
    assert analysis.average_lost_cycle_days == 50.0  # (60 + 30 + 60) ÷ 3


def test_losses_are_counted_by_reason_most_frequent_first(
    closed: list[OpportunityView],
) -> None:
    analysis = win_loss_analysis(closed, as_of=AS_OF)

    assert list(analysis.lost_by_reason.items()) == [
        (LossReason.PRICE, 2),
        (LossReason.BUDGET, 1),
    ]


def test_losses_are_counted_by_competitor_with_unknown_for_none_named(
    closed: list[OpportunityView],
) -> None:
    analysis = win_loss_analysis(closed, as_of=AS_OF)

    assert list(analysis.lost_to.items()) == [("SoCar", 2), ("unknown", 1)]


def test_the_analysis_is_cut_by_a_dimension(closed: list[OpportunityView]) -> None:
    analysis = win_loss_analysis(closed, as_of=AS_OF, by=Dimension.OWNER)

    kim, lee = analysis.by["kim"], analysis.by["lee"]
    assert (kim.won, kim.lost, kim.dropped, kim.win_rate) == (1, 1, 0, 0.5)
    assert (lee.won, lee.lost, lee.dropped, lee.win_rate) == (0, 2, 1, 0.0)
    assert lee.average_won_cycle_days is None
    assert lee.average_lost_cycle_days == 45.0  # (30 + 60) ÷ 2
    assert list(lee.lost_by_reason.items()) == [
        (LossReason.BUDGET, 1),  # a tie: by reason name
        (LossReason.PRICE, 1),
    ]
    assert list(lee.lost_to.items()) == [("SoCar", 1), ("unknown", 1)]
    assert analysis.won == 1  # the overall figures stay


def test_without_closed_deals_the_analysis_is_empty(
    closed: list[OpportunityView],
) -> None:
    analysis = win_loss_analysis(closed, as_of=date(2024, 1, 31), by=Dimension.OWNER)

    assert (analysis.won, analysis.lost, analysis.dropped) == (0, 0, 0)
    assert analysis.win_rate is None
    assert analysis.average_won_cycle_days is None
    assert analysis.average_lost_cycle_days is None
    assert analysis.lost_by_reason == {}
    assert analysis.lost_to == {}
    assert analysis.by == {}
