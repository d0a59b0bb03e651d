"""The report queries on a generated book, against hand-written SQL over the
same rows (``benchmarks.sql_baseline``), and each report as known at a
recorded time against the same report now.

The read models are caught up first (untimed, ``core.catch_up()``); the
store is open with the embedded default, ``Consistency.LOG_HEAD``, so a query
checks that they hold the log head and reads (queries never catch up). What
is timed is the query as a caller makes it: ``core.renewal_queue(...)``,
``core.tier_matrix(...)``, ``core.pipeline_kpis(...)``,
``core.asset_kpis(...)``, ``core.alerts(...)`` and
``core.rep_dashboard(...)`` as of the book's last day, one call of each per
round, in turns with the SQL, after one untimed call of each whose answers
are checked against each other (the same items, counts, risk flags, rates,
alerts and dashboard lists), so both answer the same question from warm
caches.

``known_at``: each of the six reports that read the report tables (renewal
queue, alerts, installed-base KPIs, pipeline KPIs, tier report, rep
dashboard) with ``known_at`` the recorded time of the event 99 % of the way
through the log, against the same call without it, in turns after one
untimed call of each.
"""

from __future__ import annotations

import functools
import math
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from b2bcore import B2BCore
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.reports.alerts import Alert
from b2bcore.reports.asset_kpis import AssetKpis
from b2bcore.reports.dashboard import RepDashboard
from b2bcore.reports.pipeline import PipelineKpis
from b2bcore.reports.renewals import RenewalItem
from b2bcore.reports.tiers import TierMatrix
from benchmarks import sql_baseline
from benchmarks.history import book, log_of, sqlite_url
from benchmarks.sizes import Size
from benchmarks.table import Row, at_most

#: The generator's default window ends on this day: "now" for the book.
LAST_DAY = date(2024, 12, 31)
YEAR = (date(2024, 1, 1), LAST_DAY)
RENEWAL_DAYS = 90
QUERY_TARGET = 3.0
KNOWN_AT_TARGET = 2.0
#: Where in the log the ``known_at`` rows' recorded time is taken.
KNOWN_AT_SHARE = 0.99


@dataclass(frozen=True)
class Query:
    name: str
    b2bcore: Callable[[], Any]
    sql: Callable[[], Any]
    #: The figures both must agree on: (b2bcore's, the SQL's).
    agree: Callable[[Any, Any], tuple[object, object]]


def measure(size: Size, cache: Path, scratch: Path) -> list[Row]:
    if size.query_accounts is None:
        path = log_of(cache, size.rebuild_events)
    else:
        path = book(cache, size.query_accounts)
    flat = path.with_suffix(".sql.db")
    with B2BCore.open(sqlite_url(path)) as core:
        core.catch_up()
        position = core.log_position()
        if sql_baseline.flattened_at(flat) != position:
            sql_baseline.flatten(core.projector, flat, position)
        db = sqlite3.connect(flat)
        try:
            assets, deals = (
                db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("assets", "deals")
            )
            scale = f"{assets:,} assets / {deals:,} deals"
            return [
                *(_compare(query, size, scale) for query in _queries(core, db)),
                *_known_at_rows(core, size, scale),
            ]
        finally:
            db.close()


def recorded_time(core: B2BCore, position: int) -> datetime:
    """When the event at log ``position`` was recorded."""
    (notification,) = core.event_log.recorder.select_notifications(
        start=position, limit=1
    )
    event = core.event_log.mapper.to_domain_event(notification)
    return cast(DomainAggregate.Event, event).timestamp


def _known_at_rows(core: B2BCore, size: Size, scale: str) -> list[Row]:
    position = max(1, int(core.log_position() * KNOWN_AT_SHARE))
    known_at = recorded_time(core, position)
    reports: list[tuple[str, Callable[..., Any]]] = [
        (
            "renewal queue",
            lambda **known: core.renewal_queue(
                as_of=LAST_DAY, within=RENEWAL_DAYS, **known
            ),
        ),
        ("alerts", lambda **known: core.alerts(as_of=LAST_DAY, **known)),
        (
            "installed-base KPIs",
            lambda **known: core.asset_kpis(start=YEAR[0], end=YEAR[1], **known),
        ),
        ("pipeline KPIs", lambda **known: core.pipeline_kpis(as_of=LAST_DAY, **known)),
        ("tier report", lambda **known: core.tier_matrix(as_of=LAST_DAY, **known)),
        ("rep dashboard", lambda **known: core.rep_dashboard(as_of=LAST_DAY, **known)),
    ]
    rows = []
    for name, report in reports:
        known = functools.partial(report, known_at=known_at)
        known()
        report()
        then, now = [], []
        for _ in range(size.query_rounds):
            then.append(_timed(known)[1])
            now.append(_timed(report)[1])
        rows.append(
            Row(
                f"{name} known_at the log's {KNOWN_AT_SHARE:.0%} point "
                f"(position {position:,}), {scale} (vs the same report now)",
                statistics.median(then) * 1000,
                statistics.median(now) * 1000,
                "ms",
                at_most(KNOWN_AT_TARGET),
            )
        )
    return rows


