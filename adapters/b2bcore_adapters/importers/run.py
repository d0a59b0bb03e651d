"""One run of an import: it reads the files, notes every problem, records the
good rows' aggregates in batches and makes the report.

Every importer works in two steps: first it reads and checks everything,
building each good row's aggregates (an ``Entry``), then it records the
entries. Nothing is recorded when a file could not be read at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import attrs

from b2bcore import AlreadyExistsError, B2BCore, B2BCoreError, ConflictError
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.errors import DomainError
from b2bcore_adapters.importers.report import FileSummary, ImportReport, RowProblem
from b2bcore_adapters.importers.rows import CellError, Column, Row, read_table

V = TypeVar("V")

#: Told (rows done, rows in all) as the recording goes.
Progress = Callable[[int, int], None]
Aggregates = tuple[DomainAggregate, ...]

#: Aggregates per save: one transaction each, so the log goes fast.
BATCH_SIZE = 500

#: The text of a required attribute the source does not give (a sector, a
#: contact): never blank, and the same word in every importer.
UNKNOWN = "unknown"


@attrs.frozen
class Entry:
    """Good rows and the aggregates (with their pending events) they
    describe, saved together. ``rebuild`` makes them again: a failed save
    empties the aggregates' pending events."""

    rows: tuple[Row, ...]
    aggregates: Aggregates
    rebuild: Callable[[], Aggregates]


@attrs.define
class _Tally:
    read: int = 0
    imported: int = 0
    already_present: int = 0
    rejected_lines: set[int] = attrs.field(factory=set)
    reference: bool = False


