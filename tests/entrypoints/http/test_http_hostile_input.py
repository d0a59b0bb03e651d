"""The HTTP API against hostile and broken input: every refusal is the
documented error body with a 4xx, nothing is recorded, and no answer echoes
unbounded input; the security headers, the body limit and the offline
documentation pages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from b2bcore import B2BCore, FixedClock
from b2bcore_adapters.entrypoints.http import create_app
from b2bcore_adapters.entrypoints.http.errors import MAX_SHOWN
from b2bcore_adapters.render.html import CONTENT_SECURITY_POLICY
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

JSON_WRITER = {**WRITER, "Content-Type": "application/json"}


@pytest.fixture
def core() -> Iterator[B2BCore]:
    with B2BCore.open("memory://", clock=FixedClock(TODAY)) as opened:
        yield opened


@pytest.fixture
def api(core: B2BCore) -> TestClient:
    return client(core)


def raw(document: Any) -> bytes:
    """``document`` as JSON text with every non-ASCII character escaped, as
    a client may send a lone surrogate: ``"\\ud800"``."""
    return json.dumps(document).encode("ascii")


def error_of(response: Any) -> dict[str, Any]:
    """The documented error body's ``error``, after checking its shape."""
    error: dict[str, Any] = response.json()["error"]
    assert {"kind", "subject", "field", "rule", "message"} <= set(error)
    return error


# -- lone surrogates ------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "\ud800"}, "body.name"),
        ({"reason": "late \udfff"}, "body.reason"),
        ({"on": "2024-01-02", "sector": "\ud83d"}, "body.sector"),
    ],
)
def test_a_lone_surrogate_in_a_text_field_is_a_422_naming_the_field(
    api: TestClient, core: B2BCore, change: dict[str, str], field: str
) -> None:
    response = api.post(
        "/accounts",
        content=raw({**ACCOUNT, **change}),
        headers={**JSON_WRITER, "Idempotency-Key": "k-1"},
    )

    assert response.status_code == 422
    error = error_of(response)
    assert (error["field"], error["rule"]) == (
        field,
        "is not valid Unicode text (a lone surrogate)",
    )
    assert core.log_position() == 0


def test_a_lone_surrogate_in_a_list_of_texts_is_a_422(
    api: TestClient, core: B2BCore
) -> None:
    account = api.post("/accounts", json=ACCOUNT, headers=WRITER).json()["id"]
    position = core.log_position()
    deal = {
        "account_id": account,
        "name": "Fleet 2025",
        "amount": {"amount": "1000.00", "currency": "USD"},
        "owner": "kim.seoyeon",
        "business_line": "domestic",
        "region": "Seoul",
        "country": "KR",
        "product": "Forklift X2",
        "expected_close_on": "2025-03-01",
        "competitors": ["Doosan", "\ud800"],
    }

    response = api.post("/opportunities", content=raw(deal), headers=JSON_WRITER)

    assert response.status_code == 422
    assert error_of(response)["field"] == "body.competitors"
    assert core.log_position() == position


def test_a_lone_surrogate_in_a_field_name_is_a_422(
    api: TestClient, core: B2BCore
) -> None:
    response = api.post(
        "/accounts", content=raw({**ACCOUNT, "\ud800": 1}), headers=JSON_WRITER
    )

    assert response.status_code == 422
    assert error_of(response)["field"] == "body"
    assert core.log_position() == 0


# -- the last month there is -----------------------------------------------------


@pytest.mark.parametrize("output", ["json", "html"])
def test_the_monthly_report_of_december_9999_is_served(
    api: TestClient, output: str
) -> None:
    account = api.post("/accounts", json=ACCOUNT, headers=WRITER).json()["id"]

    response = api.get(
        f"/accounts/{account}/monthly-report?month=9999-12-01&format={output}",
        headers=READER,
    )

    assert response.status_code == 200
    assert "9999-12-31" in response.text


# -- size and depth ----------------------------------------------------------------


def test_a_body_over_the_limit_is_a_413_and_records_nothing(
    api: TestClient, core: B2BCore
) -> None:
    ten_megabytes = {**ACCOUNT, "name": "x" * 10_000_000}

    response = api.post("/accounts", json=ten_megabytes, headers=WRITER)

    assert response.status_code == 413
    error = error_of(response)
    assert (error["kind"], error["field"]) == ("too_large", "body")
    assert error["rule"] == "must be at most 1048576 bytes"
    assert core.log_position() == 0


def test_a_chunked_body_is_counted_against_the_limit(core: B2BCore) -> None:
    api = TestClient(create_app(core, TOKENS, max_body_bytes=1_000))
    body = raw({**ACCOUNT, "name": "x" * 2_000})

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 100):
            yield body[start : start + 100]

    refused = api.post("/accounts", content=chunks(), headers=JSON_WRITER)
    accepted = api.post("/accounts", content=raw(ACCOUNT), headers=JSON_WRITER)

    assert refused.status_code == 413
    assert error_of(refused)["rule"] == "must be at most 1000 bytes"
    assert accepted.status_code == 201
    assert core.log_position() == 1


def test_a_body_nested_too_deeply_is_a_422_in_the_error_body(
    api: TestClient, core: B2BCore
) -> None:
    deep = "[" * 50_000 + "]" * 50_000

    response = api.post("/accounts", content=deep, headers=JSON_WRITER)

    assert response.status_code == 422
    error = error_of(response)
    assert (error["field"], error["rule"]) == ("body", "JSON nested too deeply")
    assert core.log_position() == 0


