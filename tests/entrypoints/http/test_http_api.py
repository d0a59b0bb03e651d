"""The HTTP API in-process (TestClient): authentication and roles, actors,
ETag/If-Match, idempotency keys, error bodies and every query."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.persistence import OperationalError
from fastapi.testclient import TestClient

from b2bcore import B2BCore, ConcurrencyError, ConfigurationError, FixedClock
from b2bcore_adapters.entrypoints.http import create_app, hash_token, parse_tokens
from b2bcore_adapters.entrypoints.http.idempotency import idempotency_store_for
from b2bcore_adapters.entrypoints.http.server import load_tokens
from tests.conftest import TODAY
from tests.entrypoints.http.http_api import (
    ACCOUNT,
    READER,
    TOKENS,
    WRITER,
    asset_body,
    client,
    installed_asset,
)
from tests.helpers import stored_events

RENEWAL = {"usage_end_on": "2026-01-10", "on": "2024-12-01"}


@pytest.fixture
def core() -> Iterator[B2BCore]:
    with B2BCore.open("memory://", clock=FixedClock(TODAY)) as opened:
        yield opened


@pytest.fixture
def api(core: B2BCore) -> TestClient:
    return client(core)


# -- authentication -----------------------------------------------------------


def test_a_request_without_a_token_is_unauthorized(api: TestClient) -> None:
    response = api.get("/log/position")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["field"] == "Authorization"


def test_an_unknown_token_is_unauthorized(api: TestClient) -> None:
    response = api.get("/log/position", headers={"Authorization": "Bearer guess"})

    assert response.status_code == 401
    assert response.json()["error"]["rule"] == "the API token is not known"


def test_a_read_only_token_may_read_but_not_command(
    api: TestClient, core: B2BCore
) -> None:
    refused = api.post("/accounts", json=ACCOUNT, headers=READER)

    assert refused.status_code == 403
    assert refused.json()["error"]["field"] == "role"
    assert core.log_position() == 0
    assert api.get("/log/position", headers=READER).json()["position"] == 0


def test_every_recorded_event_names_the_token_subject_as_actor(
    api: TestClient, core: B2BCore
) -> None:
    asset = installed_asset(api)

    events = stored_events(core, UUID(asset))

    assert [e.actor for e in events] == ["billing-service", "billing-service"]


def test_tokens_are_read_from_hashed_entries() -> None:
    [token] = parse_tokens(f"# auditors\nkim:read:{hash_token('t')}")

    assert (token.subject, token.role.value) == ("kim", "read")
    assert token.sha256 == hash_token("t")


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("kim:read", "expected SUBJECT:ROLE:SHA256"),
        (f"kim:admin:{hash_token('t')}", "role must be one of"),
        ("kim:read:secret", "hex SHA-256"),
    ],
)
def test_a_malformed_token_entry_is_refused(entry: str, problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        parse_tokens(entry)


def test_serving_without_tokens_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("B2BCORE_API_TOKENS", raising=False)
    with pytest.raises(ConfigurationError, match="no API tokens"):
        load_tokens(None)
    tokens = tmp_path / "tokens"
    tokens.write_text(f"svc:write:{hash_token('t')}\n", encoding="utf-8")
    assert [t.subject for t in load_tokens(tokens)] == ["svc"]


# -- ETag and If-Match --------------------------------------------------------


def test_a_read_returns_the_version_as_etag(api: TestClient) -> None:
    asset = installed_asset(api)

    response = api.get(f"/assets/{asset}", headers=READER)

    assert response.headers["ETag"] == '"2"'
    assert response.json()["version"] == 2
    assert response.json()["status"] == "installed"


def test_a_write_with_the_current_version_succeeds(api: TestClient) -> None:
    asset = installed_asset(api)

    response = api.post(
        f"/assets/{asset}/renew", json=RENEWAL, headers={**WRITER, "If-Match": '"2"'}
    )

    assert response.status_code == 200
    assert response.json() == {"id": asset, "version": 3}
    assert response.headers["ETag"] == '"3"'


def test_a_write_with_a_stale_version_is_refused_and_records_nothing(
    api: TestClient, core: B2BCore
) -> None:
    asset = installed_asset(api)
    before = core.log_position()

    response = api.post(
        f"/assets/{asset}/renew", json=RENEWAL, headers={**WRITER, "If-Match": '"1"'}
    )

    assert response.status_code == 412
    assert response.json()["error"]["field"] == "If-Match"
    assert core.log_position() == before


def test_a_conflict_with_another_writer_is_a_409(
    api: TestClient, core: B2BCore, monkeypatch: pytest.MonkeyPatch
) -> None:
    asset = installed_asset(api)

    def clash(*args: object, **kwargs: object) -> None:
        raise ConcurrencyError(
            "asset", core.asset(UUID(asset)).id, "version 3 was taken"
        )

    monkeypatch.setattr(core, "handle", clash)
    response = api.post(f"/assets/{asset}/renew", json=RENEWAL, headers=WRITER)

    assert response.status_code == 409
    assert response.json()["error"]["kind"] == "conflict"


# -- idempotency --------------------------------------------------------------


def test_a_retried_command_returns_the_first_answer_and_records_nothing(
    api: TestClient, core: B2BCore
) -> None:
    headers = {**WRITER, "Idempotency-Key": "register-1"}

    first = api.post("/accounts", json=ACCOUNT, headers=headers)
    position = core.log_position()
    again = api.post("/accounts", json=ACCOUNT, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert core.log_position() == position


def test_a_key_reused_for_another_request_is_refused(
    api: TestClient, core: B2BCore
) -> None:
    headers = {**WRITER, "Idempotency-Key": "register-1"}
    api.post("/accounts", json=ACCOUNT, headers=headers)
    position = core.log_position()

    response = api.post("/accounts", json={**ACCOUNT, "name": "Other"}, headers=headers)

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "Idempotency-Key"
    assert core.log_position() == position


def test_a_refused_command_keeps_no_key(api: TestClient, core: B2BCore) -> None:
    asset = installed_asset(api)
    headers = {**WRITER, "Idempotency-Key": "install-again"}
    again = {"usage_end_on": "2025-01-10"}

    assert (
        api.post(f"/assets/{asset}/install", json=again, headers=headers).status_code
        == 409
    )
    renewed = api.post(f"/assets/{asset}/renew", json=RENEWAL, headers=headers)

    assert renewed.status_code == 200


def test_idempotency_keys_outlive_the_server(durable_url: str) -> None:
    headers = {**WRITER, "Idempotency-Key": "register-1"}
    with B2BCore.open(durable_url) as core:
        first = client(core).post("/accounts", json=ACCOUNT, headers=headers)
    with B2BCore.open(durable_url) as core:
        position = core.log_position()
        again = client(core).post("/accounts", json=ACCOUNT, headers=headers)
        assert core.log_position() == position
    assert again.json() == first.json()


def test_idempotency_keys_live_beside_the_log(durable_url: str) -> None:
    with B2BCore.open(durable_url) as core:
        store = idempotency_store_for(core)
        assert type(store).__name__ != "MemoryIdempotencyStore"


# -- errors -------------------------------------------------------------------


def test_a_malformed_body_is_a_422_naming_the_field(api: TestClient) -> None:
    response = api.post("/accounts", json={**ACCOUNT, "grade": "gold"}, headers=WRITER)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "body.grade"
    assert error["kind"] == "validation"


def test_a_value_the_domain_refuses_is_a_422_naming_its_rule(api: TestClient) -> None:
    account = api.post("/accounts", json=ACCOUNT, headers=WRITER).json()["id"]
    body = asset_body(account)
    body["value"] = {"amount": "1200.00", "currency": "XXX"}

    response = api.post("/assets", json=body, headers=WRITER)

    assert response.status_code == 422
    assert response.json()["error"]["subject"] == "money"
    assert response.json()["error"]["field"] == "currency"


def test_an_unknown_id_is_a_404(api: TestClient) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"

    read = api.get(f"/assets/{unknown}", headers=READER)
    command = api.post(f"/assets/{unknown}/renew", json=RENEWAL, headers=WRITER)

    assert (read.status_code, command.status_code) == (404, 404)
    assert read.json()["error"]["subject"] == f"asset {unknown}"


def test_a_command_the_state_forbids_is_a_409(api: TestClient) -> None:
    asset = installed_asset(api)

    response = api.post(
        f"/assets/{asset}/install", json={"usage_end_on": None}, headers=WRITER
    )

    assert response.status_code == 409
    assert response.json()["error"]["kind"] == "business_rule"
    assert response.json()["error"]["field"] == "status"


def test_creating_an_existing_id_is_a_409(api: TestClient) -> None:
    body = {**ACCOUNT, "account_id": "00000000-0000-4000-8000-000000000001"}
    api.post("/accounts", json=body, headers=WRITER)

    response = api.post("/accounts", json=body, headers=WRITER)

    assert response.status_code == 409
    assert (response.json()["error"]["field"], response.json()["error"]["rule"]) == (
        "id",
        "already exists",
    )


def test_creating_an_id_another_kind_holds_says_which_kind(api: TestClient) -> None:
    """It said only "already exists", and named the version."""
    account = api.post("/accounts", json=ACCOUNT, headers=WRITER).json()["id"]
    asset = api.post("/assets", json=asset_body(account), headers=WRITER).json()["id"]

    response = api.post(
        "/accounts", json={**ACCOUNT, "account_id": asset}, headers=WRITER
    )

    assert response.status_code == 409
    assert (response.json()["error"]["field"], response.json()["error"]["rule"]) == (
        "id",
        "already exists (that id is an asset)",
    )


# -- queries ------------------------------------------------------------------


def test_an_aggregate_reads_at_a_version_and_as_of_a_date(api: TestClient) -> None:
    asset = installed_asset(api)

    purchased = api.get(f"/assets/{asset}?version=1", headers=READER)
    before = api.get(f"/assets/{asset}?as_of=2024-01-12", headers=READER)
    known = api.get(f"/assets/{asset}?known_at=2999-01-01T00:00:00Z", headers=READER)

    assert purchased.json()["status"] == "purchased"
    assert before.json()["status"] == "purchased"
    assert known.json()["status"] == "installed"


def test_known_at_without_a_timezone_is_a_422(api: TestClient) -> None:
    asset = installed_asset(api)

    response = api.get(f"/assets/{asset}?known_at=2999-01-01T00:00:00", headers=READER)

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "query.known_at"


def test_a_won_deal_answers_its_new_assets(api: TestClient) -> None:
    account = api.post("/accounts", json=ACCOUNT, headers=WRITER).json()["id"]
    deal = api.post(
        "/opportunities",
        json={
            "account_id": account,
            "name": "Fleet 2024",
            "amount": {"amount": "5000.00", "currency": "USD"},
            "owner": "kim.seoyeon",
            "business_line": "domestic",
            "region": "Seoul",
            "country": "KR",
            "product": "Forklift X2",
            "expected_close_on": "2024-06-30",
            "on": "2024-01-05",
        },
        headers=WRITER,
    ).json()["id"]
    line = {
        k: v
        for k, v in asset_body(account).items()
        if k in ("product", "value", "order_reference", "contact", "installments")
    }

    tier = api.post(
        f"/opportunities/{deal}/tier",
        json={"tier": 3, "on": "2024-01-10"},
        headers=WRITER,
    )
    won = api.post(
        f"/opportunities/{deal}/win",
        json={"value": line["value"], "order": [line], "on": "2024-01-20"},
        headers=WRITER,
    )

    assert tier.status_code == 200
    assert won.status_code == 200, won.json()
    [asset] = won.json()["asset_ids"]
    timeline = api.get(f"/opportunities/{deal}/timeline", headers=READER)
    assert timeline.status_code == 200
    assert api.get(f"/assets/{asset}", headers=READER).json()["opportunity_id"] == deal


@pytest.mark.parametrize(
    "path",
    [
        "/reports/renewals?as_of=2024-12-01&within=60",
        "/alerts?as_of=2024-12-01&unacknowledged=true",
        "/reports/asset-kpis?start=2024-01-01&end=2024-12-31",
        "/reports/pipeline-kpis?by=owner",
        "/reports/tiers?by=region",
        "/reports/dashboard?owner=kim.seoyeon",
        "/reports/win-loss?by=product",
        "/reports/segmentation",
    ],
)
def test_every_report_is_served_as_json(api: TestClient, path: str) -> None:
    installed_asset(api)

    response = api.get(path, headers=READER)

    assert response.status_code == 200
    assert response.json() is not None


def test_the_renewal_queue_lists_the_installed_asset(api: TestClient) -> None:
    asset = installed_asset(api)

    [item] = api.get("/reports/renewals?as_of=2024-12-01", headers=READER).json()

    assert item["asset_id"] == asset
    assert item["value"] == {"amount": "1200.00", "currency": "USD"}


def test_an_account_history_lists_its_assets(api: TestClient) -> None:
    asset = installed_asset(api)
    account = api.get(f"/assets/{asset}", headers=READER).json()["account_id"]

    history = api.get(f"/accounts/{account}/history", headers=READER).json()

    assert [a["asset_id"] for a in history["assets"]] == [asset]


def test_the_openapi_document_is_served(api: TestClient) -> None:
    document = api.get("/openapi.json").json()

    assert "/assets/{asset_id}/renew" in document["paths"]
    assert "HTTPBearer" in document["components"]["securitySchemes"]


def test_an_app_over_the_given_tokens_only(core: B2BCore) -> None:
    api = TestClient(create_app(core, TOKENS[1:]))

    assert api.get("/log/position", headers=WRITER).status_code == 401


def test_the_openapi_document_declares_the_command_headers(api: TestClient) -> None:
    document = api.get("/openapi.json").json()

    renew = document["paths"]["/assets/{asset_id}/renew"]["post"]
    headers = {p["name"] for p in renew["parameters"] if p["in"] == "header"}
    assert {"Idempotency-Key", "If-Match"} <= headers


def test_an_account_s_events_name_their_actor(api: TestClient) -> None:
    asset = installed_asset(api)
    account = api.get(f"/assets/{asset}", headers=READER).json()["account_id"]

    events = api.get(f"/accounts/{account}/events", headers=READER).json()

    assert [e["event_type"] for e in events] == ["Registered", "Purchased", "Installed"]
    assert {e["actor"] for e in events} == {"billing-service"}


def test_an_auditor_verifies_the_log(api: TestClient) -> None:
    installed_asset(api)

    status = api.get("/audit/verify", headers=READER).json()

    assert (status["ok"], status["count"]) == (True, 3)


def test_a_busy_database_is_a_503_to_retry(
    api: TestClient, core: B2BCore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def busy(*args: object, **kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(core, "handle", busy)
    response = api.post("/accounts", json=ACCOUNT, headers=WRITER)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.json()["error"]["kind"] == "unavailable"


def test_a_forgotten_contact_reads_erased_and_cannot_be_forgotten_twice(
    api: TestClient,
) -> None:
    asset = installed_asset(api)
    contact = api.get(f"/assets/{asset}", headers=READER).json()["contact"]["id"]
    request = {"reason": "erasure request 2024-12-01", "on": "2024-12-01"}

    forgotten = api.post(f"/contacts/{contact}/forget", json=request, headers=WRITER)
    again = api.post(f"/contacts/{contact}/forget", json=request, headers=WRITER)

    assert forgotten.status_code == 200
    shown = api.get(f"/assets/{asset}", headers=READER).json()["contact"]
    assert (shown["name"], shown["erased"]) == ("[erased]", True)
    assert again.status_code == 409
    assert again.json()["error"]["field"] == "forgotten"


def test_forgetting_needs_a_reason(api: TestClient) -> None:
    asset = installed_asset(api)
    contact = api.get(f"/assets/{asset}", headers=READER).json()["contact"]["id"]

    refused = api.post(f"/contacts/{contact}/forget", json={}, headers=WRITER)

    assert refused.status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/reports/renewals?as_of=2024-12-01",
        "/alerts?as_of=2024-12-01",
        "/reports/asset-kpis?start=2024-01-01&end=2024-12-31",
        "/reports/pipeline-kpis",
        "/reports/tiers",
        "/reports/dashboard",
        "/reports/win-loss",
        "/reports/segmentation",
    ],
)
def test_every_report_answers_as_known_at_a_recorded_time(
    api: TestClient, path: str
) -> None:
    installed_asset(api)
    now = api.get(path, headers=READER).json()
    cut = f"{path}{'&' if '?' in path else '?'}known_at=2999-01-01T00:00:00"

    known = api.get(f"{cut}Z", headers=READER)
    naive = api.get(cut, headers=READER)

    assert (known.status_code, known.json()) == (200, now)
    assert (naive.status_code, naive.json()["error"]["field"]) == (
        422,
        "query.known_at",
    )


def test_a_report_known_before_anything_was_recorded_is_empty(
    api: TestClient,
) -> None:
    installed_asset(api)

    before = api.get(
        "/reports/renewals?as_of=2024-12-01&known_at=2000-01-01T00:00:00Z",
        headers=READER,
    )

    assert before.json() == []


def test_the_monthly_report_is_served_as_json_and_as_html(api: TestClient) -> None:
    asset = installed_asset(api)
    account = api.get(f"/assets/{asset}", headers=READER).json()["account_id"]
    path = f"/accounts/{account}/monthly-report?month=2024-06-01"

    document = api.get(path, headers=READER)
    page = api.get(f"{path}&format=html", headers=READER)
    mid_month = api.get(path.replace("06-01", "06-15"), headers=READER)

    assert document.json()["as_of"] == "2024-06-30"
    assert [a["asset_id"] for a in document.json()["assets"]] == [asset]
    assert page.headers["content-type"].startswith("text/html")
    assert page.text.startswith("<!DOCTYPE html>")
    assert "<svg" in page.text
    assert (mid_month.status_code, mid_month.json()["error"]["field"]) == (
        422,
        "month",
    )


def test_a_request_after_the_store_closed_is_a_503(durable_url: str) -> None:
    core = B2BCore.open(durable_url)
    api = client(core)
    core.close()

    response = api.get("/accounts", headers=READER)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.json()["error"]["subject"] == "store"
