"""Edits of a deal's amount, owner and expected close: dated facts with
their actor and reason, and what views and reports as of a past date show."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from b2bcore import (
    B2BCore,
    BusinessLine,
    BusinessRuleError,
    CurrencyMismatchError,
    LossReason,
    Money,
)
from b2bcore.domain.values import AmountEdit, OwnerEdit
from b2bcore.reports.dimensions import Dimension
from b2bcore.reports.winloss import EntryKind
from tests.helpers import refused, stored_events

OPENED_ON = date(2024, 2, 1)
EDITED_ON = date(2024, 3, 1)


def krw(amount: int) -> Money:
    return Money.of(amount, "KRW")


def open_deal(core: B2BCore) -> UUID:
    return core.open_opportunity(
        account_id=None,
        name="Hyowon fleet 2024",
        amount=krw(450_000_000),
        owner="lee",
        business_line=BusinessLine.DOMESTIC,
        region="Seoul",
        country="KR",
        product="EV fleet",
        expected_close_on=date(2024, 9, 30),
        on=OPENED_ON,
    )


def test_an_amount_change_is_a_fact_with_its_actor_and_reason(
    memory_core: B2BCore,
) -> None:
    deal_id = open_deal(memory_core)

    memory_core.change_opportunity_amount(
        deal_id,
        amount=krw(520_000_000),
        reason="5 more cars",
        on=EDITED_ON,
        actor="kim",
    )

    view = memory_core.opportunity(deal_id)
    assert view.amount == krw(520_000_000)
    assert view.amount_edits == (
        AmountEdit(EDITED_ON, krw(450_000_000), krw(520_000_000)),
    )
    changed = stored_events(memory_core, deal_id)[-1]
    assert (changed.actor, changed.reason) == ("kim", "5 more cars")


def test_a_view_as_of_before_an_edit_shows_the_value_then(
    memory_core: B2BCore,
) -> None:
    deal_id = open_deal(memory_core)
    memory_core.reassign_opportunity(
        deal_id, owner="park", reason="lee on leave", on=EDITED_ON
    )
    memory_core.move_expected_close(
        deal_id, expected_close_on=date(2024, 12, 31), reason="budget", on=EDITED_ON
    )

    before = memory_core.opportunity(deal_id, as_of=date(2024, 2, 29))
    after = memory_core.opportunity(deal_id, as_of=EDITED_ON)

    assert (before.owner, before.expected_close_on) == ("lee", date(2024, 9, 30))
    assert (after.owner, after.expected_close_on) == ("park", date(2024, 12, 31))
    assert after.owner_edits == (OwnerEdit(EDITED_ON, "lee", "park"),)


def test_an_edit_without_a_reason_is_refused(memory_core: B2BCore) -> None:
    deal_id = open_deal(memory_core)

    with refused(memory_core, deal_id, BusinessRuleError, "reason"):
        memory_core.reassign_opportunity(
            deal_id, owner="park", reason=" ", on=EDITED_ON
        )


def test_an_edit_to_the_same_value_is_refused(memory_core: B2BCore) -> None:
    deal_id = open_deal(memory_core)

    with refused(memory_core, deal_id, BusinessRuleError, "expected_close_on"):
        memory_core.move_expected_close(
            deal_id, expected_close_on=date(2024, 9, 30), reason="no", on=EDITED_ON
        )


def test_an_amount_in_another_currency_is_refused(memory_core: B2BCore) -> None:
    deal_id = open_deal(memory_core)

    with refused(memory_core, deal_id, CurrencyMismatchError, "amount"):
        memory_core.change_opportunity_amount(
            deal_id, amount=Money.of(400_000, "USD"), reason="fx", on=EDITED_ON
        )


def test_an_edit_before_the_last_edit_of_its_term_is_refused(
    memory_core: B2BCore,
) -> None:
    deal_id = open_deal(memory_core)
    memory_core.reassign_opportunity(deal_id, owner="park", reason="r", on=EDITED_ON)

    with refused(memory_core, deal_id, BusinessRuleError, "on"):
        memory_core.reassign_opportunity(
            deal_id, owner="kim", reason="r", on=date(2024, 2, 15)
        )


def test_an_edit_of_a_closed_deal_is_refused(memory_core: B2BCore) -> None:
    deal_id = open_deal(memory_core)
    memory_core.lose_opportunity(
        deal_id, reason_code=LossReason.PRICE, on=date(2024, 4, 1)
    )

    with refused(memory_core, deal_id, BusinessRuleError, "tier"):
        memory_core.change_opportunity_amount(
            deal_id, amount=krw(1), reason="late", on=date(2024, 4, 2)
        )


def test_the_close_is_not_before_an_edit(memory_core: B2BCore) -> None:
    deal_id = open_deal(memory_core)
    memory_core.change_opportunity_amount(
        deal_id, amount=krw(500_000_000), reason="scope", on=EDITED_ON
    )

    with refused(memory_core, deal_id, BusinessRuleError, "on"):
        memory_core.drop_opportunity(deal_id, reason="budget", on=date(2024, 2, 15))


@pytest.mark.parametrize(
    ("as_of", "owner", "amount"),
    [
        (date(2024, 2, 29), "lee", krw(450_000_000)),
        (EDITED_ON, "park", krw(520_000_000)),
    ],
)
def test_the_tier_matrix_as_of_a_date_shows_the_owner_and_amount_then(
    core: B2BCore, as_of: date, owner: str, amount: Money
) -> None:
    deal_id = open_deal(core)
    core.change_opportunity_amount(
        deal_id, amount=krw(520_000_000), reason="5 more cars", on=EDITED_ON
    )
    core.reassign_opportunity(
        deal_id, owner="park", reason="lee on leave", on=EDITED_ON
    )

    matrix = core.tier_matrix(by=Dimension.OWNER, as_of=as_of)

    assert [row.key for row in matrix.rows] == [owner]
    assert matrix.row(owner).cell("4").value["KRW"] == amount.amount
    [listed] = core.opportunities(as_of=as_of)
    assert (listed.owner, listed.amount) == (owner, amount)


def test_the_timeline_shows_each_edit_and_the_terms_in_force(
    memory_core: B2BCore,
) -> None:
    deal_id = open_deal(memory_core)
    memory_core.change_opportunity_amount(
        deal_id, amount=krw(520_000_000), reason="5 more cars", on=EDITED_ON
    )
    memory_core.reassign_opportunity(
        deal_id, owner="park", reason="lee on leave", on=date(2024, 3, 2)
    )

    february = memory_core.timeline(deal_id, as_of=date(2024, 2, 29))
    march = memory_core.timeline(deal_id, as_of=date(2024, 3, 31))

    assert (february.amount, february.owner) == (krw(450_000_000), "lee")
    assert (march.amount, march.owner) == (krw(520_000_000), "park")
    opened, changed, reassigned = march.entries
    assert (opened.kind, opened.value) == (EntryKind.OPENED, krw(450_000_000))
    assert (changed.kind, changed.value) == (
        EntryKind.AMOUNT_CHANGED,
        krw(520_000_000),
    )
    assert (reassigned.kind, reassigned.owner) == (EntryKind.REASSIGNED, "park")
