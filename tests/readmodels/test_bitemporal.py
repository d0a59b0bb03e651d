"""As of a business date D and as known at a recorded time T: the state is
the state of a fresh store that only ever received the events with
``effective_on <= D`` and recorded by T, for random back-dated histories with
corrections (docs/audit.md)."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from uuid import UUID

import attrs
from hypothesis import event, given, settings
from hypothesis import strategies as st

from b2bcore import AssetStatus, B2BCore, B2BCoreError, FixedClock, NotFoundError
from b2bcore.domain.account import Account
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.asset import Asset
from b2bcore.domain.lead import Lead
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.views import AccountView, AssetView, LeadView, OpportunityView
from b2bcore.reports.winloss import WinLossTimeline
from b2bcore.testing.strategies import History, histories
from tests.helpers import stored_events

View = AccountView | AssetView | LeadView | OpportunityView
#: How each kind of aggregate is read: its id, then as_of and known_at.
VIEWS: dict[type[DomainAggregate], Callable[..., View]] = {
    Account: B2BCore.account,
    Asset: B2BCore.asset,
    Lead: B2BCore.lead,
    Opportunity: B2BCore.opportunity,
}


def correct_a_fact(core: B2BCore, asset_id: UUID, data: st.DataObject) -> None:
    """Correct one of the asset's payments (reversed, or paid earlier: never
    later, so the history's own commands stay valid), satisfaction scores,
    usage months or completed inspections, if it has any; the correction is
    made on the day of the fact it corrects (a refused one records
    nothing)."""
    asset = core.asset(asset_id)
    if asset.status is AssetStatus.OBSOLETE:
        return
    fix = functools.partial
    corrections: list[Callable[..., object]] = []
    for p in asset.payments:
        earlier = data.draw(st.integers(1, 60), label="days earlier")
        corrections += [
            fix(core.reverse_payment, asset_id, number=p.number, on=p.paid_on),
            fix(
                core.correct_payment,
                asset_id,
                number=p.number,
                paid_on=p.paid_on - timedelta(days=earlier),
                on=p.paid_on,
            ),
        ]
    for s in asset.satisfaction:
        corrections.append(
            fix(
                core.correct_satisfaction,
                asset_id,
                recorded_on=s.recorded_on,
                score=data.draw(st.integers(0, 10), label="score"),
                on=s.recorded_on,
            )
        )
    for u in asset.usage:
        corrections.append(
            fix(
                core.correct_usage,
                asset_id,
                period=u.period,
                count=data.draw(st.integers(0, 500), label="count"),
                distance_km=u.distance_km + 1,
                on=u.recorded_on,
            )
        )
    for i in asset.inspections:
        if i.completed_on is not None:
            corrections.append(
                fix(
                    core.correct_inspection,
                    asset_id,
                    number=i.number,
                    findings=f"{i.findings} (corrected)",
                    on=i.completed_on,
                )
            )
    if corrections:
        correction = data.draw(st.sampled_from(corrections), label="correction")
        with contextlib.suppress(B2BCoreError):
            correction(reason="typo")


def record(core: B2BCore, history: History, data: st.DataObject) -> None:
    """The history's commands, each perhaps followed by a usage end
    correction of an installed asset to an earlier date and a correction of
    another fact (a refused one records nothing)."""
    for command in history.commands:
        command.apply_to(core)
        for asset_id in history.asset_ids:
            if not core.exists(asset_id) or not data.draw(st.booleans()):
                continue
            correct_a_fact(core, asset_id, data)
            asset = core.asset(asset_id)
            if asset.status is not AssetStatus.INSTALLED:
                continue
            assert asset.installed_on is not None
            fact_on = (
                asset.renewals[-1].renewed_on if asset.renewals else asset.installed_on
            )
            if asset.usage_end_on is None:
                continue
            # Earlier, never later: the history's own renewals stay valid.
            days = data.draw(st.integers(1, 400), label="days earlier")
            with contextlib.suppress(B2BCoreError):
                core.correct_usage_end(
                    asset_id,
                    usage_end_on=asset.usage_end_on - timedelta(days=days),
                    reason="typo",
                    on=fact_on,
                )


def fresh_view(
    events: list[DomainAggregate.Event], kind: type[DomainAggregate], aggregate_id: UUID
) -> View:
    """The view from a new store given only ``events`` (numbered from 1)."""
    with B2BCore.open("memory://") as fresh:
        fresh.event_log.events.put(
            [
                dataclasses.replace(event, originator_version=number)
                for number, event in enumerate(events, start=1)
            ]
        )
        return VIEWS[kind](fresh, aggregate_id)


@given(history=histories(chronological=False, max_steps=30), data=st.data())
@settings(max_examples=60, deadline=None)
def test_the_as_of_state_is_the_state_of_a_store_given_only_the_cut(
    history: History, data: st.DataObject
) -> None:
    with B2BCore.open("memory://", clock=FixedClock(date(2030, 1, 1))) as core:
        record(core, history, data)
        log: list[DomainAggregate.Event] = [
            event
            for aggregate_id in history.aggregate_ids
            if core.exists(aggregate_id)
            for event in stored_events(core, aggregate_id)
        ]
        moments = sorted({e.timestamp for e in log})
        known_at: datetime = data.draw(
            st.sampled_from(moments) | st.just(moments[-1]), label="known at"
        )
        as_of: date = data.draw(
            st.sampled_from(sorted({e.effective_on for e in log}))
            | st.just(max(e.effective_on for e in log)),
            label="as of",
        )
        for aggregate_id in history.aggregate_ids:
            if not core.exists(aggregate_id):
                continue
            kind: type[DomainAggregate] = type(
                core.event_log.repository.get(aggregate_id)
            )
            cut = [
                e
                for e in stored_events(core, aggregate_id)
                if e.effective_on <= as_of and e.timestamp <= known_at
            ]
            try:
                seen = VIEWS[kind](core, aggregate_id, as_of=as_of, known_at=known_at)
            except NotFoundError:
                assert all(e.originator_version != 1 for e in cut)
                continue
            expected = fresh_view(cut, kind, aggregate_id)
            event(f"compared {kind.KIND}")
            for e in cut:
                if "corrected_on" in e.__dict__:
                    event(f"a {type(e).__name__} in the cut")
            assert attrs.evolve(seen, version=0) == attrs.evolve(expected, version=0)


def shows_the_correction(view: AssetView, correction: Asset.Event) -> bool:
    """``view`` holds the fact as ``correction`` says it is."""
    match correction:
        case Asset.PaymentReversed(number=number):
            return all(p.number != number for p in view.payments)
        case Asset.PaymentCorrected(number=number, paid_on=paid_on):
            return any(p.number == number for p in view.payments) and all(
                p.paid_on == paid_on for p in view.payments if p.number == number
            )
        case Asset.SatisfactionCorrected(recorded_on=day, score=score):
            return score in {s.score for s in view.satisfaction if s.recorded_on == day}
        case Asset.UsageCorrected(period=period, count=count):
            return [u.count for u in view.usage if u.period == period] == [count]
        case Asset.InspectionCorrected(number=number, findings=findings):
            return [i.findings for i in view.inspections if i.number == number] == [
                findings
            ]
    raise AssertionError(f"not a correction: {correction}")


@given(history=histories(chronological=False, max_steps=30), data=st.data())
@settings(max_examples=40, deadline=None)
def test_a_correction_shows_as_of_its_fact_and_never_before_it_was_known(
    history: History, data: st.DataObject
) -> None:
    """What any date looked like as known before a correction is what it
    looked like before the correction was made; as of the corrected fact's
    date and after, the fact reads as corrected."""
    with B2BCore.open("memory://", clock=FixedClock(date(2030, 1, 1))) as core:
        history.apply_to(core)
        assets = [a for a in history.asset_ids if core.exists(a)]
        days = sorted({e.effective_on for a in assets for e in stored_events(core, a)})
        if not days:
            return
        known_then = max(
            e.timestamp
            for a in history.aggregate_ids
            if core.exists(a)
            for e in stored_events(core, a)
        )
        views = {
            (a, day): core.asset(a, as_of=day)
            for a in assets
            for day in days
            if day >= core.asset(a).purchased_on
        }
        reports = {
            day: (core.alerts(as_of=day), core.renewal_queue(as_of=day, within=365))
            for day in days
        }
        for asset_id in assets:
            correct_a_fact(core, asset_id, data)

        for (asset_id, day), view in views.items():
            assert core.asset(asset_id, as_of=day, known_at=known_then) == view
        for day, (alerts, queue) in reports.items():
            assert core.alerts(as_of=day, known_at=known_then) == alerts
            assert core.renewal_queue(as_of=day, within=365, known_at=known_then) == (
                queue
            )
        for asset_id in assets:
            *_, last = stored_events(core, asset_id)
            if last.timestamp <= known_then:
                continue
            assert isinstance(last, Asset.Event)
            event(f"{type(last).__name__} checked")
            for day in days:
                if day >= last.effective_on:
                    assert shows_the_correction(core.asset(asset_id, as_of=day), last)


def redate_a_deal(core: B2BCore, deal_id: UUID, data: st.DataObject) -> None:
    """Move one of the deal's tier moves or its outcome a few days, the
    correction made after every fact of the history (a refused one records
    nothing)."""
    deal = core.opportunity(deal_id)
    fix = functools.partial
    shift = timedelta(days=data.draw(st.integers(-20, 20), label="days moved"))
    last = max(m.moved_on for m in deal.tier_history)
    corrections: list[Callable[..., object]] = [
        fix(
            core.correct_tier_move,
            deal_id,
            position=position,
            moved_on=move.moved_on + shift,
        )
        for position, move in enumerate(deal.tier_history)
        if position > 0 and move.tier != 0
    ]
    if deal.closed_on is not None:
        corrections.append(
            fix(core.correct_outcome_date, deal_id, closed_on=deal.closed_on + shift)
        )
    if corrections:
        correction = data.draw(st.sampled_from(corrections), label="correction")
        with contextlib.suppress(B2BCoreError):
            correction(reason="typo", on=last + timedelta(days=30))


@given(history=histories(chronological=False, max_steps=30), data=st.data())
@settings(max_examples=40, deadline=None)
def test_a_redated_deal_reads_corrected_and_as_before_when_known_earlier(
    history: History, data: st.DataObject
) -> None:
    """A tier move's or an outcome's corrected date is what the reports use
    as of any date; as known before the correction they show what they
    showed then."""
    with B2BCore.open("memory://", clock=FixedClock(date(2030, 1, 1))) as core:
        history.apply_to(core)
        deals = [d for d in history.opportunity_ids if core.exists(d)]
        if not deals:
            return
        known_then = max(
            e.timestamp
            for a in history.aggregate_ids
            if core.exists(a)
            for e in stored_events(core, a)
        )
        days = sorted(
            {m.moved_on for d in deals for m in core.opportunity(d).tier_history}
        )
        days += [day + timedelta(days=d) for day in days[-1:] for d in (10, 40)]

        def reports(day: date, known: datetime | None = None) -> tuple[object, ...]:
            return (
                core.tier_matrix(as_of=day, known_at=known),
                core.pipeline_kpis(as_of=day, known_at=known),
                core.win_loss(as_of=day, known_at=known),
                core.tier_movement(start=days[0], end=day, known_at=known),
                tuple(core.timeline(d, as_of=day, known_at=known) for d in deals),
                core.account_history(history.account_id, as_of=day, known_at=known),
            )

        before = {day: reports(day) for day in days}
        for deal_id in deals:
            redate_a_deal(core, deal_id, data)

        for day, seen in before.items():
            assert reports(day, known_then) == seen
        for deal_id in deals:
            *_, last = stored_events(core, deal_id)
            if last.timestamp <= known_then:
                continue
            event(f"{type(last).__name__} checked")
            match last:
                case Opportunity.OutcomeDateCorrected(closed_on=new):
                    assert core.timeline(deal_id, as_of=new).closed_on == new
                    day_before = core.timeline(deal_id, as_of=new - timedelta(days=1))
                    assert day_before.closed_on is None
                case Opportunity.TierMoveCorrected(moved_on=new):
                    assert new in entered(core.timeline(deal_id, as_of=new))
                    day_before = core.timeline(deal_id, as_of=new - timedelta(days=1))
                    assert new not in entered(day_before)
                case _:
                    raise AssertionError(f"not a correction: {last}")


def entered(line: WinLossTimeline) -> set[date]:
    """The days the deal entered an open tier, as the timeline shows them."""
    return {s.entered_on for s in line.stints}
