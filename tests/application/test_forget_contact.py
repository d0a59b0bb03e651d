"""Personal data that can be forgotten, on SQLite and PostgreSQL: contacts'
name, email and phone never reach the stored bytes in plaintext, and once a
person is forgotten every event still replays and every report computes with
their fields read as "[erased]" — also a contact loaded before, in another
process, since contacts are opened only when read."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import psycopg
import pytest

from b2bcore import (
    B2BCore,
    BusinessRuleError,
    Contact,
    Money,
    NotFoundError,
    Temperature,
)
from b2bcore.domain.erasure import Erasure
from b2bcore.domain.errors import VaultClosedError
from b2bcore.domain.values import ERASED
from tests.conftest import POSTGRES_URL
from tests.helpers import purchase_asset, register_account

KIM = Contact("김지은 Kim Ji-eun", "jieun.kim@hyowon.example", "+82-2-555-0147")
PARK = Contact("박서준 Park Seo-jun", "seojun.park@hyowon.example", "+82-2-555-0199")


def stored_values(url: str) -> Iterator[bytes]:
    """Every value of every row of every table in the store at ``url``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = Path(parts.path[1:])
        # The file's raw bytes too: free pages and the write-ahead log.
        yield from (p.read_bytes() for p in path.parent.glob(f"{path.name}*"))
        with sqlite3.connect(path) as connection:
            tables = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            ).fetchall()
            for (table,) in tables:
                for row in connection.execute(f'SELECT * FROM "{table}"'):
                    yield from (_bytes(value) for value in row)
        return
    schema = parse_qs(parts.query)["schema"][0]
    with psycopg.connect(
        host="127.0.0.1", user="postgres", dbname="test", password="postgres"
    ) as connection:
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema,),
        ).fetchall()
        assert tables
        for (table,) in tables:
            for row in connection.execute(f'SELECT * FROM "{schema}"."{table}"'):
                yield from (_bytes(value) for value in row)


def _bytes(value: object) -> bytes:
    if isinstance(value, bytes | memoryview):
        return bytes(value)
    return str(value).encode()


def plaintexts(contact: Contact) -> list[bytes]:
    """Each personal field as UTF-8 and as JSON would escape it."""
    fields = [contact.name, contact.email or "", contact.phone or ""]
    found = [f.encode() for f in fields]
    found += [f.encode("unicode_escape") for f in fields]
    return found


def leaked(url: str, contact: Contact) -> list[bytes]:
    needles = plaintexts(contact)
    return [n for value in stored_values(url) for n in needles if n in value]


def test_contacts_are_sealed_and_a_forgotten_one_reads_erased(
    durable_url: str,
) -> None:
    with B2BCore.open(durable_url, snapshot_interval=2) as core:
        account_id = register_account(core)
        asset_id = purchase_asset(core, account_id, contact=KIM)
        core.install_asset(
            asset_id, usage_end_on=date(2025, 1, 19), on=date(2024, 1, 20)
        )
        core.pay_installment(
            asset_id, number=1, amount=Money.of(5_950_000, "KRW"), on=date(2024, 2, 15)
        )
        lead_id = core.capture_lead(
            company="(주)효원",
            source="web",
            temperature=Temperature.WARM,
            contact=KIM,
            on=date(2024, 3, 1),
        )
        other_id = core.capture_lead(
            company="(주)효원",
            source="fair",
            temperature=Temperature.HOT,
            contact=PARK,
            need="10 vans",
            on=date(2024, 3, 2),
        )
        core.qualify_lead(lead_id, need="20 vans", on=date(2024, 3, 5))
        core.projector.catch_up()
        before_forgetting = datetime.now(UTC)

        assert core.asset(asset_id).contact == KIM
        assert leaked(durable_url, Contact("(주)효원")), "the scan reads the log"
        assert leaked(durable_url, KIM) == []
        assert leaked(durable_url, PARK) == []

        core.forget_contact(KIM.id, reason="data subject asked to be forgotten")
        core.projector.rebuild()

        erased = Contact.forgotten(KIM.id)
        assert core.asset(asset_id).contact == erased
        assert str(core.asset(asset_id).contact) == ERASED
        assert core.lead(lead_id).contact == erased
        assert core.lead(lead_id, version=1).contact == erased
        assert core.lead(lead_id, as_of=date(2024, 3, 1)).contact == erased
        assert core.asset(asset_id, known_at=before_forgetting).contact == erased
        assert core.lead(other_id).contact == PARK
        assert core.renewal_queue(as_of=date(2024, 6, 1), within=3650) is not None
        assert core.pipeline_kpis(as_of=date(2024, 6, 1)) is not None
        assert core.account_history(account_id, as_of=date(2024, 6, 1))
        assert leaked(durable_url, KIM) == []
        assert leaked(durable_url, PARK) == []
        forgotten: Erasure = core.event_log.repository.get(Erasure.id_for(KIM.id))
        assert forgotten.person_id == KIM.id

    with B2BCore.open(durable_url) as reopened:
        assert reopened.asset(asset_id).contact == erased
        assert reopened.lead(other_id).contact == PARK


