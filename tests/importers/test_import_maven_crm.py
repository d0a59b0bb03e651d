"""The Maven CRM import: the real export end to end (its figures equal a
plain count over the CSV), re-import, and exports with broken rows and
files."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import attrs
import pytest

from b2bcore import (
    B2BCore,
    BusinessLine,
    ContactChannel,
    FixedClock,
    Grade,
    LossReason,
    Outcome,
    deterministic_id,
)
from b2bcore.reports.dimensions import Dimension
from b2bcore_adapters.importers import (
    ImportFileError,
    ImportReport,
    ImportUsageError,
    import_maven_crm,
)
from tests.importers.importing import csv_rows, shared_data, where, write

OPEN_STAGES = ("Prospecting", "Engaging")


def us_date(text: str) -> date:
    return datetime.strptime(text, "%m/%d/%Y").date()


def deal_id(opportunity_id: str) -> UUID:
    return deterministic_id("opportunity", f"maven-crm:{opportunity_id}")


def account_id(name: str) -> UUID:
    return deterministic_id("account", f"maven-crm:{name}")


# -- the real export ----------------------------------------------------------


@attrs.frozen
class Imported:
    core: B2BCore
    report: ImportReport
    folder: Path
    pipeline: list[dict[str, str]]

    @property
    def as_of(self) -> date:
        """The latest date in the pipeline, computed the plain way."""
        return max(
            us_date(row[column])
            for row in self.pipeline
            for column in ("engage_date", "close_date")
            if row[column]
        )


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    folder = shared_data("maven-crm")
    url = f"sqlite:///{tmp_path_factory.mktemp('maven') / 'b2bcore.db'}"
    with B2BCore.open(url, clock=FixedClock(date(2018, 1, 1))) as core:
        report = import_maven_crm(core, folder)
        yield Imported(core, report, folder, csv_rows(folder / "sales_pipeline.csv"))


def test_every_row_of_the_export_is_imported(imported: Imported) -> None:
    folder = imported.folder
    report = imported.report

    assert report.rejected == ()
    assert report.exit_code == 0
    assert {f.file: (f.read, f.imported) for f in report.files} == {
        "sales_teams.csv": (len(csv_rows(folder / "sales_teams.csv")),) * 2,
        "products.csv": (len(csv_rows(folder / "products.csv")), 0),
        "accounts.csv": (len(csv_rows(folder / "accounts.csv")),) * 2,
        "sales_pipeline.csv": (len(imported.pipeline),) * 2,
    }


def test_each_row_without_an_account_is_a_warning(imported: Imported) -> None:
    accountless = [
        line
        for line, row in enumerate(imported.pipeline, start=2)
        if not row["account"]
    ]

    assert [w.line for w in imported.report.warnings] == accountless
    assert {w.column for w in imported.report.warnings} == {"account"}


def test_the_warnings_are_of_one_kind_counted_once(imported: Imported) -> None:
    warnings = imported.report.warnings

    (kind,) = imported.report.warning_kinds()

    assert (kind.count, kind.first) == (1_425, warnings[0])
    assert str(kind).endswith("(and 1,424 more like it)")


def test_pipeline_kpis_equal_the_counts_of_the_csv(imported: Imported) -> None:
    stages = Counter(row["deal_stage"] for row in imported.pipeline)
    won_value = sum(
        Decimal(row["close_value"])
        for row in imported.pipeline
        if row["deal_stage"] == "Won"
    )

    kpis = imported.core.pipeline_kpis(as_of=imported.as_of)

    assert (kpis.won, kpis.lost, kpis.open) == (
        stages["Won"],
        stages["Lost"],
        stages["Prospecting"] + stages["Engaging"],
    )
    assert (kpis.won, kpis.lost, kpis.open) == (4238, 2473, 2089)
    assert kpis.won_value["USD"] == won_value
    assert (kpis.tier(4).open, kpis.tier(3).open) == (
        stages["Prospecting"],
        stages["Engaging"],
    )


def test_open_deals_are_worth_the_list_price_of_their_product(
    imported: Imported,
) -> None:
    prices = {
        row["product"]: Decimal(row["sales_price"])
        for row in csv_rows(imported.folder / "products.csv")
    }
    prices["GTXPro"] = prices["GTX Pro"]
    open_value = sum(
        prices[row["product"]]
        for row in imported.pipeline
        if row["deal_stage"] in OPEN_STAGES
    )

    kpis = imported.core.pipeline_kpis(as_of=imported.as_of)

    assert kpis.open_value["USD"] == open_value


def test_the_sales_teams_give_the_manager_and_region_dimensions(
    imported: Imported,
) -> None:
    teams = {
        row["sales_agent"]: row for row in csv_rows(imported.folder / "sales_teams.csv")
    }
    won = [row for row in imported.pipeline if row["deal_stage"] == "Won"]

    by_manager = imported.core.pipeline_kpis(as_of=imported.as_of, by=Dimension.MANAGER)
    by_region = imported.core.pipeline_kpis(as_of=imported.as_of, by=Dimension.REGION)

    assert {k: v.won for k, v in by_manager.by.items()} == Counter(
        teams[row["sales_agent"]]["manager"] for row in won
    )
    assert {k: v.won for k, v in by_region.by.items()} == Counter(
        teams[row["sales_agent"]]["regional_office"] for row in won
    )


def test_a_won_deal_opens_at_tier_3_on_its_engage_date_and_closes_on_its_close_date(
    imported: Imported,
) -> None:
    row = next(r for r in imported.pipeline if r["deal_stage"] == "Won")

    deal = imported.core.opportunity(deal_id(row["opportunity_id"]))

    assert deal.tier_history[0].tier == 3
    assert deal.opened_on == us_date(row["engage_date"])
    assert (deal.outcome, deal.closed_on) == (Outcome.WON, us_date(row["close_date"]))
    assert deal.won_value is not None
    assert deal.won_value.amount == Decimal(row["close_value"])
    assert deal.expected_close_on == deal.closed_on


def test_a_lost_deal_is_lost_for_an_unknown_reason(imported: Imported) -> None:
    row = next(r for r in imported.pipeline if r["deal_stage"] == "Lost")

    deal = imported.core.opportunity(deal_id(row["opportunity_id"]))

    assert (deal.outcome, deal.loss_reason) == (Outcome.LOST, LossReason.UNKNOWN)
    assert deal.closed_on == us_date(row["close_date"])


def test_a_prospecting_deal_opens_at_tier_4_on_the_import_date(
    imported: Imported,
) -> None:
    row = next(r for r in imported.pipeline if r["deal_stage"] == "Prospecting")

    deal = imported.core.opportunity(deal_id(row["opportunity_id"]))

    assert (deal.tier, deal.opened_on) == (4, imported.as_of)
    assert deal.expected_close_on == imported.as_of + timedelta(days=90)


def test_the_gtxpro_spelling_is_the_gtx_pro_product(imported: Imported) -> None:
    row = next(r for r in imported.pipeline if r["product"] == "GTXPro")

    deal = imported.core.opportunity(deal_id(row["opportunity_id"]))

    assert deal.product == "GTX Pro"


def test_accounts_are_graded_by_revenue_and_spelled_right(imported: Imported) -> None:
    accounts = {
        row["account"]: row for row in csv_rows(imported.folder / "accounts.csv")
    }
    acme = accounts["Acme Corporation"]
    first_engaged = min(
        us_date(row["engage_date"])
        for row in imported.pipeline
        if row["account"] == "Acme Corporation" and row["engage_date"]
    )

    view = imported.core.account(account_id("Acme Corporation"))

    assert acme["sector"] == "technolgy"
    assert (view.sector, view.country) == ("technology", acme["office_location"])
    assert view.grade is Grade.MAJOR
    assert view.business_line is BusinessLine.DOMESTIC
    assert view.preferred_channel is ContactChannel.UNKNOWN
    assert view.registered_on == first_engaged


def test_an_account_abroad_is_overseas(imported: Imported) -> None:
    abroad = next(
        row
        for row in csv_rows(imported.folder / "accounts.csv")
        if row["office_location"] != "United States"
    )

    view = imported.core.account(account_id(abroad["account"]))

    assert view.business_line is BusinessLine.OVERSEAS


def test_importing_the_export_again_records_nothing(imported: Imported) -> None:
    before = imported.core.log_position()

    again = import_maven_crm(imported.core, imported.folder)

    assert imported.core.log_position() == before
    assert again.imported == 0
    assert again.already_present == imported.report.imported
    assert again.exit_code == 0


# -- small exports written for a test -----------------------------------------

TEAMS = """
sales_agent,manager,regional_office
Moses Frase,Dustin Brinkmann,Central
Zane Levy,Summer Sewald,West
"""
PRODUCTS = """
product,series,sales_price
GTX Basic,GTX,550
GTX Pro,GTX,4821
"""
ACCOUNTS = """
account,sector,year_established,revenue,employees,office_location,subsidiary_of
Cancity,retail,2001,718.62,2448,United States,
Kan-code,software,1982,11698.03,34288,United States,
Zoomit,entertainment,1992,324.19,978,Romania,
"""
GOOD_PIPELINE = """
opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value
GOOD1,Moses Frase,GTXPro,Cancity,Won,10/20/2016,3/1/2017,4514
GOOD2,Zane Levy,GTX Basic,Zoomit,Lost,11/2/2016,1/5/2017,0
"""


def export(folder: Path, pipeline: str, **files: str) -> Path:
    """A Maven export in ``folder``: the good reference files unless given."""
    for name, text in {
        "sales_teams": TEAMS,
        "products": PRODUCTS,
        "accounts": ACCOUNTS,
        "sales_pipeline": pipeline,
        **files,
    }.items():
        write(folder, f"{name}.csv", text)
    return folder


@pytest.fixture
def memory() -> Iterator[B2BCore]:
    with B2BCore.open("memory://") as core:
        yield core


def test_each_bad_cell_is_reported_with_its_line_and_column(
    memory: B2BCore, tmp_path: Path
) -> None:
    folder = export(
        tmp_path,
        GOOD_PIPELINE
        + """
        BAD1,Moses Frase,GTX Basic,Cancity,Won,13/45/2016,3/1/2017,-5
        BAD2,Nobody,GTX Mega,Nocity,Engaging,1/4/2017,,
        BAD3,Zane Levy,GTX Basic,Cancity,Lost,3/1/2017,2/1/2017,0
        BAD4,Zane Levy,GTX Basic,Cancity,Won,3/1/2017,4/1/2017,0
        GOOD1,Zane Levy,GTX Basic,,Prospecting,,,
        BAD5,Zane Levy,GTX Basic,Cancity,Engaging,3/1/2017,4/1/2017,
        BAD6,Zane Levy,GTX Basic,Cancity,Won,3/1/2017
        BAD7,Zane Levy,GTX Basic,Cancity,Closing,3/1/2017,4/1/2017,10
        """,
    )

    report = import_maven_crm(memory, folder)

    assert where(report.rejected) == {
        (4, "engage_date"),
        (4, "close_value"),
        (5, "sales_agent"),
        (5, "product"),
        (5, "account"),
        (6, "close_date"),
        (7, "close_value"),
        (8, "opportunity_id"),
        (9, "close_date"),
        (10, ""),
        (11, "deal_stage"),
    }
    assert {p.file for p in report.rejected} == {"sales_pipeline.csv"}
    assert report.exit_code == 3


def test_bad_rows_record_nothing_and_good_rows_are_imported(
    memory: B2BCore, tmp_path: Path
) -> None:
    folder = export(
        tmp_path,
        GOOD_PIPELINE
        + """
        BAD1,Moses Frase,GTX Basic,Cancity,Won,10/20/2016,3/1/2017,-5
        """,
    )

    report = import_maven_crm(memory, folder)

    assert memory.exists(deal_id("GOOD1"))
    assert memory.exists(deal_id("GOOD2"))
    assert not memory.exists(deal_id("BAD1"))
    pipeline = next(f for f in report.files if f.file == "sales_pipeline.csv")
    assert (pipeline.read, pipeline.imported, pipeline.rejected) == (3, 2, 1)


def test_the_messages_say_what_is_wrong(memory: B2BCore, tmp_path: Path) -> None:
    folder = export(
        tmp_path,
        GOOD_PIPELINE
        + """
        BAD1,Moses Frase,GTX Mega,Cancity,Won,13/45/2016,3/1/2017,-5
        """,
    )

    report = import_maven_crm(memory, folder)

    assert [str(p) for p in report.rejected] == [
        "sales_pipeline.csv:4: product: unknown product 'GTX Mega': not in "
        "products.csv",
        "sales_pipeline.csv:4: engage_date: '13/45/2016' is not a date (M/D/YYYY)",
        "sales_pipeline.csv:4: close_value: '-5' is negative",
    ]


def test_a_deal_naming_a_rejected_account_is_rejected_too(
    memory: B2BCore, tmp_path: Path
) -> None:
    folder = export(
        tmp_path,
        GOOD_PIPELINE,
        accounts=ACCOUNTS.replace("324.19", "lots"),
    )

    report = import_maven_crm(memory, folder)

    assert [(p.file, p.line, p.column) for p in report.rejected] == [
        ("accounts.csv", 4, "revenue"),
        ("sales_pipeline.csv", 3, "account"),
    ]
    assert "was rejected (accounts.csv line 4)" in report.rejected[1].reason


def test_a_deal_naming_an_account_a_rule_refused_is_rejected_too(
    memory: B2BCore, tmp_path: Path
) -> None:
    # The account's row parses, but its registration is refused when
    # recorded: the deal's command names an account that is not there.
    folder = export(
        tmp_path,
        GOOD_PIPELINE,
        accounts=ACCOUNTS.replace("Cancity,retail", f"Cancity,{'r' * 300}"),
    )

    report = import_maven_crm(memory, folder)

    assert [(p.file, p.line, p.column) for p in report.rejected] == [
        ("accounts.csv", 2, "sector"),
        ("sales_pipeline.csv", 2, "account"),
    ]
    assert report.rejected[1].reason.endswith(": not found")
    assert not memory.exists(deal_id("GOOD1"))
    assert memory.exists(deal_id("GOOD2"))


def test_a_deal_without_an_account_is_imported_with_a_warning(
    memory: B2BCore, tmp_path: Path
) -> None:
    folder = export(
        tmp_path,
        GOOD_PIPELINE
        + """
        OPEN1,Zane Levy,GTX Basic,,Engaging,3/1/2017,,
        """,
    )

    report = import_maven_crm(memory, folder)

    assert report.exit_code == 0
    assert where(report.warnings) == {(4, "account")}
    deal = memory.opportunity(deal_id("OPEN1"))
    assert (deal.account_id, deal.country, deal.tier) == (None, "unknown", 3)


def test_the_import_date_defaults_to_the_latest_date_of_the_pipeline(
    memory: B2BCore, tmp_path: Path
) -> None:
    folder = export(
        tmp_path,
        GOOD_PIPELINE
        + """
        NEW1,Zane Levy,GTX Basic,Kan-code,Prospecting,,,
        """,
    )

    import_maven_crm(memory, folder)

    deal = memory.opportunity(deal_id("NEW1"))
    assert deal.opened_on == date(2017, 3, 1)
    account = memory.account(account_id("Kan-code"))
    assert (account.grade, account.registered_on) == (Grade.KEY, date(2017, 3, 1))


def test_a_given_import_date_opens_the_prospecting_deals(
    memory: B2BCore, tmp_path: Path
) -> None:
    folder = export(
        tmp_path,
        GOOD_PIPELINE
        + """
        NEW1,Zane Levy,GTX Basic,Kan-code,Prospecting,,,
        """,
    )

    import_maven_crm(memory, folder, as_of=date(2017, 6, 30))

    deal = memory.opportunity(deal_id("NEW1"))
    assert (deal.opened_on, deal.expected_close_on) == (
        date(2017, 6, 30),
        date(2017, 9, 28),
    )


def test_progress_is_told_up_to_every_row(memory: B2BCore, tmp_path: Path) -> None:
    told: list[tuple[int, int]] = []

    import_maven_crm(
        memory,
        export(tmp_path, GOOD_PIPELINE),
        progress=lambda done, total: told.append((done, total)),
    )

    assert told[0] == (0, 7)
    assert told[-1] == (7, 7)


@pytest.mark.parametrize(
    ("name", "content", "line", "column"),
    [
        ("products", b"", 1, ""),
        (
            "accounts",
            b"account,sector,revenue\nCancity,retail,1\n",
            1,
            "office_location",
        ),
        ("sales_teams", "sales_agent,manager\nJos\xe9,A\n".encode("latin-1"), 2, ""),
        ("sales_pipeline", b"\n\n", 1, ""),
    ],
    ids=["empty file", "missing column", "latin-1", "blank file"],
)
def test_a_file_that_cannot_be_read_stops_the_whole_import(
    memory: B2BCore,
    tmp_path: Path,
    name: str,
    content: bytes,
    line: int,
    column: str,
) -> None:
    folder = export(tmp_path, GOOD_PIPELINE)
    (folder / f"{name}.csv").write_bytes(content)

    report = import_maven_crm(memory, folder)

    assert (f"{name}.csv", line, column) in {
        (p.file, p.line, p.column) for p in report.rejected
    }
    assert report.unreadable == (f"{name}.csv",)
    assert report.imported == 0
    assert memory.log_position() == 0
    assert report.exit_code == 3


def test_an_unreadable_price_list_is_reported_once(
    memory: B2BCore, tmp_path: Path
) -> None:
    folder = export(tmp_path, GOOD_PIPELINE, products="product,series\nGTX Basic,GTX")

    report = import_maven_crm(memory, folder)

    assert [(p.file, p.column) for p in report.rejected] == [
        ("products.csv", "sales_price")
    ]


def test_a_missing_file_is_a_usage_error(memory: B2BCore, tmp_path: Path) -> None:
    folder = export(tmp_path, GOOD_PIPELINE)
    (folder / "accounts.csv").unlink()

    with pytest.raises(ImportFileError, match=r"accounts\.csv: no such file"):
        import_maven_crm(memory, folder)


def test_a_missing_folder_is_a_usage_error(memory: B2BCore, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="is not a folder"):
        import_maven_crm(memory, tmp_path / "nowhere")


def test_a_pipeline_without_a_date_needs_the_import_date(
    memory: B2BCore, tmp_path: Path
) -> None:
    folder = export(
        tmp_path,
        """
        opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value
        NEW1,Zane Levy,GTX Basic,Kan-code,Prospecting,,,
        """,
    )

    with pytest.raises(ImportUsageError, match="give as_of"):
        import_maven_crm(memory, folder)


def test_the_real_export_copied_with_a_broken_row_imports_the_rest(
    memory: B2BCore, tmp_path: Path
) -> None:
    source = shared_data("maven-crm")
    folder = tmp_path / "maven-crm"
    shutil.copytree(source, folder)
    pipeline = folder / "sales_pipeline.csv"
    lines = pipeline.read_text(encoding="utf-8").splitlines()
    broken = next(n for n, line in enumerate(lines) if ",GTX Basic," in line)
    lines[broken] = lines[broken].replace(",GTX Basic,", ",GTX Mega,")

    pipeline.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_maven_crm(memory, folder)

    assert where(report.rejected) == {(broken + 1, "product")}
    assert report.imported == report.read - len(csv_rows(folder / "products.csv")) - 1
