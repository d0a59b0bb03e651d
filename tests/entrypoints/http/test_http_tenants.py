"""A server of many tenants: every token is bound to the tenants it may
reach, and no request reads or writes another tenant's data — checked over
random tokens, tenant headers and routes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from b2bcore import ConfigurationError, FixedClock
from b2bcore.application.tenants import Tenants
from b2bcore_adapters.entrypoints.http import create_app, hash_token, parse_tokens
from tests.entrypoints.http.http_api import ACCOUNT, TOKENS
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
