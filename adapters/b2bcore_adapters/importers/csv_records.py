"""b2bcore's own CSV formats with one row per aggregate: accounts, assets and
opportunities, each with its creation fields and the optional install or
close fields (docs/csv-formats.md).

A row's key gives the aggregate's id, ``deterministic_id(kind, key)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any
from uuid import UUID

import attrs

from b2bcore import (
    B2BCore,
    BusinessLine,
    ContactChannel,
    Grade,
    LossReason,
    Money,
    ObsoleteReason,
    Outcome,
    deterministic_id,
    installment_plan,
)
from b2bcore.application import commands as c
from b2bcore.domain.errors import quoted
from b2bcore_adapters.importers.rows import (
    CellError,
    Column,
    Row,
    amount,
    currency,
    defaulting,
    flag,
    free_text,
    iso_date,
    items,
    key,
    member,
    money,
    one_of,
    optional,
    text,
    whole_number,
)
from b2bcore_adapters.importers.run import By, Commands

BY = By(actor="importer:csv", reason="imported from a b2bcore CSV file")


@attrs.frozen
class Recorded:
    """A cell naming an aggregate by its key: its id, when the log has it."""

    core: B2BCore
    kind: str
    #: Where such rows come from, for the message.
    hint: str
    _known: dict[str, bool] = attrs.field(factory=dict, init=False)

    def __call__(self, cell: str) -> UUID:
        name = key(cell)
        aggregate_id = deterministic_id(self.kind, name)
        if name not in self._known:
            self._known[name] = self.core.exists(aggregate_id)
        if not self._known[name]:
            raise ValueError(
                f"{self.kind} {quoted(name)} is not recorded: import {self.hint} first"
            )
        return aggregate_id


@attrs.frozen
class RecordFormat:
    """One row per aggregate: its columns, its key column and how a good
    row becomes the aggregate (with all its events)."""

    kind: str
    key: Column[str]
    columns: tuple[Column[Any], ...]
    build: Callable[[Row], Commands]
    #: The CSV column behind each domain field a rule may refuse.
    fields: dict[str, str]
    #: The column of each command's business date but the first's.
    dates: Mapping[type[c.Command[Any]], str] = attrs.field(factory=dict)


def _fields(columns: Sequence[Column[Any]], **renamed: str) -> dict[str, str]:
    return {c.name: c.name for c in columns} | renamed


# -- accounts.csv -------------------------------------------------------------

ACCOUNT = Column("account", key)
NAME = Column("name", text)
GRADE = Column("grade", member(Grade))
SECTOR = Column("sector", text)
REGION = Column("region", text)
COUNTRY = Column("country", text)
BUSINESS_LINE = Column("business_line", member(BusinessLine))
PREFERRED_CHANNEL = Column(
    "preferred_channel",
    defaulting(member(ContactChannel), ContactChannel.UNKNOWN),
    required=False,
)
REGISTERED_ON = Column("registered_on", iso_date)
ACCOUNT_COLUMNS = (
    ACCOUNT,
    NAME,
    GRADE,
    SECTOR,
    REGION,
    COUNTRY,
    BUSINESS_LINE,
    PREFERRED_CHANNEL,
    REGISTERED_ON,
)


def _account(row: Row) -> Commands:
    account_id = deterministic_id("account", row[ACCOUNT])
    register = c.RegisterAccount(
        account_id=account_id,
        name=row[NAME],
        grade=row[GRADE],
        sector=row[SECTOR],
        region=row[REGION],
        country=row[COUNTRY],
        business_line=row[BUSINESS_LINE],
        preferred_channel=row[PREFERRED_CHANNEL],
        on=row[REGISTERED_ON],
        **BY,
    )
    return {account_id: (register,)}


# -- assets.csv ---------------------------------------------------------------

ASSET = Column("asset", key)
PRODUCT = Column("product", text)
ORDER_REFERENCE = Column("order_reference", optional(text), required=False)
CONTACT = Column("contact", text)
VALUE = Column("value", amount)
CURRENCY = Column("currency", currency)
OWNER = Column("owner", text)
PURCHASED_ON = Column("purchased_on", iso_date)
INSTALLMENTS = Column("installments", optional(whole_number), required=False)
EVERY_MONTHS = Column("every_months", defaulting(whole_number, 1), required=False)
UPSELL = Column("upsell", defaulting(flag, False), required=False)
INSTALLED_ON = Column("installed_on", optional(iso_date), required=False)
USAGE_END_ON = Column("usage_end_on", optional(iso_date), required=False)
OBSOLETE_ON = Column("obsolete_on", optional(iso_date), required=False)
OBSOLETE_REASON = Column(
    "obsolete_reason",
    optional(member(ObsoleteReason, leaving_out=[ObsoleteReason.REPLACED])),
    required=False,
)
OBSOLETE_NOTE = Column("obsolete_note", free_text, required=False)


@attrs.frozen
class AssetLinks:
    """The assets format's cells naming other aggregates, which must be
    recorded already."""

    account: Column[UUID]
    opportunity: Column[UUID | None]

    @classmethod
    def checked_in(cls, core: B2BCore) -> AssetLinks:
        return cls(
            account=Column("account", Recorded(core, "account", "accounts.csv")),
            opportunity=Column(
                "opportunity",
                optional(Recorded(core, "opportunity", "opportunities.csv")),
                required=False,
            ),
        )

    def columns(self) -> tuple[Column[Any], ...]:
        return (
            ASSET,
            self.account,
            PRODUCT,
            ORDER_REFERENCE,
            CONTACT,
            VALUE,
            CURRENCY,
            OWNER,
            PURCHASED_ON,
            INSTALLMENTS,
            EVERY_MONTHS,
            UPSELL,
            self.opportunity,
            INSTALLED_ON,
            USAGE_END_ON,
            OBSOLETE_ON,
            OBSOLETE_REASON,
            OBSOLETE_NOTE,
        )


#: The cells the dates of an asset row's later steps come from.
ASSET_DATES: Mapping[type[c.Command[Any]], str] = {
    c.InstallAsset: INSTALLED_ON.name,
    c.MakeAssetObsolete: OBSOLETE_ON.name,
}


def _asset(links: AssetLinks, row: Row) -> Commands:
    """The asset purchased, then installed and made obsolete when the row
    says so."""
    asset_id = deterministic_id("asset", row[ASSET])
    value = money(row[VALUE], row[CURRENCY], VALUE.name)
    count = row[INSTALLMENTS]
    if count is None:
        count = 1 if value.is_positive else 0
    purchase = c.PurchaseAsset(
        asset_id=asset_id,
        account_id=row[links.account],
        product=row[PRODUCT],
        order_reference=row[ORDER_REFERENCE] or row[ASSET],
        contact=row[CONTACT],
        value=value,
        installments=installment_plan(
            value, count, row[PURCHASED_ON], row[EVERY_MONTHS]
        )
        if count
        else (),
        owner=row[OWNER],
        opportunity_id=row[links.opportunity],
        upsell=row[UPSELL],
        on=row[PURCHASED_ON],
        **BY,
    )
    return {asset_id: (purchase, *_install(asset_id, row), *_obsolete(asset_id, row))}


def _install(asset_id: UUID, row: Row) -> list[c.InstallAsset]:
    installed_on = row[INSTALLED_ON]
    if installed_on is None:
        if row[USAGE_END_ON] is not None:
            raise CellError(USAGE_END_ON.name, "needs installed_on")
        return []
    return [
        c.InstallAsset(asset_id, usage_end_on=row[USAGE_END_ON], on=installed_on, **BY)
    ]


def _obsolete(asset_id: UUID, row: Row) -> list[c.MakeAssetObsolete]:
    obsolete_on, reason = row[OBSOLETE_ON], row[OBSOLETE_REASON]
    if obsolete_on is None and reason is None:
        return []
    if obsolete_on is None:
        raise CellError(OBSOLETE_ON.name, "needed with obsolete_reason")
    if reason is None:
        raise CellError(OBSOLETE_REASON.name, "needed with obsolete_on")
    return [
        c.MakeAssetObsolete(
            asset_id,
            reason_code=reason,
            note=row[OBSOLETE_NOTE],
            on=obsolete_on,
            **BY,
        )
    ]


# -- opportunities.csv --------------------------------------------------------

OPPORTUNITY = Column("opportunity", key)
AMOUNT = Column("amount", amount)
EXPECTED_CLOSE_ON = Column("expected_close_on", iso_date)
OPENED_ON = Column("opened_on", iso_date)
TIER = Column(
    "tier", defaulting(one_of({str(t): t for t in (4, 3, 2, 1)}), 4), required=False
)
COMPETITORS = Column("competitors", items, required=False)
OUTCOME = Column("outcome", optional(member(Outcome)), required=False)
CLOSED_ON = Column("closed_on", optional(iso_date), required=False)
WON_VALUE = Column("won_value", optional(amount), required=False)
LOSS_REASON = Column(
    "loss_reason", defaulting(member(LossReason), LossReason.UNKNOWN), required=False
)
COMPETITOR = Column("competitor", optional(text), required=False)
CLOSE_REASON = Column("close_reason", optional(text), required=False)


def _opportunity_columns(account: Column[UUID | None]) -> tuple[Column[Any], ...]:
    return (
        OPPORTUNITY,
        account,
        NAME,
        AMOUNT,
        CURRENCY,
        OWNER,
        BUSINESS_LINE,
        REGION,
        COUNTRY,
        PRODUCT,
        EXPECTED_CLOSE_ON,
        OPENED_ON,
        TIER,
        COMPETITORS,
        OUTCOME,
        CLOSED_ON,
        WON_VALUE,
        LOSS_REASON,
        COMPETITOR,
        CLOSE_REASON,
    )


#: The cell the date of an opportunity row's close comes from.
CLOSE_DATES: Mapping[type[c.Command[Any]], str] = {
    c.WinOpportunity: CLOSED_ON.name,
    c.LoseOpportunity: CLOSED_ON.name,
    c.DropOpportunity: CLOSED_ON.name,
}


def _opportunity(account: Column[UUID | None], row: Row) -> Commands:
    """The deal opened at its tier, then closed when the row has an
    outcome."""
    deal_id = deterministic_id("opportunity", row[OPPORTUNITY])
    amount = money(row[AMOUNT], row[CURRENCY], AMOUNT.name)
    opening = c.OpenOpportunity(
        opportunity_id=deal_id,
        account_id=row[account],
        name=row[NAME],
        amount=amount,
        owner=row[OWNER],
        business_line=row[BUSINESS_LINE],
        region=row[REGION],
        country=row[COUNTRY],
        product=row[PRODUCT],
        expected_close_on=row[EXPECTED_CLOSE_ON],
        tier=row[TIER],
        competitors=row[COMPETITORS],
        on=row[OPENED_ON],
        **BY,
    )
    return {deal_id: (opening, *_close(deal_id, amount, row))}


def _close(deal_id: UUID, amount: Money, row: Row) -> list[c.Command[Any]]:
    outcome, closed_on = row[OUTCOME], row[CLOSED_ON]
    if outcome is None and closed_on is None:
        return []
    if outcome is None:
        raise CellError(OUTCOME.name, "needed with closed_on")
    if closed_on is None:
        raise CellError(CLOSED_ON.name, "needed with an outcome")
    reason = row[CLOSE_REASON]
    if outcome is Outcome.DROPPED:
        # No reason given is refused by the drop's rule, naming close_reason.
        return [
            c.DropOpportunity(
                deal_id, reason=reason or "", on=closed_on, actor=BY["actor"]
            )
        ]
    by = By(actor=BY["actor"], reason=reason or BY["reason"])
    if outcome is Outcome.WON:
        won = row[WON_VALUE]
        value = amount if won is None else money(won, row[CURRENCY], "won_value")
        return [c.WinOpportunity(deal_id, value=value, on=closed_on, **by)]
    return [
        c.LoseOpportunity(
            deal_id,
            reason_code=row[LOSS_REASON],
            competitor=row[COMPETITOR],
            on=closed_on,
            **by,
        )
    ]


# -- the formats --------------------------------------------------------------


def record_format(kind: str, core: B2BCore) -> RecordFormat:
    """The format of ``kind`` (accounts, assets, opportunities), checking
    the aggregates it names in ``core``."""
    if kind == "accounts":
        return RecordFormat(
            "account", ACCOUNT, ACCOUNT_COLUMNS, _account, _fields(ACCOUNT_COLUMNS)
        )
    if kind == "assets":
        links = AssetLinks.checked_in(core)
        columns = links.columns()
        return RecordFormat(
            "asset",
            ASSET,
            columns,
            partial(_asset, links),
            _fields(columns, count=INSTALLMENTS.name, installments=INSTALLMENTS.name),
            ASSET_DATES,
        )
    account = Column("account", optional(Recorded(core, "account", "accounts.csv")))
    columns = _opportunity_columns(account)
    return RecordFormat(
        "opportunity",
        OPPORTUNITY,
        columns,
        partial(_opportunity, account),
        _fields(columns, value=WON_VALUE.name, reason=CLOSE_REASON.name),
        CLOSE_DATES,
    )
