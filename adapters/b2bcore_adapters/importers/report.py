"""What an import tells its caller: rows read, imported, already present and
rejected per file, every problem with its file, line and column, and the
exit code (docs/importers.md, "The report")."""

from __future__ import annotations

from pathlib import Path

import attrs

from b2bcore import B2BCoreError

#: Nothing was rejected.
EXIT_OK = 0
#: Some rows (or a whole file) were rejected; the good rows were imported.
EXIT_REJECTED = 3


class ImportUsageError(B2BCoreError, ValueError):
    """The import cannot start: it was asked for something that is not there
    (the command line's usage error, exit code 2)."""


class ImportFileError(ImportUsageError):
    """A file (or folder) to import is missing or cannot be opened."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@attrs.frozen
class RowProblem:
    """Why a row was rejected or warned about. ``line`` is the physical line
    in the file (the header is line 1); ``column`` is "" when the problem is
    the whole row or file."""

    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        column = f" {self.column}:" if self.column else ""
        return f"{self.file}:{self.line}:{column} {self.reason}"


@attrs.frozen
class WarningKind:
    """Warnings that say the same thing of the same column of one file:
    how many there are, and the first."""

    count: int
    first: RowProblem

    def __str__(self) -> str:
        more = self.count - 1
        return f"{self.first} (and {more:,} more like it)" if more else str(self.first)


@attrs.frozen
class FileSummary:
    """The rows of one file: each data row is imported, already present (a
    re-import found what it describes) or rejected. A reference file (the
    Maven price list) records nothing of its own, so its good rows are in
    none of the three."""

    file: str
    read: int
    imported: int
    already_present: int
    rejected: int
    #: A reference file (a price list): read and checked, recorded through
    #: the rows that use it.
    reference: bool = False

    def __str__(self) -> str:
        if self.reference:
            return (
                f"{self.file}: {self.read:,} read (reference data, nothing of its "
                f"own recorded), {self.rejected:,} rejected"
            )
        return (
            f"{self.file}: {self.read:,} read, {self.imported:,} imported, "
            f"{self.already_present:,} already present, {self.rejected:,} rejected"
        )


@attrs.frozen
class ImportReport:
    """The outcome of one import of ``source``."""

    source: str
    files: tuple[FileSummary, ...]
    rejected: tuple[RowProblem, ...]
    warnings: tuple[RowProblem, ...]
    #: Files that could not be read at all (empty, not UTF-8, a required
    #: column missing): when there is one, the import recorded nothing.
    unreadable: tuple[str, ...] = ()

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def imported(self) -> int:
        return sum(f.imported for f in self.files)

    @property
    def already_present(self) -> int:
        return sum(f.already_present for f in self.files)

    @property
    def rejected_rows(self) -> int:
        """Rows with at least one problem (a file that could not be read
        counts as one)."""
        return sum(f.rejected for f in self.files)

    @property
    def exit_code(self) -> int:
        """0 when nothing was rejected, 3 when something was."""
        return EXIT_REJECTED if self.rejected else EXIT_OK

    def warning_kinds(self) -> tuple[WarningKind, ...]:
        """The warnings by kind (the same file, column and reason), in the
        order each kind first occurs."""
        kinds: dict[tuple[str, str, str], list[RowProblem]] = {}
        for problem in self.warnings:
            kind = (problem.file, problem.column, problem.reason)
            kinds.setdefault(kind, []).append(problem)
        return tuple(WarningKind(len(found), found[0]) for found in kinds.values())

    def summary(self) -> str:
        """A few lines for people: the totals, then one line per file."""
        lines = [
            f"{self.source}: {self.read:,} rows read, {self.imported:,} imported, "
            f"{self.already_present:,} already present, "
            f"{self.rejected_rows:,} rejected, {len(self.warnings):,} warnings"
        ]
        if len(self.files) > 1:
            lines.extend(f"  {file}" for file in self.files)
        if self.unreadable:
            lines.append(
                f"nothing was recorded: {', '.join(self.unreadable)} could not be read"
            )
        return "\n".join(lines)
