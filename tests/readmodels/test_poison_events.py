"""Poison events: an event a projection cannot place (a topic no b2bcore
class declares, or one its ``apply`` refuses) stops the projection there,
and an operator's recorded skip — who, why, in the log — lets it pass over
that position and no other, on every store and again after a rebuild."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from b2bcore import B2BCore, BusinessRuleError, Grade, ValidationError
from b2bcore.domain.account import Account
from b2bcore.domain.errors import ProjectionError
from b2bcore.readmodels.projection import StateProjection
from tests.helpers import record_foreign_event, refused, register_account

FOREIGN = "b2bcore:contract:Signed"
REASON = "written by the contracts pilot; not an event of this log"


def account_ids(core: B2BCore) -> set[object]:
    return {state.id for state in core.projector.states(Account)}


def poison_grade_changes(
    monkeypatch: pytest.MonkeyPatch, core: B2BCore, version: int
) -> None:
    """Make the account projection's ``apply`` refuse the event of that
    version, as a bug in an ``apply`` method would."""
    projection = core.projector.projections["account_states"]
    healthy = StateProjection.apply

    def poisoned(self: StateProjection, state: Any, event: Any) -> Any:
        if event.originator_version == version:
            raise RuntimeError("cannot apply this one")
        return healthy(self, state, event)

    monkeypatch.setattr(projection, "apply", poisoned.__get__(projection))


def test_an_event_of_an_unknown_topic_stops_every_projection_before_it(
    core: B2BCore,
) -> None:
    register_account(core)
    poison = record_foreign_event(core)
    register_account(core, name="(주)한빛")

    with pytest.raises(ProjectionError) as stopped:
        core.projector.catch_up()

    assert (stopped.value.position, stopped.value.topic) == (poison, FOREIGN)
    assert "unknown topic" in str(stopped.value)
    assert f"b2b projections skip {poison}" in str(stopped.value)
    for name in core.projector.projections:
        with pytest.raises(ProjectionError) as alone:
            core.projector.catch_up([name])
        assert alone.value.position == poison
        assert core.projector.store.position(name) < poison
    assert core.projector.store.position("account_states") == 1


def test_an_event_known_but_not_projected_is_passed_over(core: B2BCore) -> None:
    register_account(core)
    record_foreign_event(core, topic="b2bcore:erasure:Forgotten", state=b"{}")
    register_account(core, name="(주)한빛")

    core.projector.catch_up()

    assert len(account_ids(core)) == 2
    assert all(s.position == s.head for s in core.projector.status())


def test_a_recorded_skip_lets_every_projection_pass_over_the_event(
    core: B2BCore,
) -> None:
    first = register_account(core)
    poison = record_foreign_event(core)
    second = register_account(core, name="(주)한빛")

    skipped = core.skip_event(poison, reason=REASON, actor="ops:kim")
    core.projector.catch_up()

    assert skipped == tuple(core.projector.projections)
    assert account_ids(core) == {first, second}
    assert all(s.position == s.head for s in core.projector.status())
    entries = core.projection_skips()
    assert [e.description.split(" ")[:6] for e in entries] == [
        ["Projection", name, "passes", "over", "log", "position"] for name in skipped
    ]
    assert {(e.actor, e.reason, e.event_type) for e in entries} == {
        ("ops:kim", REASON, "Skipped")
    }
    assert all(f"position {poison} ({FOREIGN}, " in e.description for e in entries)
    assert core.verify_log().ok


def test_a_skip_for_one_projection_leaves_the_others_stopped(core: B2BCore) -> None:
    register_account(core)
    poison = record_foreign_event(core)

    skipped = core.skip_event(poison, projection="account_states", reason=REASON)

    assert skipped == ("account_states",)
    core.projector.catch_up(["account_states"])
    with pytest.raises(ProjectionError) as stopped:
        core.projector.catch_up(["asset_states"])
    assert (stopped.value.projection, stopped.value.position) == (
        "asset_states",
        poison,
    )


def test_a_rebuild_passes_over_a_skipped_event_again(core: B2BCore) -> None:
    register_account(core)
    poison = record_foreign_event(core)
    register_account(core, name="(주)한빛")
    core.skip_event(poison, reason=REASON)
    core.projector.catch_up()
    before = account_ids(core)

    core.projector.rebuild()

    assert account_ids(core) == before
    assert all(s.position == s.head for s in core.projector.status())


def test_an_event_its_apply_refuses_stops_the_projection_until_skipped(
    core: B2BCore, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = register_account(core)
    core.change_account_grade(account, grade=Grade.MAJOR, on=date(2024, 2, 1))
    core.change_account_grade(account, grade=Grade.STANDARD, on=date(2024, 3, 1))
    poison_grade_changes(monkeypatch, core, version=2)
    with pytest.raises(ProjectionError) as stopped:
        core.projector.rebuild(["account_states"])
    assert (stopped.value.position, stopped.value.aggregate_id) == (2, account)
    assert "RuntimeError: cannot apply this one" in str(stopped.value)

    skipped = core.skip_event(2, reason="a bug in GradeChanged.apply, see #42")
    core.projector.catch_up()

    assert skipped == ("account_states",)
    (state,) = core.projector.states(Account)
    assert (state.grade, state.version) == (Grade.STANDARD, 3)
    core.projector.rebuild(["account_states"])
    (rebuilt,) = core.projector.states(Account)
    assert (rebuilt.grade, rebuilt.version) == (Grade.STANDARD, 3)


def test_a_skip_is_used_only_while_its_event_cannot_be_placed(
    core: B2BCore, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = register_account(core)
    core.change_account_grade(account, grade=Grade.MAJOR, on=date(2024, 2, 1))
    with monkeypatch.context() as patched:
        poison_grade_changes(patched, core, version=2)
        with pytest.raises(ProjectionError):
            core.projector.rebuild(["account_states"])
        core.skip_event(2, projection="account_states", reason="a bug, fixed in 1.2")

    core.projector.rebuild(["account_states"])

    (state,) = core.projector.states(Account)
    assert state.grade is Grade.MAJOR


def test_skipping_a_position_with_no_event_is_refused_and_records_nothing(
    core: B2BCore,
) -> None:
    register_account(core)

    for position in (0, 99):
        with refused(core, None, ValidationError, "position"):
            core.skip_event(position, reason=REASON)

    assert core.projection_skips() == ()


def test_skipping_an_event_every_projection_places_is_refused(
    core: B2BCore,
) -> None:
    register_account(core)

    with refused(core, None, BusinessRuleError, "projection"):
        core.skip_event(1, reason=REASON)

    assert core.projection_skips() == ()


def test_only_the_first_poison_event_can_be_skipped(memory_core: B2BCore) -> None:
    first = record_foreign_event(memory_core)
    second = record_foreign_event(memory_core)

    with pytest.raises(BusinessRuleError) as refusal:
        memory_core.skip_event(second, reason=REASON)

    assert f"account_states stops at log position {first}" in str(refusal.value)
    assert memory_core.log_position() == second


def test_a_skip_needs_a_reason_and_a_known_projection(memory_core: B2BCore) -> None:
    poison = record_foreign_event(memory_core)

    with refused(memory_core, None, ValidationError, "reason"):
        memory_core.skip_event(poison, reason="  ")
    with refused(memory_core, None, ValidationError, "projection"):
        memory_core.skip_event(poison, projection="nope", reason=REASON)


def test_an_event_skipped_once_is_not_skipped_twice(memory_core: B2BCore) -> None:
    poison = record_foreign_event(memory_core)
    memory_core.skip_event(poison, reason=REASON)

    with refused(memory_core, None, BusinessRuleError, "projection"):
        memory_core.skip_event(poison, reason=REASON)
