"""The tamper-evident log: a SHA-256 hash chain over the ordered event log,
its verification, and HMAC-signed checkpoints of its head.

Each stored event has an *event digest* covering its aggregate id, version,
topic and stored state bytes (the event's recorded time is one of the fields
inside those bytes). Each *link* covers the previous link, the event's log
position and its digest. A link is kept with its own event digest, so that
verification can tell an event moved elsewhere (reordered) from an event
edited (altered), removed (deleted) or added (inserted).

A checkpoint also *tags* every link up to its head: an HMAC, under the audit
key, of the link's position and event digest, kept beside the chain. Someone
who rewrites events together with the chain cannot forge the tags, so
verification against a checkpoint locates the first event that differs from
what was tagged, not only the checkpoint's position. Pure: hashlib and hmac.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from uuid import UUID

import attrs

from b2bcore.domain.errors import ValidationError

#: The link before the first event.
GENESIS = bytes(32)
_LINK_TAG = b"b2bcore-chain-v1"
_CHECKPOINT_TAG = "b2bcore-checkpoint-v1"
_LINK_TAG_TAG = b"b2bcore-link-tag-v1"


@attrs.frozen
class LoggedEvent:
    """One stored event as the chain sees it: its position and stored fields."""

    position: int
    aggregate_id: UUID
    version: int
    topic: str
    state: bytes


@attrs.frozen
class ChainLink:
    """The chain at one log position: the event's digest and the link hash."""

    position: int
    event_digest: bytes
    link: bytes


def _field(value: bytes) -> bytes:
    # Length-prefixed, so no two different events encode the same.
    return len(value).to_bytes(8, "big") + value


def event_digest(event: LoggedEvent) -> bytes:
    """SHA-256 over the event's stored fields (not its position)."""
    return hashlib.sha256(
        _field(event.aggregate_id.bytes)
        + _field(str(event.version).encode())
        + _field(event.topic.encode())
        + _field(event.state)
    ).digest()


def link_hash(previous: bytes, position: int, digest: bytes) -> bytes:
    """SHA-256 over the previous link, the position and the event digest."""
    return hashlib.sha256(
        _LINK_TAG + previous + position.to_bytes(8, "big") + digest
    ).digest()


def extend(
    previous: ChainLink | None, events: Iterable[LoggedEvent]
) -> list[ChainLink]:
    """The links of ``events`` (in log order) following ``previous``."""
    links = []
    prior = previous.link if previous else GENESIS
    for event in events:
        digest = event_digest(event)
        prior = link_hash(prior, event.position, digest)
        links.append(ChainLink(event.position, digest, prior))
    return links


@attrs.frozen
class LinkTag:
    """A link's position and event digest, tagged (HMAC) by a checkpoint."""

    position: int
    event_digest: bytes
    tag: bytes


class Problem(enum.Enum):
    """What differs at the first bad position: the log from its chain, or
    what readers are given from the log."""

    ALTERED = "altered"
    DELETED = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"
    #: A stored snapshot differs from the replay of its aggregate's events.
    SNAPSHOT = "snapshot"
    #: A read-model row differs from the same row rebuilt from the log.
    READ_MODEL = "read model"


@attrs.frozen
class ChainStatus:
    """The outcome of a verification: ``ok``, the number of linked events,
    the head link (hex) and the position of the last link (``end``); else the
    first bad position and what happened there. It also says how far the
    proof goes: the checkpoint position the log was ``anchored`` to (None:
    no checkpoint), the ``snapshots`` compared with a replay and the
    ``read_model_rows`` compared with a rebuild (None: not compared)."""

    ok: bool
    count: int
    head: str
    first_bad_position: int | None = None
    problem: Problem | None = None
    detail: str = ""
    end: int = 0
    anchored: int | None = None
    snapshots: int = 0
    read_model_rows: int | None = None

    def describe(self) -> str:
        """One line: ``OK: N events, head H`` or ``ALTERED at position P: …``."""
        if self.ok:
            return f"OK: {self.count} events, head {self.head}"
        assert self.problem is not None
        where = (
            f" at position {self.first_bad_position}"
            if self.first_bad_position is not None
            else ""
        )
        return f"{self.problem.name}{where}: {self.detail}"

    def explain(self) -> list[str]:
        """What this verification proved, and what it could not prove
        without a checkpoint or ``deep`` (one line each, for people)."""
        if not self.ok:
            return []
        lines = [
            f"proved: the {self.count} events up to position {self.end} "
            "match their hash chain",
            f"proved: {self.snapshots} snapshots equal the replay of their events",
        ]
        if self.read_model_rows is None:
            lines.append("not checked: the read models (verify --deep)")
        else:
            lines.append(
                f"proved: the read models equal a rebuild from the log "
                f"({self.read_model_rows} rows)"
            )
        if self.anchored is None:
            lines.append(
                "tail not anchored: no checkpoint given, so an edit that also "
                "rewrote the chain, or a cut-off tail, would pass "
                "(verify --checkpoint FILE)"
            )
            return lines
        lines.append(
            f"anchored: the log up to position {self.anchored} is the one "
            "the signed checkpoint tagged"
        )
        if self.end > self.anchored:
            lines.append(
                f"tail not anchored: last checkpoint at position {self.anchored}; "
                f"positions {self.anchored + 1}-{self.end} would pass an edit "
                "that also rewrote the chain, or being cut off"
            )
        return lines


