"""The personal-data vault on SQLite: one key per person in
``b2bcore_personal_keys``, beside the event log in the same file but never in
it. A forgotten key is overwritten on disk (``secure_delete``) and the
write-ahead log is checkpointed, so no copy of it stays in the file."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

from b2bcore.personal_data import decrypt, encrypt, new_key, unknown_person

KEYS_TABLE = "b2bcore_personal_keys"


class SQLitePersonalDataVault(SQLiteTrackingRecorder):
    def __init__(self, datastore: SQLiteDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {KEYS_TABLE} ("
            "person_id TEXT PRIMARY KEY, "
            "key BLOB NOT NULL)",
        ]

    def seal(self, person_id: UUID, plaintext: bytes) -> bytes:
        key = self._key(person_id)
        if key is None:
            with self.datastore.transaction(commit=True) as cursor:
                cursor.execute(
                    f"INSERT OR IGNORE INTO {KEYS_TABLE} VALUES (?, ?)",
                    [str(person_id), new_key()],
                )
            key = self._key(person_id)
            assert key is not None
        return encrypt(key, plaintext)

    def open(self, person_id: UUID, sealed: bytes) -> bytes | None:
        key = self._key(person_id)
        return None if key is None else decrypt(key, sealed)

    def forget(self, person_id: UUID) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
            cursor.execute(
                f"DELETE FROM {KEYS_TABLE} WHERE person_id = ?", [str(person_id)]
            )
            cursor.execute("SELECT changes()")
            deleted = cursor.fetchone()[0]
        if not deleted:
            raise unknown_person(person_id)
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _key(self, person_id: UUID) -> bytes | None:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT key FROM {KEYS_TABLE} WHERE person_id = ?", [str(person_id)]
            )
            row = cursor.fetchone()
        return None if row is None else bytes(row[0])

    def close(self) -> None:
        """The datastore is the event log's; closing it is the log's job."""
