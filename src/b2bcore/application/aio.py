"""``AsyncB2BCore``: b2bcore for asyncio services. Every method of
``B2BCore`` can be awaited; each runs on a bounded pool of threads, so the
event loop never waits on the store (the SQLite and PostgreSQL drivers block).
Commands run one at a time per application (as the HTTP API runs them);
queries run at once, up to the pool's size.

    async with await AsyncB2BCore.open("sqlite:///b2bcore.db") as core:
        queue = await core.renewal_queue(within=90)
        account = await core.register_account(name=..., ...)

``await core.run(method, ...)`` calls any callable on the pool, typed: the
attribute form (``await core.renewal_queue(...)``) is the same call, with
the types of ``B2BCore`` for readers but ``Any`` for the type checker.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, ParamSpec, Self, TypeVar

from b2bcore.application.core import B2BCore
from b2bcore.application.queries import QUERIES
from b2bcore.domain.errors import ConfigurationError

P = ParamSpec("P")
T = TypeVar("T")

#: Threads per application unless told: reads run at once up to this many.
#: More threads wait longer for the interpreter lock, and so does the event
#: loop: measured, 8 threads stalled the loop about twice as long as 4.
DEFAULT_WORKERS = 4


class AsyncB2BCore:
    """A ``B2BCore`` whose methods are awaited, run on ``max_workers``
    threads; commands one at a time."""

    def __init__(self, core: B2BCore, *, max_workers: int = DEFAULT_WORKERS) -> None:
        if max_workers < 1:
            raise ConfigurationError(
                f"max_workers: must be at least 1, got {max_workers!r}"
            )
        self.core = core
        self._pool = ThreadPoolExecutor(max_workers, thread_name_prefix="b2bcore")
        self._commands = threading.Lock()

    @classmethod
    async def open(
        cls,
        url: str | None = None,
        *,
        max_workers: int = DEFAULT_WORKERS,
        freeze_startup: bool = True,
        **options: Any,
    ) -> AsyncB2BCore:
        """``B2BCore.open(url, **options)`` off the event loop. With
        ``freeze_startup`` (the default) every object alive once it is open
        — modules, classes, the application — is moved out of the garbage
        collector's sight (``gc.freeze()``): a full collection then no longer
        walks them while holding the interpreter lock, which was most of the
        event loop's longest stall (measured: about 45 ms → 17 ms)."""
        core = await asyncio.to_thread(functools.partial(B2BCore.open, url, **options))
        if freeze_startup:
            gc.freeze()
        return cls(core, max_workers=max_workers)

    async def run(self, method: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``method(*args, **kwargs)`` on the pool; a command (any method of
        this application not in ``QUERIES``) waits for the one before."""
        call = functools.partial(method, *args, **kwargs)
        if not _is_query(self.core, method):
            call = functools.partial(self._one_at_a_time, call)
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        method = getattr(self.core, name)
        if name.startswith("_") or not callable(method):
            raise AttributeError(f"{type(self).__name__} has no method {name!r}")

        async def call(*args: Any, **kwargs: Any) -> Any:
            return await self.run(method, *args, **kwargs)

        call.__name__ = call.__qualname__ = name
        call.__doc__ = method.__doc__
        return call

    async def close(self) -> None:
        """Wait for the calls under way, then close the application."""
        await asyncio.to_thread(self._pool.shutdown, wait=True)
        await asyncio.to_thread(self.core.close)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def _one_at_a_time(self, call: Callable[[], T]) -> T:
        with self._commands:
            return call()


def _is_query(core: B2BCore, method: Callable[..., Any]) -> bool:
    return getattr(method, "__self__", None) is core and (
        getattr(method, "__name__", "") in QUERIES
    )