@attrs.frozen
class Checkpoint:
    """The chain's head at a position, signed with HMAC-SHA256."""

    position: int
    head: str
    count: int
    signature: str

    def as_dict(self) -> dict[str, int | str]:
        return {
            "position": self.position,
            "head": self.head,
            "count": self.count,
            "signature": self.signature,
        }

    @classmethod
    def from_dict(cls, document: Mapping[str, object]) -> Checkpoint:
        """A checkpoint read back from :meth:`as_dict`; raises ValidationError
        naming the first missing or malformed field."""
        expected = {"position": int, "head": str, "count": int, "signature": str}
        for name, kind in expected.items():
            value = document.get(name)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ValidationError(
                    "checkpoint", name, f"must be {kind.__name__}, got {value!r}"
                )
        return cls(
            position=int(str(document["position"])),
            head=str(document["head"]),
            count=int(str(document["count"])),
            signature=str(document["signature"]),
        )


def _payload(position: int, head: str, count: int) -> bytes:
    return f"{_CHECKPOINT_TAG}\n{position}\n{head}\n{count}".encode()


def _signature(key: bytes, position: int, head: str, count: int) -> str:
    return hmac.new(key, _payload(position, head, count), hashlib.sha256).hexdigest()


def sign(key: bytes, *, position: int, head: str, count: int) -> Checkpoint:
    """A checkpoint of the chain's ``head`` link at ``position`` (``count``
    links up to it), signed with ``key``."""
    if not key:
        raise ValidationError("checkpoint", "key", "must not be empty")
    return Checkpoint(position, head, count, _signature(key, position, head, count))


def check_signature(key: bytes, checkpoint: Checkpoint) -> None:
    """Raises ValidationError unless ``checkpoint`` was signed with ``key``."""
    expected = _signature(key, checkpoint.position, checkpoint.head, checkpoint.count)
    if not hmac.compare_digest(expected, checkpoint.signature):
        raise ValidationError(
            "checkpoint",
            "signature",
            "does not match the audit key (signed with another key, or edited)",
        )


def _tag(key: bytes, position: int, digest: bytes) -> bytes:
    return hmac.new(
        key, _LINK_TAG_TAG + position.to_bytes(8, "big") + digest, hashlib.sha256
    ).digest()


def tag_links(key: bytes, links: Iterable[ChainLink]) -> list[LinkTag]:
    """The tags of ``links`` under ``key`` (taken with a checkpoint)."""
    return [
        LinkTag(k.position, k.event_digest, _tag(key, k.position, k.event_digest))
        for k in links
    ]


def verify_tagged(
    key: bytes,
    log: Sequence[tuple[int, bytes]],
    tags: Sequence[LinkTag],
    checkpoint: Checkpoint,
) -> ChainStatus:
    """The ``log`` up to the ``checkpoint`` (signature checked) against the
    digests its ``tags`` (up to its position, in order) hold: the chain
    rebuilt from the tags must reach the checkpoint's head, and the first
    position where the log differs from it is located and classified as by
    :func:`verify` (later events are not judged). A
    tag that does not check with ``key`` is the first bad position: the tags
    themselves were edited there."""
    for tagged in tags:
        if not hmac.compare_digest(
            tagged.tag, _tag(key, tagged.position, tagged.event_digest)
        ):
            return ChainStatus(
                False,
                0,
                GENESIS.hex(),
                tagged.position,
                Problem.ALTERED,
                "the checkpoint's tag of this position does not match the "
                "audit key (the tags were edited)",
            )
    links, prior = [], GENESIS
    for tagged in tags:
        prior = link_hash(prior, tagged.position, tagged.event_digest)
        links.append(ChainLink(tagged.position, tagged.event_digest, prior))
    return verify(log, links, checkpoint)


