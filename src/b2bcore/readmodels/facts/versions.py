"""Row versions by recorded time: when an event changes an aggregate's rows,
the rows it removes stop being known at the event's recorded time and the
rows it adds start being known then. A report "as known at T" reads the
versions whose interval holds T; a report now reads those still known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from hashlib import blake2b

import attrs

from b2bcore.readmodels.facts.rows import Delta, FactRow, Value
from b2bcore.readmodels.facts.tables import STILL_KNOWN, Table

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """A recorded time as microseconds since the epoch (exact)."""
    return (moment - EPOCH) // MICROSECOND


def known_bound(at: datetime | None) -> int:
    """The recorded-time bound of a query: ``at`` in microseconds, or, for
    the rows known now, the last moment before ``STILL_KNOWN``."""
    return STILL_KNOWN - 1 if at is None else micros(at)


def row_hash(row: FactRow) -> int:
    """A row's identity among its aggregate's rows: stable across processes
    (unlike ``hash``), a signed 64-bit integer."""
    digest = blake2b(repr(row).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@attrs.frozen
class Closing:
    """A row version already stored that stops being known ``at``."""

    table: Table
    key: str
    row_hash: int
    at: int


#: A row version as stored: the aggregate's id as text, the row's hash, its
#: recorded-time interval ``known_from``, ``known_until`` (``FACT_COLUMNS``),
#: then the row's own values.
StoredVersion = tuple[Value, ...]


class RowVersions:
    """The writes that record, in one transaction, what events did to the
    report rows (told in log order): the stored versions to close (run
    first: they are never the new ones), and the new versions of each table
    with their final interval (a row opened and closed by these events is
    written once, already closed)."""

    def __init__(self) -> None:
        self.closings: list[Closing] = []
        self.written: dict[Table, list[StoredVersion]] = {}
        #: Where each version opened here and still open sits in its
        #: table's ``written``.
        self._open: dict[tuple[Table, str, FactRow], int] = {}

    def __bool__(self) -> bool:
        return bool(self.closings or self.written)

    def record(self, key: str, delta: Delta, recorded: datetime) -> None:
        """What an event recorded at ``recorded`` did to the rows of the
        aggregate ``key`` (its id as text): the rows it removed stop being
        known then, the rows it added start being known."""
        at = micros(recorded)
        for table, (closed, opened) in delta.items():
            for row in closed:
                index = self._open.pop((table, key, row), None)
                if index is None:
                    self.closings.append(Closing(table, key, row_hash(row), at))
                else:
                    version = self.written[table][index]
                    self.written[table][index] = (*version[:3], at, *version[4:])
            versions = self.written.setdefault(table, [])
            for row in opened:
                self._open[(table, key, row)] = len(versions)
                versions.append((key, row_hash(row), at, STILL_KNOWN, *row))
