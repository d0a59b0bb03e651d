"""For random feedback — surveys, complaints, interviews, resolution
attempts on random days — a complaint is resolved at most once and never
before it was raised; the dissatisfaction alerts feedback raises are those a
plain-Python reading of the same facts finds, on any date, as known at any
time; and each piece of feedback replayed from its events equals its live
state."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from b2bcore import B2BCore, B2BCoreError, ContactChannel, FixedClock
from b2bcore.application.settings import Settings
from b2bcore.domain.feedback import Feedback
from b2bcore.domain.values import FeedbackCategory, FeedbackKind, Severity
from b2bcore.domain.views import FeedbackView
from b2bcore.reports.alerts import AlertKind
from tests.helpers import purchase_asset, register_account, stored_events

START = date(2024, 1, 15)

#: (kind, grade: a survey's score or the severity's rank, day offset, on
#: the asset or the account)
feedback = st.tuples(
    st.sampled_from(FeedbackKind),
    st.integers(0, 10),
    st.integers(0, 60),
    st.booleans(),
)
#: (which feedback, day offset)
resolutions = st.tuples(st.integers(0, 20), st.integers(0, 90))
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@attrs.frozen
class Fact:
    """What the plain reading knows of a piece of feedback."""

    id: UUID
    kind: FeedbackKind
    grade: int
    recorded_on: date
    on_asset: bool
    #: When it was recorded.
    recorded_at: datetime
    #: Each resolution accepted: when it was recorded and its business date.
    resolved: tuple[tuple[datetime, date], ...] = ()


def play(
    core: B2BCore, items: list[tuple[Any, ...]], attempts: list[tuple[int, int]]
) -> list[Fact]:
    """Record ``items`` then try ``attempts``; what the domain refuses is
    left out. Returns the facts recorded."""
    account = register_account(core)
    asset = purchase_asset(core, account, on=START)
    facts: list[Fact] = []
    for kind, grade, offset, on_asset in items:
        on = START + timedelta(days=offset)
        feedback_id = core.record_feedback(
            account_id=account,
            asset_id=asset if on_asset else None,
            kind=kind,
            channel=ContactChannel.EMAIL,
            category=FeedbackCategory.SERVICE,
            score=grade if kind is FeedbackKind.SURVEY else None,
            severity=list(Severity)[grade % 4]
            if kind is FeedbackKind.COMPLAINT
            else None,
            on=on,
        )
        recorded_at = core.feedback(feedback_id).recorded_at
        facts.append(Fact(feedback_id, kind, grade, on, on_asset, recorded_at))
    for which, offset in attempts:
        if not facts:
            break
        index = which % len(facts)
        on = START + timedelta(days=offset)
        head = core.log_position()
        try:
            core.resolve_complaint(facts[index].id, resolution="done", on=on)
        except B2BCoreError:
            assert core.log_position() == head
            continue
        recorded = core.feedback(facts[index].id).recorded_at
        facts[index] = attrs.evolve(
            facts[index], resolved=(*facts[index].resolved, (recorded, on))
        )
    return facts


def expected_alerts(
    facts: list[Fact], as_of: date, known_at: datetime | None, rules: Settings
) -> set[tuple[UUID, date, str]]:
    """The dissatisfaction alerts of ``facts``, worked out plainly."""
    found = set()
    for fact in facts:
        if fact.recorded_on > as_of or (
            known_at is not None and fact.recorded_at > known_at
        ):
            continue
        if fact.kind is FeedbackKind.SURVEY:
            if fact.grade < rules.satisfaction_threshold:
                found.add((fact.id, fact.recorded_on, "park" if fact.on_asset else ""))
        elif fact.kind is FeedbackKind.COMPLAINT:
            severity = fact.grade % 4
            resolved = any(
                on <= as_of and (known_at is None or at <= known_at)
                for at, on in fact.resolved
            )
            if severity >= rules.complaint_severity.rank and not resolved:
                found.add((fact.id, fact.recorded_on, "park" if fact.on_asset else ""))
    return found


@SETTINGS
@given(
    items=st.lists(feedback, max_size=12),
    attempts=st.lists(resolutions, max_size=12),
)
def test_a_complaint_is_resolved_at_most_once_never_before_it_was_raised(
    items: list[tuple[Any, ...]], attempts: list[tuple[int, int]]
) -> None:
    with B2BCore.open("memory://", clock=FixedClock(date(2025, 1, 1))) as core:
        facts = play(core, items, attempts)

        for fact in facts:
            events = stored_events(core, fact.id)
            resolved = [e for e in events if isinstance(e, Feedback.Resolved)]
            assert len(resolved) <= 1
            assert len(fact.resolved) == len(resolved)
            if resolved:
                assert fact.kind is FeedbackKind.COMPLAINT
                assert resolved[0].effective_on >= fact.recorded_on


@SETTINGS
@given(
    items=st.lists(feedback, max_size=12),
    attempts=st.lists(resolutions, max_size=12),
    threshold=st.integers(1, 10),
    severity=st.sampled_from(Severity),
    data=st.data(),
)
def test_the_dissatisfaction_alerts_of_feedback_are_the_plain_readings(
    items: list[tuple[Any, ...]],
    attempts: list[tuple[int, int]],
    threshold: int,
    severity: Severity,
    data: st.DataObject,
) -> None:
    rules = Settings(satisfaction_threshold=threshold, complaint_severity=severity)
    with B2BCore.open(
        "memory://", clock=FixedClock(date(2025, 1, 1)), settings=rules
    ) as core:
        facts = play(core, items, attempts)
        moments = [f.recorded_at for f in facts]
        moments += [at for f in facts for at, _ in f.resolved]
        cuts = [None]
        if moments:
            cuts += data.draw(st.lists(st.sampled_from(moments), max_size=3))
        for known_at in cuts:
            for as_of in data.draw(
                st.lists(
                    st.dates(START, START + timedelta(days=100)),
                    min_size=1,
                    max_size=3,
                )
            ):
                found = {
                    (a.subject_id, a.dated_on, a.owner)
                    for a in core.alerts(as_of=as_of, known_at=known_at)
                    if a.subject == "feedback"
                }
                assert all(
                    a.kind is AlertKind.DISSATISFACTION
                    for a in core.alerts(as_of=as_of, known_at=known_at)
                    if a.subject == "feedback"
                )
                assert found == expected_alerts(facts, as_of, known_at, rules)


@SETTINGS
@given(
    items=st.lists(feedback, min_size=1, max_size=8),
    attempts=st.lists(resolutions, max_size=8),
    data=st.data(),
)
def test_feedback_replayed_from_its_events_equals_its_live_state(
    items: list[tuple[Any, ...]],
    attempts: list[tuple[int, int]],
    data: st.DataObject,
) -> None:
    with B2BCore.open("memory://", clock=FixedClock(date(2025, 1, 1))) as core:
        facts = play(core, items, attempts)
        for fact in facts:
            live = core.feedback(fact.id)
            assert core.feedback(fact.id, known_at=live.recorded_at) == live
            assert core.feedback(fact.id, version=live.version) == live
            (projected,) = (
                s for s in core.projector.states(Feedback) if s.id == fact.id
            )
            assert FeedbackView.of(projected) == live
            day = data.draw(st.dates(fact.recorded_on, START + timedelta(days=100)))
            as_of = core.feedback(fact.id, as_of=day)
            resolved = [on for _, on in fact.resolved if on <= day]
            assert as_of.resolved_on == (resolved[0] if resolved else None)
