"""The write path: commands through the b2bcore API against the bare
library saving events of the same size, and a bulk import (batched saves)
against the raw driver inserting the very same rows.

- one aggregate per save: ``register_account`` vs ``Application.save`` of a
  new ``Company`` whose event stores as many bytes;
- get → change → save: ``change_account_attributes`` vs
  ``repository.get`` + ``Company.rename`` + ``save``;
- batched: ``B2BCore.save`` of ``size.batch`` new accounts (built with
  ``Account.register``, as importers do) vs ``Application.save`` of as many
  ``Company`` aggregates, and vs sqlite3 ``executemany`` of the rows b2bcore
  stored, one transaction per batch, into the same table on the same
  journal mode (WAL) — the ceiling.
"""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path
from uuid import UUID

from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

from b2bcore import B2BCore
from b2bcore.account import Account
from benchmarks import accounts
from benchmarks.bare import (
    BareLog,
    Company,
    open_bare,
    registration_text,
    rename_text,
)
from benchmarks.history import sqlite_url
from benchmarks.sizes import Size
from benchmarks.table import Row, at_least
from benchmarks.timing import in_turns

#: Accounts the get → change → save commands go round (short histories).
POOL = 1_000
WRITE_PATH_TARGET = 0.7
RAW_DRIVER_TARGET = 0.4


def measure(size: Size, cache: Path, scratch: Path) -> list[Row]:
    core = B2BCore.open(sqlite_url(scratch / "write-b2bcore.db"))
    bare = open_bare(scratch / "write-bare.db")
    raw = _raw_store(scratch / "write-raw.db")
    try:
        return [
            *_one_per_save(size, core, bare),
            *_batched(size, core, bare, raw),
        ]
    finally:
        raw.close()
        bare.close()
        core.close()


def _stored(core: B2BCore, aggregate_id: UUID, version: int) -> bytes:
    (stored,) = core.event_log.recorder.select_events(
        aggregate_id, gt=version - 1, lte=version
    )
    return bytes(stored.state)


def _one_per_save(size: Size, core: B2BCore, bare: BareLog) -> list[Row]:
    numbers = itertools.count()
    pool = [accounts.registered(next(numbers)) for _ in range(POOL)]
    core.save(*pool)
    ids = itertools.cycle([account.id for account in pool])
    core.change_account_attributes(
        pool[0].id, name=accounts.name(next(numbers)), on=accounts.DAY
    )
    registration = len(_stored(core, pool[0].id, 1))
    change = len(_stored(core, pool[0].id, 2))

    profile = registration_text(bare, registration)
    bare_pool = [Company(profile=profile) for _ in range(POOL)]
    bare.save(*bare_pool)
    bare_ids = itertools.cycle([company.id for company in bare_pool])
    new_name = rename_text(bare, change)

    def register() -> None:
        core.register_account(**accounts.fields(next(numbers)), on=accounts.DAY)

    def bare_register() -> None:
        bare.save(Company(profile=profile))

    def change_attributes() -> None:
        core.change_account_attributes(
            next(ids), name=accounts.name(next(numbers)), on=accounts.DAY
        )

    def bare_change() -> None:
        company: Company = bare.repository.get(next(bare_ids))
        company.rename(new_name)
        bare.save(company)

    registers = in_turns(
        register, bare_register, seconds=size.seconds, rounds=size.rounds
    )
    changes = in_turns(
        change_attributes, bare_change, seconds=size.seconds, rounds=size.rounds
    )
    return [
        Row(
            "write, 1 new aggregate per save: register_account "
            f"(vs bare Application.save, {registration}-byte events)",
            1 / registers[0],
            1 / registers[1],
            "commands/s",
            at_least(WRITE_PATH_TARGET),
        ),
        Row(
            "write, get → change → save: change_account_attributes "
            f"(vs bare repository.get + save, {change}-byte events)",
            1 / changes[0],
            1 / changes[1],
            "commands/s",
            at_least(WRITE_PATH_TARGET),
        ),
    ]


def _batched(
    size: Size, core: B2BCore, bare: BareLog, raw: sqlite3.Connection
) -> list[Row]:
    numbers = itertools.count(10**7)
    first = [accounts.registered(next(numbers)) for _ in range(size.batch)]
    core.save(*first)
    rows = [
        (notification.topic, notification.state)
        for notification in core.event_log.recorder.select_notifications(
            start=core.log_position() - size.batch,
            limit=size.batch,
            topics=(Account.Registered.TOPIC,),
            inclusive_of_start=False,
        )
    ]
    profile = registration_text(bare, len(rows[0][1]))
    raw_ids = itertools.count()

    def import_batch() -> None:
        core.save(*(accounts.registered(next(numbers)) for _ in range(size.batch)))

    def bare_batch() -> None:
        bare.save(*(Company(profile=profile) for _ in range(size.batch)))

    def raw_batch() -> None:
        raw.execute("BEGIN")
        raw.executemany(
            "INSERT INTO stored_events VALUES (?, ?, ?, ?)",
            [(f"{next(raw_ids):032x}", 1, topic, state) for topic, state in rows],
        )
        raw.execute("COMMIT")

    ours, bares = in_turns(
        import_batch, bare_batch, seconds=size.seconds, rounds=size.rounds
    )
    again, ceiling = in_turns(
        import_batch, raw_batch, seconds=size.seconds, rounds=size.rounds
    )
    return [
        Row(
            f"bulk import, {size.batch} new aggregates per save "
            f"(vs bare Application.save of {size.batch})",
            size.batch / ours,
            size.batch / bares,
            "aggregates/s",
            at_least(WRITE_PATH_TARGET),
        ),
        Row(
            f"bulk import, {size.batch} new aggregates per save (vs raw sqlite3 "
            f"executemany of the same rows, {size.batch} per transaction)",
            size.batch / again,
            size.batch / ceiling,
            "aggregates/s",
            at_least(RAW_DRIVER_TARGET),
        ),
    ]


def _raw_store(path: Path) -> sqlite3.Connection:
    """A bare sqlite3 connection to a file holding eventsourcing's own events
    table, in its journal mode (WAL), with the driver's defaults otherwise."""
    datastore = SQLiteDatastore(str(path))
    SQLiteApplicationRecorder(datastore).create_table()
    datastore.close()
    return sqlite3.connect(path, isolation_level=None)
