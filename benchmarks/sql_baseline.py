"""The hand-written SQL the report queries are compared with.

The same assets, deals and accounts as the book's read model, flattened into
plain SQLite tables in a file of their own (one row per asset, per deal, per
installment, payment, renewal or upgrade, satisfaction score, usage month,
competitor contact and tier move, with indexes where the queries look
things up), and one query per report answering the same question as of the
same dates from those rows: dates of change are columns, so, like the
reports, the SQL can answer as of any date.

Amounts are REAL: the SQL sums floats where the reports sum exact decimals
(the benchmark compares the counts, which must agree exactly).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from b2bcore.application.settings import Settings
from b2bcore.domain.account import Account
from b2bcore.domain.asset import Asset
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.views import AccountView, AssetView, OpportunityView
from b2bcore.readmodels.projection import Projector
from b2bcore.reports.dashboard import TOP_ASSETS

SCHEMA = """
CREATE TABLE accounts (id TEXT PRIMARY KEY, name TEXT, grade TEXT);
CREATE TABLE assets (
    id TEXT PRIMARY KEY, account_id TEXT, product TEXT, owner TEXT,
    purchased_on TEXT, installed_on TEXT, usage_end_on TEXT,
    obsolete_on TEXT, obsolete_reason TEXT, value REAL, currency TEXT);
CREATE TABLE installments (asset_id TEXT, number INTEGER, due_on TEXT, amount REAL);
CREATE TABLE payments (asset_id TEXT, number INTEGER, paid_on TEXT, late INTEGER);
-- Renewals, then upgrades, each in its order (ord): the order in which
-- the reports undo changes made after a date.
CREATE TABLE value_changes (
    asset_id TEXT, ord INTEGER, kind TEXT, changed_on TEXT,
    previous_usage_end_on TEXT, usage_end_on TEXT,
    previous_value REAL, value REAL);
CREATE TABLE satisfaction (asset_id TEXT, seq INTEGER, recorded_on TEXT, score INTEGER);
CREATE TABLE usage (asset_id TEXT, period TEXT, count INTEGER, recorded_on TEXT);
CREATE TABLE competitor_contacts (asset_id TEXT, reported_on TEXT);
CREATE TABLE deals (
    id TEXT PRIMARY KEY, owner TEXT, opened_on TEXT, closed_on TEXT,
    outcome TEXT, amount REAL, currency TEXT, won_value REAL);
CREATE TABLE tier_moves (deal_id TEXT, seq INTEGER, tier INTEGER, moved_on TEXT);
CREATE INDEX assets_by_usage_end ON assets (usage_end_on);
CREATE INDEX assets_by_account ON assets (account_id);
CREATE INDEX installments_by_asset ON installments (asset_id, number);
CREATE INDEX payments_by_asset ON payments (asset_id, number);
CREATE INDEX value_changes_by_asset ON value_changes (asset_id, changed_on, ord);
CREATE INDEX satisfaction_by_asset ON satisfaction (asset_id, seq);
CREATE INDEX usage_by_asset ON usage (asset_id, period);
CREATE INDEX competitor_contacts_by_asset ON competitor_contacts (asset_id);
CREATE INDEX tier_moves_by_deal ON tier_moves (deal_id, seq);
CREATE TABLE about (log_position INTEGER);
"""


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def flatten(projector: Projector, path: Path, log_position: int) -> None:
    """Write the projected states' rows into a new SQLite file at ``path``."""
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA)
        db.executemany(
            "INSERT INTO accounts VALUES (?, ?, ?)",
            (
                (str(a.id), a.name, a.grade.value)
                for a in map(AccountView.of, projector.states(Account))
            ),
        )
        for asset in map(AssetView.of, projector.states(Asset)):
            _insert_asset(db, asset)
        for deal in map(OpportunityView.of, projector.states(Opportunity)):
            _insert_deal(db, deal)
        db.execute("INSERT INTO about VALUES (?)", [log_position])


def flattened_at(path: Path) -> int | None:
    """The log position the file at ``path`` was flattened from, if any."""
    if not path.exists():
        return None
    with sqlite3.connect(path) as db:
        try:
            (position,) = db.execute("SELECT log_position FROM about").fetchone()
        except sqlite3.Error:
            return None
    return int(position)


