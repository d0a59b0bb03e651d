"""Loading one aggregate with a long history, with and without snapshots,
against the bare library loading the same number of events of the same
size; and reading an account as of a business date against loading its
current state.

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
from datetime import timedelta
from pathlib import Path
from uuid import UUID

from b2bcore import B2BCore
from b2bcore.account import Account
from benchmarks import accounts
from benchmarks.bare import BareLog, Company, open_bare, registration_text, rename_text
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


def measure(size: Size, cache: Path, scratch: Path) -> list[Row]:
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
        rows: list[Row] = []
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
