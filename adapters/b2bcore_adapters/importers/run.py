"""One run of an import: it reads the files, notes every problem, records
the good rows through the commands ``B2BCore.handle`` runs, in batches, and
makes the report.

Every importer works in two steps: first it reads and checks everything,
turning each good row into the commands that record it (an ``Entry``), then
it records the entries, a batch of them in one unit of work (one
transaction), each entry in a scope of its own: a rule an entry breaks
rejects its rows and leaves nothing of it in the batch. Nothing is recorded
when a file could not be read at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TypedDict, TypeVar
from uuid import UUID

import attrs

from b2bcore import (
    AlreadyExistsError,
    B2BCore,
    B2BCoreError,
    ConflictError,
    NotFoundError,
)
from b2bcore.application import commands as c
from b2bcore.application.handlers import named
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.errors import DomainError
from b2bcore_adapters.importers.report import FileSummary, ImportReport, RowProblem
from b2bcore_adapters.importers.rows import CellError, Column, Row, read_table

V = TypeVar("V")

#: Told (rows done, rows in all) as the recording goes.
Progress = Callable[[int, int], None]
#: The commands recording an entry, in order, by the id of the aggregate
#: each makes (or, importing events, changes).
Commands = Mapping[UUID, Sequence[c.Command[Any]]]

#: Rows per batch: one transaction each, so the log goes fast.
BATCH_SIZE = 500

#: The text of a required attribute the source does not give (a sector, a
#: contact): never blank, and the same word in every importer.
UNKNOWN = "unknown"


class By(TypedDict):
    """Who records an importer's commands, and why (their provenance)."""

    actor: str
    reason: str


@attrs.frozen
class Entry:
    """Good rows and the commands recording them, all or none.
    ``commands`` is called in the entry's scope, so it may read the
    aggregates as the batch has them so far."""

    rows: tuple[Row, ...]
    commands: Callable[[], Commands]
    #: The CSV column behind each domain field a rule may refuse.
    columns: Mapping[str, str] = attrs.field(factory=dict)
    #: The column a command's business date (``on``) comes from, by command,
    #: when it is not the one ``columns`` gives.
    dated: Mapping[type[c.Command[Any]], str] = attrs.field(factory=dict)
    #: What an entry changing recorded aggregates read of them.
    read: Read | None = None


class Read(Protocol):
    """What an entry read of the recorded aggregates it changes: its batch
    starts from them as read, so the log refuses the batch when another
    writer recorded more of them since; each entry then reads them again
    and is recorded alone."""

    @property
    def aggregates(self) -> Sequence[DomainAggregate]:
        """The aggregates, as read."""
        ...

    def load(self) -> None:
        """Read them again."""


@attrs.frozen
class Refused:
    """Why an entry's rows are rejected."""

    column: str
    reason: str


