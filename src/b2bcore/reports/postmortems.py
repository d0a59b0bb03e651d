"""The postmortem roll-up on a business date: the root causes and lessons
of every postmortem recorded by then, overall and by category (won,
dropped, or lost for a reason), competitor and owner (definitions in
docs/kpis.md, "Postmortem roll-up")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from uuid import UUID

import attrs

from b2bcore.domain.values import Outcome
from b2bcore.reports.records import DealRecord, PostmortemRecord

#: The competitor key of a postmortem whose deal was not lost to a named one.
NO_COMPETITOR = "none"


@attrs.frozen
class NoteCount:
    """A root cause or a lesson and the number of postmortems naming it."""

    note: str
    count: int


@attrs.frozen
class PostmortemGroup:
    key: str
    postmortems: int
    root_causes: tuple[NoteCount, ...]
    lessons: tuple[NoteCount, ...]


@attrs.frozen
class PostmortemRollup:
    """Every postmortem recorded by ``as_of``; each cut lists its keys
    sorted, and its groups' postmortems add up to ``postmortems``."""

    as_of: date
    postmortems: int
    #: Most named first, ties by the text.
    root_causes: tuple[NoteCount, ...]
    lessons: tuple[NoteCount, ...]
    #: won, dropped, or "lost: <loss reason>".
    by_category: tuple[PostmortemGroup, ...]
    #: The competitor the deal was lost to ("none" when not named).
    by_competitor: tuple[PostmortemGroup, ...]
    #: The deal's owner on ``as_of``.
    by_owner: tuple[PostmortemGroup, ...]


def note(text: str) -> str:
    """A note as the roll-up counts it: its words, single-spaced."""
    return " ".join(text.split())


def category(deal: DealRecord) -> str:
    """``won``, ``dropped``, or ``lost: <reason>``."""
    if deal.outcome is Outcome.LOST:
        reason = deal.loss_reason.value if deal.loss_reason else "unknown"
        return f"lost: {reason}"
    assert deal.outcome is not None, "a postmortem follows the close"
    return str(deal.outcome.value)


def postmortem_rollup(
    postmortems: Iterable[PostmortemRecord],
    deals: Mapping[UUID, DealRecord],
    *,
    as_of: date,
) -> PostmortemRollup:
    """The roll-up of the ``postmortems`` recorded on or before ``as_of``;
    ``deals`` holds each one's deal (its owner on ``as_of``)."""
    found = [
        (p, deals[p.opportunity_id]) for p in postmortems if p.recorded_on <= as_of
    ]
    everything = [p for p, _ in found]
    return PostmortemRollup(
        as_of=as_of,
        postmortems=len(everything),
        root_causes=_counted(p.root_causes for p in everything),
        lessons=_counted(p.lessons for p in everything),
        by_category=_cut(found, category),
        by_competitor=_cut(found, lambda d: d.lost_to or NO_COMPETITOR),
        by_owner=_cut(found, lambda d: d.owner),
    )


def _counted(notes: Iterable[tuple[str, ...]]) -> tuple[NoteCount, ...]:
    """Each note with the number of postmortems (``notes``, one tuple each)
    naming it: a postmortem naming one twice counts once."""
    counts = Counter(text for texts in notes for text in {note(n) for n in texts})
    return tuple(
        NoteCount(text, n)
        for text, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )


def _cut(
    found: Sequence[tuple[PostmortemRecord, DealRecord]],
    key: Callable[[DealRecord], str],
) -> tuple[PostmortemGroup, ...]:
    groups: dict[str, list[PostmortemRecord]] = {}
    for postmortem, deal in found:
        groups.setdefault(key(deal), []).append(postmortem)
    return tuple(
        PostmortemGroup(
            key=k,
            postmortems=len(groups[k]),
            root_causes=_counted(p.root_causes for p in groups[k]),
            lessons=_counted(p.lessons for p in groups[k]),
        )
        for k in sorted(groups)
    )
