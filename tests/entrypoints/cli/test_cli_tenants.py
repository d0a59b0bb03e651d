"""``b2b tenant create|list|remove`` and ``b2b --tenant NAME …``: every
command works on the tenant's own log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from b2bcore_adapters.entrypoints.cli.main import main

REGISTER = [
    "account",
    "register",
    "--name",
    "Acme",
    "--grade",
    "key",
    "--sector",
    "logistics",
    "--region",
    "Seoul",
    "--country",
    "KR",
    "--business-line",
    "domestic",
    "--preferred-channel",
    "email",
]


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    out, err = capsys.readouterr()
    return code, out, err


def test_tenants_are_created_used_listed_and_removed_from_the_shell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'directory.db'}"

    assert (
        run(capsys, "--db", db, "tenant", "create", "acme", "--reason", "signed")[0]
        == 0
    )
    assert run(capsys, "--db", db, "tenant", "create", "beta")[0] == 0
    code, out, _ = run(capsys, "--db", db, "--tenant", "acme", *REGISTER)
    assert code == 0
    account = json.loads(out)["id"]

    _, acme, _ = run(capsys, "--db", db, "--tenant", "acme", "accounts", "--ids")
    _, beta, _ = run(capsys, "--db", db, "--tenant", "beta", "accounts", "--ids")
    _, directory, _ = run(capsys, "--db", db, "accounts", "--ids")
    assert acme.split() == [account]
    assert beta.split() == directory.split() == []

    assert (
        run(capsys, "--db", db, "tenant", "remove", "beta", "--reason", "left")[0] == 0
    )
    _, listed, _ = run(capsys, "--db", db, "tenant", "list", "--json")
    _, every, _ = run(capsys, "--db", db, "tenant", "list", "--removed", "--json")
    assert [t["name"] for t in json.loads(listed)] == ["acme"]
    assert [t["removed_on"] is None for t in json.loads(every)] == [True, False]
    assert not (tmp_path / "directory.beta.db").exists()


@pytest.mark.parametrize(
    ("tenant", "message"),
    [("gamma", "'gamma' is not in the directory"), ("Gamma", "lowercase letters")],
)
def test_an_unknown_or_malformed_tenant_is_refused_and_nothing_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tenant: str, message: str
) -> None:
    db = f"sqlite:///{tmp_path / 'directory.db'}"

    code, _, err = run(capsys, "--db", db, "--tenant", tenant, *REGISTER)

    assert code == 1
    assert message in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["directory.db"]
    assert run(capsys, "--db", db, "accounts", "--ids")[1].split() == []


def test_the_tenant_can_come_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path / 'directory.db'}"
    run(capsys, "--db", db, "tenant", "create", "acme")
    monkeypatch.setenv("B2BCORE_TENANT", "acme")

    _, out, _ = run(capsys, "--db", db, *REGISTER)

    monkeypatch.delenv("B2BCORE_TENANT")
    assert run(capsys, "--db", db, "--tenant", "acme", "accounts", "--ids")[
        1
    ].split() == [json.loads(out)["id"]]
