"""The one-line descriptions of recorded events and the assets' lifecycles
built from an account's history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest

from b2bcore import B2BCore, LossReason, Money, ObsoleteReason
from b2bcore.application.event_history import DESCRIBERS, asset_lifecycles, describe
from b2bcore.domain.account import Account
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.asset import Asset
from b2bcore.domain.lead import Lead
from b2bcore.domain.opportunity import Opportunity
from tests.helpers import purchase_asset, register_account


class Reinstalled(Asset.Installed):
    """An event class without a describer of its own."""


def event_classes() -> list[type[DomainAggregate.Event]]:
    return [
        value
        for aggregate in (Account, Asset, Lead, Opportunity)
        for name, value in vars(aggregate).items()
        if name != "Event"
        and isinstance(value, type)
        and issubclass(value, DomainAggregate.Event)
    ]


@pytest.mark.parametrize("event_class", event_classes(), ids=lambda c: c.__qualname__)
def test_every_event_class_of_an_account_has_a_describer(
    event_class: type[DomainAggregate.Event],
) -> None:
    assert event_class in DESCRIBERS, (
        f"add a describer for {event_class.__qualname__} to "
        "b2bcore.application.event_history.DESCRIBERS"
    )


def test_an_event_class_without_a_describer_is_named_by_its_class() -> None:
    # eventsourcing's metaclass makes each event class a dataclass at run time,
    # so mypy knows only the library's own constructor arguments.
    fields: dict[str, Any] = {
        "originator_id": uuid4(),
        "originator_version": 2,
        "timestamp": datetime(2024, 2, 1, tzinfo=UTC),
        "usage_end_on": None,
        "effective_on": date(2024, 2, 1),
        "actor": "tester",
        "reason": None,
        "correlation_id": None,
        "causation_id": None,
    }
    event = Reinstalled(**fields)

    assert describe(event) == "Reinstalled"


def test_the_lifecycle_follows_an_asset_from_purchase_to_obsolescence(
    memory_core: B2BCore,
) -> None:
    account = register_account(memory_core)
    asset = purchase_asset(memory_core, account)
    memory_core.install_asset(asset, usage_end_on=None, on=date(2024, 1, 20))
    memory_core.upgrade_asset(
        asset,
        product="Fleet subscription plus",
        value=Money.of(30_000_000, "KRW"),
        on=date(2024, 3, 1),
    )
    memory_core.make_asset_obsolete(
        asset, reason_code=ObsoleteReason.COMPETITOR, on=date(2024, 9, 1)
    )

    entries = memory_core.account_events(account)
    (lifecycle,) = asset_lifecycles(entries)

    assert lifecycle.asset_id == asset
    assert lifecycle.path == (
        "purchased 2024-01-15 → installed 2024-01-20 → upgraded 2024-03-01 "
        "→ made obsolete 2024-09-01"
    )
    assert [step.description for step in lifecycle.steps[1:]] == [
        "Installed; open-ended",
        "Upgraded to Fleet subscription plus for 30,000,000 KRW",
        "Made obsolete (competitor)",
    ]


def test_a_lost_deal_names_the_competitor_and_the_reason(
    memory_core: B2BCore,
) -> None:
    account = register_account(memory_core)
    deal = memory_core.open_opportunity(
        account_id=account,
        name="EV pilot",
        amount=Money.of(1_000_000, "KRW"),
        owner="kim",
        business_line=memory_core.account(account).business_line,
        region="Seoul",
        country="KR",
        product="EV fleet",
        expected_close_on=date(2024, 6, 30),
        on=date(2024, 2, 1),
    )
    memory_core.lose_opportunity(
        deal,
        reason_code=LossReason.NO_DECISION,
        competitor="Lotte Rental",
        on=date(2024, 3, 1),
    )

    lost = memory_core.account_events(account)[-1]

    assert lost.description == "Lost to Lotte Rental (no decision)"
    assert lost.kind == "opportunity"


def test_a_corrected_usage_end_is_a_step_of_the_lifecycle(
    memory_core: B2BCore,
) -> None:
    account = register_account(memory_core)
    asset = purchase_asset(memory_core, account)
    memory_core.install_asset(
        asset, usage_end_on=date(2025, 1, 19), on=date(2024, 1, 20)
    )
    memory_core.correct_usage_end(
        asset,
        usage_end_on=date(2025, 2, 19),
        reason="mistyped month",
        on=date(2024, 3, 1),
    )

    (lifecycle,) = asset_lifecycles(memory_core.account_events(account))

    corrected = lifecycle.steps[-1]
    assert corrected.description == (
        "Usage end corrected to 2025-02-19 (correction made 2024-03-01)"
    )
    assert corrected.reason == "mistyped month"
    assert lifecycle.path.endswith("→ usage end corrected 2024-01-20")
