"""The report queries a read-model store answers from its report tables
(``b2bcore.readmodels.facts.tables``): the port, implemented once in SQL by the
adapters for every store. Each takes ``known``, the recorded-time bound of
the row versions to read (``b2bcore.readmodels.facts.versions.known_bound``)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

from b2bcore.readmodels.facts.tables import ASSET_DETAILS, Table
from b2bcore.reports.dimensions import Dimension


class Reading(Enum):
    """Which rows of an asset's detail tables a report reads."""

    #: Every row known.
    EVERY_ROW = "every row"
    #: What ``b2bcore.reports.renewals.risks`` and
    #: ``b2bcore.reports.health.health`` read on the day: the installments
    #: due before it and unpaid by it, the late payments made by it, the last
    #: satisfaction score and the last six usage months (by period)
    #: recorded by it, every competitor contact.
    RISKS = "risks"
    #: What ``b2bcore.reports.asset_kpis`` reads of the money: the payments
    #: made from ``since`` to the day, the installments unpaid on the day.
    KPIS = "kpis"
    #: What ``b2bcore.reports.alerts`` reads of the usage: the months that
    #: changed by more than ``anomaly`` (a share) against the calendar month
    #: before them, and those months before (a few more may come: the
    #: report decides).
    ALERTS = "alerts"


#: (dimension key, tier column, currency, deals, summed value in minor units)
TierCellRow = tuple[str, str, str, int, int]


Rows = Sequence[Sequence[Any]]


class ReportQueries(Protocol):
    def fact_rows(self, table: Table) -> Rows:
        """Every version of every row of ``table``: its fact columns, then
        its own (in no particular order; for audits)."""
        ...

    def deal_rows(self, *, day: date, known: int) -> Rows:
        """Every deal opened by ``day``: key, account id, owner, region,
        business line, country, product, opened on, closed on, outcome,
        currency, amount (minor units), won currency, won value, loss
        reason, lost to, name, expected close; the owner, the amount and
        the expected close those in force on ``day``."""
        ...

    def tier_move_rows(self, *, day: date, known: int) -> Rows:
        """The tier moves made by ``day`` of the deals opened by then: key,
        seq, from tier, tier, stage, moved on."""
        ...

    def lead_rows(self, *, day: date, known: int) -> Rows:
        """Every lead captured by ``day``: key, company, source,
        temperature, has contact (0/1), has need (0/1), account id, status,
        captured on, qualified on, closed on, opportunity id."""
        ...

    def postmortem_rows(self, *, day: date, known: int) -> Rows:
        """The notes of the postmortems recorded by ``day``: deal key,
        recorded on, kind (summary, root_cause, lesson), seq, note."""
        ...

    def renewal_deal_rows(self, *, day: date, known: int) -> Rows:
        """The renewal deals open on ``day`` (opened by then, closed after
        it): key, the asset it renews, its tier on ``day``."""
        ...

    def manager_rows(self, *, known: int) -> Rows:
        """Every sales rep's name and manager."""
        ...

    def acknowledged_rows(self, *, known: int) -> Rows:
        """The id of every acknowledged alert."""
        ...

    def feedback_rows(self, *, day: date, known: int) -> Rows:
        """The feedback recorded by ``day``: key, account id, asset id, kind,
        channel, category, severity, score, recorded on, resolved on (even
        when after ``day``)."""
        ...

    def open_complaint_rows(self, *, day: date, known: int) -> Rows:
        """The complaints recorded by ``day`` and not resolved by then, as
        ``feedback_rows`` gives them."""
        ...

    def feedback_need_rows(self, *, day: date, known: int) -> Rows:
        """The needs named by the feedback recorded by ``day``: key, seq,
        need."""
        ...

    def account_rows(self, *, known: int) -> Rows:
        """Every account's key, name, grade, sector, preferred channel and
        registration date."""
        ...

    def asset_rows(
        self, *, day: date, known: int, due_by: date | None, owner: str | None
    ) -> Rows:
        """The assets purchased by ``day`` (only those active on ``day`` whose
        earliest usage end is on or before ``due_by``, when given; only
        ``owner``'s, when given): key, account id, owner, product, purchased
        on, installed on, usage end on, obsolete on, obsolete reason,
        currency, value."""
        ...

    def asset_detail_rows(
        self,
        *,
        day: date,
        known: int,
        due_by: date | None,
        owner: str | None,
        tables: Collection[Table] = ASSET_DETAILS,
        reading: Reading = Reading.EVERY_ROW,
        since: date | None = None,
        anomaly: Decimal | None = None,
    ) -> Sequence[Rows]:
        """For the same assets as ``asset_rows``, the rows of each table of
        ``ASSET_DETAILS``, in that order: key, then the table's columns;
        none for a table not among the ``tables`` the report reads. The
        ``reading`` says which rows of each (``since``: where the KPIs'
        period starts; ``anomaly``: the usage change the alerts look for)."""
        ...

    def tier_cells(
        self, *, day: date, dimension: Dimension, known: int
    ) -> Sequence[TierCellRow]:
        """The deals opened by ``day``, counted and summed per dimension key,
        tier column (``b2bcore.reports.tiers.COLUMNS``) and currency of
        their value (the won value of a deal won by ``day``, else its
        amount), with the owner and the amount in force on ``day``."""
        ...
