"""Closing a store that outlives its process (SQLite, PostgreSQL): what
starts after the close is refused with StoreClosedError naming the store and
records nothing, what is under way finishes, and closing twice is harmless.
The PostgreSQL persistence module that refuses so is run through
eventsourcing's own factory case too."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import pytest
from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    ProcessRecorder,
    TrackingRecorder,
)
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresProcessRecorder,
    PostgresTrackingRecorder,
)
from eventsourcing.tests.persistence import InfrastructureFactoryTestCase
from eventsourcing.utils import Environment

from b2bcore import B2BCore, FixedClock, StoreClosedError
from b2bcore_adapters.persistence.backends import POSTGRES, sqlite_path
from b2bcore_adapters.persistence.postgres_datastore import PostgresFactory
from tests.conftest import POSTGRES_URL, TODAY, require_postgres
from tests.helpers import register_account


def test_a_closed_store_refuses_queries_and_commands_naming_the_store(
    durable_url: str,
) -> None:
    core = B2BCore.open(durable_url, clock=FixedClock(TODAY))
    register_account(core, name="before closing")
    before = core.log_position()
    core.close()

    with pytest.raises(StoreClosedError, match="the store is closed") as refused:
        core.renewal_queue(within=3650)
    with pytest.raises(StoreClosedError):
        register_account(core, name="after closing")
    with pytest.raises(StoreClosedError):
        core.verify_log()

    assert refused.value.store == store_name(durable_url)
    with B2BCore.open(durable_url) as reopened:
        assert reopened.log_position() == before


def store_name(url: str) -> str:
    """How StoreClosedError names the store at ``url``: its file, or its
    database and schema."""
    if url.startswith("sqlite"):
        return str(sqlite_path(url))
    parts = urlsplit(url)
    schema = parse_qs(parts.query)["schema"][0]
    return f"{parts.path.lstrip('/')} (schema {schema})"


def test_a_save_under_way_when_the_store_closes_is_recorded(
    durable_url: str,
) -> None:
    core = B2BCore.open(durable_url, clock=FixedClock(TODAY))
    with core.unit_of_work() as unit:
        # Runs inside the save's transaction: the store closes mid-save.
        unit.then = lambda *_: core.close()
        account = register_account(core, name="saved while closing")

    with pytest.raises(StoreClosedError):
        core.exists(account)
    with B2BCore.open(durable_url, clock=FixedClock(TODAY)) as reopened:
        assert reopened.account(account).name == "saved while closing"


def test_closing_twice_is_harmless(durable_url: str) -> None:
    core = B2BCore.open(durable_url)
    core.close()
    core.close()

    with pytest.raises(StoreClosedError):
        core.log_position()


class TrackingSubclass(PostgresTrackingRecorder):
    pass


class TestPostgresFactory(InfrastructureFactoryTestCase[PostgresFactory]):
    """The factory alone, with the library's recorders (b2bcore's come from
    the URL's other settings, run through their own cases)."""

    def setUp(self) -> None:
        require_postgres()
        import psycopg  # noqa: PLC0415 - an optional extra

        self.schema = f"b2b_test_{uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f"CREATE SCHEMA {self.schema}")
        url = f"{POSTGRES_URL}?schema={self.schema}"
        self.env = Environment(
            "TestCase",
            {
                "PERSISTENCE_MODULE": POSTGRES.module,
                "POSTGRES_SCHEMA": self.schema,
                **POSTGRES.settings(url, urlsplit(url)),
            },
        )
        super().setUp()

    def tearDown(self) -> None:
        import psycopg  # noqa: PLC0415

        super().tearDown()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {self.schema} CASCADE")

    def expected_factory_class(self) -> type[PostgresFactory]:
        return PostgresFactory

    def expected_aggregate_recorder_class(self) -> type[AggregateRecorder]:
        return PostgresAggregateRecorder

    def expected_application_recorder_class(self) -> type[ApplicationRecorder]:
        return PostgresApplicationRecorder

    def expected_tracking_recorder_class(self) -> type[TrackingRecorder]:
        return PostgresTrackingRecorder

    def tracking_recorder_subclass(self) -> type[TrackingRecorder]:
        return TrackingSubclass

    def expected_process_recorder_class(self) -> type[ProcessRecorder]:
        return PostgresProcessRecorder
