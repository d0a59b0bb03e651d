"""The benchmarks' one table: each row a b2bcore figure, its baseline
measured in the same run, their ratio and the target the ratio is held to."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

COLUMNS = ("what", "b2bcore", "baseline", "unit", "ratio", "target", "met")


@dataclass(frozen=True)
class Target:
    """A bound on a row's ratio (b2bcore ÷ baseline)."""

    bound: Literal[">=", "<="]
    value: float

    def holds(self, ratio: float) -> bool:
        return ratio >= self.value if self.bound == ">=" else ratio <= self.value

    def __str__(self) -> str:
        return f"{'≥' if self.bound == '>=' else '≤'} {self.value:g}"


def at_least(value: float) -> Target:
    return Target(">=", value)


def at_most(value: float) -> Target:
    return Target("<=", value)


@dataclass(frozen=True)
class Row:
    """One measurement: ``b2bcore`` and ``baseline`` in ``unit``; the ratio
    is always b2bcore ÷ baseline, so a rate's target is a lower bound and a
    time's or a size's an upper one."""

    what: str
    b2bcore: float
    baseline: float
    unit: str
    target: Target | None = None

    @property
    def ratio(self) -> float:
        return self.b2bcore / self.baseline if self.baseline else math.inf

    @property
    def met(self) -> bool | None:
        """Whether the target holds; None for a row without a target."""
        return None if self.target is None else self.target.holds(self.ratio)

    def as_json(self) -> dict[str, object]:
        return {
            "what": self.what,
            "b2bcore": self.b2bcore,
            "baseline": self.baseline,
            "unit": self.unit,
            "ratio": self.ratio,
            "target": None if self.target is None else str(self.target),
            "met": self.met,
        }


def figure(value: float) -> str:
    """Three significant digits, thousands separated."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def markdown(rows: Sequence[Row]) -> str:
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "| --- | ---: | ---: | --- | ---: | --- | --- |",
    ]
    for row in rows:
        met = {None: "—", True: "yes", False: "**no**"}[row.met]
        cells = (
            row.what,
            figure(row.b2bcore),
            figure(row.baseline),
            row.unit,
            f"{row.ratio:.2f}" if row.ratio >= 0.1 else f"{row.ratio:.2g}",
            "—" if row.target is None else str(row.target),
            met,
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def as_json(rows: Sequence[Row], **about: object) -> str:
    return json.dumps(
        {**about, "rows": [row.as_json() for row in rows]},
        indent=2,
        ensure_ascii=False,
    )
