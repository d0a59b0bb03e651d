"""An event re-derives only the report tables ``TOUCHES`` or ``APPENDS``
names for its topic: over a generated book (renewals with installments or
through renewal deals, upgrades, corrections, payments, usage, tier moves,
deal edits, wins and losses, complaints resolved), what it derives equals
deriving every table of the aggregate again."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any
from uuid import UUID

from b2bcore import B2BCore, B2BCoreError, Consistency
from b2bcore.application.paging import notifications
from b2bcore.domain.asset import Asset
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
