"""The personal-data vault on PostgreSQL: one key per person in
``b2bcore_personal_keys``, in the event log's schema but never in the log. A
forgotten key's row is deleted; PostgreSQL frees its space at the next
``VACUUM`` of the table (docs/audit.md)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg.sql import SQL, Identifier

from b2bcore.personal_data import SealingVault

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
