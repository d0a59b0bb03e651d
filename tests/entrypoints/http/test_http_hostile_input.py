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


def error_of(response: Any, status: int) -> dict[str, Any]:
    """The documented error body's ``error``, after checking the answer's
    ``status`` and the body's shape."""
    assert response.status_code == status, response.text
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

    error = error_of(response, 422)
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

    assert error_of(response, 422)["field"] == "body.competitors"
    assert core.log_position() == position


def test_a_lone_surrogate_in_a_field_name_is_a_422(
    api: TestClient, core: B2BCore
) -> None:
    response = api.post(
        "/accounts", content=raw({**ACCOUNT, "\ud800": 1}), headers=JSON_WRITER
    )

    assert error_of(response, 422)["field"] == "body"
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

    error = error_of(response, 413)
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

    assert error_of(refused, 413)["rule"] == "must be at most 1000 bytes"
    assert accepted.status_code == 201
    assert core.log_position() == 1


def test_a_body_nested_too_deeply_is_a_422_in_the_error_body(
    api: TestClient, core: B2BCore
) -> None:
    deep = "[" * 50_000 + "]" * 50_000

    response = api.post("/accounts", content=deep, headers=JSON_WRITER)

    error = error_of(response, 422)
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

    error = error_of(response, 422)
    assert len(error["rule"]) <= MAX_SHOWN
    assert error["rule"].endswith("is too large to be exact")
    assert "…" in error["rule"]
    assert core.log_position() == position


#: Amounts written otherwise than ``1234.50``: as text, and as JSON numbers.
TEXTS = ("1_200", "1.2e3", "١٢٠٠")
NUMBERS = (1e3, 1200, 1200.5)


@pytest.mark.parametrize(
    ("amount", "rule"),
    [
        *((text, "is not an amount written like 1234.50") for text in TEXTS),
        # A JSON number, even a whole one, as docs/http.md says.
        *((n, 'must be a decimal string written like "1234.50"') for n in NUMBERS),
    ],
)
def test_an_amount_not_written_like_1234_50_is_a_422(
    api: TestClient, core: B2BCore, amount: object, rule: str
) -> None:
    account = api.post("/accounts", json=ACCOUNT, headers=WRITER).json()["id"]
    position = core.log_position()
    body = asset_body(account)
    body["value"]["amount"] = amount

    response = api.post("/assets", json=body, headers=WRITER)

    error = error_of(response, 422)
    assert (error["field"], error["rule"]) == ("body.value.amount", rule)
    assert core.log_position() == position


def test_a_long_unknown_field_name_and_many_problems_are_cut(
    api: TestClient, core: B2BCore
) -> None:
    unknown = {f"{n}{'k' * 10_000}": n for n in range(100)}
    body = {**ACCOUNT, **unknown, "grade": "none"}

    response = api.post("/accounts", json=body, headers=WRITER)

    error = error_of(response, 422)
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

    error = error_of(response, 412)
    assert error["field"] == "If-Match"
    assert "a weak ETag never matches" in error["rule"]
    assert core.log_position() == position


@pytest.mark.parametrize("digits", [16, 5_000])
def test_a_version_longer_than_any_in_if_match_never_matches(
    api: TestClient, core: B2BCore, digits: int
) -> None:
    """5,000 digits were a 500: Python reads no number of over 4,300."""
    asset = installed_asset(api)
    position = core.log_position()

    response = api.post(
        f"/assets/{asset}/satisfaction",
        json={"score": 4},
        headers={**WRITER, "If-Match": f'"{"1" * digits}"'},
    )

    assert error_of(response, 412)["field"] == "If-Match"
    assert core.log_position() == position


# -- what the framework refuses ------------------------------------------------------


def test_an_unknown_route_and_a_wrong_method_answer_the_error_body(
    api: TestClient,
) -> None:
    unknown = api.get("/nowhere", headers=READER)
    wrong = api.delete(f"/accounts/{uuid4()}/grade", headers=WRITER)

    assert error_of(unknown, 404)["kind"] == "not_found"
    assert error_of(wrong, 405)["kind"] == "method_not_allowed"
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


# -- the query string ----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "field", "rule"),
    [
        (
            "/reports/renewals?asof=2024-11-01",
            "query.asof",
            "is not a parameter of GET /reports/renewals"
            " (it takes as_of, within, owner, grade, known_at)",
        ),
        (
            "/log/position?verbose=1",
            "query.verbose",
            "is not a parameter of GET /log/position (it takes none)",
        ),
    ],
)
def test_a_query_parameter_the_route_does_not_take_is_a_422_naming_it(
    api: TestClient, path: str, field: str, rule: str
) -> None:
    response = api.get(path, headers=READER)

    error = error_of(response, 422)
    assert (error["field"], error["rule"]) == (field, rule)


def test_a_query_parameter_on_a_command_is_a_422_and_records_nothing(
    api: TestClient, core: B2BCore
) -> None:
    response = api.post("/accounts?dry_run=1", json=ACCOUNT, headers=WRITER)

    assert error_of(response, 422)["field"] == "query.dry_run"
    assert core.log_position() == 0


