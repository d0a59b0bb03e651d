"""Alert delivery to a real webhook receiver on 127.0.0.1: at least once,
retried with back-off, nothing lost while the sink is down, and a crash
between send and record resends only that alert, under the same id."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from b2bcore import B2BCore, ConfigurationError
from b2bcore_adapters.alerts.delivery import (
    AlertDeliverer,
    Backoff,
    DeliveryFailedError,
    DeliveryLog,
    delivery_log_for,
)
from b2bcore_adapters.alerts.sinks import StdoutSink, WebhookSink, payload
from b2bcore_adapters.alerts.webhook_signatures import (
    WebhookVerificationError,
    sign,
    verify,
)
from tests.alerts.alert_receivers import Receiver, some_alerts, webhook_receiver

SECRET = "s3cret"
SENT_AT = datetime(2024, 10, 2, 9, 30, tzinfo=UTC)
#: The test vector of the Standard Webhooks specification.
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
QUICK = Backoff(attempts=4, first=0.001, factor=2, longest=0.004)


class CrashError(Exception):
    """The deliverer's process dying."""


class CrashingLog:
    """A delivery log whose process dies right before recording the
    ``crash_at``-th acknowledged alert."""

    def __init__(self, inner: DeliveryLog, crash_at: int) -> None:
        self._inner = inner
        self._left = crash_at

    def delivered(self, sink: str) -> frozenset[UUID]:
        return self._inner.delivered(sink)

    def record(self, sink: str, alert_id: UUID) -> None:
        self._left -= 1
        if self._left == 0:
            raise CrashError(alert_id)
        self._inner.record(sink, alert_id)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as running:
        yield running


@pytest.fixture
def core(sqlite_url: str) -> Iterator[B2BCore]:
    with B2BCore.open(sqlite_url) as opened:
        yield opened


def received_ids(receiver: Receiver) -> list[str]:
    return [request.alert_id for request in receiver.received]


def test_each_alert_is_posted_once_with_its_id_and_a_verifiable_signature(
    receiver: Receiver, core: B2BCore
) -> None:
    alerts = some_alerts(3)

    with WebhookSink(receiver.url, SECRET, now=lambda: SENT_AT) as sink:
        report = AlertDeliverer(sink, delivery_log_for(core)).deliver(alerts)

    assert report.sent == tuple(a.id for a in alerts)
    assert received_ids(receiver) == [str(a.id) for a in alerts]
    for request, alert in zip(receiver.received, alerts, strict=True):
        timestamp = request.headers["webhook-timestamp"]
        signed = f"{alert.id}.{timestamp}.".encode() + request.body
        digest = hmac.new(SECRET.encode(), signed, hashlib.sha256).digest()
        assert timestamp == str(int(SENT_AT.timestamp()))
        assert request.headers["webhook-signature"] == (
            "v1," + base64.b64encode(digest).decode()
        )
        assert request.body == payload(alert)
        assert json.loads(request.body)["id"] == str(alert.id)


def test_signatures_follow_the_standard_webhooks_test_vector() -> None:
    headers = {
        "Webhook-Id": VECTOR_ID,
        "Webhook-Timestamp": str(VECTOR_TIMESTAMP),
        "Webhook-Signature": f"v1,bm90IGl0 {VECTOR_SIGNATURE}",
    }
    signed_at = datetime.fromtimestamp(VECTOR_TIMESTAMP, UTC)

    assert sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == (
        VECTOR_SIGNATURE
    )
    assert verify(VECTOR_SECRET, headers, VECTOR_BODY, now=signed_at) == VECTOR_ID


def delivered_once(
    receiver: Receiver, secret: str = SECRET
) -> tuple[dict[str, str], bytes]:
    """The headers and body of one alert delivered at SENT_AT."""
    with WebhookSink(receiver.url, secret, now=lambda: SENT_AT) as sink:
        sink.send(some_alerts(1)[0])
    [request] = receiver.received
    return request.headers, request.body


