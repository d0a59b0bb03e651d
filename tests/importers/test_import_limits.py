"""Hostile cells in every importer: a date past 9999-12-31, a 1,000,000-
character cell, a 100,000-character name. Each rejects its own row, named by
line, column and rule; the other rows are imported."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from b2bcore import B2BCore, deterministic_id
from b2bcore_adapters.importers import import_csv, import_maven_crm, import_ravenstack
from b2bcore_adapters.importers.rows import whole_number
from b2bcore_adapters.importers.run import ImportRun
from tests.importers.importing import where, write
from tests.importers.test_import_maven_crm import export
from tests.importers.test_import_ravenstack import GOOD, table

MILLION = 1_000_000

ACCOUNTS_HEADER = "account,name,grade,sector,region,country,business_line,registered_on"


def account_row(key: str, name: str, registered_on: str = "2024-01-01") -> str:
    return f"{key},{name},standard,retail,Busan,KR,domestic,{registered_on}"


@pytest.fixture
def memory() -> Iterator[B2BCore]:
    with B2BCore.open("memory://") as core:
        yield core


def accounts(folder: Path, *rows: str) -> Path:
    return write(folder, "accounts.csv", "\n".join([ACCOUNTS_HEADER, *rows]))


# -- b2bcore's CSV formats ----------------------------------------------------


def test_a_million_character_cell_rejects_its_row_only(
    memory: B2BCore, tmp_path: Path
) -> None:
    path = accounts(
        tmp_path,
        account_row("A1", "Alpha"),
        account_row("A2", "x" * MILLION),
        account_row("A3", "Gamma"),
    )

    report = import_csv(memory, "accounts", path)

    assert [str(p) for p in report.rejected] == [
        "accounts.csv:3: name: must be at most 200 characters, got 1,000,000"
    ]
    assert report.unreadable == ()
    assert report.imported == 2
    assert not memory.exists(deterministic_id("account", "A2"))


def test_a_100000_character_name_is_refused_by_the_domain_rule(
    memory: B2BCore, tmp_path: Path
) -> None:
    path = accounts(
        tmp_path, account_row("A1", "y" * 100_000), account_row("A2", "Beta")
    )

    report = import_csv(memory, "accounts", path)

    assert [(p.line, p.column, p.reason) for p in report.rejected] == [
        (2, "name", "must be at most 200 characters, got 100,000")
    ]
    assert memory.exists(deterministic_id("account", "A2"))


def test_a_million_character_key_is_refused(memory: B2BCore, tmp_path: Path) -> None:
    path = accounts(tmp_path, account_row("k" * MILLION, "Alpha"))

    report = import_csv(memory, "accounts", path)

    assert where(report.rejected) == {(2, "account")}
    assert report.imported == 0


def test_a_huge_bad_cell_is_quoted_short(memory: B2BCore, tmp_path: Path) -> None:
    path = accounts(tmp_path, account_row("A1", "Alpha", "9" * MILLION))

    report = import_csv(memory, "accounts", path)

    (problem,) = report.rejected
    assert problem.column == "registered_on"
    assert problem.reason.endswith(
        "… (1,000,000 characters) is not a date (YYYY-MM-DD)"
    )
    assert len(str(problem)) < 150


def test_a_plan_running_past_the_last_date_rejects_its_row_only(
    memory: B2BCore, tmp_path: Path
) -> None:
    import_csv(memory, "accounts", accounts(tmp_path, account_row("HYO", "Hyowon")))
    path = write(
        tmp_path,
        "assets.csv",
        """
        asset,account,product,contact,value,currency,owner,purchased_on,installments
        A1,HYO,Sedan,Kim,1200,KRW,park,2024-01-01,12
        A2,HYO,Sedan,Kim,1200,KRW,park,9999-12-31,12
        A3,HYO,Sedan,Kim,1200,KRW,park,2024-01-01,
        """,
    )

    report = import_csv(memory, "assets", path)

    assert where(report.rejected) == {(3, "installments")}
    assert "9999-12-31" in report.rejected[0].reason
    assert report.imported == 2
    assert not memory.exists(deterministic_id("asset", "A2"))


def test_a_value_out_of_range_rejects_its_rows_not_the_import(
    memory: B2BCore, tmp_path: Path
) -> None:
    run = ImportRun(memory, "test")
    (row,) = run.read(accounts(tmp_path, account_row("A1", "Alpha")), ())

    made = run.attempt([row], lambda: date.max + (date.max - date.min), {})

    assert made is None
    assert [(p.line, p.column) for p in run.report().rejected] == [(2, "")]
    assert run.report().rejected[0].reason.startswith("out of range: ")


# -- the Maven CRM export -----------------------------------------------------


def test_a_deal_closing_on_the_last_date_leaves_the_open_deals_importable(
    memory: B2BCore, tmp_path: Path
) -> None:
    folder = export(
        tmp_path,
        """
        opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value
        LATE,Moses Frase,GTXPro,Cancity,Won,10/20/2016,12/31/9999,4514
        NEW1,Zane Levy,GTX Basic,Kan-code,Prospecting,,,
        """,
    )

    report = import_maven_crm(memory, folder)

    assert report.rejected == ()
    new = memory.opportunity(deterministic_id("opportunity", "maven-crm:NEW1"))
    assert (new.opened_on, new.expected_close_on) == (date.max, date.max)


def test_a_million_character_pipeline_cell_rejects_its_row_only(
    memory: B2BCore, tmp_path: Path
) -> None:
    folder = export(
        tmp_path,
        f"""
        opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value
        GOOD1,Moses Frase,GTXPro,Cancity,Won,10/20/2016,3/1/2017,4514
        BAD1,Zane Levy,GTX Basic,{"z" * MILLION},Engaging,1/4/2017,,
        GOOD2,Zane Levy,GTX Basic,Zoomit,Lost,11/2/2016,1/5/2017,0
        """,
    )

    report = import_maven_crm(memory, folder)

    assert where(report.rejected) == {(3, "account")}
    assert "(1,000,000 characters)" in report.rejected[0].reason
    pipeline = next(f for f in report.files if f.file == "sales_pipeline.csv")
    assert (pipeline.imported, pipeline.rejected) == (2, 1)


# -- the RavenStack table -----------------------------------------------------


def test_a_million_character_plan_tier_rejects_its_row_only(
    memory: B2BCore, tmp_path: Path
) -> None:
    path = table(
        tmp_path,
        GOOD + f"S-4,A-3,2024-02-01,,{'p' * MILLION},1,10,120,False,False,False,False,"
        "monthly,True",
    )

    report = import_ravenstack(memory, path)

    assert [(p.line, p.column, p.reason) for p in report.rejected] == [
        (5, "plan_tier", "must be at most 200 characters, got 1,000,000")
    ]
    assert report.imported == 3


def test_a_100000_character_account_id_rejects_its_row(
    memory: B2BCore, tmp_path: Path
) -> None:
    path = table(
        tmp_path,
        GOOD + f"S-4,{'a' * 100_000},2024-02-01,,Pro,1,10,120,False,False,False,False,"
        "monthly,True",
    )

    report = import_ravenstack(memory, path)

    assert [(p.line, p.reason) for p in report.rejected] == [
        (5, "name: must be at most 200 characters, got 100,000")
    ]
    assert report.imported == 3


def test_a_date_in_another_script_s_digits_rejects_its_row(
    memory: B2BCore, tmp_path: Path
) -> None:
    # \d takes ٢ (Arabic-Indic two): the date was read as 2024-01-02.
    path = accounts(
        tmp_path, account_row("A1", "Alpha", "٢٠٢٤-٠١-٠٢"), account_row("A2", "Beta")
    )

    report = import_csv(memory, "accounts", path)

    assert [(p.line, p.column) for p in report.rejected] == [(2, "registered_on")]
    assert report.imported == 1


@pytest.mark.parametrize("cell", ["²", "٣", "1_0", "-1", "1.0"])
def test_a_whole_number_is_written_in_ascii_digits(cell: str) -> None:
    with pytest.raises(ValueError, match="is not a whole number"):
        whole_number(cell)
