"""Small builders shared by tests: a registered account, a purchased asset,
a lost deal beside the (주)효원 story."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from b2bcore import (
    B2BCore,
    BusinessLine,
    ContactChannel,
    Grade,
    LossReason,
    Money,
    installment_plan,
)
from b2bcore.domain.account import Account
from b2bcore.domain.aggregate import DomainAggregate, Provenance
from b2bcore.domain.asset import Asset
from b2bcore.domain.errors import DomainError
from b2bcore.domain.ids import deterministic_id
from b2bcore.domain.values import add_months
from b2bcore_adapters.demo.book import AS_OF as DEMO_DAY


def register_account(
    core: B2BCore, *, name: str = "(주)효원", **kwargs: object
) -> UUID:
    fields: dict[str, object] = {
        "grade": Grade.KEY,
        "sector": "manufacturing",
        "region": "Seoul",
        "country": "KR",
        "business_line": BusinessLine.DOMESTIC,
        "preferred_channel": ContactChannel.VISIT,
        "on": date(2024, 1, 2),
    }
    fields.update(kwargs)
    return core.register_account(name=name, **fields)  # type: ignore[arg-type]


def purchase_asset(
    core: B2BCore,
    account_id: UUID,
    *,
    value: Money | None = None,
    installments: int = 4,
    on: date = date(2024, 1, 15),
    **kwargs: object,
) -> UUID:
    value = value or Money.of(23_800_000, "KRW")
    fields: dict[str, object] = {
        "product": "Fleet subscription",
        "order_reference": "00000166",
        "contact": "이지은",
        "owner": "park",
    }
    fields.update(kwargs)
    return core.purchase_asset(
        account_id=account_id,
        value=value,
        installments=installment_plan(value, installments, add_months(on, 1)),
        on=on,
        **fields,  # type: ignore[arg-type]
    )


def bulk_history(core: B2BCore, accounts: int) -> int:
    """Record ``accounts`` accounts, each with an installed asset paid in 6
    installments (10 events per account), saved 50 accounts at a time.
    Returns the log position reached."""
    meta = Provenance("bulk loader")
    value = Money.of(6_000_000, "KRW")
    start = date(2023, 1, 2)
    for first in range(0, accounts, 50):
        batch: list[DomainAggregate] = []
        for n in range(first, min(first + 50, accounts)):
            account = Account.register(
                deterministic_id("account", str(n)),
                name=f"Account {n}",
                grade=Grade.STANDARD,
                sector="logistics",
                region="Seoul",
                country="KR",
                business_line=BusinessLine.DOMESTIC,
                preferred_channel=ContactChannel.EMAIL,
                on=start,
                meta=meta,
            )
            plan = installment_plan(value, 6, add_months(start, 1))
            asset = Asset.purchase(
                deterministic_id("asset", str(n)),
                account_id=account.id,
                product="fleet",
                order_reference=f"order {n}",
                contact="contact",
                value=value,
                installments=plan,
                owner=f"rep {n % 7}",
                on=start,
                meta=meta,
            )
            asset.install(on=start, usage_end_on=add_months(start, 24), meta=meta)
            for installment in plan:
                asset.pay_installment(
                    on=installment.due_on,
                    number=installment.number,
                    amount=installment.amount,
                    meta=meta,
                )
            batch += [account, asset]
        core.event_log.save(*batch)
    return core.log_position()


def stored_events(core: B2BCore, aggregate_id: UUID) -> list[DomainAggregate.Event]:
    """The events recorded for ``aggregate_id``, oldest first: b2bcore's
    events, with their business date, provenance and recorded time."""
    events = []
    for event in core.event_log.events.get(aggregate_id):
        assert isinstance(event, DomainAggregate.Event)
        events.append(event)
    return events


@contextmanager
def refused(
    core: B2BCore, aggregate_id: UUID | None, error: type[DomainError], field: str
) -> Iterator[None]:
    """The block raises exactly ``error`` naming ``field`` and records nothing:
    the log does not move and the aggregate (if any) is unchanged."""
    position = core.log_position()
    repository = core.event_log.repository
    before = None if aggregate_id is None else repository.get(aggregate_id)
    with pytest.raises(error) as excinfo:
        yield
    assert type(excinfo.value) is error
    assert excinfo.value.field == field
    assert core.log_position() == position
    if aggregate_id is not None:
        assert repository.get(aggregate_id) == before


def lose_ev_pilot(
    core: B2BCore, account_id: UUID, asset_id: UUID, *, name: str = "EV pilot"
) -> UUID:
    """A second deal of the (주)효원 story, opened on 1 August 2024 and lost
    on price to Lotte Rental on the demo's day; its id."""
    lost = core.open_opportunity(
        account_id=account_id,
        name=name,
        amount=core.asset(asset_id).value,
        owner="kim.seoyeon",
        business_line=core.account(account_id).business_line,
        region="Seoul",
        country="KR",
        product="EV fleet",
        expected_close_on=DEMO_DAY,
        on=date(2024, 8, 1),
    )
    core.lose_opportunity(
        lost, reason_code=LossReason.PRICE, competitor="Lotte Rental", on=DEMO_DAY
    )
    return lost


def record_foreign_event(
    core: B2BCore, *, topic: str = "b2bcore:contract:Signed", state: bytes = b"{}"
) -> int:
    """Write a stored event straight into the log, as another program or a
    newer b2bcore might: by default under a topic no class here declares.
    Returns its log position."""
    core.event_log.recorder.insert_events(
        [
            StoredEvent(
                originator_id=uuid4(), originator_version=1, topic=topic, state=state
            )
        ]
    )
    return core.log_position()
