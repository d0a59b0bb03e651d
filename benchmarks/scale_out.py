"""Writer processes on one PostgreSQL database: throughput, and what limits it.

Each measurement starts N writer processes (spawn) on fresh schemas, dropped
afterwards; the writers wait at a barrier, then each records a fixed amount
of work on aggregates of its own. Reported per row: events/s in total and per
process, and the mean time a save spends inside the recorder's insert
transaction (where eventsourcing takes ``LOCK TABLE … IN EXCLUSIVE MODE``).

Rows:
- ``commands``: b2bcore commands (get → change → save, one event each) on
  one log, and on one log per writer (separate schemas): the same work
  without sharing the table lock;
- ``batched``: aggregates built with the domain classes and saved many per
  ``B2BCore.save`` (the importers' path);
- ``raw insert``: one pre-encoded event per transaction straight into the
  recorder, no domain work: the ceiling of the insert path itself; also with
  the table lock removed — a diagnostic only, never a way to run: without
  the lock a reader following the log can skip a late-committing event.

``--delay-ms D`` puts the writers behind a proxy that holds every packet D
ms each way: a managed database across a network, emulated on one machine
(the table lock is held across the insert's round trips).

Usage: python -m benchmarks.scale_out [--db postgresql://…/test]
[--commands 1000] [--batch 25] [--repeat 3] [--delay-ms 0]
[--targets [--db2 postgresql://…:5433/test]]

``--targets`` measures the figures of the tenants-and-servers issue instead
of the table: 4 writers on one log with the one-round-trip insert against
today's default path, 4 tenants against 1, 2 servers against 1, and group
commit against a save each — every figure a ratio to its baseline run
alike in the same invocation.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date
from multiprocessing import get_context
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import attrs
import psycopg
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder

from b2bcore import (
    B2BCore,
    BusinessLine,
    Consistency,
    ContactChannel,
    Grade,
    Money,
    deterministic_id,
    installment_plan,
)
from b2bcore.domain.account import Account
from b2bcore.domain.aggregate import DomainAggregate, Provenance
from b2bcore.domain.asset import Asset
from b2bcore.domain.values import add_months
from b2bcore_adapters.persistence.postgres_log import PostgresLogRecorder

SPAWN = get_context("spawn")
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
#: A second server (``make test`` starts one: tests/services/second_postgres.sh).
SECOND_URL = "postgresql://postgres@127.0.0.1:5433/test"
#: Commands per account: register, purchase, install, pay, change grade.
COMMANDS_PER_ACCOUNT = 5
VALUE = Money.of(4_000_000, "KRW")
START = date(2024, 1, 2)


@attrs.frozen
class Job:
    """One writer's work: ``kind`` on ``url`` for ``accounts`` accounts."""

    kind: str
    url: str
    writer: int
    accounts: int
    batch: int
    table_lock: bool = True
    consistency: Consistency = Consistency.LOG_HEAD
    #: The one-round-trip insert (False: the library's pipelined one).
    one_round_trip: bool = True
    #: Threads in the writer process, each doing the work on accounts of
    #: its own, their saves grouped when ``group_commit``.
    threads: int = 1
    group_commit: bool = False


@attrs.frozen
class Outcome:
    events: int
    started: float
    ended: float
    insert_seconds: float
    saves: int


def account_and_asset(writer: int, n: int) -> tuple[Account, Asset]:
    """An account with an installed asset, one installment paid and a grade
    change: five events, built with the domain classes."""
    meta = Provenance("scale-out benchmark")
    account = Account.register(
        deterministic_id("account", f"{writer}/{n}"),
        name=f"writer {writer} account {n}",
        grade=Grade.STANDARD,
        sector="logistics",
        region="Seoul",
        country="KR",
        business_line=BusinessLine.DOMESTIC,
        preferred_channel=ContactChannel.EMAIL,
        on=START,
        meta=meta,
    )
    plan = installment_plan(VALUE, 4, add_months(START, 1))
    asset = Asset.purchase(
        deterministic_id("asset", f"{writer}/{n}"),
        account_id=account.id,
        product="fleet",
        order_reference=f"{writer}/{n}",
        contact="contact",
        value=VALUE,
        installments=plan,
        owner="park",
        on=START,
        meta=meta,
    )
    asset.install(on=START, usage_end_on=add_months(START, 12), meta=meta)
    asset.pay_installment(on=plan[0].due_on, number=1, amount=plan[0].amount, meta=meta)
    account.change_grade(on=START, grade=Grade.MAJOR, meta=meta)
    return account, asset


