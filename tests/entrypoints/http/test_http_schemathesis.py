"""Property-based API tests generated from the OpenAPI document: whatever a
client sends, with a writer's token, the server never answers with a 5xx."""

from __future__ import annotations

from typing import TYPE_CHECKING

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from b2bcore import B2BCore
from b2bcore_adapters.entrypoints.http import create_app
from tests.entrypoints.http.http_api import ACCOUNT, TOKENS, WRITER, asset_body, client

if TYPE_CHECKING:
    from schemathesis.specs.openapi.schemas import OpenApiCase

CORE = B2BCore.open("memory://")
APP = create_app(CORE, TOKENS)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


def _seed() -> None:
    """An account and an asset, so some generated ids may hit data."""
    api = client(CORE)
    account = api.post("/accounts", json=ACCOUNT, headers=WRITER).json()["id"]
    api.post("/assets", json=asset_body(account), headers=WRITER)


_seed()


@schema.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_request_gets_a_server_error(case: OpenApiCase) -> None:
    case.call_and_validate(headers=WRITER, checks=[not_a_server_error])
