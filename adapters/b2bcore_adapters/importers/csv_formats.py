"""``import_csv``: b2bcore's own CSV formats, one row per account, asset or
opportunity, or one row per event of a recorded asset or opportunity
(docs/csv-formats.md)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from b2bcore import B2BCore
from b2bcore_adapters.importers.csv_events import event_format, import_events
from b2bcore_adapters.importers.csv_records import record_format
from b2bcore_adapters.importers.report import ImportReport, ImportUsageError
from b2bcore_adapters.importers.run import ImportRun, Progress

RECORD_KINDS = ("accounts", "assets", "opportunities")
EVENT_KINDS = ("asset-events", "opportunity-events")
KINDS = RECORD_KINDS + EVENT_KINDS


def import_csv(
    core: B2BCore, kind: str, path: Path, *, progress: Progress | None = None
) -> ImportReport:
    """Import the ``kind`` CSV file at ``path`` (accounts, assets,
    opportunities, asset-events or opportunity-events). Raises
    ImportUsageError for another kind, ImportFileError when the file is
    missing."""
    if kind not in KINDS:
        raise ImportUsageError(
            f"unknown CSV kind {kind!r}: expected one of {', '.join(KINDS)}"
        )
    run = ImportRun(core, f"csv {kind}", progress)
    path = Path(path)
    if kind in RECORD_KINDS:
        form = record_format(kind, core)
        rows = run.read(path, form.columns, key=form.key)
        entries = (
            run.entry([row], partial(form.build, row), form.fields, form.dates)
            for row in rows
        )
        run.record([entry for entry in entries if entry is not None])
    else:
        events = event_format(kind, core)
        import_events(run, run.read(path, events.columns), events)
    return run.report()
