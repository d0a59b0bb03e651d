"""``--known-at`` on the report commands and ``b2b asset correct-usage-end``, run
in-process against a SQLite file holding the (주)효원 story."""

from __future__ import annotations

import json
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from b2bcore import B2BCore, FixedClock
from b2bcore_adapters.demo.book import AS_OF, record_hyowon
from b2bcore_adapters.entrypoints.cli.main import main
from tests.helpers import stored_events

DAY = AS_OF.isoformat()


@pytest.fixture
def story(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[str, dict[str, str]]:
    """The story, then its asset's usage end corrected: ``before`` is a
    moment recorded before the correction (in UTC, and in Seoul time)."""
    url = f"sqlite:///{tmp_path / 'known.db'}"
    with B2BCore.open(url, clock=FixedClock(AS_OF)) as core:
        account, asset, deal = record_hyowon(core)
    code = main(
        [
            "--db",
            url,
            "asset",
            "correct-usage-end",
            str(asset),
            "--usage-end-on",
            "2025-02-19",
            "--reason",
            "the contract says February",
        ]
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out)["id"] == str(asset)
    with B2BCore.open(url) as core:
        *_, before, corrected = stored_events(core, asset)
    return url, {
        "account": str(account),
        "deal": str(deal),
        "asset": str(asset),
        "before": before.timestamp.isoformat(),
        "seoul": before.timestamp.astimezone(timezone(timedelta(hours=9))).isoformat(),
        "corrected": corrected.timestamp.isoformat(),
    }


def run(capsys: pytest.CaptureFixture[str], url: str, *arguments: str) -> object:
    code = main(["--db", url, *arguments])
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    return json.loads(captured.out)


def usage_ends(history: object) -> list[str]:
    assert isinstance(history, dict)
    return [asset["usage_end_on"] for asset in history["assets"]]


def test_history_known_before_the_correction_shows_the_old_usage_end(
    capsys: pytest.CaptureFixture[str], story: tuple[str, dict[str, str]]
) -> None:
    url, known = story
    history = ("history", known["account"], "--as-of", DAY, "--json")

    before = run(capsys, url, *history, "--known-at", known["before"])
    in_seoul = run(capsys, url, *history, "--known-at", known["seoul"])
    after = run(capsys, url, *history, "--known-at", known["corrected"])

    assert "2025-01-19" in usage_ends(before)
    assert usage_ends(in_seoul) == usage_ends(before)
    assert "2025-02-19" in usage_ends(after)
    assert "2025-01-19" not in usage_ends(after)


@pytest.mark.parametrize(
    "command",
    [
        ["renewals", "--as-of", DAY],
        ["alerts", "--as-of", DAY],
        ["asset-kpis", "--from", "2024-01-01", "--to", DAY],
        ["dashboard", "--as-of", DAY],
        ["pipeline-kpis", "--as-of", DAY],
        ["tiers", "--as-of", DAY],
        ["timeline", "DEAL", "--as-of", DAY],
        ["win-loss", "--as-of", DAY],
        ["segments", "--as-of", DAY],
    ],
)
def test_every_report_command_takes_known_at(
    capsys: pytest.CaptureFixture[str],
    story: tuple[str, dict[str, str]],
    command: list[str],
) -> None:
    url, known = story
    command = [known["deal"] if part == "DEAL" else part for part in command]

    known_now = run(capsys, url, *command, "--json", "--known-at", known["corrected"])
    now = run(capsys, url, *command, "--json")

    assert known_now == now


def test_a_known_at_without_a_time_zone_is_refused(
    capsys: pytest.CaptureFixture[str], story: tuple[str, dict[str, str]]
) -> None:
    url, known = story

    code = main(
        ["--db", url, "history", known["account"], "--known-at", "2024-06-01T12:00:00"]
    )

    assert code == 2
    assert "has no time zone" in capsys.readouterr().err


def test_a_known_at_that_is_no_timestamp_is_refused(
    capsys: pytest.CaptureFixture[str], story: tuple[str, dict[str, str]]
) -> None:
    url, _ = story

    code = main(["--db", url, "renewals", "--known-at", "yesterday"])

    assert code == 2
    assert "is not a timestamp" in capsys.readouterr().err


def test_a_refused_correction_exits_1_and_records_nothing(
    capsys: pytest.CaptureFixture[str], story: tuple[str, dict[str, str]]
) -> None:
    url, _ = story
    with B2BCore.open(url) as core:
        position = core.log_position()

    code = main(
        [
            "--db",
            url,
            "asset",
            "correct-usage-end",
            story[1]["asset"],
            "--usage-end-on",
            "2025-02-19",
            "--reason",
            "again",
        ]
    )

    assert code == 1
    assert "already 2025-02-19" in capsys.readouterr().err
    with B2BCore.open(url) as core:
        assert core.log_position() == position
