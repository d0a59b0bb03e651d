"""The report tables, declared once: every store builds its DDL from these
declarations, and ``b2bcore.readmodels.facts.rows`` fills them.

Each table also has the columns every fact row carries (``FACT_COLUMNS``):
the aggregate it describes (``key``), a stable hash of the row's values
(``row_hash``, the row's identity among its aggregate's rows), and the
recorded-time interval ``[known_from, known_until)`` in microseconds since
the epoch (UTC) during which the log said so; ``known_until`` is
``STILL_KNOWN`` for the rows in force now."""

from __future__ import annotations

from enum import Enum

import attrs

#: ``known_until`` of a row version nothing has replaced yet.
STILL_KNOWN = 2**63 - 1
#: The columns every fact table has first, in this order.
FACT_COLUMNS = ("key", "row_hash", "known_from", "known_until")


class ColumnType(Enum):
    #: Text: names, enum values, ids (``str(uuid)``) and dates (ISO 8601,
    #: so they sort and compare as dates on every store).
    TEXT = "text"
    #: A 64-bit integer: counts, flags, money in minor units.
    INTEGER = "integer"


@attrs.frozen
class Column:
    name: str
    type: ColumnType
    nullable: bool = False


def text(name: str, *, nullable: bool = False) -> Column:
    return Column(name, ColumnType.TEXT, nullable)


def integer(name: str, *, nullable: bool = False) -> Column:
    return Column(name, ColumnType.INTEGER, nullable)