def test_a_query_parameter_given_twice_is_a_422(api: TestClient) -> None:
    response = api.get(
        "/reports/renewals?as_of=2024-11-01&as_of=2024-12-01", headers=READER
    )

    error = error_of(response, 422)
    assert (error["field"], error["rule"]) == (
        "query.as_of",
        "is given more than once",
    )


def test_a_query_text_that_is_not_utf8_is_a_422_naming_the_parameter(
    api: TestClient,
) -> None:
    response = api.get("/reports/renewals?owner=%ff%fe", headers=READER)

    error = error_of(response, 422)
    assert error["field"] == "query.owner"
    assert error["rule"].startswith("is not valid Unicode text")


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        ("satisfaction", {"score": "4"}, "body.score"),
        ("satisfaction", {"score": 4.0}, "body.score"),
    ],
    ids=["number as text", "number with a point"],
)
def test_a_whole_number_not_written_as_a_json_number_is_a_422(
    api: TestClient, core: B2BCore, route: str, body: dict[str, object], field: str
) -> None:
    """pydantic's lax mode read "4" as 4."""
    asset = installed_asset(api)
    position = core.log_position()

    response = api.post(f"/assets/{asset}/{route}", json=body, headers=WRITER)

    assert error_of(response, 422)["field"] == field
    assert core.log_position() == position


def test_a_flag_not_written_as_json_true_or_false_is_a_422(
    api: TestClient, core: B2BCore
) -> None:
    """pydantic's lax mode read "yes" as true."""
    account = api.post("/accounts", json=ACCOUNT, headers=WRITER).json()["id"]
    position = core.log_position()

    response = api.post(
        "/assets", json={**asset_body(account), "upsell": "yes"}, headers=WRITER
    )

    assert error_of(response, 422)["field"] == "body.upsell"
    assert core.log_position() == position


# -- the body is JSON in UTF-8 -------------------------------------------------


def test_a_key_twice_in_one_object_is_a_422_naming_it(
    api: TestClient, core: B2BCore
) -> None:
    twice = raw(ACCOUNT)[:-1] + b', "name": "b"}'

    response = api.post("/accounts", content=twice, headers=JSON_WRITER)

    error = error_of(response, 422)
    assert (error["field"], error["rule"]) == (
        "body",
        'holds the key "name" twice in one object',
    )
    assert core.log_position() == 0


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        (b"\xef\xbb\xbf" + raw(ACCOUNT), "starts with a byte order mark"),
        (json.dumps(ACCOUNT).encode("utf-16"), "is not JSON in UTF-8"),
        (json.dumps(ACCOUNT).encode("utf-16-le"), "is not JSON in UTF-8"),
        (b'{"name": NaN}', "holds NaN, which is not JSON"),
    ],
)
def test_a_body_that_is_not_strictly_json_in_utf8_is_a_422(
    api: TestClient, core: B2BCore, body: bytes, rule: str
) -> None:
    response = api.post("/accounts", content=body, headers=JSON_WRITER)

    error = error_of(response, 422)
    assert error["field"] == "body"
    assert error["rule"].startswith(rule)
    assert core.log_position() == 0


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/json; charset=utf-16"]
)
def test_a_body_not_sent_as_application_json_is_a_415(
    api: TestClient, core: B2BCore, content_type: str | None
) -> None:
    headers = (
        WRITER if content_type is None else {**WRITER, "Content-Type": content_type}
    )

    response = api.post("/accounts", content=raw(ACCOUNT), headers=headers)

    error = error_of(response, 415)
    assert (error["kind"], error["field"]) == ("unsupported_media_type", "Content-Type")
    assert "application/json" in error["rule"]
    assert core.log_position() == 0


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=UTF-8",
        "application/json; charset=utf8",
    ],
)
def test_utf_8_json_is_taken_however_its_charset_is_spelled(
    api: TestClient, content_type: str
) -> None:
    """``charset=UTF8`` was a 415."""
    headers = {**WRITER, "Content-Type": content_type}

    response = api.post("/accounts", content=raw(ACCOUNT), headers=headers)

    assert response.status_code == 201, response.text


# -- dates and timestamps ------------------------------------------------------


@pytest.mark.parametrize(
    "on",
    [
        "2024-01-02T00:00:00",
        "2024-01-02T00:00:00+09:00",
        20240102,
        "20240102",
        "2024-1-2",
        "٢٠٢٤-٠١-٠٢",
    ],
)
def test_a_date_not_written_yyyy_mm_dd_is_a_422(
    api: TestClient, core: B2BCore, on: object
) -> None:
    response = api.post("/accounts", json={**ACCOUNT, "on": on}, headers=WRITER)

    error = error_of(response, 422)
    assert (error["field"], error["rule"]) == ("body.on", "must be a date YYYY-MM-DD")
    assert core.log_position() == 0


