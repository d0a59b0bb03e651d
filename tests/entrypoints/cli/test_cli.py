"""The `b2b` command line, run in-process against a SQLite file holding the
(주)효원 story: every query command as a table and as JSON, the documented
JSON shapes, and the exit codes."""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from b2bcore import B2BCore, FixedClock
from b2bcore.application.queries import BOUNDS
from b2bcore.domain.aggregate import MAX_WHOLE_NUMBER
from b2bcore.domain.ids import renewal_deal_id
from b2bcore.readmodels.projection import Projector
from b2bcore_adapters.demo.book import AS_OF, record_hyowon
from b2bcore_adapters.entrypoints.cli.main import main
from tests.helpers import lose_ev_pilot, purchase_asset, register_account
from tests.importers.importing import shared_data

DAY = AS_OF.isoformat()

#: The SQLite URL of the story's book, and its account, asset and deal ids.
Database = tuple[str, dict[str, str]]


@pytest.fixture
def database(tmp_path: Path) -> Database:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    with B2BCore.open(url, clock=FixedClock(AS_OF)) as core:
        account, asset, deal = record_hyowon(core)
        core.register_sales_rep(name="park.minjun", manager="choi", office="Suwon")
        lose_ev_pilot(core, account, asset)
    return url, {"account": str(account), "asset": str(asset), "deal": str(deal)}


def run(
    capsys: pytest.CaptureFixture[str], url: str, *arguments: str
) -> tuple[int, str, str]:
    code = main(["--db", url, *arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], url: str, *arguments: str) -> Any:
    code, out, err = run(capsys, url, *arguments, "--json")
    assert (code, err) == (0, "")
    return json.loads(out)


def test_renewals_list_the_key_accounts_asset(
    capsys: pytest.CaptureFixture[str], database: Database
) -> None:
    url, ids = database

    (item,) = run_json(capsys, url, "renewals", "--as-of", DAY, "--within", "90")
    health = item.pop("health")

    assert (health["score"], health["likelihood"]) == (84, "high")
    assert health["score"] == sum(health["points"].values())
    assert item == {
        "asset_id": ids["asset"],
        "account_id": ids["account"],
        "account": "(주)효원",
        "grade": "key",
        "product": "B2B car-sharing fleet (10 vehicles)",
        "usage_end_on": "2025-01-19",
        "days_left": 79,
        "bucket": 90,
        "value": {"amount": "23800000", "currency": "KRW"},
        "owner": "park.minjun",
        "risks": [],
        "deal_id": str(renewal_deal_id(UUID(ids["asset"]), None)),
        "deal_tier": 3,
    }
    assert run_json(capsys, url, "renewals", "--as-of", DAY, "--within", "30") == []


def test_an_unrenewed_asset_is_listed_overdue_then_lapsed(
    capsys: pytest.CaptureFixture[str], database: Database
) -> None:
    url, ids = database

    (overdue,) = run_json(capsys, url, "renewals", "--as-of", "2025-01-20")
    (lapsed,) = run_json(capsys, url, "renewals", "--as-of", "2025-02-19")
    board = run_json(capsys, url, "dashboard", "--as-of", "2025-01-20")
    kpis = run_json(
        capsys, url, "asset-kpis", "--from", "2025-01-01", "--to", "2025-03-31"
    )
    code, table, _ = run(capsys, url, "renewals", "--as-of", "2025-01-20")

    assert (overdue["asset_id"], overdue["days_left"], overdue["bucket"]) == (
        ids["asset"],
        -1,
        "overdue",
    )
    assert (lapsed["days_left"], lapsed["bucket"]) == (-31, "lapsed")
    assert (board["overdue"], board["lapsed"]) == (1, 0)
    assert (kpis["retained"], kpis["churned"]) == (0, 1)
    assert kpis["churned_by_reason"]["lapsed"] == 1
    assert code == 0
    assert "overdue" in table


