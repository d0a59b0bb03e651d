"""Accounts: registration, grade and segmentation changes, through B2BCore.

Also the provenance every command records (actor, reason, correlation and
causation ids) and the as-of queries, shown on the simplest aggregate.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from b2bcore import (
    AlreadyExistsError,
    B2BCore,
    BusinessLine,
    BusinessRuleError,
    ContactChannel,
    Grade,
    NotFoundError,
    ValidationError,
)
from tests.helpers import refused

TODAY = date(2024, 6, 1)
REGISTERED_ON = date(2024, 1, 2)


def registered_account(core: B2BCore, **overrides: Any) -> UUID:
    """An account of a car-sharing customer, registered on REGISTERED_ON."""
    fields: dict[str, Any] = {
        "name": "(주)효원",
        "grade": Grade.MAJOR,
        "sector": "logistics",
        "region": "Seoul",
        "country": "KR",
        "business_line": BusinessLine.DOMESTIC,
        "preferred_channel": ContactChannel.EMAIL,
        "on": REGISTERED_ON,
    }
    return core.register_account(**(fields | overrides))


def events_of(core: B2BCore, aggregate_id: UUID) -> list[Any]:
    return list(core.event_log.events.get(aggregate_id))


# -- register -----------------------------------------------------------------


def test_registering_an_account_records_its_attributes(memory_core: B2BCore) -> None:
    account_id = registered_account(memory_core)

    account = memory_core.account(account_id)
    assert account.id == account_id
    assert account.version == 1
    assert account.name == "(주)효원"
    assert account.grade is Grade.MAJOR
    assert account.sector == "logistics"
    assert account.region == "Seoul"
    assert account.country == "KR"
    assert account.business_line is BusinessLine.DOMESTIC
    assert account.preferred_channel is ContactChannel.EMAIL
    assert account.registered_on == REGISTERED_ON


def test_an_account_is_registered_today_unless_told(memory_core: B2BCore) -> None:
    account_id = registered_account(memory_core, on=None)

    assert memory_core.account(account_id).registered_on == TODAY


def test_an_account_keeps_the_id_it_is_given(memory_core: B2BCore) -> None:
    wanted = uuid4()

    account_id = registered_account(memory_core, account_id=wanted)

    assert account_id == wanted
    assert memory_core.account(wanted).id == wanted


def test_account_texts_are_stripped(memory_core: B2BCore) -> None:
    account_id = registered_account(memory_core, name="  Acme  ")

    assert memory_core.account(account_id).name == "Acme"


@pytest.mark.parametrize("field", ["name", "sector", "region", "country"])
def test_registering_an_account_with_a_blank_text_is_refused(
    memory_core: B2BCore, field: str
) -> None:
    with refused(memory_core, None, ValidationError, field):
        registered_account(memory_core, **{field: "  "})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("grade", "key"),
        ("business_line", "domestic"),
        ("preferred_channel", ContactChannel),
    ],
)
def test_registering_an_account_with_a_value_of_the_wrong_type_is_refused(
    memory_core: B2BCore, field: str, value: object
) -> None:
    with refused(memory_core, None, ValidationError, field):
        registered_account(memory_core, **{field: value})


def test_registering_an_account_on_a_datetime_is_refused(
    memory_core: B2BCore,
) -> None:
    with refused(memory_core, None, ValidationError, "on"):
        registered_account(memory_core, on=datetime(2024, 1, 2, 9, 30))


def test_registering_an_account_twice_under_one_id_is_refused(
    memory_core: B2BCore,
) -> None:
    account_id = registered_account(memory_core)
    before = memory_core.account(account_id)
    position = memory_core.log_position()

    with pytest.raises(AlreadyExistsError) as excinfo:
        registered_account(memory_core, account_id=account_id, name="Other")

    assert excinfo.value.aggregate_id == account_id
    assert memory_core.log_position() == position
    assert memory_core.account(account_id) == before


def test_an_unknown_account_is_not_found(memory_core: B2BCore) -> None:
    unknown = uuid4()

    with pytest.raises(NotFoundError) as excinfo:
        memory_core.account(unknown)

    assert excinfo.value.aggregate_id == unknown


# -- change grade -------------------------------------------------------------


def test_changing_the_grade_of_an_account(memory_core: B2BCore) -> None:
    account_id = registered_account(memory_core)

    memory_core.change_account_grade(account_id, grade=Grade.KEY)

    account = memory_core.account(account_id)
    assert account.grade is Grade.KEY
    assert account.version == 2


def test_giving_an_account_the_grade_it_has_is_refused(memory_core: B2BCore) -> None:
    account_id = registered_account(memory_core, grade=Grade.KEY)

    with refused(memory_core, account_id, BusinessRuleError, "grade"):
        memory_core.change_account_grade(account_id, grade=Grade.KEY)


def test_a_grade_that_is_not_a_grade_is_refused(memory_core: B2BCore) -> None:
    account_id = registered_account(memory_core)

    with refused(memory_core, account_id, ValidationError, "grade"):
        memory_core.change_account_grade(account_id, grade="key")  # type: ignore[arg-type]


def test_changing_the_grade_before_the_registration_is_refused(
    memory_core: B2BCore,
) -> None:
    account_id = registered_account(memory_core)

    with refused(memory_core, account_id, BusinessRuleError, "on"):
        memory_core.change_account_grade(
            account_id, grade=Grade.KEY, on=REGISTERED_ON - timedelta(days=1)
        )


def test_changing_the_grade_on_a_datetime_is_refused(memory_core: B2BCore) -> None:
    account_id = registered_account(memory_core)

    with refused(memory_core, account_id, ValidationError, "on"):
        memory_core.change_account_grade(
            account_id, grade=Grade.KEY, on=datetime(2024, 3, 1, 12)
        )


def test_changing_the_grade_of_an_unknown_account_is_refused(
    memory_core: B2BCore,
) -> None:
    position = memory_core.log_position()

    with pytest.raises(NotFoundError):
        memory_core.change_account_grade(uuid4(), grade=Grade.KEY)

    assert memory_core.log_position() == position


# -- change attributes --------------------------------------------------------


def test_changing_attributes_changes_only_the_given_ones(memory_core: B2BCore) -> None:
    account_id = registered_account(memory_core)

    memory_core.change_account_attributes(
        account_id,
        region="Busan",
        business_line=BusinessLine.OVERSEAS,
        preferred_channel=ContactChannel.VISIT,
    )

    account = memory_core.account(account_id)
    assert account.region == "Busan"
    assert account.business_line is BusinessLine.OVERSEAS
    assert account.preferred_channel is ContactChannel.VISIT
    assert account.name == "(주)효원"
    assert account.sector == "logistics"
    assert account.country == "KR"


def test_an_attribute_equal_to_the_current_one_is_ignored(
    memory_core: B2BCore,
) -> None:
    account_id = registered_account(memory_core)

    memory_core.change_account_attributes(account_id, name="(주)효원", sector="retail")

    [*_, changed] = events_of(memory_core, account_id)
    assert changed.name is None
    assert changed.sector == "retail"


def test_a_change_of_attributes_that_changes_nothing_is_refused(
    memory_core: B2BCore,
) -> None:
    account_id = registered_account(memory_core)

    with refused(memory_core, account_id, BusinessRuleError, "attributes"):
        memory_core.change_account_attributes(
            account_id, name=" (주)효원 ", country="KR"
        )


def test_a_change_of_attributes_naming_none_is_refused(memory_core: B2BCore) -> None:
    account_id = registered_account(memory_core)

    with refused(memory_core, account_id, BusinessRuleError, "attributes"):
        memory_core.change_account_attributes(account_id)


def test_blanking_an_attribute_is_refused(memory_core: B2BCore) -> None:
    account_id = registered_account(memory_core)

    with refused(memory_core, account_id, ValidationError, "sector"):
        memory_core.change_account_attributes(account_id, sector="")


def test_an_attribute_of_the_wrong_type_is_refused(memory_core: B2BCore) -> None:
    account_id = registered_account(memory_core)

    with refused(memory_core, account_id, ValidationError, "preferred_channel"):
        memory_core.change_account_attributes(
            account_id,
            preferred_channel="phone",  # type: ignore[arg-type]
        )


def test_changing_attributes_before_the_registration_is_refused(
    memory_core: B2BCore,
) -> None:
    account_id = registered_account(memory_core)

    with refused(memory_core, account_id, BusinessRuleError, "on"):
        memory_core.change_account_attributes(
            account_id, region="Busan", on=date(2023, 12, 31)
        )


def test_changing_attributes_of_an_unknown_account_is_refused(
    memory_core: B2BCore,
) -> None:
    position = memory_core.log_position()

    with pytest.raises(NotFoundError):
        memory_core.change_account_attributes(uuid4(), region="Busan")

    assert memory_core.log_position() == position


# -- provenance ---------------------------------------------------------------


def test_the_actor_defaults_to_the_instance_actor(memory_core: B2BCore) -> None:
    account_id = registered_account(memory_core)

    [registered] = events_of(memory_core, account_id)
    assert registered.actor == "tester"


def test_a_command_may_name_its_own_actor(memory_core: B2BCore) -> None:
    account_id = registered_account(memory_core)

    memory_core.change_account_grade(account_id, grade=Grade.KEY, actor="kim")

    registered, changed = events_of(memory_core, account_id)
    assert registered.actor == "tester"
    assert changed.actor == "kim"


def test_a_blank_actor_is_refused(memory_core: B2BCore) -> None:
    account_id = registered_account(memory_core)

    with refused(memory_core, account_id, ValidationError, "actor"):
        memory_core.change_account_grade(account_id, grade=Grade.KEY, actor=" ")


def test_the_reason_and_request_ids_are_recorded_on_the_event(
    memory_core: B2BCore,
) -> None:
    account_id = registered_account(memory_core)
    correlation_id, causation_id = uuid4(), uuid4()

    memory_core.change_account_grade(
        account_id,
        grade=Grade.KEY,
        reason="top 20 % by revenue",
        correlation_id=correlation_id,
        causation_id=causation_id,
    )

    [*_, changed] = events_of(memory_core, account_id)
    assert changed.reason == "top 20 % by revenue"
    assert changed.correlation_id == correlation_id
    assert changed.causation_id == causation_id


def test_without_a_reason_or_request_ids_none_are_recorded(
    memory_core: B2BCore,
) -> None:
    account_id = registered_account(memory_core)

    [registered] = events_of(memory_core, account_id)
    assert registered.reason is None
    assert registered.correlation_id is None
    assert registered.causation_id is None


def test_each_event_carries_its_business_date_and_recorded_time(
    memory_core: B2BCore,
) -> None:
    account_id = registered_account(memory_core)
    memory_core.change_account_grade(account_id, grade=Grade.KEY)

    registered, changed = events_of(memory_core, account_id)
    assert registered.effective_on == REGISTERED_ON
    assert changed.effective_on == TODAY
    assert registered.timestamp <= changed.timestamp
    assert memory_core.account(account_id).recorded_at == changed.timestamp


# -- as of --------------------------------------------------------------------


def graded_twice(core: B2BCore) -> UUID:
    """Registered MAJOR on Jan 2, KEY from Mar 1, STANDARD from May 1."""
    account_id = registered_account(core)
    core.change_account_grade(account_id, grade=Grade.KEY, on=date(2024, 3, 1))
    core.change_account_grade(account_id, grade=Grade.STANDARD, on=date(2024, 5, 1))
    return account_id


def test_an_account_at_a_version(memory_core: B2BCore) -> None:
    account_id = graded_twice(memory_core)

    account = memory_core.account(account_id, version=2)

    assert account.version == 2
    assert account.grade is Grade.KEY


@pytest.mark.parametrize("version", [0, -1, 4, 10**20])
def test_an_account_at_a_version_it_never_had_is_not_found(
    core: B2BCore, version: int
) -> None:
    """Version 4 of an account at version 3 is not found (it was read as
    version 3), nor is a version past a store's 64-bit integers (SQLite
    raised OverflowError)."""
    account_id = graded_twice(core)

    with pytest.raises(NotFoundError, match=f"at version {version}"):
        core.account(account_id, version=version)


def test_an_account_as_of_a_business_date(memory_core: B2BCore) -> None:
    account_id = graded_twice(memory_core)

    assert memory_core.account(account_id, as_of=date(2024, 2, 29)).grade is (
        Grade.MAJOR
    )
    assert memory_core.account(account_id, as_of=date(2024, 3, 1)).grade is Grade.KEY
    assert memory_core.account(account_id, as_of=TODAY).grade is Grade.STANDARD


def test_an_account_as_of_a_date_before_its_registration_is_not_found(
    memory_core: B2BCore,
) -> None:
    account_id = graded_twice(memory_core)

    with pytest.raises(NotFoundError):
        memory_core.account(account_id, as_of=REGISTERED_ON - timedelta(days=1))


def test_an_account_as_known_at_a_recorded_time(memory_core: B2BCore) -> None:
    account_id = graded_twice(memory_core)
    _, first_change, _ = events_of(memory_core, account_id)

    account = memory_core.account(account_id, known_at=first_change.timestamp)

    assert account.version == 2
    assert account.grade is Grade.KEY


def test_an_account_as_known_before_it_was_recorded_is_not_found(
    memory_core: B2BCore,
) -> None:
    account_id = graded_twice(memory_core)
    [registered, *_] = events_of(memory_core, account_id)

    with pytest.raises(NotFoundError):
        memory_core.account(
            account_id, known_at=registered.timestamp - timedelta(microseconds=1)
        )


def test_asking_for_a_version_and_a_date_at_once_is_refused(
    memory_core: B2BCore,
) -> None:
    account_id = graded_twice(memory_core)

    with pytest.raises(ValidationError) as excinfo:
        memory_core.account(account_id, version=2, as_of=TODAY)

    assert excinfo.value.field == "version"


def test_asking_as_of_a_datetime_is_refused(memory_core: B2BCore) -> None:
    account_id = graded_twice(memory_core)

    with pytest.raises(ValidationError) as excinfo:
        memory_core.account(account_id, as_of=datetime(2024, 3, 1, 12))

    assert excinfo.value.field == "as_of"


def test_asking_as_known_at_a_naive_datetime_is_refused(
    memory_core: B2BCore,
) -> None:
    account_id = graded_twice(memory_core)

    with pytest.raises(ValidationError) as excinfo:
        memory_core.account(account_id, known_at=datetime(2030, 1, 1))

    assert excinfo.value.field == "known_at"