def _insert_asset(db: sqlite3.Connection, a: AssetView) -> None:
    key = str(a.id)
    db.execute(
        "INSERT INTO assets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            key,
            str(a.account_id),
            a.product,
            a.owner,
            _day(a.purchased_on),
            _day(a.installed_on),
            _day(a.usage_end_on),
            _day(a.obsolete_on),
            None if a.obsolete_reason is None else a.obsolete_reason.value,
            float(a.value.amount),
            a.value.currency,
        ),
    )
    _many(
        db,
        "installments",
        (
            (key, i.number, _day(i.due_on), float(i.amount.amount))
            for i in a.installments
        ),
    )
    _many(
        db,
        "payments",
        ((key, p.number, _day(p.paid_on), p.late) for p in a.payments),
    )
    changes = [
        (
            "renewal",
            r.renewed_on,
            _day(r.previous_usage_end_on),
            _day(r.usage_end_on),
            r.previous_value,
            r.value,
        )
        for r in a.renewals
    ] + [
        ("upgrade", u.upgraded_on, None, None, u.previous_value, u.value)
        for u in a.upgrades
    ]
    _many(
        db,
        "value_changes",
        (
            (
                key,
                order,
                kind,
                _day(on),
                before,
                after,
                float(old.amount),
                float(new.amount),
            )
            for order, (kind, on, before, after, old, new) in enumerate(changes)
        ),
    )
    _many(
        db,
        "satisfaction",
        (
            (key, seq, _day(s.recorded_on), s.score)
            for seq, s in enumerate(a.satisfaction)
        ),
    )
    _many(
        db,
        "usage",
        ((key, _day(u.period), u.count, _day(u.recorded_on)) for u in a.usage),
    )
    _many(
        db,
        "competitor_contacts",
        ((key, _day(c.reported_on)) for c in a.competitor_contacts),
    )


def _insert_deal(db: sqlite3.Connection, d: OpportunityView) -> None:
    key = str(d.id)
    db.execute(
        "INSERT INTO deals VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            key,
            d.owner,
            _day(d.opened_on),
            _day(d.closed_on),
            None if d.outcome is None else d.outcome.value,
            float(d.amount.amount),
            d.amount.currency,
            None if d.won_value is None else float(d.won_value.amount),
        ),
    )
    _many(
        db,
        "tier_moves",
        (
            (key, seq, move.tier, _day(move.moved_on))
            for seq, move in enumerate(d.tier_history)
        ),
    )


def _many(db: sqlite3.Connection, table: str, rows: Iterable[tuple[Any, ...]]) -> None:
    rows = list(rows)
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


# -- the queries -------------------------------------------------------------

#: The contract value in force on :day: the value before the first change
#: made after it, else the current one (asof.contract_value).
VALUE_ON = """COALESCE((
    SELECT v.previous_value FROM value_changes v
    WHERE v.asset_id = a.id AND v.changed_on > {day}
    ORDER BY v.changed_on, v.ord LIMIT 1), a.value)"""