def test_a_receiver_verifies_a_delivery_within_the_tolerance(
    receiver: Receiver,
) -> None:
    headers, body = delivered_once(receiver)

    for late in (timedelta(0), timedelta(minutes=5), timedelta(minutes=-5)):
        assert (
            verify(SECRET, headers, body, now=SENT_AT + late) == (headers["webhook-id"])
        )


def test_a_delivery_replayed_after_the_tolerance_is_refused(
    receiver: Receiver,
) -> None:
    headers, body = delivered_once(receiver)

    with pytest.raises(WebhookVerificationError, match="webhook-timestamp: more than"):
        verify(SECRET, headers, body, now=SENT_AT + timedelta(minutes=5, seconds=1))
    with pytest.raises(WebhookVerificationError, match="webhook-timestamp"):
        verify(SECRET, headers, body, now=SENT_AT - timedelta(hours=1))


def test_a_replay_under_a_fresh_timestamp_fails_the_signature(
    receiver: Receiver,
) -> None:
    headers, body = delivered_once(receiver)
    later = SENT_AT + timedelta(hours=1)
    replayed = {**headers, "webhook-timestamp": str(int(later.timestamp()))}

    with pytest.raises(WebhookVerificationError, match="webhook-signature: does not"):
        verify(SECRET, replayed, body, now=later)


@pytest.mark.parametrize(
    ("change", "forged_body"),
    [
        ({"webhook-signature": "v1,AAAA"}, None),
        ({"webhook-signature": "v1,é"}, None),
        ({"webhook-id": "another-alert"}, None),
        ({}, b'{"kind": "forged"}'),
    ],
)
def test_a_forged_or_altered_delivery_is_refused(
    receiver: Receiver, change: dict[str, str], forged_body: bytes | None
) -> None:
    headers, body = delivered_once(receiver)

    with pytest.raises(WebhookVerificationError, match="webhook-signature"):
        verify(SECRET, {**headers, **change}, forged_body or body, now=SENT_AT)


@pytest.mark.parametrize(
    ("header", "value", "problem"),
    [
        ("webhook-timestamp", None, "webhook-timestamp: missing"),
        ("webhook-signature", None, "webhook-signature: missing"),
        ("webhook-timestamp", "soon", "must be Unix seconds"),
        ("webhook-timestamp", "9" * 5_000, "must be Unix seconds"),
    ],
)
def test_a_delivery_without_usable_headers_is_refused(
    receiver: Receiver, header: str, value: str | None, problem: str
) -> None:
    headers, body = delivered_once(receiver)
    headers = {k: v for k, v in headers.items() if k != header}
    if value is not None:
        headers[header] = value

    with pytest.raises(WebhookVerificationError, match=problem):
        verify(SECRET, headers, body, now=SENT_AT)


def test_a_whsec_secret_signs_with_its_decoded_key(receiver: Receiver) -> None:
    key = b"\x00\x01 binary key bytes"
    secret = "whsec_" + base64.b64encode(key).decode()
    headers, body = delivered_once(receiver, secret)

    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    assert headers["webhook-signature"] == "v1," + base64.b64encode(digest).decode()
    assert verify(secret, headers, body, now=SENT_AT) == headers["webhook-id"]


def test_a_whsec_secret_that_is_not_base64_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="whsec_"):
        WebhookSink("http://127.0.0.1:1/alerts", "whsec_not base64!")


def test_a_second_run_sends_only_new_alerts(receiver: Receiver, core: B2BCore) -> None:
    first, later = some_alerts(2), some_alerts(1)
    log = delivery_log_for(core)
    with WebhookSink(receiver.url, SECRET) as sink:
        AlertDeliverer(sink, log).deliver(first)

        report = AlertDeliverer(sink, log).deliver(first + later)

    assert (report.sent, report.already_delivered) == ((later[0].id,), 2)
    assert received_ids(receiver) == [str(a.id) for a in first + later]


