"""The chain-link store on SQLite: links in ``b2bcore_chain_links`` beside
the event log in the same file, the chain's position in ``eventsourcing``'s
tracking table, both written in one transaction; checkpoints' tags of the
links in ``b2bcore_chain_tags``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

from b2bcore.audit.chainstore import CHAIN
from b2bcore.audit.verification import ChainLink, LinkTag
from b2bcore.readmodels.readmodel import PositionConflictError

LINKS_TABLE = "b2bcore_chain_links"
TAGS_TABLE = "b2bcore_chain_tags"


class SQLiteChainLinkStore(SQLiteTrackingRecorder):
    def __init__(self, datastore: SQLiteDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {LINKS_TABLE} ("
            "position INTEGER PRIMARY KEY, "
            "event_digest BLOB NOT NULL, "
            "link BLOB NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {TAGS_TABLE} ("
            "position INTEGER PRIMARY KEY, "
            "event_digest BLOB NOT NULL, "
            "tag BLOB NOT NULL)",
        ]

    def head(self) -> ChainLink | None:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT position, event_digest, link FROM {LINKS_TABLE} "
                "ORDER BY position DESC LIMIT 1"
            )
            row = cursor.fetchone()
        return ChainLink(row[0], bytes(row[1]), bytes(row[2])) if row else None

    def links(self, after: int, limit: int) -> list[ChainLink]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT position, event_digest, link FROM {LINKS_TABLE} "
                "WHERE position > ? ORDER BY position LIMIT ?",
                [after, limit],
            )
            rows = cursor.fetchall()
        return [ChainLink(p, bytes(d), bytes(k)) for p, d, k in rows]

    def append(self, links: Sequence[ChainLink]) -> None:
        if not links:
            return
        try:
            with self.datastore.transaction(commit=True) as cursor:
                self._insert_tracking(cursor, Tracking(CHAIN, links[-1].position))
                cursor.executemany(
                    f"INSERT INTO {LINKS_TABLE} VALUES (?, ?, ?)",
                    [(k.position, k.event_digest, k.link) for k in links],
                )
        except IntegrityError as error:
            raise PositionConflictError(str(error)) from None

    def tags(self, after: int, limit: int) -> list[LinkTag]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT position, event_digest, tag FROM {TAGS_TABLE} "
                "WHERE position > ? ORDER BY position LIMIT ?",
                [after, limit],
            )
            rows = cursor.fetchall()
        return [LinkTag(p, bytes(d), bytes(t)) for p, d, t in rows]

    def last_tag(self) -> int:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(position), 0) FROM {TAGS_TABLE}")
            return int(cursor.fetchone()[0])

    def add_tags(self, tags: Sequence[LinkTag]) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.executemany(
                f"INSERT OR IGNORE INTO {TAGS_TABLE} VALUES (?, ?, ?)",
                [(t.position, t.event_digest, t.tag) for t in tags],
            )

    def close(self) -> None:
        """The datastore is the event log's; closing it is the log's job."""
