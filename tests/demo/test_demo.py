"""The demo command: a generated book of the size and seed asked for,
opening with the (주)효원 story, recorded only where it replaces nothing but
an earlier demo book."""

from __future__ import annotations

from pathlib import Path

import pytest

from b2bcore import B2BCore
from b2bcore_adapters.entrypoints.cli.main import main
from tests.conftest import postgres_schema
from tests.helpers import register_account


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def events_in(url: str) -> int:
    with B2BCore.open(url) as core:
        return core.log_position()


def test_the_demo_records_the_book_it_is_asked_for_the_same_every_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["demo", "--db", f"sqlite:///{tmp_path / 'demo.db'}"]

    code, first, _ = run(capsys, *arguments, "--accounts", "12", "--seed", "7")
    again = run(capsys, *arguments, "--accounts", "12", "--seed", "7")

    assert code == 0
    assert again == (0, first, "")
    assert first.startswith("Account  (주)효원  grade key")
    assert "Book     12 accounts," in first


def test_the_demo_needs_at_least_one_account(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "demo", "--db", f"sqlite:///{tmp_path / 'demo.db'}", "--accounts", "0"
    )

    assert code == 2
    assert "--accounts" in err


def test_the_demo_takes_bs_own_db_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'chosen.db'}"

    code, out, _ = run(capsys, "--db", url, "demo", "--accounts", "3")

    assert code == 0
    assert f"recorded in {url}" in out
    assert events_in(url) > 0


def test_the_demo_refuses_a_file_that_is_not_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    precious = tmp_path / "notes.db"
    precious.write_text("not a demo book")

    code, _, err = run(capsys, "demo", "--db", f"sqlite:///{precious}")

    assert code == 1
    assert "holds data the demo did not record" in err
    assert "--overwrite" in err
    assert precious.read_text() == "not a demo book"


def test_the_demo_refuses_a_book_with_other_data_unless_told(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'book.db'}"
    assert run(capsys, "demo", "--db", url, "--accounts", "3")[0] == 0
    with B2BCore.open(url, actor="park.minjun") as core:
        register_account(core, name="Someone's real account")
        kept = core.log_position()

    refused = run(capsys, "demo", "--db", url, "--accounts", "3")
    assert refused[0] == 1
    assert "holds data the demo did not record" in refused[2]
    assert events_in(url) == kept

    assert run(capsys, "demo", "--db", url, "--accounts", "3", "--overwrite")[0] == 0
    assert events_in(url) < kept


@pytest.mark.postgres
def test_on_postgresql_the_demo_has_a_schema_of_its_own(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import psycopg  # noqa: PLC0415

    def drop_demo_schema() -> None:
        with psycopg.connect(database, autocommit=True) as connection:
            connection.execute("DROP SCHEMA IF EXISTS b2bcore_demo CASCADE")

    with postgres_schema() as url:
        # The database of that scratch schema, with no schema named.
        database = url.split("?")[0]
        drop_demo_schema()
        try:
            code, out, _ = run(capsys, "demo", "--db", database, "--accounts", "3")
            assert code == 0
            assert f"recorded in {database}?schema=b2bcore_demo" in out
            assert events_in(url) == 0  # nothing in the schema it was not told of
            demo = f"{database}?schema=b2bcore_demo"
            with B2BCore.open(demo, actor="someone") as core:
                register_account(core, name="Real data")
            assert run(capsys, "demo", "--db", database, "--accounts", "3")[0] == 1
        finally:
            drop_demo_schema()
