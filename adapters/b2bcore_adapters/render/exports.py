"""An account's event history for auditors, as JSON lines, CSV or one
self-contained HTML page.

The output depends on the log only: no "generated at" time, columns and keys
in a fixed order, every line ending in ``\\n``. Exporting the same log twice
gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from uuid import UUID

import attrs

from b2bcore.application.event_history import HistoryEntry, asset_lifecycles
from b2bcore_adapters.render.formats import ExportFormat
from b2bcore_adapters.render.html import (
    Html,
    definitions,
    heading,
    page,
    paragraph,
    table,
)

__all__ = ["COLUMNS", "WRITERS", "ExportFormat", "to_csv", "to_html", "to_jsonl"]

#: The columns of the CSV export and the keys of each JSON line, in order.
COLUMNS: tuple[str, ...] = tuple(f.name for f in attrs.fields(HistoryEntry))


Cell = str | int | None


def _cell(value: object) -> Cell:
    """A field as JSON-ready text: ids and dates as text, times always with
    microseconds (so every row has the same shape)."""
    if value is None or isinstance(value, int | str):
        return value
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    return str(value)


def _row(entry: HistoryEntry) -> dict[str, Cell]:
    return {name: _cell(getattr(entry, name)) for name in COLUMNS}


def to_jsonl(entries: Sequence[HistoryEntry]) -> str:
    """One JSON object per line, keys in ``COLUMNS`` order, null for none."""
    return "".join(
        json.dumps(_row(entry), ensure_ascii=False, separators=(",", ":")) + "\n"
        for entry in entries
    )


#: Where a spreadsheet reads a formula (OWASP, "CSV Injection"): a cell
#: starting with = + - @ tab or CR, also right after a separator (, ; tab or a
#: line break), where a spreadsheet splitting on another separator than ours
#: would start a new cell.
_FORMULA_START = re.compile(r"(?:^|(?<=[,;\t\r\n]))(?=[=+\-@\t\r])")


def _spreadsheet_text(cell: str) -> str:
    """``cell`` as a spreadsheet shows it as text: a ``'`` before each place
    a formula could start."""
    return _FORMULA_START.sub("'", cell)


def to_csv(entries: Sequence[HistoryEntry]) -> str:
    """A header of ``COLUMNS`` and one row per event; empty for none.

    Safe to open in a spreadsheet: every text cell is quoted (a line break
    in it, even a lone CR, stays in the cell) and escaped as OWASP's
    CSV-injection guidance says (``_FORMULA_START``); numbers (``position``,
    ``version``) are written bare."""
    text = io.StringIO()
    text.write(",".join(COLUMNS) + "\n")
    writer = csv.writer(text, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    for entry in entries:
        writer.writerow(_csv_cell(cell) for cell in _row(entry).values())
    return text.getvalue()


def _csv_cell(cell: Cell) -> str | int:
    if cell is None:
        return ""
    return _spreadsheet_text(cell) if isinstance(cell, str) else cell


def to_html(
    account_id: UUID,
    account_name: str,
    entries: Sequence[HistoryEntry],
    *,
    chain_status: str,
) -> str:
    """One page: the chain status, each asset's lifecycle and the timeline."""
    lifecycles = asset_lifecycles(entries)
    first, last = (
        (entries[0].position, entries[-1].position) if entries else (None, None)
    )
    parts: list[Html] = [
        definitions(
            [
                ("Account", account_name),
                ("Account id", account_id),
                ("Events", len(entries)),
                ("Log positions", f"{first} – {last}" if entries else "none"),
                ("Chain status", chain_status),
            ]
        ),
        heading("Assets' lifecycle"),
    ]
    if not lifecycles:
        parts.append(paragraph("No assets."))
    for lifecycle in lifecycles:
        parts.append(
            table(
                ["business date", "step", "description", "reason"],
                (
                    (step.effective_on, step.event_type, step.description, step.reason)
                    for step in lifecycle.steps
                ),
                caption=f"Asset {lifecycle.asset_id}: {lifecycle.path}",
            )
        )
    parts += [
        heading("Timeline"),
        paragraph(
            "Every event in log order. Full ids, correlation and causation ids "
            "are in the CSV and JSON-lines exports."
        ),
        table(
            [
                "#",
                "business date",
                "recorded (UTC)",
                "aggregate",
                "v",
                "event",
                "description",
                "actor",
                "reason",
            ],
            (
                (
                    entry.position,
                    entry.effective_on,
                    f"{entry.recorded_at:%Y-%m-%d %H:%M:%S}",
                    f"{entry.kind} {str(entry.aggregate_id)[:8]}",
                    entry.version,
                    entry.event_type,
                    entry.description,
                    entry.actor,
                    entry.reason,
                )
                for entry in entries
            ),
        ),
    ]
    return page(f"Event history of {account_name}", *parts)


#: The writers that need nothing but the entries.
WRITERS: Mapping[ExportFormat, Callable[[Sequence[HistoryEntry]], str]] = {
    ExportFormat.JSONL: to_jsonl,
    ExportFormat.CSV: to_csv,
}
