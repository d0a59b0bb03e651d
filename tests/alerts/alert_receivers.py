"""A real webhook receiver on 127.0.0.1 for alert delivery tests: records
every request and can be told to answer 503 for the next few."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from uuid import uuid4

import attrs

from b2bcore.reports.alerts import Alert, AlertKind


@attrs.define
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def alert_id(self) -> str:
        return self.headers["webhook-id"]


@attrs.define
class Receiver:
    url: str
    received: list[Received] = attrs.Factory(list)
    #: Answer 503 to this many requests before accepting again.
    failing: int = 0
    refused: int = 0


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    receiver = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                if receiver.failing > 0:
                    receiver.failing -= 1
                    receiver.refused += 1
                    status = 503
                else:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    receiver.received.append(Received(headers, body))
                    status = 204
            self.send_response(status)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/alerts"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def some_alerts(count: int) -> tuple[Alert, ...]:
    """``count`` alerts of varied kinds, each with its own id."""
    kinds = list(AlertKind)
    return tuple(
        Alert(
            id=uuid4(),
            kind=kinds[n % len(kinds)],
            dated_on=date(2024, 6, 1),
            subject_id=uuid4(),
            subject="asset",
            account_id=uuid4(),
            owner="park",
            detail=f"alert {n}",
            acknowledged=False,
        )
        for n in range(count)
    )
