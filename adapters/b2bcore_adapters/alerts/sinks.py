"""Where alerts are delivered: stdout (one JSON line each), a webhook (an
HTTP POST signed after Standard Webhooks, see webhook_signatures.py) and NATS
JetStream (a subject per kind, de-duplicated by the alert id)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Self, TextIO
from urllib.parse import urlsplit

import httpx
import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.js import JetStreamContext

from b2bcore import ConfigurationError
from b2bcore.reports.alerts import Alert
from b2bcore_adapters.alerts.delivery import SinkUnavailableError
from b2bcore_adapters.alerts.webhook_signatures import secret_key, signed_headers
from b2bcore_adapters.render.plain import plain

SECRET_VARIABLE = "B2BCORE_WEBHOOK_SECRET"
STREAM = "B2BCORE_ALERTS"
SUBJECTS = "b2bcore.alerts"


def payload(alert: Alert) -> bytes:
    """The alert as compact JSON, keys sorted: the same alert, the same bytes."""
    return json.dumps(plain(alert), ensure_ascii=False, sort_keys=True).encode()


class StdoutSink:
    """Writes each alert as one JSON line; a write that returns is delivered."""

    name = "stdout"

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def send(self, alert: Alert) -> None:
        self.stream.write(payload(alert).decode() + "\n")
        self.stream.flush()


class ClosingSink:
    """A sink that holds a connection: a context manager that closes it."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def utc_now() -> datetime:
    return datetime.now(UTC)


class WebhookSink(ClosingSink):
    """POSTs each alert to ``url``, signed with ``secret`` at the time ``now``
    gives (Standard Webhooks: ``webhook-id`` is the alert's id, the timestamp
    and signature are new on each attempt); any 2xx answer acknowledges it."""

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        timeout: float = 10.0,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise ConfigurationError(
                f"webhook {url}: url: must be an http:// or https:// address"
            )
        if not secret:
            raise ConfigurationError(
                f"webhook {url}: secret: not set: set {SECRET_VARIABLE}"
            )
        secret_key(secret)
        self.name = f"webhook:{url}"
        self._url = url
        self._secret = secret
        self._now = now
        self._client = httpx.Client(timeout=timeout)

    def send(self, alert: Alert) -> None:
        body = payload(alert)
        signed = signed_headers(self._secret, str(alert.id), body, self._now())
        try:
            response = self._client.post(
                self._url,
                content=body,
                headers={"Content-Type": "application/json", **signed},
            )
        except httpx.HTTPError as error:
            raise SinkUnavailableError(f"{self.name}: {error!r}") from error
        if not response.is_success:
            raise SinkUnavailableError(
                f"{self.name}: answered {response.status_code}, not 2xx"
            )

    def close(self) -> None:
        self._client.close()


async def _reported_by_send(error: Exception) -> None:
    """Connection errors surface from ``send`` as SinkUnavailableError."""


class NatsSink(ClosingSink):
    """Publishes each alert to JetStream on ``<subjects>.<kind>`` with the
    ``Nats-Msg-Id`` header set to its id, so the stream keeps one copy per
    id within its duplicate window (two minutes by default). Creates the
    stream when it is missing; connects on first use and again after a
    failure."""

    def __init__(
        self,
        url: str,
        *,
        stream: str = STREAM,
        subjects: str = SUBJECTS,
        timeout: float = 5.0,
    ) -> None:
        self.name = f"nats:{url}"
        self.subjects = subjects
        self._url = url
        self.stream = stream
        self._timeout = timeout
        self._loop = asyncio.new_event_loop()
        self._client: Client | None = None
        self._jetstream: JetStreamContext | None = None

    def subject(self, alert: Alert) -> str:
        return f"{self.subjects}.{alert.kind.value}"

    def send(self, alert: Alert) -> None:
        try:
            self._loop.run_until_complete(self._publish(alert))
        except (nats.errors.Error, OSError, TimeoutError) as error:
            self._loop.run_until_complete(self._disconnect())
            raise SinkUnavailableError(f"{self.name}: {error!r}") from error

    async def _publish(self, alert: Alert) -> None:
        jetstream = self._jetstream or await self._connect()
        await jetstream.publish(
            self.subject(alert),
            payload(alert),
            timeout=self._timeout,
            headers={"Nats-Msg-Id": str(alert.id)},
        )

    async def _connect(self) -> JetStreamContext:
        self._client = await nats.connect(
            self._url,
            connect_timeout=self._timeout,
            allow_reconnect=False,
            # 0 would mean "forever"; the deliverer's back-off does the retrying.
            max_reconnect_attempts=1,
            reconnect_time_wait=0,
            error_cb=_reported_by_send,
        )
        jetstream = self._client.jetstream(timeout=self._timeout)
        try:
            await jetstream.stream_info(self.stream)
        except nats.js.errors.NotFoundError:
            await jetstream.add_stream(
                name=self.stream, subjects=[f"{self.subjects}.>"]
            )
        self._jetstream = jetstream
        return jetstream

    async def _disconnect(self) -> None:
        client, self._client, self._jetstream = self._client, None, None
        if client is not None and not client.is_closed:
            await client.close()

    def close(self) -> None:
        self._loop.run_until_complete(self._disconnect())
        self._loop.close()
