"""The benchmark harness runs at a tiny size and reports every row with a
numeric ratio. Timings are never asserted: only that each figure exists."""

from __future__ import annotations

import json
import math
from pathlib import Path

from benchmarks import postgres, run, write_path
from benchmarks.history import book
from benchmarks.sizes import Size
from benchmarks.table import as_json, markdown

TINY = Size(
    name="tiny",
    seconds=0.01,
    rounds=1,
    batch=20,
    histories=(5, 50, 250),
    asset_histories=(5, 20),
    as_of_history=50,
    import_rounds=1,
    latency_samples=3,
    rebuild_events=2_000,
    small_rebuild_events=1_000,
    rebuild_rounds=1,
    query_accounts=None,
    query_rounds=1,
)

#: The start of every row's name, in the table's order (the PostgreSQL
#: rows and the real data sets' import when they can run here).
EXPECTED = (
    "write, the asset command mix with a contact, AVAILABLE",
    "write, the asset command mix with a contact, LOG_HEAD",
    *(
        (
            "bulk import of both real data sets (",
            "bulk import of both real data sets (",
        )
        if write_path.data_sets_problem() is None
        else ()
    ),
    "load an asset of 5 events with a contact, SQLite",
    "load an asset of 20 events with a contact, SQLite",
    *(
        (
            "load an asset of 5 events with a contact, PostgreSQL",
            "load an asset of 20 events with a contact, PostgreSQL",
        )
        if postgres.problem() is None
        else ()
    ),
    "load an account of 5 events, no snapshots",
    "load an account of 50 events, no snapshots",
    "load an account of 250 events, no snapshots",
    "load an account of 5 events, snapshots every 100",
    "load an account of 50 events, snapshots every 100",
    "load an account of 250 events, snapshots every 100",
    "load with snapshots, 250 events (vs 5 events)",
    "account as of a date, 50 events",
    "catch-up latency",
    "projection rebuild",
    "peak memory of that rebuild",
    "peak memory, rebuild of",
    "renewal queue",
    "tier report",
    "pipeline KPIs",
    "installed-base KPIs",
    "alerts,",
    "rep dashboard,",
    "renewal queue known_at",
    "alerts known_at",
    "installed-base KPIs known_at",
    "pipeline KPIs known_at",
    "tier report known_at",
    "rep dashboard known_at",
    "event-loop stall, 200 asyncio tasks",
)


def test_the_harness_reports_every_row_with_its_ratio_target_and_rendering(
    tmp_path: Path,
) -> None:
    """One test, so one process measures (a minute at the tiny size)."""
    (tmp_path / "scratch").mkdir()
    rows = run.run(TINY, tmp_path, tmp_path / "scratch")

    assert len(rows) == len(EXPECTED)
    for row, start in zip(rows, EXPECTED, strict=True):
        assert row.what.startswith(start), (row.what, start)
        assert math.isfinite(row.ratio), row
        assert row.ratio > 0, row
        assert (row.met is None) == (row.target is None), row
    table = markdown(rows).splitlines()
    assert len(table) == len(rows) + 2
    assert all(line.startswith("| ") and line.endswith(" |") for line in table)
    written = json.loads(as_json(rows, size="tiny"))
    assert written["size"] == "tiny"
    assert [r["what"] for r in written["rows"]] == [row.what for row in rows]
    assert all(isinstance(r["ratio"], float) for r in written["rows"])


def test_a_book_is_recorded_once_and_then_reused(tmp_path: Path) -> None:
    recorded = book(tmp_path, 3)
    written = recorded.stat().st_mtime_ns
    assert book(tmp_path, 3) == recorded
    assert recorded.stat().st_mtime_ns == written
    assert [p.name for p in tmp_path.iterdir()] == [recorded.name]
