"""eventsourcing's own test case for application recorders, run against the
event log's recorders b2bcore subclasses (a hook inside the transaction that
inserts a save's events)."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from uuid import uuid4

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.tests.persistence import ApplicationRecorderTestCase

from b2bcore import B2BCore
from b2bcore_adapters.persistence.sqlite_log import SQLiteLogRecorder
from tests.conftest import POSTGRES_URL, require_postgres


def join_threads_started_since(before: set[threading.Thread]) -> None:
    """Wait for the threads a case started: the library's concurrency case
    tells its readers to stop but does not join them, and a reader still
    at work when its store closes would end in StoreClosedError."""
    for thread in set(threading.enumerate()) - before:
        if not thread.daemon:  # a driver's pool workers live with the pool
            thread.join(timeout=30)


class TestSQLiteLogRecorder(ApplicationRecorderTestCase[ApplicationRecorder]):
    def setUp(self) -> None:
        self.directory = tempfile.TemporaryDirectory()
        self.cores: list[B2BCore] = []
        self.threads = set(threading.enumerate())

    def tearDown(self) -> None:
        join_threads_started_since(self.threads)
        for core in self.cores:
            core.close()
        self.directory.cleanup()

    def create_recorder(self) -> ApplicationRecorder:
        path = Path(self.directory.name) / f"{uuid4().hex}.db"
        # The library's concurrency cases write from many threads at once:
        # on a loaded machine a writer may wait longer than the default.
        core = B2BCore.open(f"sqlite:///{path}?lock_timeout=30")
        self.cores.append(core)
        recorder = core.event_log.recorder
        assert isinstance(recorder, SQLiteLogRecorder)
        return recorder


class TestPostgresLogRecorder(ApplicationRecorderTestCase[ApplicationRecorder]):
    def setUp(self) -> None:
        require_postgres()
        import psycopg  # noqa: PLC0415 - an optional extra

        self.schema = f"b2b_test_{uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f"CREATE SCHEMA {self.schema}")
        self.cores: list[B2BCore] = []
        self.threads = set(threading.enumerate())

    def tearDown(self) -> None:
        import psycopg  # noqa: PLC0415

        join_threads_started_since(self.threads)
        for core in self.cores:
            core.close()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {self.schema} CASCADE")

    def create_recorder(self) -> ApplicationRecorder:
        from b2bcore_adapters.persistence.postgres_log import PostgresLogRecorder  # noqa: PLC0415

        core = B2BCore.open(f"{POSTGRES_URL}?schema={self.schema}")
        self.cores.append(core)
        recorder = core.event_log.recorder
        assert isinstance(recorder, PostgresLogRecorder)
        return recorder