def test_pipeline_kpis_have_the_documented_keys(
    capsys: pytest.CaptureFixture[str], database: Database
) -> None:
    url, _ = database

    kpis = run_json(capsys, url, "pipeline-kpis", "--as-of", DAY, "--by", "manager")

    assert {
        "as_of",
        "open",
        "won",
        "lost",
        "dropped",
        "win_rate",
        "average_cycle_days",
        "won_value",
        "by",
    } <= set(kpis)
    assert (kpis["won"], kpis["lost"], kpis["win_rate"]) == (1, 1, 0.5)
    assert kpis["won_value"] == [{"amount": "14500000", "currency": "KRW"}]
    assert set(kpis["by"]) == {"choi", "unassigned"}
    assert kpis["by"]["choi"]["won"] == 1
    assert kpis["by"]["choi"]["by"] == {}
    assert run_json(capsys, url, "pipeline-kpis", "--as-of", DAY)["by"] == {}


def test_asset_kpis_have_the_documented_keys(
    capsys: pytest.CaptureFixture[str], database: Database
) -> None:
    url, _ = database

    kpis = run_json(
        capsys, url, "asset-kpis", "--from", "2024-01-01", "--to", "2024-12-31"
    )

    assert {
        "start_active",
        "end_active",
        "retained",
        "base_retention",
        "renewal_rate",
        "upsell_rate",
        "churned",
        "churned_by_reason",
    } <= set(kpis)
    assert (kpis["start_active"], kpis["end_active"], kpis["base_retention"]) == (
        0,
        1,
        None,
    )
    assert kpis["churned_by_reason"]["competitor"] == 0


def test_the_tier_report_has_rows_and_totals_per_tier(
    capsys: pytest.CaptureFixture[str], database: Database
) -> None:
    url, _ = database

    report = run_json(capsys, url, "tiers", "--by", "owner", "--as-of", DAY)

    assert report["as_of"] == DAY
    assert report["dimension"] == "owner"
    columns = report["columns"]
    assert columns == ["4", "3", "2", "1", "0-won", "0-lost", "0-dropped"]
    rows = {
        row["key"]: dict(zip(columns, row["cells"], strict=True))
        for row in report["rows"]
    }
    assert set(rows) == {"park.minjun", "kim.seoyeon"}
    assert rows["park.minjun"]["0-won"] == {
        "count": 1,
        "value": [{"amount": "14500000", "currency": "KRW"}],
    }
    assert rows["kim.seoyeon"]["0-lost"]["value"] == [
        {"amount": "23800000", "currency": "KRW"}
    ]
    assert rows["park.minjun"]["3"]["count"] == 1  # the fleet's renewal deal
    assert [cell["count"] for cell in report["column_totals"]] == [0, 1, 0, 0, 1, 1, 0]


def test_the_tier_report_as_of_an_earlier_date_shows_open_tiers(
    capsys: pytest.CaptureFixture[str], database: Database
) -> None:
    url, _ = database

    report = run_json(capsys, url, "tiers", "--by", "owner", "--as-of", "2024-10-10")

    (row,) = [row for row in report["rows"] if row["key"] == "park.minjun"]
    assert row["cells"][report["columns"].index("2")]["count"] == 1


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["alerts", "--as-of", DAY], "renewal"),
        (["dashboard", "--as-of", DAY], "Top assets (KRW)"),
        (["win-loss", "--as-of", DAY, "--by", "owner"], "Lotte Rental"),
        (["segments", "--as-of", DAY], "(주)효원"),
        (["projections", "status"], "opportunity_states"),
        (["renewals", "--as-of", DAY], "2025-01-19"),
        (["pipeline-kpis", "--as-of", DAY], "Pipeline on"),
        (["tiers", "--as-of", DAY, "--by", "region"], "Gyeonggi"),
        (["asset-kpis", "--from", "2024-01-01", "--to", DAY], "payment compliance"),
    ],
)
def test_every_query_prints_a_table(
    capsys: pytest.CaptureFixture[str],
    database: Database,
    command: list[str],
    expected: str,
) -> None:
    url, _ = database

    code, out, err = run(capsys, url, *command)

    assert (code, err) == (0, "")
    assert expected in out


def test_history_and_timeline_take_ids(
    capsys: pytest.CaptureFixture[str], database: Database
) -> None:
    url, ids = database

    story = run_json(capsys, url, "history", ids["account"], "--as-of", DAY)
    path = run_json(capsys, url, "timeline", ids["deal"], "--as-of", DAY)

    assert story["account"]["name"] == "(주)효원"
    assert len(story["assets"]) == 2
    assert path["outcome"] == "won"
    assert [s["tier"] for s in path["stints"]] == [4, 3, 2, 1]
    code, out, _ = run(capsys, url, "timeline", ids["deal"], "--as-of", DAY)
    assert code == 0
    assert "gate_passed" in out


