"""What the HTTP API tests share: tokens, request bodies, a TestClient."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from b2bcore import B2BCore
from b2bcore_adapters.entrypoints.http import create_app, hash_token, parse_tokens

WRITER_TOKEN = "service-secret"
READER_TOKEN = "auditor-secret"
TOKENS = parse_tokens(
    f"billing-service:write:{hash_token(WRITER_TOKEN)}\n"
    f"auditor.kim:read:{hash_token(READER_TOKEN)}"
)
WRITER = {"Authorization": f"Bearer {WRITER_TOKEN}"}
READER = {"Authorization": f"Bearer {READER_TOKEN}"}

ACCOUNT: dict[str, Any] = {
    "name": "(주)효원",
    "grade": "key",
    "sector": "logistics",
    "region": "Seoul",
    "country": "KR",
    "business_line": "domestic",
    "preferred_channel": "email",
    "on": "2024-01-02",
}


def asset_body(account_id: str) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "product": "Forklift X2",
        "order_reference": "PO-2024-001",
        "contact": "kim@hyowon.kr",
        "value": {"amount": "1200.00", "currency": "USD"},
        "installments": [
            {
                "number": 1,
                "due_on": "2024-02-01",
                "amount": {"amount": "1200.00", "currency": "USD"},
            }
        ],
        "owner": "kim.seoyeon",
        "on": "2024-01-10",
    }


def client(core: B2BCore) -> TestClient:
    return TestClient(create_app(core, TOKENS), raise_server_exceptions=False)


def installed_asset(api: TestClient) -> str:
    """An installed asset of a new account (at version 2); its id."""
    account = api.post("/accounts", json=ACCOUNT, headers=WRITER).json()["id"]
    asset: str = api.post("/assets", json=asset_body(account), headers=WRITER).json()[
        "id"
    ]
    api.post(
        f"/assets/{asset}/install",
        json={"usage_end_on": "2025-01-10", "on": "2024-01-15"},
        headers=WRITER,
    )
    return asset
