"""The demo: a generated book of business, starting with the "(주)효원"
key-account story, recorded in a fresh store; the (주)효원 story and a summary
of the book are printed back.

Run ``b2b demo [--db sqlite:///b2bcore-demo.db] [--accounts 50] [--seed
2024]`` (what ``make demo`` does).
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from uuid import UUID

import attrs
from eventsourcing.utils import resolve_topic

from b2bcore import B2BCore, FixedClock
from b2bcore.application.storage import REACH_VARIABLE, environment_for
from b2bcore.domain.errors import ConfigurationError
from b2bcore_adapters.demo.generator import GeneratedStory, generate
from b2bcore_adapters.demo.story.hyowon import COMPLAINT, SURVEY, record_hyowon

__all__ = [
    "AS_OF",
    "NotADemoBookError",
    "demo_url",
    "describe",
    "record_hyowon",
    "run",
    "summarize",
]

#: The day the story is told on (its last business day), so the output never
#: changes.
AS_OF = date(2024, 11, 1)
DEFAULT_ACCOUNTS = 50
DEFAULT_SEED = 2024
#: Who records the demo book (the events' actor unless the story names one).
DEMO_ACTOR = "demo"
DEMO_SCHEMA = "b2bcore_demo"
#: The demo's mark beside its book: the log position it left the book at. A
#: book whose log has moved on since is someone's data, not the demo's.
MARK_TABLE = "b2bcore_demo_book"


def describe(core: B2BCore, account: UUID, asset: UUID, deal: UUID) -> str:
    """The story's state, as of ``AS_OF``, as plain text."""
    a = core.account(account)
    s = core.asset(asset)
    d = core.opportunity(deal)
    compliance = s.payment_compliance
    estimate = d.profitability
    renewal = None if s.renewal_deal_id is None else core.opportunity(s.renewal_deal_id)
    complaint, survey = core.feedback(COMPLAINT), core.feedback(SURVEY)
    lines = [
        f"Account  {a.name}  grade {a.grade.value}  ({a.sector}, {a.region}, "
        f"{a.country})",
        f"Asset    {s.product}  [{s.order_reference}]",
        f"         status {s.status.value}, installed {s.installed_on}, "
        f"usage ends {s.usage_end_on}",
        f"         value {s.value}, paid {len(s.payments)}/{len(s.installments)} "
        f"({'fully paid' if s.fully_paid else 'outstanding ' + str(s.outstanding)})",
        f"         late payments {s.late_payments}, payment compliance "
        + ("n/a" if compliance is None else f"{compliance:.0%}"),
        f"         days left until usage end as of {AS_OF}: {s.days_left(AS_OF)}",
        f"         satisfaction {s.satisfaction[-1].score}/10, "
        f"usage {', '.join(f'{u.period:%Y-%m} {u.distance_km:,} km' for u in s.usage)}",
        f"Deal     {d.name}  {d.outcome.value if d.outcome else 'open'} "
        f"at {d.won_value or d.amount} on {d.closed_on}",
        "         tiers "
        + " → ".join(f"T{stint.tier} {stint.days(AS_OF)}d" for stint in d.stints())
        + f" → T0 {d.outcome.value if d.outcome else ''}",
        f"         new assets from the order: {len(d.asset_ids)}",
    ]
    if estimate is not None:
        lines.append(
            f"         VRB estimate: cost {estimate.cost}, price {estimate.price}, "
            f"margin {estimate.margin:.1%}, ROI {estimate.roi:.1%}"
        )
    if renewal is not None:
        lines.append(
            f"Renewal  {renewal.name}  "
            f"{renewal.outcome.value if renewal.outcome else 'open'} at tier "
            f"{renewal.tier}, {renewal.amount}, expected close "
            f"{renewal.expected_close_on}"
        )
    lines.append(
        f"Voice    complaint on {complaint.category.value} {complaint.recorded_on}"
        f" ({complaint.text}), resolved {complaint.resolved_on}; "
        f"survey {survey.score}/10 on {survey.recorded_on}"
    )
    return "\n".join(lines)


def summarize(core: B2BCore, story: GeneratedStory) -> str:
    """The generated book's counts and shape, as of ``AS_OF``, as plain text."""
    pipeline = core.pipeline_kpis(as_of=AS_OF)
    due = core.renewal_queue(as_of=AS_OF, within=90)
    win_rate = "n/a" if pipeline.win_rate is None else f"{pipeline.win_rate:.0%}"
    return "\n".join(
        [
            f"Book     {story.accounts} accounts, {story.assets} assets, "
            f"{story.deals} deals, {story.leads} leads, "
            f"{story.feedback} surveys, interviews and complaints",
            f"         deals won {pipeline.won}, lost {pipeline.lost}, "
            f"dropped {pipeline.dropped}, open {pipeline.open} "
            f"({len(pipeline.stagnant)} stagnant); win rate {win_rate}",
            f"         renewals due within 90 days: {len(due)} "
            f"({sum(1 for item in due if item.risks)} at risk, "
            f"{sum(1 for item in due if item.deal_id)} with a renewal deal)",
        ]
    )


class NotADemoBookError(ConfigurationError):
    """The demo was pointed at a database holding something else."""


