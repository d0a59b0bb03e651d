"""eventsourcing's own test case for tracking recorders, run against every
store b2bcore builds on one: the read-model stores and the hash chain's."""

from __future__ import annotations

import tempfile
from pathlib import Path
from uuid import uuid4

from eventsourcing.persistence import TrackingRecorder
from eventsourcing.tests.persistence import TrackingRecorderTestCase

from b2bcore import B2BCore
from b2bcore_adapters.persistence.memory_store import MemoryReadModelStore
from tests.conftest import POSTGRES_URL, require_postgres


class TestMemoryReadModelStore(TrackingRecorderTestCase):
    def create_recorder(self) -> TrackingRecorder:
        return MemoryReadModelStore()


class TestSQLiteReadModelStore(TrackingRecorderTestCase):
    def setUp(self) -> None:
        self.directory = tempfile.TemporaryDirectory()
        # The store shares its application's database connections: keep the
        # application open until the test ends.
        self.cores: list[B2BCore] = []

    def tearDown(self) -> None:
        for core in self.cores:
            core.close()
        self.directory.cleanup()

    def create_recorder(self) -> TrackingRecorder:
        path = Path(self.directory.name) / f"{uuid4().hex}.db"
        core = B2BCore.open(f"sqlite:///{path}")
        self.cores.append(core)
        store = self.store_of(core)
        assert isinstance(store, TrackingRecorder)
        return store

    def store_of(self, core: B2BCore) -> object:
        return core.projector.store


class TestPostgresReadModelStore(TrackingRecorderTestCase):
    def setUp(self) -> None:
        require_postgres()
        import psycopg  # noqa: PLC0415 - an optional extra

        self.schema = f"b2b_test_{uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f"CREATE SCHEMA {self.schema}")
        self.cores: list[B2BCore] = []

    def tearDown(self) -> None:
        import psycopg  # noqa: PLC0415

        for core in self.cores:
            core.close()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {self.schema} CASCADE")

    def create_recorder(self) -> TrackingRecorder:
        core = B2BCore.open(f"{POSTGRES_URL}?schema={self.schema}")
        self.cores.append(core)
        store = self.store_of(core)
        assert isinstance(store, TrackingRecorder)
        return store

    def store_of(self, core: B2BCore) -> object:
        return core.projector.store


class TestSQLiteChainLinkStore(TestSQLiteReadModelStore):
    def store_of(self, core: B2BCore) -> object:
        return core.hash_chain.store


class TestPostgresChainLinkStore(TestPostgresReadModelStore):
    def store_of(self, core: B2BCore) -> object:
        return core.hash_chain.store
