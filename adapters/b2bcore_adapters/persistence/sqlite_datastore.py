"""The ``eventsourcing`` persistence module of a log on SQLite
(``PERSISTENCE_MODULE``): the library's, except that closing never closes a
connection under the thread using it.

The library's pool closes every connection on ``close()``, the ones in use
too: ``sqlite3`` then frees what another thread is stepping through, and
the process dies of a segmentation fault. Here closing refuses new
connections (``StoreClosedError``) and closes the idle ones; a connection in
use closes when its thread gives it back, its transaction finished. And a
file that is not a database is the library's ``DatabaseError``, as every
other failure to open is one of its errors (``sqlite3``'s escaped)."""

from __future__ import annotations

import sqlite3
from typing import Any

from eventsourcing import sqlite
from eventsourcing.persistence import DatabaseError, OperationalError
from eventsourcing.utils import Environment, EnvType

from b2bcore.domain.errors import StoreClosedError


class SQLiteConnectionPool(sqlite.SQLiteConnectionPool):
    """The library's pool, closed without taking a connection from its user."""

    _refusing = False

    @property
    def closed(self) -> bool:
        return self._refusing

    def get_connection(
        self, timeout: float | None = None, *, is_writer: bool | None = None
    ) -> sqlite.SQLiteConnection:
        if self._refusing:
            raise StoreClosedError(self.db_name)
        connection = super().get_connection(timeout, is_writer=is_writer)
        if self._refusing:  # closed while this thread waited for it
            self.put_connection(connection)
            raise StoreClosedError(self.db_name)
        return connection

    def _create_connection(self) -> sqlite.SQLiteConnection:
        try:
            return super()._create_connection()
        except sqlite3.OperationalError as error:  # busy: retry later
            raise OperationalError(error) from error
        except sqlite3.DatabaseError as error:  # "file is not a database"
            raise DatabaseError(error) from error

    def put_connection(self, conn: sqlite.SQLiteConnection) -> None:
        super().put_connection(conn)
        if self._refusing:
            self._close_idle()

    def close(self) -> None:
        # The library's flag stays down: its put_connection would refuse
        # the connections still in use when they come back.
        self._refusing = True
        self._close_idle()

    def _close_idle(self) -> None:
        with self._put_condition:
            while self._pool:
                self._pool.popleft().close()


class SQLiteDatastore(sqlite.SQLiteDatastore):
    """The library's datastore, on the pool above."""

    def __init__(self, db_name: str, **options: Any) -> None:
        super().__init__(db_name, **options)
        made = self.pool
        self.pool = SQLiteConnectionPool(
            db_name=db_name,
            lock_timeout=made.lock_timeout,
            pool_size=made.pool_size,
            max_overflow=made.max_overflow,
            pool_timeout=made.pool_timeout,
            max_age=made.max_age,
            pre_ping=made.pre_ping,
        )


class SQLiteFactory(sqlite.SQLiteFactory):
    """The library's factory, on the datastore above."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        # The library's constructors name their own classes: the datastore
        # (and pool) they made give their settings to these.
        made = self.datastore
        self.datastore = SQLiteDatastore(
            made.pool.db_name,
            lock_timeout=made.pool.lock_timeout,
            single_row_tracking=made.single_row_tracking,
            originator_id_type=made.originator_id_type,
        )
