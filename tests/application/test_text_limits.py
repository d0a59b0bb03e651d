"""The domain's most text lengths (docs/domain.md, "Texts") reach the HTTP
API: a too-long name is a client error that records nothing."""

from __future__ import annotations

from b2bcore import B2BCore
from tests.entrypoints.http.http_api import ACCOUNT, WRITER, client


def test_posting_a_100000_character_account_name_is_a_client_error(
    memory_core: B2BCore,
) -> None:
    api = client(memory_core)
    before = memory_core.log_position()

    response = api.post(
        "/accounts", json={**ACCOUNT, "name": "x" * 100_000}, headers=WRITER
    )

    assert 400 <= response.status_code < 500
    assert memory_core.log_position() == before


def test_a_too_long_name_is_refused_by_name(memory_core: B2BCore) -> None:
    api = client(memory_core)

    response = api.post(
        "/accounts", json={**ACCOUNT, "name": "x" * 201}, headers=WRITER
    )

    assert response.status_code == 422
    assert "name: must be at most 200 characters, got 201" in response.text
