"""The one-page tier report: deals counted and summed by the tier they were
at on a date (4, 3, 2, 1, and Tier 0 by outcome) × a dimension, with row,
column and grand totals — what a busy executive reads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from uuid import UUID

import attrs

from b2bcore.domain.money import Money
from b2bcore.domain.values import Outcome
from b2bcore.readmodels.facts.queries import TierCellRow
from b2bcore.reports import asof
from b2bcore.reports.amounts import Amounts
from b2bcore.reports.dimensions import NO_ACCOUNTS, NO_MANAGERS, Dimension, grouped
from b2bcore.reports.records import DealRecord, Named

#: The matrix's columns, left to right.
COLUMNS = ("4", "3", "2", "1", "0-won", "0-lost", "0-dropped")


@attrs.frozen
class TierCell:
    """How many deals, and their summed value (won value for won deals,
    amount for the others)."""

    count: int = 0
    value: Amounts = attrs.field(factory=Amounts)

    def __add__(self, other: TierCell) -> TierCell:
        return TierCell(self.count + other.count, self.value + other.value)


@attrs.frozen
class TierRow:
    """One dimension key: a cell per column (in ``COLUMNS`` order) and the
    row's total."""

    key: str
    cells: tuple[TierCell, ...]
    total: TierCell

    def cell(self, column: str) -> TierCell:
        return self.cells[COLUMNS.index(column)]


@attrs.frozen
class TierMatrix:
    as_of: date
    dimension: Dimension
    columns: tuple[str, ...]
    #: Sorted by key.
    rows: tuple[TierRow, ...]
    #: A total per column, in ``columns`` order.
    column_totals: tuple[TierCell, ...]
    total: TierCell

    def row(self, key: str) -> TierRow:
        """The row of dimension key ``key``; ``KeyError`` when no deal has it."""
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def column_total(self, column: str) -> TierCell:
        return self.column_totals[COLUMNS.index(column)]


def column(deal: DealRecord, day: date) -> str | None:
    """The column ``deal`` sits in on ``day``; None before it opened."""
    tier = asof.tier(deal, day)
    if tier is None:
        return None
    if tier != 0:
        return str(tier)
    outcome = asof.outcome(deal, day)
    assert outcome is not None
    return f"0-{outcome.value}"


def tier_matrix(
    deals: Iterable[DealRecord],
    *,
    as_of: date,
    dimension: Dimension,
    managers: Mapping[str, str] = NO_MANAGERS,
    accounts: Mapping[UUID, Named] = NO_ACCOUNTS,
) -> TierMatrix:
    """The tier matrix of ``deals`` on ``as_of``: each deal opened by then in
    the column of the tier it was at on that date, in the row of its
    ``dimension`` key; deals not yet opened are left out."""
    opened = [deal for deal in deals if deal.opened_on <= as_of]
    rows = tuple(
        _row(key, group, as_of)
        for key, group in grouped(
            opened, dimension, managers=managers, accounts=accounts, as_of=as_of
        ).items()
    )
    return _matrix(rows, as_of, dimension)


def tier_matrix_of_cells(
    cells: Iterable[TierCellRow], *, as_of: date, dimension: Dimension
) -> TierMatrix:
    """The tier matrix from the report tables' counts and sums per dimension
    key, column and currency (``ReportQueries.tier_cells``): the same matrix
    ``tier_matrix`` computes from the deals themselves."""
    by_key: dict[str, dict[str, TierCell]] = {}
    for key, where, currency, count, minor in cells:
        row = by_key.setdefault(key, dict.fromkeys(COLUMNS, TierCell()))
        row[where] = row[where] + TierCell(
            count, Amounts.of([Money.from_minor(minor, currency)])
        )
    rows = tuple(
        TierRow(
            key=key,
            cells=tuple(by_key[key].values()),
            total=sum(by_key[key].values(), start=TierCell()),
        )
        for key in sorted(by_key)
    )
    return _matrix(rows, as_of, dimension)


def _matrix(rows: tuple[TierRow, ...], as_of: date, dimension: Dimension) -> TierMatrix:
    column_totals = tuple(
        sum((row.cells[i] for row in rows), start=TierCell())
        for i in range(len(COLUMNS))
    )
    return TierMatrix(
        as_of=as_of,
        dimension=dimension,
        columns=COLUMNS,
        rows=rows,
        column_totals=column_totals,
        total=sum(column_totals, start=TierCell()),
    )


def _row(key: str, deals: list[DealRecord], as_of: date) -> TierRow:
    cells = dict.fromkeys(COLUMNS, TierCell())
    for deal in deals:
        where = column(deal, as_of)
        assert where is not None
        cells[where] = cells[where] + TierCell(1, Amounts.of([_value(deal, as_of)]))
    return TierRow(
        key=key,
        cells=tuple(cells.values()),
        total=sum(cells.values(), start=TierCell()),
    )


def _value(deal: DealRecord, as_of: date) -> Money:
    """The won value of a deal won by ``as_of``, else its amount."""
    if asof.outcome(deal, as_of) is Outcome.WON and deal.won_value is not None:
        return deal.won_value
    return deal.amount
