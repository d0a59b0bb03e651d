"""``b2b --settings FILE``: the reports' thresholds and the rules from a JSON
file (``b2b settings`` prints the ones in force, a file to start from); a bad
file is a usage error naming the field, and nothing is recorded."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from b2bcore import B2BCore, BusinessLine, FixedClock, Money
from b2bcore_adapters.demo.book import AS_OF, record_hyowon
from b2bcore_adapters.entrypoints.cli.main import main

SAVINGS = {
    "customer_savings": {
        "KRW": {
            "per_use": {"amount": "9000", "currency": "KRW"},
            "per_km": {"amount": "120", "currency": "KRW"},
        }
    }
}


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    out, err = capsys.readouterr()
    return code, out, err


def written(tmp_path: Path, document: object, name: str = "settings.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def test_the_settings_printed_read_back_as_the_same_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, defaults, _ = run(capsys, "settings")
    path = tmp_path / "all.json"
    path.write_text(defaults, encoding="utf-8")

    code, again, _ = run(capsys, "--settings", str(path), "settings")

    assert code == 0
    assert again == defaults
    assert json.loads(defaults)["review_board"]["minimum_margin"] == "0"


def test_a_file_changes_only_what_it_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = written(tmp_path, {"review_board": {"minimum_margin": "0.15"}})

    _, out, _ = run(capsys, "--settings", path, "settings")

    shown = json.loads(out)
    assert shown["review_board"]["minimum_margin"] == "0.15"
    assert shown["review_board"]["price_tolerance"] == "0.05"
    assert shown["renewal_windows"] == [30, 60, 90]


def test_saving_rates_from_the_file_give_the_monthly_reports_roi(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path / 'book.db'}"
    with B2BCore.open(db, clock=FixedClock(AS_OF)) as core:
        account, _, _ = record_hyowon(core)
    monthly = ["--db", db, "report", "monthly", str(account), "--month", "2024-09"]

    _, without, _ = run(capsys, *monthly)
    monkeypatch.setenv("B2BCORE_SETTINGS", written(tmp_path, SAVINGS))
    _, with_rates, _ = run(capsys, *monthly)

    (before,) = json.loads(without)["roi"]
    (after,) = json.loads(with_rates)["roi"]
    assert before["savings"] is None
    assert before["roi"] is None
    # 1,265 uses x 9,000 + 30,130 km x 120 against the 23,800,000 paid.
    assert after["savings"] == {"amount": "15000600", "currency": "KRW"}
    assert after["roi"] == "-0.3697"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"nope": 1}, "unknown fields ['nope']"),
        ({"review_board": {"minimum_margin": "lots"}}, "minimum_margin: 'lots'"),
        ({"renewal_windows": [90, 30]}, "renewal_windows"),
        ([], "is not an object"),
    ],
)
def test_a_bad_settings_file_is_a_usage_error_and_records_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    document: object,
    message: str,
) -> None:
    db = f"sqlite:///{tmp_path / 'book.db'}"
    path = written(tmp_path, document)

    code, _, err = run(
        capsys, "--db", db, "--settings", path, "account", "register", "--name", "x"
    )

    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "book.db").exists()


def test_a_missing_or_unreadable_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")

    missing = run(capsys, "--settings", str(tmp_path / "none.json"), "settings")
    unreadable = run(capsys, "--settings", str(broken), "settings")

    assert missing[0] == unreadable[0] == 2
    assert "No such file" in missing[2]
    assert "broken.json" in unreadable[2]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("[" * 20_000 + "]" * 20_000, "JSON nested too deeply"),
        ('{"stagnation_days": 10, "stagnation_days": 20}', '"stagnation_days" twice'),
    ],
    ids=["nested", "key twice"],
)
def test_a_settings_file_the_http_api_would_refuse_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, rule: str
) -> None:
    """Nested 20,000 deep it exited 1 with a RecursionError; a key twice
    kept the last."""
    path = tmp_path / "settings.json"
    path.write_text(text, encoding="utf-8")

    code, _, err = run(capsys, "--settings", str(path), "settings")

    assert code == 2
    assert rule in err


def test_the_review_boards_margin_from_the_file_refuses_a_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'book.db'}"
    with B2BCore.open(db, clock=FixedClock(AS_OF)) as core:
        account, _, _ = record_hyowon(core)
        deal = core.open_opportunity(
            account_id=account,
            name="효원 trucks",
            amount=Money.of(20_000_000, "KRW"),
            owner="park.minjun",
            business_line=BusinessLine.DOMESTIC,
            region="Gyeonggi",
            country="KR",
            product="trucks",
            expected_close_on=date(2025, 3, 31),
            on=AS_OF,
        )
        core.review_gate(
            deal,
            gate=1,
            cost=Money.of(14_000_000, "KRW"),
            price=Money.of(20_000_000, "KRW"),
            on=AS_OF,
        )
        before = core.log_position()
    strict = written(tmp_path, {"review_board": {"minimum_margin": "0.40"}})
    pass_gate = ["deal", "pass-gate", str(deal), "--gate", "1"]

    refused = run(capsys, "--db", db, "--settings", strict, *pass_gate)
    with B2BCore.open(db) as core:
        assert core.log_position() == before
    passed = run(capsys, "--db", db, *pass_gate)

    assert refused[0] == 1
    assert "margin" in refused[2]
    assert passed[0] == 0