def run(
    url: str,
    *,
    accounts: int = DEFAULT_ACCOUNTS,
    seed: int = DEFAULT_SEED,
    overwrite: bool = False,
    out: Callable[[str], object] = print,
) -> date:
    """Record the generated book in a fresh store at ``url``, print the
    (주)효원 story and the book's summary with ``out``; returns the day they
    are told on.

    A SQLite file or PostgreSQL schema holding a demo book as the demo left
    it is replaced; one holding anything else (another book, or a demo book
    with events added since) is refused with ``NotADemoBookError`` unless
    ``overwrite``. A PostgreSQL URL without ``?schema=`` gets the schema
    ``b2bcore_demo``, never ``public``."""
    url = demo_url(url)
    place = _place(url)
    if place is not None:
        marked = place.marked()
        if marked is None and place.holds_anything() and not overwrite:
            raise _refused(url)
        if marked is not None and not overwrite:
            with B2BCore.open(url, actor=DEMO_ACTOR) as core:
                if core.log_position() != marked:
                    raise _refused(url)
        place.clear()
    with B2BCore.open(url, actor=DEMO_ACTOR, clock=FixedClock(AS_OF)) as core:
        story = generate(core, accounts=accounts, seed=seed, end=AS_OF)
        if place is not None:
            place.mark(core.log_position())
        out(describe(core, *story.hyowon))
        out("")
        out(summarize(core, story))
        out(f"\n{story.events} events recorded in {url}")
    return AS_OF


def demo_url(url: str) -> str:
    """``url``, with the demo's own schema on PostgreSQL unless it names one."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        return url
    query = dict(parse_qsl(parts.query))
    query.setdefault("schema", DEMO_SCHEMA)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _refused(url: str) -> NotADemoBookError:
    return NotADemoBookError(
        f"{url} holds data the demo did not record: the demo replaces only its "
        "own book (choose another --db, or --overwrite to replace it)"
    )


class _Place(Protocol):
    """Where a demo book lives: it can say whether it holds anything and at
    which log position the demo left it, be emptied, and be marked."""

    def holds_anything(self) -> bool: ...
    def marked(self) -> int | None: ...
    def clear(self) -> None: ...
    def mark(self, position: int) -> None: ...


def _place(url: str) -> _Place | None:
    env = environment_for(url)
    if "SQLITE_DBNAME" in env:
        return _SQLiteFile(Path(env["SQLITE_DBNAME"]))
    if "POSTGRES_DBNAME" in env:
        return _PostgresSchema(env)
    return None  # memory://: always fresh


@attrs.frozen
class _SQLiteFile:
    path: Path

    def holds_anything(self) -> bool:
        return self.path.exists()

    def marked(self) -> int | None:
        if not self.path.exists():
            return None
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        try:
            with closing(sqlite3.connect(uri, uri=True)) as db:
                tables = {n for (n,) in db.execute("SELECT name FROM sqlite_master")}
                if MARK_TABLE not in tables:
                    return None
                return int(
                    db.execute(f"SELECT position FROM {MARK_TABLE}").fetchone()[0]
                )
        except sqlite3.DatabaseError:
            return None  # not a database: refused unless told

    def clear(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def mark(self, position: int) -> None:
        with closing(sqlite3.connect(self.path)) as db, db:
            db.execute(f"CREATE TABLE {MARK_TABLE} (position INTEGER NOT NULL)")
            db.execute(f"INSERT INTO {MARK_TABLE} VALUES (?)", (position,))


class _PostgresSchema:
    def __init__(self, env: dict[str, str]) -> None:
        import psycopg  # noqa: PLC0415 (the postgres extra)
        from psycopg.sql import SQL, Identifier  # noqa: PLC0415

        resolve_topic(env[REACH_VARIABLE])(env)
        self._connect = functools.partial(
            psycopg.connect,
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            dbname=env["POSTGRES_DBNAME"],
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"],
            autocommit=True,
        )
        self._schema = env["POSTGRES_SCHEMA"]
        schema, mark = Identifier(self._schema), Identifier(MARK_TABLE)
        self._clear = [
            SQL("DROP SCHEMA IF EXISTS {0} CASCADE").format(schema),
            SQL("CREATE SCHEMA {0}").format(schema),
        ]
        self._select = SQL("SELECT position FROM {0}.{1}").format(schema, mark)
        self._mark = [
            SQL("CREATE TABLE {0}.{1} (position bigint NOT NULL)").format(schema, mark),
            SQL("INSERT INTO {0}.{1} VALUES (%s)").format(schema, mark),
        ]

    def _tables(self) -> set[str]:
        with self._connect() as connection:
            return {
                name
                for (name,) in connection.execute(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = %s",
                    (self._schema,),
                )
            }

    def holds_anything(self) -> bool:
        return bool(self._tables())

    def marked(self) -> int | None:
        if MARK_TABLE not in self._tables():
            return None
        with self._connect() as connection:
            row = connection.execute(self._select).fetchone()
        return None if row is None else int(row[0])

    def clear(self) -> None:
        with self._connect() as connection:
            for statement in self._clear:
                connection.execute(statement)

    def mark(self, position: int) -> None:
        create, insert = self._mark
        with self._connect() as connection:
            connection.execute(create)
            connection.execute(insert, (position,))
