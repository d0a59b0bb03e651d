"""The RavenStack import: the real subscription table end to end (its
figures equal a plain count over the CSV), re-import, and files with broken
rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import attrs
import pytest

from b2bcore import (
    AssetStatus,
    B2BCore,
    Grade,
    deterministic_id,
)
from b2bcore.domain.asset import Asset
from b2bcore.reports.asset_kpis import ChurnReason
from b2bcore_adapters.importers import (
    ImportFileError,
    ImportReport,
    import_ravenstack,
)
from b2bcore_adapters.importers import run as import_run
from tests.importers.importing import csv_rows, shared_data, where, write


def asset_id(subscription_id: str) -> UUID:
    return deterministic_id("asset", f"ravenstack:{subscription_id}")


def account_id(account: str) -> UUID:
    return deterministic_id("account", f"ravenstack:{account}")


# -- the real table -----------------------------------------------------------


@attrs.frozen
class Imported:
    core: B2BCore
    report: ImportReport
    path: Path
    rows: list[dict[str, str]]

    def assets(self) -> list[Asset]:
        return list(self.core.projector.states(Asset))

    def where(self, column: str, value: str = "True") -> list[dict[str, str]]:
        return [row for row in self.rows if row[column] == value]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    path = shared_data("ravenstack") / "ravenstack_subscriptions.csv"
    url = f"sqlite:///{tmp_path_factory.mktemp('ravenstack') / 'b2bcore.db'}"
    with B2BCore.open(url) as core:
        report = import_ravenstack(core, path)
        yield Imported(core, report, path, csv_rows(path))


def test_every_subscription_is_imported(imported: Imported) -> None:
    report = imported.report

    assert (report.read, report.imported) == (len(imported.rows),) * 2
    assert report.rejected == report.warnings == ()
    assert report.exit_code == 0


def test_churned_subscriptions_are_obsolete_for_an_unknown_reason(
    imported: Imported,
) -> None:
    churned = imported.where("churn_flag")
    first = min(row["start_date"] for row in imported.rows)
    last = max(row["end_date"] or row["start_date"] for row in imported.rows)

    kpis = imported.core.asset_kpis(
        start=date.fromisoformat(first), end=date.fromisoformat(last)
    )

    assert kpis.churned == len(churned) == 486
    assert kpis.churned_by_reason[ChurnReason.UNKNOWN] == len(churned)
    assert kpis.end_active == len(imported.rows) - len(churned)
    assert kpis.customers == len({row["account_id"] for row in imported.rows})


def test_paid_subscriptions_are_paid_on_time_on_their_start_date(
    imported: Imported,
) -> None:
    paid = [row for row in imported.rows if row["arr_amount"] != "0"]

    kpis = imported.core.asset_kpis(start=date(2023, 1, 1), end=date(2024, 12, 31))

    assert kpis.payments == kpis.payments_on_time == len(paid)
    assert dict(kpis.receivables_outstanding) == {}


def test_upgrade_flags_are_upsells(imported: Imported) -> None:
    upsells = sum(1 for asset in imported.assets() if asset.upsell)

    assert upsells == len(imported.where("upgrade_flag")) == 529


def test_trials_are_free_assets(imported: Imported) -> None:
    free = [a for a in imported.assets() if a.value.amount == 0]

    assert len(free) == len(imported.where("arr_amount", "0")) == 778
    assert all(a.installments == [] for a in free)


def test_the_value_is_the_arr_in_dollars(imported: Imported) -> None:
    total = sum(Decimal(row["arr_amount"]) for row in imported.rows)

    values = [a.value for a in imported.assets()]

    assert {v.currency for v in values} == {"USD"}
    assert sum(v.amount for v in values) == total


def test_a_subscription_ending_on_its_start_day_is_installed_and_obsolete_that_day(
    imported: Imported,
) -> None:
    same_day = [row for row in imported.rows if row["end_date"] == row["start_date"]]

    views = [imported.core.asset(asset_id(row["subscription_id"])) for row in same_day]

    assert len(views) == 13
    assert all(v.status is AssetStatus.OBSOLETE for v in views)
    assert all(v.installed_on == v.obsolete_on for v in views)


def test_an_open_subscription_is_installed_without_a_usage_end(
    imported: Imported,
) -> None:
    row = next(r for r in imported.rows if r["churn_flag"] == "False")

    view = imported.core.asset(asset_id(row["subscription_id"]))

    assert view.status is AssetStatus.INSTALLED
    assert view.usage_end_on is None
    assert (
        view.installed_on == view.purchased_on == date.fromisoformat(row["start_date"])
    )
    assert (view.product, view.order_reference) == (
        row["plan_tier"],
        row["subscription_id"],
    )


def test_an_account_is_registered_on_its_first_start_date(imported: Imported) -> None:
    account = imported.rows[0]["account_id"]
    first = min(
        row["start_date"] for row in imported.rows if row["account_id"] == account
    )

    view = imported.core.account(account_id(account))

    assert view.registered_on == date.fromisoformat(first)
    assert (view.name, view.grade) == (account, Grade.STANDARD)


def test_importing_the_table_again_records_nothing(imported: Imported) -> None:
    before = imported.core.log_position()

    again = import_ravenstack(imported.core, imported.path)

    assert imported.core.log_position() == before
    assert (again.imported, again.already_present) == (0, len(imported.rows))


# -- small tables written for a test ------------------------------------------

HEADER = (
    "subscription_id,account_id,start_date,end_date,plan_tier,seats,mrr_amount,"
    "arr_amount,is_trial,upgrade_flag,downgrade_flag,churn_flag,billing_frequency,"
    "auto_renew_flag"
)
GOOD = """
S-1,A-1,2023-12-23,2024-04-12,Enterprise,14,2786,33432,False,False,False,True,monthly,True
S-2,A-1,2024-06-11,,Pro,17,833,9996,False,True,False,False,monthly,True
S-3,A-2,2024-11-25,,Enterprise,62,0,0,True,False,False,False,annual,False
"""


@pytest.fixture
def memory() -> Iterator[B2BCore]:
    with B2BCore.open("memory://") as core:
        yield core


def table(folder: Path, rows: str) -> Path:
    return write(folder, "subscriptions.csv", HEADER + "\n" + rows)


def test_each_bad_cell_is_reported_and_its_row_records_nothing(
    memory: B2BCore, tmp_path: Path
) -> None:
    path = table(
        tmp_path,
        GOOD
        + """
        S-4,A-3,2024-02-30,,Pro,1,10,120,False,False,False,False,monthly,True
        S-5,A-3,2024-02-01,,Pro,1,10,-120,False,maybe,False,False,monthly,True
        S-6,A-3,2024-02-01,,Pro,1,10,120,False,False,False,True,monthly,True
        S-7,A-3,2024-02-01,2024-01-01,Pro,1,10,120,False,False,False,True,monthly,True
        S-8,A-3,2024-02-01,2024-03-01,Pro,1,10,120,False,False,False,False,monthly,True
        S-9,A-3,2024-02-01,,,1,10,120.001,False,False,False,False,monthly,True
        S-1,A-3,2024-02-01,,Pro,1,10,120,False,False,False,False,monthly,True
        """,
    )

    report = import_ravenstack(memory, path)

    assert where(report.rejected) == {
        (5, "start_date"),
        (6, "arr_amount"),
        (6, "upgrade_flag"),
        (7, "end_date"),
        (8, "end_date"),
        (9, "end_date"),
        (10, "plan_tier"),
        (11, "subscription_id"),
    }
    assert (report.imported, report.exit_code) == (3, 3)
    assert not any(memory.exists(asset_id(f"S-{n}")) for n in range(4, 10))
    assert not memory.exists(account_id("A-3"))


def test_an_amount_finer_than_a_cent_is_refused(
    memory: B2BCore, tmp_path: Path
) -> None:
    path = table(
        tmp_path,
        "S-9,A-3,2024-02-01,,Pro,1,10,120.001,False,False,False,False,monthly,True",
    )

    report = import_ravenstack(memory, path)

    assert [(p.column, p.reason) for p in report.rejected] == [
        ("arr_amount", "120.001 USD has more decimals than the currency's 2")
    ]


def test_an_amount_beyond_the_largest_rejects_its_row_on_a_durable_store(
    sqlite_url: str, tmp_path: Path
) -> None:
    """19 digits of cents: recorded, it stopped SQLite's read models (a 64-bit
    integer column) and every import and report after it."""
    path = table(
        tmp_path,
        GOOD
        + "S-9,A-3,2024-02-01,,Pro,1,10,"
        + "9" * 17
        + ",False,False,False,False,monthly,True",
    )

    with B2BCore.open(sqlite_url) as core:
        report = import_ravenstack(core, path)
        renewals = core.renewal_queue(as_of=date(2024, 6, 1), within=3650)

    assert [(p.line, p.column) for p in report.rejected] == [(5, "arr_amount")]
    assert "is beyond the largest amount" in report.rejected[0].reason
    assert report.imported == 3
    assert {item.asset_id for item in renewals} <= {
        asset_id(f"S-{n}") for n in (1, 2, 3)
    }


def test_an_account_is_registered_by_its_first_good_subscription(
    memory: B2BCore, tmp_path: Path
) -> None:
    path = table(
        tmp_path,
        """
        S-1,A-1,2023-01-05,,Pro,1,10,-1,False,False,False,False,monthly,True
        S-2,A-1,2023-03-01,,Pro,1,10,120,False,False,False,False,monthly,True
        S-3,A-1,2023-02-01,,Pro,1,10,120,False,False,False,False,monthly,True
        """,
    )

    import_ravenstack(memory, path)

    assert memory.account(account_id("A-1")).registered_on == date(2023, 2, 1)


def test_a_subscription_a_rule_refuses_leaves_its_account_to_the_next(
    store_url: str, tmp_path: Path
) -> None:
    # S-1's cells parse, but recording it is refused (a product name longer
    # than a name may be): nothing of it stays in the batch, its account's
    # registration neither, and S-2 registers the account.
    path = table(
        tmp_path,
        f"""
        S-1,A-1,2023-01-05,,{"p" * 300},1,10,120,False,False,False,False,monthly,True
        S-2,A-1,2023-03-01,,Pro,1,10,120,False,False,False,False,monthly,True
        """,
    )
    with B2BCore.open(store_url) as core:
        report = import_ravenstack(core, path)

        assert where(report.rejected) == {(2, "plan_tier")}
        assert report.imported == 1
        assert not core.exists(asset_id("S-1"))
        assert core.account(account_id("A-1")).registered_on == date(2023, 3, 1)


def test_a_file_without_a_needed_column_records_nothing(
    memory: B2BCore, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "subscriptions.csv",
        HEADER.replace(",churn_flag", "") + GOOD,
    )

    report = import_ravenstack(memory, path)

    assert where(report.rejected) == {(1, "churn_flag")}
    assert (report.imported, memory.log_position()) == (0, 0)


def test_a_latin_1_file_is_rejected_at_its_first_bad_byte(
    memory: B2BCore, tmp_path: Path
) -> None:
    path = tmp_path / "subscriptions.csv"
    path.write_bytes(
        (
            HEADER
            + GOOD
            + "S-4,A-é,2024-02-01,,Pro,1,10,120,False,False,False,False,m,T\n"
        ).encode("latin-1")
    )

    report = import_ravenstack(memory, path)

    assert where(report.rejected) == {(5, "")}
    assert "not UTF-8" in report.rejected[0].reason
    assert memory.log_position() == 0


def test_an_empty_file_is_rejected(memory: B2BCore, tmp_path: Path) -> None:
    path = tmp_path / "subscriptions.csv"
    path.write_bytes(b"")

    report = import_ravenstack(memory, path)

    assert [str(p) for p in report.rejected] == [
        "subscriptions.csv:1: the file is empty"
    ]
    assert report.exit_code == 3


def test_a_header_without_rows_imports_nothing_and_is_fine(
    memory: B2BCore, tmp_path: Path
) -> None:
    report = import_ravenstack(memory, write(tmp_path, "subscriptions.csv", HEADER))

    assert (report.read, report.exit_code) == (0, 0)


def test_a_utf8_file_with_a_byte_order_mark_is_read(
    memory: B2BCore, tmp_path: Path
) -> None:
    path = tmp_path / "subscriptions.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8-sig")

    report = import_ravenstack(memory, path)

    assert (report.imported, report.exit_code) == (3, 0)


def test_rows_another_writer_recorded_meanwhile_are_already_present(
    memory: B2BCore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = table(tmp_path, GOOD)
    import_ravenstack(memory, path)
    before = memory.log_position()
    missed(memory, monkeypatch, looks=2)

    report = import_ravenstack(memory, path)

    assert (report.imported, report.already_present, report.rejected) == (0, 3, ())
    assert memory.log_position() == before


def missed(core: B2BCore, monkeypatch: pytest.MonkeyPatch, *, looks: int) -> None:
    """The first ``looks`` look-ups of recorded aggregates miss them all, as
    when another import records them between each look-up and the save:
    the batch fails, then each row saved alone fails and looks again."""
    existing = core.existing
    left = [looks]

    def looking(aggregate_ids: Iterable[UUID]) -> frozenset[UUID]:
        left[0] -= 1
        return frozenset() if left[0] >= 0 else existing(aggregate_ids)

    monkeypatch.setattr(core, "existing", looking)


def test_a_row_whose_account_another_writer_recorded_meanwhile_is_imported(
    memory: B2BCore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # S-2's account A-1 is recorded with S-1; both look-ups miss it.
    import_ravenstack(memory, table(tmp_path, GOOD.strip().splitlines()[0]))
    missed(memory, monkeypatch, looks=2)

    report = import_ravenstack(memory, table(tmp_path, GOOD))

    assert (report.imported, report.already_present, report.rejected) == (2, 1, ())
    assert memory.existing([asset_id("S-2"), asset_id("S-3")]) == {
        asset_id("S-2"),
        asset_id("S-3"),
    }


def test_a_row_refused_by_an_aggregate_no_look_up_finds_is_rejected(
    memory: B2BCore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_ravenstack(memory, table(tmp_path, GOOD.strip().splitlines()[0]))
    missed(memory, monkeypatch, looks=100)

    report = import_ravenstack(memory, table(tmp_path, GOOD))

    assert (report.imported, report.already_present) == (1, 0)
    assert [p.reason for p in report.rejected] == [
        f"account {account_id('A-1')}: already exists"
    ] * 2
    assert not memory.exists(asset_id("S-2"))


def test_a_reimport_asks_once_per_batch_which_aggregates_are_there(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = table(tmp_path, GOOD)
    # Batches of 2 rows: S-1 and S-2 of account A-1, then S-3 of A-2; each
    # row makes its asset, and its account unless there.
    monkeypatch.setattr(import_run, "BATCH_SIZE", 2)
    with B2BCore.open(store_url) as core:
        import_ravenstack(core, path)
        before = core.log_position()
        asked: list[set[UUID]] = []
        existing = core.existing

        def asking(aggregate_ids: Iterable[UUID]) -> frozenset[UUID]:
            ids = set(aggregate_ids)
            asked.append(ids)
            return existing(ids)

        monkeypatch.setattr(core, "existing", asking)
        monkeypatch.setattr(core, "exists", None)  # never asked one by one

        report = import_ravenstack(core, path)

        assert core.log_position() == before
    assert (report.imported, report.already_present, report.rejected) == (0, 3, ())
    assert asked == [
        {account_id("A-1"), asset_id("S-1"), asset_id("S-2")},
        {account_id("A-2"), asset_id("S-3")},
    ]


def test_a_reimport_records_the_rows_not_there_yet(
    store_url: str, tmp_path: Path
) -> None:
    with B2BCore.open(store_url) as core:
        import_ravenstack(core, table(tmp_path, GOOD.strip().splitlines()[0]))

        report = import_ravenstack(core, table(tmp_path, GOOD))

        assert core.exists(asset_id("S-3"))
    assert (report.imported, report.already_present, report.rejected) == (2, 1, ())


def test_a_missing_file_is_a_usage_error(memory: B2BCore, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no such file"):
        import_ravenstack(memory, tmp_path / "nothing.csv")
