"""Reading a CSV file into checked rows: the file's encoding and header, each
row's physical line, and every cell parsed by its column's parser.

A parser takes a cell's text and returns its value or raises ``ValueError``
with the reason; every bad cell of a row is noted, so a row with three
mistakes reports three problems. Rules across cells are checked later, when
the row is turned into aggregates, by raising ``CellError``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, TypeVar, cast

import attrs

from b2bcore import DomainError, Money
from b2bcore.domain.aggregate import MAX_LABEL_LENGTH, check_length
from b2bcore.domain.errors import quoted
from b2bcore.domain.money import AMOUNT_TEXT, MINOR_UNITS
from b2bcore_adapters.importers.report import ImportFileError, RowProblem

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
E = TypeVar("E", bound=Enum)

#: Line 1 is the header.
HEADER_LINE = 1


class CellError(Exception):
    """A row broke a rule: ``column`` ("" for the whole row) and why."""

    def __init__(self, column: str, reason: str) -> None:
        self.column = column
        self.reason = reason
        super().__init__(f"{column}: {reason}")


@attrs.frozen
class Column(Generic[T_co]):
    """A column of a CSV format: its header name and how a cell is parsed.
    An optional column may be left out of the header: its cells read as "".
    """

    name: str
    parse: Callable[[str], T_co]
    required: bool = True


@attrs.frozen
class Row:
    """A data row whose every cell parsed: ``row[column]`` is the value."""

    file: str
    line: int
    #: The cells' text as written, by column name.
    cells: Mapping[str, str]
    values: Mapping[str, object]

    def __getitem__(self, column: Column[T]) -> T:
        return cast(T, self.values[column.name])


@attrs.frozen
class Table:
    """A file's rows: ``rows`` are the ones whose every cell parsed;
    ``problems`` are the bad cells, or the one reason the file could not be
    read at all (``unreadable``)."""

    file: str
    read: int
    rows: tuple[Row, ...]
    problems: tuple[RowProblem, ...]
    unreadable: bool = False
    #: The cells of the rows with a bad cell, by line.
    bad_cells: Mapping[int, Mapping[str, str]] = attrs.field(factory=dict)


def read_table(path: Path, columns: Sequence[Column[Any]]) -> Table:
    """The rows of the CSV file at ``path`` parsed by ``columns`` (UTF-8,
    with or without a byte order mark). Raises ImportFileError when there is
    no such file."""
    text = _decoded(path)
    if isinstance(text, RowProblem):
        return Table(path.name, 0, (), (text,), unreadable=True)
    records = _records(text)
    try:
        header_line, header = next(records)
    except StopIteration:
        return _unreadable(path.name, HEADER_LINE, "", "the file is empty")
    except _NotCsvError as error:
        return _unreadable(path.name, error.line, "", error.reason)
    header = [name.strip() for name in header]
    missing = [c.name for c in columns if c.required and c.name not in header]
    # A column read twice: which cell is meant is anybody's guess.
    twice = [c.name for c in columns if header.count(c.name) > 1]
    if missing or twice:
        return Table(
            path.name,
            0,
            (),
            tuple(
                RowProblem(path.name, header_line, name, rule)
                for names, rule in (
                    (missing, "required column is missing"),
                    (twice, "the header names the column more than once"),
                )
                for name in names
            ),
            unreadable=True,
        )
    return _parsed(path.name, header, records, columns)


def _decoded(path: Path) -> str | RowProblem:
    if not path.exists():
        raise ImportFileError(path, "no such file")
    if not path.is_file():
        raise ImportFileError(path, "is not a file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFileError(path, error.strerror or str(error)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return RowProblem(
            path.name,
            line,
            "",
            f"not UTF-8 text (byte 0x{data[error.start]:02x}): save the file as UTF-8",
        )


def _unreadable(file: str, line: int, column: str, reason: str) -> Table:
    return Table(file, 0, (), (RowProblem(file, line, column, reason),), True)


class _NotCsvError(Exception):
    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        self.reason = reason


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank record with the physical line it starts on."""
    # No cell is longer than the text: with the csv module's (process-wide)
    # limit at least that, one huge cell is read and its row judged by its
    # column's rules, instead of the whole file failing as "not CSV".
    if csv.field_size_limit() < len(text):
        csv.field_size_limit(len(text))
    reader = csv.reader(io.StringIO(text, newline=""))
    last_line = 0
    try:
        for record in reader:
            line, last_line = last_line + 1, reader.line_num
            if any(field.strip() for field in record):
                yield line, record
    except csv.Error as error:
        raise _NotCsvError(reader.line_num, f"not CSV: {error}") from None


