"""Leads: captured as MQL, qualified into SQL, converted into a Tier 4
opportunity or disqualified, through B2BCore."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from b2bcore import (
    AlreadyExistsError,
    B2BCore,
    BusinessLine,
    BusinessRuleError,
    Contact,
    LeadStatus,
    Money,
    NotFoundError,
    SalesStage,
    Temperature,
    ValidationError,
)
from tests.helpers import refused, register_account, stored_events

TODAY = date(2024, 6, 1)
CAPTURED_ON = date(2024, 3, 4)
QUALIFIED_ON = date(2024, 3, 18)


def captured_lead(core: B2BCore, **overrides: Any) -> UUID:
    """A warm MQL from a trade fair, captured on CAPTURED_ON, with no contact
    or need yet."""
    fields: dict[str, Any] = {
        "company": "Hanbit Logistics",
        "source": "trade fair",
        "temperature": Temperature.WARM,
        "on": CAPTURED_ON,
    }
    return core.capture_lead(**(fields | overrides))


def sales_lead(core: B2BCore, **overrides: Any) -> UUID:
    """The lead, qualified into an SQL on QUALIFIED_ON."""
    lead_id = captured_lead(core, **overrides)
    core.qualify_lead(
        lead_id, contact="Choi, COO", need="30 shared cars", on=QUALIFIED_ON
    )
    return lead_id


def disqualified_lead(core: B2BCore) -> UUID:
    lead_id = captured_lead(core)
    core.disqualify_lead(lead_id, reason="no budget this year", on=date(2024, 4, 1))
    return lead_id


def convert(core: B2BCore, lead_id: UUID, **overrides: Any) -> UUID:
    """Convert the lead into a deal for 30 cars, expected to close in autumn."""
    fields: dict[str, Any] = {
        "name": "Hanbit fleet 2024",
        "amount": Money.of(450_000_000, "KRW"),
        "owner": "lee",
        "business_line": BusinessLine.DOMESTIC,
        "region": "Seoul",
        "country": "KR",
        "product": "EV fleet",
        "expected_close_on": date(2024, 10, 31),
    }
    return core.convert_lead(lead_id, **(fields | overrides))


def converted_lead(core: B2BCore) -> UUID:
    lead_id = sales_lead(core)
    convert(core, lead_id)
    return lead_id


# -- capture ------------------------------------------------------------------


def test_capturing_a_lead_makes_it_an_mql(memory_core: B2BCore) -> None:
    lead_id = captured_lead(memory_core)

    lead = memory_core.lead(lead_id)
    assert lead.status is LeadStatus.MQL
    assert lead.company == "Hanbit Logistics"
    assert lead.source == "trade fair"
    assert lead.temperature is Temperature.WARM
    assert lead.captured_on == CAPTURED_ON
    assert lead.contact is None
    assert lead.need is None
    assert lead.account_id is None
    assert lead.qualified_on is None
    assert lead.closed_on is None


def test_a_lead_may_be_captured_with_its_contact_need_and_account(
    memory_core: B2BCore,
) -> None:
    account_id = register_account(memory_core)

    lead_id = captured_lead(
        memory_core, contact=" Choi ", need="10 vans", account_id=account_id
    )

    lead = memory_core.lead(lead_id)
    assert lead.contact == Contact("Choi")
    assert lead.need == "10 vans"
    assert lead.account_id == account_id


def test_a_lead_is_captured_today_unless_told(memory_core: B2BCore) -> None:
    lead_id = captured_lead(memory_core, on=None)

    assert memory_core.lead(lead_id).captured_on == TODAY


def test_capturing_a_lead_of_an_unknown_account_is_refused(
    memory_core: B2BCore,
) -> None:
    position = memory_core.log_position()

    with pytest.raises(NotFoundError):
        captured_lead(memory_core, account_id=uuid4())

    assert memory_core.log_position() == position


@pytest.mark.parametrize("field", ["company", "source", "contact", "need"])
def test_capturing_a_lead_with_a_blank_text_is_refused(
    memory_core: B2BCore, field: str
) -> None:
    with refused(memory_core, None, ValidationError, field):
        captured_lead(memory_core, **{field: "  "})


def test_capturing_a_lead_without_a_temperature_is_refused(
    memory_core: B2BCore,
) -> None:
    with refused(memory_core, None, ValidationError, "temperature"):
        captured_lead(memory_core, temperature="hot")


def test_capturing_a_lead_on_a_datetime_is_refused(memory_core: B2BCore) -> None:
    with refused(memory_core, None, ValidationError, "on"):
        captured_lead(memory_core, on=datetime(2024, 3, 4, 11))


def test_capturing_a_lead_under_an_existing_id_is_refused(
    memory_core: B2BCore,
) -> None:
    lead_id = captured_lead(memory_core)
    before = memory_core.lead(lead_id)
    position = memory_core.log_position()

    with pytest.raises(AlreadyExistsError) as excinfo:
        captured_lead(memory_core, lead_id=lead_id, company="Other")

    assert excinfo.value.aggregate_id == lead_id
    assert memory_core.log_position() == position
    assert memory_core.lead(lead_id) == before


def test_an_unknown_lead_is_not_found(memory_core: B2BCore) -> None:
    with pytest.raises(NotFoundError):
        memory_core.lead(uuid4())


def test_an_account_id_is_no_lead(memory_core: B2BCore) -> None:
    account_id = register_account(memory_core)

    with pytest.raises(NotFoundError):
        memory_core.lead(account_id)


# -- change temperature -------------------------------------------------------


def test_a_lead_warms_up(memory_core: B2BCore) -> None:
    lead_id = captured_lead(memory_core)

    memory_core.change_lead_temperature(lead_id, temperature=Temperature.HOT)

    assert memory_core.lead(lead_id).temperature is Temperature.HOT


def test_a_sales_lead_may_cool_down(memory_core: B2BCore) -> None:
    lead_id = sales_lead(memory_core)

    memory_core.change_lead_temperature(lead_id, temperature=Temperature.COLD)

    lead = memory_core.lead(lead_id)
    assert lead.temperature is Temperature.COLD
    assert lead.status is LeadStatus.SQL


def test_giving_a_lead_the_temperature_it_has_is_refused(
    memory_core: B2BCore,
) -> None:
    lead_id = captured_lead(memory_core)

    with refused(memory_core, lead_id, BusinessRuleError, "temperature"):
        memory_core.change_lead_temperature(lead_id, temperature=Temperature.WARM)


def test_a_temperature_that_is_no_temperature_is_refused(
    memory_core: B2BCore,
) -> None:
    lead_id = captured_lead(memory_core)

    with refused(memory_core, lead_id, ValidationError, "temperature"):
        memory_core.change_lead_temperature(lead_id, temperature="hot")  # type: ignore[arg-type]


def test_changing_the_temperature_before_the_capture_is_refused(
    memory_core: B2BCore,
) -> None:
    lead_id = captured_lead(memory_core)

    with refused(memory_core, lead_id, BusinessRuleError, "on"):
        memory_core.change_lead_temperature(
            lead_id, temperature=Temperature.HOT, on=date(2024, 3, 3)
        )


def test_changing_the_temperature_of_a_disqualified_lead_is_refused(
    memory_core: B2BCore,
) -> None:
    lead_id = disqualified_lead(memory_core)

    with refused(memory_core, lead_id, BusinessRuleError, "status"):
        memory_core.change_lead_temperature(lead_id, temperature=Temperature.HOT)


def test_changing_the_temperature_of_a_converted_lead_is_refused(
    memory_core: B2BCore,
) -> None:
    lead_id = converted_lead(memory_core)

    with refused(memory_core, lead_id, BusinessRuleError, "status"):
        memory_core.change_lead_temperature(lead_id, temperature=Temperature.HOT)


# -- qualify ------------------------------------------------------------------


def test_qualifying_makes_the_lead_an_sql(memory_core: B2BCore) -> None:
    lead_id = captured_lead(memory_core)

    memory_core.qualify_lead(
        lead_id, contact="Choi, COO", need="30 shared cars", on=QUALIFIED_ON
    )

    lead = memory_core.lead(lead_id)
    assert lead.status is LeadStatus.SQL
    assert lead.qualified_on == QUALIFIED_ON
    assert lead.contact == Contact("Choi, COO")
    assert lead.need == "30 shared cars"
    assert lead.closed_on is None


def test_a_lead_captured_with_contact_and_need_qualifies_as_is(
    memory_core: B2BCore,
) -> None:
    lead_id = captured_lead(memory_core, contact="Choi", need="10 vans")

    memory_core.qualify_lead(lead_id)

    lead = memory_core.lead(lead_id)
    assert lead.status is LeadStatus.SQL
    assert (lead.contact, lead.need) == (Contact("Choi"), "10 vans")
    assert lead.qualified_on == TODAY


def test_a_contact_given_when_qualifying_replaces_the_captured_one(
    memory_core: B2BCore,
) -> None:
    lead_id = captured_lead(memory_core, contact="front desk", need="10 vans")

    memory_core.qualify_lead(lead_id, contact="Choi, COO")

    assert memory_core.lead(lead_id).contact == Contact("Choi, COO")


def test_qualifying_a_lead_without_a_contact_is_refused(
    memory_core: B2BCore,
) -> None:
    lead_id = captured_lead(memory_core, need="10 vans")

    with refused(memory_core, lead_id, BusinessRuleError, "contact"):
        memory_core.qualify_lead(lead_id)


def test_qualifying_a_lead_without_a_need_is_refused(memory_core: B2BCore) -> None:
    lead_id = captured_lead(memory_core)

    with refused(memory_core, lead_id, BusinessRuleError, "need"):
        memory_core.qualify_lead(lead_id, contact="Choi")


def test_qualifying_with_a_blank_contact_is_refused(memory_core: B2BCore) -> None:
    lead_id = captured_lead(memory_core)

    with refused(memory_core, lead_id, ValidationError, "contact"):
        memory_core.qualify_lead(lead_id, contact=" ", need="10 vans")


def test_qualifying_a_sales_lead_again_is_refused(memory_core: B2BCore) -> None:
    lead_id = sales_lead(memory_core)

    with refused(memory_core, lead_id, BusinessRuleError, "status"):
        memory_core.qualify_lead(lead_id)


def test_qualifying_a_disqualified_lead_is_refused(memory_core: B2BCore) -> None:
    lead_id = disqualified_lead(memory_core)

    with refused(memory_core, lead_id, BusinessRuleError, "status"):
        memory_core.qualify_lead(lead_id, contact="Choi", need="10 vans")


def test_qualifying_before_the_capture_is_refused(memory_core: B2BCore) -> None:
    lead_id = captured_lead(memory_core)

    with refused(memory_core, lead_id, BusinessRuleError, "on"):
        memory_core.qualify_lead(
            lead_id, contact="Choi", need="10 vans", on=date(2024, 3, 3)
        )


def test_qualifying_an_unknown_lead_is_refused(memory_core: B2BCore) -> None:
    position = memory_core.log_position()

    with pytest.raises(NotFoundError):
        memory_core.qualify_lead(uuid4(), contact="Choi", need="10 vans")

    assert memory_core.log_position() == position


# -- disqualify ---------------------------------------------------------------


def test_disqualifying_closes_the_lead_with_its_reason(memory_core: B2BCore) -> None:
    lead_id = captured_lead(memory_core)

    memory_core.disqualify_lead(lead_id, reason="no budget this year")

    lead = memory_core.lead(lead_id)
    assert lead.status is LeadStatus.DISQUALIFIED
    assert lead.closed_on == TODAY
    assert lead.disqualified_reason == "no budget this year"


def test_a_sales_lead_may_be_disqualified(memory_core: B2BCore) -> None:
    lead_id = sales_lead(memory_core)

    memory_core.disqualify_lead(lead_id, reason="bought from a competitor")

    assert memory_core.lead(lead_id).status is LeadStatus.DISQUALIFIED


@pytest.mark.parametrize("reason", ["", "   "], ids=repr)
def test_disqualifying_without_a_reason_is_refused(
    memory_core: B2BCore, reason: str
) -> None:
    lead_id = captured_lead(memory_core)

    with refused(memory_core, lead_id, BusinessRuleError, "reason"):
        memory_core.disqualify_lead(lead_id, reason=reason)


def test_disqualifying_a_lead_twice_is_refused(memory_core: B2BCore) -> None:
    lead_id = disqualified_lead(memory_core)

    with refused(memory_core, lead_id, BusinessRuleError, "status"):
        memory_core.disqualify_lead(lead_id, reason="still no budget")


def test_disqualifying_a_converted_lead_is_refused(memory_core: B2BCore) -> None:
    lead_id = converted_lead(memory_core)

    with refused(memory_core, lead_id, BusinessRuleError, "status"):
        memory_core.disqualify_lead(lead_id, reason="changed our mind")


def test_disqualifying_before_the_capture_is_refused(memory_core: B2BCore) -> None:
    lead_id = captured_lead(memory_core)

    with refused(memory_core, lead_id, BusinessRuleError, "on"):
        memory_core.disqualify_lead(lead_id, reason="spam", on=date(2024, 3, 3))


# -- convert ------------------------------------------------------------------


def test_converting_a_sales_lead_closes_it_into_an_opportunity(
    memory_core: B2BCore,
) -> None:
    lead_id = sales_lead(memory_core)

    opportunity_id = convert(memory_core, lead_id)

    lead = memory_core.lead(lead_id)
    assert lead.status is LeadStatus.CONVERTED
    assert lead.closed_on == TODAY
    assert lead.opportunity_id == opportunity_id


def test_a_converted_lead_opens_its_deal_at_tier_4(memory_core: B2BCore) -> None:
    lead_id = sales_lead(memory_core)

    opportunity_id = convert(memory_core, lead_id)

    deal = memory_core.opportunity(opportunity_id)
    assert deal.lead_id == lead_id
    assert deal.tier == 4
    assert deal.stage is SalesStage.INITIAL_CONTACT
    assert deal.opened_on == TODAY
    assert deal.name == "Hanbit fleet 2024"
    assert deal.amount == Money.of(450_000_000, "KRW")
    assert deal.is_open


def test_a_converted_deal_belongs_to_the_lead_s_account(
    memory_core: B2BCore,
) -> None:
    account_id = register_account(memory_core)
    lead_id = sales_lead(memory_core, account_id=account_id)

    opportunity_id = convert(memory_core, lead_id)

    assert memory_core.opportunity(opportunity_id).account_id == account_id


def test_a_conversion_may_name_the_deal_s_account_and_id(
    memory_core: B2BCore,
) -> None:
    account_id = register_account(memory_core)
    lead_id = sales_lead(memory_core)
    wanted = uuid4()

    opportunity_id = convert(
        memory_core, lead_id, account_id=account_id, opportunity_id=wanted
    )

    assert opportunity_id == wanted
    assert memory_core.opportunity(wanted).account_id == account_id


def test_the_lead_and_its_deal_are_recorded_with_one_provenance(
    memory_core: B2BCore,
) -> None:
    lead_id = sales_lead(memory_core)
    correlation_id = uuid4()

    opportunity_id = convert(
        memory_core,
        lead_id,
        actor="kim",
        reason="budget approved",
        correlation_id=correlation_id,
    )

    *_, converted = stored_events(memory_core, lead_id)
    [opened] = stored_events(memory_core, opportunity_id)
    for event in (converted, opened):
        assert event.actor == "kim"
        assert event.reason == "budget approved"
        assert event.correlation_id == correlation_id
        assert event.effective_on == TODAY


def test_converting_a_marketing_lead_is_refused(memory_core: B2BCore) -> None:
    lead_id = captured_lead(memory_core, contact="Choi", need="10 vans")
    wanted = uuid4()

    with refused(memory_core, lead_id, BusinessRuleError, "status"):
        convert(memory_core, lead_id, opportunity_id=wanted)

    with pytest.raises(NotFoundError):
        memory_core.opportunity(wanted)


def test_converting_a_disqualified_lead_is_refused(memory_core: B2BCore) -> None:
    lead_id = disqualified_lead(memory_core)

    with refused(memory_core, lead_id, BusinessRuleError, "status"):
        convert(memory_core, lead_id)


def test_converting_a_lead_twice_is_refused(memory_core: B2BCore) -> None:
    lead_id = converted_lead(memory_core)

    with refused(memory_core, lead_id, BusinessRuleError, "status"):
        convert(memory_core, lead_id)


def test_converting_before_the_qualification_is_refused(
    memory_core: B2BCore,
) -> None:
    lead_id = sales_lead(memory_core)

    with refused(memory_core, lead_id, BusinessRuleError, "on"):
        convert(memory_core, lead_id, on=date(2024, 3, 17))


def test_converting_into_a_deal_of_an_unknown_account_is_refused(
    memory_core: B2BCore,
) -> None:
    lead_id = sales_lead(memory_core)
    before = memory_core.lead(lead_id)
    position = memory_core.log_position()

    with pytest.raises(NotFoundError):
        convert(memory_core, lead_id, account_id=uuid4())

    assert memory_core.log_position() == position
    assert memory_core.lead(lead_id) == before


def test_converting_into_a_malformed_deal_is_refused(memory_core: B2BCore) -> None:
    lead_id = sales_lead(memory_core)

    with refused(memory_core, lead_id, ValidationError, "amount"):
        convert(memory_core, lead_id, amount=Money.zero("KRW"))


def test_converting_into_a_deal_under_an_existing_id_is_refused(
    memory_core: B2BCore,
) -> None:
    taken = convert(memory_core, sales_lead(memory_core))
    lead_id = sales_lead(memory_core)
    before = memory_core.lead(lead_id)
    position = memory_core.log_position()

    with pytest.raises(AlreadyExistsError) as excinfo:
        convert(memory_core, lead_id, opportunity_id=taken)

    assert excinfo.value.aggregate_id == taken
    assert memory_core.log_position() == position
    assert memory_core.lead(lead_id) == before


# -- as of --------------------------------------------------------------------


def test_a_lead_as_of_a_date_before_its_qualification_is_an_mql(
    memory_core: B2BCore,
) -> None:
    lead_id = converted_lead(memory_core)

    assert memory_core.lead(lead_id, as_of=date(2024, 3, 17)).status is (LeadStatus.MQL)
    assert memory_core.lead(lead_id, as_of=QUALIFIED_ON).status is LeadStatus.SQL
    assert memory_core.lead(lead_id, version=2).status is LeadStatus.SQL
    assert memory_core.lead(lead_id).status is LeadStatus.CONVERTED
