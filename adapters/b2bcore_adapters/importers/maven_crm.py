"""The Maven CRM export (Maven Analytics' "CRM + Sales + Opportunities"):
sales reps from sales_teams.csv, accounts from accounts.csv, one
opportunity per sales_pipeline.csv row priced from products.csv.

Every mapping rule is in docs/importers.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import attrs

from b2bcore import (
    B2BCore,
    BusinessLine,
    ContactChannel,
    Grade,
    LossReason,
    Money,
    deterministic_id,
)
from b2bcore.application import commands as c
from b2bcore_adapters.importers.report import (
    ImportFileError,
    ImportReport,
    ImportUsageError,
)
from b2bcore_adapters.importers.rows import (
    CellError,
    Column,
    Lookup,
    Row,
    amount,
    member,
    money,
    optional,
    text,
    us_date,
)
from b2bcore_adapters.importers.run import (
    UNKNOWN,
    By,
    Commands,
    Entry,
    ImportRun,
    Progress,
)

V = TypeVar("V")

SOURCE = "maven-crm"
BY = By(actor="importer:maven-crm", reason="Maven CRM export")
CURRENCY = "USD"

#: Documented mapping rules: the pipeline's spelling → products.csv's, and
#: accounts.csv's sector typo → the word.
PRODUCT_ALIASES = {"GTXPro": "GTX Pro"}
SECTOR_SPELLINGS = {"technolgy": "technology"}
#: Annual revenue (USD millions) from which an account is key / major.
KEY_REVENUE = Decimal(5000)
MAJOR_REVENUE = Decimal(1000)
#: Accounts with an office here are domestic, the others overseas.
HOME_COUNTRY = "United States"
#: An open deal is expected to close this long after the import's date.
OPEN_DEAL_HORIZON = timedelta(days=90)


class Stage(Enum):
    """The export's deal_stage."""

    PROSPECTING = "Prospecting"
    ENGAGING = "Engaging"
    WON = "Won"
    LOST = "Lost"


@attrs.frozen
class Product:
    name: str
    price: Money


@attrs.frozen
class Agent:
    """A sales_teams.csv row."""

    name: str
    manager: str
    office: str


@attrs.frozen
class MavenAccount:
    """An accounts.csv row, ready to register."""

    id: UUID
    name: str
    grade: Grade
    sector: str
    country: str
    business_line: BusinessLine


# -- products.csv, sales_teams.csv, accounts.csv ------------------------------

PRODUCT = Column("product", text)
SALES_PRICE = Column("sales_price", amount)
AGENT = Column("sales_agent", text)
MANAGER = Column("manager", text)
OFFICE = Column("regional_office", text)
ACCOUNT = Column("account", text)
SECTOR = Column("sector", text)
REVENUE = Column("revenue", amount)
OFFICE_LOCATION = Column("office_location", text)


def _product(row: Row) -> Product:
    price = money(row[SALES_PRICE], CURRENCY, SALES_PRICE.name)
    if not price.is_positive:
        raise CellError(SALES_PRICE.name, "a list price must be above 0")
    return Product(row[PRODUCT], price)


def _account(row: Row) -> MavenAccount:
    revenue = row[REVENUE]
    country = row[OFFICE_LOCATION]
    return MavenAccount(
        id=deterministic_id("account", f"{SOURCE}:{row[ACCOUNT]}"),
        name=row[ACCOUNT],
        grade=grade(revenue),
        sector=SECTOR_SPELLINGS.get(row[SECTOR], row[SECTOR]),
        country=country,
        business_line=BusinessLine.DOMESTIC
        if country == HOME_COUNTRY
        else BusinessLine.OVERSEAS,
    )


def grade(revenue: Decimal) -> Grade:
    """An account's grade from its annual revenue in USD millions."""
    if revenue >= KEY_REVENUE:
        return Grade.KEY
    if revenue >= MAJOR_REVENUE:
        return Grade.MAJOR
    return Grade.STANDARD


