"""The personal-data vault on PostgreSQL (``sql_vault``): the keys in the
event log's schema but never in the log. A forgotten key's row is deleted,
then the table is rewritten (``VACUUM FULL``: a plain ``VACUUM`` leaves the
dead row's bytes in the page), so the table's file no longer holds the key.
A rewrite keeps a deleted row that a transaction begun before the deletion
may still read, so it waits for those to end first; one still running, or
one using the table, leaves the result pending until a later try succeeds.
The write-ahead log still holds the key (docs/audit.md)."""

from __future__ import annotations

import time
from typing import Any

from psycopg.errors import LockNotAvailable
from psycopg.sql import SQL

from b2bcore_adapters.persistence.sql_vault import KEYS_TABLE, SQLPersonalDataVault

#: Seconds the rewrite waits for the table when the store sets no lock
#: timeout.
REWRITE_WAIT_SECONDS = 5


class PostgresPersonalDataVault(SQLPersonalDataVault):
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
                connection.execute(self.sql.statement(f"VACUUM FULL {{{KEYS_TABLE}}}"))
            except LockNotAvailable:
                return (
                    f"{KEYS_TABLE}'s file still holds the deleted key: another "
                    f"transaction used the table for over {wait} s, so it could "
                    "not be rewritten; run `b2b audit overwrite-keys` once it ends"
                )
            finally:
                connection.execute("RESET lock_timeout")
        return ""


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
