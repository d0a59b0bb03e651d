"""The HTTP routes are async on ``AsyncB2BCore``: many requests at once on
one event loop, reads and commands mixed, all answered, and every command
recorded once (commands run one at a time, reads at once)."""

from __future__ import annotations

import asyncio
from uuid import UUID

import httpx

from b2bcore import B2BCore
from b2bcore_adapters.entrypoints.http import create_app
from tests.entrypoints.http.http_api import (
    READER,
    TOKENS,
    WRITER,
    client,
    installed_asset,
)

SCORES = 60
READS = 140


def test_two_hundred_requests_at_once_are_all_answered(durable_url: str) -> None:
    with B2BCore.open(durable_url) as core:
        asset = installed_asset(client(core))
        app = create_app(core, TOKENS)

        async def scenario() -> list[int]:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://b2b"
            ) as api:
                scores = [
                    api.post(
                        f"/assets/{asset}/satisfaction",
                        json={"score": n % 11, "on": "2024-03-01"},
                        headers=WRITER,
                    )
                    for n in range(SCORES)
                ]
                reads = [
                    api.get(
                        "/reports/renewals",
                        params={"as_of": "2024-12-01", "within": 90},
                        headers=READER,
                    )
                    if n % 2
                    else api.get(f"/assets/{asset}", headers=READER)
                    for n in range(READS)
                ]
                answers = await asyncio.gather(*scores, *reads)
            return [a.status_code for a in answers]

        statuses = asyncio.run(scenario())
        view = core.asset(UUID(asset))

    assert statuses == [200] * (SCORES + READS)
    assert len(view.satisfaction) == SCORES
    assert view.version == 2 + SCORES
