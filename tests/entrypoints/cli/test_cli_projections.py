"""``b2b projections skip`` and ``skips``: a rebuild stopped by a poison event
says how to pass it over; an operator does, and an auditor lists who did it
and why. Every refusal is one line on stderr, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from b2bcore import B2BCore, Consistency, FixedClock
from b2bcore.application import core
from b2bcore_adapters.demo.book import AS_OF
from tests.entrypoints.cli.test_cli import run
from tests.helpers import record_foreign_event, register_account

#: One projection of the latest states per aggregate, in the core's order.
PROJECTIONS = tuple(p.name for p in core.PROJECTIONS)


@pytest.fixture
def poisoned(tmp_path: Path) -> tuple[str, int]:
    """A SQLite log with an event of an unknown topic between two accounts."""
    url = f"sqlite:///{tmp_path / 'poisoned.db'}"
    with B2BCore.open(url, clock=FixedClock(AS_OF)) as core:
        register_account(core)
        poison = record_foreign_event(core)
        register_account(core, name="(주)한빛")
    return url, poison


def test_a_rebuild_stopped_by_a_poison_event_says_how_to_skip_it(
    capsys: pytest.CaptureFixture[str], poisoned: tuple[str, int]
) -> None:
    url, poison = poisoned

    code, _, err = run(capsys, url, "projections", "rebuild")

    assert code == 1
    assert err.startswith(
        f"error: projection 'account_states' stopped at log position {poison} "
        "(b2bcore:contract:Signed, "
    )
    assert "unknown topic" in err
    assert f'`b2b projections skip {poison} --reason "…"`' in err
    assert len(err.splitlines()) == 1


def test_a_skip_lets_the_rebuild_through_and_is_listed_with_who_and_why(
    capsys: pytest.CaptureFixture[str],
    poisoned: tuple[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, poison = poisoned
    monkeypatch.setenv("USER", "kim")

    code, out, err = run(
        capsys, url, "projections", "skip", str(poison), "--reason", "pilot data"
    )
    rebuilt, _, _ = run(capsys, url, "projections", "rebuild")
    listed, table, _ = run(capsys, url, "projections", "skips")
    _, document, _ = run(capsys, url, "projections", "skips", "--json")

    assert (code, err) == (0, "")
    assert out.startswith(
        f"skipped log position {poison} for {', '.join(PROJECTIONS)}: "
    )
    assert (rebuilt, listed) == (0, 0)
    assert "pilot data" in table
    skips = json.loads(document)
    assert [(s["kind"], s["actor"], s["reason"]) for s in skips] == [
        ("projection_skip", "cli:kim", "pilot data")
    ] * len(PROJECTIONS)
    assert [s["description"].split(" ")[1] for s in skips] == list(PROJECTIONS)


@pytest.mark.parametrize(
    ("arguments", "exit_code", "message"),
    [
        (["99", "--reason", "x"], 1, "error: log position 99: position: no event"),
        (["1", "--reason", "x"], 1, "error: log position 1: projection: only an"),
        (["2", "--reason", " "], 1, "error: log position 2: reason: must be"),
        (["2"], 2, "--reason"),
        (["2", "--reason", "x", "--projection", "nope"], 2, "no projection nope"),
        (["two", "--reason", "x"], 2, "Invalid value for 'POSITION'"),
    ],
)
def test_a_refused_skip_is_one_line_and_records_nothing(
    capsys: pytest.CaptureFixture[str],
    poisoned: tuple[str, int],
    arguments: list[str],
    exit_code: int,
    message: str,
) -> None:
    url, _ = poisoned

    code, _, err = run(capsys, url, "projections", "skip", *arguments)

    assert code == exit_code
    assert message in err
    assert "Traceback" not in err
    _, document, _ = run(capsys, url, "projections", "skips", "--json")
    assert json.loads(document) == []


def test_catch_up_brings_a_silent_writers_events_into_the_reports(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'served.db'}"
    with B2BCore.open(
        url, clock=FixedClock(AS_OF), consistency=Consistency.AVAILABLE
    ) as server:
        register_account(server)

    code, out, _ = run(capsys, url, "projections", "catch-up")
    assert (code, out.strip()) == (0, "caught up: 1 events applied")
    code, out, _ = run(capsys, url, "segments", "--json")
    assert code == 0
    assert [a["name"] for a in json.loads(out)["ranking"]] == ["(주)효원"]