def _parsed(
    file: str,
    header: list[str],
    records: Iterator[tuple[int, list[str]]],
    columns: Sequence[Column[Any]],
) -> Table:
    rows: list[Row] = []
    problems: list[RowProblem] = []
    bad_cells: dict[int, Mapping[str, str]] = {}
    read = 0
    try:
        for line, record in records:
            read += 1
            row = _row(file, line, header, record, columns)
            if isinstance(row, Row):
                rows.append(row)
            else:
                problems.extend(row)
                bad_cells[line] = dict(zip(header, record, strict=False))
    except _NotCsvError as error:
        return _unreadable(file, error.line, "", error.reason)
    return Table(file, read, tuple(rows), tuple(problems), bad_cells=bad_cells)


def _row(
    file: str,
    line: int,
    header: list[str],
    record: list[str],
    columns: Sequence[Column[Any]],
) -> Row | list[RowProblem]:
    if len(record) != len(header):
        # A quote never closed reads the rest of the file as one cell.
        unclosed = len(record) < len(header) and "\n" in record[-1]
        return [
            RowProblem(
                file,
                line,
                "",
                f"the row has {len(record)} fields, the header {len(header)}"
                + (": a quote in it may never close" if unclosed else ""),
            )
        ]
    cells = dict(zip(header, record, strict=True))
    values: dict[str, object] = {}
    problems = []
    for column in columns:
        try:
            values[column.name] = column.parse(cells.get(column.name, ""))
        except DomainError as error:
            problems.append(RowProblem(file, line, column.name, error.rule))
        except ValueError as error:
            problems.append(RowProblem(file, line, column.name, str(error)))
    if problems:
        return problems
    return Row(file, line, MappingProxyType(cells), MappingProxyType(values))


# -- parsers ------------------------------------------------------------------


def text(cell: str) -> str:
    """A required text, stripped."""
    if not cell.strip():
        raise ValueError("is empty")
    return cell.strip()


def key(cell: str) -> str:
    """A required text naming a row (the source's key), stripped, no longer
    than a name (``MAX_LABEL_LENGTH``)."""
    return check_length("", "key", text(cell), MAX_LABEL_LENGTH)


def free_text(cell: str) -> str:
    """A text that may be blank, stripped."""
    return cell.strip()


def optional(parse: Callable[[str], T]) -> Callable[[str], T | None]:
    """``parse``, or None for a blank cell."""

    def parse_optional(cell: str) -> T | None:
        return parse(cell) if cell.strip() else None

    return parse_optional


def defaulting(parse: Callable[[str], T], default: T) -> Callable[[str], T]:
    """``parse``, or ``default`` for a blank cell."""

    def parse_or_default(cell: str) -> T:
        return parse(cell) if cell.strip() else default

    return parse_or_default


# ASCII digits only: ``\d`` alone also takes other scripts' (``٢٠٢٤``).
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)


def iso_date(cell: str) -> date:
    """A date written YYYY-MM-DD."""
    return _date(cell, _ISO_DATE, (1, 2, 3), "YYYY-MM-DD")


def us_date(cell: str) -> date:
    """A date written M/D/YYYY (US style)."""
    return _date(cell, _US_DATE, (3, 1, 2), "M/D/YYYY")


