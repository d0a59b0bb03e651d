"""The demo command: a generated book of the size and seed asked for,
opening with the (주)효원 story."""

from __future__ import annotations

from pathlib import Path

import pytest

from b2bcore_adapters.demo import main


def test_the_demo_records_the_book_it_is_asked_for_the_same_every_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["--db", f"sqlite:///{tmp_path / 'demo.db'}", "--accounts", "12"]

    assert main([*arguments, "--seed", "7"]) == 0
    first = capsys.readouterr().out
    assert main([*arguments, "--seed", "7"]) == 0

    assert capsys.readouterr().out == first
    assert first.startswith("Account  (주)효원  grade key")
    assert "Book     12 accounts," in first


def test_the_demo_needs_at_least_one_account(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["--db", f"sqlite:///{tmp_path / 'demo.db'}", "--accounts", "0"])

    assert "--accounts must be at least 1" in capsys.readouterr().err
