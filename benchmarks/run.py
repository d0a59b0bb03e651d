"""Run every benchmark at one size and report one table.

    python -m benchmarks.run --size quick   # about a minute (make bench-quick)
    python -m benchmarks.run --size full    # minutes; the first run records
                                            # the books (make bench)

Prints the table (Markdown) and writes it to ``benchmarks/results/`` as
``latest-<size>.md`` and ``latest-<size>.json``. Every figure is a ratio to a
baseline measured in the same run (docs/performance.md says what each row
compares); no timing is asserted anywhere. The machine's load average (one
minute) is noted before and after each benchmark: other processes on the
same cores slow b2bcore and its baseline alike only on average.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from benchmarks import catch_up, event_loop, loading, queries, rebuild, write_path
from benchmarks.sizes import SIZES, Size
from benchmarks.table import Row, as_json, markdown

HERE = Path(__file__).parent
Benchmark = Callable[[Size, Path, Path], list[Row]]
BENCHMARKS: Sequence[tuple[str, Benchmark]] = (
    ("write path", write_path.measure),
    ("aggregate loading and as-of", loading.measure),
    ("catch-up latency", catch_up.measure),
    ("projection rebuild and memory", rebuild.measure),
    ("report queries", queries.measure),
    ("asyncio event loop", event_loop.measure),
)


def run(
    size: Size, cache: Path, scratch: Path, loads: dict[str, str] | None = None
) -> list[Row]:
    """Every benchmark's rows; books are kept in ``cache``, everything else
    is written to ``scratch``. ``loads`` gets each benchmark's load average
    before and after it ("1.93 → 2.10")."""
    rows: list[Row] = []
    for name, benchmark in BENCHMARKS:
        started, before = time.perf_counter(), load_average()
        print(f"{name}… (load average {before:.2f})", file=sys.stderr, flush=True)
        rows += benchmark(size, cache, scratch)
        after = load_average()
        if loads is not None:
            loads[name] = f"{before:.2f} → {after:.2f}"
        print(
            f"{name}: {time.perf_counter() - started:.0f} s (load average {after:.2f})",
            file=sys.stderr,
            flush=True,
        )
    return rows


def load_average() -> float:
    """The machine's load average over the last minute (0 where unknown)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "eventsourcing": version("eventsourcing"),
        "sqlite": sqlite3.sqlite_version,
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=SIZES, default="quick")
    parser.add_argument("--cache", type=Path, default=HERE)
    parser.add_argument("--results", type=Path, default=HERE / "results")
    args = parser.parse_args()
    size = SIZES[args.size]
    started = time.perf_counter()
    loads: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="b2bcore-bench-") as scratch:
        rows = run(size, args.cache, Path(scratch), loads)
    seconds = time.perf_counter() - started
    finished = datetime.now(UTC).isoformat(timespec="seconds")
    about: dict[str, object] = {
        "size": size.name,
        "finished": finished,
        "seconds": round(seconds),
    }
    about.update(machine())
    about["load averages"] = loads
    table = markdown(rows)
    heading = ", ".join(
        f"{key} {value}" for key, value in about.items() if key != "load averages"
    )
    heading += "; load averages: " + ", ".join(
        f"{name} {load}" for name, load in loads.items()
    )
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"latest-{size.name}.md").write_text(
        f"<!-- {heading} -->\n{table}", encoding="utf-8"
    )
    (args.results / f"latest-{size.name}.json").write_text(
        as_json(rows, **about) + "\n", encoding="utf-8"
    )
    print(table)
    print("load averages (1 min, before → after):")
    for name, load in loads.items():
        print(f"  {name}: {load}")
    missed = [row.what for row in rows if row.met is False]
    print(
        f"{size.name} size in {seconds:.0f} s; {len(missed)} of "
        f"{sum(row.met is not None for row in rows)} targets missed "
        f"(docs/performance.md says why); results in {args.results}/"
    )


if __name__ == "__main__":
    main()