#: Each active asset on :day (installed, not obsolete) with its usage end,
#: value and risk flags on :day; {soon} picks the assets listed.
RISKS_ON = f"""
WITH due AS (
    SELECT a.id, a.usage_end_on, c.name, c.grade, a.product, a.owner,
           {VALUE_ON.format(day=":day")} AS value, a.currency,
           COALESCE((
               SELECT v.previous_usage_end_on FROM value_changes v
               WHERE v.asset_id = a.id AND v.kind = 'renewal'
                 AND v.changed_on > :day
               ORDER BY v.ord LIMIT 1), a.usage_end_on) AS usage_end
    FROM assets a JOIN accounts c ON c.id = a.account_id
    WHERE a.purchased_on <= :day AND a.installed_on <= :day
      AND (a.obsolete_on IS NULL OR a.obsolete_on > :day)
),
soon AS ({{soon}}),
recent AS (
    SELECT u.asset_id, u.period, u.count,
           ROW_NUMBER() OVER (PARTITION BY u.asset_id ORDER BY u.period DESC) AS back
    FROM usage u JOIN soon w ON w.id = u.asset_id
    WHERE u.recorded_on <= :day
),
drops AS (
    SELECT last.asset_id FROM recent last JOIN recent previous
      ON previous.asset_id = last.asset_id AND last.back = 1 AND previous.back = 2
    WHERE previous.count > 0
      AND previous.period = date(last.period, '-1 month')
      AND (last.count - previous.count) * 100 <= -:drop_percent * previous.count
)
SELECT w.id, w.usage_end,
       CAST(julianday(w.usage_end) - julianday(:day) AS INTEGER) AS days_left,
       w.name, w.grade, w.product, w.owner, w.value, w.currency,
       COALESCE((
           SELECT s.score FROM satisfaction s
           WHERE s.asset_id = w.id AND s.recorded_on <= :day
           ORDER BY s.seq DESC LIMIT 1) < :threshold, 0) AS low_satisfaction,
       w.id IN drops AS usage_drop,
       EXISTS (
           SELECT 1 FROM competitor_contacts k
           WHERE k.asset_id = w.id AND k.reported_on <= :day
             AND k.reported_on > date(:day, :competitor_days)) AS competitor_contact,
       EXISTS (
           SELECT 1 FROM payments p
           WHERE p.asset_id = w.id AND p.late AND p.paid_on <= :day) AS late_payment,
       EXISTS (
           SELECT 1 FROM installments i
           WHERE i.asset_id = w.id AND i.due_on < :day
             AND NOT EXISTS (
                 SELECT 1 FROM payments p
                 WHERE p.asset_id = i.asset_id AND p.number = i.number
                   AND p.paid_on <= :day)) AS overdue_installment
FROM soon w
ORDER BY w.usage_end, w.id
"""
RENEWAL_QUEUE = RISKS_ON.format(
    # Overdue and lapsed assets (usage end passed) stay in the queue.
    soon="SELECT * FROM due WHERE usage_end <= date(:day, :within)"
)
RISKS = (
    "low_satisfaction",
    "usage_drop",
    "competitor_contact",
    "late_payment",
    "overdue_installment",
)


def _risk_parameters(day: date, settings: Settings) -> dict[str, Any]:
    return {
        "day": day.isoformat(),
        "competitor_days": f"-{settings.competitor_risk_days} days",
        "threshold": settings.satisfaction_threshold,
        "drop_percent": float(settings.usage_anomaly * 100),
    }


def renewal_queue(
    db: sqlite3.Connection, day: date, within: int, settings: Settings
) -> list[tuple[str, int, frozenset[str]]]:
    """(asset id, days left, risks) of each asset due within ``within`` days."""
    rows = db.execute(
        RENEWAL_QUEUE,
        {**_risk_parameters(day, settings), "within": f"+{within} days"},
    ).fetchall()
    return [
        (
            row[0],
            row[2],
            frozenset(risk for risk, flag in zip(RISKS, row[9:], strict=True) if flag),
        )
        for row in rows
    ]


#: Each deal opened by :day, in the state it was in on :day.
DEALS_ON = """
WITH opened AS (
    SELECT d.id, d.owner, d.opened_on, d.amount, d.currency, d.won_value,
           CASE WHEN d.closed_on <= :day THEN d.outcome END AS outcome,
           CASE WHEN d.closed_on <= :day THEN d.closed_on END AS closed_on,
           m.tier, m.moved_on AS tier_since
    FROM deals d JOIN tier_moves m ON m.deal_id = d.id AND m.seq = (
        SELECT MAX(l.seq) FROM tier_moves l
        WHERE l.deal_id = d.id AND l.moved_on <= :day)
    WHERE d.opened_on <= :day
)
"""

TIER_MATRIX = (
    DEALS_ON
    + """
SELECT owner,
       CASE WHEN outcome IS NULL THEN CAST(tier AS TEXT) ELSE '0-' || outcome END
           AS col,
       currency, COUNT(*),
       SUM(CASE WHEN outcome = 'won' AND won_value IS NOT NULL
                THEN won_value ELSE amount END)
FROM opened GROUP BY owner, col, currency ORDER BY owner, col
"""
)


def tier_matrix(db: sqlite3.Connection, day: date) -> dict[tuple[str, str], int]:
    """Deals per (owner, column) on ``day`` (the sums come along)."""
    counts: dict[tuple[str, str], int] = {}
    for owner, column, _, count, _ in db.execute(TIER_MATRIX, {"day": day.isoformat()}):
        counts[owner, column] = counts.get((owner, column), 0) + count
    return counts


