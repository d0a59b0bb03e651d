"""The personal-data vault on SQLite: one key per person in
``b2bcore_personal_keys``, beside the event log in the same file but never in
it. A forgotten key is overwritten on disk (``secure_delete``) and the
write-ahead log is checkpointed, so no copy of it stays in the file."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

from b2bcore.personal_data import SealingVault

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
            deleted = bool(cursor.fetchone()[0])
        if deleted:
            with self.datastore.transaction(commit=False) as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return deleted

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
