"""Writes stay whole across server processes: the version an If-Match names
is the one the save is conditioned on, and an idempotency key commits with
the events it answers for (two processes, one database; a crash between the
commit and the response)."""

from __future__ import annotations

import threading
from uuid import UUID

import httpx
import pytest

from b2bcore import B2BCore
from b2bcore.domain.asset import Asset
from tests.entrypoints.http.http_api import ACCOUNT, READER, WRITER, asset_body
from tests.entrypoints.http.test_http_server import registered_asset, served

CLIENTS = 6
UPDATES_PER_CLIENT = 10
KEYS = 12


def test_if_match_updates_through_two_servers_apply_on_the_version_named(
    durable_url: str,
) -> None:
    with served(durable_url) as first, served(durable_url) as second:
        asset = registered_asset(first)
        path = f"/assets/{asset}/satisfaction"
        statuses: list[int] = []

        def update(client: httpx.Client, name: str) -> None:
            for i in range(UPDATES_PER_CLIENT):
                read = client.get(f"/aggregates/{asset}", headers=READER)
                body = {
                    "score": 3,
                    "comment": f"{name}-{i} on {read.json()['version']}",
                }
                if_match = {**WRITER, "If-Match": read.headers["ETag"]}
                sent = client.post(path, json=body, headers=if_match)
                statuses.append(sent.status_code)

        threads = [
            threading.Thread(target=update, args=([first, second][i % 2], f"c{i}"))
            for i in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    with B2BCore.open(durable_url) as core:
        scores = [
            e
            for e in core.event_log.events.get(UUID(asset))
            if isinstance(e, Asset.SatisfactionRecorded)
        ]
    named = {e.comment: int(e.comment.rsplit(" ", 1)[1]) for e in scores}
    violations = [
        e.comment for e in scores if e.originator_version != named[e.comment] + 1
    ]
    assert violations == []
    assert set(statuses) <= {200, 412}
    assert len(scores) == statuses.count(200) > 0


def _both_at_once(
    clients: list[httpx.Client], key: str, body: dict[str, object]
) -> list[httpx.Response]:
    start = threading.Barrier(len(clients))
    answers: list[httpx.Response] = [httpx.Response(0)] * len(clients)

    def send(index: int) -> None:
        start.wait()
        answers[index] = clients[index].post(
            "/assets", json=body, headers={**WRITER, "Idempotency-Key": key}
        )

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _purchases(url: str) -> list[Asset.Purchased]:
    with B2BCore.open(url) as core:
        return [
            e
            for n in core.event_log.recorder.select_notifications(1, limit=10_000)
            if n.topic == Asset.Purchased.TOPIC
            for e in [core.event_log.mapper.to_domain_event(n)]
            if isinstance(e, Asset.Purchased)
        ]


def test_one_key_sent_to_two_servers_at_once_records_once(durable_url: str) -> None:
    with served(durable_url) as first, served(durable_url) as second:
        account = first.post("/accounts", json=ACCOUNT, headers=WRITER).json()["id"]
        answers = [
            _both_at_once(
                [first, second],
                f"order-{i}",
                {**asset_body(account), "order_reference": f"PO-{i}"},
            )
            for i in range(KEYS)
        ]

    per_order: dict[str, int] = {}
    for purchase in _purchases(durable_url):
        per_order[purchase.order_reference] = (
            per_order.get(purchase.order_reference, 0) + 1
        )
    assert per_order == {f"PO-{i}": 1 for i in range(KEYS)}
    for one, other in answers:
        assert (one.status_code, other.status_code) == (201, 201)
        assert one.json() == other.json()


def test_a_retry_after_the_server_died_between_commit_and_response_records_nothing_new(
    durable_url: str,
) -> None:
    with served(durable_url) as server:
        account = server.post("/accounts", json=ACCOUNT, headers=WRITER).json()["id"]
    headers = {**WRITER, "Idempotency-Key": "order-crash"}
    body = asset_body(account)

    with (
        served(durable_url, module="tests.entrypoints.http.crashing_server") as dying,
        pytest.raises(httpx.TransportError),
    ):
        dying.post("/assets", json=body, headers=headers)
    [recorded] = _purchases(durable_url)

    with served(durable_url) as server:
        retried = server.post("/assets", json=body, headers=headers)

    assert retried.status_code == 201
    assert retried.json() == {"id": str(recorded.originator_id), "version": 1}
    assert _purchases(durable_url) == [recorded]
