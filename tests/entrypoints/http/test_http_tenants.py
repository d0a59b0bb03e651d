"""A server of many tenants: every token is bound to the tenants it may
reach, and no request reads or writes another tenant's data — checked over
random tokens, tenant headers and routes; a tenant that another process
moves or removes is served from where it now is, or not found."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from typing import Any

import attrs
import pytest
from eventsourcing.persistence import OperationalError
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from b2bcore import B2BCore, ConfigurationError, FixedClock
from b2bcore.application import tenants as tenants_module
from b2bcore.application.storage import backend_of
from b2bcore.application.tenants import Tenants
from b2bcore_adapters.entrypoints.cli.main import main
from b2bcore_adapters.entrypoints.http import create_app, hash_token, parse_tokens
from b2bcore_adapters.persistence.backends import Backend
from tests.conftest import store_left
from tests.entrypoints.http.http_api import ACCOUNT, READER, TOKENS, WRITER
from tests.entrypoints.http.test_http_server import served as serving
from tests.helpers import register_account

TODAY = date(2024, 6, 1)
NAMES = ("acme", "beta", "gamma")
#: Each token: the tenants it reaches and whether it may write.
BOUND = {
    "acme-writer": ({"acme"}, True),
    "beta-reader": ({"beta"}, False),
    "acme-beta-writer": ({"acme", "beta"}, True),
}
TENANT_TOKENS = parse_tokens(
    "\n".join(
        f"{name}:{'write' if writes else 'read'}:{hash_token(name)}:"
        + "+".join(sorted(reach))
        for name, (reach, writes) in BOUND.items()
    )
)
FILLED = {
    "as_of": "2024-06-01",
    "start": "2024-01-01",
    "end": "2024-06-01",
    "month": "2024-05-01",
}


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[TestClient, Tenants, dict[str, str]]]:
    with Tenants.open("memory://", clock=FixedClock(TODAY)) as tenants:
        accounts = {}
        for name in NAMES:
            tenants.create(name)
            core = tenants.core(name)
            accounts[name] = str(register_account(core, name=f"{name} company"))
        app = create_app(tenants, TENANT_TOKENS)
        yield TestClient(app, raise_server_exceptions=False), tenants, accounts


def reads(api: TestClient) -> list[str]:
    """Every GET path of the API with an account id or none in it."""
    paths = api.get("/openapi.json").json()["paths"]
    return sorted(
        path
        for path, methods in paths.items()
        if "get" in methods
        and set(re.findall(r"{(\w+)}", path)) <= {"account_id", "aggregate_id"}
    )


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    token=st.sampled_from(sorted(BOUND)),
    header=st.sampled_from([None, *NAMES, "Nope", "x" * 50]),
    owner=st.sampled_from(NAMES),
    index=st.integers(min_value=0, max_value=10_000),
    write=st.booleans(),
)
def test_no_request_reaches_a_tenant_its_token_is_not_bound_to(
    served: tuple[TestClient, Tenants, dict[str, str]],
    token: str,
    header: str | None,
    owner: str,
    index: int,
    write: bool,
) -> None:
    api, tenants, accounts = served
    reach, writes = BOUND[token]
    headers = {"Authorization": f"Bearer {token}"}
    if header is not None:
        headers["B2B-Tenant"] = header
    chosen = header if header is not None else (min(reach) if len(reach) == 1 else None)
    allowed = chosen in reach

    if write:
        body = {**ACCOUNT, "name": f"made by {token} {index}"}
        answer = api.post("/accounts", json=body, headers=headers)
        made = answer.json().get("id") if answer.status_code == 201 else None
        landed = [n for n in NAMES if made and tenants.core(n).exists(made)]
        assert landed == ([chosen] if allowed and writes else [])
        expected = {201} if allowed and writes else {400, 403, 422}
        assert answer.status_code in expected, answer.text
        return

    paths = reads(api)
    path = paths[index % len(paths)]
    filled = path.replace("{account_id}", accounts[owner]).replace(
        "{aggregate_id}", accounts[owner]
    )
    answer = api.get(filled, params=FILLED, headers=headers)

    if not allowed:
        assert answer.status_code in (400, 403, 422), (filled, answer.text)
    others = [n for n in NAMES if n != chosen]
    for other in others:
        assert accounts[other] not in answer.text or answer.status_code >= 400
        assert f"{other} company" not in answer.text


def test_a_token_bound_to_several_tenants_names_one(
    served: tuple[TestClient, Tenants, dict[str, str]],
) -> None:
    api, _, accounts = served
    both = {"Authorization": "Bearer acme-beta-writer"}

    unnamed = api.get("/accounts", headers=both)
    named = api.get("/accounts", headers={**both, "B2B-Tenant": "beta"})
    outside = api.get("/accounts", headers={**both, "B2B-Tenant": "gamma"})

    assert unnamed.status_code == 400
    assert unnamed.json()["error"]["field"] == "B2B-Tenant"
    listed = {a["id"] for a in named.json()}
    assert accounts["beta"] in listed
    assert not listed & {accounts["acme"], accounts["gamma"]}
    assert outside.status_code == 403
    assert "gamma company" not in outside.text


def test_each_tenant_has_its_own_read_position_and_idempotency_keys(
    served: tuple[TestClient, Tenants, dict[str, str]],
) -> None:
    api, tenants, _ = served
    both = {"Authorization": "Bearer acme-beta-writer", "Idempotency-Key": "k-1"}
    body = {**ACCOUNT, "name": "same key"}

    first = api.post("/accounts", json=body, headers={**both, "B2B-Tenant": "acme"})
    second = api.post("/accounts", json=body, headers={**both, "B2B-Tenant": "beta"})
    again = api.post("/accounts", json=body, headers={**both, "B2B-Tenant": "acme"})

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert again.json() == first.json()
    reads = api.get("/accounts", headers={**both, "B2B-Tenant": "beta"})
    position = tenants.core("beta").log_position()
    assert reads.headers["B2B-Log-Head"] == str(position)


def test_tokens_and_the_kind_of_server_must_agree() -> None:
    with Tenants.open("memory://") as tenants:
        with pytest.raises(ConfigurationError, match="name the tenants it may reach"):
            create_app(tenants, TOKENS)
        with pytest.raises(ConfigurationError, match="serves one store"):
            create_app(tenants.directory, TENANT_TOKENS)
        # A server of one tenant serves one store (it said "name the tenants").
        with pytest.raises(ConfigurationError, match="serves one store"):
            create_app(tenants, TENANT_TOKENS, tenant="acme")


# -- a tenant moved or removed by another process -------------------------

ACME_TOKENS = parse_tokens(f"acme-service:write:{hash_token('acme-service')}:acme")
ACME = {"Authorization": "Bearer acme-service"}


@pytest.fixture
def server(durable_url: str) -> Iterator[tuple[TestClient, Tenants]]:
    """A server of the directory at ``durable_url``, whose tenant acme has
    answered a request (its core is open)."""
    with Tenants.open(durable_url, clock=FixedClock(TODAY)) as tenants:
        tenants.create("acme")
        api = TestClient(
            create_app(tenants, ACME_TOKENS), raise_server_exceptions=False
        )
        assert api.get("/accounts", headers=ACME).status_code == 200
        yield api, tenants


def b2b(*arguments: str) -> None:
    """``b2b arguments`` in a process of its own."""
    done = subprocess.run(
        [sys.executable, "-m", "b2bcore_adapters", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_a_tenant_another_process_moved_is_served_from_its_new_store(
    server: tuple[TestClient, Tenants], durable_url: str, move_target: str
) -> None:
    api, tenants = server
    old = tenants.entry("acme").url
    before = api.post("/accounts", json=ACCOUNT, headers=ACME).json()["id"]

    b2b("--db", durable_url, "tenant", "move", "acme", "--to", move_target)

    read = api.get(f"/aggregates/{before}", headers=ACME)
    after = api.post("/accounts", json={**ACCOUNT, "name": "after"}, headers=ACME)
    assert read.json() == {"exists": True, "version": 1}
    assert after.status_code == 201
    with B2BCore.open(move_target) as moved:
        assert {str(a.id) for a in moved.accounts()} == {before, after.json()["id"]}
    assert not store_left(old)


def test_a_tenant_another_process_removed_is_not_found(
    server: tuple[TestClient, Tenants], durable_url: str
) -> None:
    api, tenants = server
    old = tenants.entry("acme").url
    api.post("/accounts", json=ACCOUNT, headers=ACME)

    b2b("--db", durable_url, "tenant", "remove", "acme", "--reason", "contract over")

    read = api.get("/accounts", headers=ACME)
    write = api.post("/accounts", json={**ACCOUNT, "name": "after"}, headers=ACME)
    for answer in (read, write):
        assert answer.status_code == 404, answer.text
        error = answer.json()["error"]
        assert (error["kind"], error["field"]) == ("not_found", "id")
        assert "'acme' was removed" in error["rule"]
    assert "acme" not in api.app.state.gate.apis  # type: ignore[attr-defined]
    assert not store_left(old)


def test_a_request_while_another_process_erases_a_removed_tenant_is_not_found(
    server: tuple[TestClient, Tenants],
    durable_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api, tenants = server
    url = tenants.entry("acme").url
    made = api.post("/accounts", json=ACCOUNT, headers=ACME).json()["id"]
    backend = backend_of(url)
    assert isinstance(backend, Backend)  # the adapters' attrs class
    answers = []

    def erasing(url: str) -> None:
        backend.drop(url)
        answers.append(api.get(f"/aggregates/{made}", headers=ACME))
        answers.append(api.post("/accounts", json=ACCOUNT, headers=ACME))

    monkeypatch.setattr(
        tenants_module, "backend_of", lambda url: attrs.evolve(backend, drop=erasing)
    )
    with Tenants.open(durable_url) as other:
        other.remove("acme", reason="contract over")

    assert [a.status_code for a in answers] == [404, 404], [a.text for a in answers]
    assert not store_left(url)


def test_a_server_of_one_tenant_follows_its_move_and_its_removal(
    durable_url: str, move_target: str
) -> None:
    with Tenants.open(durable_url, clock=FixedClock(TODAY)) as tenants:
        tenants.create("acme")
    with serving(durable_url, tenant="acme") as api:  # b2b --tenant acme serve
        made = api.post("/accounts", json=ACCOUNT, headers=WRITER).json()["id"]
        b2b("--db", durable_url, "tenant", "move", "acme", "--to", move_target)
        read = api.get(f"/aggregates/{made}", headers=READER)
        after = api.post("/accounts", json={**ACCOUNT, "name": "after"}, headers=WRITER)
        named = api.get("/accounts", headers={**READER, "B2B-Tenant": "acme"})
        b2b("--db", durable_url, "tenant", "remove", "acme", "--reason", "over")
        gone = api.get("/accounts", headers=READER)

    assert read.json() == {"exists": True, "version": 1}
    assert after.status_code == 201
    assert named.status_code == 400
    assert "serves one store" in named.json()["error"]["rule"]
    assert gone.status_code == 404
    assert "'acme' was removed" in gone.json()["error"]["rule"]
    assert not store_left(move_target)


def test_serving_a_tenant_not_in_the_directory_exits_1_naming_it(
    durable_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Tenants.open(durable_url).close()
    tokens = f"svc:read:{hash_token('svc')}"

    with pytest.MonkeyPatch.context() as patched:
        patched.setenv("B2BCORE_API_TOKENS", tokens)
        code = main(["--db", durable_url, "--tenant", "nope", "serve"])

    assert code == 1
    assert "'nope' is not in the directory" in capsys.readouterr().err


def test_a_directory_unreachable_is_a_503_to_retry(
    server: tuple[TestClient, Tenants], monkeypatch: pytest.MonkeyPatch
) -> None:
    api, tenants = server

    def unreachable(*args: object, **kwargs: object) -> None:
        raise OperationalError("unable to open database file")

    recorder = tenants.directory.event_log.recorder
    with monkeypatch.context() as patched:
        patched.setattr(recorder, "max_notification_id", unreachable)
        refused = api.get("/accounts", headers=ACME)

    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "1"
    assert refused.json()["error"]["kind"] == "unavailable"
    assert api.get("/accounts", headers=ACME).status_code == 200


@pytest.mark.parametrize("failing", ["the directory's changes", "the new store"])
def test_a_move_seen_while_a_database_is_unreachable_is_a_503_then_served(
    server: tuple[TestClient, Tenants],
    durable_url: str,
    move_target: str,
    failing: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api, tenants = server
    made = api.post("/accounts", json=ACCOUNT, headers=ACME).json()["id"]
    with Tenants.open(durable_url) as other:
        other.move("acme", to=move_target)

    def unreachable(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        if failing == "the new store":
            patched.setattr(B2BCore, "open", unreachable)
        else:
            recorder = tenants.directory.event_log.recorder
            patched.setattr(recorder, "select_notifications", unreachable)
        refused = api.post("/accounts", json={**ACCOUNT, "name": "x"}, headers=ACME)
    served = api.get(f"/aggregates/{made}", headers=ACME)

    assert refused.status_code == 503, refused.text
    assert refused.json()["error"]["kind"] == "unavailable"
    assert served.json() == {"exists": True, "version": 1}
    with B2BCore.open(move_target) as moved:
        assert [str(a.id) for a in moved.accounts()] == [made]


@pytest.mark.parametrize("change", ["move", "remove"])
def test_a_write_under_way_when_its_tenant_moves_or_goes_is_a_503_to_retry(
    server: tuple[TestClient, Tenants],
    durable_url: str,
    move_target: str,
    change: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api, tenants = server
    old = tenants.entry("acme").url
    core = tenants.core("acme")
    handle = core.handle

    def changed_meanwhile(command: Any, **options: Any) -> Any:
        with Tenants.open(durable_url) as other:
            if change == "move":
                other.move("acme", to=move_target)
            else:
                other.remove("acme", reason="contract over")
        return handle(command, **options)

    monkeypatch.setattr(core, "handle", changed_meanwhile)
    under_way = api.post("/accounts", json=ACCOUNT, headers=ACME)
    retried = api.post("/accounts", json=ACCOUNT, headers=ACME)

    assert under_way.status_code == 503, under_way.text
    assert under_way.headers["Retry-After"] == "1"
    assert retried.status_code == (201 if change == "move" else 404)
    assert not store_left(old)
    if change == "move":
        with B2BCore.open(move_target) as moved:
            assert [str(a.id) for a in moved.accounts()] == [retried.json()["id"]]