#: Running an entry: the ids of the aggregates it made (none: it was
#: already present), or why its rows are rejected.
Outcome = tuple[UUID, ...] | Refused


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
        except REFUSALS as error:
            refused = _refused(error, columns)
        for row in rows:
            self.reject(row, refused.column, refused.reason)
        return None

    def entry(
        self,
        rows: Sequence[Row],
        build: Callable[[], Commands],
        columns: Mapping[str, str],
        dates: Mapping[type[c.Command[Any]], str] | None = None,
    ) -> Entry | None:
        """The entry of ``rows`` recorded by the commands ``build`` makes;
        None (rows rejected) when making them breaks a rule."""
        made = self.attempt(rows, build, columns)
        if made is None:
            return None
        return Entry(tuple(rows), lambda: made, columns, dates or {})

    def _note(self, problem: RowProblem) -> None:
        self._rejected.append(problem)
        self._files.setdefault(problem.file, _Tally()).rejected_lines.add(problem.line)

    # -- recording ------------------------------------------------------------

    @property
    def can_record(self) -> bool:
        """False once a file could not be read: the import records nothing."""
        return not self._unreadable

    def record(self, entries: Sequence[Entry], *, new: bool = True) -> None:
        """Record ``entries`` in batches. ``new`` entries make aggregates:
        one already in the log (an earlier import) or made by an earlier
        entry is not made again, and an entry with nothing left to make is
        already present."""
        if not self.can_record:
            return
        total = sum(len(entry.rows) for entry in entries)
        done = 0
        self._tell(done, total)
        for batch in _batches(entries):
            self._record_batch(batch, new)
            done += sum(len(entry.rows) for entry in batch)
            self._tell(done, total)

    def already_present(self, row: Row) -> None:
        self._files[row.file].already_present += 1

    def _record_batch(self, batch: Sequence[Entry], new: bool) -> None:
        """Run the batch's entries in one unit of work, after one look-up of
        the aggregates ``new`` ones make or name; when the log refuses it
        (another writer got there first), record each entry alone."""
        present = self._present(batch) if new else None
        try:
            with self.core.unit_of_work(existing=present or ()) as unit:
                unit.hold(_read(batch))
                outcomes = [self._run(entry, present) for entry in batch]
        except ConflictError:
            self._record_alone(batch, new)
        else:
            for entry, outcome in zip(batch, outcomes, strict=True):
                self._count(entry, outcome)

    def _record_alone(self, batch: Sequence[Entry], new: bool) -> None:
        """Record each entry of a refused batch in a unit of its own, after
        looking again at what the log holds."""
        present = self._present(batch) if new else None
        for entry in batch:
            outcome = self._record_entry(entry, present)
            if present is not None and isinstance(outcome, tuple):
                present.update(outcome)
            self._count(entry, outcome)

    def _record_entry(self, entry: Entry, present: set[UUID] | None) -> Outcome:
        """Record ``entry`` in a unit of its own. When another writer made
        one of its aggregates since ``present`` was looked up, look again
        and record the rest: each look finds one more, so this ends. An
        aggregate made by another writer that no look finds refuses the
        entry: its rows are reported, never counted as present."""
        while True:
            if entry.read is not None:
                entry.read.load()
            try:
                with self.core.unit_of_work(existing=present or ()) as unit:
                    unit.hold(_read([entry]))
                    outcome = self._run(entry, present)
            except AlreadyExistsError as error:
                if present is None:  # changing recorded aggregates
                    return ()
                found = self._present([entry]) - present
                if not found:
                    return Refused("", str(error))
                present |= found
            except B2BCoreError as error:
                return Refused("", str(error))
            else:
                return outcome

    def _present(self, entries: Sequence[Entry]) -> set[UUID]:
        """Which of the aggregates ``entries`` make or name are recorded."""
        ids = set()
        for entry in entries:
            for made, commands in entry.commands().items():
                ids.add(made)
                ids.update(i for command in commands for _, i in named(command))
        return set(self.core.existing(ids))

    def _run(self, entry: Entry, present: set[UUID] | None) -> Outcome:
        """Run ``entry``'s commands in a scope of the unit of work open;
        with ``present``, leave out those making an aggregate recorded or
        made by an earlier entry."""
        made, columns = [], entry.columns
        try:
            with self.core.unit_of_work() as scope:
                for aggregate_id, commands in entry.commands().items():
                    if present is not None and (
                        aggregate_id in present or scope.find(aggregate_id) is not None
                    ):
                        continue
                    made.append(aggregate_id)
                    for command in commands:
                        if (dated := entry.dated.get(type(command))) is not None:
                            columns = {**entry.columns, "on": dated}
                        self.core.handle(command)
                        columns = entry.columns
        except REFUSALS as error:
            return _refused(error, columns)
        return tuple(made)

    def _count(self, entry: Entry, outcome: Outcome) -> None:
        for row in entry.rows:
            if isinstance(outcome, Refused):
                self.reject(row, outcome.column, outcome.reason)
            elif outcome:
                self._files[row.file].imported += 1
            else:
                self.already_present(row)

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
    """``entries`` cut into batches of about ``BATCH_SIZE`` rows, never
    between entries of one read (what it read starts one batch only)."""
    batch: list[Entry] = []
    size = 0
    for entry in entries:
        if size >= BATCH_SIZE and (
            entry.read is None or entry.read is not batch[-1].read
        ):
            yield batch
            batch, size = [], 0
        batch.append(entry)
        size += len(entry.rows)
    if batch:
        yield batch


def _read(entries: Sequence[Entry]) -> list[DomainAggregate]:
    """The recorded aggregates ``entries`` change, as they read them."""
    read = {
        aggregate.id: aggregate
        for entry in entries
        if entry.read is not None
        for aggregate in entry.read.aggregates
    }
    return list(read.values())


#: What breaks a row's rule: a bad cell, a command refused, an aggregate it
#: names missing, or a value no rule names but the standard library refuses
#: (a date past 9999-12-31, an overflow): always the row's problem, never
#: the whole import's.
REFUSALS = (CellError, DomainError, NotFoundError, ArithmeticError, ValueError)


def _refused(error: Exception, columns: Mapping[str, str]) -> Refused:
    """Why ``error`` rejects a row (``columns`` names the CSV column of each
    domain field)."""
    if isinstance(error, CellError):
        return Refused(error.column, error.reason)
    if isinstance(error, DomainError):
        column = columns.get(error.field, "")
        return Refused(column, error.rule if column else f"{error.field}: {error.rule}")
    if isinstance(error, NotFoundError):
        # An aggregate a command names by its ``<kind>_id`` field.
        return Refused(columns.get(f"{error.kind}_id", ""), str(error))
    return Refused("", f"out of range: {error}")
