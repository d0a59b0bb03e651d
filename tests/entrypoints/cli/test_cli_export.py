"""``b2b export history``, run in-process against a SQLite file holding the
(주)효원 story: each format on stdout and into a file, byte for byte the
same every time, and the exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from uuid import UUID

import pytest

from b2bcore import B2BCore
from b2bcore_adapters.demo.book import record_hyowon
from b2bcore_adapters.entrypoints.cli.main import main
from b2bcore_adapters.render.exports import COLUMNS


@pytest.fixture
def database(tmp_path: Path) -> tuple[str, UUID, UUID]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    with B2BCore.open(url) as core:
        account, asset, _ = record_hyowon(core)
    return url, account, asset


def export(
    capsysbinary: pytest.CaptureFixture[bytes], url: str, *arguments: str
) -> tuple[int, bytes, str]:
    code = main(["--db", url, "export", "history", *arguments])
    captured = capsysbinary.readouterr()
    return code, captured.out, captured.err.decode("utf-8")


@pytest.mark.parametrize("output_format", ["jsonl", "csv", "html"])
def test_each_format_gives_the_same_bytes_on_stdout_and_in_a_file(
    capsysbinary: pytest.CaptureFixture[bytes],
    database: tuple[str, UUID, UUID],
    tmp_path: Path,
    output_format: str,
) -> None:
    url, account, _ = database
    target = tmp_path / f"history.{output_format}"

    first = export(capsysbinary, url, str(account), "--format", output_format)
    again = export(capsysbinary, url, str(account), "--format", output_format)
    code, out, err = export(
        capsysbinary,
        url,
        str(account),
        "--format",
        output_format,
        "--output",
        str(target),
    )

    assert first[0] == 0
    assert first[2] == ""
    assert first == again
    assert (code, out, err) == (0, b"", "")
    assert target.read_bytes() == first[1]


def test_jsonl_is_the_default_format(
    capsysbinary: pytest.CaptureFixture[bytes], database: tuple[str, UUID, UUID]
) -> None:
    url, account, _ = database

    code, out, _ = export(capsysbinary, url, str(account))

    lines = out.decode("utf-8").splitlines()
    assert code == 0
    assert [json.loads(line)["position"] for line in lines] == list(
        range(1, len(lines) + 1)
    )


def test_the_csv_has_the_documented_columns(
    capsysbinary: pytest.CaptureFixture[bytes], database: tuple[str, UUID, UUID]
) -> None:
    url, account, asset = database

    _, out, _ = export(capsysbinary, url, str(account), "--format", "csv")

    rows = list(csv.reader(io.StringIO(out.decode("utf-8"), newline="")))
    assert tuple(rows[0]) == COLUMNS
    installed = next(row for row in rows if row[4] == "Installed")
    assert installed[2] == str(asset)
    assert installed[-1] == "Installed; usage ends 2025-01-19"


def test_the_html_shows_the_chain_status(
    capsysbinary: pytest.CaptureFixture[bytes], database: tuple[str, UUID, UUID]
) -> None:
    url, account, _ = database

    _, out, _ = export(capsysbinary, url, str(account), "--format", "html")

    page = out.decode("utf-8")
    assert "OK: 34 events, head " in page
    assert "Event history of (주)효원" in page


def test_an_unknown_account_is_one_line_and_exit_1(
    capsysbinary: pytest.CaptureFixture[bytes], database: tuple[str, UUID, UUID]
) -> None:
    url, _, _ = database

    code, out, err = export(capsysbinary, url, str(UUID(int=1)))

    assert code == 1
    assert out == b""
    assert err.count("\n") == 1
    assert err.startswith("error: account 00000000-0000-0000-0000-000000000001")


def test_an_unknown_format_is_a_usage_error(
    capsysbinary: pytest.CaptureFixture[bytes], database: tuple[str, UUID, UUID]
) -> None:
    url, account, _ = database

    code, out, err = export(capsysbinary, url, str(account), "--format", "pdf")

    assert code == 2
    assert out == b""
    assert "pdf" in err


def test_an_account_that_is_not_an_id_is_a_usage_error(
    capsysbinary: pytest.CaptureFixture[bytes], database: tuple[str, UUID, UUID]
) -> None:
    url, _, _ = database

    code, _, err = export(capsysbinary, url, "hyowon")

    assert code == 2
    assert "hyowon" in err


@pytest.mark.parametrize("where", ["no/such/folder/history.jsonl", "."])
def test_an_output_that_cannot_be_written_is_a_usage_error(
    capsysbinary: pytest.CaptureFixture[bytes],
    database: tuple[str, UUID, UUID],
    tmp_path: Path,
    where: str,
) -> None:
    url, account, _ = database
    target = tmp_path / where

    code, out, err = export(capsysbinary, url, str(account), "--output", str(target))

    assert (code, out) == (2, b"")
    assert f"Invalid value for --output: {target}: " in err
    assert "Traceback" not in err