def _date(
    cell: str, pattern: re.Pattern[str], order: tuple[int, int, int], form: str
) -> date:
    match = pattern.fullmatch(cell.strip())
    try:
        if match is None:
            raise ValueError
        year, month, day = (int(match.group(group)) for group in order)
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{quoted(cell)} is not a date ({form})") from None


def amount(cell: str) -> Decimal:
    """A decimal amount of money written 1234.50, zero or more (never read
    through a float)."""
    written = cell.strip()
    if not AMOUNT_TEXT.fullmatch(written):
        raise ValueError(f"{quoted(written)} is not an amount (like 1234.50)")
    if written.startswith("-"):
        raise ValueError(f"{quoted(written)} is negative")
    return Decimal(written)


def currency(cell: str) -> str:
    """An ISO 4217 code b2bcore accepts."""
    code = cell.strip().upper()
    if code not in MINOR_UNITS:
        raise ValueError(f"{quoted(cell)} is not a supported currency code")
    return code


def whole_number(cell: str) -> int:
    """A whole number, zero or more, in ASCII digits (``isdigit`` alone
    takes ``²`` and other scripts' digits)."""
    written = cell.strip()
    if not (written.isascii() and written.isdigit()):
        raise ValueError(f"{quoted(cell)} is not a whole number")
    return int(written)


_FLAGS = {"true": True, "false": False}


def flag(cell: str) -> bool:
    """True or False (any case)."""
    try:
        return _FLAGS[cell.strip().lower()]
    except KeyError:
        raise ValueError(f"{quoted(cell)} is not True or False") from None


def items(cell: str) -> tuple[str, ...]:
    """A list written "a; b; c" (blank: none)."""
    return tuple(item.strip() for item in cell.split(";") if item.strip())


def one_of(options: Mapping[str, T]) -> Callable[[str], T]:
    """One of ``options``' keys (any case), as its value."""
    by_key = {key.lower(): value for key, value in options.items()}

    def parse_choice(cell: str) -> T:
        try:
            return by_key[cell.strip().lower()]
        except KeyError:
            raise ValueError(
                f"{quoted(cell)} is not one of {', '.join(options)}"
            ) from None

    return parse_choice


def member(kind: type[E], *, leaving_out: Sequence[E] = ()) -> Callable[[str], E]:
    """A member of ``kind`` written as its value ("won", "overseas")."""
    return one_of({m.value: m for m in kind if m not in leaving_out})


@attrs.frozen
class Lookup(Generic[T]):
    """A cell naming a row of another file (a product, an account): its
    value is that row's. A name whose row was rejected says so."""

    what: str
    file: str
    found: Mapping[str, T]
    #: The line of each rejected row, by name.
    rejected: Mapping[str, int] = attrs.field(factory=dict)
    #: Other spellings of a name, mapped to the name (a documented rule).
    aliases: Mapping[str, str] = attrs.field(factory=dict)

    def __call__(self, cell: str) -> T:
        name = self.aliases.get(cell.strip(), cell.strip())
        if name in self.found:
            return self.found[name]
        if name in self.rejected:
            raise ValueError(
                f"{self.what} {quoted(name)} was rejected ({self.file} line "
                f"{self.rejected[name]})"
            )
        raise ValueError(f"unknown {self.what} {quoted(name)}: not in {self.file}")


def money(value: Decimal, currency_code: str, column: str) -> Money:
    """``value`` as Money; an amount finer than the currency's minor unit is
    a problem of ``column``."""
    try:
        return Money(value, currency_code)
    except DomainError as error:
        raise CellError(column, error.rule) from None


def needed(row: Row, column: Column[T | None], event: str) -> T:
    """The value of an optional ``column`` that ``event`` needs."""
    value = row[column]
    if value is None:
        raise CellError(column.name, f"needed for {event}")
    return value