PIPELINE_STATES = (
    DEALS_ON
    + """
SELECT outcome, tier, currency, COUNT(*), SUM(amount), SUM(won_value),
       SUM(julianday(closed_on) - julianday(opened_on))
FROM opened GROUP BY outcome, tier, currency
"""
)
PIPELINE_STAGNANT = (
    DEALS_ON
    + """
SELECT id FROM opened
WHERE outcome IS NULL AND julianday(:day) - julianday(tier_since) >= :stagnation
ORDER BY id
"""
)
PIPELINE_CONVERSIONS = """
WITH firsts AS (
    SELECT deal_id, tier, MIN(seq) AS seq FROM tier_moves
    WHERE moved_on <= :day AND tier BETWEEN 1 AND 4 GROUP BY deal_id, tier
)
SELECT f.tier, COUNT(*),
       SUM((d.closed_on <= :day AND d.outcome = 'won') OR EXISTS (
           SELECT 1 FROM tier_moves l
           WHERE l.deal_id = f.deal_id AND l.seq > f.seq
             AND l.moved_on <= :day AND l.tier BETWEEN 1 AND f.tier - 1))
FROM firsts f JOIN deals d ON d.id = f.deal_id
GROUP BY f.tier
"""
PIPELINE_STINTS = """
WITH stays AS (
    SELECT tier, moved_on,
           LEAD(moved_on) OVER (PARTITION BY deal_id ORDER BY seq) AS left_on
    FROM tier_moves WHERE moved_on <= :day
)
SELECT tier, COUNT(*), AVG(julianday(left_on) - julianday(moved_on))
FROM stays WHERE tier != 0 AND left_on IS NOT NULL GROUP BY tier
"""


def pipeline_kpis(
    db: sqlite3.Connection, day: date, settings: Settings
) -> dict[str, Any]:
    """The pipeline's counts, values, win rate, cycle, weighted pipeline,
    tier conversions, time in tier and stagnant deals on ``day``."""
    parameters = {"day": day.isoformat(), "stagnation": settings.stagnation_days}
    counts = dict.fromkeys(("open", "won", "lost", "dropped"), 0)
    values: dict[tuple[str, str], float] = {}
    in_currency: dict[tuple[str, str], int] = {}
    open_tiers: dict[int, int] = {}
    weighted: dict[str, float] = {}
    cycle_days, closed = 0.0, 0
    for outcome, tier, currency, count, amount, won, days in db.execute(
        PIPELINE_STATES, parameters
    ):
        state = outcome or "open"
        counts[state] += count
        in_currency[state, currency] = in_currency.get((state, currency), 0) + count
        total = won if outcome == "won" else amount
        values[state, currency] = values.get((state, currency), 0.0) + (total or 0.0)
        if outcome is None:
            open_tiers[tier] = open_tiers.get(tier, 0) + count
            probability = float(settings.tier_probabilities[tier])
            weighted[currency] = weighted.get(currency, 0.0) + amount * probability
        else:
            cycle_days += days
            closed += count
    decided = counts["won"] + counts["lost"]
    win_rate = counts["won"] / decided if decided else None
    mean_cycle = cycle_days / closed if closed else None
    return {
        **counts,
        "values": values,
        "win_rate": win_rate,
        "average_cycle_days": mean_cycle,
        # Open deals × mean won value × win rate ÷ mean cycle, per currency.
        "sales_velocity": {
            currency: in_currency.get(("open", currency), 0)
            * values["won", currency]
            / won
            * win_rate
            / mean_cycle
            for (state, currency), won in in_currency.items()
            if state == "won" and win_rate is not None and mean_cycle
        },
        "open_by_tier": open_tiers,
        "weighted_pipeline": weighted,
        "conversions": {
            tier: (entered, converted)
            for tier, entered, converted in db.execute(PIPELINE_CONVERSIONS, parameters)
        },
        "completed_stints": {
            tier: count for tier, count, _ in db.execute(PIPELINE_STINTS, parameters)
        },
        "stagnant": [deal for (deal,) in db.execute(PIPELINE_STAGNANT, parameters)],
    }


#: The usage end in force on {day}: the one before the first renewal made
#: after it, else the current one (asof.usage_end).
USAGE_END_ON = """COALESCE((
    SELECT v.previous_usage_end_on FROM value_changes v
    WHERE v.asset_id = a.id AND v.kind = 'renewal' AND v.changed_on > {day}
    ORDER BY v.ord LIMIT 1), a.usage_end_on)"""

