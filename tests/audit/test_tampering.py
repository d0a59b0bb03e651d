"""Tampering with the stored log directly in the database — an event's bytes
edited, one deleted, two swapped, one inserted, the tail cut off, the chain
rewritten with them — is detected and located by ``verify_log``, and so is
an edited snapshot or read-model row, on SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import pytest

from b2bcore import B2BCore, FixedClock, Grade
from b2bcore.application.paging import notifications
from b2bcore.audit.verification import Problem
from b2bcore.domain.errors import BusinessRuleError
from b2bcore_adapters.demo.book import AS_OF, record_hyowon
from tests.conftest import POSTGRES_URL

KEY = "audit key"


class SQLiteDatabase:
    """``stored_events``, with the rowid as the log position."""

    table, position = "stored_events", "rowid"
    chain, tracking = "b2bcore_chain_links", "tracking"
    snapshots, assets = "stored_snapshots", "b2bcore_fact_assets"
    text = "CAST(replace(CAST(state AS TEXT), %s, %s) AS BLOB)"
    concat = "CAST(state || x'20' AS BLOB)"

    def __init__(self, url: str) -> None:
        self.path = urlsplit(url).path[1:]

    @staticmethod
    def id(aggregate_id: UUID) -> str:
        return aggregate_id.hex

    def execute(self, *statements: tuple[str, tuple[Any, ...]]) -> None:
        with closing(sqlite3.connect(self.path)) as connection, connection:
            for sql, params in statements:
                connection.execute(sql.replace("%s", "?"), params)


class PostgresDatabase:
    """``b2bcore_events`` in the test's schema."""

    position = "notification_id"
    concat = "state || '\\x20'::bytea"
    text = "convert_to(replace(convert_from(state, 'UTF8'), %s, %s), 'UTF8')"

    def __init__(self, url: str) -> None:
        schema = parse_qs(urlsplit(url).query)["schema"][0]
        self.table = f"{schema}.b2bcore_events"
        self.chain = f"{schema}.b2bcore_chain_links"
        self.tracking = f"{schema}.b2bcore_tracking"
        self.snapshots = f"{schema}.b2bcore_snapshots"
        self.assets = f"{schema}.b2bcore_fact_assets"

    @staticmethod
    def id(aggregate_id: UUID) -> UUID:
        return aggregate_id

    def execute(self, *statements: tuple[str, tuple[Any, ...]]) -> None:
        import psycopg  # noqa: PLC0415 - an optional extra

        with psycopg.connect(POSTGRES_URL) as connection:
            for sql, params in statements:
                connection.execute(sql, params)


class Tamperer:
    """Edits the stored events behind the application's back."""

    def __init__(self, database: SQLiteDatabase | PostgresDatabase) -> None:
        self.db = database
        self.t, self.p = database.table, database.position

    def alter(self, position: int) -> None:
        self.db.execute(
            (
                f"UPDATE {self.t} SET state = {self.db.concat} WHERE {self.p} = %s",
                (position,),
            )
        )

    def delete(self, position: int) -> None:
        self.db.execute((f"DELETE FROM {self.t} WHERE {self.p} = %s", (position,)))

    def swap(self, first: int, second: int) -> None:
        move = f"UPDATE {self.t} SET {self.p} = %s WHERE {self.p} = %s"
        self.db.execute(
            (move, (-1, first)), (move, (first, second)), (move, (second, -1))
        )

    def forget_chain(self) -> None:
        """Drop every link and the chain's position."""
        self.db.execute(
            (f"DELETE FROM {self.db.chain}", ()),
            (
                f"DELETE FROM {self.db.tracking} WHERE application_name = %s",
                ("audit_chain",),
            ),
        )

    def cut_tail(self, first: int) -> None:
        """Delete the events from ``first`` on, and their links."""
        self.db.execute(
            (f"DELETE FROM {self.t} WHERE {self.p} >= %s", (first,)),
            (f"DELETE FROM {self.db.chain} WHERE position >= %s", (first,)),
            (
                f"UPDATE {self.db.tracking} SET notification_id = %s "
                "WHERE application_name = %s",
                (first - 1, "audit_chain"),
            ),
        )

    def edit_snapshot(
        self, aggregate_id: UUID, version: int, old: str, new: str
    ) -> None:
        """Replace ``old`` by ``new`` in one stored snapshot."""
        self.db.execute(
            (
                f"UPDATE {self.db.snapshots} SET state = {self.db.text} "
                "WHERE originator_id = %s AND originator_version = %s",
                (old, new, self.db.id(aggregate_id), version),
            )
        )

    def edit_asset_fact(self, owner: str) -> None:
        """Give every asset's report row another owner."""
        self.db.execute((f"UPDATE {self.db.assets} SET owner = %s", (owner,)))

    def insert(self, position: int) -> None:
        """A forged event at ``position``, the later events renumbered."""
        self.db.execute(
            (
                f"UPDATE {self.t} SET {self.p} = -{self.p} WHERE {self.p} >= %s",
                (position,),
            ),
            (f"UPDATE {self.t} SET {self.p} = 1 - {self.p} WHERE {self.p} < 0", ()),
            (
                f"INSERT INTO {self.t} (originator_id, originator_version, topic, "
                f"state, {self.p}) SELECT originator_id, 999, topic, state, %s "
                f"FROM {self.t} WHERE {self.p} = %s",
                (position, position + 1),
            ),
        )


