"""The report tables on a SQL database (SQLite, in memory or in a file, and
PostgreSQL): their DDL from ``b2bcore.readmodels.facts.tables``, the writes that open
and close row versions, and the report queries.

One SQL text serves every database: dates are ISO text, money is integers
of minor units, ids are text, recorded times are integer microseconds; the
queries use ``:name`` parameters (rewritten to ``%(name)s`` for psycopg)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

import attrs

from b2bcore.readmodels.facts.queries import Reading, Rows, TierCellRow
from b2bcore.readmodels.facts.tables import (
    ASSET_DETAILS,
    ASSETS,
    FACT_COLUMNS,
    INSTALLMENTS,
    PAYMENTS,
    SATISFACTION,
    STILL_KNOWN,
    USAGE,
    ColumnType,
    Table,
)
from b2bcore.readmodels.facts.versions import RowVersions
from b2bcore.readmodels.readmodel import Batch
from b2bcore.reports.dimensions import UNASSIGNED, UNKNOWN_ACCOUNT, Dimension
from b2bcore.reports.health import TREND_MONTHS
from b2bcore_adapters.persistence.sql_tables import Names


class Cursor(Protocol):
    def execute(self, statement: Any, parameters: Any = ..., /) -> Any: ...

    def executemany(self, statement: Any, parameters: Any, /) -> Any: ...

    def fetchall(self) -> list[Any]: ...


NAMED = re.compile(r"(?<!:):([a-z_]+)")


class FactSQL:
    """The report tables of one database. ``qualify`` names a table (with
    its schema, on PostgreSQL); ``pyformat`` rewrites ``:name`` parameters
    for drivers that take ``%(name)s``; ``lateral``: the database joins
    LATERAL subqueries (else it has SQLite's rowid)."""

    def __init__(
        self,
        *,
        qualify: Callable[[str], str] = str,
        integer: str = "INTEGER",
        pyformat: bool = False,
        lateral: bool = False,
    ) -> None:
        self.qualify = qualify
        self.integer = integer
        self.pyformat = pyformat
        self.lateral = lateral

    def statement(self, text: str) -> str:
        """``text`` with its ``{table}`` names qualified and its parameters
        in the driver's style."""
        text = text.format_map(Names(self.qualify))
        return NAMED.sub(r"%(\1)s", text) if self.pyformat else text

    def join(self, table: Table, narrowed: Narrowed) -> str:
        """The join of ``table``'s rows, as ``y``, to each asset ``a``: those
        known at :known that ``narrowed`` keeps. An asset's latest rows are a
        LATERAL subquery on PostgreSQL and rows found by rowid on SQLite (a
        window over every row sorts them all: 3–6× slower)."""
        if narrowed.rows:
            return f"JOIN ({narrowed.rows}) y ON y.key = a.key"
        name = f"{{{table.name}}}"
        kept = f"FROM {name} x WHERE {KNOWN.format('x')} AND {narrowed.where}"
        if not narrowed.order:
            return f"JOIN (SELECT x.* {kept}) y ON y.key = a.key"
        latest = (
            f"{kept} AND x.key = a.key ORDER BY {narrowed.order} LIMIT {narrowed.keep}"
        )
        if self.lateral:
            return f"CROSS JOIN LATERAL (SELECT x.* {latest}) y"
        return f"JOIN {name} y ON y.rowid IN (SELECT x.rowid {latest})"

    def create_statements(self, tables: Iterable[Table]) -> list[str]:
        statements = []
        for table in tables:
            name = self.qualify(table.name)
            columns = ", ".join(
                f"{c.name} {self._type(c.type)}{'' if c.nullable else ' NOT NULL'}"
                for c in table.columns
            )
            statements.append(
                f"CREATE TABLE IF NOT EXISTS {name} ("
                f"key TEXT NOT NULL, row_hash {self.integer} NOT NULL, "
                f"known_from {self.integer} NOT NULL, "
                f"known_until {self.integer} NOT NULL, {columns}, "
                "PRIMARY KEY (key, row_hash, known_from))"
            )
            for looked_up in (("known_until", "key"), *table.indexes):
                statements.append(
                    f"CREATE INDEX IF NOT EXISTS {table.name}_by_{'_'.join(looked_up)} "
                    f"ON {name} ({', '.join(looked_up)})"
                )
        return statements

    def write(self, cursor: Cursor, versions: RowVersions | None) -> None:
        """Record ``versions`` within the cursor's transaction."""
        if versions is None:
            return
        closed: dict[Table, list[dict[str, Any]]] = {}
        for closing in versions.closings:
            closed.setdefault(closing.table, []).append(
                {
                    "at": closing.at,
                    "key": closing.key,
                    "row_hash": closing.row_hash,
                    "still": STILL_KNOWN,
                }
            )
        for table, parameters in closed.items():
            cursor.executemany(
                self.statement(
                    f"UPDATE {self.qualify(table.name)} SET known_until = :at "
                    "WHERE key = :key AND row_hash = :row_hash "
                    "AND known_until = :still"
                ),
                parameters,
            )
        marker = "%s" if self.pyformat else "?"
        for table, rows in versions.written.items():
            width = len(FACT_COLUMNS) + len(table.columns)
            cursor.executemany(
                f"INSERT INTO {self.qualify(table.name)} "
                f"({', '.join((*FACT_COLUMNS, *table.column_names))}) "
                f"VALUES ({', '.join([marker] * width)})",
                rows,
            )

    def recreate(self, cursor: Cursor, tables: Sequence[Table]) -> None:
        """Drop ``tables`` and create them as declared now."""
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {self.qualify(table.name)}")
        for statement in self.create_statements(tables):
            cursor.execute(statement)

    def reset(self, cursor: Cursor, tables: Iterable[Table]) -> None:
        for table in tables:
            cursor.execute(f"DELETE FROM {self.qualify(table.name)}")

    def _type(self, kind: ColumnType) -> str:
        return "TEXT" if kind is ColumnType.TEXT else self.integer


#: A part of an ISO date column ``{0}``: year (1, 4), month (6, 2), day (9, 2).
DATE_PART = "CAST(substr({0}, {1}, {2}) AS INTEGER)"
#: Whole calendar months from :day to deal ``d``'s expected close, less one
#: when the close's day of the month is before :day's (``values.horizon``).
MONTHS_TO_CLOSE = (
    f"(({DATE_PART.format('d.expected_close_on', 1, 4)}"
    f" - {DATE_PART.format('CAST(:day AS TEXT)', 1, 4)}) * 12"
    f" + {DATE_PART.format('d.expected_close_on', 6, 2)}"
    f" - {DATE_PART.format('CAST(:day AS TEXT)', 6, 2)}"
    f" - CASE WHEN {DATE_PART.format('d.expected_close_on', 9, 2)}"
    f" < {DATE_PART.format('CAST(:day AS TEXT)', 9, 2)} THEN 1 ELSE 0 END)"
)
#: The row key of each dimension, over deals ``d`` (with the deal's account
#: ``a`` and its owner's sales rep ``r`` joined).
DIMENSION_KEYS = {
    Dimension.OWNER: "d.owner",
    Dimension.REGION: "d.region",
    Dimension.BUSINESS_LINE: "d.business_line",
    Dimension.COUNTRY: "d.country",
    Dimension.PRODUCT: "d.product",
    Dimension.ACCOUNT: f"COALESCE(a.name, '{UNKNOWN_ACCOUNT}')",
    Dimension.MANAGER: f"COALESCE(r.manager, '{UNASSIGNED}')",
    Dimension.HORIZON: f"""CASE WHEN {MONTHS_TO_CLOSE} <= 4 THEN 'short'
        WHEN {MONTHS_TO_CLOSE} <= 12 THEN 'mid' ELSE 'long' END""",
}
#: Row versions known at :known.
KNOWN = "{0}.known_from <= :known AND {0}.known_until > :known"

#: The amount of deal ``d`` in force on :day: the one the first change
#: after :day replaced, else the current one (``b2bcore.reports.asof.amount``).
AMOUNT_ON_DAY = f"""COALESCE((
    SELECT c.previous_amount FROM {{b2bcore_fact_deal_amounts}} c
    WHERE c.key = d.key AND {KNOWN.format("c")} AND c.changed_on > :day
    ORDER BY c.seq LIMIT 1), d.amount)"""
#: The expected close of deal ``d`` on :day, as ``AMOUNT_ON_DAY``.
EXPECTED_CLOSE_ON_DAY = f"""COALESCE((
    SELECT c.previous_expected_close_on
    FROM {{b2bcore_fact_deal_expected_closes}} c
    WHERE c.key = d.key AND {KNOWN.format("c")} AND c.changed_on > :day
    ORDER BY c.seq LIMIT 1), d.expected_close_on)"""
#: The owner of deal ``d`` on :day, as ``AMOUNT_ON_DAY``.
OWNER_ON_DAY = f"""COALESCE((
    SELECT c.previous_owner FROM {{b2bcore_fact_deal_owners}} c
    WHERE c.key = d.key AND {KNOWN.format("c")} AND c.changed_on > :day
    ORDER BY c.seq LIMIT 1), d.owner)"""

TIER_CELLS = f"""
WITH d AS (
    SELECT d.key, d.account_id, {OWNER_ON_DAY} AS owner, d.region,
           d.business_line, d.country, d.product, d.closed_on, d.outcome,
           d.currency, {AMOUNT_ON_DAY} AS amount, d.won_currency, d.won_value,
           {EXPECTED_CLOSE_ON_DAY} AS expected_close_on,
           CASE WHEN d.closed_on <= :day AND d.outcome = 'won'
                     AND d.won_value IS NOT NULL THEN 1 ELSE 0 END AS won_by_then
    FROM {{b2bcore_fact_deals}} d
    WHERE {KNOWN.format("d")} AND d.opened_on <= :day
)
SELECT {{dimension}} AS row_key,
       CASE WHEN t.tier <> 0 THEN CAST(t.tier AS TEXT)
            ELSE '0-' || d.outcome END AS tier_column,
       CASE WHEN d.won_by_then = 1 THEN d.won_currency ELSE d.currency END
           AS value_currency,
       COUNT(*),
       SUM(CASE WHEN d.won_by_then = 1 THEN d.won_value ELSE d.amount END)
FROM d
JOIN {{b2bcore_fact_tier_moves}} t ON t.key = d.key AND {KNOWN.format("t")}
    AND t.seq = (
        SELECT MAX(l.seq) FROM {{b2bcore_fact_tier_moves}} l
        WHERE l.key = d.key AND {KNOWN.format("l")} AND l.moved_on <= :day)
LEFT JOIN {{b2bcore_fact_accounts}} a ON a.key = d.account_id AND {KNOWN.format("a")}
LEFT JOIN {{b2bcore_fact_sales_reps}} r ON r.name = d.owner AND {KNOWN.format("r")}
GROUP BY row_key, tier_column, value_currency
"""


DEAL_ROWS = f"""
SELECT d.key, d.account_id, {OWNER_ON_DAY} AS owner, d.region,
       d.business_line, d.country, d.product, d.opened_on, d.closed_on,
       d.outcome, d.currency, {AMOUNT_ON_DAY} AS amount, d.won_currency,
       d.won_value, d.loss_reason, d.lost_to, d.name,
       {EXPECTED_CLOSE_ON_DAY} AS expected_close_on
FROM {{b2bcore_fact_deals}} d WHERE {KNOWN.format("d")} AND d.opened_on <= :day
"""
LEAD_ROWS = f"""
SELECT key, company, source, temperature, has_contact, has_need, account_id,
       status, captured_on, qualified_on, closed_on, opportunity_id
FROM {{b2bcore_fact_leads}} l WHERE {KNOWN.format("l")} AND l.captured_on <= :day
"""
POSTMORTEM_ROWS = f"""
SELECT key, recorded_on, kind, seq, note
FROM {{b2bcore_fact_postmortem_notes}} p
WHERE {KNOWN.format("p")} AND p.recorded_on <= :day
"""
TIER_MOVE_ROWS = f"""
SELECT t.key, t.seq, t.from_tier, t.tier, t.stage, t.moved_on
FROM {{b2bcore_fact_tier_moves}} t
WHERE {KNOWN.format("t")} AND t.moved_on <= :day
"""
RENEWAL_DEAL_ROWS = f"""
SELECT d.key, d.asset_id, t.tier
FROM {{b2bcore_fact_renewal_deals}} d
JOIN {{b2bcore_fact_tier_moves}} t ON t.key = d.key AND {KNOWN.format("t")}
    AND t.seq = (
        SELECT MAX(l.seq) FROM {{b2bcore_fact_tier_moves}} l
        WHERE l.key = d.key AND {KNOWN.format("l")} AND l.moved_on <= :day)
WHERE {KNOWN.format("d")} AND d.opened_on <= :day
    AND (d.closed_on IS NULL OR d.closed_on > :day)
"""
MANAGER_ROWS = f"""
SELECT name, manager FROM {{b2bcore_fact_sales_reps}} r WHERE {KNOWN.format("r")}
"""
ACKNOWLEDGED_ROWS = f"""
SELECT key FROM {{b2bcore_fact_acknowledgements}} k WHERE {KNOWN.format("k")}
"""
FEEDBACK_ROWS = f"""
SELECT key, account_id, asset_id, kind, channel, category, severity, score,
       recorded_on, resolved_on
FROM {{b2bcore_fact_feedback}} f WHERE {KNOWN.format("f")} AND f.recorded_on <= :day
"""
#: The complaints recorded by :day and not resolved by then (``FEEDBACK_ROWS``'
#: columns).
OPEN_COMPLAINT_ROWS = f"""{FEEDBACK_ROWS}
    AND f.kind = 'complaint' AND (f.resolved_on IS NULL OR f.resolved_on > :day)
"""
FEEDBACK_NEED_ROWS = f"""
SELECT n.key, n.seq, n.need FROM {{b2bcore_fact_feedback_needs}} n
JOIN {{b2bcore_fact_feedback}} f ON f.key = n.key AND {KNOWN.format("f")}
WHERE {KNOWN.format("n")} AND f.recorded_on <= :day
"""
ACCOUNT_ROWS = f"""
SELECT key, name, grade, sector, preferred_channel, registered_on
FROM {{b2bcore_fact_accounts}} a WHERE {KNOWN.format("a")}
"""
ASSET_COLUMNS = (
    "a.key",
    *(f"a.{c}" for c in ASSETS.column_names if c != "earliest_usage_end_on"),
)
#: The usage end in force on :day of asset ``a``: the one a renewal after
#: :day replaced, else the current one (``b2bcore.reports.asof.usage_end``).
USAGE_END_ON_DAY = f"""COALESCE((
    SELECT r.previous_usage_end_on FROM {{{{b2bcore_fact_renewals}}}} r
    WHERE r.key = a.key AND {KNOWN.format("r")} AND r.renewed_on > :day
    ORDER BY r.seq LIMIT 1), a.usage_end_on)"""
#: The assets a report reads: purchased by :day; with :due_by, active on
#: :day with the usage end in force then on or before :due_by (the earliest
#: usage end, indexed, narrows first); with :owner, theirs.
CHOSEN = f"""
{KNOWN.format("a")} AND a.purchased_on <= :day
AND (CAST(:owner AS TEXT) IS NULL OR a.owner = :owner)
AND (CAST(:due_by AS TEXT) IS NULL OR (a.earliest_usage_end_on <= :due_by
     AND a.installed_on <= :day
     AND (a.obsolete_on IS NULL OR a.obsolete_on > :day)
     AND {USAGE_END_ON_DAY} <= :due_by))
"""
ASSET_ROWS = f"""
SELECT {{columns}} FROM {{{{b2bcore_fact_assets}}}} a WHERE {CHOSEN}
"""
ASSET_DETAIL_ROWS = f"""
SELECT y.key, {{columns}}
FROM {{{{b2bcore_fact_assets}}}} a {{join}}
WHERE {CHOSEN}
"""


@attrs.frozen
class Narrowed:
    """Which of a detail table's rows ``x`` a report reads: those meeting
    ``where`` and, given an ``order``, only the first ``keep`` of each asset
    in it (the latest)."""

    where: str
    order: str = ""
    keep: int = 0
    #: A query giving the rows kept, with the table's columns, in place
    #: of ``where``.
    rows: str = ""


#: Installments not paid by :day.
UNPAID = f"""NOT EXISTS (
    SELECT 1 FROM {{b2bcore_fact_payments}} p
    WHERE p.key = x.key AND p.number = x.number
      AND {KNOWN.format("p")} AND p.paid_on <= :day)"""
#: A month's number (year × 12 + month) from a usage row's ISO period.
MONTH = (
    "(CAST(substr({0}.period, 1, 4) AS INTEGER) * 12"
    " + CAST(substr({0}.period, 6, 2) AS INTEGER))"
)
#: The count of ``{1}`` changed against that of ``{0}`` by at least the
#: anomaly share (in millionths, rounded down: the report decides the edge;
#: NUMERIC, so no count overflows PostgreSQL's bigint).
CHANGED = (
    "({0}.count <> 0 AND ABS(CAST({1}.count AS NUMERIC) - {0}.count) * 1000000"
    " >= :anomaly_ppm * CAST({0}.count AS NUMERIC))"
)
#: The usage months of anomaly alerts: each month that changed against the
#: calendar month before it, and that month before.
ANOMALOUS = f"""
WITH u AS (
    SELECT x.*, {MONTH.format("x")} AS m FROM {{b2bcore_fact_usage}} x
    WHERE {KNOWN.format("x")}),
pairs AS (
    SELECT p.key, p.m AS before, n.m AS after FROM u p
    JOIN u n ON n.key = p.key AND n.m = p.m + 1
    WHERE {CHANGED.format("p", "n")}),
months AS (
    SELECT key, before AS m FROM pairs UNION SELECT key, after FROM pairs)
SELECT u.* FROM u JOIN months ON months.key = u.key AND months.m = u.m"""
#: Of each table a reading narrows, the rows it keeps (``Reading`` says
#: which in words).
READINGS: dict[Reading, dict[Table, Narrowed]] = {
    Reading.EVERY_ROW: {},
    Reading.RISKS: {
        INSTALLMENTS: Narrowed(f"x.due_on < :day AND {UNPAID}"),
        PAYMENTS: Narrowed("x.late <> 0 AND x.paid_on <= :day"),
        SATISFACTION: Narrowed("x.recorded_on <= :day", "x.seq DESC", 1),
        USAGE: Narrowed(
            "x.recorded_on <= :day", "x.period DESC, x.seq DESC", 2 * TREND_MONTHS
        ),
    },
    Reading.KPIS: {
        INSTALLMENTS: Narrowed(UNPAID),
        PAYMENTS: Narrowed("x.paid_on >= :since AND x.paid_on <= :day"),
    },
    Reading.ALERTS: {USAGE: Narrowed("", rows=ANOMALOUS)},
}
EVERY_ROW = Narrowed("1 = 1")


def _chosen(
    day: date, known: int, due_by: date | None, owner: str | None
) -> dict[str, Any]:
    return {
        "day": day.isoformat(),
        "known": known,
        "due_by": None if due_by is None else due_by.isoformat(),
        "owner": owner,
    }


class SQLReportQueries:
    """``ReportQueries`` over a store's report tables: the store gives its
    ``facts`` and runs a read-only statement with ``select``."""

    facts: FactSQL

    def select(self, statement: str, parameters: dict[str, Any]) -> list[Any]:
        raise NotImplementedError

    def fact_rows(self, table: Table) -> Rows:
        columns = ", ".join((*FACT_COLUMNS, *table.column_names))
        return self._run(f"SELECT {columns} FROM {{{table.name}}}")

    def deal_rows(self, *, day: date, known: int) -> Rows:
        return self._run(DEAL_ROWS, day=day.isoformat(), known=known)

    def tier_move_rows(self, *, day: date, known: int) -> Rows:
        return self._run(TIER_MOVE_ROWS, day=day.isoformat(), known=known)

    def lead_rows(self, *, day: date, known: int) -> Rows:
        return self._run(LEAD_ROWS, day=day.isoformat(), known=known)

    def postmortem_rows(self, *, day: date, known: int) -> Rows:
        return self._run(POSTMORTEM_ROWS, day=day.isoformat(), known=known)

    def renewal_deal_rows(self, *, day: date, known: int) -> Rows:
        return self._run(RENEWAL_DEAL_ROWS, day=day.isoformat(), known=known)

    def manager_rows(self, *, known: int) -> Rows:
        return self._run(MANAGER_ROWS, known=known)

    def acknowledged_rows(self, *, known: int) -> Rows:
        return self._run(ACKNOWLEDGED_ROWS, known=known)

    def account_rows(self, *, known: int) -> Rows:
        return self._run(ACCOUNT_ROWS, known=known)

    def feedback_rows(self, *, day: date, known: int) -> Rows:
        return self._run(FEEDBACK_ROWS, day=day.isoformat(), known=known)

    def feedback_need_rows(self, *, day: date, known: int) -> Rows:
        return self._run(FEEDBACK_NEED_ROWS, day=day.isoformat(), known=known)

    def open_complaint_rows(self, *, day: date, known: int) -> Rows:
        return self._run(OPEN_COMPLAINT_ROWS, day=day.isoformat(), known=known)

    def asset_rows(
        self, *, day: date, known: int, due_by: date | None, owner: str | None
    ) -> Rows:
        text = ASSET_ROWS.format(columns=", ".join(ASSET_COLUMNS))
        return self._run(text, **_chosen(day, known, due_by, owner))

    def asset_detail_rows(
        self,
        *,
        day: date,
        known: int,
        due_by: date | None,
        owner: str | None,
        tables: Collection[Table] = ASSET_DETAILS,
        reading: Reading = Reading.EVERY_ROW,
        since: date | None = None,
        anomaly: Decimal | None = None,
    ) -> Sequence[Rows]:
        parameters = _chosen(day, known, due_by, owner)
        parameters["since"] = None if since is None else since.isoformat()
        parameters["anomaly_ppm"] = (
            None if anomaly is None else int(anomaly * 1_000_000)
        )
        narrowing = READINGS[reading]
        return [
            self._run(
                ASSET_DETAIL_ROWS.format(
                    columns=", ".join(f"y.{c}" for c in table.column_names),
                    join=self.facts.join(
                        table,
                        narrowing.get(table, EVERY_ROW),
                    ),
                ),
                **parameters,
            )
            if table in tables
            else []
            for table in ASSET_DETAILS
        ]

    def _run(self, text: str, **parameters: Any) -> Rows:
        return self.select(self.facts.statement(text), parameters)

    def tier_cells(
        self, *, day: date, dimension: Dimension, known: int
    ) -> Sequence[TierCellRow]:
        text = TIER_CELLS.replace("{dimension}", DIMENSION_KEYS[dimension])
        rows = self.select(
            self.facts.statement(text), {"day": day.isoformat(), "known": known}
        )
        return [(str(k), str(c), str(cur), int(n), int(v)) for k, c, cur, n, v in rows]


class CursorStore(Protocol):
    """A SQL store's reads and commit through a cursor it is given."""

    def positions_in(self, cursor: Any) -> dict[str, int]: ...

    def rows_in(
        self, cursor: Any, projection: str, keys: Collection[UUID]
    ) -> dict[UUID, bytes]: ...

    def commit_in(self, cursor: Any, batches: Sequence[Batch]) -> None: ...

    def recreate_in(self, cursor: Any, tables: Sequence[Table]) -> None: ...

    def reset_in(
        self, cursor: Any, projection: str, tables: Sequence[Table]
    ) -> None: ...


class InTransaction:
    """The reads and the commit a projector makes, inside a transaction the
    event log's recorder opened (its cursor): a save's read rows commit with
    its events (SQLite and PostgreSQL alike). Also an upgrade's resets, in
    the transaction ``reshaping`` holds."""

    def __init__(self, store: CursorStore, cursor: Any) -> None:
        self._store = store
        self._cursor = cursor

    def positions(self) -> dict[str, int]:
        return self._store.positions_in(self._cursor)

    def rows(self, projection: str, keys: Collection[UUID]) -> dict[UUID, bytes]:
        return self._store.rows_in(self._cursor, projection, keys)

    def position(self, projection: str) -> int:
        return self.positions().get(projection, 0)

    def commit(self, batches: Sequence[Batch]) -> None:
        self._store.commit_in(self._cursor, batches)

    def recreate(self, tables: Sequence[Table]) -> None:
        self._store.recreate_in(self._cursor, tables)

    def reset(self, projection: str, tables: Sequence[Table] = ()) -> None:
        self._store.reset_in(self._cursor, projection, tables)
