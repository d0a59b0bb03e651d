"""Every event class survives the trip through the store's mapper unchanged.

The JSON transcoder silently changes some types on the way back (a str-Enum
becomes a str, a tuple a list); a field type without a transcoding fails only
when first stored. One property per event class catches both.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterator
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, Union
from uuid import UUID

import pytest
from eventsourcing.utils import get_topic
from hypothesis import given, settings
from hypothesis import strategies as st

from b2bcore import B2BCore, FixedClock, Money
from b2bcore.application.core import AGGREGATES
from b2bcore.domain.account import Account
from b2bcore.domain.acknowledgement import Acknowledgement
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.asset import Asset
from b2bcore.domain.feedback import Feedback
from b2bcore.domain.lead import Lead
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.sales_rep import SalesRep
from b2bcore.domain.values import Contact, Installment, Postmortem
from b2bcore.testing.strategies import (
    History,
    business_dates,
    histories,
    money,
    plans,
    texts,
)

#: Registered, GradeChanged, AttributesChanged; Purchased … InstallmentPaid
#: (with UsageEndCorrected), PaymentReversed … InspectionCorrected;
#: Captured … Converted; Opened … PostmortemRecorded (with AmountChanged,
#: Reassigned, ExpectedCloseMoved); Registered, Reassigned;
#: Acknowledged; Recorded, Resolved (feedback).
EVENT_CLASS_COUNT = {
    Account: 3,
    Asset: 19,
    Lead: 5,
    Opportunity: 16,
    SalesRep: 2,
    Acknowledgement: 1,
    Feedback: 2,
}

#: Any text the store must give back as it was, control characters included
#: (lone surrogates cannot be encoded as UTF-8 at all).
any_texts = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=20)
installments = business_dates.flatmap(
    lambda due_on: money().flatmap(lambda value: plans(value, due_on))
)
postmortems = st.builds(
    Postmortem,
    summary=texts,
    root_causes=st.lists(texts, max_size=3),
    lessons=st.lists(texts, max_size=3),
)
contacts = st.builds(
    Contact, texts, st.none() | texts, st.none() | texts, id=st.uuids()
)
#: Field types with a strategy of their own; the rest are derived below.
FIELD_STRATEGIES: dict[object, st.SearchStrategy[Any]] = {
    str: any_texts,
    bool: st.booleans(),
    int: st.integers(min_value=-(2**63), max_value=2**63 - 1),
    date: business_dates,
    datetime: st.datetimes(timezones=st.just(UTC)),
    UUID: st.uuids(),
    Money: money(),
    Postmortem: postmortems,
    tuple[Installment, ...]: installments,
    Contact: contacts,
}


def event_classes(
    aggregate: type[DomainAggregate],
) -> list[type[DomainAggregate.Event]]:
    """The event classes declared in ``aggregate``'s body."""
    return [
        value
        for value in vars(aggregate).values()
        if isinstance(value, type)
        and issubclass(value, DomainAggregate.Event)
        and value is not aggregate.Event
    ]


ALL_EVENT_CLASSES = [
    cls for aggregate in AGGREGATES for cls in event_classes(aggregate)
]


def strategy_for(hint: Any) -> st.SearchStrategy[Any]:
    """Values of the field type ``hint``: None-able, enums and tuples included."""
    if hint in FIELD_STRATEGIES:
        return FIELD_STRATEGIES[hint]
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        return st.one_of(*(strategy_for(arg) for arg in typing.get_args(hint)))
    if origin is tuple:
        item, ellipsis = typing.get_args(hint)
        assert ellipsis is Ellipsis, f"only tuple[X, ...] is supported, not {hint}"
        return st.lists(strategy_for(item), max_size=3).map(tuple)
    if hint is type(None):
        return st.none()
    if isinstance(hint, type) and issubclass(hint, Enum):
        return st.sampled_from(hint)
    raise NotImplementedError(f"no strategy for event field type {hint!r}")


def events_of(cls: type[DomainAggregate.Event]) -> st.SearchStrategy[Any]:
    """Instances of ``cls`` with every field drawn from its annotated type."""
    hints = typing.get_type_hints(cls)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for field in dataclasses.fields(cls):
        if field.name == "originator_id":
            fields[field.name] = st.uuids()
        elif field.name == "originator_version":
            fields[field.name] = st.integers(min_value=1, max_value=10**6)
        elif field.name == "originator_topic":
            fields[field.name] = st.just(get_topic(_aggregate_of(cls)))
        else:
            fields[field.name] = strategy_for(hints[field.name])
    return st.builds(cls, **fields)


def _aggregate_of(cls: type[DomainAggregate.Event]) -> type[DomainAggregate]:
    return next(a for a in AGGREGATES if cls in event_classes(a))


@pytest.fixture(scope="module")
def core() -> Iterator[B2BCore]:
    with B2BCore.open("memory://", clock=FixedClock(date(2024, 6, 1))) as opened:
        yield opened


def test_every_aggregate_declares_the_event_classes_this_test_knows() -> None:
    found = {aggregate: len(event_classes(aggregate)) for aggregate in AGGREGATES}
    assert found == EVENT_CLASS_COUNT, (
        "an event class was added or removed: update EVENT_CLASS_COUNT "
        "(and check its fields have strategies here)"
    )


def test_every_event_class_is_stored_under_its_own_stable_topic() -> None:
    """Topics of the ``b2bcore:`` form survive module moves and renames."""
    topics = [get_topic(cls) for cls in ALL_EVENT_CLASSES]
    assert all(topic.startswith("b2bcore:") for topic in topics)
    assert len(set(topics)) == len(topics)


@pytest.mark.parametrize(
    "event_class", ALL_EVENT_CLASSES, ids=lambda cls: cls.__qualname__
)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_an_event_is_stored_and_read_back_unchanged(
    core: B2BCore, event_class: type[DomainAggregate.Event], data: st.DataObject
) -> None:
    mapper = core.event_log.mapper
    event = data.draw(events_of(event_class), label="event")

    stored = mapper.to_stored_event(event)
    decoded = mapper.to_domain_event(stored)

    assert stored.topic == get_topic(event_class)
    assert type(decoded) is event_class
    assert decoded == event


@settings(max_examples=15, deadline=None)
@given(history=histories())
def test_a_snapshot_of_any_aggregate_is_stored_and_read_back_unchanged(
    history: History,
) -> None:
    with B2BCore.open("memory://", clock=FixedClock(date(2024, 6, 1))) as core:
        history.apply_to(core)
        mapper = core.event_log.mapper
        for aggregate_id in history.aggregate_ids:
            aggregate: DomainAggregate = core.event_log.repository.get(aggregate_id)
            snapshot = type(aggregate).Snapshot.take(aggregate)

            decoded = mapper.to_domain_event(mapper.to_stored_event(snapshot))

            assert decoded == snapshot
            assert isinstance(decoded, DomainAggregate.Snapshot)
            assert vars(decoded.mutate(None)) == vars(aggregate)
