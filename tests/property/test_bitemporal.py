"""As of a business date D and as known at a recorded time T: the state is
the state of a fresh store that only ever received the events with
``effective_on <= D`` and recorded by T, for random back-dated histories with
corrections (docs/audit.md)."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from datetime import date, datetime, timedelta
from uuid import UUID

import attrs
from hypothesis import event, given, settings
from hypothesis import strategies as st

from b2bcore import AssetStatus, B2BCore, B2BCoreError, FixedClock, NotFoundError
from b2bcore.domain.account import Account
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.asset import Asset
from b2bcore.domain.lead import Lead
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.views import AccountView, AssetView, LeadView, OpportunityView
from b2bcore.testing.strategies import History, histories
from tests.helpers import stored_events

View = AccountView | AssetView | LeadView | OpportunityView
#: How each kind of aggregate is read: its id, then as_of and known_at.
VIEWS: dict[type[DomainAggregate], Callable[..., View]] = {
    Account: B2BCore.account,
    Asset: B2BCore.asset,
    Lead: B2BCore.lead,
    Opportunity: B2BCore.opportunity,
}


def record(core: B2BCore, history: History, data: st.DataObject) -> None:
    """The history's commands, each perhaps followed by a usage end
    correction of an installed asset to an earlier date (a refused one
    records nothing)."""
    for command in history.commands:
        command.apply_to(core)
        for asset_id in history.asset_ids:
            if not core.exists(asset_id) or not data.draw(st.booleans()):
                continue
            asset = core.asset(asset_id)
            if asset.status is not AssetStatus.INSTALLED:
                continue
            assert asset.installed_on is not None
            fact_on = (
                asset.renewals[-1].renewed_on if asset.renewals else asset.installed_on
            )
            if asset.usage_end_on is None:
                continue
            # Earlier, never later: the history's own renewals stay valid.
            days = data.draw(st.integers(1, 400), label="days earlier")
            with contextlib.suppress(B2BCoreError):
                core.correct_usage_end(
                    asset_id,
                    usage_end_on=asset.usage_end_on - timedelta(days=days),
                    reason="typo",
                    on=fact_on,
                )


def fresh_view(
    events: list[DomainAggregate.Event], kind: type[DomainAggregate], aggregate_id: UUID
) -> View:
    """The view from a new store given only ``events`` (numbered from 1)."""
    with B2BCore.open("memory://") as fresh:
        fresh.event_log.events.put(
            [
                dataclasses.replace(event, originator_version=number)
                for number, event in enumerate(events, start=1)
            ]
        )
        return VIEWS[kind](fresh, aggregate_id)


@given(history=histories(chronological=False, max_steps=30), data=st.data())
@settings(max_examples=60, deadline=None)
def test_the_as_of_state_is_the_state_of_a_store_given_only_the_cut(
    history: History, data: st.DataObject
) -> None:
    with B2BCore.open("memory://", clock=FixedClock(date(2030, 1, 1))) as core:
        record(core, history, data)
        log: list[DomainAggregate.Event] = [
            event
            for aggregate_id in history.aggregate_ids
            if core.exists(aggregate_id)
            for event in stored_events(core, aggregate_id)
        ]
        moments = sorted({e.timestamp for e in log})
        known_at: datetime = data.draw(
            st.sampled_from(moments) | st.just(moments[-1]), label="known at"
        )
        as_of: date = data.draw(
            st.sampled_from(sorted({e.effective_on for e in log}))
            | st.just(max(e.effective_on for e in log)),
            label="as of",
        )
        for aggregate_id in history.aggregate_ids:
            if not core.exists(aggregate_id):
                continue
            kind: type[DomainAggregate] = type(
                core.event_log.repository.get(aggregate_id)
            )
            cut = [
                e
                for e in stored_events(core, aggregate_id)
                if e.effective_on <= as_of and e.timestamp <= known_at
            ]
            try:
                seen = VIEWS[kind](core, aggregate_id, as_of=as_of, known_at=known_at)
            except NotFoundError:
                assert all(e.originator_version != 1 for e in cut)
                continue
            expected = fresh_view(cut, kind, aggregate_id)
            event(f"compared {kind.KIND}")
            if any(isinstance(e, Asset.UsageEndCorrected) for e in cut):
                event("a correction in the cut")
            assert attrs.evolve(seen, version=0) == attrs.evolve(expected, version=0)
