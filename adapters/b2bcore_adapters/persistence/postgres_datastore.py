"""The ``eventsourcing`` persistence module of a log on PostgreSQL
(``PERSISTENCE_MODULE``): the library's, except that a closed store refuses
what starts after the close with ``StoreClosedError``, as on SQLite.

The library's pool answers a closed store with its ``OperationalError``
("pool has already been opened/closed"), which the recorders take for a
lost connection: a save retried it for two seconds before failing. A
transaction under way when the store closes finishes (the pool closes a
connection in use when it comes back).

A module of its own: psycopg is the ``postgres`` extra."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from eventsourcing import postgres
from eventsourcing.utils import Environment, EnvType
from psycopg import Connection
from psycopg.rows import DictRow

from b2bcore.domain.errors import StoreClosedError


class PostgresDatastore(postgres.PostgresDatastore):
    """The library's datastore, refusing connections once closed."""

    _refusing = False

    @contextmanager
    def get_connection(self) -> Iterator[Connection[DictRow]]:
        if self._refusing:
            raise StoreClosedError(self.name)
        with super().get_connection() as connection:
            yield connection

    @property
    def name(self) -> str:
        """The database and schema, as an error names the store."""
        database = cast(dict[str, Any], self.pool.kwargs)["dbname"]  # the library's
        return f"{database} (schema {self.schema})"

    def close(self) -> None:
        self._refusing = True
        super().close()


class PostgresFactory(postgres.PostgresFactory):
    """The library's factory, on the datastore above."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        # The library's constructor names its own datastore class, and the
        # one above only adds closing: the datastore it made (its pool not
        # yet open) becomes one.
        self.datastore.__class__ = PostgresDatastore
