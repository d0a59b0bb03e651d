"""The contract of the chain-link store port, kept by every store (memory,
SQLite, PostgreSQL): links read back in order, and a page of links with the
chain's position is committed all or nothing, only ever moving forward."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest

from b2bcore import B2BCore
from b2bcore.audit.chainstore import ChainLinkStore, MemoryChainLinkStore
from b2bcore.audit.verification import ChainLink, LoggedEvent, extend, tag_links
from b2bcore.readmodels.readmodel import PositionConflictError


def chain(*positions: int) -> list[ChainLink]:
    return extend(
        None, [LoggedEvent(p, uuid4(), 1, "b2bcore:test", b"{}") for p in positions]
    )


class ChainLinkStoreContract:
    """Subclasses provide the ``store`` fixture."""

    def test_a_new_store_has_no_head_and_no_links(self, store: ChainLinkStore) -> None:
        assert store.head() is None
        assert store.links(0, 10) == []

    def test_tags_read_back_in_order_and_keep_the_first_of_a_position(
        self, store: ChainLinkStore
    ) -> None:
        links = chain(1, 2, 4)
        tags = tag_links(b"key", links)
        assert store.last_tag() == 0

        store.add_tags(tags[:2])
        store.add_tags([*tag_links(b"other", links[1:2]), tags[2]])

        assert store.tags(0, 10) == tags
        assert store.tags(1, 1) == tags[1:2]
        assert store.last_tag() == 4

    def test_appended_links_read_back_in_order(self, store: ChainLinkStore) -> None:
        links = chain(1, 2, 4)

        store.append(links)

        assert store.head() == links[-1]
        assert store.links(0, 10) == links

    def test_links_page_after_a_position(self, store: ChainLinkStore) -> None:
        links = chain(1, 2, 4, 5, 7)
        store.append(links)

        assert store.links(2, 2) == links[2:4]
        assert store.links(7, 2) == []

    def test_a_later_page_goes_on_from_the_head(self, store: ChainLinkStore) -> None:
        links = chain(1, 2, 3, 4)

        store.append(links[:2])
        store.append(links[2:])

        assert store.links(0, 10) == links

    def test_a_taken_position_is_refused_and_nothing_stored(
        self, store: ChainLinkStore
    ) -> None:
        links = chain(1, 2, 3)
        store.append(links[:2])

        with pytest.raises(PositionConflictError):
            store.append(chain(2, 3))

        assert store.links(0, 10) == links[:2]

    def test_a_position_behind_the_head_is_refused(self, store: ChainLinkStore) -> None:
        store.append(chain(5))

        with pytest.raises(PositionConflictError):
            store.append(chain(3))

        assert [link.position for link in store.links(0, 10)] == [5]

    def test_appending_no_links_changes_nothing(self, store: ChainLinkStore) -> None:
        store.append([])

        assert store.head() is None


class TestMemoryChainLinkStore(ChainLinkStoreContract):
    @pytest.fixture
    def store(self) -> ChainLinkStore:
        return MemoryChainLinkStore()


class TestSQLiteChainLinkStore(ChainLinkStoreContract):
    @pytest.fixture
    def store(self, sqlite_url: str) -> Iterator[ChainLinkStore]:
        with B2BCore.open(sqlite_url) as core:
            yield core.hash_chain.store


class TestPostgresChainLinkStore(ChainLinkStoreContract):
    @pytest.fixture
    def store(self, postgres_url: str) -> Iterator[ChainLinkStore]:
        with B2BCore.open(postgres_url) as core:
            yield core.hash_chain.store
