"""The write path: the real asset commands through the b2bcore API against
the bare library getting and saving events of the same sizes, and the bulk
import of the real data sets against the raw driver inserting the very same
rows.

- **command mix**: one customer's story, seven commands — register an
  account, purchase an asset for it with a ``Contact`` (name, email, phone:
  sealed with the person's own key) and a plan of 4 installments, install
  it, pay the 4 installments — through ``B2BCore`` opened with
  ``Consistency.AVAILABLE`` (a server's: saves only record) and with
  ``Consistency.LOG_HEAD`` (the embedded default: each save also brings the
  read models along), against the bare library doing what each command
  does to the log: ``save`` of a new ``Company`` (register), ``get`` of the
  account and ``save`` of a new ``Company`` (purchase), ``get`` + ``rename``
  + ``save`` (install, each payment), every bare event stored in as many
  bytes as the b2bcore event it stands for. The three are timed in turns and
  both rows share the one bare figure.
- **bulk import**: ``import_maven_crm`` and ``import_ravenstack`` of the
  real data sets (``../shared/data``) into a new SQLite store, under each
  consistency, against sqlite3 ``executemany`` of the event rows that import
  stored, into the library's own ``stored_events`` table in its journal mode
  (WAL), the events of 500 aggregates (the importers' batch) per
  transaction — the ceiling, no Python objects at all. Left out, with a note
  on stderr, when the data sets are absent.
"""

from __future__ import annotations

import itertools
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from uuid import UUID

from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

from b2bcore import B2BCore, Consistency, installment_plan
from b2bcore.application.paging import notifications
from b2bcore_adapters.importers import import_maven_crm, import_ravenstack
from benchmarks import accounts
from benchmarks.bare import (
    BareLog,
    Company,
    open_bare,
    registration_text,
    rename_text,
    stored_sizes,
)
from benchmarks.history import sqlite_url
from benchmarks.sizes import Size
from benchmarks.table import Row, at_least
from benchmarks.timing import in_rotation

WRITE_PATH_TARGET = 0.7
RAW_DRIVER_TARGET = 0.4
#: Commands of one customer's story: register, purchase, install, pay × 4.
COMMANDS = 3 + accounts.INSTALLMENTS
#: The real data sets (docs/importers.md), beside the project's folder.
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
MAVEN_CRM = DATA / "maven-crm"
RAVENSTACK = DATA / "ravenstack" / "ravenstack_subscriptions.csv"
#: Aggregates whose events the raw baseline inserts per transaction.
IMPORT_BATCH = 500
MODES = {
    Consistency.AVAILABLE: "AVAILABLE (server: saves only record)",
    Consistency.LOG_HEAD: "LOG_HEAD (embedded: each save also projects)",
}


def measure(size: Size, cache: Path, scratch: Path) -> list[Row]:
    return [*_command_mix(size, scratch), *_bulk_import(size, scratch)]


def customer_story(core: B2BCore, number: int) -> UUID:
    """The ``COMMANDS`` commands of customer ``number``; its asset's id."""
    account = core.register_account(**accounts.fields(number), on=accounts.DAY)
    plan = installment_plan(accounts.VALUE, accounts.INSTALLMENTS, accounts.FIRST_DUE)
    asset = core.purchase_asset(
        account_id=account,
        product="fleet telematics",
        order_reference=f"PO-{number:08d}",
        contact=accounts.contact(number),
        value=accounts.VALUE,
        installments=plan,
        owner="park",
        on=accounts.DAY,
    )
    core.install_asset(asset, usage_end_on=accounts.USAGE_END, on=accounts.DAY)
    for installment in plan:
        core.pay_installment(
            asset,
            number=installment.number,
            amount=installment.amount,
            on=installment.due_on,
        )
    return asset


class BareStory:
    """What ``customer_story`` does to the log, with plain ``Company``
    aggregates whose events store ``sizes`` bytes: the account's
    registration, then the asset's purchase, installation and payments."""

    def __init__(self, bare: BareLog, sizes: Sequence[int]) -> None:
        registration, purchase, *changes = sizes
        self.bare = bare
        self.registration = registration_text(bare, registration)
        self.purchase = registration_text(bare, purchase)
        self.changes = [rename_text(bare, change) for change in changes]

    def __call__(self) -> None:
        bare = self.bare
        account = Company(profile=self.registration)
        bare.save(account)
        bare.repository.get(account.id)
        asset = Company(profile=self.purchase)
        bare.save(asset)
        for text in self.changes:
            company: Company = bare.repository.get(asset.id)
            company.rename(text)
            bare.save(company)


