"""The chain-link store port, and its in-memory implementation.

The store keeps the hash chain's links beside the event log, following it
like a projection: a page of links and the chain's tracking position are
committed in one transaction, so after a crash every event is linked once
or not at all. Beside the links it keeps the tags checkpoints took of them
(``b2bcore.audit.LinkTag``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.popo import POPOTrackingRecorder

from b2bcore.audit.verification import ChainLink, LinkTag
from b2bcore.readmodels.readmodel import PositionConflictError

#: The chain's name in the tracking table (beside the projections').
CHAIN = "audit_chain"


class ChainLinkStore(Protocol):
    """Where the hash chain keeps its links."""

    def head(self) -> ChainLink | None:
        """The link of the highest position (None before the first)."""
        ...

    def links(self, after: int, limit: int) -> list[ChainLink]:
        """Up to ``limit`` links of positions after ``after``, in order."""
        ...

    def append(self, links: Sequence[ChainLink]) -> None:
        """Store ``links`` and move the chain's position to the last one, all
        or nothing. Raises PositionConflictError if a position is taken."""
        ...

    def tags(self, after: int, limit: int) -> list[LinkTag]:
        """Up to ``limit`` tags of positions after ``after``, in order."""
        ...

    def last_tag(self) -> int:
        """The highest tagged position (0 before the first checkpoint)."""
        ...

    def add_tags(self, tags: Sequence[LinkTag]) -> None:
        """Keep ``tags``; a position tagged already keeps its first tag."""
        ...

    def close(self) -> None: ...


class MemoryChainLinkStore(POPOTrackingRecorder):
    """Links in a list, for ``memory://`` and tests."""

    def __init__(self) -> None:
        super().__init__()
        self._links: list[ChainLink] = []
        self._tags: dict[int, LinkTag] = {}

    def head(self) -> ChainLink | None:
        with self._database_lock:
            return self._links[-1] if self._links else None

    def links(self, after: int, limit: int) -> list[ChainLink]:
        with self._database_lock:
            return [link for link in self._links if link.position > after][:limit]

    def append(self, links: Sequence[ChainLink]) -> None:
        if not links:
            return
        with self._database_lock:
            tracking = Tracking(CHAIN, links[-1].position)
            try:
                self._assert_tracking_uniqueness(tracking)
            except IntegrityError as error:
                raise PositionConflictError(str(error)) from None
            last = self._links[-1].position if self._links else 0
            if links[0].position <= last:
                raise PositionConflictError(
                    f"chain link {links[0].position}: already linked up to {last}"
                )
            self._links.extend(links)
            self._insert_tracking(tracking)

    def tags(self, after: int, limit: int) -> list[LinkTag]:
        with self._database_lock:
            return [self._tags[p] for p in sorted(self._tags) if p > after][:limit]

    def last_tag(self) -> int:
        with self._database_lock:
            return max(self._tags, default=0)

    def add_tags(self, tags: Sequence[LinkTag]) -> None:
        with self._database_lock:
            for tag in tags:
                self._tags.setdefault(tag.position, tag)

    def close(self) -> None:
        pass
