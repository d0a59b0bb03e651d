"""The tables kept beside the event log in its own database (the SQLite
file, the PostgreSQL schema): read rows, chain links, vault keys,
idempotency keys, the delivery log. A store declares its tables and writes
its statements once, in one SQL text for every database: ``{name}`` for a
table, ``{uuid}``, ``{bytes}`` and ``{bigint}`` for the column types that
differ, ``?`` for a parameter, ids as text. The dialect of the log's
backend (``backends.Backend.dialect``: ``sqlite_tables``,
``postgres_tables``) turns the text into the database's own.

A store that keeps no position is a ``SQLStore``: opened with the log's
datastore, it creates its tables itself
(``b2bcore.application.storage.opened_beside``). One that keeps positions
in the library's tracking table, in the transaction that writes its rows,
is ``Tracked`` and extends its backend's tracking recorder, which creates
the store's tables with that table."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
from eventsourcing.persistence import Tracking
from eventsourcing.utils import resolve_topic

from b2bcore_adapters.persistence.backends import BY_MODULE


class Names(dict[str, str]):
    """What a statement's ``{name}`` stands for: a name given (a column
    type) as given, any other a table, as the database names it."""

    def __init__(
        self, qualify: Callable[[str], str], given: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(given or {})
        self._qualify = qualify

    def __missing__(self, name: str) -> str:
        return self._qualify(name)


@attrs.frozen
class Dialect:
    """What one database says differently in the tables beside the log."""

    #: A table's name as the database takes it (with its schema).
    qualify: Callable[[str], str]
    #: The column types that ``{uuid}``, ``{bytes}`` and ``{bigint}`` stand for.
    types: Mapping[str, str]
    #: The driver's parameter marker, for ``?``.
    marker: str
    #: The rows a cursor's last query found, each a sequence of its columns.
    rows: Callable[[Any], list[Any]]
    #: The driver's error for a taken key, as raised by a cursor of a
    #: transaction the store did not open (the event log's).
    integrity: type[Exception]
    #: Run first by a transaction that changes the tables' shape (creates,
    #: drops or empties them), so that two such transactions, from processes
    #: opening one store at once, queue instead of deadlocking.
    reshaping: str = ""

    def statement(self, text: str) -> str:
        """``text`` in the database's own SQL."""
        return text.format_map(Names(self.qualify, self.types)).replace(
            "?", self.marker
        )


def dialect_of(datastore: object) -> Dialect:
    """The dialect of the database an ``eventsourcing`` datastore opens."""
    backend = BY_MODULE[type(datastore).__module__]
    dialect: Dialect = resolve_topic(backend.dialect)(datastore)
    return dialect


class TablesBeside:
    """A store's tables beside the log (``TABLES``: each name and its
    columns; ``INDEXES``) and its statements on them, in the one SQL text."""

    TABLES: ClassVar[Mapping[str, str]]
    INDEXES: ClassVar[Sequence[str]] = ()
    #: The event log's datastore.
    datastore: Any

    @functools.cached_property
    def sql(self) -> Dialect:
        return dialect_of(self.datastore)

    def table_statements(self) -> list[str]:
        """What creates the store's tables and indexes, unless they exist."""
        return [
            self.sql.statement(text)
            for text in (
                *(
                    f"CREATE TABLE IF NOT EXISTS {{{name}}} ({columns})"
                    for name, columns in self.TABLES.items()
                ),
                *self.INDEXES,
            )
        ]

    def reshape_in(self, cursor: Any) -> None:
        """Start changing the tables' shape in the cursor's transaction
        (``Dialect.reshaping``)."""
        if self.sql.reshaping:
            cursor.execute(self.sql.reshaping)

    def fetch(self, text: str, *parameters: object) -> list[Any]:
        """The rows a query finds, in a transaction of its own."""
        with self.datastore.transaction(commit=False) as cursor:
            return self.fetch_in(cursor, text, *parameters)

    def fetch_in(self, cursor: Any, text: str, *parameters: object) -> list[Any]:
        """The rows a statement returns, in the cursor's transaction."""
        self.execute_in(cursor, text, *parameters)
        return self.sql.rows(cursor)

    def execute_in(self, cursor: Any, text: str, *parameters: object) -> None:
        cursor.execute(self.sql.statement(text), parameters)

    def executemany_in(
        self, cursor: Any, text: str, rows: Iterable[Sequence[object]]
    ) -> None:
        cursor.executemany(self.sql.statement(text), rows)

    def write(self, text: str, *parameters: object) -> None:
        """Run one statement in a transaction of its own."""
        with self.writing() as cursor:
            self.execute_in(cursor, text, *parameters)

    @contextlib.contextmanager
    def writing(self) -> Iterator[Any]:
        """A cursor in a transaction that commits if the block ends
        normally."""
        with self.datastore.transaction(commit=True) as cursor:
            yield cursor

    def close(self) -> None:
        """The datastore is the event log's; closing it is the log's job."""


class SQLStore(TablesBeside):
    """A store beside the log that keeps no position."""

    def __init__(self, datastore: Any) -> None:
        self.datastore = datastore

    def create_table(self) -> None:
        with self.writing() as cursor:
            self.reshape_in(cursor)
            for statement in self.table_statements():
                cursor.execute(statement)


class Tracked(TablesBeside):
    """A store beside the log whose positions are rows of the library's
    tracking table, written in the transaction that writes its own rows;
    it extends its backend's tracking recorder (``SQLiteTracked``,
    ``PostgresTracked``)."""

    #: The tracking table's name, as the database takes it.
    positions_table: str

    if TYPE_CHECKING:  # the tracking recorder's

        def _insert_tracking(self, cursor: Any, tracking: Tracking, /) -> None: ...

        def max_tracking_id(self, application_name: str) -> int | None: ...

    def track(self, cursor: Any, name: str, position: int) -> None:
        """Move ``name`` to ``position`` in the cursor's transaction; an
        ``IntegrityError`` unless that is forward."""
        self._insert_tracking(cursor, Tracking(name, position))
