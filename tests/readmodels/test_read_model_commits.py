"""How a catch-up commits: several pages per transaction, so one stopped
between commits resumes from the last one; without waiting for the disk on
SQLite, while the event log's own commits still do; and a rebuild leaves the
process's garbage collector as it found it."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from typing import Any

import pytest

from b2bcore import B2BCore, Consistency
from b2bcore.readmodels.facts.tables import TABLES
from b2bcore.readmodels.projection import PAGES_PER_COMMIT
from b2bcore.readmodels.readmodel import Batch
from b2bcore_adapters.persistence.sqlite_store import SQLiteReadModelStore
from tests.helpers import bulk_history, register_account

PAGE = 7


def read_models(core: B2BCore) -> dict[str, Any]:
    """Every projection's states (decoded) and every version of every report
    row."""
    store, decode = core.projector.store, core.event_log.mapper.transcoder.decode
    found: dict[str, Any] = {
        name: {
            str(fields["_id"]): fields
            for fields in map(decode, store.scan(name, kind=p.aggregate.KIND))
        }
        for name, p in core.projector.projections.items()
    }
    for table in TABLES:
        found[table.name] = sorted(tuple(row) for row in store.fact_rows(table))
    return found


def test_a_catch_up_stopped_between_commits_resumes_to_a_fresh_rebuild(
    store_url: str,
) -> None:
    with B2BCore.open(store_url, consistency=Consistency.AVAILABLE) as core:
        head = bulk_history(core, accounts=40)
        core.projector.page_size = PAGE
        store = core.projector.store
        commit = store.commit
        commits = 0

        def dies_at_the_third_commit(batches: Sequence[Batch]) -> None:
            nonlocal commits
            commits += 1
            if commits == 3:
                raise ConnectionError("the process died")
            commit(batches)

        store.commit = dies_at_the_third_commit  # type: ignore[method-assign]
        with pytest.raises(ConnectionError):
            core.projector.rebuild()
        store.commit = commit  # type: ignore[method-assign]

        assert store.position("asset_states") == 2 * PAGES_PER_COMMIT * PAGE < head
        core.catch_up()
        resumed = read_models(core)
        core.projector.rebuild()
        assert read_models(core) == resumed
        assert store.position("asset_states") == head


def test_read_model_commits_skip_the_disk_wait_and_event_commits_keep_it(
    sqlite_url: str,
) -> None:
    with B2BCore.open(sqlite_url, consistency=Consistency.AVAILABLE) as core:
        register_account(core)
        store = core.projector.store
        assert isinstance(store, SQLiteReadModelStore)
        seen: list[int] = []
        commit_in = store.commit_in

        def noting_the_setting(cursor: Any, batches: Sequence[Batch]) -> None:
            cursor.execute("PRAGMA synchronous")
            seen.append(cursor.fetchone()[0])
            commit_in(cursor, batches)

        store.commit_in = noting_the_setting  # type: ignore[method-assign]
        core.catch_up()

        with store.datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA synchronous")
            (after,) = cursor.fetchone()
    normal, full = 1, 2
    assert seen == [normal]
    assert after == full


def test_a_rebuild_leaves_the_garbage_collector_as_it_found_it(
    memory_core: B2BCore,
) -> None:
    register_account(memory_core)
    memory_core.projector.rebuild()
    assert gc.isenabled()

    gc.disable()
    try:
        memory_core.projector.rebuild()
        assert not gc.isenabled()
    finally:
        gc.enable()
