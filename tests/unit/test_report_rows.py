"""An event re-derives only the report tables ``TOUCHES`` or ``APPENDS``
names for its topic: over a generated book (renewals with installments,
upgrades, corrections, payments, usage, tier moves, wins and losses), what
it derives equals deriving every table of the aggregate again."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from b2bcore import B2BCore, B2BCoreError, Consistency, ContactChannel
from b2bcore.application.paging import notifications
from b2bcore.domain.asset import Asset
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.values import FeedbackCategory, FeedbackKind, Severity
from b2bcore.readmodels.facts.rows import APPENDS, TOUCHES, Facts, facts
from b2bcore_adapters.demo.generator import generate


def test_each_event_derives_the_same_rows_as_deriving_every_table() -> None:
    with B2BCore.open("memory://", consistency=Consistency.AVAILABLE) as core:
        generate(core, accounts=60, seed=11)
        core.catch_up()
        corrected = 0
        for asset in core.projector.states(Asset):
            if asset.usage_end_on is not None and corrected < 5:
                with contextlib.suppress(B2BCoreError):
                    core.correct_usage_end(
                        asset.id,
                        usage_end_on=asset.usage_end_on + timedelta(days=31),
                        reason="the contract says a month more",
                        on=asset.last_fact_on,
                    )
                    corrected += 1
        assert corrected
        correct_other_facts(core)
        edit_open_deals(core)
        hear_complaints(core)
        log = core.event_log
        projections = {
            topic: p for p in core.projector.projections.values() for topic in p.topics
        }
        states: dict[UUID, Any] = {}
        derived: dict[UUID, Facts] = {}
        seen: set[str] = set()
        for notification in notifications(log.recorder, topics=tuple(projections)):
            event = log.mapper.to_domain_event(notification)
            key = event.originator_id
            before = derived.get(key, facts(states.get(key)))
            state = projections[notification.topic].apply(states.get(key), event)
            states[key] = state
            derived[key] = facts(state, notification.topic, before)
            seen.add(notification.topic)

            assert derived[key] == facts(state), notification.topic

    assert seen >= {*TOUCHES, *APPENDS} - {
        topic for topic in TOUCHES if not TOUCHES[topic]
    }, "the book must exercise every topic with tables to derive"


def correct_other_facts(core: B2BCore) -> None:
    """Correct a few payments (one reversed), scores and usage months of the
    book's assets."""
    made: dict[str, int] = {}
    for asset in core.projector.states(Asset):
        fix = functools.partial
        possible: dict[str, list[Callable[..., object]]] = {
            "payment": [
                fix(
                    core.correct_payment,
                    number=p.number,
                    paid_on=p.paid_on + timedelta(days=1),
                )
                for p in asset.payments[:1]
            ],
            "reversal": [
                fix(core.reverse_payment, number=p.number) for p in asset.payments[1:2]
            ],
            "score": [
                fix(
                    core.correct_satisfaction,
                    recorded_on=s.recorded_on,
                    score=10 - s.score or 1,
                )
                for s in asset.satisfaction[:1]
            ],
            "usage": [
                fix(
                    core.correct_usage,
                    period=u.period,
                    count=u.count + 1,
                    distance_km=u.distance_km,
                )
                for u in asset.usage[:1]
            ],
        }
        for kind, fixes in possible.items():
            for correction in fixes[: 3 - made.get(kind, 0)]:
                with contextlib.suppress(B2BCoreError):
                    correction(asset.id, reason="typo", on=asset.last_fact_on)
                    made[kind] = made.get(kind, 0) + 1
    assert len(made) == 4, made


def edit_open_deals(core: B2BCore) -> None:
    """Change the amount of a few open deals, hand them to another owner and
    move their expected close."""
    edited = 0
    for deal in core.projector.states(Opportunity):
        if deal.is_open and edited < 3:
            on = deal.last_fact_on
            core.change_opportunity_amount(
                deal.id, amount=deal.amount + deal.amount, reason="scope", on=on
            )
            core.reassign_opportunity(
                deal.id, owner=f"{deal.owner} 2", reason="leave", on=on
            )
            core.move_expected_close(
                deal.id,
                expected_close_on=deal.expected_close_on + timedelta(days=90),
                reason="budget next year",
                on=on,
            )
            edited += 1
    assert edited


def hear_complaints(core: B2BCore) -> None:
    """A complaint about a few of the book's assets, each resolved."""
    for asset in list(core.projector.states(Asset))[:3]:
        on = asset.last_fact_on
        complaint = core.record_feedback(
            account_id=asset.account_id,
            asset_id=asset.id,
            kind=FeedbackKind.COMPLAINT,
            channel=ContactChannel.PHONE,
            category=FeedbackCategory.SERVICE,
            severity=Severity.HIGH,
            needs=("faster repairs",),
            on=on,
        )
        core.resolve_complaint(complaint, resolution="repaired", on=on)