def test_a_date_that_is_not_in_the_calendar_is_a_422_saying_why(
    api: TestClient, core: B2BCore
) -> None:
    response = api.post(
        "/accounts", json={**ACCOUNT, "on": "2024-02-30"}, headers=WRITER
    )

    assert error_of(response, 422)["rule"] == (
        "must be a date YYYY-MM-DD: day is out of range for month"
    )
    assert core.log_position() == 0


@pytest.mark.parametrize(
    ("query", "field", "rule"),
    [
        ("as_of=2024-11-01T00:00:00", "query.as_of", "must be a date YYYY-MM-DD"),
        ("as_of=20241101", "query.as_of", "must be a date YYYY-MM-DD"),
        (
            "known_at=1",
            "query.known_at",
            "must be a timestamp ISO 8601 with a time zone (2024-06-01T12:00:00+00:00)",
        ),
        (
            "known_at=2024-11-01",
            "query.known_at",
            "must be a timestamp ISO 8601 with a time zone (2024-06-01T12:00:00+00:00)",
        ),
        # Read by Python, refused by b2b --known-at.
        *(
            (
                f"known_at={written}",
                "query.known_at",
                "must be a timestamp ISO 8601 with a time zone "
                "(2024-06-01T12:00:00+00:00)",
            )
            for written in ("20240601T120000Z", "2024-W22-6T12:00:00%2B00:00")
        ),
    ],
)
def test_a_date_or_timestamp_in_a_query_is_read_strictly(
    api: TestClient, query: str, field: str, rule: str
) -> None:
    response = api.get(f"/reports/renewals?{query}", headers=READER)

    error = error_of(response, 422)
    assert (error["field"], error["rule"]) == (field, rule)


# -- paths ---------------------------------------------------------------------


@pytest.mark.parametrize("number", ["-1", "0"])
def test_an_installment_number_below_1_is_a_422_naming_the_path_parameter(
    api: TestClient, core: B2BCore, number: str
) -> None:
    asset = installed_asset(api)
    position = core.log_position()

    response = api.post(
        f"/assets/{asset}/installments/{number}/payments",
        json={"amount": {"amount": "1200.00", "currency": "USD"}},
        headers=WRITER,
    )

    error = error_of(response, 422)
    assert error["field"] == "path.number"
    assert error["rule"] == "Input should be greater than or equal to 1"
    assert core.log_position() == position


# -- HEAD ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/log/position", "/reports/renewals", "/accounts"])
def test_head_answers_as_get_does_without_a_body(api: TestClient, path: str) -> None:
    get = api.get(path, headers=READER)

    head = api.head(path, headers=READER)

    assert (head.status_code, head.content) == (200, b"")
    assert dict(head.headers) == dict(get.headers)


def test_a_get_route_allows_head_and_a_command_route_does_not(
    api: TestClient,
) -> None:
    on_a_query = api.post("/log/position", headers=WRITER)
    on_a_command = api.head(f"/accounts/{uuid4()}/grade", headers=WRITER)

    assert (on_a_query.status_code, on_a_query.headers["Allow"]) == (405, "GET, HEAD")
    assert (on_a_command.status_code, on_a_command.headers["Allow"]) == (405, "POST")


# -- command headers -----------------------------------------------------------


@pytest.mark.parametrize("if_match", [b"1", b",,,", "ÿ".encode(), b'"1",', b'"x"'])
def test_a_malformed_if_match_is_a_400_saying_what_is_expected(
    api: TestClient, core: B2BCore, if_match: bytes
) -> None:
    asset = installed_asset(api)
    position = core.log_position()

    response = api.post(
        f"/assets/{asset}/satisfaction",
        json={"score": 4},
        headers={**WRITER, "If-Match": if_match},
    )

    error = error_of(response, 400)
    assert (error["field"], error["rule"]) == (
        "If-Match",
        'must be a quoted version ("2"), several ("2", "3") or *',
    )
    assert core.log_position() == position


@pytest.mark.parametrize(
    "key", [b"k" * 201, b"", b"order\x01", "주문-1".encode(), "caf\u00e9".encode()]
)
def test_an_idempotency_key_other_than_1_to_200_printable_ascii_is_a_400(
    api: TestClient, core: B2BCore, key: bytes
) -> None:
    response = api.post(
        "/accounts",
        json=ACCOUNT,
        headers={**WRITER, "Idempotency-Key": key},
    )

    error = error_of(response, 400)
    assert (error["field"], error["rule"]) == (
        "Idempotency-Key",
        "must be 1 to 200 printable ASCII characters",
    )
    assert core.log_position() == 0


@pytest.mark.parametrize(
    ("header", "values"),
    [("Idempotency-Key", ["k-1", "k-2"]), ("If-Match", ["*", "*"])],
)
def test_a_command_header_given_twice_is_a_400(
    api: TestClient, core: B2BCore, header: str, values: list[str]
) -> None:
    asset = installed_asset(api)
    position = core.log_position()
    headers = [*WRITER.items(), *((header, value) for value in values)]

    response = api.post(
        f"/assets/{asset}/satisfaction", json={"score": 4}, headers=headers
    )

    error = error_of(response, 400)
    assert (error["field"], error["rule"]) == (header, "must be given once")
    assert core.log_position() == position