def _command_mix(size: Size, scratch: Path) -> list[Row]:
    cores = {
        mode: B2BCore.open(
            sqlite_url(scratch / f"write-{mode.value}.db"), consistency=mode
        )
        for mode in MODES
    }
    bare = open_bare(scratch / "write-bare.db")
    try:
        numbers = itertools.count()
        core = cores[Consistency.LOG_HEAD]
        asset = customer_story(core, next(numbers))
        account = core.asset(asset).account_id
        sizes = stored_sizes(core, account) + stored_sizes(core, asset)
        if len(sizes) != COMMANDS:
            raise RuntimeError(f"the story stored {len(sizes)} events, not {COMMANDS}")

        def story(mode: Consistency) -> Callable[[], object]:
            return lambda: customer_story(cores[mode], next(numbers))

        *ours, theirs = in_rotation(
            [*(story(mode) for mode in MODES), BareStory(bare, sizes)],
            seconds=size.seconds,
            rounds=size.rounds,
        )
        described = ", ".join(f"{n}" for n in sizes)
        return [
            Row(
                f"write, the asset command mix with a contact, {label} "
                f"(vs bare get + save, events of {described} bytes)",
                COMMANDS / seconds,
                COMMANDS / theirs,
                "commands/s",
                at_least(WRITE_PATH_TARGET),
            )
            for label, seconds in zip(MODES.values(), ours, strict=True)
        ]
    finally:
        bare.close()
        for opened in cores.values():
            opened.close()


def data_sets_problem() -> str | None:
    """Why the import rows cannot run here; None when they can."""
    missing = [str(p) for p in (MAVEN_CRM, RAVENSTACK) if not p.exists()]
    return f"the real data sets are absent: {', '.join(missing)}" if missing else None


def import_data_sets(core: B2BCore) -> None:
    import_maven_crm(core, MAVEN_CRM)
    import_ravenstack(core, RAVENSTACK)


def _bulk_import(size: Size, scratch: Path) -> list[Row]:
    problem = data_sets_problem()
    if problem is not None:
        print(f"  bulk import rows left out: {problem}", file=sys.stderr)
        return []
    rounds = itertools.count()
    stored: list[tuple[str, int, str, bytes]] = []

    def imported(mode: Consistency) -> float:
        path = scratch / f"import-{next(rounds)}.db"
        with B2BCore.open(sqlite_url(path), consistency=mode) as core:
            started = time.perf_counter()
            import_data_sets(core)
            seconds = time.perf_counter() - started
            if not stored:
                stored.extend(_stored_rows(core))
        _remove(path)
        return seconds

    def raw() -> float:
        path = scratch / f"import-{next(rounds)}-raw.db"
        database = _raw_store(path)
        try:
            started = time.perf_counter()
            for batch in _by_aggregates(stored, IMPORT_BATCH):
                database.execute("BEGIN")
                database.executemany(
                    "INSERT INTO stored_events VALUES (?, ?, ?, ?)", batch
                )
                database.execute("COMMIT")
            seconds = time.perf_counter() - started
        finally:
            database.close()
        _remove(path)
        return seconds

    timings: dict[Consistency | None, list[float]] = {mode: [] for mode in MODES}
    timings[None] = []
    for _ in range(size.import_rounds):
        for mode in MODES:
            timings[mode].append(imported(mode))
        timings[None].append(raw())
    events = len(stored)
    baseline = events / statistics.median(timings[None])
    return [
        Row(
            f"bulk import of both real data sets ({events:,} events), {label} "
            f"(vs raw sqlite3 executemany of the same rows, the events of "
            f"{IMPORT_BATCH} aggregates per transaction)",
            events / statistics.median(timings[mode]),
            baseline,
            "events/s",
            at_least(RAW_DRIVER_TARGET),
        )
        for mode, label in MODES.items()
    ]


def _stored_rows(core: B2BCore) -> list[tuple[str, int, str, bytes]]:
    """Every event the import stored, as the ``stored_events`` table's row."""
    return [
        (UUID(str(n.originator_id)).hex, n.originator_version, n.topic, bytes(n.state))
        for n in notifications(core.event_log.recorder)
    ]


def _by_aggregates(
    rows: Sequence[tuple[str, int, str, bytes]], aggregates: int
) -> Iterator[Sequence[tuple[str, int, str, bytes]]]:
    """``rows`` in log order, cut after every ``aggregates`` new originators."""
    seen: set[str] = set()
    start = 0
    for index, row in enumerate(rows):
        if row[0] not in seen and len(seen) == aggregates:
            yield rows[start:index]
            seen.clear()
            start = index
        seen.add(row[0])
    if start < len(rows):
        yield rows[start:]


def _raw_store(path: Path) -> sqlite3.Connection:
    """A bare sqlite3 connection to a file holding eventsourcing's own events
    table, in its journal mode (WAL), with the driver's defaults otherwise."""
    datastore = SQLiteDatastore(str(path))
    SQLiteApplicationRecorder(datastore).create_table()
    datastore.close()
    return sqlite3.connect(path, isolation_level=None)


def _remove(path: Path) -> None:
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        file.unlink(missing_ok=True)
