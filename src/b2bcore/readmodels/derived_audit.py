"""What readers are given besides the log, checked against the log: every
stored snapshot against the replay of its aggregate's events, and every
read-model row (states and report tables) against the same rows rebuilt from
the log into a scratch store. Each returns how much it compared and the
first difference, located (docs/audit.md)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Mapper
from eventsourcing.utils import resolve_topic

from b2bcore.application.paging import notifications
from b2bcore.application.storage import environment_for
from b2bcore.readmodels.facts.tables import TABLES
from b2bcore.readmodels.projection import Projector, StateProjection
from b2bcore.readmodels.readmodel import ReadModelStore

#: A difference found: where (log position, if it has one) and what.
Found = tuple[int | None, str]
#: How many things were compared, and the first difference.
Checked = tuple[int, Found | None]


def _comparable(mapper: Mapper[UUID], state: dict[str, Any]) -> Any:
    # Through the transcoder, so both sides hold the types decoding gives.
    return mapper.transcoder.decode(mapper.transcoder.encode(state))


def _differing(stored: dict[str, Any], rebuilt: dict[str, Any]) -> str:
    names = sorted(
        name
        for name in stored.keys() | rebuilt.keys()
        if name not in stored or name not in rebuilt or stored[name] != rebuilt[name]
    )
    return ", ".join(names) or "its type"


def check_snapshots(log: Application[UUID], aggregates: Iterable[UUID]) -> Checked:
    """Every snapshot of each of ``aggregates`` equals the state the
    aggregate's events replay to at the snapshot's version; the difference
    at the lowest log position, if any."""
    if log.snapshots is None:
        return 0, None
    checked, bad = 0, []
    for aggregate_id in aggregates:
        try:
            snapshots = cast(list[Snapshot], list(log.snapshots.get(aggregate_id)))
        except Exception as error:  # a row no one can decode is tampered too
            bad.append((aggregate_id, 0, f"cannot be read back ({error})"))
            continue
        if not snapshots:
            continue
        checked += len(snapshots)
        wanted = {s.originator_version: s for s in snapshots}
        state: Any = None
        for event in log.events.get(aggregate_id, lte=max(wanted)):
            state = cast(Any, event).mutate(state)
            snapshot = wanted.pop(state.version, None)
            if snapshot is None:
                continue
            replayed = Snapshot.take(state)
            expected = _comparable(log.mapper, replayed.state)
            if snapshot.topic != replayed.topic or snapshot.state != expected:
                bad.append(
                    (
                        aggregate_id,
                        state.version,
                        "differs from the replay of its events "
                        f"(in {_differing(snapshot.state, expected)})",
                    )
                )
                break
        for version in sorted(wanted):
            bad.append((aggregate_id, version, "has no event at its version"))
            break
    if not bad:
        return checked, None
    at = _positions(log, {(a, v) for a, v, _ in bad})
    position, aggregate_id, version, what = min(
        (at.get((a, v)), a, v, what) for a, v, what in bad
    )
    return checked, (
        position,
        f"the snapshot of {aggregate_id} at version {version} {what}; readers "
        "are given it: delete it (it is a cache) and rebuild no projection",
    )


def _positions(
    log: Application[UUID], wanted: set[tuple[UUID, int]]
) -> dict[tuple[UUID, int], int]:
    """The log position of each (aggregate, version) in ``wanted``."""
    found = {}
    for n in notifications(log.recorder):
        key = (UUID(str(n.originator_id)), n.originator_version)
        if key in wanted:
            found[key] = n.id
    return found


def check_read_models(
    mapper: Mapper[UUID],
    recorder: Any,
    projector: Projector,
    projections: Sequence[StateProjection],
) -> Checked:
    """The read models (every state row and every version of every report
    row) equal the rows a rebuild from the log writes into a scratch store
    in memory; the first table and aggregate that differ, if any. Catches
    the read models up first, so both stand at the same log position."""
    scratch = cast(
        ReadModelStore,
        resolve_topic(environment_for("memory://")["TRACKING_RECORDER_TOPIC"])(),
    )
    rebuilt = Projector(mapper, recorder, scratch, projections)
    names = [p.name for p in projections]
    try:
        # Events recorded meanwhile: both catch up again, until they agree.
        while True:
            projector.catch_up()
            rebuilt.catch_up()
            live, fresh = projector.store.positions(), scratch.positions()
            if all(live.get(n, 0) == fresh.get(n, 0) for n in names):
                break
        compared = 0
        for projection in projections:
            kind = projection.aggregate.KIND
            found = _compare_states(
                f"the {projection.name} row of",
                _states(mapper, projector.store, projection.name, kind),
                _states(mapper, scratch, projection.name, kind),
            )
            compared += found[0]
            if found[1] is not None:
                return compared, found[1]
        for table in TABLES:
            found = _compare_facts(
                f"a {table.name} row of",
                _facts(projector.store.fact_rows(table)),
                _facts(scratch.fact_rows(table)),
            )
            compared += found[0]
            if found[1] is not None:
                return compared, found[1]
        return compared, None
    finally:
        scratch.close()


def _states(
    mapper: Mapper[UUID], store: ReadModelStore, projection: str, kind: str
) -> dict[str, dict[str, Any]]:
    rows = {}
    for data in store.scan(projection, kind=kind):
        fields = mapper.transcoder.decode(data)
        rows[str(fields["_id"])] = fields
    return rows


def _facts(rows: Iterable[Sequence[Any]]) -> dict[str, Counter[str]]:
    found: dict[str, Counter[str]] = {}
    for row in rows:
        found.setdefault(str(row[0]), Counter())[repr(tuple(row))] += 1
    return found


def _compare_states(
    what: str, stored: dict[str, dict[str, Any]], rebuilt: dict[str, dict[str, Any]]
) -> Checked:
    for key in sorted(stored.keys() | rebuilt.keys()):
        if key not in rebuilt:
            return len(stored), _edited(f"{what} {key} is not in a rebuild")
        if key not in stored:
            return len(stored), _edited(f"{what} {key} is missing (a rebuild has it)")
        if stored[key] != rebuilt[key]:
            differ = _differing(stored[key], rebuilt[key])
            return len(stored), _edited(f"{what} {key} differs in {differ}")
    return len(stored), None


def _compare_facts(
    what: str, stored: dict[str, Counter[str]], rebuilt: dict[str, Counter[str]]
) -> Checked:
    compared = sum(sum(rows.values()) for rows in stored.values())
    for key in sorted(stored.keys() | rebuilt.keys()):
        extra = stored.get(key, Counter()) - rebuilt.get(key, Counter())
        missing = rebuilt.get(key, Counter()) - stored.get(key, Counter())
        if extra:
            return compared, _edited(
                f"{what} {key} is not in a rebuild: {min(extra)[:300]}"
            )
        if missing:
            return compared, _edited(
                f"{what} {key} is missing (a rebuild has {min(missing)[:300]})"
            )
    return compared, None


def _edited(what: str) -> Found:
    return None, f"{what}: the read models were edited (b2b projections rebuild)"
