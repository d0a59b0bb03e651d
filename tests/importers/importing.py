"""What the import tests share: the real data sets (skipped, or failed under
CI, when ../shared/data is absent), CSV files written for a test, and the
problems of a report as (line, column) pairs."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from pathlib import Path

import pytest

from b2bcore_adapters.importers import ImportReport, RowProblem

DATA = Path(__file__).parents[2].parent / "shared" / "data"


def shared_data(name: str) -> Path:
    """The data set folder ``name`` under ../shared/data."""
    folder = DATA / name
    if not folder.is_dir():
        reason = f"the shared data set {folder} is absent"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true needs it: {reason}")
        pytest.skip(reason)
    return folder


def csv_rows(path: Path) -> list[dict[str, str]]:
    """A CSV file's rows, the plain way."""
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def write(folder: Path, name: str, text: str) -> Path:
    """The non-blank lines of ``text``, stripped, written as UTF-8 to
    ``folder / name``."""
    path = folder / name
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def where(problems: Iterable[RowProblem]) -> set[tuple[int, str]]:
    """The (line, column) of each problem."""
    return {(p.line, p.column) for p in problems}


def rejected_at(report: ImportReport) -> set[tuple[str, int, str]]:
    """(file, line, column) of each rejected problem."""
    return {(p.file, p.line, p.column) for p in report.rejected}
