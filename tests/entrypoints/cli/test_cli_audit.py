"""``b2b audit``: verify the log (exit 0 with one OK line, 4 naming the first
bad position), sign and export checkpoints, check the log against one."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from b2bcore import B2BCore, FixedClock
from b2bcore_adapters.demo.book import AS_OF, record_hyowon
from b2bcore_adapters.entrypoints.cli.audit import EXIT_TAMPERED
from tests.entrypoints.cli.test_cli import run


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    with B2BCore.open(url, clock=FixedClock(AS_OF)) as core:
        record_hyowon(core)
    return url


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("B2BCORE_AUDIT_KEY", "an auditor's key")


def sql(url: str, statement: str) -> None:
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db, db:
        db.execute(statement)


def test_an_intact_log_says_what_it_proved_and_what_needs_a_checkpoint(
    capsys: pytest.CaptureFixture[str], database: str
) -> None:
    code, out, err = run(capsys, database, "audit", "verify")

    assert (code, err) == (0, "")
    first, *rest = out.splitlines()
    assert first.startswith("OK: 34 events, head ")
    assert rest == [
        "proved: the 34 events up to position 34 match their hash chain",
        "proved: 0 snapshots equal the replay of their events",
        "not checked: the read models (verify --deep)",
        "tail not anchored: no checkpoint given, so an edit that also rewrote "
        "the chain, or a cut-off tail, would pass (verify --checkpoint FILE)",
    ]


def test_a_deep_verification_compares_the_read_models(
    capsys: pytest.CaptureFixture[str], database: str
) -> None:
    run(capsys, database, "audit", "verify")
    sql(database, "UPDATE b2bcore_fact_assets SET owner = 'someone.else'")

    code, out, _ = run(capsys, database, "audit", "verify", "--deep")

    assert code == EXIT_TAMPERED
    assert out.startswith("READ_MODEL: a b2bcore_fact_assets row of ")


def test_an_edited_event_exits_4_naming_its_position(
    capsys: pytest.CaptureFixture[str], database: str
) -> None:
    run(capsys, database, "audit", "verify")
    sql(
        database,
        "UPDATE stored_events SET state = CAST(state || ' ' AS BLOB) WHERE rowid = 17",
    )

    code, out, _ = run(capsys, database, "audit", "verify")

    assert code == EXIT_TAMPERED == 4
    assert out.startswith("ALTERED at position 17: ")


def test_a_deleted_event_exits_4_naming_its_position(
    capsys: pytest.CaptureFixture[str], database: str
) -> None:
    run(capsys, database, "audit", "verify")
    sql(database, "DELETE FROM stored_events WHERE rowid = 2")

    code, out, _ = run(capsys, database, "audit", "verify")

    assert (code, out.split(":")[0]) == (EXIT_TAMPERED, "DELETED at position 2")


def test_a_checkpoint_is_printed_as_signed_json(
    capsys: pytest.CaptureFixture[str], database: str, keyed: None
) -> None:
    code, out, err = run(capsys, database, "audit", "checkpoint")

    assert (code, err) == (0, "")
    document = json.loads(out)
    assert set(document) == {"position", "head", "count", "signature"}
    assert (document["position"], document["count"]) == (34, 34)


def test_without_a_key_a_checkpoint_is_refused(
    capsys: pytest.CaptureFixture[str],
    database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("B2BCORE_AUDIT_KEY", raising=False)
    monkeypatch.delenv("AUDIT_KEY", raising=False)

    code, out, err = run(capsys, database, "audit", "checkpoint")

    assert (code, out) == (1, "")
    assert err.startswith("error: audit key: not set: set B2BCORE_AUDIT_KEY")


def test_an_exported_checkpoint_verifies_the_log(
    capsys: pytest.CaptureFixture[str], database: str, keyed: None, tmp_path: Path
) -> None:
    exported = tmp_path / "checkpoint.json"
    code, out, _ = run(capsys, database, "audit", "checkpoint", "-o", str(exported))
    assert (code, out) == (0, f"checkpoint of 34 events at position 34: {exported}\n")

    code, out, _ = run(
        capsys, database, "audit", "verify", "--checkpoint", str(exported)
    )

    assert code == 0
    assert out.startswith("OK: 34 events")
    assert out.splitlines()[-1] == (
        "anchored: the log up to position 34 is the one the signed checkpoint tagged"
    )


def test_a_log_rewritten_since_the_checkpoint_exits_4(
    capsys: pytest.CaptureFixture[str], database: str, keyed: None, tmp_path: Path
) -> None:
    exported = tmp_path / "checkpoint.json"
    run(capsys, database, "audit", "checkpoint", "-o", str(exported))
    sql(
        database,
        "UPDATE stored_events SET state = CAST(state || ' ' AS BLOB) WHERE rowid = 3",
    )
    sql(database, "DELETE FROM b2bcore_chain_links")
    sql(database, "DELETE FROM tracking WHERE application_name = 'audit_chain'")

    code, out, _ = run(
        capsys, database, "audit", "verify", "--checkpoint", str(exported)
    )

    assert code == EXIT_TAMPERED
    assert out.startswith("ALTERED at position 3: the stored event differs")


def test_an_edited_checkpoint_is_refused(
    capsys: pytest.CaptureFixture[str], database: str, keyed: None, tmp_path: Path
) -> None:
    exported = tmp_path / "checkpoint.json"
    run(capsys, database, "audit", "checkpoint", "-o", str(exported))
    document = json.loads(exported.read_text())
    exported.write_text(json.dumps({**document, "count": 25}))

    code, _, err = run(
        capsys, database, "audit", "verify", "--checkpoint", str(exported)
    )

    assert code == 1
    assert err.startswith("error: checkpoint: signature: does not match")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not a readable JSON file"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"position": 1}', "checkpoint: head: must be str"),
    ],
)
def test_a_malformed_checkpoint_file_is_refused(
    capsys: pytest.CaptureFixture[str],
    database: str,
    tmp_path: Path,
    content: str,
    message: str,
) -> None:
    path = tmp_path / "checkpoint.json"
    path.write_text(content)

    code, _, err = run(capsys, database, "audit", "verify", "--checkpoint", str(path))

    assert code == 1
    assert message in err


def test_a_missing_checkpoint_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], database: str, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.json"

    code, _, err = run(
        capsys, database, "audit", "verify", "--checkpoint", str(missing)
    )

    assert code == 2
    assert "does not exist" in err


def test_overwriting_deleted_keys_with_no_reader_in_the_way_is_done(
    capsys: pytest.CaptureFixture[str], database: str
) -> None:
    code, out, err = run(capsys, database, "audit", "overwrite-keys")

    assert (code, err) == (0, "")
    assert out == "overwritten: the database's files hold no deleted key\n"
