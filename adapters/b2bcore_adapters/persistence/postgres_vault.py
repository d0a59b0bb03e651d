"""The personal-data vault on PostgreSQL: one key per person in
``b2bcore_personal_keys``, in the event log's schema but never in the log. A
forgotten key's row is deleted, then the table is rewritten (``VACUUM
FULL``: a plain ``VACUUM`` leaves the dead row's bytes in the page), so the
table's file no longer holds the key. A rewrite keeps a deleted row that a
transaction begun before the deletion may still read, so it waits for those
to end first; one still running, or one using the table, leaves the result
pending until a later try succeeds. The write-ahead log still holds the key
(docs/audit.md)."""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg.errors import LockNotAvailable
from psycopg.sql import SQL, Identifier

from b2bcore.domain.personal_data import SealingVault

#: Seconds the rewrite waits for the table when the store sets no lock
#: timeout.
REWRITE_WAIT_SECONDS = 5

KEYS_TABLE = "b2bcore_personal_keys"


class PostgresPersonalDataVault(SealingVault, PostgresTrackingRecorder):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self._keys = SQL("{0}.{1}").format(
            Identifier(self.datastore.schema), Identifier(KEYS_TABLE)
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} ("
                "person_id uuid PRIMARY KEY, "
                "key bytea NOT NULL)"
            ).format(self._keys)
        )

    def _add_key(self, person_id: UUID, key: bytes) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(
                SQL(
                    "INSERT INTO {0} VALUES (%s, %s) ON CONFLICT (person_id) DO NOTHING"
                ).format(self._keys),
                (person_id, key),
            )

    def _delete_key(self, person_id: UUID) -> bool:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(
                SQL("DELETE FROM {0} WHERE person_id = %s").format(self._keys),
                (person_id,),
            )
            return bool(cursor.rowcount)

    def _overwrite(self) -> str:
        wait = self.datastore.lock_timeout or REWRITE_WAIT_SECONDS
        # VACUUM runs outside a transaction: the pool's connections commit
        # each statement.
        with self.datastore.get_connection() as connection:
            older = _wait_for_older_transactions(connection, wait)
            if older:
                return (
                    f"{KEYS_TABLE}'s file still holds the deleted key: {older} "
                    "transaction(s) that began before it was deleted still ran "
                    f"after {wait} s (a rewrite keeps rows they may read); run "
                    "`b2b audit overwrite-keys` once they end"
                )
            try:
                connection.execute(SQL("SET lock_timeout = '{0}s'").format(wait))
                connection.execute(SQL("VACUUM FULL {0}").format(self._keys))
            except LockNotAvailable:
                return (
                    f"{KEYS_TABLE}'s file still holds the deleted key: another "
                    f"transaction used the table for over {wait} s, so it could "
                    "not be rewritten; run `b2b audit overwrite-keys` once it ends"
                )
            finally:
                connection.execute("RESET lock_timeout")
        return ""

    def _key(self, person_id: UUID) -> bytes | None:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                SQL("SELECT key FROM {0} WHERE person_id = %s").format(self._keys),
                (person_id,),
            )
            row = cursor.fetchone()
        return None if row is None else bytes(row["key"])

    def _closed(self) -> bool:
        return bool(self.datastore.pool.closed)

    def close(self) -> None:
        """The datastore is the event log's; closing it is the log's job."""


#: Other sessions of this database whose transaction began before now: a
#: rewrite copies a deleted row that such a transaction may still read.
OLDER_TRANSACTIONS = """
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()
  AND backend_type = 'client backend' AND xact_start < %s
"""


def _wait_for_older_transactions(connection: Any, wait: float) -> int:
    """Wait up to ``wait`` seconds for every transaction of the database that
    began before now to end; how many still run (0: none)."""
    (began,) = connection.execute("SELECT statement_timestamp()").fetchone().values()
    deadline = time.monotonic() + wait
    while True:
        (older,) = connection.execute(OLDER_TRANSACTIONS, (began,)).fetchone().values()
        if not older or time.monotonic() >= deadline:
            return int(older)
        time.sleep(0.05)
