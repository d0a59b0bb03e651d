"""Alert delivery to the real NATS JetStream on 127.0.0.1:4222 (else
``$B2BCORE_TEST_NATS_URL``): a subject per kind, the stream created when
missing, and a resend after a crash de-duplicated by ``Nats-Msg-Id``.
Without NATS these tests skip with the reason; under ``CI=true`` they fail."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import nats
import pytest

from b2bcore import B2BCore
from b2bcore_adapters.alerts.delivery import (
    AlertDeliverer,
    Backoff,
    DeliveryFailedError,
    DeliveryLog,
    delivery_log_for,
)
from b2bcore_adapters.alerts.sinks import NatsSink
from tests.alerts.alert_receivers import some_alerts

NATS_URL = os.environ.get("B2BCORE_TEST_NATS_URL", "nats://127.0.0.1:4222")


def require_nats() -> None:
    address = urlsplit(NATS_URL)
    try:
        socket.create_connection(
            (address.hostname or "127.0.0.1", address.port or 4222), timeout=3
        ).close()
    except OSError as error:
        problem = f"NATS at {NATS_URL} is not reachable: {error}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true needs NATS: {problem}")
        pytest.skip(problem)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        target.close()


@contextmanager
def nats_on(port: int) -> Iterator[None]:
    """NATS reachable on ``port`` too (a TCP relay to the real server) while
    the block runs: before and after it, that port refuses connections."""
    address = urlsplit(NATS_URL)
    listener = socket.create_server(("127.0.0.1", port))
    open_sockets: list[socket.socket] = [listener]

    def relay() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(
                (address.hostname or "127.0.0.1", address.port or 4222)
            )
            open_sockets.extend((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(
                    target=_pipe, args=(source, target), daemon=True
                ).start()

    thread = threading.Thread(target=relay, daemon=True)
    thread.start()
    try:
        yield
    finally:
        for opened in open_sockets:
            # shutdown, not just close: it wakes the relay's blocked reads.
            with suppress(OSError):
                opened.shutdown(socket.SHUT_RDWR)
            opened.close()


class CrashError(Exception):
    """The deliverer's process dying."""


class CrashingLog:
    """Dies right before recording the first acknowledged alert."""

    def __init__(self, inner: DeliveryLog) -> None:
        self._inner = inner

    def delivered(self, sink: str) -> frozenset[UUID]:
        return self._inner.delivered(sink)

    def record(self, sink: str, alert_id: UUID) -> None:
        raise CrashError(alert_id)


async def _stream_messages(stream: str, subjects: str) -> list[tuple[str, str]]:
    """(subject, Nats-Msg-Id) of every message in ``stream``."""
    client = await nats.connect(NATS_URL)
    try:
        jetstream = client.jetstream()
        info = await jetstream.stream_info(stream)
        found = []
        for sequence in range(info.state.first_seq, info.state.last_seq + 1):
            message = await jetstream.get_msg(stream, sequence)
            headers = message.headers or {}
            assert message.subject is not None
            found.append((message.subject, headers["Nats-Msg-Id"]))
        return found
    finally:
        await client.close()


async def _delete_stream(stream: str) -> None:
    client = await nats.connect(NATS_URL)
    try:
        await client.jetstream().delete_stream(stream)
    finally:
        await client.close()


@pytest.fixture
def sink() -> Iterator[NatsSink]:
    """A sink on a stream and subjects of its own, deleted afterwards."""
    require_nats()
    suffix = uuid4().hex[:12]
    stream, subjects = f"B2BCORE_TEST_{suffix}", f"b2bcore_test_{suffix}.alerts"
    with NatsSink(NATS_URL, stream=stream, subjects=subjects) as opened:
        yield opened
    asyncio.run(_delete_stream(stream))


def messages(sink: NatsSink) -> list[tuple[str, str]]:
    stream = sink.stream
    return asyncio.run(_stream_messages(stream, sink.subjects))


def test_each_alert_is_published_on_its_kinds_subject_under_its_id(
    sink: NatsSink, sqlite_url: str
) -> None:
    alerts = some_alerts(5)

    with B2BCore.open(sqlite_url) as core:
        report = AlertDeliverer(sink, delivery_log_for(core)).deliver(alerts)

    assert report.sent == tuple(a.id for a in alerts)
    assert messages(sink) == [
        (f"{sink.subjects}.{a.kind.value}", str(a.id)) for a in alerts
    ]


def test_a_resend_after_a_crash_is_deduplicated_by_jetstream(
    sink: NatsSink, sqlite_url: str
) -> None:
    alerts = some_alerts(3)
    with B2BCore.open(sqlite_url) as core, pytest.raises(CrashError):
        AlertDeliverer(sink, CrashingLog(delivery_log_for(core))).deliver(alerts)

    with B2BCore.open(sqlite_url) as core:
        report = AlertDeliverer(sink, delivery_log_for(core)).deliver(alerts)

    assert report.sent == tuple(a.id for a in alerts)
    assert [message_id for _, message_id in messages(sink)] == [
        str(a.id) for a in alerts
    ]


def test_nats_down_for_a_while_then_back_loses_nothing(sqlite_url: str) -> None:
    require_nats()
    suffix = uuid4().hex[:12]
    stream, subjects = f"B2BCORE_TEST_{suffix}", f"b2bcore_test_{suffix}.alerts"
    port = free_port()
    alerts = some_alerts(3)
    quick = Backoff(attempts=2, first=0.001, longest=0.001)
    with (
        B2BCore.open(sqlite_url) as core,
        NatsSink(
            f"nats://127.0.0.1:{port}", stream=stream, subjects=subjects, timeout=2
        ) as sink,
    ):
        log = delivery_log_for(core)
        with nats_on(port):
            AlertDeliverer(sink, log, backoff=quick).deliver(alerts[:1])
        with pytest.raises(DeliveryFailedError):
            AlertDeliverer(sink, log, backoff=quick, sleep=lambda _: None).deliver(
                alerts
            )
        with nats_on(port):
            report = AlertDeliverer(sink, log, backoff=quick).deliver(alerts)
            found = messages(sink)
    asyncio.run(_delete_stream(stream))

    assert report.sent == (alerts[1].id, alerts[2].id)
    assert [message_id for _, message_id in found] == [str(a.id) for a in alerts]


def test_an_unreachable_nats_is_retried_then_fails_and_records_nothing(
    sqlite_url: str,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    waits: list[float] = []
    backoff = Backoff(attempts=3, first=0.001, longest=0.001)

    with (
        B2BCore.open(sqlite_url) as core,
        NatsSink(f"nats://127.0.0.1:{port}", timeout=1) as down,
    ):
        log = delivery_log_for(core)
        with pytest.raises(DeliveryFailedError, match="after 3 attempts"):
            AlertDeliverer(down, log, backoff=backoff, sleep=waits.append).deliver(
                some_alerts(1)
            )

        assert log.delivered(down.name) == frozenset()
    assert waits == [0.001, 0.001]


def test_the_payload_on_the_stream_is_the_alert(
    sink: NatsSink, sqlite_url: str
) -> None:
    (alert,) = some_alerts(1)
    with B2BCore.open(sqlite_url) as core:
        AlertDeliverer(sink, delivery_log_for(core)).deliver([alert])

    async def first_body() -> bytes:
        client = await nats.connect(NATS_URL)
        try:
            message = await client.jetstream().get_msg(sink.stream, 1)
            return message.data or b""
        finally:
            await client.close()

    body = json.loads(asyncio.run(first_body()))
    assert (body["id"], body["kind"]) == (str(alert.id), alert.kind.value)
