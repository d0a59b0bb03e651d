"""The personal-data vault on SQLite (``sql_vault``): the keys beside the
event log in the same file. Keys are written with ``secure_delete`` on, so a
deleted key, and any copy a page split left behind, is overwritten with
zeros; then the write-ahead log, which still holds the pages as they were,
is checkpointed and truncated. A reader's open transaction blocks that: the
result says so until a later try succeeds (docs/audit.md)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from b2bcore_adapters.persistence.sql_vault import SQLPersonalDataVault

#: ``PRAGMA wal_checkpoint``'s first column when a reader blocked it.
_BLOCKED = 1


class SQLitePersonalDataVault(SQLPersonalDataVault):
    @contextlib.contextmanager
    def writing(self) -> Iterator[Any]:
        with super().writing() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
            yield cursor

    def _overwrite(self) -> str:
        # Outside a transaction: a checkpoint cannot run inside one. It
        # waits for readers as long as the connection's lock timeout.
        with self.datastore.get_connection(commit=True) as connection:
            cursor = connection.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            blocked = cursor.fetchone()[0]
        if blocked != _BLOCKED:
            return ""
        return (
            f"{self.datastore.pool.db_name}-wal still holds the deleted key's old "
            "page: another connection holds a read transaction, so the "
            "write-ahead log could not be checkpointed and truncated; run "
            "`b2b audit overwrite-keys` once it ends"
        )
