"""Opportunities: Tier Management from Tier 4 to Tier 0, value review board
gates and findings, win (with its order's assets), loss, drop and the
postmortem, through B2BCore."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from b2bcore import (
    AlreadyExistsError,
    AssetStatus,
    B2BCore,
    BusinessLine,
    BusinessRuleError,
    CurrencyMismatchError,
    Horizon,
    LossReason,
    Money,
    NotFoundError,
    OrderLine,
    Outcome,
    ReviewArea,
    SalesStage,
    ValidationError,
    installment_plan,
)
from b2bcore.domain.aggregate import event_id
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.values import TierMove
from tests.helpers import refused, register_account, stored_events

TODAY = date(2024, 6, 1)
OPENED_ON = date(2024, 2, 1)
AMOUNT = Money.of(450_000_000, "KRW")


def opened_deal(core: B2BCore, **overrides: Any) -> UUID:
    """A Tier 4 deal for 30 cars of a registered account, opened on OPENED_ON
    and expected to close at the end of September."""
    if "account_id" not in overrides:
        overrides["account_id"] = register_account(core)
    fields: dict[str, Any] = {
        "name": "Hyowon fleet 2024",
        "amount": AMOUNT,
        "owner": "lee",
        "business_line": BusinessLine.DOMESTIC,
        "region": "Seoul",
        "country": "KR",
        "product": "EV fleet",
        "expected_close_on": date(2024, 9, 30),
        "competitors": ["SoCar"],
        "on": OPENED_ON,
    }
    return core.open_opportunity(**(fields | overrides))


def warming_deal(core: B2BCore) -> UUID:
    """Tier 4 from Feb 1, 3 from Mar 1, 2 from Apr 1, back to 3 from May 1."""
    deal_id = opened_deal(core)
    core.change_tier(deal_id, tier=3, on=date(2024, 3, 1))
    core.change_tier(deal_id, tier=2, on=date(2024, 4, 1))
    core.change_tier(deal_id, tier=3, on=date(2024, 5, 1))
    return deal_id


def lost_deal(core: B2BCore) -> UUID:
    deal_id = opened_deal(core)
    core.lose_opportunity(
        deal_id, reason_code=LossReason.PRICE, competitor="SoCar", on=date(2024, 5, 1)
    )
    return deal_id


def with_gates_passed(core: B2BCore, deal_id: UUID, count: int) -> UUID:
    """Review and pass gates 1..count without findings."""
    for gate in range(1, count + 1):
        core.review_gate(deal_id, gate=gate, on=date(2024, 3, gate))
        core.pass_gate(deal_id, gate=gate, on=date(2024, 3, gate))
    return deal_id


def with_findings(core: B2BCore, deal_id: UUID) -> list[int]:
    """Gate 1 reviewed on Mar 4 with a legal and a finance finding."""
    return core.review_gate(
        deal_id,
        gate=1,
        findings=[
            (ReviewArea.LEGAL, "liability clause"),
            (ReviewArea.FINANCE, "payment terms over 90 days"),
        ],
        on=date(2024, 3, 4),
    )


def order_line(reference: str = "PO-1", value: Money = AMOUNT) -> OrderLine:
    return OrderLine(
        product="EV fleet",
        value=value,
        order_reference=reference,
        contact="Park, fleet manager",
        installments=installment_plan(value, 10, date(2024, 7, 1)),
    )


# -- open ---------------------------------------------------------------------


def test_opening_a_deal_puts_it_at_tier_4(memory_core: B2BCore) -> None:
    account_id = register_account(memory_core)

    deal_id = opened_deal(memory_core, account_id=account_id)

    deal = memory_core.opportunity(deal_id)
    assert deal.account_id == account_id
    assert deal.name == "Hyowon fleet 2024"
    assert deal.amount == AMOUNT
    assert deal.owner == "lee"
    assert deal.business_line is BusinessLine.DOMESTIC
    assert (deal.region, deal.country, deal.product) == ("Seoul", "KR", "EV fleet")
    assert deal.expected_close_on == date(2024, 9, 30)
    assert deal.competitors == ("SoCar",)
    assert deal.opened_on == OPENED_ON
    assert deal.tier == 4
    assert deal.stage is SalesStage.INITIAL_CONTACT
    assert deal.tier_since == OPENED_ON
    assert deal.tier_history == (
        TierMove(OPENED_ON, None, 4, SalesStage.INITIAL_CONTACT),
    )
    assert deal.is_open
    assert deal.outcome is None
    assert deal.lead_id is None


def test_a_deal_may_open_at_a_later_tier_and_stage(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core, tier=2, stage=SalesStage.PROPOSAL_AND_CONTRACT)

    deal = memory_core.opportunity(deal_id)
    assert deal.tier == 2
    assert deal.stage is SalesStage.PROPOSAL_AND_CONTRACT


def test_a_tier_sits_in_its_own_stage_unless_told(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core, tier=2)

    assert memory_core.opportunity(deal_id).stage is (SalesStage.OPPORTUNITY_EVALUATION)


def test_a_deal_may_open_before_its_account_is_known(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core, account_id=None)

    assert memory_core.opportunity(deal_id).account_id is None


def test_a_deal_opens_today_unless_told(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core, on=None)

    assert memory_core.opportunity(deal_id).opened_on == TODAY


@pytest.mark.parametrize(
    ("expected_close_on", "horizon"),
    [
        (date(2024, 9, 30), Horizon.SHORT),
        (date(2025, 3, 31), Horizon.MID),
        (date(2025, 12, 31), Horizon.LONG),
    ],
)
def test_a_deal_s_horizon_is_how_far_its_expected_close_is(
    memory_core: B2BCore, expected_close_on: date, horizon: Horizon
) -> None:
    deal_id = opened_deal(memory_core, expected_close_on=expected_close_on)

    assert memory_core.opportunity(deal_id).horizon(TODAY) is horizon


def test_a_deal_s_horizon_shortens_as_time_passes(memory_core: B2BCore) -> None:
    deal = memory_core.opportunity(
        opened_deal(memory_core, expected_close_on=date(2025, 3, 31))
    )

    assert deal.horizon(date(2024, 6, 1)) is Horizon.MID
    assert deal.horizon(date(2024, 12, 1)) is Horizon.SHORT


def test_opening_a_deal_of_an_unknown_account_is_refused(
    memory_core: B2BCore,
) -> None:
    position = memory_core.log_position()

    with pytest.raises(NotFoundError):
        opened_deal(memory_core, account_id=uuid4())

    assert memory_core.log_position() == position


@pytest.mark.parametrize("tier", [0, 5, -1, "4", True], ids=repr)
def test_opening_a_deal_at_no_open_tier_is_refused(
    memory_core: B2BCore, tier: object
) -> None:
    account_id = register_account(memory_core)

    with refused(memory_core, None, ValidationError, "tier"):
        opened_deal(memory_core, account_id=account_id, tier=tier)


def test_opening_a_deal_in_the_closing_stage_is_refused(
    memory_core: B2BCore,
) -> None:
    account_id = register_account(memory_core)

    with refused(memory_core, None, ValidationError, "stage"):
        opened_deal(
            memory_core, account_id=account_id, stage=SalesStage.CLOSE_AND_REVIEW
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", Money.zero("KRW")),
        ("amount", 450_000_000),
        ("name", " "),
        ("owner", ""),
        ("region", " "),
        ("country", ""),
        ("product", " "),
        ("business_line", "domestic"),
        ("expected_close_on", datetime(2024, 9, 30, 17)),
        ("on", datetime(2024, 2, 1, 9)),
    ],
    ids=repr,
)
def test_opening_a_malformed_deal_is_refused(
    memory_core: B2BCore, field: str, value: object
) -> None:
    account_id = register_account(memory_core)

    with refused(memory_core, None, ValidationError, field):
        opened_deal(memory_core, account_id=account_id, **{field: value})


def test_opening_a_deal_against_a_blank_competitor_is_refused(
    memory_core: B2BCore,
) -> None:
    account_id = register_account(memory_core)

    with refused(memory_core, None, ValidationError, "competitors"):
        opened_deal(memory_core, account_id=account_id, competitors=["SoCar", " "])


def test_opening_a_deal_under_an_existing_id_is_refused(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core)
    account_id = register_account(memory_core)
    before = memory_core.opportunity(deal_id)
    position = memory_core.log_position()

    with pytest.raises(AlreadyExistsError) as excinfo:
        opened_deal(memory_core, account_id=account_id, opportunity_id=deal_id)

    assert excinfo.value.aggregate_id == deal_id
    assert memory_core.log_position() == position
    assert memory_core.opportunity(deal_id) == before


def test_an_unknown_deal_is_not_found(memory_core: B2BCore) -> None:
    with pytest.raises(NotFoundError):
        memory_core.opportunity(uuid4())


def test_an_account_id_is_no_deal(memory_core: B2BCore) -> None:
    account_id = register_account(memory_core)

    with pytest.raises(NotFoundError):
        memory_core.opportunity(account_id)


# -- change tier --------------------------------------------------------------


def test_a_deal_moves_up_a_tier(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)

    memory_core.change_tier(deal_id, tier=3)

    deal = memory_core.opportunity(deal_id)
    assert deal.tier == 3
    assert deal.stage is SalesStage.OPPORTUNITY_DEVELOPMENT
    assert deal.tier_since == TODAY
    assert deal.tier_history[-1] == TierMove(
        TODAY, 4, 3, SalesStage.OPPORTUNITY_DEVELOPMENT
    )


def test_a_cooling_deal_moves_back_a_tier(memory_core: B2BCore) -> None:
    deal_id = warming_deal(memory_core)

    deal = memory_core.opportunity(deal_id)
    assert deal.tier == 3
    assert [(m.from_tier, m.tier) for m in deal.tier_history] == [
        (None, 4),
        (4, 3),
        (3, 2),
        (2, 3),
    ]


def test_a_tier_move_may_name_its_stage(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)

    memory_core.change_tier(deal_id, tier=3, stage=SalesStage.OPPORTUNITY_EVALUATION)

    assert memory_core.opportunity(deal_id).stage is (SalesStage.OPPORTUNITY_EVALUATION)


def test_each_stay_in_a_tier_is_a_stint(memory_core: B2BCore) -> None:
    deal = memory_core.opportunity(warming_deal(memory_core))

    assert [(s.tier, s.entered_on, s.left_on) for s in deal.stints()] == [
        (4, date(2024, 2, 1), date(2024, 3, 1)),
        (3, date(2024, 3, 1), date(2024, 4, 1)),
        (2, date(2024, 4, 1), date(2024, 5, 1)),
        (3, date(2024, 5, 1), None),
    ]


def test_days_in_tiers_add_up_each_tier_s_stints(memory_core: B2BCore) -> None:
    deal = memory_core.opportunity(warming_deal(memory_core))

    assert deal.days_in_tiers(TODAY) == {4: 29, 3: 31 + 31, 2: 30}
    assert deal.days_in_tier(TODAY) == 31


def test_a_closed_deal_s_stints_end_at_its_close(memory_core: B2BCore) -> None:
    deal_id = warming_deal(memory_core)
    memory_core.drop_opportunity(deal_id, reason="budget frozen", on=date(2024, 5, 11))

    deal = memory_core.opportunity(deal_id)

    assert deal.stints()[-1].left_on == date(2024, 5, 11)
    assert deal.days_in_tiers(date(2025, 1, 1)) == {4: 29, 3: 31 + 10, 2: 30}


def test_moving_a_deal_to_its_own_tier_is_refused(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)

    with refused(memory_core, deal_id, BusinessRuleError, "tier"):
        memory_core.change_tier(deal_id, tier=4)


@pytest.mark.parametrize("tier", [0, 5, "3"], ids=repr)
def test_moving_a_deal_to_no_open_tier_is_refused(
    memory_core: B2BCore, tier: object
) -> None:
    deal_id = opened_deal(memory_core)

    with refused(memory_core, deal_id, ValidationError, "tier"):
        memory_core.change_tier(deal_id, tier=tier)  # type: ignore[arg-type]


def test_moving_a_deal_into_the_closing_stage_is_refused(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core)

    with refused(memory_core, deal_id, ValidationError, "stage"):
        memory_core.change_tier(deal_id, tier=1, stage=SalesStage.CLOSE_AND_REVIEW)


def test_moving_a_deal_before_its_last_move_is_refused(
    memory_core: B2BCore,
) -> None:
    deal_id = warming_deal(memory_core)

    with refused(memory_core, deal_id, BusinessRuleError, "on"):
        memory_core.change_tier(deal_id, tier=2, on=date(2024, 4, 30))


def test_moving_a_deal_on_a_datetime_is_refused(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)

    with refused(memory_core, deal_id, ValidationError, "on"):
        memory_core.change_tier(deal_id, tier=3, on=datetime(2024, 3, 1, 9))


def test_moving_an_unknown_deal_is_refused(memory_core: B2BCore) -> None:
    position = memory_core.log_position()

    with pytest.raises(NotFoundError):
        memory_core.change_tier(uuid4(), tier=3)

    assert memory_core.log_position() == position


# -- review gates and findings ------------------------------------------------


def test_a_gate_review_records_its_findings(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)

    numbers = with_findings(memory_core, deal_id)

    assert numbers == [1, 2]
    deal = memory_core.opportunity(deal_id)
    assert deal.gates_reviewed == (1,)
    assert deal.gates_passed == ()
    legal, finance = deal.findings
    assert (legal.number, legal.gate, legal.area) == (1, 1, ReviewArea.LEGAL)
    assert legal.description == "liability clause"
    assert legal.raised_on == date(2024, 3, 4)
    assert finance.area is ReviewArea.FINANCE
    assert deal.open_findings == (legal, finance)


def test_a_gate_review_may_find_nothing(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)

    numbers = memory_core.review_gate(deal_id, gate=1)

    assert numbers == []
    assert memory_core.opportunity(deal_id).findings == ()


def test_a_gate_may_be_reviewed_again_before_it_is_passed(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core)
    with_findings(memory_core, deal_id)

    numbers = memory_core.review_gate(
        deal_id, gate=1, findings=[(ReviewArea.TECHNICAL, "charging capacity")]
    )

    assert numbers == [3]
    assert memory_core.opportunity(deal_id).gates_reviewed == (1,)


def test_reviewing_any_gate_but_the_next_is_refused(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)

    with refused(memory_core, deal_id, BusinessRuleError, "gate"):
        memory_core.review_gate(deal_id, gate=2)


@pytest.mark.parametrize("gate", [0, 6])
def test_a_gate_outside_one_to_five_is_refused(memory_core: B2BCore, gate: int) -> None:
    deal_id = opened_deal(memory_core)

    with refused(memory_core, deal_id, ValidationError, "gate"):
        memory_core.review_gate(deal_id, gate=gate)


def test_a_gate_that_is_no_number_is_refused(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)

    with refused(memory_core, deal_id, ValidationError, "gate"):
        memory_core.review_gate(deal_id, gate="1")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("finding", "field"),
    [
        (("legal", "liability clause"), "findings.area"),
        ((ReviewArea.LEGAL, " "), "findings.description"),
    ],
    ids=["area", "description"],
)
def test_a_malformed_finding_is_refused_with_its_whole_review(
    memory_core: B2BCore, finding: tuple[Any, str], field: str
) -> None:
    deal_id = opened_deal(memory_core)

    with refused(memory_core, deal_id, ValidationError, field):
        memory_core.review_gate(
            deal_id,
            gate=1,
            findings=[(ReviewArea.FINANCE, "payment terms"), finding],
        )


def test_reviewing_a_gate_before_the_opening_is_refused(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core)

    with refused(memory_core, deal_id, BusinessRuleError, "on"):
        memory_core.review_gate(deal_id, gate=1, on=date(2024, 1, 31))


def test_resolving_a_finding(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)
    legal, _ = with_findings(memory_core, deal_id)

    memory_core.resolve_finding(
        deal_id, number=legal, resolution=" capped at contract value "
    )

    deal = memory_core.opportunity(deal_id)
    resolved = deal.findings[0]
    assert resolved.resolved_on == TODAY
    assert resolved.resolution == "capped at contract value"
    assert not resolved.is_open
    assert [f.number for f in deal.open_findings] == [2]


@pytest.mark.parametrize("number", [0, 3])
def test_resolving_a_finding_never_raised_is_refused(
    memory_core: B2BCore, number: int
) -> None:
    deal_id = opened_deal(memory_core)
    with_findings(memory_core, deal_id)

    with refused(memory_core, deal_id, BusinessRuleError, "number"):
        memory_core.resolve_finding(deal_id, number=number, resolution="done")


def test_resolving_a_finding_twice_is_refused(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)
    legal, _ = with_findings(memory_core, deal_id)
    memory_core.resolve_finding(deal_id, number=legal, resolution="capped")

    with refused(memory_core, deal_id, BusinessRuleError, "number"):
        memory_core.resolve_finding(deal_id, number=legal, resolution="capped again")


def test_resolving_a_finding_before_it_was_raised_is_refused(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core)
    legal, _ = with_findings(memory_core, deal_id)

    with refused(memory_core, deal_id, BusinessRuleError, "on"):
        memory_core.resolve_finding(
            deal_id, number=legal, resolution="capped", on=date(2024, 3, 3)
        )


def test_resolving_a_finding_without_a_resolution_is_refused(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core)
    legal, _ = with_findings(memory_core, deal_id)

    with refused(memory_core, deal_id, ValidationError, "resolution"):
        memory_core.resolve_finding(deal_id, number=legal, resolution=" ")


# -- pass and fail gates ------------------------------------------------------


def test_passing_a_reviewed_gate(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)
    memory_core.review_gate(deal_id, gate=1)

    memory_core.pass_gate(deal_id, gate=1)

    assert memory_core.opportunity(deal_id).gates_passed == (1,)


def test_gates_are_passed_in_order_up_to_the_fifth(memory_core: B2BCore) -> None:
    deal_id = with_gates_passed(memory_core, opened_deal(memory_core), 5)

    deal = memory_core.opportunity(deal_id)
    assert deal.gates_reviewed == (1, 2, 3, 4, 5)
    assert deal.gates_passed == (1, 2, 3, 4, 5)


def test_a_gate_passes_once_its_findings_are_resolved(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)
    for number in with_findings(memory_core, deal_id):
        memory_core.resolve_finding(deal_id, number=number, resolution="agreed")

    memory_core.pass_gate(deal_id, gate=1)

    assert memory_core.opportunity(deal_id).gates_passed == (1,)


def test_passing_a_gate_with_unresolved_findings_is_refused(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core)
    legal, _ = with_findings(memory_core, deal_id)
    memory_core.resolve_finding(deal_id, number=legal, resolution="capped")

    with refused(memory_core, deal_id, BusinessRuleError, "gate"):
        memory_core.pass_gate(deal_id, gate=1)


def test_passing_a_gate_never_reviewed_is_refused(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)

    with refused(memory_core, deal_id, BusinessRuleError, "gate"):
        memory_core.pass_gate(deal_id, gate=1)


def test_passing_a_gate_out_of_order_is_refused(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)
    memory_core.review_gate(deal_id, gate=1)

    with refused(memory_core, deal_id, BusinessRuleError, "gate"):
        memory_core.pass_gate(deal_id, gate=2)


def test_passing_a_gate_twice_is_refused(memory_core: B2BCore) -> None:
    deal_id = with_gates_passed(memory_core, opened_deal(memory_core), 1)

    with refused(memory_core, deal_id, BusinessRuleError, "gate"):
        memory_core.pass_gate(deal_id, gate=1)


def test_no_gate_follows_the_fifth(memory_core: B2BCore) -> None:
    deal_id = with_gates_passed(memory_core, opened_deal(memory_core), 5)

    with refused(memory_core, deal_id, BusinessRuleError, "gate"):
        memory_core.review_gate(deal_id, gate=5)


def test_a_gate_beyond_the_fifth_does_not_exist(memory_core: B2BCore) -> None:
    deal_id = with_gates_passed(memory_core, opened_deal(memory_core), 5)

    with refused(memory_core, deal_id, ValidationError, "gate"):
        memory_core.review_gate(deal_id, gate=6)


def test_passing_a_gate_before_the_opening_is_refused(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core)
    memory_core.review_gate(deal_id, gate=1)

    with refused(memory_core, deal_id, BusinessRuleError, "on"):
        memory_core.pass_gate(deal_id, gate=1, on=date(2024, 1, 31))


def test_passing_a_gate_before_its_review_is_refused(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)
    memory_core.review_gate(deal_id, gate=1, on=date(2024, 3, 4))

    with refused(memory_core, deal_id, BusinessRuleError, "on"):
        memory_core.pass_gate(deal_id, gate=1, on=date(2024, 3, 3))


def test_passing_a_gate_before_its_findings_were_resolved_is_refused(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core)
    for number in with_findings(memory_core, deal_id):
        memory_core.resolve_finding(
            deal_id, number=number, resolution="agreed", on=date(2024, 3, 20)
        )

    with refused(memory_core, deal_id, BusinessRuleError, "on"):
        memory_core.pass_gate(deal_id, gate=1, on=date(2024, 3, 10))


def test_failing_a_gate_drops_the_deal(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)
    with_findings(memory_core, deal_id)

    memory_core.fail_gate(deal_id, gate=1, reason="liability is unacceptable")

    deal = memory_core.opportunity(deal_id)
    assert deal.outcome is Outcome.DROPPED
    assert deal.failed_gate == 1
    assert deal.close_reason == "liability is unacceptable"
    assert deal.closed_on == TODAY
    assert deal.tier == 0
    assert deal.stage is SalesStage.CLOSE_AND_REVIEW
    assert not deal.is_open


@pytest.mark.parametrize("reason", ["", " "], ids=repr)
def test_failing_a_gate_without_a_reason_is_refused(
    memory_core: B2BCore, reason: str
) -> None:
    deal_id = opened_deal(memory_core)
    memory_core.review_gate(deal_id, gate=1)

    with refused(memory_core, deal_id, BusinessRuleError, "reason"):
        memory_core.fail_gate(deal_id, gate=1, reason=reason)


def test_failing_a_gate_never_reviewed_is_refused(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)

    with refused(memory_core, deal_id, BusinessRuleError, "gate"):
        memory_core.fail_gate(deal_id, gate=1, reason="too risky")


def test_failing_a_passed_gate_is_refused(memory_core: B2BCore) -> None:
    deal_id = with_gates_passed(memory_core, opened_deal(memory_core), 1)

    with refused(memory_core, deal_id, BusinessRuleError, "gate"):
        memory_core.fail_gate(deal_id, gate=1, reason="second thoughts")


def test_failing_a_gate_before_the_last_tier_move_is_refused(
    memory_core: B2BCore,
) -> None:
    deal_id = warming_deal(memory_core)
    memory_core.review_gate(deal_id, gate=1, on=date(2024, 5, 2))

    with refused(memory_core, deal_id, BusinessRuleError, "on"):
        memory_core.fail_gate(deal_id, gate=1, reason="too risky", on=date(2024, 4, 30))


# -- win ----------------------------------------------------------------------


def test_winning_closes_the_deal_at_tier_0(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)

    asset_ids = memory_core.win_opportunity(
        deal_id, value=Money.of(430_000_000, "KRW"), reason="best TCO"
    )

    deal = memory_core.opportunity(deal_id)
    assert asset_ids == ()
    assert deal.outcome is Outcome.WON
    assert deal.won_value == Money.of(430_000_000, "KRW")
    assert deal.closed_on == TODAY
    assert deal.close_reason == "best TCO"
    assert deal.tier == 0
    assert deal.tier_history[-1] == TierMove(TODAY, 4, 0, SalesStage.CLOSE_AND_REVIEW)
    assert deal.asset_ids == ()
    assert not deal.is_open


def test_a_won_deal_s_order_creates_its_assets(memory_core: B2BCore) -> None:
    account_id = register_account(memory_core)
    deal_id = opened_deal(memory_core, account_id=account_id)
    cars, chargers = order_line("PO-1"), order_line("PO-2", Money.of(50_000_000, "KRW"))

    asset_ids = memory_core.win_opportunity(
        deal_id, value=Money.of(500_000_000, "KRW"), order=[cars, chargers]
    )

    assert memory_core.opportunity(deal_id).asset_ids == asset_ids
    assert len(asset_ids) == 2
    for asset_id, line in zip(asset_ids, (cars, chargers), strict=True):
        asset = memory_core.asset(asset_id)
        assert asset.account_id == account_id
        assert asset.opportunity_id == deal_id
        assert asset.owner == "lee"
        assert asset.status is AssetStatus.PURCHASED
        assert asset.purchased_on == TODAY
        assert asset.order_reference == line.order_reference
        assert asset.value == line.value
        assert asset.installments == line.installments


def test_a_won_deal_s_assets_are_caused_by_its_won_event(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core)

    [asset_id] = memory_core.win_opportunity(
        deal_id, value=AMOUNT, order=[order_line()], actor="kim"
    )

    *_, won = stored_events(memory_core, deal_id)
    [purchased] = stored_events(memory_core, asset_id)
    assert isinstance(won, Opportunity.Won)
    assert won.asset_ids == (asset_id,)
    assert purchased.causation_id == event_id(won)
    assert purchased.correlation_id == deal_id
    assert purchased.actor == "kim"


def test_a_won_deal_s_assets_keep_the_request_s_correlation_id(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core)
    correlation_id = uuid4()

    [asset_id] = memory_core.win_opportunity(
        deal_id, value=AMOUNT, order=[order_line()], correlation_id=correlation_id
    )

    *_, won = stored_events(memory_core, deal_id)
    [purchased] = stored_events(memory_core, asset_id)
    assert won.correlation_id == purchased.correlation_id == correlation_id


def test_winning_with_unresolved_findings_is_refused(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)
    with_findings(memory_core, deal_id)

    with refused(memory_core, deal_id, BusinessRuleError, "findings"):
        memory_core.win_opportunity(deal_id, value=AMOUNT)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (Money.of(450_000, "USD"), CurrencyMismatchError),
        (Money.zero("KRW"), ValidationError),
        (450_000_000, ValidationError),
    ],
    ids=str,
)
def test_winning_at_a_value_not_positive_in_the_deal_s_currency_is_refused(
    memory_core: B2BCore, value: object, error: type[ValidationError]
) -> None:
    deal_id = opened_deal(memory_core)

    with refused(memory_core, deal_id, error, "value"):
        memory_core.win_opportunity(deal_id, value=value)  # type: ignore[arg-type]


def test_winning_an_order_for_an_unknown_account_is_refused(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core, account_id=None)

    with refused(memory_core, deal_id, ValidationError, "order"):
        memory_core.win_opportunity(deal_id, value=AMOUNT, order=[order_line()])


def test_winning_with_a_malformed_order_records_neither_win_nor_asset(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core)
    bad_line = OrderLine(
        product="EV fleet",
        value=AMOUNT,
        order_reference="PO-1",
        contact="Park",
        installments=installment_plan(Money.of(1_000, "KRW"), 1, date(2024, 7, 1)),
    )

    with refused(memory_core, deal_id, ValidationError, "installments"):
        memory_core.win_opportunity(deal_id, value=AMOUNT, order=[bad_line])


def test_winning_before_the_findings_were_resolved_is_refused(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core)
    for number in with_findings(memory_core, deal_id):
        memory_core.resolve_finding(
            deal_id, number=number, resolution="agreed", on=date(2024, 3, 20)
        )

    with refused(memory_core, deal_id, BusinessRuleError, "on"):
        memory_core.win_opportunity(deal_id, value=AMOUNT, on=date(2024, 3, 10))


def test_winning_before_the_last_tier_move_is_refused(memory_core: B2BCore) -> None:
    deal_id = warming_deal(memory_core)

    with refused(memory_core, deal_id, BusinessRuleError, "on"):
        memory_core.win_opportunity(deal_id, value=AMOUNT, on=date(2024, 4, 30))


# -- lose and drop ------------------------------------------------------------


def test_losing_records_the_reason_and_the_competitor(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)

    memory_core.lose_opportunity(
        deal_id,
        reason_code=LossReason.PRICE,
        competitor=" SoCar ",
        reason="undercut by 15 %",
    )

    deal = memory_core.opportunity(deal_id)
    assert deal.outcome is Outcome.LOST
    assert deal.loss_reason is LossReason.PRICE
    assert deal.lost_to == "SoCar"
    assert deal.close_reason == "undercut by 15 %"
    assert deal.closed_on == TODAY
    assert deal.tier == 0


def test_a_deal_may_be_lost_to_no_competitor(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)

    memory_core.lose_opportunity(deal_id, reason_code=LossReason.NO_DECISION)

    deal = memory_core.opportunity(deal_id)
    assert deal.lost_to is None
    assert deal.close_reason is None


def test_a_loss_reason_that_is_no_reason_code_is_refused(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core)

    with refused(memory_core, deal_id, ValidationError, "reason_code"):
        memory_core.lose_opportunity(deal_id, reason_code="price")  # type: ignore[arg-type]


def test_losing_to_a_blank_competitor_is_refused(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)

    with refused(memory_core, deal_id, ValidationError, "competitor"):
        memory_core.lose_opportunity(
            deal_id, reason_code=LossReason.COMPETITOR, competitor=""
        )


def test_losing_before_the_last_tier_move_is_refused(memory_core: B2BCore) -> None:
    deal_id = warming_deal(memory_core)

    with refused(memory_core, deal_id, BusinessRuleError, "on"):
        memory_core.lose_opportunity(
            deal_id, reason_code=LossReason.PRICE, on=date(2024, 4, 30)
        )


def test_dropping_a_deal_records_why(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)

    memory_core.drop_opportunity(deal_id, reason="customer merged")

    deal = memory_core.opportunity(deal_id)
    assert deal.outcome is Outcome.DROPPED
    assert deal.close_reason == "customer merged"
    assert deal.failed_gate is None
    assert deal.tier == 0


@pytest.mark.parametrize("reason", ["", "  "], ids=repr)
def test_dropping_a_deal_without_a_reason_is_refused(
    memory_core: B2BCore, reason: str
) -> None:
    deal_id = opened_deal(memory_core)

    with refused(memory_core, deal_id, BusinessRuleError, "reason"):
        memory_core.drop_opportunity(deal_id, reason=reason)


def test_dropping_before_the_last_tier_move_is_refused(
    memory_core: B2BCore,
) -> None:
    deal_id = warming_deal(memory_core)

    with refused(memory_core, deal_id, BusinessRuleError, "on"):
        memory_core.drop_opportunity(deal_id, reason="stalled", on=date(2024, 4, 30))


# -- tier 0 is terminal -------------------------------------------------------

AFTER_CLOSE: dict[str, Callable[[B2BCore, UUID], object]] = {
    "change tier": lambda core, d: core.change_tier(d, tier=3),
    "review gate": lambda core, d: core.review_gate(d, gate=1),
    "resolve finding": lambda core, d: core.resolve_finding(
        d, number=1, resolution="done"
    ),
    "pass gate": lambda core, d: core.pass_gate(d, gate=1),
    "fail gate": lambda core, d: core.fail_gate(d, gate=1, reason="too risky"),
    "win": lambda core, d: core.win_opportunity(d, value=AMOUNT),
    "lose": lambda core, d: core.lose_opportunity(d, reason_code=LossReason.PRICE),
    "drop": lambda core, d: core.drop_opportunity(d, reason="stalled"),
}


@pytest.mark.parametrize("command", AFTER_CLOSE.values(), ids=AFTER_CLOSE)
def test_nothing_but_a_postmortem_follows_tier_0(
    memory_core: B2BCore, command: Callable[[B2BCore, UUID], object]
) -> None:
    deal_id = lost_deal(memory_core)

    with refused(memory_core, deal_id, BusinessRuleError, "tier"):
        command(memory_core, deal_id)


# -- postmortem ---------------------------------------------------------------


def test_a_closed_deal_gets_its_postmortem(memory_core: B2BCore) -> None:
    deal_id = lost_deal(memory_core)

    memory_core.record_postmortem(
        deal_id,
        summary="lost on price in the final round",
        root_causes=["no TCO comparison", "late VRB"],
        lessons=["bring TCO to tier 2"],
    )

    postmortem = memory_core.opportunity(deal_id).postmortem
    assert postmortem is not None
    assert postmortem.summary == "lost on price in the final round"
    assert postmortem.root_causes == ("no TCO comparison", "late VRB")
    assert postmortem.lessons == ("bring TCO to tier 2",)


def test_a_postmortem_of_an_open_deal_is_refused(memory_core: B2BCore) -> None:
    deal_id = opened_deal(memory_core)

    with refused(memory_core, deal_id, BusinessRuleError, "tier"):
        memory_core.record_postmortem(deal_id, summary="too early")


def test_a_second_postmortem_is_refused(memory_core: B2BCore) -> None:
    deal_id = lost_deal(memory_core)
    memory_core.record_postmortem(deal_id, summary="lost on price")

    with refused(memory_core, deal_id, BusinessRuleError, "postmortem"):
        memory_core.record_postmortem(deal_id, summary="lost on price, again")


def test_a_postmortem_before_the_close_is_refused(memory_core: B2BCore) -> None:
    deal_id = lost_deal(memory_core)

    with refused(memory_core, deal_id, BusinessRuleError, "on"):
        memory_core.record_postmortem(
            deal_id, summary="lost on price", on=date(2024, 4, 30)
        )


def test_a_postmortem_without_a_summary_is_refused(memory_core: B2BCore) -> None:
    deal_id = lost_deal(memory_core)

    with refused(memory_core, deal_id, ValidationError, "postmortem.summary"):
        memory_core.record_postmortem(deal_id, summary=" ")


# -- as of --------------------------------------------------------------------


def test_a_deal_as_of_a_date_is_at_the_tier_it_was_then(
    memory_core: B2BCore,
) -> None:
    deal_id = warming_deal(memory_core)

    assert memory_core.opportunity(deal_id, as_of=date(2024, 4, 15)).tier == 2
    assert memory_core.opportunity(deal_id, version=2).tier == 3
    assert memory_core.opportunity(deal_id).tier == 3


def test_a_deal_as_of_a_date_before_it_opened_is_not_found(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core)

    with pytest.raises(NotFoundError):
        memory_core.opportunity(deal_id, as_of=date(2024, 1, 31))


def test_a_deal_as_of_a_date_sees_findings_raised_out_of_order(
    memory_core: B2BCore,
) -> None:
    deal_id = opened_deal(memory_core)
    with_findings(memory_core, deal_id)
    [backfilled] = memory_core.review_gate(
        deal_id,
        gate=1,
        findings=[(ReviewArea.PURCHASING, "vendor registration")],
        on=date(2024, 3, 1),
    )
    memory_core.resolve_finding(
        deal_id, number=backfilled, resolution="registered", on=date(2024, 3, 2)
    )

    [finding] = memory_core.opportunity(deal_id, as_of=date(2024, 3, 3)).findings

    assert finding.number == backfilled
    assert not finding.is_open


def test_a_deal_as_known_before_its_close_is_open(memory_core: B2BCore) -> None:
    deal_id = lost_deal(memory_core)
    opened, _ = stored_events(memory_core, deal_id)

    deal = memory_core.opportunity(deal_id, known_at=opened.timestamp)

    assert deal.is_open
    assert deal.tier == 4
