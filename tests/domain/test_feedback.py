"""Feedback: surveys, complaints and interviews (the voice of the customer),
the complaint's one resolution, the dissatisfaction alerts they raise and the
needs-based segmentation."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from b2bcore import (
    B2BCore,
    BusinessRuleError,
    ContactChannel,
    NotFoundError,
    ValidationError,
)
from b2bcore.application.settings import Settings
from b2bcore.domain.aggregate import DomainAggregate
from b2bcore.domain.values import FeedbackCategory, FeedbackKind, Severity
from b2bcore.reports.alerts import AlertKind
from tests.helpers import purchase_asset, register_account

MARCH = date(2024, 3, 1)


def record(core: B2BCore, account_id: UUID, **fields: Any) -> UUID:
    given: dict[str, Any] = {
        "kind": FeedbackKind.COMPLAINT,
        "channel": ContactChannel.PHONE,
        "category": FeedbackCategory.DELIVERY,
        "severity": Severity.HIGH,
        "on": MARCH,
    }
    given.update(fields)
    return core.record_feedback(account_id=account_id, **given)


def survey(score: int | None) -> dict[str, Any]:
    return {"kind": FeedbackKind.SURVEY, "severity": None, "score": score}


def dissatisfaction(core: B2BCore, as_of: date) -> list[str]:
    return [
        a.detail
        for a in core.alerts(as_of=as_of)
        if a.kind is AlertKind.DISSATISFACTION and a.subject == "feedback"
    ]


def test_a_complaint_about_an_asset_is_recorded_open(memory_core: B2BCore) -> None:
    account = register_account(memory_core)
    asset = purchase_asset(memory_core, account)

    found = memory_core.feedback(
        record(memory_core, account, asset_id=asset, text=" late ", needs=("EV",))
    )

    assert (found.account_id, found.asset_id) == (account, asset)
    assert (found.kind, found.severity, found.score) == (
        FeedbackKind.COMPLAINT,
        Severity.HIGH,
        None,
    )
    assert (found.text, found.needs, found.resolved_on) == ("late", ("EV",), None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"severity": None}, "severity"),
        ({"score": 3}, "score"),
        (survey(None), "score"),
        (survey(11), "score"),
        ({**survey(5), "severity": Severity.LOW}, "severity"),
        ({"kind": FeedbackKind.INTERVIEW}, "severity"),
        ({"needs": ("EV", "EV")}, "needs"),
        ({"needs": ("",)}, "needs"),
        ({"needs": "EV"}, "needs"),
        ({"category": "delivery"}, "category"),
    ],
)
def test_malformed_feedback_is_refused_naming_the_field(
    memory_core: B2BCore, fields: dict[str, Any], field: str
) -> None:
    account = register_account(memory_core)
    head = memory_core.log_position()

    with pytest.raises(ValidationError) as refused:
        record(memory_core, account, **fields)

    assert refused.value.field == field
    assert memory_core.log_position() == head


def test_feedback_about_another_accounts_asset_is_refused(
    memory_core: B2BCore,
) -> None:
    ours = register_account(memory_core)
    theirs = purchase_asset(memory_core, register_account(memory_core, name="B"))

    with pytest.raises(ValidationError) as refused:
        record(memory_core, ours, asset_id=theirs)

    assert refused.value.field == "asset_id"


def test_feedback_about_an_asset_before_its_purchase_is_refused(
    memory_core: B2BCore,
) -> None:
    account = register_account(memory_core)
    asset = purchase_asset(memory_core, account, on=date(2024, 2, 1))

    with pytest.raises(BusinessRuleError) as refused:
        record(memory_core, account, asset_id=asset, on=date(2024, 1, 31))

    assert refused.value.field == "on"


def test_feedback_about_an_unknown_account_is_refused(memory_core: B2BCore) -> None:
    with pytest.raises(NotFoundError):
        record(memory_core, UUID(int=7))


def test_a_complaint_is_resolved_once_and_not_before_it_was_raised(
    memory_core: B2BCore,
) -> None:
    complaint = record(memory_core, register_account(memory_core))

    with pytest.raises(BusinessRuleError) as early:
        memory_core.resolve_complaint(
            complaint, resolution="called", on=date(2024, 2, 29)
        )
    memory_core.resolve_complaint(complaint, resolution=" called ", on=MARCH)
    with pytest.raises(BusinessRuleError) as again:
        memory_core.resolve_complaint(
            complaint, resolution="again", on=date(2024, 3, 2)
        )

    assert (early.value.field, again.value.field) == ("on", "resolved_on")
    resolved = memory_core.feedback(complaint)
    assert (resolved.resolved_on, resolved.resolution) == (MARCH, "called")


def test_only_a_complaint_is_resolved(memory_core: B2BCore) -> None:
    answer = record(memory_core, register_account(memory_core), **survey(8))

    with pytest.raises(BusinessRuleError) as refused:
        memory_core.resolve_complaint(answer, resolution="?", on=MARCH)

    assert refused.value.field == "kind"


def test_an_unresolved_complaint_is_a_dissatisfaction_until_resolved(
    memory_core: B2BCore,
) -> None:
    account = register_account(memory_core)
    asset = purchase_asset(memory_core, account)
    complaint = record(memory_core, account, asset_id=asset)
    memory_core.resolve_complaint(complaint, resolution="fixed", on=date(2024, 3, 10))

    before, after = (
        memory_core.alerts(as_of=date(2024, 3, 9)),
        dissatisfaction(memory_core, date(2024, 3, 10)),
    )

    (alert,) = before
    assert (alert.subject, alert.subject_id, alert.owner) == (
        "feedback",
        complaint,
        "park",
    )
    assert (alert.dated_on, alert.account_id) == (MARCH, account)
    assert alert.detail == "high complaint on delivery: unresolved"
    assert after == []


def test_a_complaint_below_the_complaint_severity_raises_nothing(
    memory_core: B2BCore,
) -> None:
    account = register_account(memory_core)
    record(memory_core, account, severity=Severity.LOW)
    record(memory_core, account, severity=Severity.MEDIUM)

    assert dissatisfaction(memory_core, MARCH) == [
        "medium complaint on delivery: unresolved"
    ]


def test_the_complaint_severity_is_a_setting() -> None:
    with pytest.raises(ValidationError):
        Settings(complaint_severity="high")  # type: ignore[arg-type]
    assert Settings().complaint_severity is Severity.MEDIUM


def test_a_survey_below_the_satisfaction_threshold_is_a_dissatisfaction(
    memory_core: B2BCore,
) -> None:
    account = register_account(memory_core)
    for score in (5, 6):
        record(memory_core, account, **survey(score))
    record(memory_core, account, kind=FeedbackKind.INTERVIEW, severity=None)

    (alert,) = memory_core.alerts(as_of=MARCH)

    assert (alert.detail, alert.owner) == ("survey 5/10 on delivery, below 6", "")


def test_segmentation_counts_accounts_per_need_named_by_the_date(
    memory_core: B2BCore,
) -> None:
    first = register_account(memory_core, name="A")
    second = register_account(memory_core, name="B")
    record(memory_core, first, needs=("EV", "24h support"))
    record(memory_core, first, needs=("EV",), on=date(2024, 3, 5))
    record(memory_core, second, needs=("EV",), on=date(2024, 4, 1))

    march = memory_core.segmentation(as_of=date(2024, 3, 31))
    april = memory_core.segmentation(as_of=date(2024, 4, 1))

    assert dict(march.by_need) == {"24h support": 1, "EV": 1}
    assert dict(april.by_need) == {"24h support": 1, "EV": 2}
    assert {a.name: a.needs for a in april.ranking} == {
        "A": ("24h support", "EV"),
        "B": ("EV",),
    }


def test_a_snapshot_of_feedback_is_stored_and_read_back_unchanged(
    memory_core: B2BCore,
) -> None:
    complaint = record(memory_core, register_account(memory_core), needs=("EV",))
    memory_core.resolve_complaint(complaint, resolution="fixed", on=MARCH)
    log = memory_core.event_log
    feedback: DomainAggregate = log.repository.get(complaint)
    snapshot = type(feedback).Snapshot.take(feedback)

    decoded = log.mapper.to_domain_event(log.mapper.to_stored_event(snapshot))

    assert decoded == snapshot
    assert isinstance(decoded, DomainAggregate.Snapshot)
    assert vars(decoded.mutate(None)) == vars(feedback)
