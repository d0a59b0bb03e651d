"""How SQLite says what the tables beside the log write once
(``sql_tables``): tables named as they are (the log's file is the store),
``?`` parameters, ids as text; and the base of a store there whose positions
are in the library's tracking table."""

from __future__ import annotations

import sqlite3
from typing import Any

from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore, SQLiteTrackingRecorder

from b2bcore_adapters.persistence.sql_tables import Dialect, Tracked


def _rows(cursor: Any) -> list[Any]:
    return list(cursor.fetchall())


DIALECT = Dialect(
    qualify=str,
    types={"uuid": "TEXT", "bytes": "BLOB", "bigint": "INTEGER"},
    marker="?",
    rows=_rows,
    integrity=sqlite3.IntegrityError,
)


def dialect(datastore: SQLiteDatastore) -> Dialect:
    return DIALECT


class SQLiteTracked(Tracked, SQLiteTrackingRecorder):
    positions_table = "tracking"

    def _create_table(self, c: SQLiteCursor) -> None:
        """The tracking table, then the store's, in one transaction."""
        super()._create_table(c)
        for statement in self.table_statements():
            c.execute(statement)
