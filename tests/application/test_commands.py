"""The command declarations (``b2bcore.application.commands``) and
``B2BCore.handle``."""

from __future__ import annotations

import inspect
from datetime import date
from uuid import uuid4

import attrs
import pytest

from b2bcore import (
    B2BCore,
    ConcurrencyError,
    Money,
    NotFoundError,
    UsagePattern,
    ValidationError,
)
from b2bcore.application import commands as c
from b2bcore.application.handlers import HANDLERS
from b2bcore.domain.aggregate import MAX_WHOLE_NUMBER
from b2bcore.domain.values import Grade, Temperature
from tests.helpers import purchase_asset, register_account, stored_events


@pytest.mark.parametrize(
    "declared",
    [d for d in c.COMMANDS if d not in HANDLERS],
    ids=lambda d: d.__name__,
)
def test_a_declaration_gives_its_aggregate_method_what_it_takes(
    declared: type[c.Command[object]],
) -> None:
    """The method a declaration names takes every field the declaration
    passes it, and needs none it does not."""
    method = getattr(declared.ACTS_ON, declared.CALLS)
    parameters = inspect.signature(method).parameters
    target = declared.target_field()
    passed = {f.name for f in attrs.fields(declared)} - c.COMMON
    passed -= {f"{declared.ACTS_ON.KIND}_id", *([target.name] if target else [])}
    keywords = {
        name
        for name, p in parameters.items()
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
    }
    required = {
        name
        for name, p in parameters.items()
        if p.kind is p.KEYWORD_ONLY and p.default is p.empty
    }
    assert passed <= keywords
    assert required - {"on", "meta"} <= passed


def test_every_command_is_declared_once_with_a_route_and_docs() -> None:
    routes = [(d.ACTS_ON, d.ROUTE) for d in c.COMMANDS]
    assert len(set(routes)) == len(routes)
    assert len(set(c.COMMANDS)) == len(c.COMMANDS)
    for declared in c.COMMANDS:
        assert declared.__doc__, declared
        assert declared.creates() == (declared.ROUTE == ""), declared
        assert bool(declared.CALLS) != (declared in HANDLERS), declared


def test_the_typed_method_runs_the_declared_command(memory_core: B2BCore) -> None:
    account_id = register_account(memory_core)
    memory_core.change_account_grade(account_id, grade=Grade.MAJOR, actor="ana")
    assert memory_core.account(account_id).grade is Grade.MAJOR
    assert stored_events(memory_core, account_id)[-1].actor == "ana"
    assert B2BCore.change_account_grade.__doc__ == c.ChangeAccountGrade.__doc__


def test_handle_runs_a_command_and_returns_its_result(memory_core: B2BCore) -> None:
    account_id = register_account(memory_core)
    asset_id = purchase_asset(memory_core, account_id)
    memory_core.handle(c.InstallAsset(asset_id, usage_end_on=None, on=date(2024, 2, 1)))
    number = memory_core.handle(
        c.ScheduleInspection(asset_id, due_on=date(2024, 3, 1), on=date(2024, 2, 2))
    )
    assert number == 1
    assert memory_core.asset(asset_id).inspections[0].number == 1


def test_handle_with_the_expected_version_records_at_that_version_only(
    memory_core: B2BCore,
) -> None:
    account_id = register_account(memory_core)
    version = memory_core.account(account_id).version
    stale = c.ChangeAccountGrade(account_id, grade=Grade.MAJOR)
    memory_core.handle(stale, expected_version=version)
    with pytest.raises(ConcurrencyError):
        memory_core.handle(
            c.ChangeAccountGrade(account_id, grade=Grade.STANDARD),
            expected_version=version,
        )
    assert memory_core.account(account_id).grade is Grade.MAJOR
    assert memory_core.account(account_id).version == version + 1


def test_a_command_creating_an_aggregate_has_no_version_to_expect(
    memory_core: B2BCore,
) -> None:
    command = c.RegisterSalesRep(name="Kim", manager="Lee", office="Seoul")
    with pytest.raises(ValidationError, match="expected_version"):
        memory_core.handle(command, expected_version=1)
    assert not memory_core.exists(c.sales_rep_id("Kim"))


