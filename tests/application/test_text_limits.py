"""The domain's rules on texts (docs/domain.md, "Texts") reach the HTTP
API: a too-long name is a client error that records nothing; a control
character in a query's text is refused on every store."""

from __future__ import annotations

import inspect
from datetime import date
from typing import get_args, get_type_hints
from uuid import uuid4

import pytest

from b2bcore import B2BCore, ValidationError
from b2bcore.application.queries import QUERIES
from tests.entrypoints.http.http_api import ACCOUNT, READER, WRITER, client


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


def test_a_control_character_in_a_query_s_text_is_refused_on_every_store(
    core: B2BCore,
) -> None:
    """Every text parameter of every query (an owner, a name, a currency):
    a NUL is a ValidationError naming it, on PostgreSQL too (where it was
    the driver's DataError, a 500 over HTTP)."""
    needed: dict[str, object] = {
        "start": date(2024, 1, 1),
        "month": date(2024, 1, 1),
    }
    asked = []
    for name in QUERIES:
        method = getattr(core, name)
        hints = get_type_hints(method)
        parameters = inspect.signature(method).parameters.values()
        ids = [uuid4() for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]
        for parameter in parameters:
            if parameter.kind is not parameter.KEYWORD_ONLY:
                continue
            hint = hints[parameter.name]
            if str not in (*get_args(hint), hint):
                continue
            given = {k: v for k, v in needed.items() if k in hints}
            with pytest.raises(ValidationError) as refused:
                method(*ids, **given, **{parameter.name: "a\x00b"})
            assert refused.value.field == parameter.name
            asked.append(f"{name}({parameter.name})")
    assert {"renewal_queue(owner)", "accounts(name)"} <= set(asked)


def test_a_nul_in_a_report_filter_is_a_client_error_over_http(core: B2BCore) -> None:
    response = client(core).get("/reports/renewals?owner=a%00b", headers=READER)

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "owner"
