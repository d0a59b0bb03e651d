"""For random valid histories, projections maintained incrementally (caught up
at random moments, in random page sizes) equal the same projections rebuilt
from scratch, and both equal the aggregates read from the event store — on
every store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from b2bcore import (
    B2BCore,
    Consistency,
    FixedClock,
)
from b2bcore.domain.account import Account
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.asset import Asset
from b2bcore.domain.feedback import Feedback
from b2bcore.domain.lead import Lead
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.views import (
    AccountView,
    AssetView,
    FeedbackView,
    LeadView,
    OpportunityView,
)
from tests.conftest import fresh_store
from tests.histories import PRELUDE, History, operations

A = TypeVar("A", bound=DomainAggregate)
View = AccountView | AssetView | LeadView | OpportunityView | FeedbackView


def projected(core: B2BCore, kind: type[A], view: Callable[[A], View]) -> list[View]:
    """Every projected state of ``kind``, as views, in id order."""
    return sorted((view(state) for state in core.projector.states(kind)), key=by_id)


def by_id(view: View) -> UUID:
    return view.id


def read_models(core: B2BCore) -> dict[str, list[View]]:
    """Every projected state, as views, in id order."""
    return {
        "accounts": projected(core, Account, AccountView.of),
        "assets": projected(core, Asset, AssetView.of),
        "leads": projected(core, Lead, LeadView.of),
        "deals": projected(core, Opportunity, OpportunityView.of),
        "feedback": projected(core, Feedback, FeedbackView.of),
    }


def from_the_event_store(
    core: B2BCore, models: dict[str, list[View]]
) -> dict[str, list[View]]:
    readers: dict[str, Callable[[UUID], View]] = {
        "accounts": core.account,
        "assets": core.asset,
        "leads": core.lead,
        "deals": core.opportunity,
        "feedback": core.feedback,
    }
    return {
        name: [readers[name](view.id) for view in views]
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


SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@settings(SETTINGS, max_examples=200)
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
@settings(SETTINGS, max_examples=20)
@given(
    history=operations,
    page_size=st.sampled_from([1, 2, 3, 7, 1000]),
    consistency=st.sampled_from(Consistency),
)
def test_incremental_projections_equal_a_rebuild_on_a_database(
    store: str, history: list[tuple[Any, ...]], page_size: int, consistency: Consistency
) -> None:
    check_incremental_equals_rebuild(store, history, page_size, consistency)
