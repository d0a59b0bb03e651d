"""What a new user meets in the first hour: a wrong database URL fails fast
and says where it looked, tables fit an 80-column terminal without cutting a
number, and every figure reads as text."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from rich.cells import cell_len
from typer.testing import CliRunner

from b2bcore_adapters.demo import book as story
from b2bcore_adapters.demo.book import AS_OF
from b2bcore_adapters.entrypoints.cli import main as cli
from b2bcore_adapters.entrypoints.cli.main import main
from tests.conftest import POSTGRES_URL, require_postgres


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_port_nobody_listens_on_fails_at_once_naming_where(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "postgresql://postgres@127.0.0.1:9/test?connect_timeout=2"

    code, out, err = run(capsys, "--db", url, "renewals")

    assert code == 1
    assert out == ""
    assert err.startswith(
        "error: cannot connect to PostgreSQL at 127.0.0.1:9, database 'test'"
    )
    assert "Traceback" not in err


@pytest.mark.postgres
def test_a_missing_database_fails_at_once_naming_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    require_postgres()
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/b2bcore_no_such_database"

    code, _, err = run(capsys, "--db", url, "renewals")

    assert code == 1
    assert "database 'b2bcore_no_such_database'" in err
    assert "does not exist" in err


NUMBER = re.compile(r"\d[\d,.]*")


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('book') / 'demo.db'}"
    story.run(url, accounts=12, out=lambda _: None)
    return url


@pytest.mark.parametrize(
    "command",
    [
        ["renewals", "--within", "365"],
        ["pipeline-kpis", "--by", "owner"],
        ["tiers"],
        ["alerts"],
        ["dashboard"],
        ["asset-kpis", "--from", "2024-01-01", "--to", "2024-11-01"],
        ["win-loss", "--by", "owner"],
    ],
    ids=lambda c: c[0],
)
def test_at_80_columns_no_number_is_cut(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    demo_book: str,
    command: list[str],
) -> None:
    day = [] if command[0] == "asset-kpis" else ["--as-of", AS_OF.isoformat()]
    code, wide, _ = run(capsys, "--db", demo_book, "--wide", *command, *day)
    assert code == 0
    monkeypatch.setattr(cli.out, "width", 80)

    code, narrow, _ = run(capsys, "--db", demo_book, *command, *day)

    assert code == 0
    assert max(map(cell_len, narrow.splitlines())) <= 80
    assert "…" not in narrow
    # Every number shown whole: nothing at 80 columns that --wide does not show.
    assert set(NUMBER.findall(narrow)) - {"80"} <= set(NUMBER.findall(wide))


def test_asset_kpis_read_as_text_not_python(
    capsys: pytest.CaptureFixture[str], demo_book: str
) -> None:
    code, out, _ = run(
        capsys,
        "--db",
        demo_book,
        "asset-kpis",
        "--from",
        "2024-01-01",
        "--to",
        "2024-11-01",
    )

    assert code == 0
    assert "{" not in out
    assert "'" not in out
    assert re.search(r"gross revenue retention +KRW \d+%", out)
    assert re.search(r"time to renewal +\d+\.\d days (before|after) usage end", out)


def without(modules: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """``b2b arguments`` in a Python where ``modules`` cannot be imported, as
    when their extra is not installed."""
    program = (
        "import sys\n"
        f"for name in {modules.split()!r}: sys.modules[name] = None\n"
        "from b2bcore_adapters.__main__ import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", program, *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("modules", "arguments", "expected"),
    [
        (
            "typer",
            ["--help"],
            "the b2b command line needs typer: pip install 'b2bcore[cli]'",
        ),
        ("fastapi", ["serve"], "b2b serve needs fastapi: pip install 'b2bcore[http]'"),
        (
            "httpx nats",
            ["deliver", "--sink", "webhook", "--url", "http://127.0.0.1:9/"],
            "b2b deliver needs httpx: pip install 'b2bcore[alerts]'",
        ),
        (
            "psycopg",
            ["--db", "postgresql://postgres@127.0.0.1:9/test", "renewals"],
            "needs psycopg: pip install 'b2bcore[postgres]'",
        ),
    ],
    ids=["cli", "http", "alerts", "postgres"],
)
def test_a_missing_extra_is_named_with_its_install_line(
    tmp_path: Path, modules: str, arguments: list[str], expected: str
) -> None:
    database = (
        ["--db", f"sqlite:///{tmp_path / 'b.db'}"] if arguments[0] != "--db" else []
    )

    done = without(modules, *database, *arguments)

    assert done.returncode in (1, 2)
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1


def test_accounts_are_listed_by_name_to_find_an_id(
    capsys: pytest.CaptureFixture[str], demo_book: str
) -> None:
    listed = json.loads(run(capsys, "--db", demo_book, "accounts", "--json")[1])
    code, ids, _ = run(capsys, "--db", demo_book, "accounts", "--name", "효원", "--ids")

    names = [a["name"] for a in listed]
    assert names == sorted(names)
    assert len(listed) == 12
    assert code == 0
    (hyowon,) = ids.split()
    assert [a["name"] for a in listed if a["id"] == hyowon] == ["(주)효원"]
    assert run(capsys, "--db", demo_book, "history", hyowon, "--json")[0] == 0


def test_deals_are_listed_newest_first_and_by_account(
    capsys: pytest.CaptureFixture[str], demo_book: str
) -> None:
    day = ["--as-of", AS_OF.isoformat()]
    every = json.loads(run(capsys, "--db", demo_book, "deals", *day, "--json")[1])
    account = every[0]["account_id"]
    mine = json.loads(
        run(capsys, "--db", demo_book, "deals", *day, "--account", account, "--json")[1]
    )
    earlier = run(capsys, "--db", demo_book, "deals", "--as-of", "2023-01-01", "--ids")

    opened = [d["opened_on"] for d in every]
    assert opened == sorted(opened, reverse=True)
    assert {d["account_id"] for d in mine} == {account}
    assert {d["id"] for d in mine} < {d["id"] for d in every}
    assert set(earlier[1].split()) < {d["id"] for d in every}
    assert all(d["opened_on"] <= "2023-01-01" for d in every if d["id"] in earlier[1])
    first = every[0]
    assert run(capsys, "--db", demo_book, "timeline", first["id"], "--json")[0] == 0


def every_command() -> list[list[str]]:
    """The words of ``b2b``, each group and each of their commands."""

    def walk(command: Any, words: list[str]) -> Iterator[list[str]]:
        yield words
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*words, name])

    return list(walk(typer.main.get_command(cli.app), []))


@pytest.mark.parametrize("words", every_command(), ids=lambda w: " ".join(w) or "b2b")
def test_every_help_fits_80_columns_and_shows_no_markup(words: list[str]) -> None:
    """The help made from a declaration's docstring shows ``account_id`` as
    its option (--account-id), and a choice's values wrap."""
    shown = CliRunner().invoke(cli.app, [*words, "--help"], terminal_width=80)

    assert shown.exit_code == 0
    assert [line for line in shown.output.splitlines() if cell_len(line) > 80] == []
    assert "``" not in shown.output


