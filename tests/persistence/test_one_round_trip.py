"""On PostgreSQL a save is one round trip: the table lock, the insert and
the commit in one database function, so the lock is never held across the
network. A store whose tables an older b2bcore made (no function) still
saves, by the library's path."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from eventsourcing.postgres import PostgresApplicationRecorder

from b2bcore import B2BCore, ConcurrencyError, Consistency
from b2bcore.application import commands as c
from b2bcore_adapters.persistence.postgres_log import (
    INSERT_FUNCTION,
    PostgresLogRecorder,
)
from tests.conftest import POSTGRES_URL
from tests.helpers import register_account


def recorder_of(core: B2BCore) -> PostgresLogRecorder:
    recorder = core.event_log.recorder
    assert isinstance(recorder, PostgresLogRecorder)
    return recorder


def test_a_save_runs_in_the_function_not_the_pipeline(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under AVAILABLE (writers beside a runner) a save has nothing to run
    inside its transaction: it takes the function."""

    def pipeline(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the library's pipelined insert was used")

    with B2BCore.open(postgres_url, consistency=Consistency.AVAILABLE) as core:
        monkeypatch.setattr(PostgresApplicationRecorder, "insert_events", pipeline)
        account = register_account(core)
        core.change_account_attributes(account, region="Busan")

        assert [e.originator_version for e in core.event_log.events.get(account)] == [
            1,
            2,
        ]
        assert recorder_of(core).one_round_trip


def test_a_clash_in_the_function_is_a_concurrency_error(postgres_url: str) -> None:
    with (
        B2BCore.open(postgres_url, consistency=Consistency.AVAILABLE) as first,
        B2BCore.open(postgres_url, consistency=Consistency.AVAILABLE) as second,
    ):
        account = register_account(first)
        second.account(account)
        first.change_account_attributes(account, region="Busan")

        with pytest.raises(ConcurrencyError):
            second.handle(
                c.ChangeAccountAttributes(account, region="Daegu"),
                expected_version=1,
            )


def test_without_the_function_a_save_takes_the_library_path(postgres_url: str) -> None:
    schema = postgres_url.rsplit("schema=", 1)[1]
    with B2BCore.open(postgres_url, consistency=Consistency.AVAILABLE) as core:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f"DROP FUNCTION {schema}.{INSERT_FUNCTION}")

        account = register_account(core)

        assert core.exists(account)
        assert not recorder_of(core).one_round_trip
