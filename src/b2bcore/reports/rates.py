"""Rates and averages that say "no data" (None) instead of dividing by zero."""

from __future__ import annotations

from collections.abc import Iterable


def rate(part: int, whole: int) -> float | None:
    """``part`` ÷ ``whole`` in [0, 1]; None when ``whole`` is 0."""
    return part / whole if whole else None


def mean(values: Iterable[int]) -> float | None:
    """The arithmetic mean of ``values``; None when there are none."""
    items = list(values)
    return sum(items) / len(items) if items else None