def test_forgetting_twice_is_refused(durable_url: str) -> None:
    with B2BCore.open(durable_url) as core:
        purchase_asset(core, register_account(core), contact=KIM)
        core.forget_contact(KIM.id, reason="asked")

        with pytest.raises(BusinessRuleError, match="already forgotten"):
            core.forget_contact(KIM.id, reason="asked again")


def test_forgetting_an_unknown_contact_is_not_found(durable_url: str) -> None:
    with B2BCore.open(durable_url) as core, pytest.raises(NotFoundError):
        core.forget_contact(PARK.id, reason="asked")


def test_a_contact_loaded_before_another_process_forgets_it_opens_erased(
    durable_url: str,
) -> None:
    with (
        B2BCore.open(durable_url) as core,
        B2BCore.open(durable_url) as other_process,
    ):
        asset_id = purchase_asset(core, register_account(core), contact=KIM)
        assert core.asset(asset_id).contact == KIM
        loaded = core.asset(asset_id).contact

        other_process.forget_contact(KIM.id, reason="asked to be forgotten")

        assert loaded == Contact.forgotten(KIM.id)
        assert core.asset(asset_id).contact == Contact.forgotten(KIM.id)


def test_a_contact_is_read_while_its_store_is_open(durable_url: str) -> None:
    with B2BCore.open(durable_url) as core:
        asset_id = purchase_asset(core, register_account(core), contact=KIM)
        kept, unread = core.asset(asset_id).contact, core.asset(asset_id).contact
        assert kept.name == KIM.name

    assert kept == KIM
    with pytest.raises(VaultClosedError, match=f"contact {KIM.id}: name, email"):
        str(unread)


def test_a_contact_recorded_after_another_process_forgot_it_gets_a_new_key(
    durable_url: str,
) -> None:
    with (
        B2BCore.open(durable_url) as core,
        B2BCore.open(durable_url) as other_process,
    ):
        account_id = register_account(core)
        purchase_asset(core, account_id, contact=KIM)
        other_process.forget_contact(KIM.id, reason="asked to be forgotten")

        again = purchase_asset(core, account_id, contact=KIM, order_reference="2")

        assert core.asset(again).contact == KIM


def with_lock_timeout(url: str) -> str:
    """``url`` whose lock waits give up after one second."""
    return f"{url}{'&' if '?' in url else '?'}lock_timeout=1"


