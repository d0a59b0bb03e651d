"""How PostgreSQL says what the tables beside the log write once
(``sql_tables``): tables in the log's schema, ``%s`` parameters, ``uuid``,
``bytea`` and ``bigint`` columns; and the base of a store there whose
positions are in the library's tracking table. A module of its own: psycopg
is the ``postgres`` extra."""

from __future__ import annotations

from typing import Any

import psycopg
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg.rows import DictRow

from b2bcore_adapters.persistence.sql_tables import Dialect, Tracked

TYPES = {"uuid": "uuid", "bytes": "bytea", "bigint": "bigint"}


def _rows(cursor: Any) -> list[Any]:
    return [tuple(row.values()) for row in cursor.fetchall()]


def dialect(datastore: PostgresDatastore) -> Dialect:
    schema = '"' + datastore.schema.replace('"', '""') + '"'
    return Dialect(
        qualify=lambda name: f"{schema}.{name}",
        types=TYPES,
        marker="%s",
        rows=_rows,
        integrity=psycopg.IntegrityError,
        # One lock for every schema of the database: reshaping is rare.
        reshaping="SELECT pg_advisory_xact_lock(7337733700)",
    )


class PostgresTracked(Tracked, PostgresTrackingRecorder):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.positions_table = self.sql.qualify(self.tracking_table_name)

    def _create_table(self, curs: psycopg.Cursor[DictRow]) -> None:
        """The tracking table, then the store's, in one transaction."""
        self.reshape_in(curs)
        super()._create_table(curs)
        for statement in self.table_statements():
            curs.execute(statement.encode())
