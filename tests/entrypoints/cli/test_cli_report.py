"""``b2b report monthly``, run in-process against a SQLite file: JSON and
HTML on stdout and into a file, and the exit codes of misuse."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import pytest

from b2bcore import B2BCore
from b2bcore_adapters.entrypoints.cli.main import main
from tests.reports.test_monthly import the_account


@pytest.fixture
def database(sqlite_url: str) -> tuple[str, UUID]:
    with B2BCore.open(sqlite_url) as core:
        hyowon, _ = the_account(core)
    return sqlite_url, hyowon


def report(
    capsys: pytest.CaptureFixture[str], url: str, *arguments: str
) -> tuple[int, str, str]:
    code = main(["--db", url, "report", "monthly", *arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_is_the_default_on_stdout(
    capsys: pytest.CaptureFixture[str], database: tuple[str, UUID]
) -> None:
    url, hyowon = database

    code, out, _ = report(capsys, url, str(hyowon), "--month", "2024-05")

    assert code == 0
    document = json.loads(out)
    assert (document["month"], document["assets"][0]["count"]) == ("2024-05-01", 140)


def test_html_goes_into_the_output_file(
    capsys: pytest.CaptureFixture[str], database: tuple[str, UUID], tmp_path: Path
) -> None:
    url, hyowon = database
    target = tmp_path / "report.html"

    code, out, _ = report(
        capsys,
        url,
        str(hyowon),
        "--month",
        "2024-05",
        "--format",
        "html",
        "--output",
        str(target),
    )

    assert (code, out) == (0, "")
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page


@pytest.mark.parametrize("month", ["2024-13", "2024-5", "May", "2024-05-01"])
def test_a_month_not_written_yyyy_mm_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], database: tuple[str, UUID], month: str
) -> None:
    url, hyowon = database

    code, _, err = report(capsys, url, str(hyowon), "--month", month)

    assert code == 2
    assert "is not a month (YYYY-MM)" in err


def test_the_last_month_there_is_is_reported(
    capsys: pytest.CaptureFixture[str], database: tuple[str, UUID]
) -> None:
    url, hyowon = database

    code, out, err = report(capsys, url, str(hyowon), "--month", "9999-12")

    assert (code, err) == (0, "")
    assert json.loads(out)["as_of"] == "9999-12-31"


def test_an_unknown_account_is_refused(
    capsys: pytest.CaptureFixture[str], database: tuple[str, UUID]
) -> None:
    url, _ = database

    code, out, err = report(capsys, url, str(UUID(int=7)), "--month", "2024-05")

    assert (code, out) == (1, "")
    assert err.startswith("error: ")