def _compare(query: Query, size: Size, scale: str) -> Row:
    """One untimed call of each, whose answers must agree (it also warms
    both databases' caches: a cold first call measures the disk), then one
    call of each, ``size.query_rounds`` times in turns (the median)."""
    figures, sql_figures = query.agree(query.b2bcore(), query.sql())
    if figures != sql_figures:
        raise RuntimeError(
            f"the hand-written SQL of the {query.name} disagrees with "
            f"b2bcore:\n{_difference(figures, sql_figures)}"
        )
    ours, theirs = [], []
    for _ in range(size.query_rounds):
        ours.append(_timed(query.b2bcore)[1])
        theirs.append(_timed(query.sql)[1])
    return Row(
        f"{query.name}, {scale} (vs hand-written SQL)",
        statistics.median(ours) * 1000,
        statistics.median(theirs) * 1000,
        "ms",
        at_most(QUERY_TARGET),
    )


def _difference(ours: object, theirs: object, shown: int = 10) -> str:
    """Where two answers differ: the items of only one (lists), the keys
    whose values differ (dicts), else both whole."""
    if isinstance(ours, list) and isinstance(theirs, list):
        only_ours = [item for item in ours if item not in theirs]
        only_theirs = [item for item in theirs if item not in ours]
        return (
            f"  only b2bcore ({len(only_ours)}): {only_ours[:shown]}\n"
            f"  only SQL ({len(only_theirs)}):     {only_theirs[:shown]}"
        )
    if isinstance(ours, dict) and isinstance(theirs, dict):
        keys = [k for k in {**ours, **theirs} if ours.get(k) != theirs.get(k)]
        return "\n".join(
            f"  {key}: b2bcore {ours.get(key)!r}, SQL {theirs.get(key)!r}"
            for key in keys[:shown]
        )
    return f"  b2bcore: {ours}\n  SQL:     {theirs}"