#: Each asset in the installed base on :start and on :end (active and not
#: lapsed: its usage end in force passed by more than the grace); whether it
#: is lapsed on :end with its lapse begun on or after :start; whether it was
#: made obsolete within the period without having lapsed before it.
BASES = f"""
WITH ends AS (
    SELECT a.*, {USAGE_END_ON.format(day=":start")} AS start_usage_end,
           {USAGE_END_ON.format(day=":end")} AS end_usage_end,
           {USAGE_END_ON.format(day="date(a.obsolete_on, '-1 day')")}
             AS obsolete_usage_end,
           a.installed_on <= :start
             AND (a.obsolete_on IS NULL OR a.obsolete_on > :start) AS start_active,
           a.installed_on <= :end
             AND (a.obsolete_on IS NULL OR a.obsolete_on > :end) AS end_active
    FROM assets a
),
bases AS (
    SELECT *,
           start_active
             AND NOT COALESCE(start_usage_end < date(:start, :grace), 0) AS start_base,
           end_active
             AND NOT COALESCE(end_usage_end < date(:end, :grace), 0) AS end_base,
           COALESCE(end_active AND end_usage_end < date(:end, :grace)
             AND end_usage_end >= date(:start, :lapse_begun), 0) AS lapsed,
           COALESCE(obsolete_on BETWEEN :start AND :end, 0)
             AND NOT COALESCE(installed_on < obsolete_on
               AND obsolete_usage_end < date(:start, :lapse_begun), 0) AS obsolete
    FROM ends
)
"""

ASSET_KPIS = {
    "activity": BASES
    + """
        SELECT SUM(start_base), SUM(end_base), SUM(start_base AND end_base),
               CAST(TOTAL(obsolete) + TOTAL(lapsed) AS INTEGER)
        FROM bases""",
    "churn": BASES
    + """
        SELECT obsolete_reason, COUNT(*) FROM bases
        WHERE obsolete GROUP BY obsolete_reason
        UNION ALL
        SELECT 'lapsed', SUM(lapsed) FROM bases HAVING SUM(lapsed) > 0""",
    "due": """
        WITH ends AS (
            SELECT a.id AS asset_id, a.obsolete_on, COALESCE((
                SELECT v.previous_usage_end_on FROM value_changes v
                WHERE v.asset_id = a.id AND v.kind = 'renewal'
                ORDER BY v.ord LIMIT 1), a.usage_end_on) AS usage_end
            FROM assets a WHERE a.installed_on <= :end
            UNION ALL
            SELECT a.id, a.obsolete_on, v.usage_end_on
            FROM value_changes v JOIN assets a ON a.id = v.asset_id
            WHERE v.kind = 'renewal' AND v.changed_on <= :end
              AND a.installed_on <= :end
        ),
        due AS (
            SELECT asset_id, MAX(usage_end) AS last_end FROM ends
            WHERE usage_end BETWEEN :start AND :end
              AND (obsolete_on IS NULL OR obsolete_on >= usage_end)
            GROUP BY asset_id
        )
        SELECT COUNT(*), COALESCE(SUM(EXISTS (
            SELECT 1 FROM value_changes v
            WHERE v.asset_id = due.asset_id AND v.kind = 'renewal'
              AND v.previous_usage_end_on = due.last_end
              AND v.changed_on <= :end)), 0)
        FROM due""",
    "revenue_retention": BASES
    + f"""
        SELECT currency, SUM(before), SUM(MIN(before, after)), SUM(after) FROM (
            SELECT a.currency, {VALUE_ON.format(day=":start")} AS before,
                   CASE WHEN a.end_base
                        THEN {VALUE_ON.format(day=":end")} ELSE 0 END AS after
            FROM bases a
            WHERE a.start_base)
        GROUP BY currency""",
    "value_changes": """
        SELECT kind, COUNT(*), SUM(value > previous_value),
               AVG(CASE WHEN kind = 'renewal'
                        THEN julianday(changed_on) - julianday(previous_usage_end_on)
                   END)
        FROM value_changes WHERE changed_on BETWEEN :start AND :end GROUP BY kind""",
    "lifetimes": BASES
    + """
        SELECT COUNT(*), AVG(julianday(
                   CASE WHEN gone = held THEN last ELSE :end END) - julianday(first))
        FROM (
            SELECT MIN(installed_on) AS first, COUNT(*) AS held,
                   SUM(obsolete_on <= :end
                       OR (end_active AND end_usage_end < date(:end, :grace)))
                       AS gone,
                   MAX(CASE WHEN obsolete_on <= :end THEN obsolete_on
                            WHEN end_active AND end_usage_end < date(:end, :grace)
                            THEN end_usage_end END) AS last
            FROM bases WHERE installed_on <= :end GROUP BY account_id)""",
    "lifetime_value": """
        SELECT currency, SUM(booked) / COUNT(DISTINCT account_id) FROM (
            SELECT a.account_id, a.currency,
                   COALESCE((
                       SELECT v.previous_value FROM value_changes v
                       WHERE v.asset_id = a.id ORDER BY v.changed_on, v.ord LIMIT 1),
                       a.value)
                   + COALESCE((
                       SELECT SUM(CASE WHEN v.kind = 'renewal' THEN v.value
                                       ELSE v.value - v.previous_value END)
                       FROM value_changes v
                       WHERE v.asset_id = a.id AND v.changed_on <= :end), 0) AS booked
            FROM assets a WHERE a.installed_on <= :end)
        GROUP BY currency""",
    "payments": """
        SELECT COUNT(*), COALESCE(SUM(NOT late), 0) FROM payments
        WHERE paid_on BETWEEN :start AND :end""",
    "receivables": """
        SELECT a.currency, SUM(i.amount),
               SUM(CASE WHEN i.due_on < :end THEN i.amount ELSE 0 END)
        FROM installments i JOIN assets a ON a.id = i.asset_id
        WHERE a.purchased_on <= :end
          AND (a.obsolete_on IS NULL OR a.obsolete_on > :end)
          AND NOT EXISTS (
              SELECT 1 FROM payments p
              WHERE p.asset_id = i.asset_id AND p.number = i.number
                AND p.paid_on <= :end)
        GROUP BY a.currency""",
}


