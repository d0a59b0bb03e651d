"""The personal-data vault on a SQL database: one key per person in
``b2bcore_personal_keys``, beside the event log in its database but never in
the log. How a deleted key's bytes are overwritten in the database's files
is each backend's (``sqlite_vault``, ``postgres_vault``)."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from b2bcore.domain.personal_data import SealingVault
from b2bcore_adapters.persistence.sql_tables import SQLStore

KEYS_TABLE = "b2bcore_personal_keys"


class SQLPersonalDataVault(SealingVault, SQLStore):
    TABLES: ClassVar = {
        KEYS_TABLE: "person_id {uuid} PRIMARY KEY, key {bytes} NOT NULL"
    }

    def _add_key(self, person_id: UUID, key: bytes) -> None:
        self.write(
            "INSERT INTO {b2bcore_personal_keys} VALUES (?, ?) "
            "ON CONFLICT (person_id) DO NOTHING",
            str(person_id),
            key,
        )

    def _delete_key(self, person_id: UUID) -> bool:
        with self.writing() as cursor:
            deleted = self.fetch_in(
                cursor,
                "DELETE FROM {b2bcore_personal_keys} WHERE person_id = ? "
                "RETURNING person_id",
                str(person_id),
            )
        return bool(deleted)

    def _key(self, person_id: UUID) -> bytes | None:
        found = self.fetch(
            "SELECT key FROM {b2bcore_personal_keys} WHERE person_id = ?",
            str(person_id),
        )
        return bytes(found[0][0]) if found else None

    def _closed(self) -> bool:
        return bool(self.datastore.pool.closed)