@pytest.fixture
def tamper(durable_url: str) -> Tamperer:
    if durable_url.startswith("sqlite"):
        return Tamperer(SQLiteDatabase(durable_url))
    return Tamperer(PostgresDatabase(durable_url))


@pytest.fixture
def core(durable_url: str) -> Iterator[B2BCore]:
    with B2BCore.open(durable_url, clock=FixedClock(AS_OF)) as opened:
        record_hyowon(opened)
        yield opened


def reopened(url: str) -> B2BCore:
    return B2BCore.open(url, clock=FixedClock(AS_OF))


def test_an_untouched_log_verifies(core: B2BCore) -> None:
    status = core.verify_log()

    assert (status.ok, status.count) == (True, core.log_position())
    assert status.describe() == f"OK: {status.count} events, head {status.head}"


def test_the_chain_follows_the_log_as_it_grows(core: B2BCore) -> None:
    before = core.verify_log()
    core.register_sales_rep(name="park.minjun", manager="choi", office="Suwon")

    after = core.verify_log()

    assert after.ok
    assert after.count == before.count + 1
    assert after.head != before.head


def test_an_edited_event_is_altered(
    core: B2BCore, tamper: Tamperer, durable_url: str
) -> None:
    core.verify_log()

    tamper.alter(7)

    with reopened(durable_url) as again:
        status = again.verify_log()
    assert (status.ok, status.problem, status.first_bad_position) == (
        False,
        Problem.ALTERED,
        7,
    )
    assert status.describe().startswith("ALTERED at position 7: ")


def test_a_deleted_event_is_located(core: B2BCore, tamper: Tamperer) -> None:
    core.verify_log()

    tamper.delete(5)

    status = core.verify_log()
    assert (status.problem, status.first_bad_position) == (Problem.DELETED, 5)


def test_two_swapped_events_are_reordered(core: B2BCore, tamper: Tamperer) -> None:
    core.verify_log()

    tamper.swap(4, 9)

    status = core.verify_log()
    assert (status.problem, status.first_bad_position) == (Problem.REORDERED, 4)


def test_an_inserted_event_is_located(core: B2BCore, tamper: Tamperer) -> None:
    core.verify_log()

    tamper.insert(6)

    status = core.verify_log()
    assert (status.problem, status.first_bad_position) == (Problem.INSERTED, 6)


def test_an_event_edited_before_it_was_linked_passes_without_a_checkpoint(
    core: B2BCore, tamper: Tamperer
) -> None:
    # The chain links what it finds: an edit before the first verification
    # is not visible (docs/audit.md: verify or checkpoint often).
    tamper.alter(3)

    assert core.verify_log().ok


