"""``b2b suggestions`` against a SQLite file: the table at 80 columns keeps
the facts whole, ``--account`` narrows it, ``--json`` is the report's JSON."""

from __future__ import annotations

import json
import re
from datetime import date
from uuid import UUID

import pytest
from rich.cells import cell_len

from b2bcore import B2BCore
from b2bcore_adapters.entrypoints.cli import main as cli
from b2bcore_adapters.entrypoints.cli.main import main
from tests.helpers import register_account
from tests.reports.test_suggestions import fleet

NUMBER = re.compile(r"\d[\d,.]*")


@pytest.fixture
def book(sqlite_url: str) -> tuple[str, UUID]:
    with B2BCore.open(sqlite_url) as core:
        hyowon = register_account(core)
        fleet(core, hyowon, "Shared fleet Basic (12 vehicles)", uses=(420, 450, 470))
        fleet(core, hyowon, "EV fleet", usage_end_on=date(2024, 7, 15))
        other = register_account(core, name="Sejin Logistics")
        fleet(core, other, "Van fleet (3 vehicles)", uses=(119, 120, 121))
    return sqlite_url, hyowon


def run(capsys: pytest.CaptureFixture[str], url: str, *arguments: str) -> str:
    assert main(["--db", url, "suggestions", "--as-of", "2024-06-01", *arguments]) == 0
    return capsys.readouterr().out


def test_at_80_columns_the_facts_stay_whole(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    book: tuple[str, UUID],
) -> None:
    url, _ = book
    wide = run(capsys, url)  # not a terminal: 200 columns
    monkeypatch.setattr(cli.out, "width", 80)

    narrow = run(capsys, url)

    assert max(map(cell_len, narrow.splitlines())) <= 80
    assert "…" not in narrow
    assert "standard_to_premium" in narrow
    assert "why" in narrow.splitlines()[2]  # the facts are a column
    assert set(NUMBER.findall(narrow)) - {"80"} <= set(NUMBER.findall(wide))


def test_the_json_is_the_report_and_account_narrows_it(
    capsys: pytest.CaptureFixture[str], book: tuple[str, UUID]
) -> None:
    url, hyowon = book

    every = json.loads(run(capsys, url, "--json"))
    mine = json.loads(run(capsys, url, "--account", str(hyowon), "--json"))

    assert every["as_of"] == "2024-06-01"
    assert [s["rule"] for s in every["suggestions"]] == [
        "short_to_long",
        "near_limit",
        "standard_to_premium",
        "near_limit",
    ]
    assert mine["suggestions"] == every["suggestions"][:3]
    near = every["suggestions"][1]["usage"]
    assert near["capacity"] == 480
    assert near["threshold"] == "0.85"
    assert [m["count"] for m in near["months"]] == [420, 450, 470]
