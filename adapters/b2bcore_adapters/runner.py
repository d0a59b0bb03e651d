"""A long-running projection runner: follows the event log and keeps the
read models current, one thread per projection, until SIGTERM or SIGINT.

    python -m b2bcore_adapters.runner --db postgresql://…/db [--poll 0.5]

Restart it at any time: each projection resumes from its committed position.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from b2bcore import B2BCore


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="b2bcore-runner", description=__doc__)
    parser.add_argument("--db", default=None, help="database URL")
    parser.add_argument("--poll", type=float, default=0.5, help="seconds between polls")
    parser.add_argument(
        "--page-size", type=int, default=None, help="events per transaction"
    )
    args = parser.parse_args(argv)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    with B2BCore.open(args.db) as core:
        if args.page_size:
            core.projector.page_size = args.page_size
        threads = core.projector.follow_in_threads(stop, poll_seconds=args.poll)
        print("following", ", ".join(core.projector.projections), flush=True)
        for thread in threads:
            thread.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