def test_the_other_queries_give_json_too(
    capsys: pytest.CaptureFixture[str], database: Database
) -> None:
    url, _ = database

    (alert,) = run_json(capsys, url, "alerts", "--as-of", DAY)
    board = run_json(capsys, url, "dashboard", "--as-of", DAY)
    analysis = run_json(capsys, url, "win-loss", "--as-of", DAY, "--by", "owner")
    segments = run_json(capsys, url, "segments", "--as-of", DAY)

    assert (alert["kind"], alert["acknowledged"]) == ("renewal", False)
    assert board["renewals_due"] == {"30": 0, "60": 0, "90": 1}
    assert analysis["lost_to"] == {"Lotte Rental": 1}
    assert analysis["by"]["kim.seoyeon"]["lost"] == 1
    assert segments["ranking"][0]["name"] == "(주)효원"


def test_an_alert_is_acknowledged_from_the_command_line(
    capsys: pytest.CaptureFixture[str], database: Database
) -> None:
    url, _ = database
    (alert,) = run_json(capsys, url, "alerts", "--as-of", DAY)

    code, out, _ = run(
        capsys,
        url,
        "alert",
        "acknowledge",
        alert["id"],
        "--note",
        "called",
        "--on",
        DAY,
    )
    again, _, err = run(capsys, url, "alert", "acknowledge", alert["id"], "--on", DAY)

    assert code == 0
    assert json.loads(out) == {"id": alert["id"], "version": 1}
    assert again == 1
    assert err.startswith("error: alert ")
    assert "already acknowledged" in err
    assert run_json(capsys, url, "alerts", "--as-of", DAY, "--unacknowledged") == []


def test_a_refused_request_prints_one_line_and_exits_1(
    capsys: pytest.CaptureFixture[str], database: Database
) -> None:
    url, ids = database

    code, out, err = run(capsys, url, "timeline", ids["account"])

    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_debug_shows_the_traceback(
    capsys: pytest.CaptureFixture[str], database: Database
) -> None:
    url, ids = database

    code, _, err = run(capsys, url, "--debug", "timeline", ids["account"])

    assert code == 1
    assert "Traceback" in err


@pytest.mark.parametrize(
    "command",
    [["renewals", "--as-of", "2024-13-01"], ["timeline", "not-an-id"], ["no-such"]],
)
def test_a_usage_error_exits_2(
    capsys: pytest.CaptureFixture[str], database: Database, command: list[str]
) -> None:
    url, _ = database

    code, _, err = run(capsys, url, *command)

    assert code == 2
    assert "Error:" in err


@pytest.mark.parametrize(
    "command",
    [
        ["renewals", "--as-of", "9999-12-31"],
        ["renewals", "--within", "36500", "--as-of", "9999-01-01"],
    ],
)
def test_a_window_past_the_calendar_s_end_ends_there(
    capsys: pytest.CaptureFixture[str], database: Database, command: list[str]
) -> None:
    """It was ``error: out of range: date value out of range`` (exit 2)."""
    url, _ = database

    code, out, err = run(capsys, url, *command)

    assert (code, err) == (0, "")
    assert out.startswith("Renewals within")


def test_an_unexpected_failure_is_one_line_however_long(
    capsys: pytest.CaptureFixture[str],
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, _ = database

    def failing(self: B2BCore, **given: object) -> object:
        raise RuntimeError("the disk said no\n" * 50)

    monkeypatch.setattr(B2BCore, "renewal_queue", failing)

    code, _, err = run(capsys, url, "renewals")

    assert code == 1
    assert err.startswith("error: RuntimeError: the disk said no")
    assert err.count("\n") == 1


def test_a_chart_file_that_cannot_be_written_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], database: Database, tmp_path: Path
) -> None:
    url, _ = database
    chart = tmp_path / "a-folder-that-is-not-there" / "renewals.png"

    code, _, err = run(capsys, url, "renewals", "--chart", str(chart))

    assert code == 2
    assert f"Invalid value for --chart: {chart}: No such file or directory" in err


