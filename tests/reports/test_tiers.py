"""The one-page tier report: deals by the tier they were at on a date ×
a dimension, counted and summed, with row, column and grand totals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from b2bcore import B2BCore, Money, OpportunityView
from b2bcore.reports.dimensions import Dimension
from b2bcore.reports.tiers import COLUMNS, TierCell, tier_matrix
from tests.helpers import register_account
from tests.reports.deals import book, krw, open_deal, views

AS_OF = date(2024, 4, 1)
Book = tuple[dict[str, UUID], list[OpportunityView]]


@pytest.fixture
def deals(memory_core: B2BCore) -> Book:
    ids = book(memory_core)
    return ids, views(memory_core, ids.values())


def counts(cells: tuple[TierCell, ...]) -> list[int]:
    return [cell.count for cell in cells]


def krw_of(cell: TierCell) -> Decimal:
    return cell.value.get("KRW", Decimal(0))


def test_the_columns_run_from_tier_4_to_the_three_tier_0_outcomes(
    deals: Book,
) -> None:
    matrix = tier_matrix(deals[1], as_of=AS_OF, dimension=Dimension.OWNER)

    assert matrix.columns == ("4", "3", "2", "1", "0-won", "0-lost", "0-dropped")
    assert matrix.columns == COLUMNS


def test_each_deal_sits_in_the_cell_of_its_tier_on_the_date(deals: Book) -> None:
    matrix = tier_matrix(deals[1], as_of=AS_OF, dimension=Dimension.OWNER)

    assert [row.key for row in matrix.rows] == ["kim", "lee"]
    assert counts(matrix.row("kim").cells) == [0, 0, 0, 0, 1, 1, 0]  # A won, B lost
    assert counts(matrix.row("lee").cells) == [1, 0, 1, 0, 0, 0, 1]  # E, D, C


def test_won_cells_sum_the_won_value_and_the_others_the_amount(
    deals: Book,
) -> None:
    matrix = tier_matrix(deals[1], as_of=AS_OF, dimension=Dimension.OWNER)

    kim, lee = matrix.row("kim"), matrix.row("lee")
    assert krw_of(kim.cell("0-won")) == 90_000_000  # A's won value, not 100M
    assert krw_of(kim.cell("0-lost")) == 200_000_000
    assert krw_of(lee.cell("4")) == 40_000_000
    assert krw_of(lee.cell("2")) == 300_000_000
    assert krw_of(lee.cell("0-dropped")) == 50_000_000
    assert dict(lee.cell("3").value) == {}


def test_rows_columns_and_the_whole_matrix_have_totals(deals: Book) -> None:
    matrix = tier_matrix(deals[1], as_of=AS_OF, dimension=Dimension.OWNER)

    kim, lee = matrix.row("kim").total, matrix.row("lee").total
    assert (kim.count, krw_of(kim)) == (2, Decimal(290_000_000))
    assert (lee.count, krw_of(lee)) == (3, Decimal(390_000_000))
    assert counts(matrix.column_totals) == [1, 0, 1, 0, 1, 1, 1]
    millions = [krw_of(cell) // 1_000_000 for cell in matrix.column_totals]
    assert millions == [40, 0, 300, 0, 90, 200, 50]
    assert (matrix.total.count, krw_of(matrix.total)) == (5, Decimal(680_000_000))


def test_a_deal_at_tier_2_on_the_date_and_won_later_sits_in_tier_2(
    deals: Book,
) -> None:
    matrix = tier_matrix(deals[1], as_of=date(2024, 2, 5), dimension=Dimension.OWNER)

    kim = matrix.row("kim")
    assert counts(kim.cells) == [0, 1, 1, 0, 0, 0, 0]  # B at 3, A at 2
    assert krw_of(kim.cell("2")) == 100_000_000  # A's amount: not won yet
    assert counts(matrix.row("lee").cells) == [1, 1, 0, 0, 0, 0, 0]  # C, D


def test_deals_not_yet_opened_on_the_date_are_left_out(deals: Book) -> None:
    matrix = tier_matrix(deals[1], as_of=date(2024, 1, 15), dimension=Dimension.OWNER)

    assert [row.key for row in matrix.rows] == ["kim"]  # lee's open in February
    assert matrix.total.count == 2


def test_without_deals_the_matrix_has_no_rows_and_zero_totals() -> None:
    matrix = tier_matrix([], as_of=AS_OF, dimension=Dimension.REGION)

    assert matrix.rows == ()
    assert matrix.column_totals == tuple(TierCell() for _ in COLUMNS)
    assert matrix.total == TierCell(0)
    assert dict(matrix.total.value) == {}


def test_rows_are_keyed_by_the_dimension_and_sorted(memory_core: B2BCore) -> None:
    ids = [
        open_deal(memory_core, on=date(2024, 1, 1), country="VN"),
        open_deal(memory_core, on=date(2024, 1, 1), country="JP"),
        open_deal(memory_core, on=date(2024, 1, 1), country="KR", tier=2),
    ]

    matrix = tier_matrix(
        views(memory_core, ids), as_of=AS_OF, dimension=Dimension.COUNTRY
    )

    assert [row.key for row in matrix.rows] == ["JP", "KR", "VN"]
    assert counts(matrix.row("KR").cells) == [0, 0, 1, 0, 0, 0, 0]


def test_an_account_cut_names_the_account_and_unknown_for_none(
    memory_core: B2BCore,
) -> None:
    account = memory_core.account(register_account(memory_core))
    ids = [
        open_deal(memory_core, on=date(2024, 1, 3), account_id=account.id),
        open_deal(memory_core, on=date(2024, 1, 3)),
    ]

    matrix = tier_matrix(
        views(memory_core, ids),
        as_of=AS_OF,
        dimension=Dimension.ACCOUNT,
        accounts={account.id: account},
    )

    assert [row.key for row in matrix.rows] == ["(주)효원", "unknown"]


def test_cells_never_add_across_currencies(memory_core: B2BCore) -> None:
    ids = [
        open_deal(memory_core, on=date(2024, 1, 1), amount=krw(1_000_000)),
        open_deal(memory_core, on=date(2024, 1, 1), amount=Money.of(900, "USD")),
    ]

    matrix = tier_matrix(
        views(memory_core, ids), as_of=AS_OF, dimension=Dimension.OWNER
    )

    cell = matrix.row("kim").cell("4")
    assert cell.count == 2
    assert dict(cell.value) == {"KRW": Decimal(1_000_000), "USD": Decimal(900)}


def test_a_missing_row_is_a_key_error(deals: Book) -> None:
    matrix = tier_matrix(deals[1], as_of=AS_OF, dimension=Dimension.OWNER)

    with pytest.raises(KeyError):
        matrix.row("choi")
