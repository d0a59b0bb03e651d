"""Any single tampering with a random log — an edited, removed, added or
moved event, or two swapped — is detected at the right position, also when
the chain was rewritten with it, against a checkpoint's tags."""

from __future__ import annotations

from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from b2bcore.audit.verification import (
    LoggedEvent,
    Problem,
    event_digest,
    extend,
    sign,
    tag_links,
    verify,
    verify_tagged,
)

KEY = b"audit key"
#: The ways a log can differ from its chain.
TAMPERINGS = (Problem.ALTERED, Problem.DELETED, Problem.INSERTED, Problem.REORDERED)


@st.composite
def logs(draw: st.DrawFn) -> list[LoggedEvent]:
    """Events at increasing positions, with gaps (as PostgreSQL leaves)."""
    steps = draw(st.lists(st.integers(1, 3), min_size=2, max_size=30))
    positions = [sum(steps[: i + 1]) for i in range(len(steps))]
    states = draw(st.lists(st.binary(max_size=20), min_size=len(positions)))
    return [
        LoggedEvent(p, UUID(int=i + 1), 1, "b2bcore:test", states[i])
        for i, p in enumerate(positions)
    ]


def at(event: LoggedEvent, position: int) -> LoggedEvent:
    return LoggedEvent(
        position, event.aggregate_id, event.version, event.topic, event.state
    )


def tampered(
    data: st.DataObject, log: list[LoggedEvent]
) -> tuple[list[LoggedEvent], Problem, int]:
    """One random tampering of ``log``: the log, the problem and where."""
    draw = data.draw
    kind = draw(st.sampled_from(TAMPERINGS))
    index = draw(st.integers(0, len(log) - 1))
    event = log[index]
    if kind is Problem.ALTERED:
        edited = LoggedEvent(
            event.position, event.aggregate_id, 2, event.topic, event.state
        )
        return [*log[:index], edited, *log[index + 1 :]], kind, event.position
    if kind is Problem.DELETED:
        return [*log[:index], *log[index + 1 :]], kind, event.position
    if kind is Problem.INSERTED:
        new = LoggedEvent(0, UUID(int=0), 1, "b2bcore:forged", b"")
        gaps = [
            p for p in range(1, log[-1].position) if p not in {e.position for e in log}
        ]
        if bool(gaps) and draw(st.booleans()):
            gap = draw(st.sampled_from(gaps))
            return sorted([*log, at(new, gap)], key=lambda e: e.position), kind, gap
        # Renumber the later events to make room.
        shifted = [at(e, e.position + 1) for e in log[index:]]
        return [*log[:index], at(new, event.position), *shifted], kind, event.position
    other = draw(st.integers(0, len(log) - 1).filter(lambda i: i != index))
    first, second = sorted((index, other))
    swapped = list(log)
    swapped[first] = at(log[second], log[first].position)
    swapped[second] = at(log[first], log[second].position)
    return swapped, kind, log[first].position


@given(st.data(), logs())
def test_a_single_tampering_is_detected_where_it_happened(
    data: st.DataObject, log: list[LoggedEvent]
) -> None:
    links = extend(None, log)
    changed, problem, position = tampered(data, log)
    # Verification runs after the chain caught up with whatever was appended.
    links += extend(links[-1], [e for e in changed if e.position > log[-1].position])

    status = verify([(e.position, event_digest(e)) for e in changed], links)

    assert (status.ok, status.problem, status.first_bad_position) == (
        False,
        problem,
        position,
    )


@given(logs())
def test_an_untouched_log_always_verifies(log: list[LoggedEvent]) -> None:
    links = extend(None, log)

    status = verify([(e.position, event_digest(e)) for e in log], links)

    assert (status.ok, status.count, status.head) == (
        True,
        len(log),
        links[-1].link.hex(),
    )


@given(st.data(), logs())
def test_a_tampering_that_rewrote_the_chain_is_located_by_the_checkpoint(
    data: st.DataObject, log: list[LoggedEvent]
) -> None:
    links = extend(None, log)
    checkpoint = sign(
        KEY, position=log[-1].position, head=links[-1].link.hex(), count=len(log)
    )
    tags = tag_links(KEY, links)
    changed, problem, position = tampered(data, log)
    digests = [(e.position, event_digest(e)) for e in changed]

    rewritten = verify(digests, extend(None, changed))
    status = verify_tagged(KEY, digests, tags, checkpoint)

    assert rewritten.ok
    assert (status.ok, status.problem, status.first_bad_position) == (
        False,
        problem,
        position,
    )