class ImportRun:
    """The problems, counts and recording of one import of ``source``."""

    def __init__(
        self, core: B2BCore, source: str, progress: Progress | None = None
    ) -> None:
        self.core = core
        self.source = source
        self._progress = progress
        self._files: dict[str, _Tally] = {}
        self._rejected: list[RowProblem] = []
        self._warnings: list[RowProblem] = []
        self._unreadable: list[str] = []
        #: The cells of every rejected row, by file and line.
        self._rejected_cells: dict[tuple[str, int], Mapping[str, str]] = {}

    # -- reading --------------------------------------------------------------

    def read(
        self,
        path: Path,
        columns: Sequence[Column[Any]],
        *,
        key: Column[str] | None = None,
        reference: bool = False,
    ) -> list[Row]:
        """The rows of ``path`` whose every cell parsed; with ``key``, a row
        repeating an earlier row's key is rejected as a duplicate. The rows
        of a ``reference`` file record nothing of their own."""
        table = read_table(path, columns)
        tally = self._files.setdefault(table.file, _Tally())
        tally.read += table.read
        tally.reference = reference
        for problem in table.problems:
            self._note(problem)
        for line, cells in table.bad_cells.items():
            self._rejected_cells[table.file, line] = cells
        if table.unreadable:
            self._unreadable.append(table.file)
        return list(table.rows) if key is None else self._unique(table.rows, key)

    def _unique(self, rows: Sequence[Row], key: Column[str]) -> list[Row]:
        """``rows`` but those repeating an earlier row's key, rejected."""
        first_line: dict[str, int] = {}
        unique = []
        for row in rows:
            seen = first_line.setdefault(row[key], row.line)
            if seen == row.line:
                unique.append(row)
            else:
                self.reject(row, key.name, f"duplicate of line {seen}")
        return unique

    def reject(self, row: Row, column: str, reason: str) -> None:
        self._note(RowProblem(row.file, row.line, column, reason))
        self._rejected_cells[row.file, row.line] = row.cells

    def rejected_keys(self, file: str, column: str) -> dict[str, int]:
        """The ``column`` cell of each rejected row of ``file``, with its line
        (what a lookup says of a name whose row was rejected)."""
        return {
            cells[column].strip(): line
            for (rejected_file, line), cells in self._rejected_cells.items()
            if rejected_file == file and column in cells
        }

    def warn(self, row: Row, column: str, reason: str) -> None:
        self._warnings.append(RowProblem(row.file, row.line, column, reason))

    def attempt(
        self,
        rows: Sequence[Row],
        make: Callable[[], V],
        columns: Mapping[str, str],
    ) -> V | None:
        """``make()``; when it breaks a rule, None and ``rows`` are rejected
        (``columns`` names the CSV column of each domain field)."""
        try:
            return make()
        except CellError as error:
            column, reason = error.column, error.reason
        except DomainError as error:
            column = columns.get(error.field, "")
            reason = error.rule if column else f"{error.field}: {error.rule}"
        except (ArithmeticError, ValueError) as error:
            # A value no rule names but the standard library refuses (a date
            # past 9999-12-31, an overflow): still this row's problem, never
            # the whole import's.
            column, reason = "", f"out of range: {error}"
        for row in rows:
            self.reject(row, column, reason)
        return None

    def entry(
        self,
        rows: Sequence[Row],
        build: Callable[[], Aggregates],
        columns: Mapping[str, str],
    ) -> Entry | None:
        """The entry of ``rows`` built by ``build``; None (rows rejected)
        when it breaks a rule."""
        aggregates = self.attempt(rows, build, columns)
        return None if aggregates is None else Entry(tuple(rows), aggregates, build)

    def _note(self, problem: RowProblem) -> None:
        self._rejected.append(problem)
        self._files.setdefault(problem.file, _Tally()).rejected_lines.add(problem.line)

    # -- recording ------------------------------------------------------------

    @property
    def can_record(self) -> bool:
        """False once a file could not be read: the import records nothing."""
        return not self._unreadable

    def record(self, entries: Sequence[Entry], *, new: bool = True) -> None:
        """Save ``entries`` in batches. ``new`` entries create aggregates: one
        already in the log (an earlier import) is left as it is, and an entry
        whose aggregates are all there counts as already present."""
        if not self.can_record:
            return
        total = sum(len(entry.rows) for entry in entries)
        done = 0
        self._tell(done, total)
        for batch in _batches(entries):
            self._save_batch(batch, new)
            done += sum(len(entry.rows) for entry in batch)
            self._tell(done, total)

    def already_present(self, row: Row) -> None:
        self._files[row.file].already_present += 1

    def _save_batch(self, batch: Sequence[Entry], new: bool) -> None:
        """Save the batch in one transaction, checking nothing first: the
        log refuses it whole if any aggregate is already there (a re-import,
        or another writer), and then each entry is sorted out alone, ``new``
        ones after one look-up of which of the batch's aggregates are
        there."""
        try:
            self.core.save(*(a for entry in batch for a in entry.aggregates))
        except ConflictError:
            present = (
                set(self.core.existing(a.id for e in batch for a in e.aggregates))
                if new
                else None
            )
            for entry in batch:
                self._save_alone(entry, present)
        else:
            for entry in batch:
                self._imported(entry)

    def _save_alone(self, entry: Entry, present: set[UUID] | None) -> None:
        """Save ``entry`` on its own. With ``present`` (a new entry: the ids
        already in the log), only its aggregates not there, and it is
        already present when all are: known without rebuilding it, as a
        rebuild makes the same ids."""
        ids = [a.id for a in entry.aggregates]
        if present is not None and ids and present.issuperset(ids):
            self._already_present(entry)
            return
        aggregates = self.attempt(entry.rows, entry.rebuild, {})
        if aggregates is None:
            return
        if present is not None:
            aggregates = tuple(a for a in aggregates if a.id not in present)
            if not aggregates:
                self._already_present(entry)
                return
        try:
            self.core.save(*aggregates)
        except AlreadyExistsError:
            self._already_present(entry)
        except B2BCoreError as error:
            for row in entry.rows:
                self.reject(row, "", str(error))
        else:
            if present is not None:
                present.update(a.id for a in aggregates)
            self._imported(entry)

    def _already_present(self, entry: Entry) -> None:
        for row in entry.rows:
            self.already_present(row)

    def _imported(self, entry: Entry) -> None:
        for row in entry.rows:
            self._files[row.file].imported += 1

    def _tell(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(done, total)

    # -- the report -----------------------------------------------------------

    def report(self) -> ImportReport:
        return ImportReport(
            source=self.source,
            files=tuple(
                FileSummary(
                    file=file,
                    read=tally.read,
                    imported=tally.imported,
                    already_present=tally.already_present,
                    rejected=len(tally.rejected_lines),
                    reference=tally.reference,
                )
                for file, tally in self._files.items()
            ),
            rejected=tuple(sorted(self._rejected, key=_position)),
            warnings=tuple(sorted(self._warnings, key=_position)),
            unreadable=tuple(self._unreadable),
        )


def _position(problem: RowProblem) -> tuple[str, int]:
    return problem.file, problem.line


def _batches(entries: Sequence[Entry]) -> Iterator[list[Entry]]:
    batch: list[Entry] = []
    size = 0
    for entry in entries:
        batch.append(entry)
        size += len(entry.aggregates)
        if size >= BATCH_SIZE:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch
