"""A stored event of an older class version is upcast when read (see
docs/schema-evolution.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import uuid4

from eventsourcing.persistence import StoredEvent

from b2bcore import B2BCore, BusinessLine, Money
from b2bcore.domain.aggregate import Provenance
from b2bcore.domain.opportunity import Opportunity


def store_as_version_1(core: B2BCore, event: Opportunity.Opened) -> None:
    """Write ``event`` as the first release wrote it: no ``competitors``."""
    mapper = core.event_log.mapper
    stored = mapper.to_stored_event(event)
    state = mapper.transcoder.decode(stored.state)
    assert state.pop("class_version") == 2
    del state["competitors"]
    core.event_log.recorder.insert_events(
        [replace(stored, state=mapper.transcoder.encode(state))]
    )


def test_an_opened_event_of_version_1_reads_with_no_competitors(
    core: B2BCore,
) -> None:
    deal = Opportunity.open(
        uuid4(),
        account_id=None,
        name="Fleet renewal 2025",
        amount=Money.of("120000.00", "USD"),
        owner="kim",
        business_line=BusinessLine.OVERSEAS,
        region="West",
        country="US",
        product="GTX Pro",
        expected_close_on=date(2025, 3, 31),
        competitors=["Hertz"],
        on=date(2024, 10, 1),
        meta=Provenance("importer"),
    )
    (opened,) = deal.collect_events()
    assert isinstance(opened, Opportunity.Opened)
    store_as_version_1(core, opened)

    view = core.opportunity(deal.id)

    assert view.competitors == ()
    assert view.name == "Fleet renewal 2025"
    assert view.tier == 4


def test_stored_events_carry_their_class_version(core: B2BCore) -> None:
    deal = Opportunity.open(
        uuid4(),
        account_id=None,
        name="n",
        amount=Money.of(1, "KRW"),
        owner="o",
        business_line=BusinessLine.DOMESTIC,
        region="r",
        country="KR",
        product="p",
        expected_close_on=date(2025, 1, 1),
        on=date(2024, 1, 1),
        meta=Provenance("importer"),
    )
    core.event_log.save(deal)

    (stored,) = core.event_log.recorder.select_events(deal.id)

    assert isinstance(stored, StoredEvent)
    assert core.event_log.mapper.transcoder.decode(stored.state)["class_version"] == 2


def test_a_gate_reviewed_event_of_version_1_reads_with_no_estimate(
    core: B2BCore,
) -> None:
    deal = Opportunity.open(
        uuid4(),
        account_id=None,
        name="Fleet",
        amount=Money.of(1_000, "USD"),
        owner="kim",
        business_line=BusinessLine.OVERSEAS,
        region="West",
        country="US",
        product="GTX Pro",
        expected_close_on=date(2025, 3, 31),
        on=date(2024, 10, 1),
        meta=Provenance("importer"),
    )
    deal.review_gate(on=date(2024, 10, 2), gate=1, findings=(), meta=Provenance("vrb"))
    opened, reviewed = deal.collect_events()
    core.event_log.recorder.insert_events(
        [core.event_log.mapper.to_stored_event(opened)]
    )
    mapper = core.event_log.mapper
    stored = mapper.to_stored_event(reviewed)
    state = mapper.transcoder.decode(stored.state)
    assert state.pop("class_version") == 2
    del state["cost"], state["price"]
    core.event_log.recorder.insert_events(
        [replace(stored, state=mapper.transcoder.encode(state))]
    )

    view = core.opportunity(deal.id)

    assert view.gates_reviewed == (1,)
    assert [r.profitability for r in view.reviews] == [None]
    assert view.profitability is None


def test_an_opportunity_snapshot_of_version_1_reads_with_its_reviews_and_no_edits(
    core: B2BCore,
) -> None:
    deal = Opportunity.open(
        uuid4(),
        account_id=None,
        name="Fleet",
        amount=Money.of(1_000, "USD"),
        owner="kim",
        business_line=BusinessLine.OVERSEAS,
        region="West",
        country="US",
        product="GTX Pro",
        expected_close_on=date(2025, 3, 31),
        on=date(2024, 10, 1),
        meta=Provenance("importer"),
    )
    deal.review_gate(on=date(2024, 10, 2), gate=1, findings=(), meta=Provenance("vrb"))
    snapshot = Opportunity.Snapshot.take(deal)
    state = dict(snapshot.state)
    assert state.pop("class_version") == Opportunity.class_version
    for name in ("reviews", "amount_edits", "owner_edits", "expected_close_on_edits"):
        del state[name]

    restored = replace(snapshot, state=state).mutate(None)

    assert isinstance(restored, Opportunity)
    assert [(r.gate, r.reviewed_on) for r in restored.reviews] == [
        (1, date(2024, 10, 2))
    ]
    assert (restored.amount_edits, restored.owner_edits) == ([], [])
