"""The invariants of the pipeline reports over random valid histories: the
funnel never widens down its steps and each conversion is the next step over
the one before; tier movement puts every deal open at the start or opened
since in exactly one movement; the postmortem roll-up's cuts each add up to
the number of postmortems; every lead score is the sum of its points, within
0–100."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from b2bcore import B2BCore, FixedClock
from b2bcore.reports import asof
from b2bcore.reports.tier_movement import Movement
from tests.histories import PRELUDE, History, operations


@settings(
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(history=operations, data=st.data())
def test_the_pipeline_reports_keep_their_invariants(
    history: list[tuple[Any, ...]], data: Any
) -> None:
    with B2BCore.open("memory://", clock=FixedClock(date(2025, 1, 1))) as core:
        player = History(core)
        for operation in PRELUDE + history:
            player.play(operation)
        start, end = sorted(
            data.draw(
                st.lists(st.dates(date(2024, 1, 1), player.day), min_size=2, max_size=2)
            )
        )
        deals = [core.opportunity(d) for d in player.deals]

        funnel = core.lead_funnel(as_of=end)
        counts = [s.count for s in funnel.steps]
        assert counts == sorted(counts, reverse=True)
        assert counts[0] == sum(
            1 for lead in player.leads if core.lead(lead).captured_on <= end
        )
        for before, step in zip(funnel.steps, funnel.steps[1:], strict=False):
            expected = step.count / before.count if before.count else None
            assert step.conversion_rate == expected
        assert (
            funnel.open_mql + funnel.open_sql + funnel.disqualified + counts[2]
            == (counts[0])
        )

        movement = core.tier_movement(start=start, end=end)
        expected_ids = {
            d.id
            for d in deals
            if (d.opened_on <= start and asof.outcome(d, start) is None)
            or start < d.opened_on <= end
        }
        moved = [d.opportunity_id for d in movement.deals]
        assert sorted(moved, key=str) == sorted(expected_ids, key=str)
        assert sum(movement.counts.values()) == len(moved)
        for d in movement.deals:
            assert (d.movement is Movement.OPENED) == (
                d.from_tier is None and d.outcome is None
            )
            assert (d.movement is Movement.CLOSED) == (d.to_tier == 0)

        rollup = core.postmortem_rollup(as_of=end)
        assert rollup.postmortems == sum(
            1 for d in deals if d.postmortem_on is not None and d.postmortem_on <= end
        )
        for cut in (rollup.by_category, rollup.by_competitor, rollup.by_owner):
            assert sum(g.postmortems for g in cut) == rollup.postmortems
        for note in (*rollup.root_causes, *rollup.lessons):
            assert 1 <= note.count <= rollup.postmortems

        for score in core.lead_scores(as_of=end).leads:
            assert score.score == score.points.total
            assert 0 <= score.score <= 100