def _timed(query: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    answer = query()
    return answer, time.perf_counter() - started


def _queries(core: B2BCore, db: sqlite3.Connection) -> list[Query]:
    settings = core.settings
    return [
        Query(
            "renewal queue",
            lambda: core.renewal_queue(as_of=LAST_DAY, within=RENEWAL_DAYS),
            lambda: sql_baseline.renewal_queue(db, LAST_DAY, RENEWAL_DAYS, settings),
            _renewals_agree,
        ),
        Query(
            "tier report",
            lambda: core.tier_matrix(as_of=LAST_DAY),
            lambda: sql_baseline.tier_matrix(db, LAST_DAY),
            _tiers_agree,
        ),
        Query(
            "pipeline KPIs",
            lambda: core.pipeline_kpis(as_of=LAST_DAY),
            lambda: sql_baseline.pipeline_kpis(db, LAST_DAY, settings),
            _pipelines_agree,
        ),
        Query(
            "installed-base KPIs",
            lambda: core.asset_kpis(start=YEAR[0], end=YEAR[1]),
            lambda: sql_baseline.asset_kpis(db, *YEAR, settings),
            _asset_kpis_agree,
        ),
        Query(
            "alerts",
            lambda: core.alerts(as_of=LAST_DAY),
            lambda: sql_baseline.alerts(db, LAST_DAY, settings),
            _alerts_agree,
        ),
        Query(
            "rep dashboard",
            lambda: core.rep_dashboard(as_of=LAST_DAY),
            lambda: sql_baseline.dashboard(db, LAST_DAY, settings),
            _dashboards_agree,
        ),
    ]


def _alerts_agree(
    found: tuple[Alert, ...], rows: list[tuple[str, str, str]]
) -> tuple[object, object]:
    # The flattened tables hold assets and deals, not the customers' feedback.
    ours = sorted(
        (a.kind.value, str(a.subject_id), a.dated_on.isoformat())
        for a in found
        if a.subject != "feedback"
    )
    return ours, rows


def _dashboards_agree(
    board: RepDashboard, sql: dict[str, Any]
) -> tuple[object, object]:
    ours = {
        "by_status": {s.value: n for s, n in board.by_status.items()},
        "renewals_due": dict(board.renewals_due),
        "overdue": board.overdue,
        "lapsed": board.lapsed,
        "top_assets": {
            currency: [str(item.asset_id) for item in items]
            for currency, items in board.top_assets.items()
        },
        "at_risk": [str(item.asset_id) for item in board.at_risk],
    }
    return ours, sql


def _renewals_agree(
    items: tuple[RenewalItem, ...], rows: list[tuple[str, int, frozenset[str]]]
) -> tuple[object, object]:
    ours = [
        (str(i.asset_id), i.days_left, frozenset(r.value for r in i.risks))
        for i in items
    ]
    return ours, rows


def _tiers_agree(
    matrix: TierMatrix, counts: dict[tuple[str, str], int]
) -> tuple[object, object]:
    ours = {
        (row.key, column): cell.count
        for row in matrix.rows
        for column, cell in zip(matrix.columns, row.cells, strict=True)
        if cell.count
    }
    return ours, counts


def _pipelines_agree(kpis: PipelineKpis, sql: dict[str, Any]) -> tuple[object, object]:
    ours = {
        "open": kpis.open,
        "won": kpis.won,
        "lost": kpis.lost,
        "dropped": kpis.dropped,
        "open_by_tier": {t.tier: t.open for t in kpis.tiers if t.open},
        "conversions": {
            t.tier: (t.entered, t.converted) for t in kpis.tiers if t.entered
        },
        "completed_stints": {
            t.tier: t.completed_stints for t in kpis.tiers if t.completed_stints
        },
        "stagnant": [str(deal) for deal in kpis.stagnant],
        "win_rate": _close(kpis.win_rate),
        "average_cycle_days": _close(kpis.average_cycle_days),
        "sales_velocity": {
            currency: Close(amount)
            for currency, amount in (kpis.sales_velocity or {}).items()
        },
    }
    sql = {**sql, "win_rate": _close(sql["win_rate"])}
    sql["average_cycle_days"] = _close(sql["average_cycle_days"])
    sql["sales_velocity"] = {c: Close(v) for c, v in sql["sales_velocity"].items()}
    return ours, {key: sql[key] for key in ours}


def _asset_kpis_agree(kpis: AssetKpis, sql: dict[str, Any]) -> tuple[object, object]:
    counts = (
        "start_active",
        "end_active",
        "retained",
        "churned",
        "due",
        "renewed",
        "renewals",
        "value_changes",
        "upsells",
        "customers",
        "payments",
        "payments_on_time",
    )
    ours: dict[str, object] = {name: getattr(kpis, name) for name in counts}
    ours["churned_by_reason"] = {
        reason.value: count for reason, count in kpis.churned_by_reason.items() if count
    }
    ours["time_to_renewal_days"] = _close(kpis.time_to_renewal_days)
    ours["customer_lifetime_days"] = _close(kpis.customer_lifetime_days)
    ours["revenue_retention"] = {
        currency: (_close(gross), _close(kpis.net_revenue_retention[currency]))
        for currency, gross in kpis.gross_revenue_retention.items()
    }
    theirs = {key: sql[key] for key in ours}
    theirs["time_to_renewal_days"] = _close(sql["time_to_renewal_days"])
    theirs["customer_lifetime_days"] = _close(sql["customer_lifetime_days"])
    theirs["revenue_retention"] = {
        currency: (_close(gross), _close(net))
        for currency, (gross, net) in sql["revenue_retention"].items()
    }
    return ours, theirs


class Close(float):
    """A figure the SQL computes in floats and b2bcore exactly: equal when
    within a part in a million (sums in another order, rounding)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, float | int) and math.isclose(
            self, other, rel_tol=1e-6
        )

    __hash__ = float.__hash__


def _close(value: float | None) -> Close | None:
    return None if value is None else Close(value)