def record_commands(core: B2BCore, job: Job) -> int:
    """Five commands per account, each get → change → save."""
    plan = installment_plan(VALUE, 4, add_months(START, 1))
    for n in range(job.accounts):
        account = core.register_account(
            account_id=deterministic_id("account", f"{job.writer}/{n}"),
            name=f"writer {job.writer} account {n}",
            grade=Grade.STANDARD,
            sector="logistics",
            region="Seoul",
            country="KR",
            business_line=BusinessLine.DOMESTIC,
            preferred_channel=ContactChannel.EMAIL,
            on=START,
        )
        asset = core.purchase_asset(
            account_id=account,
            product="fleet",
            order_reference=f"{job.writer}/{n}",
            contact="contact",
            value=VALUE,
            installments=plan,
            owner="park",
            on=START,
        )
        core.install_asset(asset, usage_end_on=add_months(START, 12), on=START)
        core.pay_installment(asset, number=1, amount=plan[0].amount, on=plan[0].due_on)
        core.change_account_grade(account, grade=Grade.MAJOR, on=START)
    return job.accounts * COMMANDS_PER_ACCOUNT


def record_batched(core: B2BCore, job: Job) -> int:
    """The same events, ``job.batch`` accounts (with their assets) per save."""
    for first in range(0, job.accounts, job.batch):
        aggregates: list[DomainAggregate] = []
        for n in range(first, min(first + job.batch, job.accounts)):
            aggregates += account_and_asset(job.writer, n)
        core.save(*aggregates)
    return job.accounts * COMMANDS_PER_ACCOUNT


def record_raw(core: B2BCore, job: Job) -> int:
    """One pre-encoded event per transaction, straight into the recorder."""
    recorder = core.event_log.recorder
    state = b'{"padding": "' + b"x" * 180 + b'"}'
    events = job.accounts * COMMANDS_PER_ACCOUNT
    for _ in range(events):
        recorder.insert_events([StoredEvent(uuid4(), 1, "b2bcore:benchmark", state)])
    return events


WORK: dict[str, Callable[[B2BCore, Job], int]] = {
    "commands": record_commands,
    "batched": record_batched,
    "raw insert": record_raw,
}


