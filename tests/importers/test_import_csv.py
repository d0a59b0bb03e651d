"""b2bcore's own CSV formats: the examples of docs/csv-formats.md import as
documented on every store, re-import records nothing, and every bad row is
reported with its line and column while the good ones are imported."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from b2bcore import (
    AssetStatus,
    B2BCore,
    LossReason,
    ObsoleteReason,
    Outcome,
    deterministic_id,
)
from b2bcore_adapters.importers import (
    ImportFileError,
    ImportReport,
    ImportUsageError,
    import_csv,
)
from b2bcore_adapters.importers.run import Entry, ImportRun
from tests.importers.importing import where, write

DOCUMENT = Path(__file__).parents[2] / "docs" / "csv-formats.md"
EXAMPLE = re.compile(r"^```csv (\S+)\.csv\n(.*?)^```", re.MULTILINE | re.DOTALL)
#: The order the formats are imported in.
KINDS = ("accounts", "opportunities", "assets", "asset-events", "opportunity-events")


def examples() -> dict[str, str]:
    """The example file of each kind, as docs/csv-formats.md shows it."""
    return dict(EXAMPLE.findall(DOCUMENT.read_text(encoding="utf-8")))


def import_examples(core: B2BCore, folder: Path) -> dict[str, ImportReport]:
    return {
        kind: import_csv(core, kind, write(folder, f"{kind}.csv", examples()[kind]))
        for kind in KINDS
    }


def asset(key: str) -> UUID:
    return deterministic_id("asset", key)


def deal(key: str) -> UUID:
    return deterministic_id("opportunity", key)


@pytest.fixture
def memory(tmp_path: Path) -> Iterator[B2BCore]:
    """A store with the documented examples imported."""
    with B2BCore.open("memory://") as core:
        import_examples(core, tmp_path)
        yield core


# -- the documented examples --------------------------------------------------


def test_every_format_has_an_example() -> None:
    assert sorted(examples()) == sorted(KINDS)


def test_the_examples_import_without_a_problem(core: B2BCore, tmp_path: Path) -> None:
    reports = import_examples(core, tmp_path)

    assert {kind: r.rejected for kind, r in reports.items()} == dict.fromkeys(KINDS, ())
    assert {kind: r.imported for kind, r in reports.items()} == {
        kind: len(examples()[kind].strip().splitlines()) - 1 for kind in KINDS
    }


def test_importing_the_examples_again_records_nothing(
    core: B2BCore, tmp_path: Path
) -> None:
    first = import_examples(core, tmp_path)
    before = core.log_position()

    again = import_examples(core, tmp_path)

    assert core.log_position() == before
    assert {kind: (r.imported, r.already_present) for kind, r in again.items()} == {
        kind: (0, r.imported) for kind, r in first.items()
    }


def test_an_asset_row_purchases_installs_and_retires_the_asset(
    memory: B2BCore,
) -> None:
    van = memory.asset(asset("HYO-CAR-2"))
    trial = memory.asset(asset("ACME-TRIAL"))

    assert (van.status, van.obsolete_on, van.obsolete_reason) == (
        AssetStatus.OBSOLETE,
        date(2023, 11, 30),
        ObsoleteReason.BUDGET,
    )
    assert (van.installed_on, van.usage_end_on, van.upsell) == (
        date(2023, 2, 5),
        None,
        True,
    )
    assert (trial.status, str(trial.value), len(trial.installments)) == (
        AssetStatus.PURCHASED,
        "0.00 USD",
        0,
    )
    assert trial.order_reference == "ACME-TRIAL"


def test_asset_events_are_applied_in_file_order(memory: B2BCore) -> None:
    car = memory.asset(asset("HYO-CAR-1"))

    assert car.usage_end_on == date(2025, 1, 19)
    assert len(car.installments) == 24
    assert [p.number for p in car.payments] == [1]
    assert car.inspections[0].findings == "brakes replaced"
    assert car.satisfaction[0].score == 6
    assert car.usage[0].distance_km == 18300
    assert car.competitor_contacts[0].competitor == "SoCar"


def test_opportunity_rows_and_events_close_the_deals(memory: B2BCore) -> None:
    renewal = memory.opportunity(deal("HYO-2024-RENEW"))
    expansion = memory.opportunity(deal("ACME-EXPANSION"))
    lead = memory.opportunity(deal("NEW-LEAD"))

    assert (renewal.outcome, str(renewal.won_value)) == (Outcome.WON, "24,500,000 KRW")
    assert renewal.close_reason == "signed after VRB"
    assert renewal.competitors == ("SoCar", "GreenCar")
    assert (expansion.loss_reason, expansion.lost_to) == (
        LossReason.PRICE,
        "GreenCar",
    )
    assert [move.tier for move in lead.tier_history] == [4, 3, 0]
    assert lead.account_id is None
    assert lead.postmortem is not None
    assert lead.postmortem.lessons == ("keep the VRB short",)


# -- bad rows -----------------------------------------------------------------


def test_bad_account_rows_are_reported(memory: B2BCore, tmp_path: Path) -> None:
    report = import_csv(
        memory,
        "accounts",
        write(
            tmp_path,
            "accounts.csv",
            """
            account,name,grade,sector,region,country,business_line,preferred_channel,registered_on
            NEW,New Co,standard,retail,Busan,KR,domestic,fax,2024-13-01
            NEW2,,vip,retail,Busan,KR,abroad,,2024-01-01
            NEW,New Co again,standard,retail,Busan,KR,domestic,,2024-01-01
            GOOD,Good Co,major,retail,Busan,KR,domestic,email,2024-01-01
            """,
        ),
    )

    assert where(report.rejected) == {
        (2, "preferred_channel"),
        (2, "registered_on"),
        (3, "name"),
        (3, "grade"),
        (3, "business_line"),
    }
    assert report.imported == 2
    assert not memory.exists(deterministic_id("account", "NEW2"))


def test_a_duplicate_key_is_rejected(memory: B2BCore, tmp_path: Path) -> None:
    report = import_csv(
        memory,
        "accounts",
        write(
            tmp_path,
            "accounts.csv",
            """
            account,name,grade,sector,region,country,business_line,registered_on
            NEW,New Co,standard,retail,Busan,KR,domestic,2024-01-01
            NEW,New Co again,standard,retail,Busan,KR,domestic,2024-01-01
            """,
        ),
    )

    assert [str(p) for p in report.rejected] == [
        "accounts.csv:3: account: duplicate of line 2"
    ]


def test_bad_asset_rows_are_reported_and_record_nothing(
    memory: B2BCore, tmp_path: Path
) -> None:
    report = import_csv(
        memory,
        "assets",
        write(
            tmp_path,
            "assets.csv",
            """
            asset,account,product,contact,value,currency,owner,purchased_on,installments,installed_on,usage_end_on,obsolete_on,obsolete_reason
            A1,NOBODY,Sedan,Kim,100,KRW,park,2024-01-01,,,,,
            A2,HYO,Sedan,Kim,-100,XXX,park,2024-01-01,,,,,
            A3,HYO,Sedan,Kim,100.5,KRW,park,2024-01-01,,,,,
            A4,HYO,Sedan,Kim,100,KRW,park,2024-01-01,,,2024-12-31,,
            A5,HYO,Sedan,Kim,100,KRW,park,2024-01-01,,2024-01-05,2024-01-04,,
            A6,HYO,Sedan,Kim,100,KRW,park,2024-01-01,,2024-01-05,,2024-01-03,price
            A7,HYO,Sedan,Kim,100,KRW,park,2024-01-01,,,,2024-02-01,replaced
            A8,HYO,Trial,Kim,0,KRW,park,2024-01-01,2,,,,
            A9,HYO,Sedan,Kim,100,KRW,park,2023-12-31,,,,,
            """,
        ),
    )

    assert where(report.rejected) == {
        (2, "account"),
        (3, "value"),
        (3, "currency"),
        (4, "value"),
        (5, "usage_end_on"),
        (6, "usage_end_on"),
        (7, "obsolete_on"),
        (8, "obsolete_reason"),
        (9, "installments"),
    }
    assert report.imported == 1
    assert not any(memory.exists(asset(f"A{n}")) for n in range(1, 9))


def test_the_reason_names_the_rule(memory: B2BCore, tmp_path: Path) -> None:
    report = import_csv(
        memory,
        "assets",
        write(
            tmp_path,
            "assets.csv",
            """
            asset,account,product,contact,value,currency,owner,purchased_on,installed_on
            A1,NOBODY,Sedan,Kim,100,KRW,park,2024-01-01,
            A2,HYO,Sedan,Kim,100,KRW,park,2024-01-01,2023-12-01
            """,
        ),
    )

    assert [str(p) for p in report.rejected] == [
        "assets.csv:2: account: account 'NOBODY' is not recorded: import "
        "accounts.csv first",
        "assets.csv:3: installed_on: 2023-12-01 is before the purchase on 2024-01-01",
    ]


def test_bad_opportunity_rows_are_reported(memory: B2BCore, tmp_path: Path) -> None:
    report = import_csv(
        memory,
        "opportunities",
        write(
            tmp_path,
            "opportunities.csv",
            """
            opportunity,account,name,amount,currency,owner,business_line,region,country,product,expected_close_on,opened_on,tier,outcome,closed_on,close_reason
            D1,HYO,Deal,0,KRW,park,domestic,Seoul,KR,Sedan,2024-06-30,2024-01-01,,,,
            D2,HYO,Deal,100,KRW,park,domestic,Seoul,KR,Sedan,2024-06-30,2024-01-01,0,won,,
            D3,HYO,Deal,100,KRW,park,domestic,Seoul,KR,Sedan,2024-06-30,2024-01-01,,dropped,2024-02-01,
            D4,HYO,Deal,100,KRW,park,domestic,Seoul,KR,Sedan,2024-06-30,2024-01-01,,lost,2023-12-01,
            D5,HYO,Deal,100,KRW,park,domestic,Seoul,KR,Sedan,2024-06-30,2024-01-01,,,2024-02-01,
            D6,HYO,Deal,100,KRW,park,domestic,Seoul,KR,Sedan,2024-06-30,2024-01-01,,dropped,2024-02-01,budget
            """,
        ),
    )

    assert where(report.rejected) == {
        (2, "amount"),
        (3, "tier"),
        (4, "close_reason"),
        (5, "closed_on"),
        (6, "outcome"),
    }
    assert memory.opportunity(deal("D6")).outcome is Outcome.DROPPED


def test_bad_event_rows_are_reported_and_the_good_ones_recorded(
    memory: B2BCore, tmp_path: Path
) -> None:
    before = memory.asset(asset("HYO-CAR-1"))

    report = import_csv(
        memory,
        "asset-events",
        write(
            tmp_path,
            "asset-events.csv",
            """
            asset,event,on,usage_end_on,score,number,amount,note
            HYO-CAR-1,satisfaction,2024-02-01,,9,,,much better
            HYO-CAR-1,satisfaction,2024-02-02,,11,,,
            HYO-CAR-1,repainted,2024-02-03,,,,,
            NOBODY,satisfaction,2024-02-04,,5,,,
            HYO-CAR-1,renewed,2024-02-05,,,,,
            HYO-CAR-1,installment-paid,2024-02-06,,,2,1,
            HYO-CAR-1,satisfaction,2024-02-01,,9,,,much better
            ACME-TRIAL,satisfaction,2024-02-01,,9,,,
            HYO-CAR-1,installment-paid,2024-02-06,,,2,1983333,
            """,
        ),
    )

    assert where(report.rejected) == {
        (3, "score"),
        (4, "event"),
        (5, "asset"),
        (6, "usage_end_on"),
        (7, "amount"),
        (8, ""),
        (9, "event"),
    }
    after = memory.asset(asset("HYO-CAR-1"))
    assert after.version == before.version + 2
    assert [s.score for s in after.satisfaction] == [6, 9]
    assert [p.number for p in after.payments] == [1, 2]


def test_an_event_row_imported_again_is_already_present(
    memory: B2BCore, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "asset-events.csv",
        """
        asset,event,on,score
        HYO-CAR-1,satisfaction,2024-02-01,9
        """,
    )
    import_csv(memory, "asset-events", path)
    write(
        tmp_path,
        "asset-events.csv",
        """
        asset,event,on,score
        HYO-CAR-1,satisfaction,2024-02-01,9
        HYO-CAR-1,satisfaction,2024-03-01,8
        """,
    )

    report = import_csv(memory, "asset-events", path)

    assert (report.imported, report.already_present) == (1, 1)


def test_event_rows_another_writer_recorded_meanwhile_are_already_present(
    memory: B2BCore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(
        tmp_path,
        "asset-events.csv",
        """
        asset,event,on,score
        HYO-CAR-1,satisfaction,2024-02-01,9
        HYO-CAR-1,satisfaction,2024-03-01,8
        """,
    )
    record = ImportRun.record

    def after_another_import(
        run: ImportRun, entries: Sequence[Entry], *, new: bool = True
    ) -> None:
        # Another writer records the same rows between the read and the
        # record: the batch is refused, each row read again and found there.
        monkeypatch.setattr(ImportRun, "record", record)
        import_csv(memory, "asset-events", path)
        record(run, entries, new=new)

    monkeypatch.setattr(ImportRun, "record", after_another_import)

    report = import_csv(memory, "asset-events", path)

    assert (report.imported, report.already_present, report.rejected) == (0, 2, ())
    assert [s.score for s in memory.asset(asset("HYO-CAR-1")).satisfaction] == [
        6,
        9,
        8,
    ]


def test_bad_opportunity_event_rows_are_reported(
    memory: B2BCore, tmp_path: Path
) -> None:
    import_csv(
        memory,
        "opportunities",
        write(
            tmp_path,
            "opportunities.csv",
            """
            opportunity,account,name,amount,currency,owner,business_line,region,country,product,expected_close_on,opened_on
            OPEN1,HYO,Deal,100,KRW,park,domestic,Seoul,KR,Sedan,2024-06-30,2024-01-01
            """,
        ),
    )

    report = import_csv(
        memory,
        "opportunity-events",
        write(
            tmp_path,
            "opportunity-events.csv",
            """
            opportunity,event,on,tier,gate,findings,reason
            ACME-EXPANSION,tier-changed,2024-05-01,2,,,
            HYO-2024-RENEW,postmortem,2024-08-01,,,,
            OPEN1,gate-reviewed,2024-02-01,,1,money: too much,
            OPEN1,dropped,2024-02-01,,,,
            OPEN1,gate-passed,2024-02-01,,2,,
            OPEN1,tier-changed,2024-02-01,3,,,
            """,
        ),
    )

    assert where(report.rejected) == {
        (2, "tier"),
        (3, "note"),
        (4, "findings"),
        (5, "reason"),
        (6, "gate"),
    }
    assert memory.opportunity(deal("OPEN1")).tier == 3


def test_quoted_cells_may_hold_commas_and_lines(
    memory: B2BCore, tmp_path: Path
) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text(
        "account,name,grade,sector,region,country,business_line,registered_on\n"
        'Q1,"Quote, Inc.",key,"retail\nand more",Seoul,KR,domestic,2024-01-01\n'
        "Q2,Bad,key,retail,Seoul,KR,domestic,2024-01-99\n",
        encoding="utf-8",
    )

    report = import_csv(memory, "accounts", path)

    assert where(report.rejected) == {(4, "registered_on")}
    assert memory.account(deterministic_id("account", "Q1")).name == "Quote, Inc."


# -- files that cannot be read ------------------------------------------------


@pytest.mark.parametrize(
    ("content", "line", "column"),
    [
        (b"", 1, ""),
        (b"account,name\nX,Y\n", 1, "grade"),
        ("account,name,grade\nX,Société,key\n".encode("latin-1"), 2, ""),
    ],
    ids=["empty", "missing columns", "latin-1"],
)
def test_a_file_that_cannot_be_read_records_nothing(
    memory: B2BCore, tmp_path: Path, content: bytes, line: int, column: str
) -> None:
    path = tmp_path / "accounts.csv"
    path.write_bytes(content)
    before = memory.log_position()

    report = import_csv(memory, "accounts", path)

    assert (line, column) in where(report.rejected)
    assert report.unreadable == ("accounts.csv",)
    assert report.exit_code == 3
    assert memory.log_position() == before


def test_a_column_the_header_names_twice_makes_the_file_unreadable(
    memory: B2BCore, tmp_path: Path
) -> None:
    """Which of two ``name`` cells is the name is anybody's guess: the file
    records nothing (the last one won: the account was named "Second")."""
    header = "account,name,name,grade,sector,region,country,business_line,registered_on"
    before = memory.log_position()
    path = write(
        tmp_path,
        "accounts.csv",
        f"{header}\nD1,First,Second,key,retail,Seoul,KR,domestic,2024-01-01",
    )

    report = import_csv(memory, "accounts", path)

    assert [str(p) for p in report.rejected] == [
        "accounts.csv:1: name: the header names the column more than once"
    ]
    assert report.unreadable == ("accounts.csv",)
    assert memory.log_position() == before
    assert not memory.exists(deterministic_id("account", "D1"))


def test_a_quote_never_closed_is_named_as_the_likely_cause(
    memory: B2BCore, tmp_path: Path
) -> None:
    header = "account,name,grade,sector,region,country,business_line,registered_on"
    path = write(
        tmp_path,
        "accounts.csv",
        f"{header}\n"
        "Q1,Alpha,key,retail,Seoul,KR,domestic,2024-01-01\n"
        'Q2,"Beta,key,retail,Seoul,KR,domestic,2024-01-01\n'
        "Q3,Gamma,key,retail,Seoul,KR,domestic,2024-01-01\n",
    )

    report = import_csv(memory, "accounts", path)

    assert [str(p) for p in report.rejected] == [
        "accounts.csv:3: the row has 2 fields, the header 8: "
        "a quote in it may never close"
    ]
    assert report.imported == 1


def test_every_missing_column_is_named(memory: B2BCore, tmp_path: Path) -> None:
    report = import_csv(
        memory, "accounts", write(tmp_path, "accounts.csv", "account,name\nX,Y")
    )

    assert {p.column for p in report.rejected} == {
        "grade",
        "sector",
        "region",
        "country",
        "business_line",
        "registered_on",
    }


def test_an_unknown_kind_is_a_usage_error(memory: B2BCore, tmp_path: Path) -> None:
    with pytest.raises(ImportUsageError, match="unknown CSV kind 'leads'"):
        import_csv(memory, "leads", tmp_path / "leads.csv")


def test_a_missing_file_is_a_usage_error(memory: B2BCore, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no such file"):
        import_csv(memory, "assets", tmp_path / "elsewhere" / "assets.csv")