def asset_kpis(
    db: sqlite3.Connection, start: date, end: date, settings: Settings
) -> dict[str, Any]:
    """The installed-base KPIs over ``[start, end]``."""
    grace = settings.lapse_grace_days
    parameters = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "grace": f"-{grace} days",
        "lapse_begun": f"-{grace + 1} days",
    }

    def run(name: str) -> list[tuple[Any, ...]]:
        return db.execute(ASSET_KPIS[name], parameters).fetchall()

    ((start_active, end_active, retained, churned),) = run("activity")
    ((due, renewed),) = run("due")
    changes = {
        kind: (count, upsells, days)
        for kind, count, upsells, days in run("value_changes")
    }
    renewals = changes.get("renewal", (0, 0, None))
    upgrades = changes.get("upgrade", (0, 0, None))
    ((customers, lifetime),) = run("lifetimes")
    ((payments, on_time),) = run("payments")
    return {
        "start_active": start_active or 0,
        "end_active": end_active or 0,
        "retained": retained or 0,
        "churned": churned or 0,
        "churned_by_reason": dict(run("churn")),
        "due": due,
        "renewed": renewed,
        "revenue_retention": {
            currency: (kept / before, after / before)
            for currency, before, kept, after in run("revenue_retention")
        },
        "renewals": renewals[0],
        "time_to_renewal_days": renewals[2],
        "value_changes": renewals[0] + upgrades[0],
        "upsells": renewals[1] + upgrades[1],
        "customers": customers,
        "customer_lifetime_days": lifetime,
        "customer_lifetime_value": dict(run("lifetime_value")),
        "payments": payments,
        "payments_on_time": on_time,
        "receivables": {
            currency: (outstanding, overdue)
            for currency, outstanding, overdue in run("receivables")
        },
    }