def test_a_command_naming_a_missing_aggregate_records_nothing(
    memory_core: B2BCore,
) -> None:
    before = memory_core.log_position()
    with pytest.raises(NotFoundError, match="account"):
        memory_core.handle(
            c.CaptureLead(
                company="Hyowon",
                source="fair",
                temperature=Temperature.HOT,
                account_id=uuid4(),
            )
        )
    assert memory_core.log_position() == before


def test_an_expected_version_inside_a_unit_of_work_joins_it(
    memory_core: B2BCore,
) -> None:
    """The command's expected version conditions the unit's one save: a unit
    that raises records nothing, and the version counts the unit's changes."""
    account_id = register_account(memory_core)
    before = memory_core.log_position()

    def two_changes_then_a_change_of_mind() -> None:
        with memory_core.unit_of_work():
            memory_core.handle(c.ChangeAccountGrade(account_id, grade=Grade.MAJOR))
            memory_core.handle(
                c.ChangeAccountAttributes(account_id, sector="3PL"),
                expected_version=2,
            )
            raise RuntimeError("the caller changes its mind")

    with pytest.raises(RuntimeError):
        two_changes_then_a_change_of_mind()
    assert memory_core.log_position() == before

    with memory_core.unit_of_work():
        memory_core.handle(c.ChangeAccountGrade(account_id, grade=Grade.MAJOR))
        with pytest.raises(ConcurrencyError):
            memory_core.handle(
                c.ChangeAccountAttributes(account_id, sector="3PL"),
                expected_version=1,
            )
    assert memory_core.account(account_id).version == 2


def test_a_control_character_recorded_before_it_was_refused_is_copied(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Texts are checked as they come in, not when the domain copies what
    is recorded: an asset whose product an older b2bcore recorded with a
    control character still gets its renewal deal, named after it."""
    with B2BCore.open("memory://") as core:
        account = register_account(core)
        with monkeypatch.context() as older:
            older.setattr(c.Command, "check_input", lambda command: None)
            asset = purchase_asset(core, account, product="Fleet\x0csubscription")
        core.install_asset(asset, usage_end_on=date(2024, 3, 1), on=date(2024, 2, 1))

        deal = core.open_renewal_deal(asset, on=date(2024, 2, 1))

        assert core.opportunity(deal).name == "Renewal of Fleet\x0csubscription"
        with pytest.raises(ValidationError, match=r"product: .*\(U\+000C\)"):
            purchase_asset(core, account, product="Fleet\x0csubscription")


class Text(str):
    """A text of a library's own type (numpy's, pandas')."""


class Whole(int):
    """A whole number likewise."""


def usage(count: int, region: str = "Seoul") -> c.RecordUsage:
    return c.RecordUsage(
        uuid4(),
        period=date(2024, 1, 1),
        count=count,
        distance_km=1,
        region=region,
        pattern=UsagePattern.BUSINESS,
    )


def amount(minor_units: int) -> c.ChangeOpportunityAmount:
    return c.ChangeOpportunityAmount(
        uuid4(), amount=Money.from_minor(minor_units, "USD"), reason="repriced"
    )


@pytest.mark.parametrize("sign", [1, -1])
def test_the_largest_whole_number_and_amount_come_in_and_one_more_does_not(
    sign: int,
) -> None:
    usage(sign * MAX_WHOLE_NUMBER).check_input()
    amount(sign * MAX_WHOLE_NUMBER).check_input()

    with pytest.raises(ValidationError, match=r"^record usage: count: .* beyond"):
        usage(sign * (MAX_WHOLE_NUMBER + 1)).check_input()
    with pytest.raises(ValidationError, match=r"amount: .* beyond the largest amount"):
        amount(sign * (MAX_WHOLE_NUMBER + 1)).check_input()


def test_a_subclass_of_text_or_whole_number_is_checked_as_well() -> None:
    """The check reads exact types first, for speed: a subclass passed it."""
    with pytest.raises(ValidationError, match="region: must not hold a control"):
        usage(1, region=Text("Seoul\x00")).check_input()
    with pytest.raises(ValidationError, match=r"count: .* beyond"):
        usage(Whole(MAX_WHOLE_NUMBER + 1)).check_input()