@attrs.frozen(eq=False)
class Table:
    """A fact table: its own columns (after ``FACT_COLUMNS``) and the
    column lists the reports look rows up by. Each table is declared once
    here, so a table is itself (identity, not column-by-column equality)."""

    name: str
    columns: tuple[Column, ...]
    indexes: tuple[tuple[str, ...], ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


ACCOUNTS = Table(
    "b2bcore_fact_accounts",
    (
        text("name"),
        text("grade"),
        text("sector"),
        text("preferred_channel"),
        text("registered_on"),
    ),
)
ASSETS = Table(
    "b2bcore_fact_assets",
    (
        text("account_id"),
        text("owner"),
        text("product"),
        text("purchased_on"),
        text("installed_on", nullable=True),
        text("usage_end_on", nullable=True),
        #: The earliest usage end the asset ever had (None while it has
        #: none): no usage end in force on any date is earlier.
        text("earliest_usage_end_on", nullable=True),
        text("obsolete_on", nullable=True),
        text("obsolete_reason", nullable=True),
        text("currency"),
        integer("value"),
    ),
    indexes=(("earliest_usage_end_on",), ("owner",), ("account_id",)),
)
INSTALLMENTS = Table(
    "b2bcore_fact_installments",
    (integer("number"), text("due_on"), text("currency"), integer("amount")),
)
PAYMENTS = Table(
    "b2bcore_fact_payments",
    (
        integer("number"),
        text("currency"),
        integer("amount"),
        text("paid_on"),
        integer("late"),
    ),
    # Whether an installment was paid (the risks', the receivables' reads).
    indexes=(("key", "number"),),
)
#: Renewals and upgrades, each in its order (``seq``).
RENEWALS = Table(
    "b2bcore_fact_renewals",
    (
        integer("seq"),
        text("renewed_on"),
        text("previous_usage_end_on"),
        text("usage_end_on"),
        text("previous_currency"),
        integer("previous_value"),
        text("currency"),
        integer("value"),
    ),
)
UPGRADES = Table(
    "b2bcore_fact_upgrades",
    (
        integer("seq"),
        text("upgraded_on"),
        text("previous_product"),
        text("product"),
        text("previous_currency"),
        integer("previous_value"),
        text("currency"),
        integer("value"),
    ),
)
SATISFACTION = Table(
    "b2bcore_fact_satisfaction",
    (integer("seq"), text("recorded_on"), integer("score"), text("comment")),
)
USAGE = Table(
    "b2bcore_fact_usage",
    (
        integer("seq"),
        text("period"),
        integer("count"),
        integer("distance_km"),
        text("region"),
        text("pattern"),
        text("recorded_on"),
    ),
)
COMPETITOR_CONTACTS = Table(
    "b2bcore_fact_competitor_contacts",
    (integer("seq"), text("reported_on"), text("competitor"), text("note")),
)
#: An asset's rows besides its own, in the order ``AssetFacts`` reads them.
ASSET_DETAILS = (
    INSTALLMENTS,
    PAYMENTS,
    RENEWALS,
    UPGRADES,
    SATISFACTION,
    USAGE,
    COMPETITOR_CONTACTS,
)
SALES_REPS = Table("b2bcore_fact_sales_reps", (text("name"), text("manager")))
#: Each acknowledged alert (the key is the alert's id).
ACKNOWLEDGEMENTS = Table("b2bcore_fact_acknowledgements", (text("acknowledged_on"),))
DEALS = Table(
    "b2bcore_fact_deals",
    (
        text("account_id", nullable=True),
        text("owner"),
        text("region"),
        text("business_line"),
        text("country"),
        text("product"),
        text("opened_on"),
        text("closed_on", nullable=True),
        text("outcome", nullable=True),
        text("currency"),
        integer("amount"),
        text("won_currency", nullable=True),
        integer("won_value", nullable=True),
        text("loss_reason", nullable=True),
        text("lost_to", nullable=True),
        text("name"),
        text("expected_close_on"),
    ),
    indexes=(("opened_on",),),
)
#: Each tier move of a deal, its opening first (``seq`` 0).
TIER_MOVES = Table(
    "b2bcore_fact_tier_moves",
    (
        integer("seq"),
        integer("from_tier", nullable=True),
        integer("tier"),
        text("stage"),
        text("moved_on"),
    ),
)
#: Each change of a deal's amount (``seq`` in order): a report as of a day
#: reads the amount a change after it replaced.
DEAL_AMOUNTS = Table(
    "b2bcore_fact_deal_amounts",
    (
        integer("seq"),
        text("changed_on"),
        text("currency"),
        integer("previous_amount"),
        integer("amount"),
    ),
)
#: Each change of a deal's owner, as ``DEAL_AMOUNTS``.
DEAL_OWNERS = Table(
    "b2bcore_fact_deal_owners",
    (integer("seq"), text("changed_on"), text("previous_owner"), text("owner")),
)
#: Each move of a deal's expected close, as ``DEAL_AMOUNTS``.
DEAL_EXPECTED_CLOSES = Table(
    "b2bcore_fact_deal_expected_closes",
    (
        integer("seq"),
        text("changed_on"),
        text("previous_expected_close_on"),
        text("expected_close_on"),
    ),
)
#: A deal's postmortem, a row per note: its summary (``kind`` "summary"),
#: each root cause ("root_cause") and each lesson ("lesson"), in order.
POSTMORTEM_NOTES = Table(
    "b2bcore_fact_postmortem_notes",
    (text("recorded_on"), text("kind"), integer("seq"), text("note")),
)
#: A lead as it stands now; its status on a date follows from its dates.
#: Whether it has a contact and a need, not who nor what (personal data).
LEADS = Table(
    "b2bcore_fact_leads",
    (
        text("company"),
        text("source"),
        text("temperature"),
        integer("has_contact"),
        integer("has_need"),
        text("account_id", nullable=True),
        text("status"),
        text("captured_on"),
        text("qualified_on", nullable=True),
        text("closed_on", nullable=True),
        text("opportunity_id", nullable=True),
    ),
    indexes=(("captured_on",),),
)
#: Each survey, complaint and interview (the voice of the customer); no
#: text: what the customer said stays in the log.
FEEDBACK = Table(
    "b2bcore_fact_feedback",
    (
        text("account_id"),
        text("asset_id", nullable=True),
        text("kind"),
        text("channel"),
        text("category"),
        text("severity", nullable=True),
        integer("score", nullable=True),
        text("recorded_on"),
        text("resolved_on", nullable=True),
    ),
    indexes=(("recorded_on",),),
)
#: Each need a piece of feedback named, in order (``seq``).
FEEDBACK_NEEDS = Table("b2bcore_fact_feedback_needs", (integer("seq"), text("need")))

#: Each renewal deal (the key is the deal's): the asset it renews and when
#: it was open, for the renewal queue's linked deal.
RENEWAL_DEALS = Table(
    "b2bcore_fact_renewal_deals",
    (text("asset_id"), text("opened_on"), text("closed_on", nullable=True)),
    indexes=(("asset_id",),),
)

#: The fact tables of each aggregate kind.
TABLES_OF_KIND: dict[str, tuple[Table, ...]] = {
    "account": (ACCOUNTS,),
    "asset": (ASSETS, *ASSET_DETAILS),
    "sales_rep": (SALES_REPS,),
    "acknowledgement": (ACKNOWLEDGEMENTS,),
    "feedback": (FEEDBACK, FEEDBACK_NEEDS),
    "opportunity": (
        DEALS,
        TIER_MOVES,
        DEAL_AMOUNTS,
        DEAL_OWNERS,
        DEAL_EXPECTED_CLOSES,
        POSTMORTEM_NOTES,
        RENEWAL_DEALS,
    ),
    "lead": (LEADS,),
}
TABLES: tuple[Table, ...] = tuple(
    table for tables in TABLES_OF_KIND.values() for table in tables
)
