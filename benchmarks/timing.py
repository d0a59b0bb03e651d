"""Timing: seconds per call, b2bcore and its baseline measured in turns so
that a machine slowing down mid-run weighs on both alike."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def per_call(action: Callable[[], object], seconds: float) -> float:
    """Mean seconds per call of ``action``, called until ``seconds`` have
    passed (at least once)."""
    calls = 0
    started = time.perf_counter()
    while True:
        action()
        calls += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return elapsed / calls


def in_turns(
    b2bcore: Callable[[], object],
    baseline: Callable[[], object],
    *,
    seconds: float,
    rounds: int,
) -> tuple[float, float]:
    """Seconds per call of ``b2bcore`` and of ``baseline``: the median of
    ``rounds`` rounds, each timing one then the other, after one untimed
    call of each (caches warm alike)."""
    b2bcore()
    baseline()
    ours, theirs = [], []
    for _ in range(rounds):
        ours.append(per_call(b2bcore, seconds))
        theirs.append(per_call(baseline, seconds))
    return statistics.median(ours), statistics.median(theirs)
