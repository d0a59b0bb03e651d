"""The chain-link store on PostgreSQL: links in ``b2bcore_chain_links``
beside the event log, the chain's position in ``eventsourcing``'s tracking
table, both written in one transaction; checkpoints' tags of the links in
``b2bcore_chain_tags``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg.sql import SQL, Identifier

from b2bcore.audit.chainstore import CHAIN
from b2bcore.audit.verification import ChainLink, LinkTag
from b2bcore.readmodels.readmodel import PositionConflictError

LINKS_TABLE = "b2bcore_chain_links"
TAGS_TABLE = "b2bcore_chain_tags"


class PostgresChainLinkStore(PostgresTrackingRecorder):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self._links = SQL("{0}.{1}").format(
            Identifier(self.datastore.schema), Identifier(LINKS_TABLE)
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} ("
                "position bigint PRIMARY KEY, "
                "event_digest bytea NOT NULL, "
                "link bytea NOT NULL)"
            ).format(self._links)
        )
        self._tags = SQL("{0}.{1}").format(
            Identifier(self.datastore.schema), Identifier(TAGS_TABLE)
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} ("
                "position bigint PRIMARY KEY, "
                "event_digest bytea NOT NULL, "
                "tag bytea NOT NULL)"
            ).format(self._tags)
        )

    def head(self) -> ChainLink | None:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                SQL(
                    "SELECT position, event_digest, link FROM {0} "
                    "ORDER BY position DESC LIMIT 1"
                ).format(self._links)
            )
            row = cursor.fetchone()
        return _link(row) if row else None

    def links(self, after: int, limit: int) -> list[ChainLink]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                SQL(
                    "SELECT position, event_digest, link FROM {0} "
                    "WHERE position > %s ORDER BY position LIMIT %s"
                ).format(self._links),
                (after, limit),
            )
            rows = cursor.fetchall()
        return [_link(row) for row in rows]

    def append(self, links: Sequence[ChainLink]) -> None:
        if not links:
            return
        try:
            with self.datastore.transaction(commit=True) as cursor:
                self._insert_tracking(cursor, Tracking(CHAIN, links[-1].position))
                cursor.executemany(
                    SQL("INSERT INTO {0} VALUES (%s, %s, %s)").format(self._links),
                    [(k.position, k.event_digest, k.link) for k in links],
                )
        except IntegrityError as error:
            raise PositionConflictError(str(error)) from None

    def tags(self, after: int, limit: int) -> list[LinkTag]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                SQL(
                    "SELECT position, event_digest, tag FROM {0} "
                    "WHERE position > %s ORDER BY position LIMIT %s"
                ).format(self._tags),
                (after, limit),
            )
            rows = cursor.fetchall()
        return [
            LinkTag(int(r["position"]), bytes(r["event_digest"]), bytes(r["tag"]))
            for r in rows
        ]

    def last_tag(self) -> int:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                SQL("SELECT COALESCE(MAX(position), 0) AS last FROM {0}").format(
                    self._tags
                )
            )
            row = cursor.fetchone()
        return int(row["last"]) if row else 0

    def add_tags(self, tags: Sequence[LinkTag]) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.executemany(
                SQL(
                    "INSERT INTO {0} VALUES (%s, %s, %s) "
                    "ON CONFLICT (position) DO NOTHING"
                ).format(self._tags),
                [(t.position, t.event_digest, t.tag) for t in tags],
            )

    def close(self) -> None:
        """The datastore is the event log's; closing it is the log's job."""


def _link(row: Any) -> ChainLink:
    return ChainLink(
        int(row["position"]), bytes(row["event_digest"]), bytes(row["link"])
    )
