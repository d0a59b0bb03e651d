"""Group commit: the saves that threads of one process make at the same time,
recorded in one transaction — one table lock, one round trip, one commit —
while each command still gets its own outcome.

The first save to arrive leads: it records every save waiting, together
(a save that finds nobody recording goes at once: no waiting when idle),
then hands the lead to the first save that arrived while it recorded, which
records the next group, and so on; a thread leads once and returns.
If the shared transaction fails — one save's version clash, one save's
idempotency key taken — each save of the group is recorded again on its
own, so the clash is the one save's error and the others stand.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import attrs
from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import Recording, StoredEvent

Record = Callable[[ProcessingEvent[UUID]], list[Recording[UUID]]]


@attrs.define
class _Save:
    processing: ProcessingEvent[UUID]
    #: Set when the save is recorded (or failed), or asked to lead.
    wake: threading.Event = attrs.Factory(threading.Event)
    finished: bool = False
    lead: bool = False
    recordings: list[Recording[UUID]] = attrs.Factory(list)
    error: BaseException | None = None

    def finish(self, error: BaseException | None = None) -> None:
        self.error, self.finished = error, True
        self.wake.set()


class GroupCommit:
    """Records saves through ``record`` (the application's), together when
    they arrive together."""

    def __init__(self, record: Record) -> None:
        self._record = record
        self._lock = threading.Lock()
        self._waiting: list[_Save] = []
        self._leading = False
        #: How many saves each of the last transactions held (tests,
        #: benchmarks).
        self.sizes: deque[int] = deque(maxlen=1_000)

    def record(self, processing: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        save = _Save(processing)
        with self._lock:
            self._waiting.append(save)
            if not self._leading:
                self._leading = save.lead = True
        while not save.finished:
            if save.lead:
                save.lead = False
                self._lead()
            else:
                save.wake.wait()
                save.wake.clear()
        if save.error is not None:
            raise save.error
        return save.recordings

    def _lead(self) -> None:
        """Record every save waiting, then hand the lead to the first save
        that arrived meanwhile (so no thread leads for ever), or give it up."""
        with self._lock:
            group, self._waiting = self._waiting, []
        try:
            self._commit(group)
        except BaseException as error:  # the group's threads must not hang
            for save in group:
                if not save.finished:
                    save.finish(error)
            raise
        finally:
            with self._lock:
                if self._waiting:
                    self._waiting[0].lead = True
                    self._waiting[0].wake.set()
                else:
                    self._leading = False

    def _commit(self, group: list[_Save]) -> None:
        self.sizes.append(len(group))
        if len(group) > 1:
            try:
                recordings = self._record(_merged(group))
            except Exception:  # each save is recorded again on its own below
                recordings = None
            if recordings is not None:
                start = 0
                for save in group:
                    end = start + len(save.processing.events)
                    save.recordings = recordings[start:end]
                    save.finish()
                    start = end
                return
        for save in group:
            try:
                save.recordings = self._record(save.processing)
            except Exception as error:  # handed to the saving thread
                save.finish(error)
            else:
                save.finish()


def _merged(group: Sequence[_Save]) -> ProcessingEvent[UUID]:
    """One save of every event of ``group``: each save's own hook (``then``)
    runs inside the transaction with its own events and positions; their
    read-model projections (``project``) run once, over all of them."""
    merged: ProcessingEvent[UUID] = ProcessingEvent()
    hooks: list[tuple[int, int, Any]] = []
    projections = []
    for save in group:
        start = len(merged.events)
        merged.events.extend(save.processing.events)
        merged.aggregates.update(save.processing.aggregates)
        kwargs = save.processing.saved_kwargs
        for name in ("then", "project"):
            if (hook := kwargs.get(name)) is not None:
                hooks.append((start, len(merged.events), hook))
        if kwargs.get("project") is not None:
            projections.append(kwargs["project"])
    if projections and len(projections) == len(group):
        # One projection of the whole group instead of one per save.
        hooks = [h for h in hooks if all(h[2] is not p for p in projections)]
        merged.saved_kwargs["project"] = projections[0].merged(projections[1:])
    if hooks:

        def then(cursor: Any, stored: Sequence[StoredEvent], at: Sequence[int]) -> None:
            for start, end, hook in hooks:
                hook(cursor, stored[start:end], at[start:end])

        merged.saved_kwargs["then"] = then
    return merged
