"""The test kit for embedders (b2bcore.testing): given/when/then on a
fresh application, and the failures it reports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

import pytest

from b2bcore import (
    B2BCore,
    BusinessLine,
    BusinessRuleError,
    ContactChannel,
    Grade,
    ValidationError,
)
from b2bcore.domain.account import Account
from b2bcore.domain.aggregate import Provenance
from b2bcore.testing import Scenario
from tests.helpers import purchase_asset, register_account

HYOWON = UUID(int=1)


def hyowon() -> Account:
    return Account.register(
        HYOWON,
        name="(주)효원",
        grade=Grade.KEY,
        sector="manufacturing",
        region="Seoul",
        country="KR",
        business_line=BusinessLine.DOMESTIC,
        preferred_channel=ContactChannel.VISIT,
        on=date(2024, 1, 2),
        meta=Provenance("seed"),
    )


def change_grade(
    grade: Grade, on: date = date(2024, 3, 1)
) -> Callable[[B2BCore], None]:
    return lambda core: core.change_account_grade(HYOWON, grade=grade, on=on)


def test_an_aggregate_given_is_saved_with_its_events(b2b_scenario: Scenario) -> None:
    b2b_scenario.given(hyowon())

    assert b2b_scenario.core.account(HYOWON).name == "(주)효원"


def test_then_returns_the_events_the_command_recorded(b2b_scenario: Scenario) -> None:
    outcome = b2b_scenario.given(hyowon()).when(change_grade(Grade.STANDARD))

    [changed] = outcome.then(Account.GradeChanged)
    assert changed.originator_id == HYOWON
    assert outcome.result is None


def test_then_fails_when_other_events_were_recorded(b2b_scenario: Scenario) -> None:
    outcome = b2b_scenario.given(hyowon()).when(change_grade(Grade.STANDARD))

    with pytest.raises(
        AssertionError, match=r"expected no event, recorded Account\.GradeChanged"
    ):
        outcome.then()


def test_then_fails_when_the_command_was_refused(b2b_scenario: Scenario) -> None:
    outcome = b2b_scenario.given(hyowon()).when(
        change_grade(Grade.STANDARD, on=date(2023, 1, 1))
    )

    with pytest.raises(AssertionError, match="refused"):
        outcome.then(Account.GradeChanged)
    with pytest.raises(AssertionError, match="refused"):
        _ = outcome.result


def test_then_refused_returns_the_error(b2b_scenario: Scenario) -> None:
    outcome = b2b_scenario.given(hyowon()).when(
        change_grade(Grade.STANDARD, on=date(2023, 1, 1))
    )

    error = outcome.then_refused(BusinessRuleError, "on")

    assert "2023-01-01" in str(error)
    assert outcome.events == ()


def test_then_refused_fails_on_another_error_or_field(b2b_scenario: Scenario) -> None:
    outcome = b2b_scenario.given(hyowon()).when(
        change_grade(Grade.STANDARD, on=date(2023, 1, 1))
    )

    with pytest.raises(AssertionError, match="got BusinessRuleError on 'on'"):
        outcome.then_refused(ValidationError, "on")
    with pytest.raises(AssertionError, match="expected BusinessRuleError on 'grade'"):
        outcome.then_refused(BusinessRuleError, "grade")


def test_then_refused_fails_when_the_command_succeeded(b2b_scenario: Scenario) -> None:
    outcome = b2b_scenario.given(hyowon()).when(change_grade(Grade.STANDARD))

    with pytest.raises(AssertionError, match=r"recorded Account\.GradeChanged"):
        outcome.then_refused(BusinessRuleError, "on")


def test_then_refused_fails_when_a_refused_command_recorded_events(
    b2b_scenario: Scenario,
) -> None:
    def records_then_refuses(core: B2BCore) -> None:
        register_account(core)
        raise ValidationError("account", "name", "refused after recording")

    outcome = b2b_scenario.when(records_then_refuses)

    with pytest.raises(AssertionError, match="yet events were recorded"):
        outcome.then_refused(ValidationError, "name")


def test_an_error_that_is_no_domain_error_propagates(b2b_scenario: Scenario) -> None:
    def breaks(core: B2BCore) -> None:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        b2b_scenario.when(breaks)


def test_the_result_is_what_the_command_returned(b2b_scenario: Scenario) -> None:
    outcome = b2b_scenario.when(register_account)

    account_id = outcome.result
    assert b2b_scenario.core.account(account_id).grade is Grade.KEY
    assert len(outcome.then(Account.Registered)) == 1


def test_events_span_more_than_one_page(b2b_scenario: Scenario) -> None:
    account_id = register_account(b2b_scenario.core)

    def many(core: B2BCore) -> None:
        for n in range(501):
            purchase_asset(core, account_id, order_reference=f"order {n}")

    assert len(b2b_scenario.when(many).events) == 501


def test_the_fixtures_clock_stands_on_b2b_today(
    b2b_core: B2BCore, b2b_today: date
) -> None:
    outcome = (
        Scenario(b2b_core)
        .given(hyowon())
        .when(lambda core: core.change_account_grade(HYOWON, grade=Grade.STANDARD))
    )

    [changed] = outcome.then(Account.GradeChanged)
    assert changed.effective_on == b2b_today == date(2024, 6, 1)


def test_the_sqlite_fixture_keeps_its_file(b2b_sqlite_core: B2BCore) -> None:
    account_id = register_account(b2b_sqlite_core)

    assert b2b_sqlite_core.exists(account_id)