def verify(
    log: Sequence[tuple[int, bytes]],
    links: Sequence[ChainLink],
    checkpoint: Checkpoint | None = None,
) -> ChainStatus:
    """Recompute the chain from the ``log`` (each event's position and digest,
    in order) and compare it with the stored ``links``, position by position;
    the first difference is classified and located. Events after the last
    link are not linked yet and not judged. With a ``checkpoint`` (already
    signature-checked), the recomputed chain must also pass through it."""
    log_at = dict(log)
    links_at = {stored.position: stored for stored in links}
    log_where: dict[bytes, list[int]] = {}
    for at, event in log:
        log_where.setdefault(event, []).append(at)
    links_where: dict[bytes, list[int]] = {}
    for stored in links:
        links_where.setdefault(stored.event_digest, []).append(stored.position)
    chain_end = links[-1].position if links else 0
    stored_head = links[-1].link.hex() if links else GENESIS.hex()

    # An event is stored once (its aggregate id and version are unique), so
    # a digest found at another position means the event moved there.
    def moved_in_log(digest: bytes, position: int) -> bool:
        """The event linked at ``position`` is now at another position."""
        return any(q != position for q in log_where.get(digest, ()))

    def moved_from_links(digest: bytes, position: int) -> bool:
        """The event now at ``position`` was linked at another position."""
        return any(q != position for q in links_where.get(digest, ()))

    def broken(position: int, problem: Problem, detail: str) -> ChainStatus:
        return ChainStatus(False, len(links), stored_head, position, problem, detail)

    previous, count = GENESIS, 0
    pending = checkpoint
    for position in sorted(
        p for p in log_at.keys() | links_at.keys() if p <= chain_end
    ):
        if pending and position > pending.position:
            mismatch = _checkpoint_mismatch(pending, count, previous)
            if mismatch:
                return mismatch
            pending = None
        link, digest = links_at.get(position), log_at.get(position)
        if link is None:
            assert digest is not None
            if moved_from_links(digest, position):
                return broken(position, Problem.REORDERED, "an event linked elsewhere")
            return broken(position, Problem.INSERTED, "an event that was never linked")
        if digest is None:
            if moved_in_log(link.event_digest, position):
                return broken(position, Problem.REORDERED, "its event is elsewhere")
            return broken(position, Problem.DELETED, "the linked event is missing")
        if digest != link.event_digest:
            return broken(
                position,
                *_replaced(
                    came=moved_from_links(digest, position),
                    went=moved_in_log(link.event_digest, position),
                ),
            )
        previous = link_hash(previous, position, digest)
        if previous != link.link:
            return broken(
                position,
                Problem.ALTERED,
                "the stored link differs from the recomputed one",
            )
        count += 1
    if pending:
        mismatch = _checkpoint_mismatch(pending, count, previous)
        if mismatch:
            return mismatch
    return ChainStatus(True, count, previous.hex(), end=chain_end)


def _replaced(*, came: bool, went: bool) -> tuple[Problem, str]:
    """What replaced a linked event: whether the event now there ``came``
    from another linked position and the linked one ``went`` elsewhere."""
    if came and went:
        return Problem.REORDERED, "an event linked at another position"
    if went:
        return Problem.INSERTED, "an event never linked, before the linked one"
    if came:
        return Problem.DELETED, "the linked event is missing, later ones moved up"
    return Problem.ALTERED, "the stored event differs from its digest"


def _checkpoint_mismatch(
    checkpoint: Checkpoint, count: int, head: bytes
) -> ChainStatus | None:
    if count == checkpoint.count and head.hex() == checkpoint.head:
        return None
    return ChainStatus(
        False,
        count,
        head.hex(),
        checkpoint.position,
        Problem.ALTERED,
        f"the log up to here no longer matches the signed checkpoint "
        f"({checkpoint.count} events, head {checkpoint.head}): "
        f"{count} events, head {head.hex()}",
    )