def write(job: Job, start: Barrier, results: Queue[Outcome]) -> None:
    """A writer process: open, wait for the others, do the job (in
    ``job.threads`` threads), report."""
    with B2BCore.open(
        job.url,
        actor=f"writer {job.writer}",
        consistency=job.consistency,
        group_commit=job.group_commit,
    ) as core:
        recorder = core.event_log.recorder
        assert isinstance(recorder, PostgresLogRecorder)
        recorder.one_round_trip = job.one_round_trip
        insert = recorder.insert_events
        spent = [0.0, 0]

        def timed_insert(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return insert(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - began
                spent[1] += 1

        recorder.insert_events = timed_insert
        if not job.table_lock:
            assert isinstance(recorder, PostgresApplicationRecorder)
            recorder.lock_table_statements = []
        work = WORK[job.kind]
        counts = [0] * job.threads

        def run(thread: int) -> None:
            mine = attrs.evolve(job, writer=job.writer * 1000 + thread)
            counts[thread] = work(core, mine)

        threads = [threading.Thread(target=run, args=(n,)) for n in range(job.threads)]
        start.wait(timeout=120)
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        ended = time.perf_counter()
    results.put(Outcome(sum(counts), started, ended, spent[0], int(spent[1])))


@contextmanager
def schemas(url: str, count: int) -> Iterator[list[str]]:
    """URLs of ``count`` fresh schemas of the database at ``url`` with
    b2bcore's tables created, dropped afterwards."""
    names = [f"b2b_bench_{uuid4().hex[:12]}" for _ in range(count)]
    with psycopg.connect(url, autocommit=True) as connection:
        for name in names:
            connection.execute(f"CREATE SCHEMA {name}")
    parts = urlsplit(url)
    urls = [urlunsplit(parts._replace(query=f"schema={name}")) for name in names]
    try:
        for schema_url in urls:
            B2BCore.open(schema_url).close()
        yield urls
    finally:
        with psycopg.connect(url, autocommit=True) as connection:
            for name in names:
                connection.execute(f"DROP SCHEMA {name} CASCADE")


@attrs.frozen
class Row:
    label: str
    writers: int
    events: int
    seconds: float
    per_process: float
    insert_ms: float
    insert_share: float

    @property
    def rate(self) -> float:
        return self.events / self.seconds


@attrs.frozen
class Setup:
    """One row of the table: ``writers`` processes doing ``kind`` work on one
    shared log, or on ``a_log_each``, with or without the table lock."""

    kind: str
    writers: int
    a_log_each: bool = False
    table_lock: bool = True
    consistency: Consistency = Consistency.LOG_HEAD
    one_round_trip: bool = True
    threads: int = 1
    group_commit: bool = False
    #: The logs spread over this many servers (the second: ``--db2``).
    servers: int = 1
    #: Logs (tenants) shared by the writers when not ``a_log_each``.
    logs: int = 1

    @property
    def label(self) -> str:
        logs = (
            "a log each"
            if self.a_log_each
            else "one log"
            if self.logs == 1
            else f"{self.logs} logs"
        )
        if self.servers > 1:
            logs += f" on {self.servers} servers"
        lock = "" if self.table_lock else ", table lock removed (diagnostic)"
        path = "one round trip" if self.one_round_trip else "pipelined insert"
        threads = (
            f", {self.threads} threads" + (" grouped" if self.group_commit else "")
            if self.threads > 1
            else ""
        )
        return f"{self.kind}, {logs}, {self.consistency.value}, {path}{threads}{lock}"


class DelayProxy:
    """A TCP proxy in front of PostgreSQL that holds every chunk ``delay``
    seconds in each direction, in a thread of its own."""

    def __init__(self, host: str, port: int, delay: float) -> None:
        self._target = (host, port)
        self._delay = delay
        self._loop = asyncio.new_event_loop()
        server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0)
        )
        self.port: int = server.sockets[0].getsockname()[1]
        threading.Thread(target=self._loop.run_forever, daemon=True).start()

    async def _serve(
        self, client: asyncio.StreamReader, to_client: asyncio.StreamWriter
    ) -> None:
        server, to_server = await asyncio.open_connection(*self._target)
        await asyncio.gather(
            self._pipe(client, to_server), self._pipe(server, to_client)
        )

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Forward in order, each chunk ``delay`` after it arrived."""
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def forward() -> None:
            while data := (item := await queue.get())[1]:
                await asyncio.sleep(item[0] - self._loop.time())
                writer.write(data)
                await writer.drain()

        sender = asyncio.create_task(forward())
        with suppress(ConnectionError):
            while data := await reader.read(65536):
                queue.put_nowait((self._loop.time() + self._delay, data))
        queue.put_nowait((0.0, b""))
        with suppress(ConnectionError):
            await sender
        writer.close()


def through(url: str, proxy: DelayProxy | None) -> str:
    """``url`` reached through ``proxy`` (if any)."""
    if proxy is None:
        return url
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{proxy.port}"))


def round_trip_ms(url: str) -> float:
    """The median time of ``SELECT 1`` at ``url``."""
    with psycopg.connect(url) as connection:
        times = []
        for _ in range(50):
            began = time.perf_counter()
            connection.execute("SELECT 1").fetchone()
            times.append(time.perf_counter() - began)
    return 1000 * statistics.median(times)


def measure(
    url: str,
    setup: Setup,
    job: Job,
    proxy: DelayProxy | None,
    second: tuple[str, DelayProxy | None] | None = None,
) -> Row:
    """Run ``setup.writers`` processes doing ``job`` on fresh schemas, the
    writers connecting through ``proxy`` when given; with ``setup.servers``
    2, every other log on the ``second`` server (its URL and proxy)."""
    writers = setup.writers
    logs = writers if setup.a_log_each else setup.logs
    job = attrs.evolve(
        job,
        kind=setup.kind,
        table_lock=setup.table_lock,
        consistency=setup.consistency,
        one_round_trip=setup.one_round_trip,
        threads=setup.threads,
        group_commit=setup.group_commit,
    )
    places = [(url, proxy)] + ([second] if second and setup.servers > 1 else [])
    with contextlib.ExitStack() as stack:
        urls = []
        for n in range(logs):
            server, its_proxy = places[n % len(places)]
            (made,) = stack.enter_context(schemas(server, 1))
            urls.append(through(made, its_proxy))
        start = SPAWN.Barrier(writers)
        results: Queue[Outcome] = SPAWN.Queue()
        processes = [
            SPAWN.Process(
                target=write,
                args=(
                    attrs.evolve(job, url=urls[n % logs], writer=n),
                    start,
                    results,
                ),
            )
            for n in range(writers)
        ]
        for process in processes:
            process.start()
        outcomes = [results.get(timeout=600) for _ in processes]
        for process in processes:
            process.join()
    events = sum(o.events for o in outcomes)
    seconds = max(o.ended for o in outcomes) - min(o.started for o in outcomes)
    busy = sum(o.ended - o.started for o in outcomes)
    inserting = sum(o.insert_seconds for o in outcomes)
    saves = sum(o.saves for o in outcomes)
    return Row(
        label=setup.label,
        writers=writers,
        events=events,
        seconds=seconds,
        per_process=statistics.mean(o.events / (o.ended - o.started) for o in outcomes),
        insert_ms=1000 * inserting / saves,
        insert_share=inserting / busy,
    )


def median_row(rows: Sequence[Row]) -> Row:
    """The run of median total rate."""
    return sorted(rows, key=lambda r: r.rate)[len(rows) // 2]


PLAN = (
    Setup("commands", 1),
    Setup("commands", 2),
    Setup("commands", 4),
    Setup("commands", 2, a_log_each=True),
    Setup("commands", 4, a_log_each=True),
    Setup("batched", 1),
    Setup("batched", 2),
    Setup("batched", 4),
    Setup("raw insert", 1),
    Setup("raw insert", 2),
    Setup("raw insert", 4),
    Setup("raw insert", 8),
    Setup("raw insert", 2, a_log_each=True),
    Setup("raw insert", 4, a_log_each=True),
    Setup("raw insert", 8, a_log_each=True),
    Setup("raw insert", 2, table_lock=False),
    Setup("raw insert", 4, table_lock=False),
)


FAST = {"consistency": Consistency.AVAILABLE, "one_round_trip": True}
#: Today's default: read rows inside the save's transaction (log-head), the
#: library's pipelined insert.
DEFAULT = {"one_round_trip": False}
#: The issue's targets: each row a setup and its baseline, run alike.
TARGETS = (
    (
        "4 writers, one log: one round trip (available, beside a runner) vs "
        "today's default (log-head, pipelined)",
        Setup("commands", 4, **FAST),  # type: ignore[arg-type]
        Setup("commands", 4, **DEFAULT),  # type: ignore[arg-type]
    ),
    (
        "4 writers, one log: one round trip vs the pipelined insert (both available)",
        Setup("commands", 4, **FAST),  # type: ignore[arg-type]
        Setup("commands", 4, consistency=Consistency.AVAILABLE, one_round_trip=False),
    ),
    (
        "4 writers: 4 tenants vs 1 tenant on one server, today's default path",
        Setup("commands", 4, logs=4, **DEFAULT),  # type: ignore[arg-type]
        Setup("commands", 4, **DEFAULT),  # type: ignore[arg-type]
    ),
    (
        "4 writers: 4 tenants vs 1 tenant on one server, one round trip",
        Setup("commands", 4, logs=4, **FAST),  # type: ignore[arg-type]
        Setup("commands", 4, **FAST),  # type: ignore[arg-type]
    ),
    (
        "4 writers: 2 servers x 2 tenants vs 1 server x 2 tenants, one round trip",
        Setup("commands", 4, logs=2, servers=2, **FAST),  # type: ignore[arg-type]
        Setup("commands", 4, logs=2, **FAST),  # type: ignore[arg-type]
    ),
    (
        "1 writer of 8 threads, log-head: group commit vs a save each",
        Setup("commands", 1, threads=8, group_commit=True, **DEFAULT),  # type: ignore[arg-type]
        Setup("commands", 1, threads=8, **DEFAULT),  # type: ignore[arg-type]
    ),
    (
        "1 writer of 8 threads, available, one round trip: group commit vs a save each",
        Setup("commands", 1, threads=8, group_commit=True, **FAST),  # type: ignore[arg-type]
        Setup("commands", 1, threads=8, **FAST),  # type: ignore[arg-type]
    ),
)


def proxy_for(url: str, delay_ms: float) -> DelayProxy | None:
    if not delay_ms:
        return None
    target = urlsplit(url)
    return DelayProxy(
        target.hostname or "127.0.0.1", target.port or 5432, delay_ms / 1000
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=DEFAULT_URL, help="a PostgreSQL database")
    parser.add_argument(
        "--db2", default=SECOND_URL, help="a database on a second server (--targets)"
    )
    parser.add_argument(
        "--commands", type=int, default=1000, help="commands per writer"
    )
    parser.add_argument("--batch", type=int, default=25, help="accounts per save")
    parser.add_argument("--repeat", type=int, default=3, help="runs per row")
    parser.add_argument(
        "--delay-ms", type=float, default=0.0, help="network delay each way"
    )
    parser.add_argument(
        "--targets",
        action="store_true",
        help="the issue's targets: each setup against its baseline, as ratios",
    )
    args = parser.parse_args()
    proxy = proxy_for(args.db, args.delay_ms)
    job = Job(
        kind="",
        url="",
        writer=0,
        accounts=args.commands // COMMANDS_PER_ACCOUNT,
        batch=args.batch,
    )
    print(
        f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}; "
        f"{job.accounts * COMMANDS_PER_ACCOUNT} events "
        f"per writer; median of {args.repeat} runs; batched: {args.batch} "
        f"accounts ({args.batch * 2} aggregates, "
        f"{args.batch * COMMANDS_PER_ACCOUNT} events) per save; writers' round "
        f"trip to the database: {round_trip_ms(through(args.db, proxy)):.2f} ms"
    )
    if args.targets:
        second = (args.db2, proxy_for(args.db2, args.delay_ms))

        def rate(setup: Setup) -> Row:
            return median_row(
                [
                    measure(args.db, setup, job, proxy, second)
                    for _ in range(args.repeat)
                ]
            )

        print("| figure | events/s | baseline events/s | ratio |")
        print("| --- | ---: | ---: | ---: |")
        for name, setup, baseline in TARGETS:
            new, old = rate(setup), rate(baseline)
            print(
                f"| {name} | {new.rate:,.0f} | {old.rate:,.0f} "
                f"| {new.rate / old.rate:.2f} |",
                flush=True,
            )
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        return
    print(
        "| work | writers | events/s total | events/s per process "
        "| ms per insert transaction | share of time in insert |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for setup in PLAN:
        row = median_row(
            [measure(args.db, setup, job, proxy) for _ in range(args.repeat)]
        )
        print(
            f"| {row.label} | {row.writers} | {row.rate:,.0f} "
            f"| {row.per_process:,.0f} | {row.insert_ms:.2f} "
            f"| {row.insert_share:.0%} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