def test_projections_rebuild_reports_what_it_applied(
    capsys: pytest.CaptureFixture[str], database: Database
) -> None:
    url, _ = database

    code, out, _ = run(capsys, url, "projections", "rebuild")
    unknown, _, err = run(capsys, url, "projections", "rebuild", "--projection", "nope")

    assert code == 0
    assert "events applied" in out
    assert unknown == 2
    assert "no projection nope" in err


def test_the_database_comes_from_the_environment(
    capsys: pytest.CaptureFixture[str],
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, _ = database
    monkeypatch.setenv("B2BCORE_DATABASE_URL", url)

    code = main(["projections", "status", "--json"])
    status = json.loads(capsys.readouterr().out)

    assert code == 0
    assert status[0]["head"] > 0


def test_the_real_exports_import_from_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    maven = shared_data("maven-crm")
    ravenstack = shared_data("ravenstack") / "ravenstack_subscriptions.csv"
    url = f"sqlite:///{tmp_path / 'imports.db'}"

    first = run(capsys, url, "import", "maven-crm", str(maven))
    again = run(capsys, url, "import", "maven-crm", str(maven))
    subscriptions = run(capsys, url, "import", "ravenstack", str(ravenstack))
    kpis = run_json(capsys, url, "pipeline-kpis", "--as-of", "2017-12-31")

    assert first[0] == again[0] == subscriptions[0] == 0
    assert "warning:" in first[2]
    assert "already present" in again[1]
    assert (kpis["won"], kpis["lost"], kpis["open"]) == (4238, 2473, 2089)


def test_an_import_with_rejected_rows_exits_3(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'csv.db'}"
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(
        "account,name,grade,sector,region,country,business_line,"
        "preferred_channel,registered_on\n"
        "HYO,(주)효원,key,logistics,Seoul,KR,domestic,visit,2023-01-02\n"
        "BAD,Bad Co,gold,retail,Seoul,KR,domestic,,2023-01-02\n",
        encoding="utf-8",
    )

    code, _, err = run(capsys, url, "import", "csv", "accounts", str(accounts))

    assert code == 3
    assert "rejected: accounts.csv:3: grade:" in err


@pytest.mark.parametrize(
    "command",
    [["import", "csv", "nonsense", "x.csv"], ["import", "ravenstack", "missing.csv"]],
)
def test_a_misused_import_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'csv.db'}"

    code, _, err = run(capsys, url, *command)

    assert code == 2
    assert err.startswith("error:")


def test_the_demo_prints_renewals_pipeline_and_tiers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"

    code, out, _ = run(capsys, url, "demo", "--db", url, "--accounts", "20")

    assert code == 0
    assert "(주)효원" in out
    assert "Renewals within 90 days" in out
    assert "Pipeline on 2024-11-01" in out
    assert "Tier report by owner" in out


# -- the postmortem reports: --format text|json|html and --chart ---------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NO_CHARTS = "error: charts need matplotlib: pip install 'b2bcore[charts]'\n"


def lost_deal_with_postmortem(url: str, account: str) -> str:
    """The story's lost deal, given a postmortem; returns its id."""
    with B2BCore.open(url, clock=FixedClock(AS_OF)) as core:
        (lost,) = [
            d.deal_id
            for d in core.account_history(UUID(account), as_of=AS_OF).deals
            if d.name == "EV pilot"
        ]
        core.record_postmortem(
            lost,
            summary="price gap of 12 %",
            root_causes=["late discount approval"],
            lessons=["agree the discount band first"],
            on=AS_OF,
        )
    return str(lost)


def test_the_timeline_is_text_json_or_html(
    capsys: pytest.CaptureFixture[str], database: Database
) -> None:
    url, ids = database
    timeline = ["timeline", ids["deal"], "--as-of", DAY]

    text = run(capsys, url, *timeline)
    as_json = run(capsys, url, *timeline, "--format", "json")
    page = run(capsys, url, *timeline, "--format", "html")

    assert (text[0], text[2]) == (0, "")
    assert "Days in tier" in text[1]
    assert "insurance clause for night use" in text[1]
    assert json.loads(as_json[1]) == run_json(capsys, url, *timeline)
    assert (page[0], page[2]) == (0, "")
    assert page[1].startswith("<!DOCTYPE html>")
    assert "<svg" in page[1]
    assert not re.search(r"""(src|href)=["']?https?://""", page[1])


