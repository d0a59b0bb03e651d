"""The chain-link store on a SQL database: links in ``b2bcore_chain_links``
beside the event log, the chain's position in ``eventsourcing``'s tracking
table, both written in one transaction; checkpoints' tags of the links in
``b2bcore_chain_tags``. Each backend's store extends it with that backend's
tracking recorder (``sqlite_chain``, ``postgres_chain``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from eventsourcing.persistence import IntegrityError

from b2bcore.audit.chainstore import CHAIN
from b2bcore.audit.verification import ChainLink, LinkTag
from b2bcore.readmodels.readmodel import PositionConflictError
from b2bcore_adapters.persistence.sql_tables import Tracked

LINKS_TABLE = "b2bcore_chain_links"
TAGS_TABLE = "b2bcore_chain_tags"
#: The columns a link and a tag share: its position and its event's digest.
LINK = "position {bigint} PRIMARY KEY, event_digest {bytes} NOT NULL"


class SQLChainLinks(Tracked):
    TABLES: ClassVar = {
        LINKS_TABLE: f"{LINK}, link {{bytes}} NOT NULL",
        TAGS_TABLE: f"{LINK}, tag {{bytes}} NOT NULL",
    }

    def head(self) -> ChainLink | None:
        found = self.fetch(
            "SELECT position, event_digest, link FROM {b2bcore_chain_links} "
            "ORDER BY position DESC LIMIT 1"
        )
        return ChainLink(*_columns(found[0])) if found else None

    def links(self, after: int, limit: int) -> list[ChainLink]:
        return [
            ChainLink(*row) for row in self._page(LINKS_TABLE, "link", after, limit)
        ]

    def append(self, links: Sequence[ChainLink]) -> None:
        if not links:
            return
        try:
            with self.writing() as cursor:
                self.track(cursor, CHAIN, links[-1].position)
                self.executemany_in(
                    cursor,
                    "INSERT INTO {b2bcore_chain_links} VALUES (?, ?, ?)",
                    [(k.position, k.event_digest, k.link) for k in links],
                )
        except IntegrityError as error:
            raise PositionConflictError(str(error)) from None

    def tags(self, after: int, limit: int) -> list[LinkTag]:
        return [LinkTag(*row) for row in self._page(TAGS_TABLE, "tag", after, limit)]

    def last_tag(self) -> int:
        [(last,)] = self.fetch(
            "SELECT COALESCE(MAX(position), 0) FROM {b2bcore_chain_tags}"
        )
        return int(last)

    def add_tags(self, tags: Sequence[LinkTag]) -> None:
        with self.writing() as cursor:
            self.executemany_in(
                cursor,
                "INSERT INTO {b2bcore_chain_tags} VALUES (?, ?, ?) "
                "ON CONFLICT (position) DO NOTHING",
                [(t.position, t.event_digest, t.tag) for t in tags],
            )

    def _page(
        self, table: str, column: str, after: int, limit: int
    ) -> list[tuple[int, bytes, bytes]]:
        """Up to ``limit`` rows of ``table`` after position ``after``."""
        return [
            _columns(row)
            for row in self.fetch(
                f"SELECT position, event_digest, {column} FROM {{{table}}} "
                "WHERE position > ? ORDER BY position LIMIT ?",
                after,
                limit,
            )
        ]


def _columns(row: Any) -> tuple[int, bytes, bytes]:
    """A link's or a tag's position and bytes, as the driver gave them."""
    position, digest, value = row
    return int(position), bytes(digest), bytes(value)
