"""``HashChain``: keeps the tamper-evident chain following one event log,
verifies the log against it and signs checkpoints of its head.

The chain moves on demand: :meth:`HashChain.catch_up` links every event
recorded since the last link, a page per transaction, and runs before every
verification and checkpoint. A checkpoint tags every link up to its head,
so that verifying against it locates the first edited event even when the
chain was rewritten with it (``b2bcore.audit.verify_tagged``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import attrs
from eventsourcing.persistence import Notification

from b2bcore.application.paging import notifications
from b2bcore.audit import verification as audit
from b2bcore.audit.chainstore import ChainLinkStore
from b2bcore.audit.verification import (
    ChainLink,
    ChainStatus,
    Checkpoint,
    LinkTag,
    LoggedEvent,
)
from b2bcore.domain.errors import BusinessRuleError
from b2bcore.readmodels.readmodel import PositionConflictError

#: Events read (and links committed) per page.
PAGE_SIZE = 1000


def logged(notification: Notification) -> LoggedEvent:
    """What the chain covers of one stored event."""
    return LoggedEvent(
        position=notification.id,
        aggregate_id=UUID(str(notification.originator_id)),
        version=notification.originator_version,
        topic=notification.topic,
        state=bytes(notification.state),
    )


class HashChain:
    """The hash chain over one event log (``recorder``), kept in ``store``."""

    def __init__(
        self, recorder: Any, store: ChainLinkStore, *, page_size: int = PAGE_SIZE
    ) -> None:
        self._recorder = recorder
        self.store = store
        self.page_size = page_size

    def catch_up(self) -> int:
        """Link every event recorded after the last link; returns how many.
        Safe to run from several processes: a page another one linked first
        is left to it and the chain goes on from its head."""
        linked = 0
        while True:
            head = self.store.head()
            notifications = self._recorder.select_notifications(
                start=head.position if head else 0,
                limit=self.page_size,
                inclusive_of_start=False,
            )
            if not notifications:
                return linked
            links = audit.extend(head, (logged(n) for n in notifications))
            try:
                self.store.append(links)
            except PositionConflictError:
                continue
            linked += len(links)

    def verify(
        self,
        checkpoint: Checkpoint | None = None,
        key: bytes = b"",
        aggregates: set[UUID] | None = None,
    ) -> ChainStatus:
        """Catch up, then recompute the chain from the whole log and compare
        it with the stored links; with a ``checkpoint`` (its signature
        checked with ``key``), also compare the log up to it with the links
        it tagged, locating the first event that differs from them. Adds
        the id of every aggregate in the log to ``aggregates``, if given."""
        self.catch_up()
        log = []
        for notification in self._notifications():
            event = logged(notification)
            log.append((event.position, audit.event_digest(event)))
            if aggregates is not None:
                aggregates.add(event.aggregate_id)
        status = audit.verify(log, list(self._links()))
        if not status.ok or checkpoint is None:
            return status
        tags = list(self._tags(checkpoint.position))
        anchored = (
            audit.verify_tagged(key, log, tags, checkpoint)
            if tags
            # A checkpoint taken before links were tagged: its head only.
            else audit.verify(log, list(self._links()), checkpoint)
        )
        if not anchored.ok:
            return attrs.evolve(anchored, count=status.count, head=status.head)
        return attrs.evolve(status, anchored=checkpoint.position)

    def checkpoint(self, key: bytes) -> Checkpoint:
        """A checkpoint of the verified chain's head, signed with ``key``,
        after tagging every link not tagged yet. Refuses (BusinessRuleError)
        to sign a log that fails verification."""
        status = self.verify()
        if not status.ok:
            raise BusinessRuleError(
                "event log", "hash chain", f"cannot sign: {status.describe()}"
            )
        checkpoint = audit.sign(
            key, position=status.end, head=status.head, count=status.count
        )
        after = self.store.last_tag()
        while page := self.store.links(after, self.page_size):
            if page[0].position > checkpoint.position:
                break
            covered = [k for k in page if k.position <= checkpoint.position]
            self.store.add_tags(audit.tag_links(key, covered))
            after = page[-1].position
        return checkpoint

    def _tags(self, upto: int) -> Iterator[LinkTag]:
        after = 0
        while page := self.store.tags(after, self.page_size):
            yield from (t for t in page if t.position <= upto)
            if page[-1].position >= upto:
                return
            after = page[-1].position

    def _notifications(self) -> Iterator[Notification]:
        return notifications(self._recorder, page_size=self.page_size)

    def _links(self) -> Iterator[ChainLink]:
        after = 0
        while page := self.store.links(after, self.page_size):
            yield from page
            after = page[-1].position