def test_a_rewritten_chain_is_located_at_the_edit_by_the_checkpoint(
    core: B2BCore, tamper: Tamperer, durable_url: str
) -> None:
    checkpoint = core.checkpoint(key=KEY)
    tamper.alter(3)
    # The forger also drops the chain and lets it be rebuilt from the edited log.
    tamper.forget_chain()

    with reopened(durable_url) as again:
        unanchored = again.verify_log()
        status = again.verify_log(checkpoint, key=KEY)

    assert unanchored.ok
    assert unanchored.explain()[-1].startswith("tail not anchored: no checkpoint")
    assert (status.ok, status.problem, status.first_bad_position) == (
        False,
        Problem.ALTERED,
        3,
    )


def test_a_cut_off_tail_is_located_by_the_checkpoint(
    core: B2BCore, tamper: Tamperer, durable_url: str
) -> None:
    checkpoint = core.checkpoint(key=KEY)

    tamper.cut_tail(20)

    with reopened(durable_url) as again:
        assert again.verify_log().ok
        status = again.verify_log(checkpoint, key=KEY)
    assert (status.ok, status.problem, status.first_bad_position) == (
        False,
        Problem.DELETED,
        20,
    )


def test_events_after_the_checkpoint_are_reported_not_anchored(
    core: B2BCore,
) -> None:
    checkpoint = core.checkpoint(key=KEY)
    core.register_sales_rep(name="park.minjun", manager="choi", office="Suwon")

    status = core.verify_log(checkpoint, key=KEY)

    assert (status.ok, status.anchored, status.end) == (
        True,
        checkpoint.position,
        checkpoint.position + 1,
    )
    assert status.explain()[-1] == (
        f"tail not anchored: last checkpoint at position {checkpoint.position}; "
        f"positions {checkpoint.position + 1}-{checkpoint.position + 1} would pass "
        "an edit that also rewrote the chain, or being cut off"
    )


def position_of(core: B2BCore, aggregate_id: UUID, version: int) -> int:
    return next(
        n.id
        for n in notifications(core.event_log.recorder)
        if UUID(str(n.originator_id)) == aggregate_id
        and n.originator_version == version
    )


def test_an_edited_snapshot_is_located_even_after_a_rebuild(
    tamper: Tamperer, durable_url: str
) -> None:
    with B2BCore.open(
        durable_url, clock=FixedClock(AS_OF), snapshot_interval=2
    ) as core:
        _, asset, _ = record_hyowon(core)
        version = core.asset(asset).version
        assert core.verify_log().snapshots > 0

        tamper.edit_snapshot(asset, version, '"owner":"park', '"owner":"kim')
        core.projector.rebuild()

        with B2BCore.open(durable_url, snapshot_interval=2) as again:
            assert again.asset(asset).owner.startswith("kim")
            status = again.verify_log()
        assert (status.ok, status.problem, status.first_bad_position) == (
            False,
            Problem.SNAPSHOT,
            position_of(core, asset, version),
        )
    assert f"the snapshot of {asset} at version {version} differs" in status.detail
    assert "(in owner)" in status.detail


def test_an_edited_read_model_row_fails_a_deep_verification(
    core: B2BCore, tamper: Tamperer
) -> None:
    owner = "someone.else"
    tamper.edit_asset_fact(owner)
    queue = core.renewal_queue(as_of=AS_OF, within=3650, grade=Grade.KEY)
    assert {item.owner for item in queue} == {owner}

    shallow, deep = core.verify_log(), core.verify_log(deep=True)

    assert (shallow.ok, shallow.read_model_rows) == (True, None)
    assert "not checked: the read models (verify --deep)" in shallow.explain()
    assert (deep.ok, deep.problem, deep.first_bad_position) == (
        False,
        Problem.READ_MODEL,
        None,
    )
    assert "a b2bcore_fact_assets row of " in deep.detail
    assert deep.describe().startswith("READ_MODEL: a b2bcore_fact_assets row of ")


def test_an_untouched_store_passes_a_deep_verification(core: B2BCore) -> None:
    status = core.verify_log(deep=True)

    assert status.ok
    assert status.read_model_rows


def test_a_tampered_log_is_never_signed(core: B2BCore, tamper: Tamperer) -> None:
    core.verify_log()
    tamper.delete(5)

    with pytest.raises(BusinessRuleError, match="cannot sign: DELETED at position 5"):
        core.checkpoint(key=KEY)
