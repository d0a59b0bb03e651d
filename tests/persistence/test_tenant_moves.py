"""Tenants on two PostgreSQL servers, and a tenant moved from one to the
other whole: its events with their positions, contacts (vault keys),
idempotency keys and delivery log; its hash chain verified at the target,
the directory switched, the original erased — and nothing lost."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit
from uuid import UUID

import pytest

from b2bcore import B2BCore, B2BCoreError, ConfigurationError, FixedClock
from b2bcore.application.tenants import Tenants
from b2bcore_adapters.alerts.delivery import delivery_log_for
from b2bcore_adapters.entrypoints.http.idempotency import (
    Outcome,
    idempotency_store_for,
)
from tests.conftest import POSTGRES_URL
from tests.helpers import purchase_asset, register_account

TODAY = date(2024, 6, 1)
KEY = b"k" * 32


def log_of(core: B2BCore) -> list[tuple[int, object, int, str, bytes]]:
    """Every stored event with its position: what a move must keep."""
    return [
        (n.id, n.originator_id, n.originator_version, n.topic, bytes(n.state))
        for n in core.event_log.recorder.select_notifications(start=1, limit=10_000)
    ]


def book(core: B2BCore) -> UUID:
    """A few facts with a contact (a vault key), an idempotency key and a
    delivered alert beside the log; the account's id."""
    account = register_account(core)
    purchase_asset(core, account)
    idempotency_store_for(core).record("key-1", Outcome("f", 201, {"id": "x"}, None))
    delivery_log_for(core).record("webhook", account)
    return account


def schemas(server: str, like: str) -> list[str]:
    import psycopg  # noqa: PLC0415 (an optional extra)

    with psycopg.connect(server) as connection:
        rows = connection.execute(
            "SELECT schema_name FROM information_schema.schemata"
            " WHERE schema_name = %s",
            (like,),
        ).fetchall()
    return [name for (name,) in rows]


def test_tenants_live_on_two_servers_and_one_moves_between_them(
    postgres_url: str, second_postgres_url: str
) -> None:
    second = f"{second_postgres_url.split('?', maxsplit=1)[0]}?schema=" + (
        dict(parse_qsl(urlsplit(second_postgres_url).query))["schema"] + "_beta"
    )
    with Tenants.open(postgres_url, clock=FixedClock(TODAY)) as tenants:
        acme = tenants.create("acme")
        tenants.create("beta", url=second)
        account = book(tenants.core("acme"))
        register_account(tenants.core("beta"), name="Beta")
        before = log_of(tenants.core("acme"))
        checkpoint = tenants.core("acme").checkpoint(key=KEY.hex())
        history = tenants.core("acme").account_history(account, as_of=TODAY)
        target = f"{second_postgres_url.split('?', maxsplit=1)[0]}?schema=" + (
            dict(parse_qsl(urlsplit(second_postgres_url).query))["schema"] + "_acme"
        )

        moved = tenants.move("acme", to=target, reason="a server of its own")

        core = tenants.core("acme")
        assert moved.url == target == tenants.entry("acme").url
        assert log_of(core) == before
        assert core.verify_log(checkpoint=checkpoint, key=KEY.hex()).ok
        assert core.account_history(account, as_of=TODAY) == history
        (asset,) = history.assets
        assert core.asset(asset.asset_id).contact.name == "이지은"
        assert idempotency_store_for(core).find("key-1") == Outcome(
            "f", 201, {"id": "x"}, None
        )
        assert delivery_log_for(core).delivered("webhook")
        assert [a.name for a in tenants.core("beta").accounts()] == ["Beta"]
        register_account(core, name="after the move")
    old_schema = dict(parse_qsl(urlsplit(acme.url).query))["schema"]
    assert schemas(POSTGRES_URL, old_schema) == []
    with B2BCore.open(postgres_url, tenant="acme") as reopened:
        assert len(reopened.accounts()) == 2


def test_a_store_opened_before_the_move_cannot_record_after_it(
    sqlite_url: str, tmp_path: Path
) -> None:
    target = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    with Tenants.open(sqlite_url) as tenants:
        made = tenants.create("acme")
        with B2BCore.open(made.url) as stale:
            account = register_account(stale)
            tenants.move("acme", to=target)

            with pytest.raises(Exception, match="no such table"):
                register_account(stale, name="lost?")

        assert tenants.core("acme").exists(account)
        assert len(tenants.core("acme").accounts()) == 1
    assert not Path(urlsplit(made.url).path[1:]).exists()


def test_a_move_to_a_store_that_holds_a_log_is_refused_and_changes_nothing(
    sqlite_url: str, tmp_path: Path
) -> None:
    occupied = f"sqlite:///{tmp_path / 'occupied.db'}"
    with B2BCore.open(occupied) as other:
        register_account(other, name="someone else")
    with Tenants.open(sqlite_url) as tenants:
        made = tenants.create("acme")
        register_account(tenants.core("acme"))

        with pytest.raises(ConfigurationError, match="already holds a log"):
            tenants.move("acme", to=occupied)

        assert tenants.entry("acme").url == made.url
        assert len(tenants.core("acme").accounts()) == 1
    with B2BCore.open(occupied) as other:
        assert [a.name for a in other.accounts()] == ["someone else"]


def test_a_move_that_fails_to_switch_drops_the_copy_and_keeps_the_tenant(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Tenants.open(postgres_url) as tenants:
        made = tenants.create("acme")
        register_account(tenants.core("acme"))
        target = made.url.replace("_acme", "_elsewhere")

        def lost(*aggregates: object) -> None:
            raise OSError("the directory went away")

        with monkeypatch.context() as patched:
            patched.setattr(tenants.directory, "save", lost)
            with pytest.raises(OSError, match="went away"):
                tenants.move("acme", to=target)

        assert tenants.entry("acme").url == made.url
        assert len(tenants.core("acme").accounts()) == 1
    elsewhere = dict(parse_qsl(urlsplit(target).query))["schema"]
    assert schemas(POSTGRES_URL, elsewhere) == []


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("memory://", "same kind"),
        ("sqlite:///x.db", "already at"),
    ],
)
def test_a_move_to_another_kind_or_the_same_place_is_refused(
    sqlite_url: str, target: str, message: str
) -> None:
    with Tenants.open(sqlite_url) as tenants:
        made = tenants.create("acme")
        wanted = made.url if target.startswith("sqlite") else target

        with pytest.raises(B2BCoreError, match=message):
            tenants.move("acme", to=wanted)

        assert tenants.entry("acme").url == made.url


def test_a_tenant_never_moves_onto_another_tenants_store(sqlite_url: str) -> None:
    with Tenants.open(sqlite_url) as tenants:
        acme = tenants.create("acme")
        beta = tenants.create("beta")
        register_account(tenants.core("acme"))

        with pytest.raises(B2BCoreError, match="another tenant's store"):
            tenants.move("acme", to=f"{beta.url}?lock_timeout=5")

        assert tenants.entry("acme").url == acme.url
        assert tenants.core("beta").accounts() == ()
