"""The personal-data vault on SQLite: one key per person in
``b2bcore_personal_keys``, beside the event log in the same file but never in
it. Keys are written with ``secure_delete`` on, so a deleted key, and any
copy a page split left behind, is overwritten with zeros; then the
write-ahead log, which still holds the pages as they were, is checkpointed
and truncated. A reader's open transaction blocks that: the result says so
until a later try succeeds (docs/audit.md)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

from b2bcore.domain.personal_data import SealingVault

#: ``PRAGMA wal_checkpoint``'s first column when a reader blocked it.
_BLOCKED = 1

KEYS_TABLE = "b2bcore_personal_keys"


class SQLitePersonalDataVault(SealingVault, SQLiteTrackingRecorder):
    def __init__(self, datastore: SQLiteDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {KEYS_TABLE} ("
            "person_id TEXT PRIMARY KEY, "
            "key BLOB NOT NULL)",
        ]

    def _add_key(self, person_id: UUID, key: bytes) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
            cursor.execute(
                f"INSERT OR IGNORE INTO {KEYS_TABLE} VALUES (?, ?)",
                [str(person_id), key],
            )

    def _delete_key(self, person_id: UUID) -> bool:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
            cursor.execute(
                f"DELETE FROM {KEYS_TABLE} WHERE person_id = ?", [str(person_id)]
            )
            cursor.execute("SELECT changes()")
            return bool(cursor.fetchone()[0])

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

    def _key(self, person_id: UUID) -> bytes | None:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT key FROM {KEYS_TABLE} WHERE person_id = ?", [str(person_id)]
            )
            row = cursor.fetchone()
        return None if row is None else bytes(row[0])

    def _closed(self) -> bool:
        return bool(self.datastore.pool.closed)

    def close(self) -> None:
        """The datastore is the event log's; closing it is the log's job."""
