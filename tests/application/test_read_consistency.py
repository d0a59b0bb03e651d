"""Reads never write: a query reads the read models as they stand, waiting
under ``Consistency.LOG_HEAD`` until they hold the log head it read first,
and answering at once under ``Consistency.AVAILABLE`` (docs/projections.md)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import date
from uuid import UUID

import pytest
from eventsourcing.persistence import Recording

from b2bcore import (
    B2BCore,
    ConfigurationError,
    Consistency,
    FixedClock,
    ReadModelBehindError,
)
from b2bcore.domain.errors import ProjectionError
from b2bcore.readmodels.facts.tables import TABLES
from b2bcore.readmodels.facts.versions import known_bound
from b2bcore.readmodels.projection import READ_MODEL_VERSION, VERSION_MARK
from tests.helpers import record_foreign_event, register_account

TODAY = date(2024, 11, 1)
#: The recorded-time bound of the rows known now.
NOW = known_bound(None)


@pytest.fixture
def available(store_url: str) -> Iterator[B2BCore]:
    """A server-style core: saves only record, nothing catches up."""
    with B2BCore.open(
        store_url, clock=FixedClock(TODAY), consistency=Consistency.AVAILABLE
    ) as core:
        yield core


def positions(core: B2BCore) -> dict[str, int]:
    return {
        name: core.projector.store.position(name) for name in core.projector.projections
    }


def test_a_save_under_available_leaves_the_read_models_to_a_runner(
    available: B2BCore,
) -> None:
    register_account(available)

    assert available.read_status().behind == 1
    assert available.segmentation().ranking == ()


def test_a_query_never_moves_the_read_models(available: B2BCore) -> None:
    register_account(available)
    before = positions(available)

    available.segmentation()
    available.renewal_queue()
    available.pipeline_kpis()

    assert positions(available) == before


def test_an_explicit_catch_up_brings_the_answer_to_the_log_head(
    available: B2BCore,
) -> None:
    register_account(available)

    assert available.catch_up() == 1

    assert available.read_status().behind == 0
    assert len(available.segmentation().ranking) == 1


def test_the_embedded_default_sees_its_own_saves_at_once(store_url: str) -> None:
    with B2BCore.open(store_url, clock=FixedClock(TODAY)) as core:
        register_account(core)

        assert core.read_status().behind == 0
        assert len(core.segmentation().ranking) == 1


def test_a_log_head_query_behind_a_silent_writer_fails_naming_both_positions(
    durable_url: str,
) -> None:
    with (
        B2BCore.open(durable_url, consistency=Consistency.AVAILABLE) as writer,
        B2BCore.open(durable_url, wait_seconds=0.2) as reader,
    ):
        register_account(writer)
        before = positions(reader)

        with pytest.raises(ReadModelBehindError) as behind:
            reader.segmentation()

        assert (behind.value.position, behind.value.head) == (0, 1)
        assert "b2b projections catch-up" in str(behind.value)
        assert positions(reader) == before


def test_a_log_head_query_waits_for_a_runner_to_catch_up(durable_url: str) -> None:
    with (
        B2BCore.open(durable_url, consistency=Consistency.AVAILABLE) as writer,
        B2BCore.open(durable_url, wait_seconds=30) as reader,
    ):
        register_account(writer)
        runner = threading.Timer(0.2, writer.catch_up)
        runner.start()
        try:
            answer = reader.segmentation()
        finally:
            runner.join()

    assert len(answer.ranking) == 1


def test_a_poison_event_met_after_a_save_keeps_the_save_and_stops_the_next_query(
    store_url: str,
) -> None:
    with B2BCore.open(store_url, clock=FixedClock(TODAY)) as core:
        record_foreign_event(
            core, topic="b2bcore:account:Registered", state=b"not the JSON of an event"
        )
        account = register_account(core)

        assert core.exists(account)
        # Not a ReadModelBehindError after waiting: the stop is reported.
        with pytest.raises(ProjectionError) as stopped:
            core.segmentation()
        assert stopped.value.position == 1


def test_read_models_an_older_b2bcore_wrote_are_rebuilt_on_open(
    durable_url: str,
) -> None:
    with B2BCore.open(durable_url, clock=FixedClock(TODAY)) as core:
        register_account(core)
        # What an older b2bcore left: positions at the head, no version
        # mark and none of the report tables' rows.
        core.projector.store.reset(VERSION_MARK, TABLES)
        assert core.projector.store.account_rows(known=NOW) == []

    with B2BCore.open(durable_url, clock=FixedClock(TODAY)) as reopened:
        store = reopened.projector.store
        assert store.position(VERSION_MARK) == READ_MODEL_VERSION
        assert reopened.read_status().behind == 0
        assert [row[1] for row in store.account_rows(known=NOW)] == ["(주)효원"]


def test_a_save_commits_its_read_rows_with_its_events(
    durable_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite and PostgreSQL the read rows are written in the save's own
    transaction: no second one after it."""
    with B2BCore.open(durable_url, clock=FixedClock(TODAY)) as core:

        def no_second_transaction(*args: object) -> None:
            raise AssertionError("the read models were caught up after the save")

        monkeypatch.setattr(core, "_caught_up_after_save", no_second_transaction)
        register_account(core)

        assert core.read_status().behind == 0
        assert len(core.segmentation().ranking) == 1


def test_a_failure_projecting_inside_the_save_keeps_the_save(
    durable_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with B2BCore.open(durable_url, clock=FixedClock(TODAY)) as core:
        healthy = core.projector.apply_saved

        def broken_inside(
            recordings: Sequence[Recording[UUID]], store: object = None
        ) -> bool:
            if store is not None:
                raise RuntimeError("a read-model bug")
            return healthy(recordings)

        monkeypatch.setattr(core.projector, "apply_saved", broken_inside)
        account = register_account(core)

        assert core.exists(account)
        assert core.read_status().behind == 0
        assert len(core.segmentation().ranking) == 1


def test_a_store_failing_after_a_save_keeps_the_command_done_and_says_why(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command whose events are recorded is never answered as refused (a
    retry would record it again), whatever fails in the catch-up after it:
    the next query names the failure; a catch-up that works ends it."""
    with B2BCore.open(store_url, clock=FixedClock(TODAY), wait_seconds=0) as core:
        with monkeypatch.context() as failing:

            def too_large(*args: object, **kwargs: object) -> None:
                raise OverflowError("Python int too large to convert to SQLite INTEGER")

            failing.setattr(core.projector, "apply_saved", too_large)
            account = register_account(core)

        assert core.exists(account)
        with pytest.raises(ReadModelBehindError, match="the last catch-up failed: "):
            core.segmentation()
        core.catch_up()
        assert len(core.segmentation().ranking) == 1


@pytest.mark.parametrize(
    ("option", "value", "rule"),
    [
        ("consistency", "eventually", "is not one of log-head, available"),
        ("wait_seconds", -1, "must be a number of seconds ≥ 0"),
        ("wait_seconds", float("nan"), "must be a number of seconds ≥ 0"),
    ],
)
def test_a_bad_consistency_choice_is_refused_by_name(
    option: str, value: object, rule: str
) -> None:
    with pytest.raises(ConfigurationError, match=rule) as refused:
        B2BCore.open("memory://", **{option: value})  # type: ignore[arg-type]

    assert str(refused.value).startswith(f"{option}: ")


def test_the_consistency_can_be_named_in_text() -> None:
    with B2BCore.open("memory://", consistency="available") as core:  # type: ignore[arg-type]
        assert core.consistency is Consistency.AVAILABLE