def test_a_sink_failing_for_a_while_is_retried_with_back_off(
    receiver: Receiver, core: B2BCore
) -> None:
    alerts = some_alerts(2)
    receiver.failing = 3
    waits: list[float] = []

    with WebhookSink(receiver.url, SECRET) as sink:
        report = AlertDeliverer(
            sink, delivery_log_for(core), backoff=QUICK, sleep=waits.append
        ).deliver(alerts)

    assert report.retries == 3
    assert waits == [0.001, 0.002, 0.004]
    assert received_ids(receiver) == [str(a.id) for a in alerts]


def test_back_off_doubles_up_to_its_bound() -> None:
    backoff = Backoff(attempts=6, first=1, factor=2, longest=5)

    assert backoff.delays() == (1, 2, 4, 5, 5)


def test_a_sink_down_longer_than_the_retries_loses_nothing(
    receiver: Receiver, core: B2BCore
) -> None:
    alerts = some_alerts(3)
    log = delivery_log_for(core)
    with WebhookSink(receiver.url, SECRET) as sink:
        AlertDeliverer(sink, log, backoff=QUICK, sleep=lambda _: None).deliver(
            alerts[:1]
        )
        receiver.failing = QUICK.attempts

        with pytest.raises(DeliveryFailedError, match="not acknowledged after 4"):
            AlertDeliverer(sink, log, backoff=QUICK, sleep=lambda _: None).deliver(
                alerts
            )
        report = AlertDeliverer(sink, log, backoff=QUICK).deliver(alerts)

    assert receiver.refused == 4
    assert report.sent == (alerts[1].id, alerts[2].id)
    assert received_ids(receiver) == [str(a.id) for a in alerts]


def test_an_unreachable_webhook_is_retried_then_delivered_once_it_is_up(
    core: B2BCore,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    alerts = some_alerts(2)
    log = delivery_log_for(core)
    down = WebhookSink(f"http://127.0.0.1:{port}/alerts", SECRET, timeout=1)
    with down, pytest.raises(DeliveryFailedError, match="ConnectError"):
        AlertDeliverer(down, log, backoff=QUICK, sleep=lambda _: None).deliver(alerts)
    assert log.delivered(down.name) == frozenset()

    with webhook_receiver() as receiver, WebhookSink(receiver.url, SECRET) as up:
        AlertDeliverer(up, log).deliver(alerts)

    assert received_ids(receiver) == [str(a.id) for a in alerts]


def test_a_crash_between_send_and_record_resends_only_that_alert(
    receiver: Receiver, sqlite_url: str
) -> None:
    alerts = some_alerts(4)
    with B2BCore.open(sqlite_url) as core, WebhookSink(receiver.url, SECRET) as sink:
        crashing = CrashingLog(delivery_log_for(core), crash_at=2)
        with pytest.raises(CrashError):
            AlertDeliverer(sink, crashing).deliver(alerts)

    with B2BCore.open(sqlite_url) as core, WebhookSink(receiver.url, SECRET) as sink:
        report = AlertDeliverer(sink, delivery_log_for(core)).deliver(alerts)

    assert report.sent == tuple(a.id for a in alerts[1:])
    ids = received_ids(receiver)
    assert ids == [str(a.id) for a in (alerts[0], alerts[1], *alerts[1:])]
    assert set(ids) == {str(a.id) for a in alerts}


def test_a_webhook_without_a_secret_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="B2BCORE_WEBHOOK_SECRET"):
        WebhookSink("http://127.0.0.1:1/alerts", "")


def test_stdout_writes_one_json_line_per_alert(tmp_path: Path) -> None:
    alerts = some_alerts(2)
    stream = io.StringIO()
    with B2BCore.open(f"sqlite:///{tmp_path / 'b.db'}") as core:
        log = delivery_log_for(core)
        AlertDeliverer(StdoutSink(stream), log).deliver(alerts)
        AlertDeliverer(StdoutSink(stream), log).deliver(alerts)

    lines = stream.getvalue().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [str(a.id) for a in alerts]


@pytest.mark.parametrize("url", ["ftp://example.com/alerts", "http://", "alerts"])
def test_a_webhook_url_that_is_not_http_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="must be an http:// or https://"):
        WebhookSink(url, "secret")