@attrs.frozen
class References:
    """What the pipeline's rows name, read from the other three files, and
    the good rows of those files."""

    agents: list[tuple[Row, Agent]]
    products: list[tuple[Row, Product]]
    accounts: list[tuple[Row, MavenAccount]]

    @classmethod
    def read(cls, run: ImportRun, directory: Path) -> References:
        return cls(
            agents=_read(
                run,
                directory / "sales_teams.csv",
                (AGENT, MANAGER, OFFICE),
                lambda row: Agent(row[AGENT], row[MANAGER], row[OFFICE]),
            ),
            products=_read(
                run,
                directory / "products.csv",
                (PRODUCT, SALES_PRICE),
                _product,
                reference=True,
            ),
            accounts=_read(
                run,
                directory / "accounts.csv",
                (ACCOUNT, SECTOR, REVENUE, OFFICE_LOCATION),
                _account,
            ),
        )


def _read(
    run: ImportRun,
    path: Path,
    columns: Sequence[Column[Any]],
    make: Callable[[Row], V],
    *,
    reference: bool = False,
) -> list[tuple[Row, V]]:
    """The good rows of a file the pipeline refers to (keyed by its first
    column, a name) with what each describes."""
    good = []
    for row in run.read(path, columns, key=columns[0], reference=reference):
        value = run.attempt([row], partial(make, row), {})
        if value is not None:
            good.append((row, value))
    return good


def _lookup(
    run: ImportRun,
    what: str,
    file: str,
    key: Column[str],
    named: Sequence[tuple[Row, V]],
    aliases: dict[str, str] | None = None,
) -> Lookup[V]:
    return Lookup(
        what=what,
        file=file,
        found={row[key]: value for row, value in named},
        rejected=run.rejected_keys(file, key.name),
        aliases=aliases or {},
    )


# -- sales_pipeline.csv -------------------------------------------------------

OPPORTUNITY_ID = Column("opportunity_id", text)
DEAL_STAGE = Column("deal_stage", member(Stage))
ENGAGE_DATE = Column("engage_date", optional(us_date))
CLOSE_DATE = Column("close_date", optional(us_date))
CLOSE_VALUE = Column("close_value", optional(amount))

#: The CSV column behind each Opportunity field a domain rule may refuse.
DEAL_COLUMNS = {
    "account_id": ACCOUNT.name,
    "name": OPPORTUNITY_ID.name,
    "amount": PRODUCT.name,
    "product": PRODUCT.name,
    "owner": AGENT.name,
    "region": AGENT.name,
    "country": ACCOUNT.name,
    "value": CLOSE_VALUE.name,
    "on": CLOSE_DATE.name,
}


@attrs.frozen
class Pipeline:
    """The pipeline's columns: agent, product and account cells are looked
    up in the other files."""

    agent: Column[Agent]
    product: Column[Product]
    account: Column[MavenAccount | None]

    @classmethod
    def naming(cls, run: ImportRun, references: References) -> Pipeline:
        return cls(
            agent=Column(
                AGENT.name,
                _lookup(
                    run, "sales agent", "sales_teams.csv", AGENT, references.agents
                ),
            ),
            product=Column(
                PRODUCT.name,
                _lookup(
                    run,
                    "product",
                    "products.csv",
                    PRODUCT,
                    references.products,
                    PRODUCT_ALIASES,
                ),
            ),
            account=Column(
                ACCOUNT.name,
                optional(
                    _lookup(
                        run, "account", "accounts.csv", ACCOUNT, references.accounts
                    )
                ),
            ),
        )

    @property
    def columns(self) -> tuple[Column[Any], ...]:
        return (
            OPPORTUNITY_ID,
            self.agent,
            self.product,
            self.account,
            DEAL_STAGE,
            ENGAGE_DATE,
            CLOSE_DATE,
            CLOSE_VALUE,
        )


