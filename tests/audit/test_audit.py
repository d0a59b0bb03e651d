"""The hash chain's algorithm: links, verification and signed checkpoints,
on plain values (no store)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from b2bcore.audit.verification import (
    GENESIS,
    ChainLink,
    ChainStatus,
    Checkpoint,
    LoggedEvent,
    Problem,
    check_signature,
    event_digest,
    extend,
    link_hash,
    sign,
    tag_links,
    verify,
    verify_tagged,
)
from b2bcore.domain.errors import ValidationError

KEY = b"audit key"


def events(*positions: int) -> list[LoggedEvent]:
    return [
        LoggedEvent(p, uuid4(), 1, "b2bcore:test", f'{{"n": {p}}}'.encode())
        for p in positions
    ]


def log_of(logged: list[LoggedEvent]) -> list[tuple[int, bytes]]:
    return [(e.position, event_digest(e)) for e in logged]


def moved(event: LoggedEvent, position: int) -> LoggedEvent:
    return LoggedEvent(
        position, event.aggregate_id, event.version, event.topic, event.state
    )


def test_an_intact_log_verifies_with_its_count_and_head() -> None:
    logged = events(1, 2, 3)
    links = extend(None, logged)

    status = verify(log_of(logged), links)

    assert status == ChainStatus(ok=True, count=3, head=links[-1].link.hex(), end=3)
    assert status.describe() == f"OK: 3 events, head {links[-1].link.hex()}"


def test_an_empty_log_verifies_with_the_genesis_head() -> None:
    assert verify([], []) == ChainStatus(ok=True, count=0, head=GENESIS.hex())


def test_each_link_covers_the_previous_link_the_position_and_the_event() -> None:
    first, second = events(1, 2)

    links = extend(None, [first, second])

    assert links[0] == ChainLink(
        1, event_digest(first), link_hash(GENESIS, 1, event_digest(first))
    )
    assert links[1].link == link_hash(links[0].link, 2, event_digest(second))


def test_extending_a_chain_goes_on_from_its_last_link() -> None:
    logged = events(1, 2, 3, 4)

    links = extend(None, logged[:2])
    links += extend(links[-1], logged[2:])

    assert links == extend(None, logged)


def test_the_event_digest_covers_every_stored_field() -> None:
    (event,) = events(1)
    variants = [
        LoggedEvent(1, uuid4(), event.version, event.topic, event.state),
        LoggedEvent(1, event.aggregate_id, 2, event.topic, event.state),
        LoggedEvent(1, event.aggregate_id, event.version, "b2bcore:other", event.state),
        LoggedEvent(1, event.aggregate_id, event.version, event.topic, b"{}"),
    ]

    digests = {event_digest(v) for v in variants}

    assert event_digest(event) not in digests
    assert len(digests) == len(variants)


def test_an_edited_event_is_altered_at_its_position() -> None:
    logged = events(1, 2, 3)
    links = extend(None, logged)
    edited = LoggedEvent(2, logged[1].aggregate_id, 1, "b2bcore:test", b'{"n": 9}')

    status = verify(log_of([logged[0], edited, logged[2]]), links)

    assert (status.ok, status.problem, status.first_bad_position) == (
        False,
        Problem.ALTERED,
        2,
    )
    assert status.describe().startswith("ALTERED at position 2: ")


def test_a_removed_event_is_deleted_at_its_position() -> None:
    logged = events(1, 2, 3)

    status = verify(log_of([logged[0], logged[2]]), extend(None, logged))

    assert (status.problem, status.first_bad_position) == (Problem.DELETED, 2)


def test_removing_the_last_event_is_detected() -> None:
    logged = events(1, 2, 3)

    status = verify(log_of(logged[:2]), extend(None, logged))

    assert (status.problem, status.first_bad_position) == (Problem.DELETED, 3)


def test_a_removed_event_with_later_ones_renumbered_is_deleted() -> None:
    logged = events(1, 2, 3)
    renumbered = [logged[0], moved(logged[2], 2)]

    status = verify(log_of(renumbered), extend(None, logged))

    assert (status.problem, status.first_bad_position) == (Problem.DELETED, 2)


def test_an_event_added_into_a_gap_is_inserted() -> None:
    logged = events(1, 3, 4)
    (added,) = events(2)

    status = verify(log_of([logged[0], added, *logged[1:]]), extend(None, logged))

    assert (status.problem, status.first_bad_position) == (Problem.INSERTED, 2)


def test_an_event_added_with_later_ones_renumbered_is_inserted() -> None:
    logged = events(1, 2, 3)
    (added,) = events(2)
    renumbered = [logged[0], added, moved(logged[1], 3), moved(logged[2], 4)]

    status = verify(log_of(renumbered), extend(None, logged))

    assert (status.problem, status.first_bad_position) == (Problem.INSERTED, 2)


def test_two_swapped_events_are_reordered_at_the_first() -> None:
    logged = events(1, 2, 3, 4)
    swapped = [logged[0], moved(logged[3], 2), logged[2], moved(logged[1], 4)]

    status = verify(log_of(swapped), extend(None, logged))

    assert (status.problem, status.first_bad_position) == (Problem.REORDERED, 2)


def test_an_event_moved_to_a_new_position_is_reordered() -> None:
    logged = events(1, 3, 5)
    shifted = [logged[0], moved(logged[1], 4), logged[2]]

    status = verify(log_of(shifted), extend(None, logged))

    assert (status.problem, status.first_bad_position) == (Problem.REORDERED, 3)


def test_an_event_moved_into_a_gap_is_reordered() -> None:
    logged = events(1, 3, 5)
    shifted = [logged[0], moved(logged[1], 2), logged[2]]

    status = verify(log_of(shifted), extend(None, logged))

    assert (status.problem, status.first_bad_position) == (Problem.REORDERED, 2)


def test_an_edited_link_is_altered() -> None:
    logged = events(1, 2, 3)
    links = extend(None, logged)
    links[1] = ChainLink(2, links[1].event_digest, bytes(32))

    status = verify(log_of(logged), links)

    assert (status.problem, status.first_bad_position) == (Problem.ALTERED, 2)
    assert "link" in status.detail


def test_events_after_the_last_link_are_not_judged() -> None:
    logged = events(1, 2, 3)
    links = extend(None, logged[:2])

    status = verify(log_of(logged), links)

    assert status == ChainStatus(ok=True, count=2, head=links[-1].link.hex(), end=2)


def test_the_first_of_several_problems_is_reported() -> None:
    logged = events(1, 2, 3, 4)
    edited = LoggedEvent(4, uuid4(), 1, "b2bcore:test", b"{}")

    status = verify(log_of([logged[0], logged[2], edited]), extend(None, logged))

    assert (status.problem, status.first_bad_position) == (Problem.DELETED, 2)


def test_a_signed_checkpoint_checks_with_its_key() -> None:
    checkpoint = sign(KEY, position=3, head="ab" * 32, count=3)

    check_signature(KEY, checkpoint)

    assert len(checkpoint.signature) == 64


@pytest.mark.parametrize(
    "change",
    [{"position": 4}, {"head": "cd" * 32}, {"count": 2}, {"signature": "00" * 32}],
)
def test_an_edited_checkpoint_fails_its_signature(change: dict[str, object]) -> None:
    signed = sign(KEY, position=3, head="ab" * 32, count=3).as_dict()

    with pytest.raises(ValidationError, match="signature"):
        check_signature(KEY, Checkpoint.from_dict({**signed, **change}))


def test_a_checkpoint_signed_with_another_key_fails() -> None:
    with pytest.raises(ValidationError, match="checkpoint: signature"):
        check_signature(b"other", sign(KEY, position=1, head="ab" * 32, count=1))


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="checkpoint: key"):
        sign(b"", position=1, head="ab", count=1)


def test_a_checkpoint_round_trips_through_its_dict() -> None:
    checkpoint = sign(KEY, position=7, head="ab" * 32, count=6)

    assert Checkpoint.from_dict(checkpoint.as_dict()) == checkpoint


@pytest.mark.parametrize(
    ("field", "value"),
    [("position", "7"), ("count", True), ("head", None), ("signature", 1)],
)
def test_a_malformed_checkpoint_names_its_field(field: str, value: object) -> None:
    document = {**sign(KEY, position=7, head="ab", count=7).as_dict(), field: value}

    with pytest.raises(ValidationError, match=f"checkpoint: {field}: must be"):
        Checkpoint.from_dict(document)


def test_the_log_must_pass_through_the_checkpoint() -> None:
    logged = events(1, 2, 3)
    links = extend(None, logged)
    checkpoint = sign(KEY, position=2, head=links[1].link.hex(), count=2)

    assert verify(log_of(logged), links, checkpoint).ok


def test_a_rewritten_chain_fails_its_checkpoint() -> None:
    logged = events(1, 2, 3)
    checkpoint = sign(KEY, position=2, head=extend(None, logged)[1].link.hex(), count=2)
    edited = [logged[0], LoggedEvent(2, uuid4(), 1, "b2bcore:test", b"{}"), logged[2]]

    status = verify(log_of(edited), extend(None, edited), checkpoint)

    assert (status.problem, status.first_bad_position) == (Problem.ALTERED, 2)
    assert "signed checkpoint" in status.describe()


def test_a_chain_shorter_than_its_checkpoint_fails_it() -> None:
    logged = events(1, 2, 3)
    links = extend(None, logged)
    checkpoint = sign(KEY, position=3, head=links[2].link.hex(), count=3)

    status = verify(log_of(logged[:2]), links[:2], checkpoint)

    assert (status.ok, status.first_bad_position) == (False, 3)


def test_an_edited_tag_is_the_first_bad_position() -> None:
    logged = events(1, 2, 3)
    links = extend(None, logged)
    checkpoint = sign(KEY, position=3, head=links[2].link.hex(), count=3)
    tags = tag_links(KEY, links)
    tags[1] = tag_links(b"forger", [links[1]])[0]

    status = verify_tagged(KEY, log_of(logged), tags, checkpoint)

    assert (status.problem, status.first_bad_position) == (Problem.ALTERED, 2)
    assert "tags were edited" in status.detail


def test_events_after_the_checkpoint_are_not_judged_by_its_tags() -> None:
    logged = events(1, 2, 3)
    links = extend(None, logged)
    checkpoint = sign(KEY, position=2, head=links[1].link.hex(), count=2)

    status = verify_tagged(KEY, log_of(logged), tag_links(KEY, links[:2]), checkpoint)

    assert status.ok


def test_without_a_checkpoint_the_tail_is_said_not_anchored() -> None:
    status = ChainStatus(ok=True, count=3, head="ab", end=3, snapshots=1)

    assert status.explain() == [
        "proved: the 3 events up to position 3 match their hash chain",
        "proved: 1 snapshots equal the replay of their events",
        "not checked: the read models (verify --deep)",
        "tail not anchored: no checkpoint given, so an edit that also rewrote "
        "the chain, or a cut-off tail, would pass (verify --checkpoint FILE)",
    ]


def test_an_anchored_log_says_where_its_checkpoint_ends() -> None:
    status = ChainStatus(
        ok=True, count=5, head="ab", end=5, anchored=3, read_model_rows=7
    )

    assert status.explain()[2:] == [
        "proved: the read models equal a rebuild from the log (7 rows)",
        "anchored: the log up to position 3 is the one the signed checkpoint tagged",
        "tail not anchored: last checkpoint at position 3; positions 4-5 would "
        "pass an edit that also rewrote the chain, or being cut off",
    ]


def test_a_failed_verification_explains_nothing_more() -> None:
    status = ChainStatus(False, 2, "ab", 2, Problem.SNAPSHOT, "the snapshot …")

    assert status.describe() == "SNAPSHOT at position 2: the snapshot …"
    assert status.explain() == []
