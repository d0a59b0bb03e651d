"""The RavenStack subscription table (ravenstack_subscriptions.csv): one
asset per subscription, of an account registered when it was first met.

Every mapping rule is in docs/importers.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

from b2bcore import (
    B2BCore,
    BusinessLine,
    ContactChannel,
    Grade,
    Installment,
    ObsoleteReason,
    deterministic_id,
)
from b2bcore.application import commands as c
from b2bcore_adapters.importers.report import ImportReport
from b2bcore_adapters.importers.rows import (
    CellError,
    Column,
    Row,
    amount,
    flag,
    iso_date,
    money,
    optional,
    text,
)
from b2bcore_adapters.importers.run import (
    UNKNOWN,
    By,
    Commands,
    Entry,
    ImportRun,
    Progress,
)

SOURCE = "ravenstack"
BY = By(actor="importer:ravenstack", reason="RavenStack subscriptions")
CURRENCY = "USD"
CHURN_NOTE = "churned (churn_flag in the RavenStack export)"

SUBSCRIPTION_ID = Column("subscription_id", text)
ACCOUNT_ID = Column("account_id", text)
START_DATE = Column("start_date", iso_date)
END_DATE = Column("end_date", optional(iso_date))
PLAN_TIER = Column("plan_tier", text)
ARR_AMOUNT = Column("arr_amount", amount)
UPGRADE_FLAG = Column("upgrade_flag", flag)
CHURN_FLAG = Column("churn_flag", flag)
COLUMNS = (
    SUBSCRIPTION_ID,
    ACCOUNT_ID,
    START_DATE,
    END_DATE,
    PLAN_TIER,
    ARR_AMOUNT,
    UPGRADE_FLAG,
    CHURN_FLAG,
)

#: The CSV column behind each Asset field a domain rule may refuse.
ASSET_COLUMNS = {
    "account_id": ACCOUNT_ID.name,
    "product": PLAN_TIER.name,
    "order_reference": SUBSCRIPTION_ID.name,
    "value": ARR_AMOUNT.name,
}


def import_ravenstack(
    core: B2BCore, path: Path, *, progress: Progress | None = None
) -> ImportReport:
    """Import ravenstack_subscriptions.csv at ``path``: one asset per
    subscription and one account per account_id. Raises ImportFileError when
    the file is missing."""
    run = ImportRun(core, SOURCE, progress)
    rows = run.read(Path(path), COLUMNS, key=SUBSCRIPTION_ID)
    run.record(_entries(run, rows))
    return run.report()


def _entries(run: ImportRun, rows: Sequence[Row]) -> list[Entry]:
    """An entry per good subscription, an account's by start date, each
    registering the account unless an earlier one did: so the first good
    one registers it, before any of its subscriptions is recorded (a
    report as known at any moment finds it)."""
    entries = (
        run.entry([row], partial(_subscription, row), ASSET_COLUMNS)
        for row in sorted(rows, key=lambda r: (r[ACCOUNT_ID], r[START_DATE]))
    )
    return [entry for entry in entries if entry is not None]


def _account_id(row: Row) -> UUID:
    return deterministic_id("account", f"{SOURCE}:{row[ACCOUNT_ID]}")


def _subscription(row: Row) -> Commands:
    """The subscription's account, and its asset, purchased, installed and
    paid on its start date, obsolete on its end date when churned."""
    start, end = row[START_DATE], _end(row)
    account_id = _account_id(row)
    asset_id = deterministic_id("asset", f"{SOURCE}:{row[SUBSCRIPTION_ID]}")
    value = money(row[ARR_AMOUNT], CURRENCY, ARR_AMOUNT.name)
    plan = (Installment(1, start, value),) if value.is_positive else ()
    asset: list[c.Command[Any]] = [
        c.PurchaseAsset(
            asset_id=asset_id,
            account_id=account_id,
            product=row[PLAN_TIER],
            order_reference=row[SUBSCRIPTION_ID],
            contact=UNKNOWN,
            value=value,
            installments=plan,
            owner=UNKNOWN,
            upsell=row[UPGRADE_FLAG],
            on=start,
            **BY,
        ),
        c.InstallAsset(asset_id, usage_end_on=None, on=start, **BY),
    ]
    asset += (
        c.PayInstallment(
            asset_id,
            number=installment.number,
            amount=installment.amount,
            on=start,
            **BY,
        )
        for installment in plan
    )
    if end is not None:
        asset.append(
            c.MakeAssetObsolete(
                asset_id,
                reason_code=ObsoleteReason.UNKNOWN,
                note=CHURN_NOTE,
                on=end,
                **BY,
            )
        )
    return {account_id: (_account(row, account_id),), asset_id: tuple(asset)}


def _end(row: Row) -> date | None:
    """The churn date: set exactly when churn_flag is True, not before the
    start."""
    end = row[END_DATE]
    if row[CHURN_FLAG] and end is None:
        raise CellError(END_DATE.name, "a churned subscription needs one")
    if not row[CHURN_FLAG] and end is not None:
        raise CellError(END_DATE.name, "set, but churn_flag is False")
    if end is not None and end < row[START_DATE]:
        raise CellError(END_DATE.name, f"{end} is before the start_date")
    return end


def _account(row: Row, account_id: UUID) -> c.RegisterAccount:
    """The account as first met: the export knows only its id."""
    return c.RegisterAccount(
        account_id=account_id,
        name=row[ACCOUNT_ID],
        grade=Grade.STANDARD,
        sector=UNKNOWN,
        region=UNKNOWN,
        country=UNKNOWN,
        business_line=BusinessLine.UNKNOWN,
        preferred_channel=ContactChannel.UNKNOWN,
        on=row[START_DATE],
        **BY,
    )
