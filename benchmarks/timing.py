"""Timing: seconds per call, b2bcore and its baseline measured in turns so
that a machine slowing down mid-run weighs on both alike."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence


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


def in_rotation(
    actions: Sequence[Callable[[], object]], *, seconds: float, rounds: int
) -> list[float]:
    """Seconds per call of each of ``actions``: the median of ``rounds``
    rounds, each timing every action in turn, after one untimed call of
    each (caches warm alike)."""
    for action in actions:
        action()
    timings: list[list[float]] = [[] for _ in actions]
    for _ in range(rounds):
        for action, times in zip(actions, timings, strict=True):
            times.append(per_call(action, seconds))
    return [statistics.median(times) for times in timings]


def in_turns(
    b2bcore: Callable[[], object],
    baseline: Callable[[], object],
    *,
    seconds: float,
    rounds: int,
) -> tuple[float, float]:
    """Seconds per call of ``b2bcore`` and of ``baseline`` (``in_rotation``)."""
    ours, theirs = in_rotation((b2bcore, baseline), seconds=seconds, rounds=rounds)
    return ours, theirs
