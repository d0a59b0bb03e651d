"""A long-running projection runner: follows the event log and keeps the
read models current, one thread per projection, until SIGTERM or SIGINT.

    python -m b2bcore_adapters.entrypoints.runner --db postgresql://…/db [--poll 0.5]
        [--projection NAME]… [--tenant NAME]

With ``--projection`` (repeatable) it follows only the named projections, so
each projection can run in a process of its own. Restart it at any time: each
projection resumes from its committed position. With ``--tenant`` it ends
(status 1) when the tenant moves or is removed, for its supervisor to start
it again where the tenant now is. Every runner also links new
events into the tamper-evident hash chain (docs/audit.md), so the chain grows
with the log; several runners share that work safely.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
import time
from collections.abc import Sequence
from types import FrameType

from b2bcore import B2BCore
from b2bcore.application.tenants import Tenants


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="b2bcore-runner", description=__doc__)
    parser.add_argument("--db", default=None, help="database URL")
    parser.add_argument(
        "--tenant", default=None, help="a tenant of the directory at --db"
    )
    parser.add_argument("--poll", type=float, default=0.5, help="seconds between polls")
    parser.add_argument(
        "--page-size", type=int, default=None, help="events per transaction"
    )
    parser.add_argument(
        "--projection",
        action="append",
        metavar="NAME",
        help="follow only this projection (repeatable; default: every one)",
    )
    args = parser.parse_args(argv)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    with contextlib.ExitStack() as opened:
        held = None
        if args.tenant is None:
            core = opened.enter_context(B2BCore.open(args.db))
        else:  # held through the directory, to see it move or go
            tenants = opened.enter_context(Tenants.open(args.db))
            held = opened.enter_context(tenants.hold(args.tenant))
            core = held.core
        names = list(dict.fromkeys(args.projection or core.projector.projections))
        unknown = sorted(set(names) - set(core.projector.projections))
        if unknown:
            parser.error(
                f"no projection {', '.join(unknown)} "
                f"(known: {', '.join(core.projector.projections)})"
            )
        if args.page_size:
            core.projector.page_size = args.page_size
        threads = core.projector.follow_in_threads(
            stop, poll_seconds=args.poll, names=names
        )
        chain_failures: list[Exception] = []
        threads.append(link_chain(core, stop, args.poll, chain_failures))
        print("following", ", ".join(names), flush=True)
        # A projection that stops (a poison event, a lost database), or the
        # tenant moving or going, ends the process with status 1, so a
        # supervisor restarts it (where the tenant now is); every projection
        # resumes from its committed position.
        look = time.monotonic()
        moved = False
        while not (core.projector.failures or chain_failures or moved) and any(
            t.is_alive() for t in threads
        ):
            if held is not None and time.monotonic() >= look:
                look = time.monotonic() + args.poll
                moved = held.stale()
            time.sleep(0.1)
        stop.set()
        for thread in threads:
            thread.join()
        failures = [*core.projector.failures, *chain_failures]
        # Its erased store may have failed a projection first.
        if held is not None and (moved or (failures and held.stale())):
            print(
                f"error: tenant {args.tenant} moved or was removed: start the "
                "runner again to follow it",
                file=sys.stderr,
            )
            return 1
        if failures:
            print(f"error: {failures[0]}", file=sys.stderr)
            return 1
    return 0


def link_chain(
    core: B2BCore, stop: threading.Event, poll: float, failures: list[Exception]
) -> threading.Thread:
    """A thread that links new events into the hash chain every ``poll``
    seconds until ``stop``; a failure is put in ``failures`` and ends it."""

    def follow() -> None:
        try:
            while True:
                core.hash_chain.catch_up()
                if stop.wait(poll):
                    return
        except Exception as error:  # reported by the main loop, exit 1
            failures.append(error)

    thread = threading.Thread(target=follow, name="hash-chain", daemon=True)
    thread.start()
    return thread


if __name__ == "__main__":
    sys.exit(main())
