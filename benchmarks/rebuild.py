"""Projection rebuild throughput against merely reading the same events.

Each measurement runs in a fresh process so its peak memory (ru_maxrss) is
its own. Usage: python -m benchmarks.rebuild --events 1000000 [--db PATH]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from b2bcore import B2BCore
from benchmarks.history import record


def read_all(url: str) -> int:
    """The baseline: page through the log and deserialise every event."""
    with B2BCore.open(url) as core:
        recorder, mapper = core.event_log.recorder, core.event_log.mapper
        position, count = 0, 0
        while page := recorder.select_notifications(
            start=position, limit=1000, inclusive_of_start=False
        ):
            for notification in page:
                mapper.to_domain_event(notification)
            count += len(page)
            position = page[-1].id
        return count


def rebuild(url: str) -> int:
    with B2BCore.open(url) as core:
        return core.projector.rebuild()


PHASES = {"read": read_all, "rebuild": rebuild}


def measure(url: str, phase: str) -> dict[str, float]:
    """Run ``phase`` in a child process: its events, seconds and peak RSS."""
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.rebuild", "--phase", phase, "--db", url],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(child.stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--db", default="benchmarks/rebuild.db")
    parser.add_argument("--phase", choices=PHASES)
    args = parser.parse_args()
    url = args.db if "://" in args.db else f"sqlite:///{args.db}"
    if args.phase:
        started = time.perf_counter()
        events = PHASES[args.phase](url)
        seconds = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"events": events, "seconds": seconds, "peak_mib": peak_mib}))
        return
    path = Path(args.db)
    if "://" not in args.db and path.exists():
        with B2BCore.open(url) as core:
            existing = core.log_position()
        if existing < args.events:
            path.unlink()
    with B2BCore.open(url) as core:
        if core.log_position():
            print(f"log: {core.log_position():,} events (kept from an earlier run)")
        else:
            started = time.perf_counter()
            total = record(core, args.events)
            seconds = time.perf_counter() - started
            print(f"log: {total:,} events ({seconds:.1f} s to record)")
    results = {phase: measure(url, phase) for phase in PHASES}
    read, built = results["read"], results["rebuild"]
    read_rate = read["events"] / read["seconds"]
    build_rate = built["events"] / built["seconds"]
    speed, memory = build_rate / read_rate, built["peak_mib"] / read["peak_mib"]
    print("| what | events/s | peak RSS MiB |")
    print("| --- | ---: | ---: |")
    print(
        f"| read + deserialise (baseline) | {read_rate:,.0f} | {read['peak_mib']:.0f} |"
    )
    print(f"| rebuild all projections | {build_rate:,.0f} | {built['peak_mib']:.0f} |")
    print(f"| ratio rebuild / baseline | {speed:.2f} | {memory:.2f} |")


if __name__ == "__main__":
    main()
