"""Grade suggestions: key for the Pareto set that renews, major for the top
half, standard for the rest (docs/kpis.md, "Grade suggestions")."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from b2bcore import B2BCore, FixedClock, Grade, Money
from b2bcore.application.settings import Settings
from b2bcore.reports.grades import GradeSuggestions, grade_suggestions
from tests.helpers import purchase_asset, register_account
from tests.reports.deals import krw

AS_OF = date(2024, 6, 1)


def installed(
    core: B2BCore, account_id: UUID, value: Money, usage_end_on: date
) -> UUID:
    asset_id = purchase_asset(core, account_id, value=value)
    core.install_asset(asset_id, usage_end_on=usage_end_on, on=date(2024, 2, 1))
    return asset_id


def suggested(
    core: B2BCore, values: list[int], lapsed: int | None = None
) -> GradeSuggestions:
    """Accounts A0, A1, … (all STANDARD) each with an installed asset of the
    value given, in thousands (nothing for 0); account ``lapsed``'s usage end
    passed on 2024-05-25 unrenewed (overdue, within the lapse grace), the
    others' end in 2025."""
    accounts, assets = [], []
    for n, value in enumerate(values):
        account = register_account(core, name=f"A{n}", grade=Grade.STANDARD)
        accounts.append(account)
        if value:
            end = date(2024, 5, 25) if n == lapsed else date(2025, 1, 31)
            assets.append(installed(core, account, krw(value * 1_000), end))
    return grade_suggestions(
        [core.account(a) for a in accounts],
        [core.asset(a) for a in assets],
        as_of=AS_OF,
        settings=Settings(),
    )


def test_the_top_fifth_is_key_the_top_half_major_and_the_rest_standard(
    memory_core: B2BCore,
) -> None:
    found = suggested(memory_core, [50, 40, 30, 20, 10, 5, 0])

    assert [(s.name, s.rank, s.suggested) for s in found.suggestions] == [
        ("A0", 1, Grade.KEY),  # ceil(7 / 5) = 2 accounts in the Pareto set
        ("A1", 2, Grade.KEY),
        ("A2", 3, Grade.MAJOR),  # ceil(7 / 2) = 4 in the top half
        ("A3", 4, Grade.MAJOR),
        ("A4", 5, Grade.STANDARD),
        ("A5", 6, Grade.STANDARD),
        ("A6", 7, Grade.STANDARD),
    ]
    assert found.suggestions[-1].reason == "no value in the ranking"
    assert all(
        s.changes == (s.suggested is not Grade.STANDARD) for s in found.suggestions
    )


def test_a_top_account_that_did_not_renew_is_major_not_key(
    memory_core: B2BCore,
) -> None:
    found = suggested(memory_core, [50, 40, 30, 20, 10], lapsed=0)

    top = found.suggestions[0]
    assert (top.name, top.suggested) == ("A0", Grade.MAJOR)
    assert (top.renewals_due, top.renewed) == (1, 0)
    assert top.reason == "top 20 % by value, but renewed 0 of 1 due: under half"


def test_a_renewal_keeps_the_key_grade(memory_core: B2BCore) -> None:
    accounts = [register_account(memory_core, name=n) for n in ("A", "B", "C")]
    asset = installed(memory_core, accounts[0], krw(90_000), date(2024, 4, 30))
    installed(memory_core, accounts[1], krw(10_000), date(2025, 1, 31))
    memory_core.renew_asset(asset, usage_end_on=date(2025, 4, 30), on=date(2024, 4, 20))

    found = memory_core.grade_suggestions(as_of=AS_OF)

    top = found.suggestions[0]
    assert (top.name, top.suggested, top.renewals_due, top.renewed) == (
        "A",
        Grade.KEY,
        1,
        1,
    )
    assert top.reason == "top 20 % by value; renewed 1 of 1 due"


@given(st.lists(st.integers(0, 1_000), min_size=1, max_size=12))
def test_grades_never_rise_down_the_ranking(values: list[int]) -> None:
    """Down the ranking a suggestion never rises (all renew: no usage end is
    due), every key is in the Pareto set and every major in the top half."""
    with B2BCore.open("memory://", clock=FixedClock(AS_OF)) as core:
        found = suggested(core, values)
    order = [Grade.KEY, Grade.MAJOR, Grade.STANDARD]
    ranks = [order.index(s.suggested) for s in found.suggestions]
    count = len(values)
    assert ranks == sorted(ranks)
    assert all(
        s.rank <= -(-count // 5) for s in found.suggestions if s.suggested is Grade.KEY
    )
    assert all(
        s.rank <= -(-count // 2)
        for s in found.suggestions
        if s.suggested is Grade.MAJOR
    )
    assert [s.rank for s in found.suggestions] == list(range(1, count + 1))


def test_an_asset_replaced_before_its_usage_end_is_no_missed_renewal(
    memory_core: B2BCore,
) -> None:
    """As the KPIs count them: a usage end after the asset left is not due."""
    accounts = [register_account(memory_core, name=n) for n in ("A", "B")]
    old = installed(memory_core, accounts[0], krw(50_000), date(2024, 4, 30))
    new = installed(memory_core, accounts[0], krw(90_000), date(2025, 4, 30))
    memory_core.replace_asset(old, successor_id=new, on=date(2024, 3, 3))

    top = memory_core.grade_suggestions(as_of=AS_OF).suggestions[0]

    assert (top.name, top.suggested, top.renewals_due) == ("A", Grade.KEY, 0)
