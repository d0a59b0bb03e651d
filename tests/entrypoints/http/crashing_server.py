"""A test-only ``b2b serve`` that kills itself (SIGKILL) right after the
first save it records commits, before anything answers the request: the
crash between the events' commit and the response.

    python -m tests.entrypoints.http.crashing_server serve --db DATABASE_URL --port PORT
"""

from __future__ import annotations

import argparse
import os
import signal
from collections.abc import Sequence
from typing import Any

import uvicorn
from eventsourcing.persistence import StoredEvent

from b2bcore import B2BCore
from b2bcore_adapters.entrypoints.http import create_app
from b2bcore_adapters.entrypoints.http.server import load_tokens


def main(url: str, port: int) -> None:
    with B2BCore.open(url, actor="http") as core:
        recorder = core.event_log.recorder
        insert = recorder.insert_events

        def insert_then_die(
            stored: Sequence[StoredEvent], **kwargs: Any
        ) -> Sequence[int] | None:
            insert(stored, **kwargs)  # committed when it returns
            os.kill(os.getpid(), signal.SIGKILL)
            raise AssertionError("unreachable")

        recorder.insert_events = insert_then_die  # type: ignore[method-assign,assignment]
        app = create_app(core, load_tokens(None))
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("serve")
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    main(arguments.db, arguments.port)