def _dates(row: Row) -> list[date]:
    return [d for d in (row[ENGAGE_DATE], row[CLOSE_DATE]) if d is not None]


def _checked_dates(row: Row) -> tuple[date | None, date | None]:
    """The engage and close dates, as the deal's stage wants them."""
    stage, engaged, closed = row[DEAL_STAGE], row[ENGAGE_DATE], row[CLOSE_DATE]
    if stage is Stage.PROSPECTING and engaged is not None:
        raise CellError(ENGAGE_DATE.name, "a Prospecting deal has no engage_date")
    if stage is not Stage.PROSPECTING and engaged is None:
        raise CellError(ENGAGE_DATE.name, f"a {stage.value} deal needs one")
    if stage in (Stage.PROSPECTING, Stage.ENGAGING) and closed is not None:
        raise CellError(CLOSE_DATE.name, f"a {stage.value} deal has no close_date")
    if stage in (Stage.WON, Stage.LOST):
        if closed is None:
            raise CellError(CLOSE_DATE.name, f"a {stage.value} deal needs one")
        assert engaged is not None
        if closed < engaged:
            raise CellError(
                CLOSE_DATE.name, f"{closed} is before the engage_date {engaged}"
            )
    return engaged, closed


def _deal(row: Row, pipeline: Pipeline, as_of: date) -> Commands:
    """The opportunity of a pipeline row, opened and closed as its stage
    says."""
    stage = row[DEAL_STAGE]
    engaged, closed = _checked_dates(row)
    agent, product, account = (
        row[pipeline.agent],
        row[pipeline.product],
        row[pipeline.account],
    )
    deal_id = deterministic_id("opportunity", f"{SOURCE}:{row[OPPORTUNITY_ID]}")
    deal: list[c.Command[Any]] = [
        c.OpenOpportunity(
            opportunity_id=deal_id,
            account_id=None if account is None else account.id,
            name=row[OPPORTUNITY_ID],
            amount=product.price,
            owner=agent.name,
            business_line=BusinessLine.UNKNOWN
            if account is None
            else account.business_line,
            region=agent.office,
            country=UNKNOWN if account is None else account.country,
            product=product.name,
            expected_close_on=closed or _expected_close(as_of),
            tier=4 if stage is Stage.PROSPECTING else 3,
            on=engaged or as_of,
            **BY,
        )
    ]
    if stage is Stage.WON:
        deal.append(c.WinOpportunity(deal_id, value=_won_value(row), on=closed, **BY))
    elif stage is Stage.LOST:
        deal.append(
            c.LoseOpportunity(deal_id, reason_code=LossReason.UNKNOWN, on=closed, **BY)
        )
    return {deal_id: tuple(deal)}


def _expected_close(as_of: date) -> date:
    """An open deal's expected close: OPEN_DEAL_HORIZON after ``as_of``, at
    the latest the last date there is."""
    return as_of + min(OPEN_DEAL_HORIZON, date.max - as_of)


def _won_value(row: Row) -> Money:
    value = row[CLOSE_VALUE]
    if not value:
        raise CellError(CLOSE_VALUE.name, "a Won deal needs a close_value above 0")
    return money(value, CURRENCY, CLOSE_VALUE.name)


# -- the import ---------------------------------------------------------------