def test_a_lost_deals_timeline_names_the_competitor_and_the_postmortem(
    capsys: pytest.CaptureFixture[str], database: Database
) -> None:
    url, ids = database
    lost = lost_deal_with_postmortem(url, ids["account"])

    code, out, _ = run(capsys, url, "timeline", lost, "--as-of", DAY)

    assert code == 0
    assert "Lotte Rental" in out
    assert "price gap of 12 %" in out
    assert "late discount approval" in out
    assert "agree the discount band first" in out


def test_win_loss_is_text_json_or_html(
    capsys: pytest.CaptureFixture[str], database: Database
) -> None:
    url, _ = database
    win_loss = ["win-loss", "--as-of", DAY, "--by", "owner"]

    code, out, _ = run(capsys, url, *win_loss)
    as_json = run(capsys, url, *win_loss, "--format", "json")
    page = run(capsys, url, *win_loss, "--format", "html")

    assert code == 0
    assert "50%" in out
    assert json.loads(as_json[1]) == run_json(capsys, url, *win_loss)
    assert page[0] == 0
    assert '<td>Lotte Rental</td><td class="whole">1</td>' in page[1]
    assert "Win rate by owner" in page[1]


def test_the_same_log_gives_the_same_page_and_chart(
    capsys: pytest.CaptureFixture[str], database: Database, tmp_path: Path
) -> None:
    url, ids = database
    timeline = ["timeline", ids["deal"], "--as-of", DAY, "--format", "html"]
    first, again = tmp_path / "first.png", tmp_path / "again.png"

    pages = [run(capsys, url, *timeline)[1] for _ in range(2)]
    run(capsys, url, "tiers", "--as-of", DAY, "--chart", str(first))
    run(capsys, url, "tiers", "--as-of", DAY, "--chart", str(again))

    assert pages[0] == pages[1]
    assert first.read_bytes() == again.read_bytes()


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["timeline", "{deal}"], "gate_passed"),
        (["win-loss", "--by", "owner"], "Lotte Rental"),
        (["tiers", "--by", "owner"], "Tier report by owner"),
        (["renewals"], "2025-01-19"),
    ],
)
@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_a_report_writes_its_chart_beside_its_table(
    capsys: pytest.CaptureFixture[str],
    database: Database,
    tmp_path: Path,
    command: list[str],
    expected: str,
    suffix: str,
) -> None:
    url, ids = database
    chart = tmp_path / f"chart.{suffix}"
    arguments = [a.format(**ids) for a in command]

    code, out, err = run(capsys, url, *arguments, "--as-of", DAY, "--chart", str(chart))

    assert (code, err) == (0, "")
    assert expected in out
    drawn = chart.read_bytes()
    if suffix == "png":
        assert drawn.startswith(PNG_SIGNATURE)
    else:
        assert ET.fromstring(drawn).tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize(
    "command",
    [
        ["tiers", "--chart", "tiers.pdf"],
        ["timeline", "{deal}", "--json", "--format", "html"],
        ["win-loss", "--format", "pdf"],
    ],
)
def test_a_bad_format_or_chart_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], database: Database, command: list[str]
) -> None:
    url, ids = database

    code, _, err = run(capsys, url, *(a.format(**ids) for a in command))

    assert code == 2
    assert "Error:" in err