#: Every alert dated on or before :day: (kind, subject id, dated on). The
#: renewal windows come as a VALUES list ({windows}).
ALERTS = f"""
WITH active AS (
    SELECT a.id, {USAGE_END_ON.format(day=":day")} AS usage_end
    FROM assets a
    WHERE a.purchased_on <= :day AND a.installed_on <= :day
      AND (a.obsolete_on IS NULL OR a.obsolete_on > :day)
),
windows(days) AS (VALUES {{windows}}),
purchased AS (SELECT id FROM assets WHERE purchased_on <= :day),
alerts AS (
    SELECT 'renewal' AS kind, a.id AS subject,
           date(a.usage_end, '-' || w.days || ' days') AS dated_on
    FROM active a, windows w WHERE a.usage_end IS NOT NULL
    UNION ALL
    SELECT 'overdue', id, date(usage_end, '+1 day') FROM active
    WHERE usage_end < :day
    UNION ALL
    SELECT 'dissatisfaction', s.asset_id, s.recorded_on
    FROM satisfaction s JOIN purchased p ON p.id = s.asset_id
    WHERE s.score < :threshold
    UNION ALL
    SELECT 'usage_anomaly', m.asset_id, MAX(m.recorded_on, b.recorded_on)
    FROM usage m JOIN purchased p ON p.id = m.asset_id
    JOIN usage b ON b.asset_id = m.asset_id AND b.period = date(m.period, '-1 month')
    WHERE b.count > 0 AND ABS(m.count - b.count) * 100 > :anomaly_percent * b.count
    UNION ALL
    SELECT 'competitor_contact', k.asset_id, k.reported_on
    FROM competitor_contacts k JOIN purchased p ON p.id = k.asset_id
)
SELECT kind, subject, dated_on FROM alerts WHERE dated_on <= :day
"""
STAGNATION_ALERTS = (
    DEALS_ON
    + """
SELECT 'stagnation', id, date(tier_since, '+' || :stagnation || ' days')
FROM opened
WHERE outcome IS NULL AND tier != 0
  AND julianday(:day) - julianday(tier_since) >= :stagnation
"""
)


def alerts(
    db: sqlite3.Connection, day: date, settings: Settings
) -> list[tuple[str, str, str]]:
    """(kind, subject id, dated on) of every alert dated by ``day``, sorted."""
    windows = ", ".join(f"({int(days)})" for days in settings.renewal_windows)
    parameters = {
        "day": day.isoformat(),
        "threshold": settings.satisfaction_threshold,
        "anomaly_percent": float(settings.usage_anomaly * 100),
        "stagnation": settings.stagnation_days,
    }
    rows = db.execute(ALERTS.format(windows=windows), parameters).fetchall()
    rows += db.execute(STAGNATION_ALERTS, parameters).fetchall()
    return sorted(rows)


#: The dashboard's assets: each purchased by :day with its status on :day.
DASHBOARD_STATUSES = """
SELECT CASE WHEN obsolete_on <= :day THEN 'obsolete'
            WHEN installed_on <= :day THEN 'installed'
            ELSE 'purchased' END AS status, COUNT(*)
FROM assets WHERE purchased_on <= :day GROUP BY status
"""
#: Every active asset (open-ended ones too) with its usage end, value and
#: risks on :day.
DASHBOARD_ASSETS = RISKS_ON.format(soon="SELECT * FROM due")


def dashboard(db: sqlite3.Connection, day: date, settings: Settings) -> dict[str, Any]:
    """The rep dashboard of everyone's assets on ``day``: counts by status,
    per renewal window, overdue and lapsed; the top assets' ids per
    currency; the at-risk assets' ids, soonest usage end first."""
    parameters = _risk_parameters(day, settings)
    statuses = dict(db.execute(DASHBOARD_STATUSES, parameters).fetchall())
    due = dict.fromkeys(settings.renewal_windows, 0)
    overdue = lapsed = 0
    by_currency: dict[str, list[tuple[float, str]]] = {}
    at_risk: list[tuple[bool, str, str]] = []
    for row in db.execute(DASHBOARD_ASSETS, parameters):
        key, usage_end, days_left, value, currency = (
            row[0],
            row[1],
            row[2],
            row[7],
            row[8],
        )
        if usage_end is not None:
            if days_left < -settings.lapse_grace_days:
                lapsed += 1
            elif days_left < 0:
                overdue += 1
            else:
                window = next((w for w in due if days_left <= w), None)
                if window is not None:
                    due[window] += 1
        by_currency.setdefault(currency, []).append((-value, key))
        if any(row[9:]):
            at_risk.append((usage_end is None, usage_end or day.isoformat(), key))
    return {
        "by_status": {
            s: statuses.get(s, 0) for s in ("purchased", "installed", "obsolete")
        },
        "renewals_due": due,
        "overdue": overdue,
        "lapsed": lapsed,
        "top_assets": {
            currency: [key for _, key in sorted(items)[:TOP_ASSETS]]
            for currency, items in sorted(by_currency.items())
        },
        "at_risk": [key for *_, key in sorted(at_risk)],
    }
