"""`b2b serve` as a real uvicorn process on 127.0.0.1: end-to-end flows over
TCP and concurrent clients on one asset."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from b2bcore import B2BCore
from b2bcore_adapters.entrypoints.cli.main import main
from b2bcore_adapters.entrypoints.http import hash_token
from tests.entrypoints.http.http_api import (
    ACCOUNT,
    READER,
    READER_TOKEN,
    WRITER,
    WRITER_TOKEN,
    asset_body,
)
from tests.helpers import stored_events

STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'served.db'}"


@contextmanager
def served(
    database: str,
    *options: str,
    module: str = "b2bcore_adapters.entrypoints.cli.main",
    tenant: str | None = None,
) -> Iterator[httpx.Client]:
    """`b2b serve` (or another ``module`` taking its arguments) on a free port,
    of ``tenant`` of the directory at ``database`` if given; a client of it;
    the process stopped after."""
    port = free_port()
    env = {
        **os.environ,
        "B2BCORE_API_TOKENS": f"billing-service:write:{hash_token(WRITER_TOKEN)},"
        f"auditor.kim:read:{hash_token(READER_TOKEN)}",
    }
    store = ("--tenant", tenant, "serve") if tenant else ("serve",)
    command = ["--db", database, *store, "--port", str(port), *options]
    process = subprocess.Popen(
        [sys.executable, "-m", module, *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                httpx.get(f"{base}/openapi.json")
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("b2b serve did not start") from None
                time.sleep(0.1)
        with httpx.Client(base_url=base) as client:
            yield client
    finally:
        process.terminate()
        process.wait(timeout=STARTUP_SECONDS)


@pytest.fixture
def server(database: str) -> Iterator[httpx.Client]:
    with served(database) as client:
        yield client


def registered_asset(client: httpx.Client) -> str:
    account = client.post("/accounts", json=ACCOUNT, headers=WRITER).json()["id"]
    asset: str = client.post(
        "/assets", json=asset_body(account), headers=WRITER
    ).json()["id"]
    installed = client.post(
        f"/assets/{asset}/install",
        json={"usage_end_on": "2025-01-10", "on": "2024-01-15"},
        headers={**WRITER, "If-Match": '"1"'},
    )
    assert installed.status_code == 200
    return asset


def test_an_asset_is_sold_installed_and_queued_for_renewal_over_http(
    server: httpx.Client, database: str
) -> None:
    asset = registered_asset(server)

    queue = server.get("/reports/renewals?as_of=2024-12-01", headers=READER)
    read = server.get(f"/assets/{asset}", headers=READER)

    assert [item["asset_id"] for item in queue.json()] == [asset]
    assert read.headers["ETag"] == '"2"'
    with B2BCore.open(database) as core:
        events = stored_events(core, UUID(asset))
        assert {event.actor for event in events} == {"billing-service"}


def test_a_retry_over_http_records_nothing(server: httpx.Client) -> None:
    headers = {**WRITER, "Idempotency-Key": "order-7"}
    first = server.post("/accounts", json=ACCOUNT, headers=headers)
    position = server.get("/log/position", headers=READER).json()

    again = server.post("/accounts", json=ACCOUNT, headers=headers)

    assert again.json() == first.json()
    assert server.get("/log/position", headers=READER).json() == position


def test_an_auditor_cannot_command_over_http(server: httpx.Client) -> None:
    assert server.post("/accounts", json=ACCOUNT, headers=READER).status_code == 403
    assert server.post("/accounts", json=ACCOUNT).status_code == 401


def _concurrently(
    client: httpx.Client | list[httpx.Client],
    requests: list[tuple[str, dict[str, object], dict[str, str]]],
) -> list[int]:
    start = threading.Barrier(len(requests))
    statuses: list[int] = [0] * len(requests)

    def send(index: int) -> None:
        path, body, headers = requests[index]
        start.wait()
        sender = client[index] if isinstance(client, list) else client
        statuses[index] = sender.post(path, json=body, headers=headers).status_code

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_of_two_clients_renewing_one_version_one_wins_the_other_gets_412(
    server: httpx.Client,
) -> None:
    asset = registered_asset(server)
    tag = server.get(f"/assets/{asset}", headers=READER).headers["ETag"]
    renew = f"/assets/{asset}/renew"
    headers = {**WRITER, "If-Match": tag}

    statuses = _concurrently(
        server,
        [
            (renew, {"usage_end_on": "2026-01-10", "on": "2024-12-01"}, headers),
            (renew, {"usage_end_on": "2027-01-10", "on": "2024-12-01"}, headers),
        ],
    )

    assert sorted(statuses) == [200, 412]
    after = server.get(f"/assets/{asset}", headers=READER).json()
    assert after["version"] == 3
    assert len(after["renewals"]) == 1


def test_two_clients_writing_without_if_match_both_keep_their_change(
    server: httpx.Client,
) -> None:
    asset = registered_asset(server)
    path = f"/assets/{asset}/satisfaction"

    statuses = _concurrently(
        server,
        [
            (path, {"score": 4, "comment": "fine", "on": "2024-03-01"}, WRITER),
            (path, {"score": 2, "comment": "slow", "on": "2024-03-01"}, WRITER),
        ],
    )

    assert statuses == [200, 200]
    after = server.get(f"/assets/{asset}", headers=READER).json()
    assert after["version"] == 4
    assert sorted(s["score"] for s in after["satisfaction"]) == [2, 4]


def test_two_server_processes_on_one_database_lose_no_change(
    durable_url: str,
) -> None:
    with served(durable_url) as first, served(durable_url) as second:
        asset = registered_asset(first)
        path = f"/assets/{asset}/satisfaction"
        writes = [
            (path, {"score": 1 + i % 5, "comment": f"visit {i}"}, WRITER)
            for i in range(12)
        ]

        statuses = _concurrently([first, second] * 6, writes)

        after = first.get(f"/assets/{asset}", headers=READER).json()
    # Each write either is recorded (200) or is refused whole because the
    # other process wrote first (409): none is lost, none half-recorded.
    assert set(statuses) <= {200, 409}
    assert len(after["satisfaction"]) == statuses.count(200)
    assert after["version"] == 2 + statuses.count(200)


def test_two_servers_and_a_runner_serve_reads_at_once_without_writing(
    postgres_url: str,
) -> None:
    command = [
        "b2bcore_adapters.entrypoints.runner",
        "--db",
        postgres_url,
        "--poll",
        "0.05",
    ]
    runner = subprocess.Popen(
        [sys.executable, "-m", *command],
        stdout=subprocess.DEVNULL,
    )
    try:
        with (
            served(postgres_url, "--consistency", "available") as first,
            served(postgres_url, "--consistency", "available") as second,
        ):
            asset = registered_asset(first)
            head = int(first.get("/log/position", headers=READER).json()["position"])
            reads = [("/reports/renewals?as_of=2024-12-01&within=90", READER)] * 12

            answers = _concurrently_reading([first, second] * 6, reads)

            assert {status for status, _ in answers} == {200}
            assert all(int(headers["B2B-Log-Head"]) == head for _, headers in answers)
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                queue = second.get(
                    "/reports/renewals?as_of=2024-12-01&within=90", headers=READER
                )
                if int(queue.headers["B2B-Read-Position"]) == head:
                    break
                assert time.monotonic() < deadline, "the runner never caught up"
                time.sleep(0.05)
            assert [item["asset_id"] for item in queue.json()] == [asset]
            assert (
                int(first.get("/log/position", headers=READER).json()["position"])
                == head
            ), "reads recorded nothing"
    finally:
        runner.terminate()
        runner.wait(timeout=STARTUP_SECONDS)


def _concurrently_reading(
    clients: list[httpx.Client], reads: list[tuple[str, dict[str, str]]]
) -> list[tuple[int, httpx.Headers]]:
    """Send every GET at once, one thread per request."""
    answers: list[tuple[int, httpx.Headers]] = []
    start = threading.Barrier(len(reads))

    def send(client: httpx.Client, path: str, headers: dict[str, str]) -> None:
        start.wait()
        response = client.get(path, headers=headers)
        answers.append((response.status_code, response.headers))

    threads = [
        threading.Thread(target=send, args=(client, path, headers))
        for client, (path, headers) in zip(clients, reads, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_serve_without_tokens_exits_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database: str
) -> None:
    monkeypatch.delenv("B2BCORE_API_TOKENS", raising=False)

    code = main(["serve", "--db", database, "--port", str(free_port())])

    assert code == 1
    assert "no API tokens" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "said"),
    [("missing", "No such file or directory"), ("", "Is a directory")],
)
def test_serve_with_an_unreadable_tokens_file_exits_with_one_line(
    capsys: pytest.CaptureFixture[str],
    database: str,
    tmp_path: Path,
    name: str,
    said: str,
) -> None:
    tokens = tmp_path / name
    code = main(["serve", "--db", database, "--tokens", str(tokens), "--port", "9"])

    err = capsys.readouterr().err
    assert code == 1
    assert err == f"error: tokens file {tokens}: {said}\n"
