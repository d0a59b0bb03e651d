"""For random valid histories, projections maintained incrementally (caught up
at random moments, in random page sizes) equal the same projections rebuilt
from scratch, and both equal the aggregates read from the event store — on
every store."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from b2bcore import (
    B2BCore,
    Consistency,
    FixedClock,
)
from b2bcore.account import Account
from b2bcore.asset import Asset
from b2bcore.lead import Lead
from b2bcore.opportunity import Opportunity
from b2bcore.views import AccountView, AssetView, LeadView, OpportunityView
from tests.conftest import fresh_store
from tests.histories import PRELUDE, History, operations


def read_models(core: B2BCore) -> dict[str, list[Any]]:
    """Every projected state, as views, in id order."""
    kinds = {
        "accounts": (Account, AccountView.of),
        "assets": (Asset, AssetView.of),
        "leads": (Lead, LeadView.of),
        "deals": (Opportunity, OpportunityView.of),
    }
    return {
        name: sorted(
            (view(state) for state in core.projector.states(kind)),  # type: ignore[operator]
            key=lambda v: v.id,
        )
        for name, (kind, view) in kinds.items()
    }


def from_the_event_store(
    core: B2BCore, models: dict[str, list[Any]]
) -> dict[str, list[Any]]:
    readers = {
        "accounts": core.account,
        "assets": core.asset,
        "leads": core.lead,
        "deals": core.opportunity,
    }
    return {
        name: [readers[name](view.id) for view in views]  # type: ignore[operator]
        for name, views in models.items()
    }


def check_incremental_equals_rebuild(
    store: str,
    history: list[tuple[Any, ...]],
    page_size: int,
    consistency: Consistency,
) -> None:
    """Under ``LOG_HEAD`` each save brings the read models along (from the
    saved states); under ``AVAILABLE`` only the history's catch-ups do."""
    with (
        fresh_store(store) as url,
        B2BCore.open(
            url, clock=FixedClock(date(2025, 1, 1)), consistency=consistency
        ) as core,
    ):
        core.projector.page_size = page_size
        player = History(core)
        for operation in PRELUDE + history:
            player.play(operation)
        core.projector.catch_up()
        incremental = read_models(core)

        core.projector.rebuild()
        rebuilt = read_models(core)

        assert incremental == rebuilt
        assert incremental == from_the_event_store(core, incremental)
        assert all(s.position == s.head for s in core.projector.status())


SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}


@settings(max_examples=200, **SETTINGS)  # type: ignore[arg-type]
@given(
    history=operations,
    page_size=st.sampled_from([1, 2, 3, 7, 1000]),
    consistency=st.sampled_from(Consistency),
)
def test_incremental_projections_equal_a_rebuild_in_memory(
    history: list[tuple[Any, ...]], page_size: int, consistency: Consistency
) -> None:
    check_incremental_equals_rebuild("memory", history, page_size, consistency)


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
@settings(max_examples=20, **SETTINGS)  # type: ignore[arg-type]
@given(
    history=operations,
    page_size=st.sampled_from([1, 2, 3, 7, 1000]),
    consistency=st.sampled_from(Consistency),
)
def test_incremental_projections_equal_a_rebuild_on_a_database(
    store: str, history: list[tuple[Any, ...]], page_size: int, consistency: Consistency
) -> None:
    check_incremental_equals_rebuild(store, history, page_size, consistency)