def import_maven_crm(
    core: B2BCore,
    directory: Path,
    *,
    as_of: date | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the Maven CRM export in ``directory``: sales reps, accounts and
    one opportunity per pipeline row. Prospecting deals open on ``as_of``
    (default: the latest date in sales_pipeline.csv). Raises
    ImportFileError when a file is missing."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ImportFileError(directory, "is not a folder")
    run = ImportRun(core, SOURCE, progress)
    references = References.read(run, directory)
    if not run.can_record:
        return _checked_only(run, directory)
    pipeline = Pipeline.naming(run, references)
    rows = run.read(
        directory / "sales_pipeline.csv", pipeline.columns, key=OPPORTUNITY_ID
    )
    dates = [d for row in rows for d in _dates(row)]
    as_of = as_of or max(dates, default=None)
    if as_of is None:
        if run.can_record and (rows or references.agents or references.accounts):
            raise ImportUsageError(
                f"{directory / 'sales_pipeline.csv'}: no date to open the deals "
                "on: give as_of"
            )
        return run.report()
    deals = _deal_entries(run, rows, pipeline, as_of)
    first_day = min([*dates, as_of])
    run.record(
        [
            *_agent_entries(run, references, first_day),
            *_account_entries(run, references, deals, as_of),
            *deals,
        ]
    )
    return run.report()


def _checked_only(run: ImportRun, directory: Path) -> ImportReport:
    """The report when a file the pipeline refers to could not be read:
    nothing is recorded, and the pipeline's rows are checked for what they
    say themselves (names are not looked up, to report the file once)."""
    columns = (
        OPPORTUNITY_ID,
        AGENT,
        PRODUCT,
        Column(ACCOUNT.name, optional(text)),
        DEAL_STAGE,
        ENGAGE_DATE,
        CLOSE_DATE,
        CLOSE_VALUE,
    )
    rows = run.read(directory / "sales_pipeline.csv", columns, key=OPPORTUNITY_ID)
    for row in rows:
        run.attempt([row], partial(_follows_its_stage, row), {})
    return run.report()


def _follows_its_stage(row: Row) -> None:
    _checked_dates(row)
    if row[DEAL_STAGE] is Stage.WON:
        _won_value(row)


def _deal_entries(
    run: ImportRun, rows: Sequence[Row], pipeline: Pipeline, as_of: date
) -> list[Entry]:
    entries = []
    for row in rows:
        entry = run.entry([row], partial(_deal, row, pipeline, as_of), DEAL_COLUMNS)
        if entry is None:
            continue
        if row[pipeline.account] is None:
            run.warn(row, ACCOUNT.name, "no account: imported with the account unknown")
        entries.append(entry)
    return entries


def _agent_entries(run: ImportRun, references: References, on: date) -> list[Entry]:
    entries = (
        run.entry(
            [row],
            partial(_sales_rep, agent, on),
            {"name": AGENT.name, "manager": MANAGER.name, "office": OFFICE.name},
        )
        for row, agent in references.agents
    )
    return [entry for entry in entries if entry is not None]


def _sales_rep(agent: Agent, on: date) -> Commands:
    register = c.RegisterSalesRep(
        name=agent.name, manager=agent.manager, office=agent.office, on=on, **BY
    )
    return {c.sales_rep_id(agent.name): (register,)}


def _account_entries(
    run: ImportRun, references: References, deals: Sequence[Entry], as_of: date
) -> list[Entry]:
    """Each account is registered on the day its first deal opened (the
    import's date when it has none)."""
    first_deal: dict[UUID, date] = {}
    for entry in deals:
        for opening, *_ in entry.commands().values():
            assert isinstance(opening, c.OpenOpportunity)
            assert opening.on is not None
            if (account_id := opening.account_id) is not None:
                opened = first_deal.get(account_id, opening.on)
                first_deal[account_id] = min(opened, opening.on)
    entries = (
        run.entry(
            [row],
            partial(_registered, account, first_deal.get(account.id, as_of)),
            {
                "name": ACCOUNT.name,
                "sector": SECTOR.name,
                "country": OFFICE_LOCATION.name,
            },
        )
        for row, account in references.accounts
    )
    return [entry for entry in entries if entry is not None]


def _registered(account: MavenAccount, on: date) -> Commands:
    register = c.RegisterAccount(
        account_id=account.id,
        name=account.name,
        grade=account.grade,
        sector=account.sector,
        region=UNKNOWN,
        country=account.country,
        business_line=account.business_line,
        preferred_channel=ContactChannel.UNKNOWN,
        on=on,
        **BY,
    )
    return {account.id: (register,)}
