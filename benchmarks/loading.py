"""Loading an asset with a contact, and one aggregate with a long history
with and without snapshots, against the bare library loading the same
number of events of the same sizes; and reading an account as of a
business date against loading its current state.

An asset of 5 or 20 events (``asset_story``: purchased with a ``Contact``
and a plan of 4 installments, installed, paid, then monthly usage, a
satisfaction score and an inspection) is loaded with ``core.asset(id)``,
which leaves the contact sealed (nothing reads it), against
``repository.get`` of a bare ``Company`` whose events store as many bytes
each, on SQLite and on PostgreSQL (a schema of its own, dropped after;
left out when no server is reachable). Snapshots as by default (every 100
events: none in these histories); the bare application takes none.

The history is an account registered and then renamed again and again
(``AttributesChanged``, alternating two names, one business day apart).
b2bcore loads it with ``core.account(id)`` (the repository with b2bcore's
plain projector, then the view); the bare library with
``repository.get(id)`` (its default projector) of a ``Company`` with as many
``Renamed`` events, each stored in as many bytes. Each side has one store
that snapshots every 100 events and one that never does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from uuid import UUID, uuid4

from b2bcore import B2BCore, UsagePattern, installment_plan
from b2bcore.domain.account import Account
from b2bcore.domain.asset import Asset
from b2bcore.domain.values import add_months
from benchmarks import accounts, postgres
from benchmarks.bare import (
    BareLog,
    Company,
    open_bare,
    open_bare_at,
    padded,
    registration_text,
    rename_text,
    stored_sizes,
)
from benchmarks.history import sqlite_url
from benchmarks.sizes import Size
from benchmarks.table import Row, at_least
from benchmarks.timing import in_turns

#: b2bcore's snapshot interval when snapshots are "off": never reached.
NEVER = 10**9
NAMES = ("Company A", "Company B")
#: b2bcore's aggregate loading against the bare repository.get.
LOADING_TARGET = 2.0
#: The long history with snapshots against the short one.
SNAPSHOT_TARGET = 0.5
#: An asset with a contact against the bare repository.get (issue 11).
ASSET_LOADING_TARGET = 1.5


def record_history(core: B2BCore, events: int) -> Account:
    """An account with ``events`` events, recorded in one save."""
    account = accounts.registered(0)
    for number in range(1, events):
        account.change_attributes(
            on=accounts.DAY + timedelta(days=number),
            meta=accounts.META,
            name=NAMES[number % 2],
        )
    core.save(account)
    return account


def record_bare_history(app: BareLog, events: int, core: B2BCore, kept: UUID) -> UUID:
    """A ``Company`` with ``events`` events as long as those of ``kept``."""
    stored = core.event_log.recorder.select_events(kept, limit=2)
    company = Company(profile=registration_text(app, len(stored[0].state)))
    renamed = rename_text(app, len(stored[1].state))
    for _ in range(1, events):
        company.rename(renamed)
    app.save(company)
    return company.id


def asset_story(events: int) -> tuple[Account, Asset]:
    """A new account and its asset of ``events`` events (5 to 20), pending:
    purchased with a contact and 4 installments, installed, the
    installments paid, 12 months of usage, a satisfaction score and an
    inspection scheduled, in that order."""
    meta, usage_end = accounts.META, accounts.USAGE_END
    account = accounts.registered(0)
    plan = installment_plan(accounts.VALUE, accounts.INSTALLMENTS, accounts.FIRST_DUE)
    asset = Asset.purchase(
        uuid4(),
        account_id=account.id,
        product="fleet telematics",
        order_reference="PO-1",
        contact=accounts.contact(0),
        value=accounts.VALUE,
        installments=plan,
        owner="park",
        on=accounts.DAY,
        meta=meta,
    )
    months = range(1, 13)
    steps: list[Callable[[], object]] = [
        lambda: asset.install(on=accounts.DAY, usage_end_on=usage_end, meta=meta),
        *(
            functools.partial(
                asset.pay_installment,
                on=i.due_on,
                number=i.number,
                amount=i.amount,
                meta=meta,
            )
            for i in plan
        ),
        *(
            functools.partial(
                asset.record_usage,
                on=add_months(accounts.DAY, month),
                period=add_months(accounts.DAY, month - 1),
                count=20 + month,
                distance_km=1_000 + month,
                region="Seoul",
                pattern=UsagePattern.BUSINESS,
                meta=meta,
            )
            for month in months
        ),
        lambda: asset.record_satisfaction(
            on=usage_end, score=8, comment="works well", meta=meta
        ),
        lambda: asset.schedule_inspection(on=usage_end, due_on=usage_end, meta=meta),
    ]
    if not 1 <= events <= len(steps) + 1:
        raise ValueError(f"an asset story has 1 to {len(steps) + 1} events")
    for step in steps[: events - 1]:
        step()
    return account, asset


@contextmanager
def _asset_stores(scratch: Path) -> Iterator[list[tuple[str, str]]]:
    """(name, URL) of each store the asset loads run on."""
    stores = [("SQLite", sqlite_url(scratch / "loading-assets.db"))]
    if not postgres.available():
        yield stores
        return
    with postgres.schema() as url:
        yield [*stores, ("PostgreSQL", url)]


def _asset_loads(size: Size, scratch: Path) -> list[Row]:
    rows = []
    with _asset_stores(scratch) as stores:
        for store, url in stores:
            with B2BCore.open(url) as core:
                bare = open_bare_at(url)
                try:
                    for events in size.asset_histories:
                        account, asset = asset_story(events)
                        core.save(account, asset)
                        company = padded(bare, stored_sizes(core, asset.id))
                        bare.save(company)
                        ours, theirs = in_turns(
                            functools.partial(core.asset, asset.id),
                            functools.partial(bare.repository.get, company.id),
                            seconds=size.seconds,
                            rounds=size.rounds,
                        )
                        rows.append(
                            Row(
                                f"load an asset of {events} events with a contact, "
                                f"{store} (vs bare repository.get)",
                                1 / ours,
                                1 / theirs,
                                "loads/s",
                                at_least(ASSET_LOADING_TARGET),
                            )
                        )
                finally:
                    bare.close()
    return rows


def measure(size: Size, cache: Path, scratch: Path) -> list[Row]:
    rows = _asset_loads(size, scratch)
    stores = {
        snapshots: (
            B2BCore.open(
                sqlite_url(scratch / f"loading-b2bcore-{snapshots}.db"),
                snapshot_interval=None if snapshots else NEVER,
            ),
            open_bare(scratch / f"loading-bare-{snapshots}.db", snapshots=snapshots),
        )
        for snapshots in (False, True)
    }
    try:
        rates: dict[tuple[bool, int], float] = {}
        for snapshots, (core, bare) in stores.items():
            for events in size.histories:
                account = record_history(core, events).id
                company = record_bare_history(bare, events, core, account)
                ours, theirs = in_turns(
                    functools.partial(core.account, account),
                    functools.partial(bare.repository.get, company),
                    seconds=size.seconds,
                    rounds=size.rounds,
                )
                rates[snapshots, events] = 1 / ours
                rows.append(
                    Row(
                        f"load an account of {events:,} events, "
                        + ("snapshots every 100" if snapshots else "no snapshots")
                        + " (vs bare repository.get)",
                        1 / ours,
                        1 / theirs,
                        "loads/s",
                        at_least(LOADING_TARGET),
                    )
                )
        short, long = size.histories[0], size.histories[-1]
        rows.append(
            Row(
                f"load with snapshots, {long:,} events (vs {short:,} events)",
                rates[True, long],
                rates[True, short],
                "loads/s",
                at_least(SNAPSHOT_TARGET),
            )
        )
        rows.append(_as_of(size, stores[True][0]))
        return rows
    finally:
        for core, bare in stores.values():
            bare.close()
            core.close()


def _as_of(size: Size, core: B2BCore) -> Row:
    events = size.as_of_history
    account = record_history(core, events).id
    halfway = accounts.DAY + timedelta(days=events // 2)
    ours, theirs = in_turns(
        lambda: core.account(account, as_of=halfway),
        lambda: core.account(account),
        seconds=size.seconds,
        rounds=size.rounds,
    )
    return Row(
        f"account as of a date, {events:,} events (vs its current state)",
        1 / ours,
        1 / theirs,
        "loads/s",
    )
