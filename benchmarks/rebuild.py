"""Projection rebuild against merely reading the same events, and the peak
memory of both.

Each phase runs in a fresh process so its peak memory is its own:
``python -m benchmarks.rebuild --phase read|rebuild --db URL`` prints the
phase's events, seconds and peak MiB as JSON. Both open the store with
``Consistency.AVAILABLE``, so opening it never catches up on its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TypedDict

from b2bcore import B2BCore, Consistency
from benchmarks.history import log_of, sqlite_url
from benchmarks.sizes import Size
from benchmarks.table import Row, at_least, at_most

ROOT = Path(__file__).parent.parent
#: Events per page of the baseline's read (the projector's page size).
PAGE = 1000
#: "Flat" memory: ten times the events within this factor of the peak.
FLAT_MEMORY = 1.2


class Phase(TypedDict):
    events: int
    seconds: float
    peak_mib: float


def read_all(url: str) -> int:
    """The baseline: page through the log and deserialise every event."""
    with B2BCore.open(url, consistency=Consistency.AVAILABLE) as core:
        recorder, mapper = core.event_log.recorder, core.event_log.mapper
        position, count = 0, 0
        while page := recorder.select_notifications(
            start=position, limit=PAGE, inclusive_of_start=False
        ):
            for notification in page:
                mapper.to_domain_event(notification)
            count += len(page)
            position = page[-1].id
        return count


def rebuild(url: str) -> int:
    with B2BCore.open(url, consistency=Consistency.AVAILABLE) as core:
        return core.projector.rebuild()


PHASES = {"read": read_all, "rebuild": rebuild}


def peak_mib() -> float:
    """This process's peak resident memory. On Linux, the high-water mark of
    its own address space (VmHWM): ``ru_maxrss`` would also count the parent
    it was forked from, which keeps its maximum across ``exec``."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(url: str, phase: str) -> Phase:
    """Run ``phase`` in a child process: its events, seconds and peak RSS."""
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.rebuild", "--phase", phase, "--db", url],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    phase_run: Phase = json.loads(child.stdout)
    return phase_run


def measure(size: Size, cache: Path, scratch: Path) -> list[Row]:
    """Rebuild rate and memory of ``size.rebuild_events``, and flatness
    against the rebuild of a shorter log (one where the rebuild's state
    cache, ``projection.CACHE_SIZE``, fills up as well)."""
    url = sqlite_url(log_of(cache, size.rebuild_events))
    small = in_child(sqlite_url(log_of(cache, size.small_rebuild_events)), "rebuild")
    reads, builds = [], []
    for _ in range(size.rebuild_rounds):
        reads.append(in_child(url, "read"))
        builds.append(in_child(url, "rebuild"))
    events = builds[0]["events"]
    seconds = statistics.median(phase["seconds"] for phase in builds)
    read_peak = max(phase["peak_mib"] for phase in reads)
    build_peak = max(phase["peak_mib"] for phase in builds)
    return [
        Row(
            f"projection rebuild, {events:,} events in {seconds:.0f} s "
            "(vs reading + deserialising them)",
            _median_rate(builds),
            _median_rate(reads),
            "events/s",
            at_least(0.5),
        ),
        Row(
            "peak memory of that rebuild (vs of the read)",
            build_peak,
            read_peak,
            "MiB",
        ),
        Row(
            f"peak memory, rebuild of {events:,} events (vs of {small['events']:,})",
            build_peak,
            small["peak_mib"],
            "MiB",
            at_most(FLAT_MEMORY),
        ),
    ]


def _median_rate(phases: list[Phase]) -> float:
    return statistics.median(phase["events"] / phase["seconds"] for phase in phases)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phase", choices=PHASES, required=True)
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    events = PHASES[args.phase](args.db)
    seconds = time.perf_counter() - started
    print(json.dumps({"events": events, "seconds": seconds, "peak_mib": peak_mib()}))


if __name__ == "__main__":
    main()