def test_a_1000_digit_amount_is_not_echoed_whole(
    api: TestClient, core: B2BCore
) -> None:
    account = api.post("/accounts", json=ACCOUNT, headers=WRITER).json()["id"]
    position = core.log_position()
    body = asset_body(account)
    body["value"]["amount"] = "1" * 1_000

    response = api.post("/assets", json=body, headers=WRITER)

    assert response.status_code == 422
    error = error_of(response)
    assert len(error["rule"]) <= MAX_SHOWN
    assert error["rule"].endswith("is too large to be exact")
    assert "…" in error["rule"]
    assert core.log_position() == position


@pytest.mark.parametrize("written", ["1_200", "1.2e3", "١٢٠٠"])
def test_an_amount_not_written_like_1234_50_is_a_422(
    api: TestClient, core: B2BCore, written: str
) -> None:
    account = api.post("/accounts", json=ACCOUNT, headers=WRITER).json()["id"]
    position = core.log_position()
    body = asset_body(account)
    body["value"]["amount"] = written

    response = api.post("/assets", json=body, headers=WRITER)

    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == "body.value.amount"
    assert error["rule"] == "is not an amount written like 1234.50"
    assert core.log_position() == position


def test_a_long_unknown_field_name_and_many_problems_are_cut(
    api: TestClient, core: B2BCore
) -> None:
    unknown = {f"{n}{'k' * 10_000}": n for n in range(100)}
    body = {**ACCOUNT, **unknown, "grade": "none"}

    response = api.post("/accounts", json=body, headers=WRITER)

    assert response.status_code == 422
    error = error_of(response)
    assert len(error["errors"]) == 20
    assert all(len(problem["field"]) <= MAX_SHOWN for problem in error["errors"])
    assert len(response.content) < 10_000
    assert core.log_position() == 0


# -- If-Match compares strongly ----------------------------------------------------


def test_a_weak_etag_in_if_match_never_matches(api: TestClient, core: B2BCore) -> None:
    asset = installed_asset(api)
    position = core.log_position()

    response = api.post(
        f"/assets/{asset}/satisfaction",
        json={"score": 4},
        headers={**WRITER, "If-Match": 'W/"2"'},
    )

    assert response.status_code == 412
    error = error_of(response)
    assert error["field"] == "If-Match"
    assert "a weak ETag never matches" in error["rule"]
    assert core.log_position() == position


# -- what the framework refuses ------------------------------------------------------


def test_an_unknown_route_and_a_wrong_method_answer_the_error_body(
    api: TestClient,
) -> None:
    unknown = api.get("/nowhere", headers=READER)
    wrong = api.delete(f"/accounts/{uuid4()}/grade", headers=WRITER)

    assert (unknown.status_code, error_of(unknown)["kind"]) == (404, "not_found")
    assert (wrong.status_code, error_of(wrong)["kind"]) == (405, "method_not_allowed")
    assert wrong.headers["Allow"] == "POST"


# -- security headers ----------------------------------------------------------------


def test_every_answer_is_neither_sniffed_nor_stored(api: TestClient) -> None:
    answers = [
        api.post("/accounts", json=ACCOUNT, headers=WRITER),
        api.get("/log/position", headers=READER),
        api.get("/log/position"),
        api.post("/accounts", json={"name": "x"}, headers=WRITER),
        api.post("/accounts", json={"name": "x" * 2_000_000}, headers=WRITER),
    ]

    assert [a.status_code for a in answers] == [201, 200, 401, 422, 413]
    for answer in answers:
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Cache-Control"] == "no-store"


def test_the_html_report_may_load_nothing_but_its_inline_style_and_images(
    api: TestClient,
) -> None:
    asset = installed_asset(api)
    account = api.get(f"/assets/{asset}", headers=READER).json()["account_id"]

    page = api.get(
        f"/accounts/{account}/monthly-report?month=2024-06-01&format=html",
        headers=READER,
    )

    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert "<style>" in page.text
    assert "<svg" in page.text
    assert "<script" not in page.text
    assert not re.search(r"""(src|href)=["'](https?:)?//""", page.text)


# -- the documentation pages -----------------------------------------------------------


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_documentation_pages_load_everything_from_the_api(
    api: TestClient, path: str
) -> None:
    page = api.get(path)

    assert page.status_code == 200
    assert "cdn" not in page.text
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert assets
    for asset in assets:
        assert asset.startswith("/docs/assets/"), asset
        assert api.get(asset).status_code == 200


def test_the_openapi_document_needs_no_token(api: TestClient) -> None:
    document = api.get("/openapi.json")

    assert document.status_code == 200
    assert "/accounts" in document.json()["paths"]


@pytest.mark.parametrize("key", ["k" * 201, ""])
def test_an_idempotency_key_out_of_bounds_is_a_422_and_records_nothing(
    api: TestClient, core: B2BCore, key: str
) -> None:
    response = api.post(
        "/accounts", json=ACCOUNT, headers={**WRITER, "Idempotency-Key": key}
    )

    assert response.status_code == 422
    assert "Idempotency-Key" in error_of(response)["field"]
    assert core.log_position() == 0