@pytest.mark.parametrize(
    "command",
    [
        ["tiers", "--chart", "{chart}"],
        ["renewals", "--chart", "{chart}"],
        ["win-loss", "--chart", "{chart}"],
        ["timeline", "{deal}", "--format", "html"],
    ],
)
def test_without_matplotlib_a_chart_asks_for_the_charts_extra(
    capsys: pytest.CaptureFixture[str],
    database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    url, ids = database
    chart = tmp_path / "chart.png"
    monkeypatch.setitem(sys.modules, "matplotlib", None)

    code, out, err = run(capsys, url, *(a.format(chart=chart, **ids) for a in command))

    assert (code, out, err) == (1, "", NO_CHARTS)
    assert not chart.exists()


def test_a_contact_is_forgotten_from_the_command_line(
    capsys: pytest.CaptureFixture[str], database: Database
) -> None:
    url, ids = database
    with B2BCore.open(url) as core:
        contact = core.asset(UUID(ids["asset"])).contact.id

    code, out, _ = run(
        capsys, url, "forget-contact", str(contact), "--reason", "erasure request"
    )
    again, _, err = run(
        capsys, url, "forget-contact", str(contact), "--reason", "erasure request"
    )

    assert (code, out) == (0, f"forgot {contact}\n")
    with B2BCore.open(url) as core:
        assert core.asset(UUID(ids["asset"])).contact.erased
    assert again == 1
    assert "already forgotten" in err


def test_a_field_that_may_be_empty_is_empty_when_left_out(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``b2b asset install`` without ``--usage-end-on`` installs an
    open-ended asset; ``--account-id none`` opens a deal of no account."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with B2BCore.open(url, clock=FixedClock(AS_OF)) as core:
        account = register_account(core)
        asset = purchase_asset(core, account)

    code, out, err = run(capsys, url, "asset", "install", str(asset), "--on", DAY)
    opened = run(
        capsys,
        url,
        "deal",
        "open",
        "--account-id",
        "none",
        "--name",
        "Pilot",
        "--amount",
        "100 USD",
        "--owner",
        "park",
        "--business-line",
        "domestic",
        "--region",
        "Seoul",
        "--country",
        "KR",
        "--product",
        "EV",
        "--expected-close-on",
        "2025-03-31",
        "--on",
        DAY,
    )

    assert (code, err, opened[0], opened[2]) == (0, "", 0, "")
    with B2BCore.open(url) as core:
        assert core.asset(asset).usage_end_on is None
        deal = core.opportunity(UUID(json.loads(opened[1])["id"]))
        assert deal.account_id is None
    assert json.loads(out)["id"] == str(asset)


# -- refused input: a usage error (exit 2) naming the option and the rule -----


def refused_usage(capsys: pytest.CaptureFixture[str], url: str, *arguments: str) -> str:
    """Run ``arguments``, which must be a usage error (exit 2, no traceback)
    that records nothing; its last line."""
    with B2BCore.open(url) as core:
        position = core.log_position()

    code, out, err = run(capsys, url, *arguments)

    assert (code, out) == (2, "")
    assert "Traceback" not in err
    with B2BCore.open(url) as core:
        assert core.log_position() == position
    return err.splitlines()[-1]


def filled(arguments: list[str], ids: dict[str, str]) -> list[str]:
    """``arguments`` with ``{account}`` and ``{asset}`` the story's ids."""
    return [
        ids[a.strip("{}")] if a in ("{account}", "{asset}") else a for a in arguments
    ]


def purchase(account: str, installments: str, value: str = "1200 USD") -> list[str]:
    return [
        "asset",
        "purchase",
        "--account-id",
        account,
        "--product",
        "Van",
        "--order-reference",
        "PO-9",
        "--contact",
        "김지은",
        "--owner",
        "park",
        "--value",
        value,
        "--installments",
        installments,
    ]


def installment(due_on: str) -> str:
    return json.dumps(
        [
            {
                "number": 1,
                "due_on": due_on,
                "amount": {"amount": "1200", "currency": "USD"},
            }
        ]
    )


@pytest.mark.parametrize(
    ("arguments", "option", "rule"),
    [
        (["renewals", "--as-of", "20241101"], "--as-of", "is not a date (YYYY-MM-DD)"),
        (["renewals", "--as-of", "2024-W01"], "--as-of", "is not a date (YYYY-MM-DD)"),
        (["tier-movement", "--from", "2024-W01-1"], "--from", "is not a date"),
        (["asset", "install", "{asset}", "--on", "20240201"], "--on", "is not a date"),
        (purchase("{account}", installment("20240201")), "--installments", "due_on"),
        (
            ["report", "monthly", "{account}", "--month", "٢٠٢٤-01"],
            "--month",
            "is not a month (YYYY-MM)",
        ),
        (
            ["renewals", "--known-at", "2024-W22-6T09:00:00+00:00"],
            "--known-at",
            "is not a timestamp",
        ),
        (
            ["renewals", "--known-at", "20240601T120000Z"],
            "--known-at",
            "is not a timestamp",
        ),
    ],
    ids=[
        "compact",
        "week",
        "week day",
        "command",
        "json",
        "month",
        "timestamp",
        "compact timestamp",
    ],
)
def test_a_date_not_written_yyyy_mm_dd_in_ascii_digits_is_refused(
    capsys: pytest.CaptureFixture[str],
    database: Database,
    arguments: list[str],
    option: str,
    rule: str,
) -> None:
    url, ids = database

    line = refused_usage(capsys, url, *filled(arguments, ids))

    assert line.startswith(f"Error: Invalid value for '{option}': ")
    assert rule in line


@pytest.mark.parametrize(
    ("document", "rule"),
    [
        ("[" * 20_000 + "]" * 20_000, "JSON nested too deeply"),
        (
            '[{"number": 1, "number": 2, "due_on": "2024-02-01",'
            ' "amount": {"amount": "1", "currency": "KRW"}}]',
            'holds the key "number" twice in one object',
        ),
        ("[NaN]", "holds NaN, which is not JSON"),
        (
            '[{"number": 1, "due_on": "2024-02-01",'
            ' "amount": {"amount": 100, "currency": "KRW"}}]',
            'an amount is a decimal string written like "1234.50"',
        ),
    ],
    ids=["nested", "key twice", "NaN", "amount a number"],
)
def test_json_the_http_api_refuses_is_a_usage_error_naming_the_option(
    capsys: pytest.CaptureFixture[str], database: Database, document: str, rule: str
) -> None:
    """As the API reads a body (a key twice: the last one won)."""
    url, ids = database

    line = refused_usage(capsys, url, *purchase(ids["account"], document))

    assert line.startswith("Error: Invalid value for '--installments': ")
    assert line.endswith(rule)


@pytest.mark.parametrize(
    ("option", "value"),
    [("--value", "1" * 1000 + " USD"), ("--installments", "[" * 500 + "]" * 500)],
    ids=["1000 digits", "500 deep"],
)
def test_a_refused_value_is_echoed_at_most_200_characters(
    capsys: pytest.CaptureFixture[str], database: Database, option: str, value: str
) -> None:
    url, ids = database
    given = {"--value": "1200 USD", "--installments": installment("2024-02-01")}
    given[option] = value

    line = refused_usage(
        capsys,
        url,
        *purchase(ids["account"], given["--installments"], given["--value"]),
    )

    message = line.removeprefix(f"Error: Invalid value for '{option}': ")
    assert len(message) <= 200
    assert "…" in message


@pytest.mark.parametrize(
    "option",
    [
        ["accounts", "--name"],
        ["deals", "--name"],
        ["renewals", "--owner"],
        ["segments", "--currency"],
    ],
    ids=" ".join,
)
def test_a_query_text_that_is_not_unicode_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], database: Database, option: list[str]
) -> None:
    """``b2b accounts --name $'\\xff'``: the shell's byte reaches Python as a
    lone surrogate."""
    url, _ = database

    line = refused_usage(capsys, url, *option, "\udcff")

    assert line == (
        f"Error: Invalid value for '{option[1]}': '\\udcff' is not valid Unicode text"
    )