def test_help_loads_no_store_driver_importer_chart_or_server() -> None:
    """``b2b --help`` builds the whole command tree, the report commands from
    the queries' signatures (so the application loads); what only commands
    need (the importers, charts, the HTTP API, a database driver) loads
    later."""
    program = (
        "import sys\n"
        "from b2bcore_adapters.__main__ import main\n"
        "code = main(['--help'])\n"
        "heavy = [m for m in ('b2bcore_adapters.importers.csv_events', 'matplotlib',"
        " 'fastapi', 'psycopg', 'sqlite3', 'b2bcore_adapters.persistence.backends',"
        " 'b2bcore_adapters.render.monthly_report')"
        " if m in sys.modules and type(sys.modules[m]).__name__ != '_LazyModule']\n"
        "print(heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("sqlite:///{tmp}/no/such/folder/b2b.db", "unable to open database file"),
        ("sqlite:///{tmp}/not-a-database.db", "file is not a database"),
        ("sqlite:///{tmp}/b2b.db?lock_timeout=soon", "SQLITE_LOCK_TIMEOUT"),
        ("mysql://db.example.com/app", "unknown scheme 'mysql'"),
        ("postgresql://kim:s3cret@db.example.com:port/app", "expected postgresql://"),
        ("postgresql://kim:s3cret@/app", "expected postgresql://"),
        ("postgresql://p@127.0.0.1/test?schema=a%00b", "schema: must not hold"),
    ],
    ids=["no folder", "not a database", "bad setting", "scheme", "port", "host", "nul"],
)
def test_a_store_that_cannot_be_opened_is_one_line_without_its_password(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str, said: str
) -> None:
    (tmp_path / "not-a-database.db").write_text("name,grade\nHyowon,key\n")

    code, out, err = run(capsys, "--db", url.format(tmp=tmp_path), "renewals")

    assert (code, out) == (1, "")
    assert err.startswith("error: ")
    assert err.count("\n") == 1, err
    assert said in err
    assert "s3cret" not in err


@pytest.mark.postgres
def test_a_missing_schema_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    require_postgres()

    code, _, err = run(capsys, "--db", f"{POSTGRES_URL}?schema=b2b_none", "renewals")

    assert code == 1
    assert err.startswith("error: cannot open the store at ")
    assert 'schema "b2b_none" does not exist' in err
