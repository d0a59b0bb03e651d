"""The postmortem roll-up: root causes and lessons across deals."""

from __future__ import annotations

from datetime import date

from b2bcore import B2BCore, LossReason
from b2bcore.reports.postmortems import NoteCount
from tests.reports.deals import krw, open_deal


def test_notes_are_counted_overall_and_by_category_competitor_and_owner(
    memory_core: B2BCore,
) -> None:
    core = memory_core
    lost = open_deal(core, on=date(2024, 1, 1))
    core.lose_opportunity(
        lost, reason_code=LossReason.PRICE, competitor="Socar", on=date(2024, 2, 1)
    )
    core.record_postmortem(
        lost,
        summary="lost on price",
        root_causes=["price too high", "late  proposal"],
        lessons=["offer a pilot"],
        on=date(2024, 2, 5),
    )
    won = open_deal(core, on=date(2024, 1, 1), owner="lee", tier=1)
    core.win_opportunity(won, value=krw(90_000_000), on=date(2024, 3, 1))
    core.record_postmortem(
        won,
        summary="won with a pilot",
        root_causes=["late proposal"],
        lessons=["offer a pilot", "offer a pilot"],
        on=date(2024, 3, 5),
    )

    early = core.postmortem_rollup(as_of=date(2024, 3, 4))
    found = core.postmortem_rollup(as_of=date(2024, 3, 5))

    assert early.postmortems == 1
    assert found.postmortems == 2
    assert found.root_causes == (
        NoteCount("late proposal", 2),
        NoteCount("price too high", 1),
    )
    assert found.lessons == (NoteCount("offer a pilot", 2),)
    assert [(g.key, g.postmortems) for g in found.by_category] == [
        ("lost: price", 1),
        ("won", 1),
    ]
    assert [g.key for g in found.by_competitor] == ["Socar", "none"]
    assert [(g.key, g.root_causes) for g in found.by_owner] == [
        ("kim", (NoteCount("late proposal", 1), NoteCount("price too high", 1))),
        ("lee", (NoteCount("late proposal", 1),)),
    ]