@pytest.mark.parametrize(
    ("arguments", "named", "bound"),
    [
        (["asset", "show", "{asset}", "--version"], "--version", BOUNDS["version"][1]),
        (
            ["projections", "skip", "--reason", "why", "--"],
            "POSITION",
            MAX_WHOLE_NUMBER,
        ),
    ],
    ids=["version", "position"],
)
def test_a_number_past_what_the_store_holds_is_refused_naming_the_range(
    capsys: pytest.CaptureFixture[str],
    database: Database,
    arguments: list[str],
    named: str,
    bound: int,
) -> None:
    url, ids = database

    line = refused_usage(capsys, url, *filled(arguments, ids), "9" * 20)

    assert line.startswith(f"Error: Invalid value for '{named}': ")
    assert line.endswith(f"less than or equal to {bound}")


def test_a_command_recorded_while_the_read_models_fail_exits_0_with_a_warning(
    capsys: pytest.CaptureFixture[str],
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Recorded, it must not look refused (a retry would record it twice),
    nor look as if all were well."""
    url, ids = database

    def failing(*args: object, **kwargs: object) -> bool:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    with monkeypatch.context() as broken:
        broken.setattr(Projector, "apply_saved", failing)
        code, out, err = run(
            capsys, url, "account", "change-grade", ids["account"], "--grade", "major"
        )

    assert code == 0
    assert json.loads(out)["id"] == ids["account"]
    assert err.startswith("warning: recorded, but the read models did not follow: ")
    assert "run `b2b projections catch-up`" in err
    with B2BCore.open(url) as core:
        assert core.account(UUID(ids["account"])).grade.value == "major"