class KeyFiles:
    """The files of the store at ``url`` that can hold a person's key, and
    the key itself, read behind the store's back."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.sqlite = Path(parts.path[1:]) if parts.scheme == "sqlite" else None
        self.schema = None if self.sqlite else parse_qs(parts.query)["schema"][0]
        self.seen: set[Path] = set()

    def key(self, person_id: UUID) -> bytes:
        if self.sqlite:
            with closing(sqlite3.connect(self.sqlite)) as db:
                (key,) = db.execute(
                    "SELECT key FROM b2bcore_personal_keys WHERE person_id = ?",
                    (str(person_id),),
                ).fetchone()
            return bytes(key)
        with psycopg.connect(POSTGRES_URL) as db:
            row = db.execute(
                f'SELECT key FROM "{self.schema}".b2bcore_personal_keys '
                "WHERE person_id = %s",
                (person_id,),
            ).fetchone()
        assert row is not None
        return bytes(row[0])

    def paths(self) -> list[Path]:
        """The SQLite file and its write-ahead log; on PostgreSQL the keys
        table's file (flushed first), and any it had before."""
        if self.sqlite:
            return list(self.sqlite.parent.glob(f"{self.sqlite.name}*"))
        with psycopg.connect(POSTGRES_URL, autocommit=True) as db:
            db.execute("CHECKPOINT")
            row = db.execute(
                "SELECT current_setting('data_directory'), pg_relation_filepath(%s)",
                (f'"{self.schema}".b2bcore_personal_keys',),
            ).fetchone()
        assert row is not None
        directory, relative = row
        path = Path(directory) / relative
        if not os.access(path, os.R_OK):
            message = f"PostgreSQL's data files are not readable here ({path})"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
        self.seen.add(path)
        return sorted(p for p in self.seen if p.exists())

    def holding(self, key: bytes) -> list[Path]:
        return [path for path in self.paths() if key in path.read_bytes()]


def test_a_forgotten_key_is_overwritten_in_the_database_files(
    durable_url: str,
) -> None:
    files = KeyFiles(durable_url)
    with B2BCore.open(durable_url) as core:
        purchase_asset(core, register_account(core), contact=KIM)
        key = files.key(KIM.id)
        assert files.holding(key), "the scan finds the key before forgetting"

        erased = core.forget_contact(KIM.id, reason="asked to be forgotten")

        assert (erased.complete, erased.pending) == (True, "")
        assert files.holding(key) == []


def read_transaction(url: str) -> Callable[[], None]:
    """Another connection, holding a read transaction on the keys table
    until the returned function is called."""
    db: Any
    if url.startswith("sqlite"):
        db = sqlite3.connect(urlsplit(url).path[1:], isolation_level=None)
        db.execute("BEGIN")
        db.execute("SELECT count(*) FROM b2bcore_personal_keys").fetchone()
    else:
        schema = parse_qs(urlsplit(url).query)["schema"][0]
        db = psycopg.connect(POSTGRES_URL)
        db.execute(f'SELECT count(*) FROM "{schema}".b2bcore_personal_keys')

    def end() -> None:
        db.commit()
        db.close()

    return end


def test_a_reader_blocking_the_overwrite_leaves_it_pending_until_retried(
    durable_url: str,
) -> None:
    files = KeyFiles(durable_url)
    with B2BCore.open(with_lock_timeout(durable_url)) as core:
        purchase_asset(core, register_account(core), contact=KIM)
        key = files.key(KIM.id)
        end_reading = read_transaction(durable_url)
        try:
            erased = core.forget_contact(KIM.id, reason="asked to be forgotten")

            assert not erased.complete
            assert "b2b audit overwrite-keys" in erased.pending
            assert core.overwrite_forgotten_keys().pending == erased.pending
            assert files.holding(key)
        finally:
            end_reading()

        assert core.overwrite_forgotten_keys().complete
        assert files.holding(key) == []


@pytest.mark.postgres
def test_a_transaction_begun_before_the_erasure_anywhere_leaves_it_pending(
    postgres_url: str,
) -> None:
    """A rewrite copies a deleted row that an older transaction may still
    read, in whatever table it reads: the overwrite waits for it, and says it
    is pending rather than claim a key its file still holds is gone."""
    files = KeyFiles(postgres_url)
    with B2BCore.open(with_lock_timeout(postgres_url)) as core:
        purchase_asset(core, register_account(core), contact=KIM)
        key = files.key(KIM.id)
        elsewhere = psycopg.connect(POSTGRES_URL)
        elsewhere.execute("SELECT 1")  # a transaction, on no b2bcore table
        try:
            erased = core.forget_contact(KIM.id, reason="asked to be forgotten")

            assert not erased.complete
            assert "began before it was deleted" in erased.pending
        finally:
            elsewhere.rollback()
            elsewhere.close()

        assert core.overwrite_forgotten_keys().complete
        assert files.holding(key) == []
