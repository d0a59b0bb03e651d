"""Replay is deterministic: the same commands give the same log and the same
state in any store, and the state as of a business date is what a store that
only saw the commands effective by then holds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from b2bcore import AssetView, B2BCore, FixedClock, NotFoundError, OpportunityView
from b2bcore.testing.strategies import History, histories
from tests.conftest import TODAY


@contextmanager
def fresh_core(snapshot_interval: int) -> Iterator[B2BCore]:
    with B2BCore.open(
        "memory://",
        actor="tester",
        clock=FixedClock(TODAY),
        snapshot_interval=snapshot_interval,
    ) as core:
        yield core


def readers(core: B2BCore, history: History) -> dict[UUID, Callable[..., Any]]:
    """How to read each aggregate of ``history`` back, by id."""
    found: dict[UUID, Callable[..., Any]] = {history.account_id: core.account}
    found.update(dict.fromkeys(history.asset_ids, core.asset))
    found.update(dict.fromkeys(history.lead_ids, core.lead))
    found.update(dict.fromkeys(history.opportunity_ids, core.opportunity))
    return found


def unrecorded(view: Any) -> Any:
    """``view`` without its recorded time, which no two runs share."""
    return attrs.evolve(view, recorded_at=None)


def views(
    core: B2BCore, history: History, as_of: date | None = None
) -> dict[UUID, Any]:
    """Every aggregate's view (as of ``as_of`` if given); None for one that
    does not exist (yet)."""
    found: dict[UUID, Any] = {}
    for aggregate_id, read in readers(core, history).items():
        try:
            found[aggregate_id] = unrecorded(read(aggregate_id, as_of=as_of))
        except NotFoundError:
            found[aggregate_id] = None
    return found


def logged_events(core: B2BCore) -> list[dict[str, Any]]:
    """The whole log in order, each event's fields except its timestamp."""
    notifications = core.event_log.recorder.select_notifications(
        start=1, limit=core.log_position()
    )
    mapper = core.event_log.mapper
    return [
        {
            key: value
            for key, value in vars(mapper.to_domain_event(n)).items()
            if key != "timestamp"
        }
        | {"topic": n.topic}
        for n in notifications
    ]


@settings(max_examples=50, deadline=None)
@given(history=histories(chronological=False))
def test_the_same_commands_give_the_same_log_and_state_in_two_fresh_stores(
    history: History,
) -> None:
    # One store snapshots every other event, the other almost never.
    with fresh_core(snapshot_interval=2) as first, fresh_core(100) as second:
        history.apply_to(first)
        history.apply_to(second)

        assert logged_events(first) == logged_events(second)
        assert views(first, history) == views(second, history)


@settings(max_examples=50, deadline=None)
@given(history=histories(chronological=True), data=st.data())
def test_the_state_as_of_a_date_is_what_a_store_given_the_commands_until_then_holds(
    history: History, data: st.DataObject
) -> None:
    days = sorted({command.on for command in history.commands})
    as_of = data.draw(
        st.one_of(
            st.sampled_from(days),
            st.dates(
                min_value=days[0] - timedelta(days=30),
                max_value=days[-1] + timedelta(days=30),
            ),
        ),
        label="as of",
    )
    with fresh_core(snapshot_interval=3) as everything, fresh_core(3) as until_then:
        history.apply_to(everything)
        history.apply_to(until_then, until=as_of)

        assert views(everything, history, as_of=as_of) == views(until_then, history)


@settings(max_examples=50, deadline=None)
@given(history=histories(chronological=False))
def test_any_business_date_can_be_replayed_whatever_order_the_history_was_dated_in(
    history: History,
) -> None:
    """Commands may be backdated (an import of old paper records): the state
    as of any date must still load, and be one the domain could hold."""
    days = sorted({command.on for command in history.commands})
    with fresh_core(snapshot_interval=3) as core:
        history.apply_to(core)

        for as_of in days:
            for view in views(core, history, as_of=as_of).values():
                if isinstance(view, AssetView):
                    planned = {i.number for i in view.installments}
                    assert {p.number for p in view.payments} <= planned
                if isinstance(view, OpportunityView):
                    assert set(view.gates_passed) <= set(view.gates_reviewed)
