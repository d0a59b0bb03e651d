"""Assets: purchase, install, renew, upgrade, replace, obsolete, inspections,
satisfaction, usage, competitor contacts and installments, through B2BCore."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import attrs
import pytest

from b2bcore import (
    AlreadyExistsError,
    AssetStatus,
    B2BCore,
    BusinessRuleError,
    Contact,
    Installment,
    Money,
    NotFoundError,
    ObsoleteReason,
    UsagePattern,
    ValidationError,
    installment_plan,
)
from b2bcore.domain.asset import Asset
from b2bcore.testing import Scenario
from tests.helpers import refused, register_account, stored_events

TODAY = date(2024, 6, 1)
PURCHASED_ON = date(2024, 1, 10)
INSTALLED_ON = date(2024, 1, 15)
USAGE_END_ON = date(2024, 12, 31)
VALUE = Money.of(12_000_000, "KRW")
MONTHLY = Money.of(1_000_000, "KRW")
PLAN = installment_plan(VALUE, 12, date(2024, 2, 10))


def purchased_asset(
    core: B2BCore, account_id: UUID | None = None, **overrides: Any
) -> UUID:
    """A fleet of cars bought on PURCHASED_ON for VALUE in 12 monthly
    installments of MONTHLY from Feb 10."""
    fields: dict[str, Any] = {
        "account_id": account_id or register_account(core),
        "product": "EV fleet 20",
        "order_reference": "PO-2024-001",
        "contact": "Park, fleet manager",
        "value": VALUE,
        "installments": PLAN,
        "owner": "lee",
        "on": PURCHASED_ON,
    }
    return core.purchase_asset(**(fields | overrides))


def installed_asset(core: B2BCore, account_id: UUID | None = None) -> UUID:
    """The purchased asset, installed on INSTALLED_ON until USAGE_END_ON."""
    asset_id = purchased_asset(core, account_id)
    core.install_asset(asset_id, usage_end_on=USAGE_END_ON, on=INSTALLED_ON)
    return asset_id


def evergreen_asset(core: B2BCore) -> UUID:
    """The purchased asset, installed on INSTALLED_ON with no usage end."""
    asset_id = purchased_asset(core)
    core.install_asset(asset_id, usage_end_on=None, on=INSTALLED_ON)
    return asset_id


def obsolete_asset(core: B2BCore) -> UUID:
    """The installed asset, made obsolete on Apr 1 for its price."""
    asset_id = installed_asset(core)
    core.make_asset_obsolete(
        asset_id, reason_code=ObsoleteReason.PRICE, on=date(2024, 4, 1)
    )
    return asset_id


@contextmanager
def not_found(core: B2BCore) -> Iterator[None]:
    """The block raises NotFoundError and records nothing."""
    position = core.log_position()
    with pytest.raises(NotFoundError):
        yield
    assert core.log_position() == position


# -- purchase -----------------------------------------------------------------


def test_purchasing_creates_an_asset_of_the_account(memory_core: B2BCore) -> None:
    account_id = register_account(memory_core)

    asset_id = purchased_asset(memory_core, account_id)

    asset = memory_core.asset(asset_id)
    assert asset.account_id == account_id
    assert asset.status is AssetStatus.PURCHASED
    assert asset.product == "EV fleet 20"
    assert asset.order_reference == "PO-2024-001"
    assert asset.contact == Contact("Park, fleet manager")
    assert asset.owner == "lee"
    assert asset.purchased_on == PURCHASED_ON
    assert asset.value == VALUE
    assert asset.installments == PLAN
    assert asset.opportunity_id is None
    assert asset.installed_on is None
    assert asset.usage_end_on is None


def test_a_new_asset_owes_its_whole_value(memory_core: B2BCore) -> None:
    asset = memory_core.asset(purchased_asset(memory_core))

    assert asset.outstanding == VALUE
    assert asset.paid == Money.zero("KRW")
    assert not asset.fully_paid
    assert asset.payment_compliance is None
    assert asset.late_payments == 0


def test_a_purchased_asset_is_neither_evergreen_nor_counting_days(
    memory_core: B2BCore,
) -> None:
    asset = memory_core.asset(purchased_asset(memory_core))

    assert not asset.is_evergreen
    assert asset.days_left(TODAY) is None


def test_an_asset_is_purchased_today_unless_told(memory_core: B2BCore) -> None:
    plan = installment_plan(VALUE, 12, date(2024, 7, 1))

    asset_id = purchased_asset(memory_core, on=None, installments=plan)

    assert memory_core.asset(asset_id).purchased_on == TODAY


def test_purchasing_for_an_unknown_account_is_refused(memory_core: B2BCore) -> None:
    with not_found(memory_core):
        purchased_asset(memory_core, account_id=uuid4())


def test_purchasing_under_an_existing_id_is_refused(memory_core: B2BCore) -> None:
    asset_id = purchased_asset(memory_core)
    account_id = memory_core.asset(asset_id).account_id
    before = memory_core.asset(asset_id)
    position = memory_core.log_position()

    with pytest.raises(AlreadyExistsError) as excinfo:
        purchased_asset(memory_core, account_id, asset_id=asset_id, product="Other")

    assert excinfo.value.aggregate_id == asset_id
    assert memory_core.log_position() == position
    assert memory_core.asset(asset_id) == before


@pytest.mark.parametrize("value", [Money.of(-1, "KRW"), 12_000_000], ids=str)
def test_purchasing_without_a_value_of_zero_or_more_is_refused(
    memory_core: B2BCore, value: object
) -> None:
    account_id = register_account(memory_core)

    with refused(memory_core, None, ValidationError, "value"):
        purchased_asset(memory_core, account_id, value=value)


@pytest.mark.parametrize("field", ["product", "order_reference", "contact", "owner"])
def test_purchasing_with_a_blank_text_is_refused(
    memory_core: B2BCore, field: str
) -> None:
    account_id = register_account(memory_core)

    with refused(memory_core, None, ValidationError, field):
        purchased_asset(memory_core, account_id, **{field: " "})


def test_purchasing_on_a_datetime_is_refused(memory_core: B2BCore) -> None:
    account_id = register_account(memory_core)

    with refused(memory_core, None, ValidationError, "on"):
        purchased_asset(memory_core, account_id, on=datetime(2024, 1, 10, 9))


def shifted(plan: tuple[Installment, ...], **changes: Any) -> list[Installment]:
    """The plan with its first installment changed."""
    first, *rest = plan
    return [attrs.evolve(first, **changes), *rest]


@pytest.mark.parametrize(
    "installments",
    [
        pytest.param((), id="no installment"),
        pytest.param(installment_plan(VALUE, 12, date(2024, 2, 10))[:-1], id="short"),
        pytest.param(
            installment_plan(Money.of(12_000_000, "JPY"), 12, date(2024, 2, 10)),
            id="other currency",
        ),
        pytest.param(shifted(PLAN, number=0), id="misnumbered"),
        pytest.param(shifted(PLAN, due_on=date(2024, 1, 9)), id="due before purchase"),
        pytest.param(shifted(PLAN, due_on=date(2024, 3, 11)), id="out of date order"),
        pytest.param(["not an installment"], id="not installments"),
    ],
)
def test_purchasing_with_a_plan_that_does_not_fit_the_value_is_refused(
    memory_core: B2BCore, installments: list[Installment]
) -> None:
    account_id = register_account(memory_core)

    with refused(memory_core, None, ValidationError, "installments"):
        purchased_asset(memory_core, account_id, installments=installments)


def test_an_installment_of_no_amount_is_refused(memory_core: B2BCore) -> None:
    account_id = register_account(memory_core)
    value = Money.of(100, "KRW")
    plan = [
        Installment(1, date(2024, 2, 1), Money.of(100, "KRW")),
        Installment(2, date(2024, 3, 1), Money.zero("KRW")),
    ]

    with refused(memory_core, None, ValidationError, "installments[2]"):
        purchased_asset(memory_core, account_id, value=value, installments=plan)


def test_an_installment_due_on_a_datetime_is_refused(memory_core: B2BCore) -> None:
    account_id = register_account(memory_core)

    with refused(memory_core, None, ValidationError, "installments.due_on"):
        purchased_asset(
            memory_core,
            account_id,
            installments=shifted(PLAN, due_on=datetime(2024, 2, 10, 9)),
        )


# -- install ------------------------------------------------------------------


ASSET_ID = UUID(int=1)


def a_purchase(core: B2BCore) -> UUID:
    return purchased_asset(core, asset_id=ASSET_ID)


def install(on: date, usage_end_on: date | None) -> Callable[[B2BCore], None]:
    return lambda core: core.install_asset(ASSET_ID, usage_end_on=usage_end_on, on=on)


def test_installing_starts_the_contract(b2b_scenario: Scenario) -> None:
    installing = b2b_scenario.given(a_purchase).when(
        install(INSTALLED_ON, USAGE_END_ON)
    )

    [installed] = installing.then(Asset.Installed)
    assert installed.effective_on == INSTALLED_ON
    asset = b2b_scenario.core.asset(ASSET_ID)
    assert asset.status is AssetStatus.INSTALLED
    assert asset.installed_on == INSTALLED_ON
    assert asset.usage_end_on == USAGE_END_ON
    assert not asset.is_evergreen


def test_an_installed_asset_counts_the_days_left_to_its_usage_end(
    memory_core: B2BCore,
) -> None:
    asset = memory_core.asset(installed_asset(memory_core))

    assert asset.days_left(date(2024, 12, 1)) == 30
    assert asset.days_left(USAGE_END_ON) == 0
    assert asset.days_left(date(2025, 1, 2)) == -2


def test_an_asset_installed_without_usage_end_is_evergreen(
    memory_core: B2BCore,
) -> None:
    asset = memory_core.asset(evergreen_asset(memory_core))

    assert asset.is_evergreen
    assert asset.usage_end_on is None
    assert asset.days_left(TODAY) is None


def test_an_asset_is_installed_today_unless_told(memory_core: B2BCore) -> None:
    asset_id = purchased_asset(memory_core)

    memory_core.install_asset(asset_id, usage_end_on=USAGE_END_ON)

    assert memory_core.asset(asset_id).installed_on == TODAY


def test_a_usage_end_on_the_install_day_is_accepted(memory_core: B2BCore) -> None:
    asset_id = purchased_asset(memory_core)

    memory_core.install_asset(asset_id, usage_end_on=INSTALLED_ON, on=INSTALLED_ON)

    assert memory_core.asset(asset_id).days_left(INSTALLED_ON) == 0


def test_a_usage_end_before_the_install_is_refused(b2b_scenario: Scenario) -> None:
    installing = b2b_scenario.given(a_purchase).when(
        install(INSTALLED_ON, date(2024, 1, 14))
    )

    installing.then_refused(ValidationError, "usage_end_on")


def test_a_usage_end_given_as_a_datetime_is_refused(memory_core: B2BCore) -> None:
    asset_id = purchased_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "usage_end_on"):
        memory_core.install_asset(
            asset_id, usage_end_on=datetime(2024, 12, 31, 18), on=INSTALLED_ON
        )


def test_installing_before_the_purchase_is_refused(b2b_scenario: Scenario) -> None:
    installing = b2b_scenario.given(a_purchase).when(
        install(date(2024, 1, 9), USAGE_END_ON)
    )

    installing.then_refused(BusinessRuleError, "on")


def test_installing_on_a_datetime_is_refused(memory_core: B2BCore) -> None:
    asset_id = purchased_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "on"):
        memory_core.install_asset(
            asset_id, usage_end_on=USAGE_END_ON, on=datetime(2024, 1, 15, 10)
        )


def test_installing_an_installed_asset_is_refused(b2b_scenario: Scenario) -> None:
    installing = b2b_scenario.given(
        a_purchase, install(INSTALLED_ON, USAGE_END_ON)
    ).when(install(TODAY, date(2025, 12, 31)))

    installing.then_refused(BusinessRuleError, "status")


def test_installing_an_obsolete_asset_is_refused(memory_core: B2BCore) -> None:
    asset_id = purchased_asset(memory_core)
    memory_core.make_asset_obsolete(
        asset_id, reason_code=ObsoleteReason.BUDGET, on=date(2024, 1, 12)
    )

    with refused(memory_core, asset_id, BusinessRuleError, "status"):
        memory_core.install_asset(asset_id, usage_end_on=USAGE_END_ON)


def test_installing_an_unknown_asset_is_refused(memory_core: B2BCore) -> None:
    with not_found(memory_core):
        memory_core.install_asset(uuid4(), usage_end_on=USAGE_END_ON)


def test_installing_an_account_is_refused(memory_core: B2BCore) -> None:
    account_id = register_account(memory_core)

    with not_found(memory_core):
        memory_core.install_asset(account_id, usage_end_on=USAGE_END_ON)


# -- renew --------------------------------------------------------------------


def test_renewing_extends_the_usage_end(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    memory_core.renew_asset(asset_id, usage_end_on=date(2025, 12, 31))

    asset = memory_core.asset(asset_id)
    assert asset.usage_end_on == date(2025, 12, 31)
    assert asset.value == VALUE
    assert asset.installments == PLAN
    [renewal] = asset.renewals
    assert renewal.renewed_on == TODAY
    assert renewal.previous_usage_end_on == USAGE_END_ON
    assert renewal.usage_end_on == date(2025, 12, 31)
    assert not renewal.is_upsell


def test_renewing_at_a_higher_value_is_an_upsell_billed_in_new_installments(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)
    new_value = Money.of(15_000_000, "KRW")
    new_term = installment_plan(new_value, 3, date(2025, 1, 10))
    new_term = tuple(Installment(i.number + 12, i.due_on, i.amount) for i in new_term)

    memory_core.renew_asset(
        asset_id,
        usage_end_on=date(2025, 12, 31),
        value=new_value,
        installments=new_term,
    )

    asset = memory_core.asset(asset_id)
    assert asset.value == new_value
    assert asset.installments == PLAN + new_term
    assert asset.outstanding == VALUE + new_value
    [renewal] = asset.renewals
    assert renewal.previous_value == VALUE
    assert renewal.value == new_value
    assert renewal.is_upsell


def test_renewing_at_a_lower_value_is_no_upsell(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    memory_core.renew_asset(
        asset_id, usage_end_on=date(2025, 12, 31), value=Money.of(9_000_000, "KRW")
    )

    [renewal] = memory_core.asset(asset_id).renewals
    assert not renewal.is_upsell


def test_an_asset_may_be_renewed_again(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)
    memory_core.renew_asset(
        asset_id, usage_end_on=date(2025, 12, 31), on=date(2024, 11, 1)
    )

    memory_core.renew_asset(
        asset_id, usage_end_on=date(2026, 12, 31), on=date(2025, 11, 1)
    )

    first, second = memory_core.asset(asset_id).renewals
    assert second.previous_usage_end_on == first.usage_end_on == date(2025, 12, 31)
    assert memory_core.asset(asset_id).usage_end_on == date(2026, 12, 31)


def test_renewing_a_purchased_asset_is_refused(memory_core: B2BCore) -> None:
    asset_id = purchased_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "status"):
        memory_core.renew_asset(asset_id, usage_end_on=date(2025, 12, 31))


def test_renewing_an_obsolete_asset_is_refused(memory_core: B2BCore) -> None:
    asset_id = obsolete_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "status"):
        memory_core.renew_asset(asset_id, usage_end_on=date(2025, 12, 31))


def test_renewing_an_open_ended_asset_is_refused(memory_core: B2BCore) -> None:
    asset_id = evergreen_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "usage_end_on"):
        memory_core.renew_asset(asset_id, usage_end_on=date(2025, 12, 31))


@pytest.mark.parametrize(
    "usage_end_on", [USAGE_END_ON, date(2024, 12, 30)], ids=["same", "earlier"]
)
def test_renewing_to_a_usage_end_not_after_the_current_one_is_refused(
    memory_core: B2BCore, usage_end_on: date
) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "usage_end_on"):
        memory_core.renew_asset(asset_id, usage_end_on=usage_end_on)


def test_renewing_to_a_usage_end_given_as_a_datetime_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "usage_end_on"):
        memory_core.renew_asset(asset_id, usage_end_on=datetime(2025, 12, 31))


def test_renewing_before_the_install_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "on"):
        memory_core.renew_asset(
            asset_id, usage_end_on=date(2025, 12, 31), on=date(2024, 1, 14)
        )


@pytest.mark.parametrize(
    "value", [Money.of(12_000_000, "JPY"), Money.zero("KRW")], ids=str
)
def test_renewing_at_a_value_not_positive_in_the_contract_currency_is_refused(
    memory_core: B2BCore, value: Money
) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "value"):
        memory_core.renew_asset(asset_id, usage_end_on=date(2025, 12, 31), value=value)


def test_renewal_installments_numbered_from_one_are_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "installments"):
        memory_core.renew_asset(
            asset_id,
            usage_end_on=date(2025, 12, 31),
            installments=installment_plan(VALUE, 12, date(2025, 1, 10)),
        )


def test_renewal_installments_not_summing_to_the_new_value_are_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "installments"):
        memory_core.renew_asset(
            asset_id,
            usage_end_on=date(2025, 12, 31),
            value=Money.of(15_000_000, "KRW"),
            installments=[Installment(13, date(2025, 1, 10), VALUE)],
        )


# -- upgrade ------------------------------------------------------------------


def test_upgrading_to_a_dearer_product_is_an_upsell(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)
    dearer = Money.of(18_000_000, "KRW")

    memory_core.upgrade_asset(asset_id, product="EV fleet 30", value=dearer)

    asset = memory_core.asset(asset_id)
    assert asset.product == "EV fleet 30"
    assert asset.value == dearer
    [upgrade] = asset.upgrades
    assert upgrade.upgraded_on == TODAY
    assert upgrade.previous_product == "EV fleet 20"
    assert upgrade.previous_value == VALUE
    assert upgrade.is_upsell


def test_changing_plan_at_the_same_value_is_no_upsell(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    memory_core.upgrade_asset(asset_id, product="EV fleet 20 plus", value=VALUE)

    [upgrade] = memory_core.asset(asset_id).upgrades
    assert not upgrade.is_upsell


def test_an_upgrade_changing_nothing_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "product"):
        memory_core.upgrade_asset(asset_id, product=" EV fleet 20 ", value=VALUE)


def test_upgrading_a_purchased_asset_is_refused(memory_core: B2BCore) -> None:
    asset_id = purchased_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "status"):
        memory_core.upgrade_asset(asset_id, product="EV fleet 30", value=VALUE)


def test_upgrading_to_another_currency_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "value"):
        memory_core.upgrade_asset(
            asset_id, product="EV fleet 30", value=Money.of(18_000, "USD")
        )


def test_upgrading_to_a_blank_product_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "product"):
        memory_core.upgrade_asset(asset_id, product="", value=VALUE)


def test_upgrading_before_the_install_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "on"):
        memory_core.upgrade_asset(
            asset_id, product="EV fleet 30", value=VALUE, on=date(2024, 1, 14)
        )


# -- replace ------------------------------------------------------------------


def test_replacing_makes_the_asset_obsolete_linked_to_its_successor(
    memory_core: B2BCore,
) -> None:
    account_id = register_account(memory_core)
    old = installed_asset(memory_core, account_id)
    new = purchased_asset(memory_core, account_id, order_reference="PO-2024-002")

    memory_core.replace_asset(old, successor_id=new, note=" hydrogen fleet ")

    asset = memory_core.asset(old)
    assert asset.status is AssetStatus.OBSOLETE
    assert asset.obsolete_reason is ObsoleteReason.REPLACED
    assert asset.obsolete_on == TODAY
    assert asset.obsolete_note == "hydrogen fleet"
    assert asset.successor_id == new


def test_replacing_leaves_the_successor_as_it_was(memory_core: B2BCore) -> None:
    account_id = register_account(memory_core)
    old = installed_asset(memory_core, account_id)
    new = purchased_asset(memory_core, account_id, order_reference="PO-2024-002")
    successor_before = memory_core.asset(new)

    memory_core.replace_asset(old, successor_id=new)

    assert memory_core.asset(new) == successor_before


def test_replacing_by_an_asset_of_another_account_is_refused(
    memory_core: B2BCore,
) -> None:
    old = installed_asset(memory_core)
    other_account = register_account(memory_core, name="Other Corp")
    new = purchased_asset(memory_core, other_account)

    with refused(memory_core, old, ValidationError, "successor_id"):
        memory_core.replace_asset(old, successor_id=new)


def test_replacing_by_an_unknown_asset_is_refused(memory_core: B2BCore) -> None:
    old = installed_asset(memory_core)
    before = memory_core.asset(old)

    with not_found(memory_core):
        memory_core.replace_asset(old, successor_id=uuid4())

    assert memory_core.asset(old) == before


def test_an_asset_replacing_itself_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "successor_id"):
        memory_core.replace_asset(asset_id, successor_id=asset_id)


def test_replacing_a_purchased_asset_is_refused(memory_core: B2BCore) -> None:
    account_id = register_account(memory_core)
    old = purchased_asset(memory_core, account_id)
    new = purchased_asset(memory_core, account_id, order_reference="PO-2024-002")

    with refused(memory_core, old, BusinessRuleError, "status"):
        memory_core.replace_asset(old, successor_id=new)


def test_replacing_before_the_install_is_refused(memory_core: B2BCore) -> None:
    account_id = register_account(memory_core)
    old = installed_asset(memory_core, account_id)
    new = purchased_asset(memory_core, account_id, order_reference="PO-2024-002")

    with refused(memory_core, old, BusinessRuleError, "on"):
        memory_core.replace_asset(old, successor_id=new, on=date(2024, 1, 14))


# -- make obsolete ------------------------------------------------------------


def test_making_an_asset_obsolete_records_why(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    memory_core.make_asset_obsolete(
        asset_id, reason_code=ObsoleteReason.COMPETITOR, note=" went to SoCar "
    )

    asset = memory_core.asset(asset_id)
    assert asset.status is AssetStatus.OBSOLETE
    assert asset.obsolete_on == TODAY
    assert asset.obsolete_reason is ObsoleteReason.COMPETITOR
    assert asset.obsolete_note == "went to SoCar"
    assert asset.successor_id is None


def test_a_purchased_asset_may_become_obsolete(memory_core: B2BCore) -> None:
    asset_id = purchased_asset(memory_core)

    memory_core.make_asset_obsolete(
        asset_id, reason_code=ObsoleteReason.BUDGET, on=PURCHASED_ON
    )

    asset = memory_core.asset(asset_id)
    assert asset.status is AssetStatus.OBSOLETE
    assert asset.installed_on is None


def test_making_obsolete_as_replaced_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "reason_code"):
        memory_core.make_asset_obsolete(asset_id, reason_code=ObsoleteReason.REPLACED)


def test_an_obsolete_reason_that_is_no_reason_code_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "reason_code"):
        memory_core.make_asset_obsolete(asset_id, reason_code="price")  # type: ignore[arg-type]


def test_making_obsolete_before_the_install_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "on"):
        memory_core.make_asset_obsolete(
            asset_id, reason_code=ObsoleteReason.PRICE, on=date(2024, 1, 14)
        )


def test_making_obsolete_before_the_purchase_is_refused(memory_core: B2BCore) -> None:
    asset_id = purchased_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "on"):
        memory_core.make_asset_obsolete(
            asset_id, reason_code=ObsoleteReason.PRICE, on=date(2024, 1, 9)
        )


# -- nothing after obsolete ---------------------------------------------------

AFTER_OBSOLETE: dict[str, Callable[[B2BCore, UUID], object]] = {
    "install": lambda core, a: core.install_asset(a, usage_end_on=None),
    "renew": lambda core, a: core.renew_asset(a, usage_end_on=date(2025, 12, 31)),
    "upgrade": lambda core, a: core.upgrade_asset(a, product="EV 30", value=VALUE),
    "make obsolete": lambda core, a: core.make_asset_obsolete(
        a, reason_code=ObsoleteReason.OTHER
    ),
    "schedule inspection": lambda core, a: core.schedule_inspection(
        a, due_on=date(2024, 7, 1)
    ),
    "record satisfaction": lambda core, a: core.record_satisfaction(a, score=9),
    "record usage": lambda core, a: core.record_usage(
        a,
        period=date(2024, 5, 1),
        count=10,
        distance_km=100,
        region="Seoul",
        pattern=UsagePattern.BUSINESS,
    ),
    "report competitor contact": lambda core, a: core.report_competitor_contact(
        a, competitor="SoCar"
    ),
    "pay installment": lambda core, a: core.pay_installment(
        a, number=1, amount=MONTHLY
    ),
}


@pytest.mark.parametrize("command", AFTER_OBSOLETE.values(), ids=AFTER_OBSOLETE)
def test_nothing_is_recorded_on_an_obsolete_asset(
    memory_core: B2BCore, command: Callable[[B2BCore, UUID], object]
) -> None:
    asset_id = obsolete_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "status"):
        command(memory_core, asset_id)


def test_replacing_an_obsolete_asset_is_refused(memory_core: B2BCore) -> None:
    old = obsolete_asset(memory_core)
    new = purchased_asset(memory_core, memory_core.asset(old).account_id)

    with refused(memory_core, old, BusinessRuleError, "status"):
        memory_core.replace_asset(old, successor_id=new)


# -- inspections --------------------------------------------------------------


def test_scheduling_an_inspection_numbers_it(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    first = memory_core.schedule_inspection(asset_id, due_on=date(2024, 6, 30))
    second = memory_core.schedule_inspection(asset_id, due_on=date(2024, 12, 1))

    assert (first, second) == (1, 2)
    inspection, _ = memory_core.asset(asset_id).inspections
    assert inspection.number == 1
    assert inspection.scheduled_on == TODAY
    assert inspection.due_on == date(2024, 6, 30)
    assert inspection.completed_on is None


def test_completing_an_inspection_records_its_findings(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)
    number = memory_core.schedule_inspection(
        asset_id, due_on=date(2024, 3, 31), on=date(2024, 3, 1)
    )

    memory_core.complete_inspection(
        asset_id, number=number, findings=" tyres worn ", on=date(2024, 3, 20)
    )

    [inspection] = memory_core.asset(asset_id).inspections
    assert inspection.completed_on == date(2024, 3, 20)
    assert inspection.findings == "tyres worn"


def test_scheduling_an_inspection_of_a_purchased_asset_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = purchased_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "status"):
        memory_core.schedule_inspection(asset_id, due_on=date(2024, 7, 1))


def test_an_inspection_due_before_it_is_scheduled_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "due_on"):
        memory_core.schedule_inspection(asset_id, due_on=date(2024, 5, 31))


def test_an_inspection_due_on_a_datetime_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "due_on"):
        memory_core.schedule_inspection(asset_id, due_on=datetime(2024, 7, 1, 9))


def test_scheduling_an_inspection_before_the_install_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "on"):
        memory_core.schedule_inspection(
            asset_id, due_on=date(2024, 7, 1), on=date(2024, 1, 14)
        )


@pytest.mark.parametrize("number", [0, 2])
def test_completing_an_inspection_never_scheduled_is_refused(
    memory_core: B2BCore, number: int
) -> None:
    asset_id = installed_asset(memory_core)
    memory_core.schedule_inspection(asset_id, due_on=date(2024, 7, 1))

    with refused(memory_core, asset_id, BusinessRuleError, "number"):
        memory_core.complete_inspection(asset_id, number=number)


def test_completing_an_inspection_twice_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)
    number = memory_core.schedule_inspection(asset_id, due_on=date(2024, 7, 1))
    memory_core.complete_inspection(asset_id, number=number)

    with refused(memory_core, asset_id, BusinessRuleError, "number"):
        memory_core.complete_inspection(asset_id, number=number)


def test_completing_an_inspection_before_it_was_scheduled_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)
    number = memory_core.schedule_inspection(asset_id, due_on=date(2024, 7, 1))

    with refused(memory_core, asset_id, BusinessRuleError, "on"):
        memory_core.complete_inspection(asset_id, number=number, on=date(2024, 5, 31))


def test_an_inspection_number_that_is_no_integer_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)
    memory_core.schedule_inspection(asset_id, due_on=date(2024, 7, 1))

    with refused(memory_core, asset_id, ValidationError, "number"):
        memory_core.complete_inspection(asset_id, number="1")  # type: ignore[arg-type]


# -- satisfaction -------------------------------------------------------------


def test_recording_satisfaction(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    memory_core.record_satisfaction(asset_id, score=3, comment=" slow support ")

    [score] = memory_core.asset(asset_id).satisfaction
    assert score.recorded_on == TODAY
    assert score.score == 3
    assert score.comment == "slow support"


@pytest.mark.parametrize("score", [0, 10])
def test_satisfaction_scores_run_from_zero_to_ten(
    memory_core: B2BCore, score: int
) -> None:
    asset_id = installed_asset(memory_core)

    memory_core.record_satisfaction(asset_id, score=score)

    assert memory_core.asset(asset_id).satisfaction[0].score == score


@pytest.mark.parametrize("score", [-1, 11, True, 7.5, "8"], ids=repr)
def test_a_satisfaction_score_outside_zero_to_ten_is_refused(
    memory_core: B2BCore, score: object
) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "score"):
        memory_core.record_satisfaction(asset_id, score=score)  # type: ignore[arg-type]


def test_recording_satisfaction_of_a_purchased_asset_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = purchased_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "status"):
        memory_core.record_satisfaction(asset_id, score=8)


def test_recording_satisfaction_before_the_install_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "on"):
        memory_core.record_satisfaction(asset_id, score=8, on=date(2024, 1, 14))


# -- usage --------------------------------------------------------------------


def record_may_usage(core: B2BCore, asset_id: UUID, **overrides: Any) -> None:
    fields: dict[str, Any] = {
        "period": date(2024, 5, 17),
        "count": 120,
        "distance_km": 3_400,
        "region": "Seoul",
        "pattern": UsagePattern.COMMUTE,
    }
    core.record_usage(asset_id, **(fields | overrides))


def test_recording_a_month_of_usage(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    record_may_usage(memory_core, asset_id)

    [usage] = memory_core.asset(asset_id).usage
    assert usage.period == date(2024, 5, 1)
    assert usage.count == 120
    assert usage.distance_km == 3_400
    assert usage.region == "Seoul"
    assert usage.pattern is UsagePattern.COMMUTE


def test_recording_a_month_of_usage_twice_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)
    record_may_usage(memory_core, asset_id, period=date(2024, 5, 1))

    with refused(memory_core, asset_id, BusinessRuleError, "period"):
        record_may_usage(memory_core, asset_id, period=date(2024, 5, 31))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("count", -1),
        ("distance_km", -1),
        ("count", 1.5),
        ("region", " "),
        ("pattern", "commute"),
        ("period", datetime(2024, 5, 1)),
    ],
    ids=repr,
)
def test_malformed_usage_is_refused(
    memory_core: B2BCore, field: str, value: object
) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, field):
        record_may_usage(memory_core, asset_id, **{field: value})


def test_recording_usage_of_a_purchased_asset_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = purchased_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "status"):
        record_may_usage(memory_core, asset_id)


def test_recording_usage_before_the_install_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "on"):
        record_may_usage(memory_core, asset_id, on=date(2024, 1, 14))


# -- competitor contact -------------------------------------------------------


def test_reporting_a_competitor_contact(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    memory_core.report_competitor_contact(
        asset_id, competitor=" SoCar ", note="offered 10 % off"
    )

    [contact] = memory_core.asset(asset_id).competitor_contacts
    assert contact.reported_on == TODAY
    assert contact.competitor == "SoCar"
    assert contact.note == "offered 10 % off"


def test_reporting_a_blank_competitor_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "competitor"):
        memory_core.report_competitor_contact(asset_id, competitor="")


def test_reporting_a_competitor_contact_of_a_purchased_asset_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = purchased_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "status"):
        memory_core.report_competitor_contact(asset_id, competitor="SoCar")


def test_reporting_a_competitor_contact_before_the_install_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "on"):
        memory_core.report_competitor_contact(
            asset_id, competitor="SoCar", on=date(2024, 1, 14)
        )


# -- installments -------------------------------------------------------------


def test_paying_an_installment_on_time(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    memory_core.pay_installment(asset_id, number=1, amount=MONTHLY, on=date(2024, 2, 5))

    asset = memory_core.asset(asset_id)
    [payment] = asset.payments
    assert payment.number == 1
    assert payment.amount == MONTHLY
    assert payment.paid_on == date(2024, 2, 5)
    assert not payment.late
    assert asset.paid == MONTHLY
    assert asset.outstanding == Money.of(11_000_000, "KRW")
    assert asset.payment_compliance == 1.0


def test_paying_on_the_due_date_is_on_time(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    memory_core.pay_installment(
        asset_id, number=1, amount=MONTHLY, on=date(2024, 2, 10)
    )

    assert memory_core.asset(asset_id).late_payments == 0


def test_paying_after_the_due_date_is_late(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)
    memory_core.pay_installment(
        asset_id, number=1, amount=MONTHLY, on=date(2024, 2, 10)
    )

    memory_core.pay_installment(
        asset_id, number=2, amount=MONTHLY, on=date(2024, 3, 11)
    )

    asset = memory_core.asset(asset_id)
    assert asset.payments[1].late
    assert asset.late_payments == 1
    assert asset.payment_compliance == 0.5


def test_paying_every_installment_pays_the_asset_off(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    for installment in PLAN:
        memory_core.pay_installment(
            asset_id,
            number=installment.number,
            amount=installment.amount,
            on=installment.due_on,
        )

    asset = memory_core.asset(asset_id)
    assert asset.fully_paid
    assert asset.outstanding == Money.zero("KRW")
    assert asset.paid == VALUE


def test_unpaid_installments_due_before_a_date_are_overdue(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)
    memory_core.pay_installment(asset_id, number=2, amount=MONTHLY, on=date(2024, 3, 1))

    overdue = memory_core.asset(asset_id).overdue_installments(date(2024, 4, 10))

    assert [i.number for i in overdue] == [1]


def test_an_installment_due_today_is_not_yet_overdue(memory_core: B2BCore) -> None:
    asset = memory_core.asset(installed_asset(memory_core))

    assert asset.overdue_installments(date(2024, 2, 10)) == ()
    assert [i.number for i in asset.overdue_installments(date(2024, 2, 11))] == [1]


def test_a_purchased_asset_may_be_paid_before_its_install(
    memory_core: B2BCore,
) -> None:
    asset_id = purchased_asset(memory_core)

    memory_core.pay_installment(asset_id, number=1, amount=MONTHLY, on=PURCHASED_ON)

    assert memory_core.asset(asset_id).paid == MONTHLY


@pytest.mark.parametrize("number", [0, 13])
def test_paying_an_installment_beyond_the_plan_is_refused(
    memory_core: B2BCore, number: int
) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "number"):
        memory_core.pay_installment(asset_id, number=number, amount=MONTHLY)


def test_paying_an_installment_twice_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)
    memory_core.pay_installment(asset_id, number=1, amount=MONTHLY)

    with refused(memory_core, asset_id, BusinessRuleError, "number"):
        memory_core.pay_installment(asset_id, number=1, amount=MONTHLY)


@pytest.mark.parametrize(
    "amount",
    [
        Money.of(999_999, "KRW"),
        Money.of(1_000_001, "KRW"),
        Money.of(1_000_000, "JPY"),
        1_000_000,
    ],
    ids=str,
)
def test_paying_an_amount_other_than_the_installment_is_refused(
    memory_core: B2BCore, amount: object
) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "amount"):
        memory_core.pay_installment(asset_id, number=1, amount=amount)  # type: ignore[arg-type]


def test_paying_before_the_purchase_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, BusinessRuleError, "on"):
        memory_core.pay_installment(
            asset_id, number=1, amount=MONTHLY, on=date(2024, 1, 9)
        )


def test_paying_on_a_datetime_is_refused(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "on"):
        memory_core.pay_installment(
            asset_id, number=1, amount=MONTHLY, on=datetime(2024, 2, 5, 14)
        )


def test_an_installment_number_that_is_no_integer_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "number"):
        memory_core.pay_installment(asset_id, number="1", amount=MONTHLY)  # type: ignore[arg-type]


def test_paying_an_installment_before_the_renewal_that_planned_it_is_refused(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)
    memory_core.renew_asset(
        asset_id,
        usage_end_on=date(2025, 12, 31),
        installments=[Installment(13, date(2025, 1, 10), VALUE)],
        on=date(2024, 6, 1),
    )

    with refused(memory_core, asset_id, BusinessRuleError, "on"):
        memory_core.pay_installment(
            asset_id, number=13, amount=VALUE, on=date(2024, 3, 1)
        )


# -- queries: versions, business dates, recorded times ------------------------


def test_an_asset_at_a_version(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    asset = memory_core.asset(asset_id, version=1)

    assert asset.version == 1
    assert asset.status is AssetStatus.PURCHASED


def test_an_asset_as_of_a_date_leaves_out_what_took_effect_later(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)

    before_install = memory_core.asset(asset_id, as_of=date(2024, 1, 14))
    on_install = memory_core.asset(asset_id, as_of=INSTALLED_ON)

    assert before_install.status is AssetStatus.PURCHASED
    assert on_install.status is AssetStatus.INSTALLED


def test_an_asset_as_of_a_date_sees_the_payments_made_by_then(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)
    memory_core.pay_installment(
        asset_id, number=1, amount=MONTHLY, on=date(2024, 2, 10)
    )
    memory_core.pay_installment(
        asset_id, number=2, amount=MONTHLY, on=date(2024, 3, 10)
    )

    asset = memory_core.asset(asset_id, as_of=date(2024, 2, 29))

    assert [p.number for p in asset.payments] == [1]
    assert asset.version == 3


def test_an_asset_as_of_a_date_sees_inspections_scheduled_out_of_order(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)
    memory_core.schedule_inspection(
        asset_id, due_on=date(2024, 3, 31), on=date(2024, 3, 10)
    )
    backfilled = memory_core.schedule_inspection(
        asset_id, due_on=date(2024, 3, 31), on=date(2024, 3, 5)
    )
    memory_core.complete_inspection(asset_id, number=backfilled, on=date(2024, 3, 6))

    [inspection] = memory_core.asset(asset_id, as_of=date(2024, 3, 7)).inspections

    assert inspection.number == backfilled
    assert inspection.completed_on == date(2024, 3, 6)


def test_an_asset_as_of_a_date_before_its_purchase_is_not_found(
    memory_core: B2BCore,
) -> None:
    asset_id = installed_asset(memory_core)

    with pytest.raises(NotFoundError):
        memory_core.asset(asset_id, as_of=date(2024, 1, 9))


def test_an_asset_as_known_at_a_recorded_time(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)
    purchased, _ = stored_events(memory_core, asset_id)

    asset = memory_core.asset(asset_id, known_at=purchased.timestamp)

    assert asset.status is AssetStatus.PURCHASED


def test_an_asset_as_of_a_date_and_as_known_at_a_time(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)
    memory_core.renew_asset(asset_id, usage_end_on=date(2025, 12, 31))
    *_, installed, renewed = stored_events(memory_core, asset_id)

    asset = memory_core.asset(
        asset_id, as_of=date(2024, 12, 31), known_at=renewed.timestamp
    )
    known_before_renewal = memory_core.asset(
        asset_id, as_of=date(2024, 12, 31), known_at=installed.timestamp
    )

    assert asset.usage_end_on == date(2025, 12, 31)
    assert known_before_renewal.usage_end_on == USAGE_END_ON


def test_an_account_id_is_no_asset(memory_core: B2BCore) -> None:
    account_id = register_account(memory_core)

    with pytest.raises(NotFoundError):
        memory_core.asset(account_id)


@pytest.mark.parametrize(
    "when",
    [{"version": 1}, {"as_of": TODAY}, {"known_at": datetime.max.replace(tzinfo=UTC)}],
    ids=str,
)
def test_an_account_id_is_no_asset_at_any_time(
    memory_core: B2BCore, when: dict[str, Any]
) -> None:
    account_id = register_account(memory_core)

    with pytest.raises(NotFoundError):
        memory_core.asset(account_id, **when)


def test_an_asset_id_is_no_account(memory_core: B2BCore) -> None:
    asset_id = purchased_asset(memory_core)

    with pytest.raises(NotFoundError):
        memory_core.account(asset_id)


def test_an_unknown_asset_is_not_found(memory_core: B2BCore) -> None:
    with pytest.raises(NotFoundError):
        memory_core.asset(uuid4())


# -- stored events ------------------------------------------------------------


def test_a_purchase_records_its_business_date_and_actor(memory_core: B2BCore) -> None:
    asset_id = purchased_asset(memory_core, actor="kim", reason="order completed")

    [purchased] = stored_events(memory_core, asset_id)

    assert purchased.effective_on == PURCHASED_ON
    assert purchased.actor == "kim"
    assert purchased.reason == "order completed"


def test_a_stored_purchase_keeps_its_installments_as_a_tuple(
    memory_core: B2BCore,
) -> None:
    asset_id = purchased_asset(memory_core)

    [purchased] = stored_events(memory_core, asset_id)

    assert isinstance(purchased, Asset.Purchased)
    assert purchased.installments == PLAN


def test_a_known_at_far_in_the_past_finds_nothing(memory_core: B2BCore) -> None:
    asset_id = purchased_asset(memory_core)
    [purchased] = stored_events(memory_core, asset_id)

    with pytest.raises(NotFoundError):
        memory_core.asset(asset_id, known_at=purchased.timestamp - timedelta(days=1))


def test_installments_in_another_currency_are_refused(memory_core: B2BCore) -> None:
    account_id = register_account(memory_core)
    dollars = installment_plan(Money.of(12_000, "USD"), 2, date(2024, 2, 10))

    with refused(memory_core, None, ValidationError, "installments"):
        purchased_asset(memory_core, account_id, installments=dollars)


def test_an_obsolete_open_ended_asset_is_no_longer_evergreen(
    memory_core: B2BCore,
) -> None:
    asset_id = purchased_asset(memory_core)
    memory_core.install_asset(asset_id, usage_end_on=None, on=INSTALLED_ON)
    memory_core.make_asset_obsolete(
        asset_id, reason_code=ObsoleteReason.BUDGET, on=date(2024, 3, 1)
    )

    view = memory_core.asset(asset_id)

    assert not view.is_evergreen
    assert view.days_left(date(2024, 6, 1)) is None


def test_a_correlation_id_must_be_a_uuid(memory_core: B2BCore) -> None:
    asset_id = installed_asset(memory_core)

    with refused(memory_core, asset_id, ValidationError, "correlation_id"):
        memory_core.record_satisfaction(
            asset_id,
            score=7,
            correlation_id="req-42",  # type: ignore[arg-type]
        )


def test_a_free_asset_has_no_installments_and_is_fully_paid(
    memory_core: B2BCore,
) -> None:
    account_id = register_account(memory_core)

    asset_id = purchased_asset(
        memory_core, account_id, value=Money.zero("KRW"), installments=()
    )

    asset = memory_core.asset(asset_id)
    assert asset.installments == ()
    assert asset.fully_paid
    assert asset.payment_compliance is None


def test_a_free_asset_with_installments_is_refused(memory_core: B2BCore) -> None:
    account_id = register_account(memory_core)

    with refused(memory_core, None, ValidationError, "installments"):
        purchased_asset(memory_core, account_id, value=Money.zero("KRW"))
