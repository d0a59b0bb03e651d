"""Tenants: each client company's log apart from every other's, on every
store; created, listed and removed (erased) through the directory, each
change recorded in it with who and why; a long-lived directory follows the
moves and removals another process makes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import attrs
import pytest

from b2bcore import (
    AlreadyExistsError,
    B2BCore,
    BusinessRuleError,
    ConfigurationError,
    FixedClock,
    NotFoundError,
    ValidationError,
)
from b2bcore.application import storage
from b2bcore.application import tenants as tenants_module
from b2bcore.application.storage import backend_of
from b2bcore.application.tenants import Tenants, store_of
from b2bcore.domain.aggregate import Provenance
from b2bcore.domain.tenant import Tenant, tenant_id
from b2bcore_adapters.persistence.backends import Backend
from tests.conftest import POSTGRES_URL, store_left
from tests.helpers import register_account, stored_events

TODAY = date(2024, 6, 1)


@pytest.fixture
def tenants(store_url: str) -> Iterator[Tenants]:
    with Tenants.open(store_url, clock=FixedClock(TODAY), actor="ops") as opened:
        yield opened
        for entry in opened.entries():  # the schemas beside the test's
            opened.remove(entry.name, reason="test over")


def test_each_tenant_reads_and_writes_only_its_own_log(tenants: Tenants) -> None:
    tenants.create("acme", reason="signed")
    tenants.create("beta")

    acme = register_account(tenants.core("acme"), name="Acme")
    beta = register_account(tenants.core("beta"), name="Beta")

    assert [a.id for a in tenants.core("acme").accounts()] == [acme]
    assert [a.id for a in tenants.core("beta").accounts()] == [beta]
    assert not tenants.core("beta").exists(acme)
    assert tenants.core("acme").verify_log().ok
    assert tenants.directory.accounts() == ()


def test_the_directory_lists_tenants_and_records_who_made_each_change(
    tenants: Tenants,
) -> None:
    made = tenants.create("beta", reason="signed")
    tenants.create("acme")
    tenants.remove("beta", reason="contract ended", actor="kim")

    assert [e.name for e in tenants.entries()] == ["acme"]
    assert [e.name for e in tenants.entries(removed=True)] == ["acme", "beta"]
    assert made.created_on == TODAY
    assert tenants.entries(removed=True)[1].removed_on == TODAY
    created, removed = stored_events(tenants.directory, tenant_id("beta"))
    assert isinstance(created, Tenant.Created)
    assert (created.actor, created.reason, created.url) == ("ops", "signed", made.url)
    assert isinstance(removed, Tenant.Removed)
    assert (removed.actor, removed.reason) == ("kim", "contract ended")


def test_a_name_is_never_given_twice(tenants: Tenants) -> None:
    tenants.create("acme")
    tenants.remove("acme", reason="left")

    with pytest.raises(AlreadyExistsError, match="'acme' is taken"):
        tenants.create("acme")
    with pytest.raises(NotFoundError, match="'acme' was removed on 2024-06-01"):
        tenants.core("acme")


@pytest.mark.parametrize(
    ("name", "url", "field"),
    [
        ("Acme", None, "name"),
        ("1acme", None, "name"),
        ("a" * 41, None, "name"),
        ("ac-me", None, "name"),
        ("acme", "not a url", "url"),
        ("acme", "postgresql://u:secret@db/x?schema=s", "url"),
    ],
)
def test_a_bad_name_or_url_is_refused_and_nothing_recorded(
    tenants: Tenants, name: str, url: str | None, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        tenants.create(name, url=url)

    assert refused.value.field == field
    assert tenants.directory.log_position() == 0


def test_removing_needs_a_reason_and_records_nothing_without_one(
    tenants: Tenants,
) -> None:
    tenants.create("acme")
    core = tenants.core("acme")
    account = register_account(core)

    with pytest.raises(BusinessRuleError, match="reason"):
        tenants.remove("acme", reason=" ")

    assert tenants.core("acme").exists(account)
    assert [e.name for e in tenants.entries()] == ["acme"]


def test_a_removal_whose_erasing_fails_is_finished_by_running_it_again(
    durable_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenants = Tenants.open(durable_url, clock=FixedClock(TODAY))
    tenants.create("acme")
    url = tenants.entry("acme").url
    register_account(tenants.core("acme"))
    backend = backend_of(url)
    assert isinstance(backend, Backend)  # the adapters' attrs class

    def lost(url: str) -> None:
        raise OSError("the tenant's database went away")

    with monkeypatch.context() as patched:
        patched.setattr(
            tenants_module, "backend_of", lambda url: attrs.evolve(backend, drop=lost)
        )
        with pytest.raises(OSError, match="went away"):
            tenants.remove("acme", reason="left")
    assert tenants.entries() == ()  # recorded: no process serves it from now on
    assert store_left(url)

    again = tenants.remove("acme", reason="left")

    assert not store_left(url)
    assert again.removed_on == TODAY
    removals = [
        e
        for e in stored_events(tenants.directory, tenant_id("acme"))
        if isinstance(e, Tenant.Removed)
    ]
    assert len(removals) == 1
    tenants.close()


def test_removing_again_never_erases_the_store_another_tenant_took_since(
    tmp_path: Path,
) -> None:
    """Since its removal a tenant's URL is free: removing it again erased
    the store of the tenant created there since."""
    shared = f"sqlite:///{tmp_path / 'shared.db'}"
    with Tenants.open(f"sqlite:///{tmp_path / 'directory.db'}") as tenants:
        tenants.create("acme", url=shared)
        tenants.remove("acme", reason="left")
        tenants.create("beta", url=shared)
        account = register_account(tenants.core("beta"))

        with pytest.raises(ValidationError, match="another tenant's store"):
            tenants.remove("acme", reason="again")

        assert tenants.core("beta").exists(account)


def test_a_removal_that_fails_to_record_can_be_run_again(
    tenants: Tenants, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenants.create("acme")
    register_account(tenants.core("acme"))

    def lost(*aggregates: object) -> None:
        raise OSError("the directory's database went away")

    with monkeypatch.context() as patched:
        patched.setattr(tenants.directory, "save", lost)
        with pytest.raises(OSError, match="went away"):
            tenants.remove("acme", reason="left")
    assert [e.name for e in tenants.entries()] == ["acme"]

    tenants.remove("acme", reason="left")

    assert tenants.entries() == ()


def test_a_removed_sqlite_tenant_leaves_no_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'directory.db'}"
    with Tenants.open(url) as tenants:
        made = tenants.create("acme")
        register_account(tenants.core("acme"))
        path = Path(urlsplit(made.url).path[1:])
        assert path.exists()

        tenants.remove("acme", reason="left")

    assert sorted(p.name for p in tmp_path.iterdir()) == ["directory.db"]


def test_a_removed_postgres_tenant_leaves_no_schema(postgres_url: str) -> None:
    import psycopg  # noqa: PLC0415 (an optional extra)

    with Tenants.open(postgres_url) as tenants:
        made = tenants.create("acme")
        register_account(tenants.core("acme"))
        schema = dict(parse_qsl(urlsplit(made.url).query))["schema"]

        tenants.remove("acme", reason="left")

    with psycopg.connect(POSTGRES_URL) as connection:
        found = connection.execute(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s",
            (schema,),
        ).fetchone()
    assert found == (0,)


def test_a_tenant_is_opened_by_name_from_its_directory(durable_url: str) -> None:
    with Tenants.open(durable_url) as tenants:
        tenants.create("acme")
        account = register_account(tenants.core("acme"))

    with B2BCore.open(durable_url, tenant="acme") as core:
        assert core.exists(account)
    with B2BCore.open(durable_url) as directory:
        assert not directory.exists(account)
    with pytest.raises(NotFoundError, match="'beta' is not in the directory"):
        B2BCore.open(durable_url, tenant="beta")
    with Tenants.open(durable_url) as tenants:
        tenants.remove("acme", reason="test over")


def test_tenants_sit_beside_their_directory() -> None:
    place = storage.backend_of

    assert place("sqlite:///data/book.db").tenant_url(
        "sqlite:///data/book.db", "acme"
    ) == ("sqlite:///data/book.acme.db")
    assert place("sqlite:////srv/b.db").tenant_url("sqlite:////srv/b.db", "x") == (
        "sqlite:////srv/b.x.db"
    )
    assert place("postgresql://h/db").tenant_url("postgresql://h/db", "acme") == (
        "postgresql://h/db?schema=tenant_acme"
    )
    assert place("postgresql://h/db?schema=s&lock_timeout=3").tenant_url(
        "postgresql://h/db?schema=s&lock_timeout=3", "acme"
    ) == ("postgresql://h/db?schema=s_acme&lock_timeout=3")


def test_a_removed_tenant_refuses_to_move() -> None:
    meta = Provenance(actor="ops", reason="left")
    tenant = Tenant.create("acme", url="memory://", on=TODAY, meta=meta)
    tenant.remove(on=TODAY, meta=meta)

    with pytest.raises(BusinessRuleError, match="removed on 2024-06-01"):
        tenant.move(url="sqlite:///elsewhere.db", on=TODAY, meta=meta)


def test_a_tenant_never_shares_the_directorys_or_another_tenants_store(
    tenants: Tenants,
) -> None:
    made = tenants.create("acme")

    for taken in (tenants.url, made.url):
        with pytest.raises(ValidationError, match="another tenant's store"):
            tenants.create("beta", url=taken)

    assert [e.name for e in tenants.entries()] == ["acme"]


def test_an_existing_store_can_become_a_tenant(tmp_path: Path, sqlite_url: str) -> None:
    existing = f"sqlite:///{tmp_path / 'existing.db'}"
    with B2BCore.open(existing) as core:
        account = register_account(core)
    with Tenants.open(sqlite_url) as tenants:
        tenants.create("acme", url=existing, reason="was a store of its own")

        assert tenants.core("acme").exists(account)


@pytest.mark.parametrize(
    ("directory", "other"),
    [
        ("postgresql://postgres@h/db", "postgresql://postgres@h/db?schema=public"),
        (
            "postgresql://h/db?schema=s",
            "postgresql://h:5432/db?schema=s&lock_timeout=5",
        ),
        ("sqlite:///x.db", "sqlite:///./x.db"),
        ("memory://a", "memory://a"),
    ],
)
def test_urls_that_open_one_store_are_the_same_store(
    directory: str, other: str
) -> None:
    assert store_of(directory) == store_of(other)
    assert store_of("memory://a") != store_of("memory://b")
    assert store_of("postgresql://h/db?schema=a") != store_of(
        "postgresql://h/db?schema=b"
    )


def test_a_schema_postgresql_would_cut_is_refused_and_nothing_recorded(
    postgres_url: str,
) -> None:
    with Tenants.open(postgres_url) as tenants:
        long_name = "t" + "x" * 39
        with pytest.raises(ConfigurationError, match="longer than PostgreSQL's 63"):
            tenants.create(long_name, url=f"{POSTGRES_URL}?schema={'s' * 64}")

        assert tenants.entries() == ()


def test_a_long_lived_directory_follows_a_move_and_a_removal_made_by_another(
    durable_url: str, move_target: str
) -> None:
    with Tenants.open(durable_url) as serving, Tenants.open(durable_url) as other:
        other.create("acme")
        beta = other.create("beta")
        before = register_account(serving.core("acme"))
        serving.core("beta")

        other.move("acme", to=move_target)
        other.remove("beta", reason="contract over")

        after = register_account(serving.core("acme"), name="after the move")
        with pytest.raises(NotFoundError, match="'beta' was removed"):
            serving.core("beta")
    with B2BCore.open(move_target) as moved:
        assert moved.existing([before, after]) == {before, after}
    assert not store_left(beta.url)


def test_a_core_held_when_its_tenant_moves_is_closed_only_after_it_is_let_go(
    durable_url: str, move_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Tenants.open(durable_url) as serving, Tenants.open(durable_url) as other:
        other.create("acme")
        held = serving.hold("acme")
        closed: list[B2BCore] = []
        monkeypatch.setattr(held.core, "close", lambda: closed.append(held.core))

        other.move("acme", to=move_target)
        moved = serving.core("acme")
        while_held = list(closed)
        held.close()
        held.close()
        serving.core("acme")

        assert moved is not held.core
        assert while_held == []
        assert closed == [held.core]


def test_a_directory_change_that_moves_no_open_tenant_keeps_its_core(
    tenants: Tenants,
) -> None:
    tenants.create("acme")
    core = tenants.core("acme")

    tenants.create("beta")
    tenants.remove("beta", reason="never used")

    assert tenants.core("acme") is core
